"""`POST|GET /api/admin/graphql`: EverShop's admin schema for the customer area.

The SDL is merged from `modules/customer/graphql/types/**`, `Date`, `Country`, `Province`,
`Metafield`, `Address`, and the `Filter*` types in `catalog/.../Category.graphql`, declared the
way EverShop declares them. `graphqlMiddleware.js` parses and executes without validating the
query (it calls `validateSchema`, not `validate`), and turns the first execution error into an
HTTP 500 via `apiErrorHandler`.

Cost (the benchmarks run this emulator beside the gateway on one core, so its CPU time is in
what they measure): a query's parsed document is kept per query text (`_parse`); plain leaf
fields take a short path (`executor`); and an execution first runs with every resolver answering
at once instead of as a coroutine (`ReadContext`), which is only used when it ends without an
error (see `GraphQLEndpoint.run`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from importlib.resources import files
from inspect import isawaitable
from typing import Any, Final, TypeVar, cast
from zoneinfo import ZoneInfo

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_schema,
    execute,
    parse,
)

from .collection import CUSTOMER_FILTERS, GROUP_FILTERS, Collection, Row
from .executor import LeafShortcutExecutor, is_awaitable, source_only
from .node.graphql_js16 import Js16Error, check_variables, inspect, reword, select_operation
from .node.js import UNDEFINED, truthy
from .pg import Collation, PgError
from .pool import ConnectionPool
from .store import Database, epoch_ms

Info = GraphQLResolveInfo[Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ReadContext:
    """The context value of an execution: how the resolvers EverShop writes as async functions
    answer. Not `direct`: as EverShop's do, a coroutine (that first waits for a pool connection
    where EverShop takes one), so graphql-core completes them after the synchronous fields, in
    the order graphql-js would, and stops at an exhausted pool. `direct`: the value at once.

    The two orders differ only in which of several errors comes first (the one EverShop
    answers with), so a direct execution is used only when it has no error and no connection
    can be waited for (`GraphQLEndpoint.run`); reading is all these resolvers do, so running a
    query again has nothing to observe."""

    direct: bool


DIRECT: Final = ReadContext(direct=True)
AS_EVERSHOP: Final = ReadContext(direct=False)

_FILTER_INPUT_DOC: Final = (
    "The `FilterInput` type represents a filter input object. Operations must be one of the "
    "following: eq, neq, gt, gteq, lt, lteq, like, nlike, in, nin."
)

# modules/oms: the order fields a customer's order history reads (Order.graphql,
# Order.admin.graphql, Status.graphql, checkout's Price.graphql), the default statuses of
# oms/bootstrap (paymentStatus) and services/rollupDisplay (the order's shipment rollup), and
# the store's defaults: currency USD, language en.
STORE_CURRENCY: Final = "USD"
PAYMENT_STATUSES: Final = {
    "pending": {"name": "Pending", "badge": "default", "isDefault": True, "isCancelable": True},
    "paid": {"name": "Paid", "badge": "success", "isCancelable": False},
    "canceled": {"name": "Canceled", "badge": "destructive", "isCancelable": True},
}
SHIPMENT_ROLLUP: Final = {
    "pending": ("Pending", "default"),
    "partially_shipped": ("Partially Shipped", "warning"),
    "shipped": ("Shipped", "warning"),
    "partially_delivered": ("Partially Delivered", "warning"),
    "delivered": ("Delivered", "success"),
    "partially_canceled": ("Partially Canceled", "warning"),
    "canceled": ("Canceled", "destructive"),
}

SDL: Final = '''
scalar JSON

"""
The root query type, represents all of the entry points into our object graph.
"""
type Query {
  hello: String!
  currentCustomer: Customer
  customer(id: String): Customer
  customers(filters: [FilterInput]): CustomerCollection
  customerGroup: CustomerGroup
  customerGroups: CustomerGroupCollection
  countries(countries: [String]): [Country]
  allowedCountries: [Country]
  provinces(countries: [String]): [Province]
}

"""
A date field.
"""
type Date {
  value: String
  text: String
}

interface Address {
  fullName: String
  postcode: String
  telephone: String
  country: Country
  province: Province
  city: String
  address1: String
  address2: String
}

"""
Represent a customer address
"""
type CustomerAddress implements Address {
  cartAddressId: Int!
  uuid: String!
  fullName: String
  postcode: String
  telephone: String
  country: Country
  province: Province
  city: String
  address1: String
  address2: String
  isDefault: Boolean
  updateApi: String!
  deleteApi: String!
}

"""
Represents a customer
"""
type Customer {
  customerId: Int!
  uuid: String!
  status: Int!
  email: String!
  addresses: [CustomerAddress]
  addAddressApi: String!
  updateProfileApi: String!
  fullName: String!
  createdAt: Date!
  group: CustomerGroup
  urn: String!
  metafields(namespace: String): [Metafield!]!
  metafield(namespace: String!, key: String!): Metafield
  editUrl: String!
  updateApi: String!
  deleteApi: String!
  metaData: JSON
  updateMetafieldsApi: String!
  orders: [Order]
}

"""
Represents an Order.
"""
type Order {
  orderId: ID!
  uuid: String!
  orderNumber: String!
  currency: String!
  customerId: Int
  customerEmail: String
  customerFullName: String
  grandTotal: Price!
  shipmentStatus: ShipmentStatus
  paymentStatus: PaymentStatus
  createdAt: Date!
  editUrl: String!
}

"""
Represents a price value.
"""
type Price {
  value: Float!
  currency(currency: String): String!
  text(currency: String): String!
}

type PaymentStatus {
  name: String
  code: String
  badge: String
  isDefault: Boolean
  isCancelable: Boolean
}

type ShipmentStatus {
  name: String
  code: String
  badge: String
  """
  One of `pending` | `shipped` | `delivered` | `canceled`.
  """
  phase: String!
}

"""
Return a collection of customers
"""
type CustomerCollection {
  items: [Customer]
  currentPage: Int!
  total: Int!
  currentFilters: [Filter]
}

"""
Represents a customer group.
"""
type CustomerGroup {
  customerGroupId: Int!
  groupName: String!
  editUrl: String!
  customers: [Customer]
}

"""
Represents a collection of customer groups
"""
type CustomerGroupCollection {
  items: [CustomerGroup]
  currentPage: Int!
  total: Int!
  currentFilters: [Filter]
}

"""
{filter_input_doc}
"""
enum FilterOperation {
  eq
  neq
  gt
  gteq
  lt
  lteq
  like
  nlike
  in
  nin
}

input FilterInput {
  key: String!
  operation: FilterOperation!
  value: ID
}

"""
The `Filter` type represents a filter object.
"""
type Filter {
  key: String!
  operation: String!
  value: String!
}

"""
The `Country` type represents a country.
"""
type Country {
  name: String!
  code: String!
  provinces: [Province]
}

"""
The `Province` type represents a province/state.
"""
type Province {
  name: String!
  code: String!
  countryCode: String!
}

enum MetafieldType {
  SHORT_TEXT
  LONG_TEXT
  RICH_TEXT
  INTEGER
  NUMBER
  BOOLEAN
  DATE
  COLOR
  URL
  GROUP
}

type Metafield {
  namespace: String!
  key: String!
  type: MetafieldType!
  value: JSON
}
'''

_CAMEL: Final = re.compile(r"[-_][a-zA-Z0-9]")


def camel_case(row: Mapping[str, Any]) -> dict[str, Any]:
    """`lib/util/camelCase.ts` (so `address_1` becomes `address1`)."""
    return {_camel_key(key): value for key, value in row.items()}


@lru_cache(maxsize=1024)
def _camel_key(key: str) -> str:
    # Keys are a table's column names: a few dozen, converted once each.
    return _CAMEL.sub(lambda match: match.group()[1].upper(), key)


@cache
def countries() -> tuple[dict[str, str], ...]:
    return tuple(
        {"code": code, "name": name}
        for code, _, name in (line.partition("|") for line in _locale_lines("countries"))
    )


def _locale_lines(name: str) -> list[str]:
    """EverShop's lists as it ships them (customer_gateway/data, by tools/evershop/locale_lists)."""
    text = files("customer_gateway").joinpath(f"data/{name}.txt").read_text("utf-8")
    return [line for line in text.splitlines() if not line.startswith("#")]


