"""EverShop's `url(routeId, params)` for the customer routes, so its admin pages' queries run."""

from __future__ import annotations

from collections.abc import Mapping

from customer_gateway.core.errors import BadUserInput

# Route ids and paths as EverShop 2.2.1 declares them (modules/customer/**/route.json).
ROUTES: Mapping[str, str] = {
    "customerGrid": "/admin/customers",
    "customerEdit": "/admin/customers/edit/:id",
    "createCustomer": "/api/customers",
    "updateCustomer": "/api/customers/:id",
    "deleteCustomer": "/api/customers/:id",
}


def build_url(route_id: str, params: Mapping[str, str]) -> str:
    path = ROUTES.get(route_id)
    if path is None:
        raise BadUserInput(
            f"Unknown route {route_id!r}; the gateway knows the customer routes: "
            f"{', '.join(ROUTES)}.",
            field="routeId",
        )
    for key, value in params.items():
        path = path.replace(f":{key}", value)
    if ":" in path:
        raise BadUserInput(f"Route {route_id!r} needs the parameter 'id'.", field="params")
    return path
