"""Asynchronous jobs (README 1.8): the customer snapshot export and its gzip JSON Lines file.

Lifecycle on the emulator's clock: `pending` for the first fifth of `job_seconds`, `running`
until `job_seconds`, then `completed` with a result valid 24 h, then `expired` (result gone).
The export is a point-in-time copy of the customer table taken when the job is queued
(assumption: Shoptet does not say which instant the export reflects). The file is produced
while it is downloaded, gzip chunk by chunk, so a million customers stream in bounded memory.
"""

from __future__ import annotations

import json
import random
import string
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Final

import anyio.lowlevel

from customer_gateway.emulators.base import Clock

from .formats import format_datetime
from .payloads import JobObject, ShoptetError
from .records import CustomerRecord, Renderer
from .store import CustomerView

RESULT_VALID_SECONDS: Final = 24 * 3600
MAX_UNFINISHED_POLLS: Final = 10
PENDING_SHARE: Final = 0.2
_LINES_PER_CHUNK: Final = 500
_ALPHABET: Final = string.ascii_lowercase + string.digits


@dataclass(frozen=True, slots=True)
class SnapshotFilters:
    creation_from: float | None = None
    creation_to: float | None = None
    change_from: float | None = None
    change_to: float | None = None

    def matches(self, record: CustomerRecord) -> bool:
        """Bounds are inclusive (assumption; the spec says "after"/"before"). A customer
        without the filtered time never matches a bound on it."""
        for value, low, high in (
            (record.creation_time, self.creation_from, self.creation_to),
            (record.change_time, self.change_from, self.change_to),
        ):
            if low is None and high is None:
                continue
            if value is None or (low is not None and value < low):
                return False
            if high is not None and value > high:
                return False
        return True


@dataclass(slots=True)
class Job:
    id: str
    suffix: str
    endpoint: str
    created: float
    duration: float
    view: CustomerView
    renderer: Renderer
    filters: SnapshotFilters
    polls: int = 0
    announced: bool = False

    @property
    def completed_at(self) -> float:
        return self.created + self.duration

    def status(self, now: float) -> str:
        if now < self.created + self.duration * PENDING_SHARE:
            return "pending"
        if now < self.completed_at:
            return "running"
        if now < self.completed_at + RESULT_VALID_SECONDS:
            return "completed"
        return "expired"

    @property
    def file_name(self) -> str:
        return f"{self.id}-{self.suffix}.jsonl.gz"


class JobRegistry:
    def __init__(
        self, *, clock: Clock, job_seconds: float, seed: int, on_finished: Callable[[Job], None]
    ) -> None:
        self.clock = clock
        self.job_seconds = job_seconds
        self._rng = random.Random(f"shoptet-jobs:{seed}")
        self._on_finished = on_finished
        self.jobs: dict[str, Job] = {}

    def _token(self) -> str:
        return "".join(self._rng.choice(_ALPHABET) for _ in range(7))

    def create(
        self, endpoint: str, view: CustomerView, renderer: Renderer, filters: SnapshotFilters
    ) -> Job:
        job_id = self._token()
        while job_id in self.jobs:
            job_id = self._token()
        job = Job(
            job_id, self._token(), endpoint, self.clock(), self.job_seconds, view, renderer, filters
        )
        self.jobs[job_id] = job
        self.settle()
        return job

    def settle(self) -> None:
        """Announce (`job:finished`) every job whose completion time has passed."""
        now = self.clock()
        for job in self.jobs.values():
            if not job.announced and now >= job.completed_at:
                job.announced = True
                self._on_finished(job)

    def _get(self, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise ShoptetError.one(
                404, "job-not-found", f'Job with ID "{job_id}" not found.', job_id
            )
        return job

    def detail(self, job_id: str, result_base: str) -> JobObject:
        job = self._get(job_id)
        status = job.status(self.clock())
        if status in ("pending", "running"):
            job.polls += 1
            # Assumption: only polls of the unfinished job count, and a finished job's detail
            # is always served (the error text speaks of an "unprocessed job").
            if job.polls > MAX_UNFINISHED_POLLS:
                raise ShoptetError.one(
                    403,
                    "job-detail-try-counter-exceeded-limit",
                    "You have exceeded the limit of job detail request for unprocessed job"
                    f' "{job_id}". Please wait for job:finished event after job is completed!',
                    job_id,
                )
        return self.render(job, status, result_base)

    def render(self, job: Job, status: str, result_base: str) -> JobObject:
        done = status in ("completed", "expired")
        return {
            "jobId": job.id,
            "endpoint": job.endpoint,
            "creationTime": format_datetime(job.created),
            "completionTime": format_datetime(job.completed_at) if done else None,
            "duration": f"{job.duration:.3f}" if done else None,
            "status": status,
            "resultUrl": f"{result_base}/api-results/{job.file_name}"
            if status == "completed"
            else None,
            "validUntil": format_datetime(job.completed_at + RESULT_VALID_SECONDS)
            if done
            else None,
            "log": None,
        }

    def result(self, file_name: str) -> Job | None:
        job = self.jobs.get(file_name.split("-", 1)[0])
        if job is None or job.file_name != file_name:
            return None
        return job if job.status(self.clock()) == "completed" else None


async def stream_snapshot(job: Job) -> AsyncIterator[bytes]:
    """gzip-compressed JSON Lines, one `customerSnapshot` per line, compressed incrementally."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31 = gzip container
    lines: list[str] = []
    for record in job.view.iterate():
        if not job.filters.matches(record):
            continue
        customer = job.renderer.customer(record)
        lines.append(json.dumps(customer, ensure_ascii=False, separators=(",", ":")))
        if len(lines) >= _LINES_PER_CHUNK:
            chunk = compressor.compress(("\n".join(lines) + "\n").encode())
            lines.clear()
            if chunk:
                yield chunk
            await anyio.lowlevel.checkpoint()  # other requests are served between chunks
    if lines:
        yield compressor.compress(("\n".join(lines) + "\n").encode())
    yield compressor.flush()