@cache
def provinces() -> tuple[dict[str, str], ...]:
    return tuple(
        {"code": code, "countryCode": code.split("-", 1)[0], "name": name}
        for code, _, name in (line.partition("|") for line in _locale_lines("provinces"))
    )


class GraphQLEndpoint:
    def __init__(
        self,
        db: Database,
        *,
        collation: Collation,
        timezone: str,
        stable_ties: bool = False,
        pool: ConnectionPool | None = None,
    ) -> None:
        self._db = db
        self._pool = pool or ConnectionPool()
        self._collation = collation
        self._stable_ties = stable_ties
        self._zone = ZoneInfo(timezone)
        self.schema = self._build()
        self.direct_reads = True  # False: every execution as EverShop's (the tests compare)

    async def run(self, body: Any) -> tuple[int, dict[str, Any]]:
        """Return (status, JSON body) for a request body as the route's body parser left it."""
        query = body.get("query") if isinstance(body, dict) else None
        variables = body.get("variables") if isinstance(body, dict) else None
        if not truthy(query):
            return 200, {"data": {}}
        try:
            if not isinstance(query, str):
                raise TypeError(f"Body must be a string. Received: {inspect(query)}.")
            document = _parse(query)
            check_variables(self.schema, select_operation(document), variables)
        except (GraphQLError, TypeError, Js16Error) as error:
            return 500, _error(str(error.message if isinstance(error, GraphQLError) else error))
        values = variables if isinstance(variables, dict) else None
        if self.direct_reads and not self._pool.exhausted:
            try:
                direct = await self._execute(document, values, DIRECT)
            except Exception:  # EverShop's order below raises it again
                direct = None
            if direct is not None and not direct.errors:
                return 200, {"data": direct.data}
        result = await self._execute(document, values, AS_EVERSHOP)
        if result.errors:
            return 500, _error(reword(result.errors[0], document))
        return 200, {"data": result.data}

    async def _execute(
        self, document: DocumentNode, variables: dict[str, Any] | None, context: ReadContext
    ) -> ExecutionResult:
        result = execute(
            self.schema,
            document,
            context_value=context,
            variable_values=variables,
            executor_class=LeafShortcutExecutor,
            is_awaitable=is_awaitable,
        )
        if isawaitable(result):
            result = await result
        assert isinstance(result, ExecutionResult)
        return result

    # -- schema ------------------------------------------------------------------------------
    def _build(self) -> GraphQLSchema:
        schema = build_schema(SDL.replace("{filter_input_doc}", _FILTER_INPUT_DOC))
        resolvers: dict[str, dict[str, Callable[..., Any]]] = {
            "Query": {
                "hello": lambda *_: "Hello EverShop!",
                "currentCustomer": lambda *_: None,
                "customer": self._customer,
                "customers": self._customers,
                "customerGroup": _none,
                "customerGroups": self._customer_groups,
                "countries": _countries,
                "allowedCountries": _empty_list,
                "provinces": _provinces,
            },
            "CustomerCollection": {
                "items": _collection_items,
                "total": _collection_total,
                "currentFilters": lambda root, _info: root.current_filters,
            },
            "CustomerGroupCollection": {
                "items": _collection_items,
                "total": _collection_total,
                "currentFilters": lambda root, _info: root.current_filters,
            },
            "Filter": {"value": _filter_value},
            "Date": {"value": _date_value, "text": self._date_text},
            "Customer": {
                "addresses": self._addresses,
                "addAddressApi": lambda *_: "/api/customers/me/addresses",
                "updateProfileApi": lambda *_: "/api/customers/me",
                "group": self._group,
                "urn": lambda customer, _info: f"urn:evershop:customer:customer:{customer['uuid']}",
                "metafields": _empty_list,
                "metafield": _none,
                "editUrl": lambda customer, _info: f"/admin/customers/edit/{customer['uuid']}",
                "updateApi": lambda customer, _info: f"/api/customers/{customer['uuid']}",
                "deleteApi": lambda customer, _info: f"/api/customers/{customer['uuid']}",
                "metaData": lambda customer, _info: _nullish(customer.get("metaData"), {}),
                "updateMetafieldsApi": lambda customer, _info: (
                    f"/api/customers/{customer['uuid']}/metafields"
                ),
                "orders": self._orders,
            },
            "Order": {
                "editUrl": lambda order, _info: f"/admin/order/edit/{order['uuid']}",
                "grandTotal": lambda order, _info: order["grandTotal"],
                "paymentStatus": _payment_status,
                "shipmentStatus": _shipment_status,
            },
            "Price": {"value": _price_value, "currency": _price_currency, "text": _price_text},
            "CustomerGroup": {
                "editUrl": _group_edit_url,
                "customers": self._group_customers,
            },
            "Country": {"name": _country_name, "code": _country_code, "provinces": _country_prov},
            "Province": {
                "name": _province_name,
                "code": _province_code,
                "countryCode": _province_country,
            },
        }
        for type_name, fields in resolvers.items():
            graphql_type = schema.type_map[type_name]
            assert isinstance(graphql_type, GraphQLObjectType)
            for field_name, resolver in fields.items():
                graphql_type.fields[field_name].resolve = resolver
        return schema

    # -- resolvers that read the database (async in EverShop, async here) ---------------------
    def _connected(self, info: Info, read: Callable[[], T]) -> T | Awaitable[T]:
        """An async EverShop resolver that takes a pool connection, then reads (ReadContext)."""
        if info.context.direct:
            return read()
        return self._after_connection(read)

    async def _after_connection(self, read: Callable[[], T]) -> T:
        await self._pool.connection()
        return read()

    def _customer(self, _root: Any, info: Info, **args: Any) -> Any:
        return self._connected(info, lambda: self._find_customer(args.get("id")))

    def _find_customer(self, customer_id: Any) -> Any:
        try:
            row = self._db.find_customer(customer_id)
        except PgError as error:
            if error.code == "22P02":  # SelectQuery.execute answers [] for a non-uuid id
                return None
            raise
        return None if row is None else camel_case(dict(row))

    def _customers(self, _root: Any, info: Info, **args: Any) -> Any:
        filters = args.get("filters", [])
        return self._connected(
            info,
            lambda: Collection(
                # The rows themselves: the page's items are copied (camel-cased) on the way out.
                lambda: cast(list[Row], list(self._db.customers.values())),
                filters,
                CUSTOMER_FILTERS,
                default_order="customer_id",
                collation=self._collation,
                stable_ties=self._stable_ties,
                unique_columns=frozenset({"customer_id"}),  # the primary key
            ),
        )

    def _customer_groups(self, _root: Any, info: Info) -> Any:
        return self._connected(
            info,
            lambda: Collection(
                lambda: [dict(row) for row in self._db.groups.values()],
                [],
                GROUP_FILTERS,
                default_order=None,
                collation=self._collation,
                stable_ties=self._stable_ties,
            ),
        )

    def _addresses(self, customer: dict[str, Any], info: Info) -> Any:
        return self._connected(
            info,
            lambda: [
                {
                    **camel_case(dict(address)),
                    "updateApi": f"/api/customers/me/addresses/{address['uuid']}",
                    "deleteApi": f"/api/customers/me/addresses/{address['uuid']}",
                }
                for address in self._db.addresses_of(customer["customerId"])
            ],
        )

    def _orders(self, customer: dict[str, Any], info: Info) -> Any:
        """`select().from('order').where('order.customer_id', '=', customerId)`: table order."""
        return self._connected(
            info,
            lambda: [camel_case(dict(row)) for row in self._db.orders_of(customer["customerId"])],
        )

    def _group(self, customer: dict[str, Any], info: Info) -> Any:
        return self._connected(info, lambda: self._group_of(customer))

    def _group_of(self, customer: dict[str, Any]) -> Any:
        group = self._db.groups.get(customer.get("groupId"))  # type: ignore[arg-type]
        return None if group is None else camel_case(group)  # a new dict

    def _group_customers(self, group: dict[str, Any], info: Info) -> Any:
        wanted = group["customerGroupId"]
        return self._connected(
            info,
            lambda: [
                camel_case(dict(row))
                for row in self._db.customers.values()
                if row["group_id"] == wanted
            ],
        )

    def _date_text(self, raw: Any, _info: Info) -> str:
        if not isinstance(raw, datetime):
            return "Invalid Date"
        local = raw.astimezone(self._zone)
        return f"{local.strftime('%b')} {local.day}, {local.year:04d}"


