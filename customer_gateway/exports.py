"""Asynchronous customer exports: a gzip JSON Lines file of the common Customer model.

`startCustomerExport` starts a job that streams every customer of the chosen sources (Shoptet
through its snapshot job, the others by paging) into a temporary file, in bounded memory; the
file is served at /exports/{id} until it expires. A source that fails leaves the export
INCOMPLETE, with the source named, never silently short, and none of its lines in
the file (each source is staged apart until it has finished). Files hold personal data: they live
in a private directory, expire (default 24 h, as Shoptet's own results) and go with shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import logging
import os
import secrets
import shutil
import tempfile
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from customer_gateway.connectors.base import Connector
from customer_gateway.connectors.models import Address, CustomerRecord
from customer_gateway.errors import ErrorCode, GatewayError
from customer_gateway.ids import global_id

logger = logging.getLogger("customer_gateway.exports")

LINES_PER_WRITE = 500
STAGED_READ = 64 * 1024  # bytes of a finished source's staged lines moved into the export at once


class ExportStatus(enum.Enum):
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    INCOMPLETE = "INCOMPLETE"  # some sources failed; the file holds the others
    FAILED = "FAILED"


@dataclass
class SourceProgress:
    name: str
    kind: str
    customers: int = 0
    done: bool = False
    error: GatewayError | None = None


@dataclass
class ExportJob:
    id: str
    path: Path
    created_at: float
    sources: list[SourceProgress]
    completed_at: float | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def status(self) -> ExportStatus:
        if self.completed_at is None:
            return ExportStatus.RUNNING
        failed = [s for s in self.sources if s.error is not None]
        if not failed:
            return ExportStatus.COMPLETED
        return ExportStatus.FAILED if len(failed) == len(self.sources) else ExportStatus.INCOMPLETE

    @property
    def customers(self) -> int:
        """Customers in the file: a failed source's records are not in it."""
        return sum(source.customers for source in self.sources if source.error is None)


class Exports:
    def __init__(self, ttl: float = 24 * 3600.0, directory: Path | None = None) -> None:
        self.ttl = ttl
        self.directory = directory or Path(tempfile.mkdtemp(prefix="customer-gateway-exports-"))
        os.chmod(self.directory, 0o700)
        self._jobs: dict[str, ExportJob] = {}

    def start(self, connectors: Sequence[Connector]) -> ExportJob:
        self._expire()
        job_id = secrets.token_urlsafe(16)
        job = ExportJob(
            id=job_id,
            path=self.directory / f"customers-{job_id}.jsonl.gz",
            created_at=time.time(),
            sources=[SourceProgress(c.name, c.kind) for c in connectors],
        )
        job.task = asyncio.create_task(self._run(job, connectors), name=f"export {job_id}")
        self._jobs[job_id] = job
        return job

    def get(self, job_id: str) -> ExportJob | None:
        self._expire()
        return self._jobs.get(job_id)

    async def aclose(self, grace: float = 2.0) -> None:
        """Let running exports finish for `grace` seconds, then stop them and delete the files."""
        running = [job.task for job in self._jobs.values() if job.task and not job.task.done()]
        if running:
            await asyncio.wait(running, timeout=grace)
        for task in running:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        shutil.rmtree(self.directory, ignore_errors=True)

    def _expire(self) -> None:
        now = time.time()
        for job_id, job in list(self._jobs.items()):
            if job.completed_at is not None and now - job.completed_at > self.ttl:
                job.path.unlink(missing_ok=True)
                del self._jobs[job_id]

    async def _run(self, job: ExportJob, connectors: Sequence[Connector]) -> None:
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # gzip container
        with job.path.open("wb") as file:
            os.chmod(job.path, 0o600)
            for connector, progress in zip(connectors, job.sources, strict=True):
                try:
                    await self._copy(connector, progress, compressor, file)
                except GatewayError as error:
                    progress.error = error
                except Exception:
                    logger.exception(
                        "export %s: source %s failed unexpectedly", job.id, connector.name
                    )
                    progress.error = GatewayError(
                        "Unexpected error.", code=ErrorCode.INTERNAL, source=connector.name
                    )
                progress.done = True
            file.write(compressor.flush())
        job.completed_at = time.time()
        logger.info(
            "export %s finished: status=%s customers=%d", job.id, job.status.value, job.customers
        )

    async def _copy(
        self, connector: Connector, progress: SourceProgress, compressor: Any, file: Any
    ) -> None:
        try:
            names = {group.id: group.name for group in await connector.list_groups()}
        except GatewayError:
            names = {}  # groups then go without their names; the export still runs
        # A source's lines are staged apart (raw deflate, fast) and join the export only once
        # the source has finished: one failing half-way leaves none of its lines in the file.
        with tempfile.TemporaryFile(dir=self.directory) as staged:
            stage = zlib.compressobj(1, zlib.DEFLATED, -15)
            lines: list[bytes] = []
            async for record in connector.export_customers():
                line = document(record, connector.kind, names)
                lines.append(json.dumps(line, ensure_ascii=False).encode())
                progress.customers += 1
                if len(lines) >= LINES_PER_WRITE:
                    staged.write(stage.compress(b"\n".join(lines) + b"\n"))
                    lines.clear()
                    await asyncio.sleep(0)  # compressing is CPU work: let requests in between
            if lines:
                staged.write(stage.compress(b"\n".join(lines) + b"\n"))
            staged.write(stage.flush())
            staged.seek(0)
            inflate = zlib.decompressobj(-15)
            while chunk := staged.read(STAGED_READ):
                file.write(compressor.compress(inflate.decompress(chunk)))
                await asyncio.sleep(0)
            file.write(compressor.compress(inflate.flush()))


def document(
    record: CustomerRecord, kind: str, group_names: dict[str, str] | None = None
) -> dict[str, Any]:
    """One export line: the Customer type's fields, with ISO 8601 times."""
    names = group_names or {}
    return {
        "uuid": global_id(record.source, record.id),
        "nativeId": record.id,
        "source": {"name": record.source, "kind": kind},
        "customerId": record.numeric_id,
        "email": record.email,
        "fullName": record.full_name,
        "phone": record.phone,
        "status": record.status,
        "createdAt": _iso(record.created_at),
        "updatedAt": _iso(record.updated_at),
        "groups": [
            {
                "uuid": global_id(record.source, ref.id),
                "nativeId": ref.id,
                "groupName": ref.name or names.get(ref.id),
            }
            for ref in record.groups
        ],
        "addresses": [_address(address) for address in record.addresses],
        "metaData": dict(record.metadata),
    }


def _address(address: Address) -> dict[str, Any]:
    return {
        "kind": address.kind,
        "fullName": address.full_name,
        "company": address.company,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "postcode": address.postcode,
        "countryCode": address.country_code,
        "provinceCode": address.province_code,
        "provinceName": address.province_name,
        "telephone": address.telephone,
        "isDefault": address.is_default,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None
