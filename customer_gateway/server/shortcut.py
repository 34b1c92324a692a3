"""POST /graphql handed to its route directly, past Starlette's exception middleware and router.

Every request goes through `ExceptionMiddleware` (a wrapper and a handler lookup per request)
and the router (each route's regular expression in turn, the scope updated, the route's method
check) before it reaches the one route that answers nearly all of them. This middleware sits
where the router would be reached (innermost, after the request log and CORS) and sends a
POST to exactly `/graphql` (no root path) straight to that route's app, with the scope the
router would have given it (`router`, `route`, `endpoint`, `path_params`). The route's app
raises nothing the exception middleware would answer (the view answers its own errors); an
unexpected exception still reaches Starlette's server-error middleware and the request log.
Everything else goes the router's way.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send


class GraphQLPosts:
    def __init__(self, app: ASGIApp, route: Route, router: Any) -> None:
        self.app = app
        self.route = route
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == self.route.path
            and not scope.get("root_path")
        ):
            scope.setdefault("router", self.router)
            scope["route"] = self.route
            scope["endpoint"] = self.route.endpoint
            scope["path_params"] = dict(scope.get("path_params", {}))
            await self.route.app(scope, receive, send)
            return
        await self.app(scope, receive, send)
