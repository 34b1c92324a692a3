"""Shoptet's customer API (README section 1, spec `openapi.yaml`) as an ASGI app."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Literal, Self

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from customer_gateway.emulators.base import Clock, Emulator
from customer_gateway.emulators.http import catch_all

from .api_customers import CustomerApi
from .api_system import SystemApi, download
from .http import HttpConfig, Pipeline
from .payloads import CustomerObject, GroupObject, RegionObject, ShoptetError
from .records import CustomerRecord
from .reference import REGIONS
from .schemas import CREATE_CUSTOMER
from .seed import REFERENCE_TIME
from .shop import Shop
from .validation import validate
from .webhooks import WebhookDelivery

# add_customer() shortcuts folded into `account`, and fields only a direct insert may set.
_ACCOUNT_SHORTCUTS = ("email", "fullName", "phone", "authorized", "emailVerified")
_DIRECT_ONLY = ("guid", "creationTime", "changeTime", "deliveryAddress")


class ShoptetEmulator(Emulator):
    """One Shoptet e-shop behind `https://api.myshoptet.com`.

    Options for what the contract leaves open (README: "unknown ... make it configurable"):
    `duplicate_email_status` (422 or 409), `wholesale_module` (403 `missing-module` without
    it), `group_code_from_name` (an API-created group's code: none by default, as the API promises
    none; True derives one from the name), `items_per_drop` (bucket
    cost: 1 drop per request + 1 per N items returned), `connection_limit_body` ("json"
    envelope or nginx's own "nginx" HTML page for the connection-limit 429),
    `result_base_url` (where job results are served; default: the emulator's own base URL).
    `write_seconds` / `latency_seconds` make requests take time, so locks and connection limits
    can be observed. `webhook_target` (settable later as `.webhook_target`): POST each webhook
    delivery to this base URL (scheme, host, port) with the registered URL's path; without it
    deliveries are only recorded (`webhook_deliveries`).
    """

    kind = "shoptet"

    @classmethod
    def create(cls, *, seed: int, customers: int, rate_limits: bool = True) -> Self:
        return cls(seed=seed, customers=customers, rate_limits=rate_limits)

    def __init__(
        self,
        *,
        seed: int = 1,
        customers: int = 2000,
        token: str = "shoptet-sandbox-token",  # noqa: S107 - the sandbox's public demo token
        eshop_url: str = "https://www.example-shop.cz",
        rate_limits: bool = True,
        max_connections_per_token: int = 3,
        bucket_capacity: int = 200,
        bucket_drain_per_second: float = 10.0,
        job_seconds: float = 2.0,
        clock: Clock = time.time,
        duplicate_email_status: Literal[409, 422] = 422,
        wholesale_module: bool = False,
        group_code_from_name: bool = False,
        items_per_drop: int = 100,
        max_connections_per_ip: int = 50,
        connection_limit_body: Literal["json", "nginx"] = "json",
        write_seconds: float = 0.0,
        latency_seconds: float = 0.0,
        result_base_url: str | None = None,
        eshop_id: int | None = None,
        webhook_target: str | None = None,
    ) -> None:
        self._base_clock = clock
        self._offset = 0.0
        super().__init__(clock=self._now)
        self.token = token
        self.shop = Shop(
            seed=seed,
            customers=customers,
            eshop_url=eshop_url,
            eshop_id=eshop_id if eshop_id is not None else 222_000 + seed % 1000,
            clock=self.clock,
            job_seconds=job_seconds,
            duplicate_email_status=duplicate_email_status,
            wholesale_module=wholesale_module,
            group_code_from_name=group_code_from_name,
        )
        self.shop.webhooks.target = webhook_target
        config = HttpConfig(
            token=token,
            rate_limits=rate_limits,
            max_connections_per_token=max_connections_per_token,
            max_connections_per_ip=max_connections_per_ip,
            bucket_capacity=bucket_capacity,
            bucket_drain_per_second=bucket_drain_per_second,
            items_per_drop=items_per_drop,
            write_seconds=write_seconds,
            latency_seconds=latency_seconds,
            connection_limit_body=connection_limit_body,
        )
        # System endpoints first: /api/customers/{guid} would also match /groups, /regions.
        endpoints = [
            *SystemApi(self.shop, result_base_url=result_base_url).endpoints(),
            *CustomerApi(self.shop).endpoints(),
        ]
        self.pipeline = Pipeline(
            config, clock=self.clock, seed=seed, endpoints=endpoints, before=self.shop.jobs.settle
        )

    def _now(self) -> float:
        return self._base_clock() + self._offset

    def routes(self) -> Sequence[BaseRoute]:
        return [
            Route("/api-results/{name}", self._download, methods=["GET"]),
            Route("/_emulator/connections", self._connections, methods=["GET", "DELETE"]),
            catch_all(self.pipeline.__call__),
        ]

    async def _connections(self, request: Request) -> Response:
        """Not Shoptet's: what the tests of replicas read (peak in flight per token, 429s for
        too many connections, 429s for a full bucket); DELETE starts the counts again."""
        counter = self.pipeline.per_token
        if request.method == "DELETE":
            counter.peak.clear()
            counter.refused = 0
            self.pipeline.bucket_refusals = 0
        return JSONResponse(
            {
                "peakInFlight": max(counter.peak.values(), default=0),
                "tooManyConnections": counter.refused,
                "bucketFull": self.pipeline.bucket_refusals,
            }
        )

    async def _download(self, request: Request) -> Response:
        return await download(self.shop, request)

    # -- helpers for the gateway and tests ---------------------------------------------------
    @property
    def reference_time(self) -> float:
        """The fixed instant the generated history ends at (not wall-clock)."""
        return REFERENCE_TIME

    def advance(self, seconds: float) -> None:
        """Move this emulator's clock forward (on top of whatever clock it was given)."""
        self._offset += seconds
        self.shop.jobs.settle()

    def connector_credentials(self) -> dict[str, str]:
        return {"token": self.token}

    @property
    def webhook_target(self) -> str | None:
        return self.shop.webhooks.target

    @webhook_target.setter
    def webhook_target(self, url: str | None) -> None:
        self.shop.webhooks.target = url

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """The `POST`s Shoptet would have sent to registered webhooks, oldest first."""
        self.shop.jobs.settle()
        return self.shop.webhooks.deliveries

    def add_customer(self, **fields: Any) -> dict[str, Any]:
        """Insert a customer directly (no HTTP, token, limits or locks).

        `fields` are the create body's `data` keys (`account`, `billingAddress`,
        `customerGroupCode`, ...), validated like `POST /api/customers` (ShoptetError on a
        violation), plus shortcuts `email`, `fullName`, `phone`, `authorized`, `emailVerified`
        (folded into `account`) and direct-only `guid`, `creationTime`, `changeTime` (Shoptet
        date-time strings) and `deliveryAddress` (list of address objects).
        """
        direct = {key: fields.pop(key) for key in _DIRECT_ONLY if key in fields}
        account = dict(fields.pop("account", {}))
        for key in _ACCOUNT_SHORTCUTS:
            if key in fields:
                account[key] = fields.pop(key)
        errors = validate({"data": {**fields, "account": account}}, CREATE_CUSTOMER)
        if errors:
            raise ShoptetError(422, errors)
        record = self.shop.create_customer({**fields, "account": account}, direct)
        return dict(self.shop.renderer.customer(record))

    def customer_objects(self) -> list[dict[str, Any]]:
        return [dict(self._render(record)) for record in self.shop.store.iterate()]

    def _render(self, record: CustomerRecord) -> CustomerObject:
        return self.shop.renderer.customer(record)

    def group_objects(self) -> list[dict[str, Any]]:
        groups: list[GroupObject] = self.shop.groups.listing()
        return [dict(group) for group in groups]

    def region_objects(self) -> list[dict[str, Any]]:
        regions: list[RegionObject] = [
            {
                "id": r.id,
                "regionName": r.name,
                "regionShortcut": r.shortcut,
                "countryCode": r.country,
            }
            for r in REGIONS
        ]
        return [dict(region) for region in regions]