def _payment_status(order: dict[str, Any], _info: Info) -> dict[str, Any]:
    code = order["paymentStatus"]
    known = PAYMENT_STATUSES.get(code) or {"name": "Unknown", "code": code, "badge": "default"}
    return {**known, "code": code}


def _shipment_status(order: dict[str, Any], _info: Info) -> dict[str, Any]:
    code = order["shipmentStatus"]
    name, badge = SHIPMENT_ROLLUP.get(code, ("Unknown", "default"))
    return {"code": code, "name": name, "badge": badge}


def _price_value(raw: Any, _info: Info) -> float:
    return float(raw)  # numeric(12,4) arrives as text: parseFloat


def _price_currency(_raw: Any, _info: Info, currency: str | None = None) -> str:
    return currency or STORE_CURRENCY


def _price_text(raw: Any, _info: Info, currency: str | None = None) -> str:
    """`Intl.NumberFormat('en', {style: 'currency', currency})`, for the store's USD."""
    value = float(raw)
    if (currency or STORE_CURRENCY) != "USD":
        raise NotImplementedError("the emulator renders USD prices only")
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def _error(message: str) -> dict[str, Any]:
    return {"error": {"status": 500, "message": message}}


def _nullish(value: Any, default: Any) -> Any:
    return default if value is None else value


