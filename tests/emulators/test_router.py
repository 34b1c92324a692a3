"""The router every emulator configures (customer_gateway/emulators/http.py)."""

from __future__ import annotations

from customer_gateway.emulators.http import Found, Missing, Router


def test_templates_match_in_order_and_a_miss_names_the_paths_methods() -> None:
    router = Router(
        [
            ("GET", "/api/customers", "list"),
            ("POST", "/api/customers", "create"),
            ("GET", "/api/customers/{guid}", "detail"),
            ("GET", "/api/customers/changes", "changes"),  # shadowed: the template above wins
        ]
    )
    assert router.match("GET", "/api/customers") == Found("list", {})
    assert router.match("POST", "/api/customers") == Found("create", {})
    assert router.match("GET", "/api/customers/a-1") == Found("detail", {"guid": "a-1"})
    assert router.match("GET", "/api/customers/changes") == Found("detail", {"guid": "changes"})
    assert router.match("DELETE", "/api/customers") == Missing(frozenset({"GET", "POST"}))
    assert router.match("GET", "/api/customers/") == Missing(frozenset())
    assert router.match("GET", "/api/customers/a/b") == Missing(frozenset())
    assert router.match("GET", "/API/customers") == Missing(frozenset())


def test_the_most_literal_template_wins_when_asked() -> None:
    router = Router(
        [
            ("GET", "/v2/customers/{uid}", "customer"),
            ("POST", "/v2/customers/search", "search"),
        ],
        most_literal=True,
    )
    assert router.match("POST", "/v2/customers/search") == Found("search", {})
    assert router.match("GET", "/v2/customers/search") == Missing(frozenset({"POST"}))
    assert router.match("GET", "/v2/customers/k1") == Found("customer", {"uid": "k1"})


def test_express_paths_case_and_trailing_slash() -> None:
    router = Router(
        [(("GET", "POST"), "/api/admin/graphql", "graphql"), ("PATCH", "/api/customers/:id", "u")],
        syntax="colons",
        trailing_slash=True,
        ignore_case=True,
    )
    assert router.match("POST", "/API/Admin/GraphQL/") == Found("graphql", {})
    assert router.match("PATCH", "/api/customers/x%20y/") == Found("u", {"id": "x%20y"})
    assert router.match("DELETE", "/api/customers/x") == Missing(frozenset({"PATCH"}))


def test_literal_parts_are_not_patterns() -> None:
    router = Router([("GET", "/a.b/{id}", "dotted")])
    assert router.match("GET", "/a.b/1") == Found("dotted", {"id": "1"})
    assert router.match("GET", "/axb/1") == Missing(frozenset())
