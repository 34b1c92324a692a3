"""Ecwid REST API v3's customer area and the seed's JSON wrapper around it (README section 3).

Assumptions, where README 3 leaves the behaviour open (each is also commented where it lives):

Ecwid v3 (`EcwidEmulator`)
* An unknown or non-numeric store id in `/api/v3/{storeId}` is 404, checked before the token.
* A missing or invalid token is 403 (Ecwid documents no 401); the legacy `?token=` is accepted.
* Failed-token requests are limited per client IP (`invalid_token_limit_per_minute`, 20) and
  then answer 429 + `Retry-After`; good tokens from that IP keep working; the "600 in total"
  variant is not emulated.
* The per-token limit is a fixed 60 s window (`rate_limit_per_minute`, 0 = off); blocked
  requests still count; `Retry-After` is the whole seconds left in the window (at least 1).
* Checks run store id -> token -> rate limit -> route -> plan (402) -> scope (403) -> 415.
* A known path with another method is 405; an unknown path 404.
* Group routes need `read_customers` to read, `create_customers` to create and
  `update_customers` to rename/delete (README: "customer-write scopes, exact names unknown").
* `groups_enabled=False`: every group route is 402, and the store only has group 0 "General"
  (all seeded customers are in it; any other `customerGroupId` in a write is a 400).
* `limit` above 100 is capped to 100 (or 400 with `reject_limit_over_max=True`); `limit=0`
  returns only `total`; negative or non-numeric paging values are 400.
* The deleted log pages 100 by default (max 100), oldest first, and keeps 183 days; it
  starts empty (no seeded deletions, so it does not depend on the wall clock).
* Search matching: `keyword`/`name` are case-insensitive substrings, `email` a
  case-insensitive exact match, `customerGroup` (alias `groupId`) and `customerGroupIds`
  must both hold, `purchasedProductIds` matches any listed product, `acceptMarketing=true`
  also matches `null`, date bounds are inclusive, empty parameters are ignored.
* Date filters also take `yyyy-MM-dd[ HH:mm:ss[ Z]]`; without a zone they are UTC. All
  rendered dates are UTC (`+0000`).
* Sorting breaks ties by id in the sort direction; a missing name sorts as "".
* `responseFields` applies to every successful GET; unknown field names are dropped.
* E-mail uniqueness is case-insensitive; the address is stored as sent (trimmed).
* Top-level `name` is read-only (derived from `billingPerson.name`, else first + last name).
* Unknown and read-only body fields are ignored; `null` means "not given" except for
  `acceptMarketing`; `billingPerson` is merged field by field on PUT, lists are replaced.
* An unknown `customerGroupId` in a write is 400; a non-numeric path id is 404.
* A new customer gets an EMAIL contact for its address, `taxId` "", `b2b_b2c` "b2c";
  when PUT changes the e-mail without sending `contacts`, that EMAIL contact follows.
* Any successful PUT moves `updated`, as does a group deletion that moves the customer;
  renaming a group does not.
* Group 0 "General" is listed first; updating or deleting it is 400; group names need not
  be unique.
* `addressFormatted` is "street lines, city, state postal code, country".

The wrapper (`EcwidWrapperEmulator`; details in `wrapper.py`)
* `Authorization: Bearer <api_key>`, else 401 `{"errors": [{"status", "title"}]}`.
* Errors: Ecwid's status passed through, body `{"errors": [{"status", "title"}]}` with
  Ecwid's `errorMessage` as the title; its own limit answers 429 + `Retry-After`.
* `data.id` is a request uuid for lists and the Ecwid id (string) for single customers.
* Query strings and write bodies (with their Content-Type) are forwarded unchanged.
"""

from __future__ import annotations

from .emulator import EcwidEmulator
from .payloads import EcwidError
from .wrapper import EcwidWrapperEmulator

__all__ = ["EcwidEmulator", "EcwidError", "EcwidWrapperEmulator"]