@lru_cache(maxsize=256)
def _parse(query: str) -> DocumentNode:
    """A query's document, parsed once per text (execution never changes a document; a text
    that does not parse raises each time: errors are not kept)."""
    return parse(query)


def _soon(info: Info, read: Callable[[], T]) -> T | Awaitable[T]:
    """An async EverShop resolver that takes no connection (ReadContext)."""
    if info.context.direct:
        return read()
    return _call(read)


async def _call(read: Callable[[], T]) -> T:
    return read()


def _none(_root: Any, info: Info, **_args: Any) -> Any:
    return _soon(info, lambda: None)


def _empty_list(_root: Any, info: Info, **_args: Any) -> Any:
    return _soon(info, list)


def _collection_items(root: Collection, info: Info) -> Any:
    return _soon(info, lambda: [camel_case(row) for row in root.items()])


def _collection_total(root: Collection, info: Info) -> Any:
    return _soon(info, root.total)


def _filter_value(item: dict[str, Any], _info: Info) -> Any:
    value = item.get("value")
    return None if value is UNDEFINED else value


@source_only
def _date_value(raw: Any, _info: Info) -> Any:
    # graphql-js serialises a Date through valueOf(): epoch milliseconds, as a string.
    return _epoch_text(raw) if isinstance(raw, datetime) else raw


