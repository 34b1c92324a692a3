"""Asynchronous customer exports: a gzip JSON Lines file of the common Customer model.

`startCustomerExport` starts a job that streams every customer of the chosen sources (Shoptet
through its snapshot job, the others by paging) into a file, in bounded memory; the file is served
at /exports/{id} until it expires. A source that fails leaves the export INCOMPLETE, with the
source named, never silently short, and none of its lines in the file (each source is staged
apart until it has finished).

An export belongs to the caller that started it (`Principal.owner`) and to its sources: only the
same API key or token subject, still allowed every one of those sources, sees or downloads it;
to anyone else it does not exist. Files hold personal data: they live in the data directory's
`exports/` (0700, files 0600) and expire (default 24 h, as Shoptet's own results).

Jobs outlive the process: each has a small JSON file (`<id>.json`, replaced atomically) beside its
export (`<id>.jsonl.gz`, written as `<id>.jsonl.gz.part` and renamed when complete). The process
writing an export holds an exclusive `flock` on it, so any process over the same directory (a
restart, another worker) can tell a running job from one whose process died: that one becomes
FAILED, never vanishes. Every process serves every job in the directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import fcntl
import json
import logging
import os
import re
import secrets
import tempfile
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from customer_gateway.connectors.models import Address, CustomerRecord
from customer_gateway.connectors.protocol import Connector
from customer_gateway.core.errors import ErrorCode, GatewayError
from customer_gateway.core.ids import global_id
from customer_gateway.security.auth import Principal
from customer_gateway.server.datadir import create_private, write_private

logger = logging.getLogger("customer_gateway.exports")

LINES_PER_WRITE = 500
STAGED_READ = 64 * 1024  # bytes of a finished source's staged lines moved into the export at once
SWEEP_SECONDS = 60.0  # how often expired exports are deleted and orphaned jobs settled
FORMAT_VERSION = 1
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")  # secrets.token_urlsafe(16)
STOPPED = "The gateway stopped before the export finished; start a new one."
UNWRITABLE = "The gateway could not write the export's file."
FILE_MISSING = "The export's file is missing from the data directory."


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
    owner: str  # Principal.owner of the caller that started it
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

    @property
    def part(self) -> Path:
        """The file while it is written."""
        return self.path.with_name(self.path.name + ".part")

    def readable_by(self, principal: Principal) -> bool:
        """The caller that started it, still allowed every source in it."""
        return self.owner == principal.owner and all(
            principal.reaches(source.name) for source in self.sources
        )

    def interrupt(self, message: str) -> None:
        """Finished without a file: every source that has no error gets this one."""
        for source in self.sources:
            if source.error is None:
                source.error = GatewayError(message, code=ErrorCode.INTERNAL, source=source.name)
            source.done = True
        self.completed_at = time.time()


class Exports:
    """The export jobs under `directory` (the data directory's `exports/`)."""

    def __init__(self, directory: Path, ttl: float = 24 * 3600.0) -> None:
        self.ttl = ttl
        self.directory = directory
        self._jobs: dict[str, ExportJob] = {}  # the jobs this process runs or has run
        self._sweeper: asyncio.Task[None] | None = None
        self.sweep()

    def start(self, connectors: Sequence[Connector], owner: str) -> ExportJob:
        job_id = secrets.token_urlsafe(16)
        job = ExportJob(
            id=job_id,
            owner=owner,
            path=self.directory / f"{job_id}.jsonl.gz",
            created_at=time.time(),
            sources=[SourceProgress(c.name, c.kind) for c in connectors],
        )
        # Locked before the job is on disk: no other process may take it for an orphan.
        file = os.fdopen(create_private(job.part), "wb")
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._save(job)
        except BaseException:
            file.close()
            job.part.unlink(missing_ok=True)
            raise
        job.task = asyncio.create_task(self._run(job, connectors, file), name="export")
        self._jobs[job_id] = job
        return job

    def get(self, job_id: str, principal: Principal) -> ExportJob | None:
        """The job, if `principal` may see it; None alike for unknown, expired and not theirs
        (its existence is not told)."""
        job = self._jobs.get(job_id) or self._read(job_id)
        if job is None:
            return None
        if self._expired(job, time.time()):
            self._delete(job)
            return None
        return job if job.readable_by(principal) else None

    def start_sweeping(self, every: float | None = None) -> None:
        """Sweep every minute (or every `ttl` when that is shorter) until `aclose`."""
        every = every if every is not None else min(SWEEP_SECONDS, max(self.ttl, 0.1))

        async def sweep_forever() -> None:
            while True:
                await asyncio.sleep(every)
                try:
                    self.sweep()
                except OSError:
                    logger.exception("sweeping the exports directory failed")

        self._sweeper = asyncio.create_task(sweep_forever(), name="export sweeper")

    def sweep(self) -> None:
        """Delete expired exports and the files no job owns; settle orphaned jobs (FAILED)."""
        now = time.time()
        for job in list(self._jobs.values()):
            if self._expired(job, now):
                self._delete(job)
        for meta in self.directory.glob("*.json"):
            found = self._jobs.get(meta.stem) or self._read(meta.stem)
            if found is not None and self._expired(found, now):
                self._delete(found)
        for path in self.directory.iterdir():
            with contextlib.suppress(FileNotFoundError):  # another process may delete it
                if path.name.startswith("."):  # a job file half-written by a process that died
                    if now - path.stat().st_mtime > SWEEP_SECONDS:
                        path.unlink()
                    continue
                job_id = path.name.split(".", 1)[0]
                orphan = _JOB_ID.match(job_id) and not self._meta(job_id).exists()
                if orphan and not _in_use(path):
                    path.unlink()

    def forget_sources(self, sources: set[str], before: float | None = None) -> int:
        """Exports of these sources started before `before` (default: now) go, running ones
        stopped: they may hold a customer just erased (`erasePerson`). How many went."""
        before = time.time() if before is None else before
        jobs = dict(self._jobs)
        for meta in self.directory.glob("*.json"):
            found = jobs.get(meta.stem) or self._read(meta.stem)
            if found is not None:
                jobs[found.id] = found
        dropped = 0
        for job in jobs.values():
            if job.created_at > before or not {s.name for s in job.sources} & sources:
                continue
            if job.task is not None and not job.task.done():
                job.task.cancel()
            self._delete(job)
            dropped += 1
        return dropped

    async def aclose(self, grace: float = 2.0) -> None:
        """Let running exports finish for `grace` seconds, then stop them (they become FAILED)."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        running = [job.task for job in self._jobs.values() if job.task and not job.task.done()]
        if running:
            await asyncio.wait(running, timeout=grace)
        for task in running:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    # -- on disk --------------------------------------------------------------------------

    def _expired(self, job: ExportJob, now: float) -> bool:
        return job.completed_at is not None and now - job.completed_at > self.ttl

    def _meta(self, job_id: str) -> Path:
        return self.directory / f"{job_id}.json"

    def _save(self, job: ExportJob) -> None:
        write_private(self._meta(job.id), json.dumps(_dump(job)).encode())

    def _read(self, job_id: str) -> ExportJob | None:
        """A job from its file (another process's, or from before a restart), settled."""
        if not _JOB_ID.match(job_id):
            return None  # never a path built from arbitrary input
        job = self._load(job_id)
        if job is None:
            return None
        if job.completed_at is None:
            if _in_use(job.part) or _in_use(job.path):
                return job  # another process is writing it
            # Nobody writes it. Read again: its process may have finished it (its file was
            # saved before the lock went), else the process died and the job failed.
            job = self._load(job_id)
            if job is None:
                return None
            if job.completed_at is None:
                job.interrupt(STOPPED)
                self._discard_file(job)
                self._save(job)
        elif job.status in (ExportStatus.COMPLETED, ExportStatus.INCOMPLETE) and not (
            job.path.exists()
        ):
            job.interrupt(FILE_MISSING)
            self._save(job)
        return job

    def _load(self, job_id: str) -> ExportJob | None:
        try:
            raw = self._meta(job_id).read_bytes()
        except FileNotFoundError:
            return None
        try:
            return _parse(json.loads(raw), self.directory)
        except (ValueError, KeyError, TypeError):
            # Written atomically, so only a hand-edited file gets here; without its owner no one
            # could read it: it goes, with its export.
            logger.warning("an export job file could not be read; it and its export are deleted")
            for path in self.directory.glob(f"{job_id}.*"):
                path.unlink(missing_ok=True)
            return None

    def _discard_file(self, job: ExportJob) -> None:
        job.part.unlink(missing_ok=True)
        job.path.unlink(missing_ok=True)

    def _delete(self, job: ExportJob) -> None:
        self._discard_file(job)
        self._meta(job.id).unlink(missing_ok=True)
        self._jobs.pop(job.id, None)

    # -- writing an export ----------------------------------------------------------------

    async def _run(self, job: ExportJob, connectors: Sequence[Connector], file: IO[bytes]) -> None:
        try:
            compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # gzip container
            for connector, progress in zip(connectors, job.sources, strict=True):
                try:
                    await self._copy(connector, progress, compressor, file)
                except GatewayError as error:
                    progress.error = error
                except Exception:
                    logger.exception("export: source %s failed unexpectedly", connector.name)
                    progress.error = GatewayError(
                        "Unexpected error.", code=ErrorCode.INTERNAL, source=connector.name
                    )
                progress.done = True
                self._save(job)
            file.write(compressor.flush())
            file.flush()
            os.fsync(file.fileno())
            os.replace(job.part, job.path)
            job.completed_at = time.time()
        except asyncio.CancelledError:
            job.interrupt(STOPPED)
            self._discard_file(job)
            raise
        except OSError:
            logger.exception("export: writing the file failed")
            job.interrupt(UNWRITABLE)
            self._discard_file(job)
        finally:
            try:
                if job.completed_at is not None:
                    self._save(job)  # before the lock goes: see `_read`
            except OSError:
                logger.exception("export: saving the job failed")
            file.close()
        logger.info(  # never the id: it is the download's address
            "export finished: status=%s customers=%d", job.status.value, job.customers
        )

    async def _copy(
        self, connector: Connector, progress: SourceProgress, compressor: Any, file: IO[bytes]
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


def _in_use(path: Path) -> bool:
    """Does a process hold the export lock on `path`?"""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)  # and with it the lock this test took
    return False


def _dump(job: ExportJob) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "id": job.id,
        "owner": job.owner,
        "createdAt": job.created_at,
        "completedAt": job.completed_at,
        "sources": [
            {
                "name": source.name,
                "kind": source.kind,
                "customers": source.customers,
                "done": source.done,
                "error": None
                if source.error is None
                else {"code": source.error.code.value, "message": source.error.message},
            }
            for source in job.sources
        ],
    }


def _parse(data: Any, directory: Path) -> ExportJob:
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise ValueError("not an export job of this version")
    job_id = str(data["id"])
    if not _JOB_ID.match(job_id):
        raise ValueError("not a job id")
    completed = data["completedAt"]
    sources = []
    for item in data["sources"]:
        error = item["error"]
        sources.append(
            SourceProgress(
                name=str(item["name"]),
                kind=str(item["kind"]),
                customers=int(item["customers"]),
                done=bool(item["done"]),
                error=None
                if error is None
                else GatewayError(
                    str(error["message"]), code=ErrorCode(error["code"]), source=str(item["name"])
                ),
            )
        )
    return ExportJob(
        id=job_id,
        owner=str(data["owner"]),
        path=directory / f"{job_id}.jsonl.gz",
        created_at=float(data["createdAt"]),
        sources=sources,
        completed_at=None if completed is None else float(completed),
    )


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
        "vatNumber": record.vat_number,
        "companyName": record.company_name,
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
