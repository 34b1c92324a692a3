"""The benchmark's GraphQL documents (Q1–Q4, the mutation mix) and their request bodies."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

Q1 = """query Q1($id: String) {
  customer(id: $id) { uuid fullName email group { groupName } }
}"""

Q2 = """query Q2($filters: [FilterInput]) {
  customers(filters: $filters) { total items { uuid fullName email group { groupName } } }
}"""

# EverShop 2.2.1's admin customer grid (modules/customer/pages/admin/customerGrid/Grid.jsx).
Q4 = """query Query($filters: [FilterInput]) {
  customers (filters: $filters) {
    items {
      customerId
      uuid
      fullName
      email
      status
      createdAt { value text }
      editUrl
      updateApi
    }
    total
    currentFilters { key operation value }
  }
}"""

CREATE = """mutation Create($input: CustomerCreateInput!) {
  createCustomer(source: "ecwid", input: $input) { uuid email fullName group { groupName } }
}"""

UPDATE = """mutation Update($id: String!, $input: CustomerUpdateInput!) {
  updateCustomer(id: $id, input: $input) { uuid email fullName group { groupName } }
}"""

# What Hive Gateway serves for Q2 over Ecwid: the same page, names and group names, through the
# schema generated from bench/peer/ecwid.openapi.json.
PEER_Q2 = """query Q2($limit: Int) {
  searchCustomers(storeId: 1003, limit: $limit, sortBy: REGISTERED_DATE_DESC) {
    total items { id email billingPerson { name } customerGroupName }
  }
}"""


def body(query: str, variables: dict[str, object] | None = None) -> str:
    return json.dumps({"query": query, "variables": variables or {}})


def q1(customer_id: str) -> str:
    return body(Q1, {"id": customer_id})


def q1_persisted(customer_id: str, *, with_text: bool = False) -> str:
    """Q1 by its SHA-256 (automatic persisted queries): alone once the gateway knows the text,
    `with_text` to register it."""
    digest = hashlib.sha256(Q1.encode()).hexdigest()
    request: dict[str, object] = {
        "variables": {"id": customer_id},
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
    }
    if with_text:
        request["query"] = Q1
    return json.dumps(request)


def _filter(key: str, value: str, operation: str = "eq") -> dict[str, str]:
    return {"key": key, "operation": operation, "value": value}


def q2(sources: Sequence[str], n: int) -> str:
    """A page of `n` customers with their group, from `sources` (one: Q2; several: Q3)."""
    if len(sources) == 1:
        selector = _filter("source", sources[0])
    else:
        selector = _filter("source", ",".join(sources), "in")
    return body(Q2, {"filters": [selector, _filter("limit", str(n))]})


def q4() -> str:
    """The grid's first page as the admin opens it (every source, newest first)."""
    return body(Q4, {"filters": [_filter("page", "1"), _filter("limit", "20")]})


def mutation_mix(customer_id: str) -> list[str]:
    """One create for every update, on Ecwid (`@SEQ@` makes each e-mail unique)."""
    create = body(
        CREATE, {"input": {"email": "bench-@SEQ@@example.com", "fullName": "Bench Customer"}}
    )
    update = body(UPDATE, {"id": customer_id, "input": {"fullName": "Bench @SEQ@"}})
    return [create, update]


def peer_q2(n: int) -> str:
    return body(PEER_Q2, {"limit": n})
