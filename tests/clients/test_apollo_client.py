"""Apollo Client 4 (npm) under Node against real gateway processes: tests/clients/node/apollo.mjs.

One run of the script sends the README tour (queries as GET, `useGETForQueries`), the tour's
mutation, read-back and delete (POST), the invalid-email mutation and, against the gateway with
evershop-outlet down, the tour's grid with `errorPolicy: "all"` and with the default policy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.clients import tour
from tests.clients.servers import DOWN_SOURCE, Gateways, run_node

EMAIL = "apollo-client@example.com"


@pytest.fixture(scope="module")
def apollo(gateways: Gateways, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    payload = {
        "healthy": gateways.healthy_graphql,
        "degraded": gateways.degraded_graphql,
        "operations": {
            "tour1": tour.CUSTOMER_GRID,
            "tour2": tour.ONE_CUSTOMER,
            "tour3": tour.GROUPS,
            "create": tour.CREATE_CUSTOMER,
            "delete": tour.DELETE_CUSTOMER,
            "partial": tour.CUSTOMER_GRID,
        },
        "customerId": tour.AMELIA,
        "email": EMAIL,
    }
    workdir: Path = tmp_path_factory.mktemp("apollo")
    return run_node("apollo.mjs", payload, workdir)


def _ok(outcome: dict[str, Any]) -> Any:
    assert outcome["error"] is None, outcome
    assert "thrown" not in outcome, outcome
    return outcome["data"]


def test_tour_queries_give_the_tour_answers(apollo: dict[str, Any]) -> None:
    grid = _ok(apollo["tour1"])
    assert tour.without_typename(grid) == tour.customer_grid()
    # Apollo's cache asked for __typename everywhere, and the gateway answered it.
    assert grid["customers"]["__typename"] == "CustomerCollection"
    assert {item["__typename"] for item in grid["customers"]["items"]} == {"Customer"}
    assert tour.without_typename(_ok(apollo["tour2"])) == tour.ONE_CUSTOMER_DATA
    assert tour.without_typename(_ok(apollo["tour3"])) == tour.GROUPS_DATA


def test_tour_mutation_creates_reads_back_and_deletes(apollo: dict[str, Any]) -> None:
    created = tour.without_typename(_ok(apollo["create"]))["createCustomer"]
    tour.check_created(created, EMAIL)
    read_back = tour.without_typename(_ok(apollo["readBack"]))["customer"]
    assert read_back["uuid"] == created["uuid"]
    assert read_back["email"] == EMAIL
    assert read_back["group"] == {
        "customerGroupId": 1,
        "groupName": "Default",
        "uuid": "evershop-outlet:1",
    }
    assert tour.without_typename(_ok(apollo["delete"])) == {
        "deleteCustomer": {
            "uuid": created["uuid"],
            "nativeId": created["uuid"].split(":", 1)[1],
            "source": {"name": "evershop-outlet"},
        }
    }


def test_invalid_email_mutation_is_a_typed_error(apollo: dict[str, Any]) -> None:
    outcome = apollo["invalid"]
    assert outcome["data"] == {"createCustomer": None}
    assert outcome["error"]["kind"] == "CombinedGraphQLErrors"
    [error] = outcome["error"]["errors"]
    assert error == {
        "message": tour.INVALID_EMAIL_MESSAGE,
        "path": ["createCustomer"],
        "extensions": {"code": "BAD_USER_INPUT", "retryable": False, "field": "email"},
    }


def test_error_policy_all_shows_partial_data_and_the_typed_error(apollo: dict[str, Any]) -> None:
    outcome = apollo["partial"]
    assert tour.without_typename(outcome["data"]) == tour.customer_grid(total=12)
    sources = {item["source"]["name"] for item in outcome["data"]["customers"]["items"]}
    assert sources == {"evershop-main"}
    assert outcome["error"]["kind"] == "CombinedGraphQLErrors"
    [error] = outcome["error"]["errors"]
    assert error["path"] == ["customers"]
    assert error["extensions"] == {
        "code": "UPSTREAM_UNAVAILABLE",
        "retryable": True,
        "source": DOWN_SOURCE,
    }
    assert error["message"].startswith(f"{DOWN_SOURCE} could not be reached")


def test_default_error_policy_rejects_with_the_same_typed_error(apollo: dict[str, Any]) -> None:
    outcome = apollo["partialDefaultPolicy"]
    assert outcome["data"] is None
    thrown = outcome["thrown"]
    assert thrown["kind"] == "CombinedGraphQLErrors"
    assert [e["extensions"]["code"] for e in thrown["errors"]] == ["UPSTREAM_UNAVAILABLE"]


def test_queries_went_as_get_and_mutations_as_post(apollo: dict[str, Any]) -> None:
    exchanges = apollo["exchanges"]
    # tour 1-3, create, read-back, delete, invalid create, partial twice.
    assert [e["method"] for e in exchanges] == [
        "GET", "GET", "GET", "POST", "GET", "POST", "POST", "GET", "GET",
    ]  # fmt: skip
    for exchange in exchanges:
        assert exchange["path"] == "/graphql"
        assert exchange["status"] == 200
        # Apollo asks for the GraphQL-over-HTTP media type first, and gets it.
        assert exchange["accept"].startswith("application/graphql-response+json")
        assert exchange["contentType"].startswith("application/graphql-response+json")
        assert exchange["queryInUrl"] == (exchange["method"] == "GET")


def test_automatic_persisted_queries_with_apollos_link(apollo: dict[str, Any]) -> None:
    """Apollo's PersistedQueryLink: the hash alone, the text once, then the hash alone again."""
    expected = tour.customer_grid()
    assert tour.without_typename(_ok(apollo["apqFirst"])) == expected
    assert tour.without_typename(_ok(apollo["apqSecond"])) == expected
    first = apollo["apqFirstExchanges"]
    assert [(e["hashed"], e["queryText"]) for e in first] == [(True, False), (True, True)]
    assert first[0]["method"] == "GET"
    second = apollo["apqSecondExchanges"]
    assert [(e["method"], e["hashed"], e["queryText"]) for e in second] == [("GET", True, False)]
