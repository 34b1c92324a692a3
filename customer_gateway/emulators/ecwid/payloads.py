"""JSON shapes of Ecwid v3's customer area (README 3.2, 3.3) and the error every layer raises."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class Person(TypedDict, total=False):
    """`billingPerson`: Ecwid leaves out the fields it has no value for."""

    name: str
    firstName: str
    lastName: str
    companyName: str
    street: str
    city: str
    countryCode: str
    countryName: str
    postalCode: str
    stateOrProvinceCode: str
    stateOrProvinceName: str
    phone: str


class ShippingAddress(TypedDict):
    id: int
    name: NotRequired[str]
    companyName: NotRequired[str]
    street: NotRequired[str]
    city: NotRequired[str]
    countryCode: NotRequired[str]
    countryName: NotRequired[str]
    postalCode: NotRequired[str]
    stateOrProvinceCode: NotRequired[str]
    stateOrProvinceName: NotRequired[str]
    phone: NotRequired[str]
    createdDate: str
    defaultAddress: bool
    orderBy: int
    addressFormatted: str


class Contact(TypedDict):
    id: int
    contact: str
    type: str
    default: bool
    orderBy: int
    timestamp: str


class Stats(TypedDict):
    numberOfOrders: int
    salesValue: float
    averageOrderValue: float


class CustomerObject(TypedDict):
    id: int
    name: NotRequired[str]
    email: str
    registered: str
    updated: str
    totalOrderCount: int
    customerGroupId: int
    customerGroupName: str
    billingPerson: NotRequired[Person]
    shippingAddresses: list[ShippingAddress]
    contacts: NotRequired[list[Contact]]
    taxId: NotRequired[str]
    taxIdValid: bool
    taxExempt: bool
    b2b_b2c: NotRequired[str]
    fiscalCode: NotRequired[str]
    electronicInvoicePecEmail: NotRequired[str]
    electronicInvoiceSdiCode: NotRequired[str]
    acceptMarketing: bool | None
    lang: NotRequired[str]
    stats: Stats
    privateAdminNotes: NotRequired[str]
    favorites: NotRequired[list[object]]


class GroupObject(TypedDict):
    id: int
    name: str


class DeletedItem(TypedDict):
    id: int
    date: str


class CustomerPage(TypedDict):
    total: int
    count: int
    offset: int
    limit: int
    items: list[CustomerObject]


class GroupPage(TypedDict):
    total: int
    count: int
    offset: int
    limit: int
    items: list[GroupObject]


class DeletedPage(TypedDict):
    total: int
    count: int
    offset: int
    limit: int
    items: list[DeletedItem]


class CreatedId(TypedDict):
    id: int


class UpdateCount(TypedDict):
    updateCount: int


class DeleteCount(TypedDict):
    deleteCount: int


class ErrorBody(TypedDict):
    errorMessage: str


class EcwidError(Exception):
    """An answer other than 2xx: HTTP status + `{"errorMessage": ...}` (README 3.1)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.headers = headers or {}

    @property
    def body(self) -> ErrorBody:
        return {"errorMessage": self.message}

    @classmethod
    def bad_request(cls, message: str) -> EcwidError:
        return cls(400, message)

    @classmethod
    def not_found(cls, message: str) -> EcwidError:
        return cls(404, message)
