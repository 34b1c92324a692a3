"""Flow Retail API v2 customer-area emulator (README section 2).

Assumptions (the docs say "unknown" or nothing; each is the documented neighbour behaviour or
a constructor option of `FlowRetailEmulator`):

- Integration tokens never expire; the device flow's access tokens expire after
  `access_token_ttl` seconds (default 3600), then 401 "Access token has expired".
- 401 for a missing, malformed, unknown, revoked or expired bearer token, with
  `WWW-Authenticate: Bearer`; the device token is accepted only by `POST /v2/account`, API
  tokens only by the tenant endpoints (401 otherwise).
- `POST /v2/account`: missing `userCode`/`password` is 400; wrong ones are 401; the access
  token is opaque (`flow-at-<hex>`), for the first tenant, with `device_user_permissions`
  (default TENANT.ACCESS + TENANT.BACKOFFICE); `tenantUser` = `{tenantUserUid, tenantUid,
  userCode, displayName, tenantRole}`.
- Each further tenant has its own integration token (`tenant_tokens`, default
  `<integration_token>-<tenant>`); a token used on another tenant's path gets 403
  (`foreign_tenant_status=404` for 404).
- Checks run rate limit -> token (401) -> route (404 unknown path, 405 other method) ->
  tenant (403) -> permission (403) -> body (400) -> resource (404; looked up before the body
  is validated).
- Permissions not stated by the docs (export, extensions, batch, store view, groups) are
  TENANT.ACCESS; DELETE of a customer and `delete` batch items need TENANT.BACKOFFICE; a
  missing permission is 403 `Missing permission <CODE>`.
- Error bodies are `{"message": "..."}` (`error_body` replaces the renderer); one 400 lists
  every violation of a body, joined by "; ".
- Paging: `pageSize` default 20, max 1000 (larger values capped silently, the cap echoed);
  `pageNumber`/`pageSize` below 1 or not integers are 400; a `sortBy` that is not a scalar
  field of the listed object is 400 (`unknown_sort="ignore"` to ignore it); `sortDirection`
  is case-insensitive, anything but ASC/DESC is 400.
- Default order is creation order; sorting is stable, nulls last in both directions, text in
  Norwegian order (case-insensitive, accents folded, æ ø å after z; `collation` option).
- `customerExternalId` filters by exact, case-sensitive equality.
- Create: `customerType` defaults to PERSON; PERSON needs `firstname` + `lastname`
  (`person_requires_name`), COMPANY needs `companyName` (`company_requires_name`); types are
  PERSON, COMPANY plus `extra_customer_types`; country is not required.
- Field checks on create and PUT: email `x@y.z`; mobile digits with an optional leading `+`;
  `countryCode` an upper-case ISO 3166-1 alpha-2 code; `ledgerNumber` digits;
  `pricelistUid` / `defaultStoreUid` patterns, `defaultStoreUid` an existing store;
  `customerGroupUids` existing groups of the tenant (deduplicated); `paymentTerms` an integer
  >= 0; `ehfEnabled` (deprecated) and `ehf.enabled` both write `ehf`; empty strings are
  stored as sent and skip the format checks; unknown and read-only body fields are ignored.
- The customer object carries, besides the documented fields, `customerGroupUids` (string[]),
  `defaultStoreUid` and `ehf {enabled}`; unset fields are `null`, lists `[]`.
- `displayName` is computed: `companyName` for a COMPANY, else `firstname lastname`.
- `lastModifiedAt` is stamped on every write, strictly increasing (>= 1 ms after the previous
  value even under a frozen clock); seed timestamps lie before 2025-07-31T00:00:00.000Z.
- Search: every given criterion must hold (AND); `query` is matched against firstname,
  lastname, city, postalCode, companyName, mobile, email, vatNumber minus the fields given
  explicitly; matching is case-insensitive and ignores spaces; `exactMatch` switches every
  criterion from contains to equals; `createdAt` means created at or after (a date or
  date-time; no zone = UTC); `storeUid` keeps customers whose default store it is or who
  visited it (an unknown store matches nobody); a non-object body is 400, no body = no filter.
- External search: 403 `Tenant lacks the EXTERNAL_CUSTOMER_SEARCH extension` without the
  extension; with it, `query` is required (400), hits are `{name, organizationNumber,
  address, postalCode, city, countryCode, source:"BRREG"}` (no `customerUid`) whose name or
  organisation number contains the query, paged like the list.
- Store view: the customer plus `storeCustomerDetails {storeUid, storeName, firstVisitAt,
  lastVisitAt, visitCount, loyaltyPoints}` (nulls and zeros when never visited); unknown
  store 404 (checked before the customer).
- Customer extensions: code other than TWO_INVOICE is 400; `storeUid` missing or not an
  existing store is 400; POST answers 200 with the customer and is idempotent (a new
  extension gets `organizationUid` `org-<n>`); DELETE answers 204, also when absent.
- Batch: see `batch.py` (item/result shapes, processing order, idempotent upsert, per-item
  BACKOFFICE for deletes, 413 above `max_batch_items`, default 1000).
- GDPR export: `{exportedAt, customer, addresses, contacts, consents, extensions,
  customerGroups [{customerGroupUid, name}], storeCustomerDetails [...]}`.
- Groups: generated uid `cg-<hex>`; client uid matching `^[A-Za-z0-9-_]*` (empty =
  generated); an existing uid is 409; PUT needs `name`, answers 200; DELETE answers 204 and
  removes the uid from every customer's `customerGroupUids` (bumping their `lastModifiedAt`);
  `createdBy`/`lastModifiedBy` are the token's tenant-user uid.
- Rate limit: none unless `rate_limit_per_minute`; then a fixed 60 s window per bearer token
  (per client address without one), 429 `{"message"}` with `Retry-After` in whole seconds.
- Not emulated: the user auth-token exchange (`POST /v2/tenants/{t}/account`), the rest of
  the device flow, contacts/addresses sub-resources, webhooks.
"""

from __future__ import annotations

from .emulator import FlowRetailEmulator
from .payloads import FlowError

__all__ = ["FlowError", "FlowRetailEmulator"]