@lru_cache(maxsize=4096)
def _epoch_text(moment: datetime) -> str:
    # Kept per instant (a list shows each customer's creation time on every read); equal
    # datetimes are the same instant, so the same text.
    return str(epoch_ms(moment))


def _group_edit_url(_group: Any, _info: Info) -> str:
    raise RuntimeError("Route customerGroupEdit is not existed")


def _countries(_root: Any, _info: Info, **args: Any) -> Sequence[dict[str, str]]:
    wanted = args.get("countries") or []
    if not wanted:
        return countries()
    return [country for country in countries() if country["code"] in wanted]


def _provinces(_root: Any, _info: Info, **args: Any) -> Sequence[dict[str, str]]:
    wanted = args.get("countries", [])
    if wanted is None:
        raise TypeError("Cannot read properties of null (reading 'length')")
    if not wanted:
        return provinces()
    return [province for province in provinces() if province["countryCode"] in wanted]


# Country/Province resolvers receive either a list entry (dict) or, from CustomerAddress, the
# bare code string stored in customer_address.country / .province.
def _country_name(country: Any, _info: Info) -> str:
    if isinstance(country, dict) and country.get("name"):
        return str(country["name"])
    found = next((item for item in countries() if item["code"] == country), None)
    if found is None:
        raise TypeError("Cannot read properties of undefined (reading 'name')")
    return found["name"]


def _country_code(country: Any, _info: Info) -> Any:
    if isinstance(country, dict):
        return country.get("code") or country
    return country


def _country_prov(country: Any, _info: Info) -> list[dict[str, str]]:
    code = country.get("code") if isinstance(country, dict) else None
    return [item for item in provinces() if item["countryCode"] == code] if code else []


def _province_lookup(province: Any) -> dict[str, str] | None:
    return next((item for item in provinces() if item["code"] == province), None)


def _province_name(province: Any, _info: Info) -> str:
    if isinstance(province, dict) and province.get("name"):
        return str(province["name"])
    found = _province_lookup(province)
    return found["name"] if found else "INVALID_PROVINCE"


def _province_country(province: Any, _info: Info) -> str:
    if isinstance(province, dict) and province.get("countryCode"):
        return str(province["countryCode"])
    found = _province_lookup(province)
    return found["countryCode"] if found else "INVALID_PROVINCE"


def _province_code(province: Any, _info: Info) -> Any:
    if isinstance(province, dict) and province.get("code"):
        return province["code"]
    return province or "INVALID_PROVINCE"
