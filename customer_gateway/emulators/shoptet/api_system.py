"""Regions, customer groups, webhooks and jobs endpoints, plus the job result download."""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from .http import Call, Endpoint, Reply, paginator
from .jobs import stream_snapshot
from .payloads import RegionObject, ShoptetError
from .reference import REGIONS
from .schemas import CREATE_GROUP, CREATE_WEBHOOKS, UPDATE_GROUP, UPDATE_WEBHOOK
from .shop import Shop

WEBHOOK_PAGING: Final = (20, 500)
JOB_PAGING: Final = (100, 500)
JOB_STATUSES: Final = frozenset({"pending", "running", "completed", "failed", "expired", "killed"})


class SystemApi:
    def __init__(self, shop: Shop, *, result_base_url: str | None) -> None:
        self.shop = shop
        self.result_base_url = result_base_url

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("GET", "/api/customers/regions", self.regions),
            Endpoint("GET", "/api/customers/groups", self.groups),
            Endpoint("POST", "/api/customers/groups", self.create_group),
            Endpoint("PATCH", "/api/customers/groups/{id}", self.update_group),
            Endpoint("DELETE", "/api/customers/groups/{id}", self.delete_group),
            Endpoint("GET", "/api/webhooks", self.webhooks),
            Endpoint("POST", "/api/webhooks", self.register_webhooks),
            Endpoint("POST", "/api/webhooks/renew-signature-key", self.renew_key),
            Endpoint("GET", "/api/webhooks/{id}", self.webhook),
            Endpoint("PATCH", "/api/webhooks/{id}", self.update_webhook),
            Endpoint("DELETE", "/api/webhooks/{id}", self.delete_webhook),
            Endpoint("GET", "/api/system/jobs", self.jobs),
            Endpoint("GET", "/api/system/jobs/{jobId}", self.job),
        ]

    # -- regions and groups: not paginated ---------------------------------------------------
    async def regions(self, call: Call) -> Reply:
        regions: list[RegionObject] = [
            {
                "id": r.id,
                "regionName": r.name,
                "regionShortcut": r.shortcut,
                "countryCode": r.country,
            }
            for r in sorted(REGIONS, key=lambda region: region.id)
        ]
        return Reply(200, {"regions": regions}, items=len(regions))

    def _group_list(self, status: int, *, metadata: bool = True) -> Reply:
        groups = self.shop.groups.listing()
        return Reply(status, {"customerGroups": groups}, items=len(groups), metadata=metadata)

    async def groups(self, call: Call) -> Reply:
        return self._group_list(200)

    async def create_group(self, call: Call) -> Reply:
        body = await call.body(CREATE_GROUP)
        self.shop.create_group(body["data"])
        return self._group_list(201, metadata=False)  # the whole list (spec)

    async def update_group(self, call: Call) -> Reply:
        self.shop.groups.get(call.params["id"])  # 404 before 422
        body = await call.body(UPDATE_GROUP)
        self.shop.update_group(call.params["id"], body["data"])
        return self._group_list(200, metadata=False)

    async def delete_group(self, call: Call) -> Reply:
        self.shop.delete_group(call.params["id"])
        return Reply(200, None, metadata=False)

    # -- webhooks ----------------------------------------------------------------------------
    async def webhooks(self, call: Call) -> Reply:
        page, per_page = call.paging(*WEBHOOK_PAGING)
        hooks = self.shop.webhooks.listing()
        shown = hooks[(page - 1) * per_page : page * per_page]
        data = {"webhooks": shown, "paginator": paginator(len(hooks), page, per_page, len(shown))}
        return Reply(200, data, items=len(shown))

    async def register_webhooks(self, call: Call) -> Reply:
        body = await call.body(CREATE_WEBHOOKS)
        created = self.shop.webhooks.register(body["data"])
        return Reply(201, {"webhooks": created}, items=len(created))

    async def renew_key(self, call: Call) -> Reply:
        return Reply(200, {"signatureKey": self.shop.webhooks.renew_signature_key()})

    async def webhook(self, call: Call) -> Reply:
        return Reply(200, {"webhook": dict(self.shop.webhooks.get(call.params["id"]))})

    async def update_webhook(self, call: Call) -> Reply:
        self.shop.webhooks.get(call.params["id"])  # 404 before 422
        body = await call.body(UPDATE_WEBHOOK)
        self.shop.webhooks.update(call.params["id"], body["data"])
        return Reply(200, None)  # the spec's 200 schema leaves `data` open; null here

    async def delete_webhook(self, call: Call) -> Reply:
        self.shop.webhooks.delete(call.params["id"])
        return Reply(200, None)

    # -- jobs --------------------------------------------------------------------------------
    def _result_base(self, call: Call) -> str:
        """Results are served by the emulator itself unless `result_base_url` says otherwise."""
        return (self.result_base_url or call.base_url).rstrip("/")

    async def jobs(self, call: Call) -> Reply:
        status = call.query("status")
        if status is not None and status not in JOB_STATUSES:
            raise ShoptetError.invalid(f'Invalid job status "{status}".', "status")
        bounds = {
            name: call.datetime_query(name)
            for name in (
                "creationTimeFrom",
                "creationTimeTo",
                "completionTimeFrom",
                "completionTimeTo",
            )
        }
        page, per_page = call.paging(*JOB_PAGING)
        now = self.shop.clock()
        rows: list[dict[str, str | None]] = []
        for job in self.shop.jobs.jobs.values():
            job_status = job.status(now)
            done = job_status in ("completed", "expired")
            completed = job.completed_at if done else None
            if status is not None and job_status != status:
                continue
            if not _within(job.created, bounds["creationTimeFrom"], bounds["creationTimeTo"]):
                continue
            if not _within(completed, bounds["completionTimeFrom"], bounds["completionTimeTo"]):
                continue
            full = self.shop.jobs.render(job, job_status, self._result_base(call))
            rows.append(
                {
                    "jobId": full["jobId"],
                    "endpoint": full["endpoint"],
                    "creationTime": full["creationTime"],
                    "completionTime": full["completionTime"],
                    "status": full["status"],
                    "validUntil": full["validUntil"],
                }
            )
        shown = rows[(page - 1) * per_page : page * per_page]
        data = {"jobs": shown, "paginator": paginator(len(rows), page, per_page, len(shown))}
        return Reply(200, data, items=len(shown))

    async def job(self, call: Call) -> Reply:
        job = self.shop.jobs.detail(call.params["jobId"], self._result_base(call))
        return Reply(200, {"job": job})


def _within(value: float | None, low: float | None, high: float | None) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


async def download(shop: Shop, request: Request) -> Response:
    """`GET /api-results/<jobId>-<suffix>.jsonl.gz`: no token (README 1.8: treat the URL as
    pre-signed); gone after `validUntil`. Served as a file, not `Content-Encoding: gzip`, so
    clients gunzip it themselves like the real download."""
    shop.jobs.settle()
    job = shop.jobs.result(request.path_params["name"])
    if job is None:
        return PlainTextResponse("Not Found", 404)
    return StreamingResponse(
        stream_snapshot(job),
        media_type="application/gzip",
        headers={"Content-Disposition": f'attachment; filename="{job.file_name}"'},
    )
