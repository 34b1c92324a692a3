"""Print the README's 30-second tour with real answers from a fresh sandbox (in-process).

    .venv/bin/python -m tools.tour

The sandbox's data is deterministic, so the answers are the same on every machine except for
latencies and the creation time of the customer the mutation makes.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from customer_gateway.app import create_app
from customer_gateway.settings import Settings

STEPS: list[tuple[str, str, dict[str, Any] | None]] = [
    (
        "1. The customer grid over every shop",
        """{
  customers(filters: [{key: "limit", operation: eq, value: "5"}]) {
    total currentPage
    items { uuid fullName email createdAt { text } group { groupName } source { name kind } }
    currentFilters { key operation value }
  }
}""",
        None,
    ),
    (
        "2. One customer by its gateway id",
        """query($id: String) {
  customer(id: $id) {
    customerId uuid nativeId fullName email phone status createdAt { text }
    groups { groupName }
    addresses { kind city postcode country { code name } province { code name } }
  }
}""",
        {"id": "<first uuid of step 1>"},
    ),
    (
        "3. A search, pushed down to the shops that can search",
        """{
  customers(filters: [{key: "keyword", operation: eq, value: "hansen"},
                      {key: "source", operation: in, value: "flow-oslo,ecwid-us,evershop-main"},
                      {key: "ob", operation: eq, value: "name"},
                      {key: "limit", operation: eq, value: "3"}]) {
    total items { uuid fullName email source { name } }
  }
}""",
        None,
    ),
    (
        "4. Customer groups of every shop, by name",
        """{ customerGroups(filters: [{key: "ob", operation: eq, value: "name"},
                            {key: "limit", operation: eq, value: "6"}]) {
    total items { uuid groupName source { name } } } }""",
        None,
    ),
    (
        "5. A mutation, routed to the shop you name",
        """mutation {
  createCustomer(source: "flow-oslo", input: {email: "ada@example.com",
                 fullName: "Ada Lovelace", phone: "+47 900 00 001"}) {
    uuid customerId email fullName phone status groups { groupName }
  }
}""",
        None,
    ),
]


def compact(answer: dict[str, Any]) -> str:
    """JSON with one list item per line: long answers stay readable in the README."""

    def render(value: Any, indent: int) -> str:
        pad = "  " * indent
        if isinstance(value, dict) and any(
            isinstance(v, (dict, list)) and v for v in value.values()
        ):
            inner = ",\n".join(
                f"{pad}  {json.dumps(k)}: {render(v, indent + 1).lstrip()}"
                for k, v in value.items()
            )
            return f"{pad}{{\n{inner}\n{pad}}}"
        if isinstance(value, list) and value and isinstance(value[0], dict):
            inner = ",\n".join(f"{pad}  {json.dumps(v, ensure_ascii=False)}" for v in value)
            return f"{pad}[\n{inner}\n{pad}]"
        return pad + json.dumps(value, ensure_ascii=False)

    return render(answer, 0)


async def main() -> None:
    app = create_app(Settings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            first_uuid = None
            for title, query, variables in STEPS:
                if variables is not None and first_uuid is not None:
                    variables = {"id": first_uuid}
                body: dict[str, Any] = {"query": query}
                if variables:
                    body["variables"] = variables
                answer = (await client.post("/graphql", json=body)).json()
                if first_uuid is None and "customers" in (answer.get("data") or {}):
                    first_uuid = answer["data"]["customers"]["items"][0]["uuid"]
                print(f"## {title}\n\n{query}\n")
                if variables:
                    print(f"variables: {json.dumps(variables)}\n")
                print(compact(answer) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
