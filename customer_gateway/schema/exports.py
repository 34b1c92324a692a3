"""Asynchronous exports of every customer as gzip JSON Lines."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import strawberry

from customer_gateway.features.exports import ExportJob
from customer_gateway.schema.common import Source


@strawberry.enum
class ExportStatus(enum.Enum):
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    INCOMPLETE = "INCOMPLETE"
    FAILED = "FAILED"


@strawberry.type(description="A source's part of an export.")
class ExportSourceProgress:
    source: Source
    customers: int
    done: bool
    error_code: str | None
    error_message: str | None


@strawberry.type(
    description="An export job. When done, `downloadUrl` serves a gzip JSON Lines file, one "
    "Customer per line (INCOMPLETE: the sources with an error are missing from it), to the "
    "credentials that started the export."
)
class CustomerExport:
    id: strawberry.ID
    status: ExportStatus
    customers: int
    created_at: str
    completed_at: str | None
    download_url: str | None
    sources: list[ExportSourceProgress]

    @classmethod
    def of(cls, job: ExportJob) -> CustomerExport:
        status = ExportStatus(job.status.value)
        done = status in (ExportStatus.COMPLETED, ExportStatus.INCOMPLETE)
        return cls(
            id=strawberry.ID(job.id),
            status=status,
            customers=job.customers,
            created_at=_iso(job.created_at),
            completed_at=_iso(job.completed_at) if job.completed_at is not None else None,
            download_url=f"/exports/{job.id}" if done else None,
            sources=[
                ExportSourceProgress(
                    source=Source(name=progress.name, kind=progress.kind),
                    customers=progress.customers,
                    done=progress.done,
                    error_code=progress.error.code.value if progress.error else None,
                    error_message=progress.error.message if progress.error else None,
                )
                for progress in job.sources
            ],
        )


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat().replace("+00:00", "Z")
