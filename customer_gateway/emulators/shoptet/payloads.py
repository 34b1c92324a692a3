"""JSON shapes of the emulated responses (spec components) and the error every layer raises."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class BillingAddress(TypedDict):
    company: str | None
    fullName: str | None
    street: str | None
    houseNumber: str | None
    city: str | None
    district: str | None
    additional: str | None
    zip: str | None
    countryCode: str | None
    regionName: str | None
    regionShortcut: str | None
    companyId: str | None
    vatId: str | None
    vatIdValidationStatus: NotRequired[str | None]
    taxId: str | None


class DeliveryAddress(TypedDict):
    guid: str
    company: str | None
    fullName: str | None
    street: str | None
    houseNumber: str | None
    city: str | None
    district: str | None
    additional: str | None
    zip: str | None
    countryCode: str | None
    regionName: str | None
    regionShortcut: str | None
    isDefault: NotRequired[bool]


class Account(TypedDict):
    guid: str
    fullName: str | None
    email: str
    phone: str | None
    mainAccount: bool
    authorized: bool
    emailVerified: bool


class NamedRef(TypedDict):
    id: int
    name: str


class Remark(TypedDict):
    id: int
    remark: str
    rating: str


class CustomerObject(TypedDict):
    """`#/components/schemas/customer` (README 1.6), keys in the documented order."""

    guid: str
    billingAddress: BillingAddress
    deliveryAddress: list[DeliveryAddress]
    creationTime: str | None
    changeTime: str | None
    customerGroup: NamedRef | None
    priceList: NamedRef | None
    remark: str | None
    priceRatio: str
    birthDate: str | None
    accounts: list[Account]
    disabledOrders: bool
    remarks: list[Remark]
    adminUrl: str


class CustomerSummary(TypedDict):
    guid: str
    creationTime: str | None
    changeTime: str | None
    billCompany: str | None
    billFullName: str | None
    adminUrl: str


class RegionObject(TypedDict):
    id: int
    regionName: str
    regionShortcut: str | None
    countryCode: str


class GroupObject(TypedDict):
    id: int
    name: str
    customerGroupCode: str | None
    description: str | None
    defaultPricelistId: int | None
    maxDiscount: str | None
    priority: int | None
    emailNotification: bool
    authRequired: bool
    registrationAllowed: bool
    wholesale: bool
    tableLayout: bool
    fullProfileRequired: bool
    defaultDueDays: int | None
    defaultOrderStatusId: int | None


class Paginator(TypedDict):
    totalCount: int
    page: int
    pageCount: int
    itemsOnPage: int
    itemsPerPage: int


class ChangeRow(TypedDict):
    guid: str
    changeTime: str | None
    changeType: str


class JobObject(TypedDict):
    jobId: str
    endpoint: str
    creationTime: str | None
    completionTime: str | None
    duration: str | None
    status: str
    resultUrl: str | None
    validUntil: str | None
    log: str | None


class WebhookObject(TypedDict):
    id: int
    event: str
    url: str
    created: str | None
    updated: str | None
    sendPayload: str | None


class ErrorItem(TypedDict):
    errorCode: str
    message: str
    instance: str


def error_item(code: str, message: str, instance: str) -> ErrorItem:
    return {"errorCode": code, "message": message, "instance": instance}


class ShoptetError(Exception):
    """An error answer: raised anywhere below the HTTP layer, rendered as the envelope."""

    def __init__(
        self,
        status: int,
        errors: list[ErrorItem],
        *,
        headers: dict[str, str] | None = None,
        data: Any = None,
    ) -> None:
        super().__init__(status, errors)
        self.status = status
        self.errors = errors
        self.headers = headers or {}
        self.data = data

    @classmethod
    def one(cls, status: int, code: str, message: str, instance: str) -> ShoptetError:
        return cls(status, [error_item(code, message, instance)])

    @classmethod
    def invalid(cls, message: str, instance: str) -> ShoptetError:
        """422 `invalid-request-data`: the request as a whole is rejected (README 1.2)."""
        return cls.one(422, "invalid-request-data", message, instance)
