"""JSON shapes of the emulated responses (README 2.3-2.4) and the error every layer raises."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypedDict

AddressType = Literal["DELIVERY_ADDRESS", "INVOICE_ADDRESS"]
BatchOperation = Literal["create", "update", "delete", "upsert"]


class Credit(TypedDict):
    limit: float
    balance: float


class AccountManager(TypedDict):
    tenantUserUid: str
    displayName: str
    userCode: str


class AddressObject(TypedDict):
    customerAddressUid: str
    type: AddressType
    firstname: str | None
    lastname: str | None
    companyName: str | None
    address: str | None
    postalCode: str | None
    city: str | None
    countryCode: str | None
    email: str | None
    phone: str | None
    displayName: str


class ExtensionObject(TypedDict):
    extensionCode: str
    organizationUid: str


class ContactObject(TypedDict):
    customerContactUid: str
    firstname: str
    lastname: str
    email: str | None
    mobile: str | None
    createdAt: str
    lastModifiedAt: str
    displayName: str
    extensions: list[ExtensionObject]


class ConsentObject(TypedDict):
    consentUid: str
    name: str
    status: bool
    source: str
    createdAt: str


class Ehf(TypedDict):
    enabled: bool


class CustomerObject(TypedDict):
    """`CustomerResponseSchema`, keys in the documented example's order, then the assumed ones."""

    customerUid: str
    customerType: str
    firstname: str | None
    lastname: str | None
    displayName: str
    companyName: str | None
    email: str | None
    mobile: str | None
    address: str | None
    postalCode: str | None
    city: str | None
    countryCode: str | None
    vatNumber: str | None
    ledgerNumber: str | None
    pricelistUid: str | None
    externalId: str | None
    origin: str | None
    loyaltyId: str | None
    paymentTerms: int | None
    internalNote: str | None
    credit: Credit | None
    accountManager: AccountManager | None
    addresses: list[AddressObject]
    contacts: list[ContactObject]
    extensions: list[ExtensionObject]
    consents: list[ConsentObject]
    # Not in the documented example; names taken from the PUT body (README 2.3 "further fields").
    customerGroupUids: list[str]
    defaultStoreUid: str | None
    ehf: Ehf
    createdAt: str
    lastModifiedAt: str


class StoreCustomerDetails(TypedDict):
    storeUid: str
    storeName: str
    firstVisitAt: str | None
    lastVisitAt: str | None
    visitCount: int
    loyaltyPoints: int


class StoreCustomerObject(CustomerObject):
    storeCustomerDetails: StoreCustomerDetails


class GroupObject(TypedDict):
    customerGroupUid: str
    name: str
    createdBy: str
    createdAt: str
    lastModifiedBy: str
    lastModifiedAt: str


class GroupRef(TypedDict):
    customerGroupUid: str
    name: str


class StoreObject(TypedDict):
    storeUid: str
    name: str
    city: str


class ExternalHit(TypedDict):
    """One external-register (Brønnøysund-like) hit: no `customerUid`, it is not a customer."""

    name: str
    organizationNumber: str
    address: str
    postalCode: str
    city: str
    countryCode: str
    source: str


class ExportObject(TypedDict):
    exportedAt: str
    customer: CustomerObject
    addresses: list[AddressObject]
    contacts: list[ContactObject]
    consents: list[ConsentObject]
    extensions: list[ExtensionObject]
    customerGroups: list[GroupRef]
    storeCustomerDetails: list[StoreCustomerDetails]


class Paging(TypedDict):
    pageNumber: int
    pageSize: int
    totalCount: int


class ListResponse(TypedDict):
    items: list[Any]
    paging: Paging


class TenantUser(TypedDict):
    tenantUserUid: str
    tenantUid: str
    userCode: str
    displayName: str
    tenantRole: str


class AccountResponse(TypedDict):
    accessToken: str
    tenantUser: TenantUser


class BatchResult(TypedDict):
    operation: BatchOperation
    index: int
    status: int
    customerUid: str | None
    error: str | None


class BatchResponse(TypedDict):
    results: list[BatchResult]


ErrorBody = Callable[[int, str], Any]


def message_body(status: int, message: str) -> dict[str, str]:
    """Assumption: Flow publishes no error schema (README 2.1), so `{"message": ...}`."""
    return {"message": message}


class FlowError(Exception):
    """An error answer: raised anywhere below the HTTP layer, rendered by the pipeline."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    @classmethod
    def bad_request(cls, message: str) -> FlowError:
        return cls(400, message)

    @classmethod
    def not_found(cls, message: str) -> FlowError:
        return cls(404, message)
