"""Print the tour (README.md, docs/tour.md) with real answers from a fresh sandbox (in-process).

    .venv/bin/python -m tools.tour

As `make run` does, the sandbox mirrors every source; the tour waits until every mirror has
loaded (a few seconds), so its answers are what GraphiQL shows from then on. Steps marked live
send `X-Live-Read: true` and show each source answering itself. The sandbox's data is
deterministic, so the answers are the same on every machine except for latencies, sync times and
the ids of the customer the mutation makes.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from customer_gateway.server.app import create_app
from customer_gateway.server.settings import Settings


@dataclass(frozen=True)
class Step:
    title: str
    query: str
    variables: dict[str, Any] | None = None
    live: bool = False  # send `X-Live-Read: true`: the sources answer, not their mirrors


GRID = """{
  customers(filters: [{key: "limit", operation: eq, value: "5"}]) {
    total currentPage
    items { uuid fullName email createdAt { text } group { groupName } source { name kind } }
    currentFilters { key operation value }
  }
}"""

CREATE = """mutation {
  createCustomer(source: "flow-oslo", input: {email: "%s",
                 fullName: "Ada Lovelace", phone: "+47 900 00 001"}) {
    uuid customerId email fullName phone status groups { groupName }
  }
}"""

STEPS: list[Step] = [
    Step("1. The customer grid over every shop", GRID),
    Step("2. The same page, asked of the sources themselves", GRID, live=True),
    Step(
        "3. One customer by its gateway id",
        """query($id: String) {
  customer(id: $id) {
    customerId uuid nativeId fullName email phone status createdAt { text }
    groups { groupName }
    addresses { kind city postcode country { code name } province { code name } }
  }
}""",
        {"id": "<first uuid of step 1>"},
    ),
    Step(
        "4. A search, pushed down to the shops that can search",
        """{
  customers(filters: [{key: "keyword", operation: eq, value: "hansen"},
                      {key: "source", operation: in, value: "flow-oslo,ecwid-us,evershop-main"},
                      {key: "ob", operation: eq, value: "name"},
                      {key: "limit", operation: eq, value: "3"}]) {
    total items { uuid fullName email source { name } }
  }
}""",
        live=True,
    ),
    Step(
        "5. Customer groups of every shop, by name",
        """{ customerGroups(filters: [{key: "ob", operation: eq, value: "name"},
                            {key: "limit", operation: eq, value: "6"}]) {
    total items { uuid groupName source { name } } } }""",
        live=True,
    ),
    Step("6. A mutation, routed to the shop you name", CREATE % "ada@example.com"),
    Step("7. The same mutation with an invalid e-mail", CREATE % "ada@example"),
]
MIRRORS_LOADED_WITHIN = 120.0  # seconds; the sandbox's mirrors load in a few


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


async def _wait_for_mirrors(client: httpx.AsyncClient) -> None:
    """Until every source's mirror is fresh, as a `make run` sandbox is a few seconds in."""
    query = '{ customers(filters: [{key: "limit", operation: eq, value: "1"}]) { total } }'
    deadline = time.monotonic() + MIRRORS_LOADED_WITHIN
    while True:
        answer = (await client.post("/graphql", json={"query": query})).json()
        states = {
            s["name"]: s.get("mirror", {}).get("state") for s in answer["extensions"]["sources"]
        }
        if all(state == "fresh" for state in states.values()):
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"the sandbox's mirrors did not load: {states}")
        await asyncio.sleep(0.5)


async def main() -> None:
    app = create_app(Settings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            await _wait_for_mirrors(client)
            first_uuid = None
            for step in STEPS:
                variables = step.variables
                if variables is not None and first_uuid is not None:
                    variables = {"id": first_uuid}
                body: dict[str, Any] = {"query": step.query}
                if variables:
                    body["variables"] = variables
                headers = {"X-Live-Read": "true"} if step.live else {}
                answer = (await client.post("/graphql", json=body, headers=headers)).json()
                if first_uuid is None and "customers" in (answer.get("data") or {}):
                    first_uuid = answer["data"]["customers"]["items"][0]["uuid"]
                print(f"## {step.title}\n\n{step.query}\n")
                if step.live:
                    print("headers: X-Live-Read: true\n")
                if variables:
                    print(f"variables: {json.dumps(variables)}\n")
                print(compact(answer) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
