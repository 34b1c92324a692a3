"""The mirror's figures (issue 16), as ratios of one run.

    python -m bench.mirror            # 1,000,000 customers (synced: 400k, 300k, 200k, 100k)
    python -m bench.mirror --quick    # 100,000 (the same shares)
    python -m bench.mirror --only sync --kinds ecwid --sync-customers 20000

1. sync: each kind's first load from an emulator in its own process (20 ms added latency), the
   gateway's published-limit pacing on (the sync's half share), in this process; time against the
   floor those limits allow, and this process's peak RSS. Each kind holds its share of
   `--customers` (Shoptet 40 %, Ecwid 30 %, EverShop 20 %, Flow Retail 10 %: the issue's four
   sources of a million), or `--sync-customers` each.
2. grid: the EverShop admin grid's requests (newest first, by name, keyword, status, group,
   page 1,000; 20 per page) through the gateway (in-process ASGI, one connection) over
   `--customers` mirrored customers in four sources (40/30/20/10 %), p50/p99; the same requests
   pass-through over four emulators holding 10,000 customers together.
3. lag: an upstream change until the gateway shows it (sync_interval 2 s).
4. sandbox: the sandbox's default grid page with Shoptet's bucket full, mirrored and live.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import json
import math
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from customer_gateway.connectors.models import (
    CustomerPatch,
    CustomerRecord,
    GroupRecord,
    GroupRef,
)
from customer_gateway.connectors.registry import CONNECTORS
from customer_gateway.connectors.transport import build_client
from customer_gateway.mirror.handle import SourceMirror
from customer_gateway.mirror.keys import collation_key
from customer_gateway.mirror.store import (
    SQLITE_FILE,
    SyncState,
    open_store,
    postgres_url,
    sqlite_url,
)
from customer_gateway.mirror.sync import BACKGROUND, Syncer
from customer_gateway.server.app import create_app
from customer_gateway.server.sandbox import emulator_class
from customer_gateway.server.settings import Secret, Settings, SourceSettings, StateSettings

ROOT = Path(__file__).resolve().parents[1]
LATENCY = 0.02
GRID = """query($f: [FilterInput]) { customers(filters: $f) { total currentPage
  items { uuid fullName email status createdAt { text } group { groupName } } } }"""
GRID_QUERIES: dict[str, list[tuple[str, str, str]]] = {
    "page 1, newest first": [],
    "sorted by name": [("ob", "eq", "name")],
    # The review's keyword: no hit, since matching keeps accents as EverShop's ILIKE does.
    "keyword novak": [("keyword", "eq", "novak")],
    # A keyword with many hits (a common surname): the total and the newest 20 of them.
    "keyword novák": [("keyword", "eq", "novák")],
    "status disabled": [("status", "eq", "0")],
    "group 2": [("group", "eq", "2")],
    "page 1,000": [("page", "eq", "1000")],
    # Search and a filter together: counted from the hits (not the trigram index alone).
    "keyword novák, status disabled": [("keyword", "eq", "novák"), ("status", "eq", "0")],
    # Search within a group: counted from the hits and their memberships.
    "keyword novák, group 2": [("keyword", "eq", "novák"), ("group", "eq", "2")],
}
# Requests whose total is counted on the hits (the search box beside a filter): timed once more
# as a new process's first request, which counts it.
FIRST_COUNTED = ("keyword novák, status disabled", "keyword novák, group 2")
SHARES = {"shoptet": 0.4, "ecwid": 0.3, "evershop": 0.2, "flow_retail": 0.1}


@dataclass
class Row:
    section: str
    what: str
    value: str
    target: str = ""
    met: bool | None = None


ROWS: list[Row] = []


def report(row: Row) -> None:
    ROWS.append(row)
    verdict = "" if row.met is None else ("met" if row.met else "NOT MET")
    print(
        f"{row.section:<8} {row.what:<48} {row.value:>22}  {row.target:<16} {verdict}", flush=True
    )


# -- memory ---------------------------------------------------------------------------------


class RssSampler:
    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        page = 4096
        while not self._stop.is_set():
            pages = int(Path("/proc/self/statm").read_text().split()[1])
            self.peak = max(self.peak, pages * page / 1e6)
            self._stop.wait(0.05)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


# -- 1. sync --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def emulator_process(kind: str, customers: int, seed: int) -> Iterator[tuple[str, dict[str, str]]]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.emulator",
            kind,
            "--port",
            str(port),
            "--seed",
            str(seed),
            "--customers",
            str(customers),
            "--latency",
            str(LATENCY),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        credentials = json.loads(process.stdout.readline())["credentials"]
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 900  # seeding 400,000 customers takes a while
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/__bench/requests", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url, credentials
    finally:
        process.terminate()
        process.wait(timeout=10)


def _size_and_remove(directory: Path) -> int:
    """The store's files (database, WAL) in bytes; then they go (a million rows: gigabytes)."""
    size = sum(path.stat().st_size for path in directory.iterdir())
    shutil.rmtree(directory)
    return size


def _floor(kind: str, customers: int) -> tuple[float, str]:
    """The least time the source's published limits (the sync's half share) allow, pages read
    one ahead: a window limit lets its share through at once, then one share per window."""
    if kind in ("ecwid", "evershop"):
        size, per_minute = (100, 600) if kind == "ecwid" else (500, 120)
        requests = math.ceil(customers / size) + (kind == "evershop")  # EverShop: a login
        share = int(per_minute * BACKGROUND)
        windows = (requests - 1) // share
        return windows * 60 + requests * LATENCY, f"{requests} req, {share}/min"
    if kind == "flow_retail":  # no published limit: pages of 500 at 20 ms
        requests = math.ceil(customers / 500)
        return requests * LATENCY, f"{requests} req x {LATENCY * 1000:.0f} ms"
    # Shoptet: a handful of requests, then the job (the emulator's 2 s) and one download.
    return 2.0 + 5 / (10 * BACKGROUND), "job 2 s + 5 req"


async def bench_sync(total: int, each: int | None, kinds: Sequence[str]) -> None:
    for index, kind in enumerate(("shoptet", "ecwid", "evershop", "flow_retail")):
        if kind not in kinds:
            continue
        customers = each or round(total * SHARES[kind])
        with emulator_process(kind, customers, index + 1) as (url, credentials):
            base = url + CONNECTORS[kind].base_path
            options: dict[str, Any] = {}
            if kind == "shoptet":
                options = {
                    "webhook_url": "https://bench.invalid/hook",
                    "job_poll_seconds": [1.0] * 10,
                }
            settings = SourceSettings(
                name=f"bench-{kind.replace('_', '-')}",
                kind=kind,
                base_url=base,
                credentials={k: Secret(v) for k, v in credentials.items()},
                options=options,
                mirror=True,
                timeouts=__import__("customer_gateway.server.settings").server.settings.Timeouts(
                    total=60.0, read=30.0
                ),
            )
            directory = Path(tempfile.mkdtemp(prefix="bench-mirror-"))
            store = open_store(sqlite_url(directory))
            await store.migrate()
            async with build_client(settings) as client:
                connector = CONNECTORS[kind](settings, client)
                mirror = SourceMirror(settings.name, kind, store, rank=0)
                syncer = Syncer(connector, mirror, settings)
                await syncer.open()
                # As `customer-gateway serve` does after startup (`create_app(freeze_heap=True)`,
                # before its syncs run far): what this process made so far (modules, the schema,
                # connectors) is out of the collector's sight. Unfrozen, each full collection
                # during a load rescanned its ~160,000 objects (~90 ms; 20 of them in a load of
                # 100,000 Flow Retail customers), a cost the served gateway does not pay.
                gc.collect()
                gc.freeze()
                with RssSampler() as rss:
                    started, cpu = time.perf_counter(), time.process_time()
                    ok = await syncer.step()
                    seconds = time.perf_counter() - started
                    # This process's CPU (every thread: the event loop's and the database's),
                    # a steadier A/B than the wall time on shared cores.
                    cpu = time.process_time() - cpu
                gc.unfreeze()
            count = await store.count(settings.name)
            await store.close()
            size = _size_and_remove(directory)
            floor, how = _floor(kind, customers)
            ratio = seconds / floor
            report(
                Row(
                    "sync",
                    f"{kind}: {count} of {customers} ({how})",
                    f"{seconds:.1f} s = {ratio:.2f}x floor",
                    "<= 1.2x",
                    ok and ratio <= 1.2,
                )
            )
            report(
                Row(
                    "sync",
                    f"{kind}: this process's CPU in the step",
                    f"{cpu:.1f} s = {cpu / max(count, 1) * 1e6:.0f} us a row",
                )
            )
            report(
                Row(
                    "sync",
                    f"{kind}: peak RSS of the syncing process",
                    f"{rss.peak:.0f} MB",
                    "<= 250 MB",
                    rss.peak <= 250,
                )
            )
            report(
                Row(
                    "sync",
                    f"{kind}: store file (SQLite, indexes and search)",
                    f"{size / 2**20:.0f} MB = {size / max(count, 1) / 1024:.1f} KB a row",
                )
            )


# -- 2. grid --------------------------------------------------------------------------------

FIRST = (
    "Tomáš",
    "Jana",
    "Petr",
    "Eva",
    "Lukáš",
    "Kari",
    "Ola",
    "Ingrid",
    "John",
    "Mary",
    "Zoë",
    "Åsa",
    "Jürgen",
    "Marie",
    "Josef",
    "Anna",
    "Pavel",
    "Lucie",
    "Erik",
    "Sofie",
)
LAST = (
    "Novák",
    "Svoboda",
    "Dvořák",
    "Černý",
    "Procházka",
    "Hansen",
    "Johansen",
    "Olsen",
    "Smith",
    "Brown",
    "Müller",
    "Åberg",
    "Nováková",
    "Horák",
    "Berg",
    "Larsen",
    "Kučera",
    "Veselý",
    "Jensen",
    "Taylor",
)


def synthetic(source: str, count: int, rng: random.Random) -> Iterator[CustomerRecord]:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    for index in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        created = None if index % 50 == 0 else start + timedelta(seconds=rng.randrange(10**8))
        yield CustomerRecord(
            source=source,
            id=str(index + 1),
            numeric_id=index + 1,
            email=f"{first.lower()}.{last.lower()}{index}@example.com",
            full_name=f"{first} {last}",
            status=0 if index % 9 == 0 else 1,
            created_at=created,
            updated_at=created,
            phone=f"+420 6{index:08d}",
            groups=(GroupRef(str(1 + index % 4), 1 + index % 4, f"Group {1 + index % 4}"),),
        )


async def fill_store(directory: Path, customers: int, url: str | None = None) -> list[str]:
    """`url`: the store's database (PostgreSQL), else a SQLite file in `directory`."""
    store = open_store(url or sqlite_url(directory))
    await store.migrate()
    names = []
    key = collation_key("en_US")
    for rank, (kind, share) in enumerate(SHARES.items()):
        name = f"grid-{kind.replace('_', '-')}"
        names.append(name)
        rng = random.Random(rank)
        batch: list[CustomerRecord] = []
        for record in synthetic(name, int(customers * share), rng):
            batch.append(record)
            if len(batch) == 2000:
                async with store.writing() as writer:
                    await writer.upsert_customers(batch, rank=rank, pass_no=1, text_key=key)
                batch = []
        async with store.writing() as writer:
            await writer.upsert_customers(batch, rank=rank, pass_no=1, text_key=key)
            # The groups a sync step stores (the grid's group names come from the store).
            await writer.replace_groups(
                name,
                [GroupRecord(name, str(n), n, f"Group {n}") for n in range(1, 5)],
            )
            now = time.time()
            await writer.save_state(
                SyncState(
                    name,
                    kind,
                    "following",
                    {"since": datetime.now(UTC).isoformat(), "reconciled_at": now},
                    loaded_at=now,
                    synced_at=now,
                    pass_no=1,
                    rank=rank,
                )
            )
    await store.analyze()  # as the sync does after a load
    await store.close()
    return names


def _filters(extra: list[tuple[str, str, str]]) -> dict[str, Any]:
    return {"f": [{"key": k, "operation": o, "value": v} for k, o, v in extra]}


async def measure(
    client: httpx.AsyncClient,
    filters: list[tuple[str, str, str]],
    runs: int,
    between: Callable[[], Any] | None = None,
) -> tuple[list[float], str]:
    """`between`: called (and awaited, if it returns an awaitable) before each request,
    outside its time."""
    times = []
    outcome = "ok"
    for _ in range(runs):
        if between is not None:
            done = between()
            if inspect.isawaitable(done):
                await done
        started = time.perf_counter()
        response = await client.post(
            "/graphql", json={"query": GRID, "variables": _filters(filters)}
        )
        times.append(time.perf_counter() - started)
        body = response.json()
        if body.get("errors"):
            outcome = body["errors"][0]["extensions"]["code"]
    return times, outcome


def _p(times: Sequence[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


@asynccontextmanager
async def in_process(
    settings: Settings, transports: dict[str, httpx.AsyncBaseTransport] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, transports=transports)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        client.app = app  # type: ignore[attr-defined]
        yield client


# What another connection commits before each request of the "commit before each" rows: a sync
# step that found nothing new (its state), a customer changed elsewhere in the shop (not one the
# keyword finds: the total stays, but the store's content moved), and one of its hits changed.
COMMITS = {
    "a sync step's commit before each (nothing counted changed)": (
        "UPDATE mirror_sync SET attempt_at = ?"
    ),
    "a customer changed before each (the total moved by it)": (
        "UPDATE mirror_customers SET updated_key = updated_key + 1 "
        "WHERE rowid = (SELECT max(rowid) FROM mirror_customers) AND ? IS NOT NULL"
    ),
    # One of the keyword's hits: its status turns, so the keyword's total beside a status moves.
    "a hit's status turned before each (the total moved by it)": (
        "UPDATE mirror_customers SET status = 1 - status WHERE rowid = (SELECT min(rowid) "
        "FROM mirror_customers WHERE name_fold GLOB '*novák*') AND ? IS NOT NULL"
    ),
}


# PostgreSQL: what another connection commits before each request. A sync step's state (no
# version moves), and a change in the smallest source (Flow Retail, a tenth of the rows) or the
# largest (Shoptet, four tenths): its version moves, so its part of each total is moved by its
# change log (migration 0010), the other sources' are kept.
POSTGRES_COMMITS = {
    "a sync step's commit before each (nothing counted changed)": (
        "UPDATE mirror_sync SET attempt_at = $1"
    ),
    "a Flow Retail customer changed before each (its part moved)": (
        "UPDATE mirror_customers SET updated_key = updated_key + 1 WHERE source = "
        "'grid-flow-retail' AND native_id = (SELECT min(native_id) FROM mirror_customers "
        "WHERE source = 'grid-flow-retail') AND $1::float8 IS NOT NULL"
    ),
    "a Shoptet customer changed before each (its part moved)": (
        "UPDATE mirror_customers SET updated_key = updated_key + 1 WHERE source = "
        "'grid-shoptet' AND native_id = (SELECT min(native_id) FROM mirror_customers "
        "WHERE source = 'grid-shoptet') AND $1::float8 IS NOT NULL"
    ),
}


@asynccontextmanager
async def _postgres_committer(url: str, statement: str) -> AsyncIterator[Callable[[], Any]]:
    """A second connection to the PostgreSQL store that commits `statement` (bound to the
    time)."""
    import asyncpg

    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host, port=parsed.port or 5432, user=parsed.username, database=parsed.database
    )

    async def commit() -> None:
        done = await connection.execute(statement, time.time())
        assert not done.endswith(" 0"), statement

    try:
        yield commit
    finally:
        await connection.close()


@contextmanager
def _committer(directory: Path, statement: str) -> Iterator[Callable[[], None]]:
    """A second connection to the store's file that commits `statement` (bound to the time)."""
    connection = sqlite3.connect(directory / SQLITE_FILE)

    def commit() -> None:
        # A commit that changes no row writes no page: the file would not change at all.
        assert connection.execute(statement, (time.time(),)).rowcount > 0, statement
        connection.commit()

    try:
        yield commit
    finally:
        connection.close()


def _grid_row(what: str, times: Sequence[float], outcome: str) -> Row:
    """A mirrored grid request's p50 / p99 against the issue's 10 / 30 ms (and the error code
    of an answer that carried one)."""
    p50, p99 = _p(times, 0.5), _p(times, 0.99)
    return Row(
        "grid",
        what,
        f"p50 {p50:.1f} / p99 {p99:.1f} ms" + ("" if outcome == "ok" else f" ({outcome})"),
        "10 / 30 ms",
        outcome == "ok" and p50 <= 10 and p99 <= 30,
    )


async def _first_sync_steps(
    directory: Path, started: float, sources: int, url: str | None = None
) -> None:
    """Until each source's first sync step has ended (here: failed, nothing listens at its
    address), as in a gateway past its startup: the steps' retries, logs and state commits are
    a startup's cost, not the grid's. `url`: the store's database (PostgreSQL)."""
    engine = create_async_engine(url or sqlite_url(directory))
    try:
        for _ in range(300):
            async with engine.connect() as connection:
                done = await connection.scalar(
                    sa.text("SELECT count(*) FROM mirror_sync WHERE attempt_at >= :started"),
                    {"started": started},
                )
            if (done or 0) >= sources:
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the sources' first sync steps did not end within 30 s")
    finally:
        await engine.dispose()


async def _postgres_store(url: str) -> str:
    """The asyncpg URL of the database `url` names (a `postgresql://` URL), created when it is
    missing (the local server's trust authentication)."""
    import asyncpg

    parsed = make_url(url)
    admin = await asyncpg.connect(
        host=parsed.host, port=parsed.port or 5432, user=parsed.username, database="postgres"
    )
    try:
        exists = await admin.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", parsed.database
        )
        if not exists:
            await admin.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await admin.close()
    return postgres_url(url)


async def _stored_customers(url: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            present = await connection.scalar(
                sa.text(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_name = 'mirror_counts'"
                )
            )
            if not present:
                return 0
            total = await connection.scalar(
                sa.text("SELECT coalesce(sum(customers), 0) FROM mirror_counts")
            )
            return int(total or 0)
    finally:
        await engine.dispose()


async def bench_grid(
    customers: int, runs: int, keep: Path | None = None, postgres: str | None = None
) -> None:
    """`keep`: the filled store is kept there, and a store found there is measured again
    without filling it (a million rows take ten minutes to write). `postgres`: the store is
    that PostgreSQL database (`[state] postgres_url`, as replicas share it), kept filled
    between runs alike; its totals kept as sources' parts are measured after commits of
    another connection (`POSTGRES_COMMITS`: a part moved by its source's change log,
    migration 0010)."""
    directory = keep or Path(tempfile.mkdtemp(prefix="bench-grid-"))
    store_url = await _postgres_store(postgres) if postgres is not None else None
    kind_of_store = "PostgreSQL" if postgres is not None else "SQLite"
    names = [f"grid-{kind.replace('_', '-')}" for kind in SHARES]
    if store_url is not None and await _stored_customers(store_url) >= customers * 0.99:
        report(Row("grid", f"store kept in {postgres} (filled before)", "-"))
    elif store_url is None and keep is not None and (keep / SQLITE_FILE).exists():
        report(Row("grid", f"store kept in {keep} (filled before)", "-"))
    else:
        directory.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        names = await fill_store(directory, customers, store_url)
        report(
            Row(
                "grid",
                f"store filled: {customers} customers ({kind_of_store})",
                f"{time.perf_counter() - started:.0f} s",
            )
        )
    state = StateSettings(postgres_url=Secret(postgres)) if postgres is not None else None
    sources = tuple(
        SourceSettings(
            name=name,
            kind=kind,
            base_url="http://127.0.0.1:9",
            mirror=True,
            sync_interval=10**6,
            reconcile_interval=10**6,
            credentials={
                k: Secret("1003" if k == "store_id" else "x" * 16)
                for k in (*CONNECTORS[kind].required_credentials, "token")
            },
            options={"webhook_url": "https://bench.invalid/h"} if kind == "shoptet" else {},
        )
        for name, kind in zip(names, SHARES, strict=True)
    )
    mirrored: dict[str, float] = {}
    started = time.time()
    settings = Settings(sources=sources, data_dir=str(directory))
    if state is not None:
        settings = replace(settings, state=state)
    async with in_process(settings) as client:
        await _first_sync_steps(directory, started, len(sources), store_url)
        for what, filters in GRID_QUERIES.items():
            await measure(client, filters, 3)  # warm
            times, outcome = await measure(client, filters, runs)
            mirrored[what] = _p(times, 0.5)
            report(_grid_row(f"mirrored {customers}: {what}", times, outcome))
        # A keyword's total is kept while nothing it counts changes (mirror/memo.py), so the
        # rows above repeat a request on an unchanged store (the grid's next page or a refresh
        # count no more). Here another connection commits before each request (outside its
        # time): a sync step's state (the totals stay), or a customer's change (each total is
        # moved by the rows changed since it was counted: mirror/deltas.py).
        for commits, statement in COMMITS.items() if store_url is None else ():
            with _committer(directory, statement) as commit:
                for what, filters in GRID_QUERIES.items():
                    if not any(key == "keyword" for key, _, _ in filters):
                        continue
                    times, outcome = await measure(client, filters, runs, between=commit)
                    report(_grid_row(f"mirrored {customers}: {what}, {commits}", times, outcome))
        # PostgreSQL: a total is kept as its sources' parts, each until its source's version
        # moves (mirror/memo.py: VersionedTotals); a change in one source moves its part by
        # that source's change log (mirror/deltas.py: postgres_delta).
        for commits, statement in POSTGRES_COMMITS.items() if postgres is not None else ():
            assert postgres is not None
            async with _postgres_committer(postgres, statement) as commit:
                for what, filters in GRID_QUERIES.items():
                    if not any(key == "keyword" for key, _, _ in filters):
                        continue
                    times, outcome = await measure(client, filters, runs, between=commit)
                    report(_grid_row(f"mirrored {customers}: {what}, {commits}", times, outcome))
    # The rows above are warm: a total is counted once per reader connection, then kept. A
    # process starting counts it on its first request (with a cold file, after `echo 3 >
    # /proc/sys/vm/drop_caches`, pages come from the disk: bench/README.md).
    # (PostgreSQL counts the search box alone too: it keeps no trigram count.)
    for what in FIRST_COUNTED if store_url is None else ("keyword novák", *FIRST_COUNTED):
        async with in_process(settings) as client:
            await _first_sync_steps(directory, time.time(), len(sources), store_url)
            times, outcome = await measure(client, GRID_QUERIES[what], 2)
            report(
                Row(
                    "grid",
                    f"mirrored {customers}: {what}, a new process's first request / its second",
                    f"{times[0] * 1000:.0f} / {times[1] * 1000:.1f} ms ({outcome})",
                )
            )
    if keep is None and store_url is None:
        size = _size_and_remove(directory)
        report(Row("grid", "store file (SQLite)", f"{size / 2**20:.0f} MB"))
    shops = {
        f"pt-{kind.replace('_', '-')}": (kind, int(10_000 * share))
        for kind, share in SHARES.items()
    }
    emulators = {
        name: emulator_class(kind).create(seed=7, customers=n, rate_limits=False)
        for name, (kind, n) in shops.items()
    }
    sources = tuple(
        SourceSettings(
            name=name,
            kind=kind,
            base_url=f"http://{name}.test{CONNECTORS[kind].base_path}",
            credentials={k: Secret(v) for k, v in emulators[name].connector_credentials().items()},
            options={"webhook_url": "https://bench.invalid/h", "job_poll_seconds": [0.1] * 10}
            if kind == "shoptet"
            else {},
            rate_limits=False,
        )
        for name, (kind, _) in shops.items()
    )
    transports: dict[str, httpx.AsyncBaseTransport] = {
        name: httpx.ASGITransport(app=e.app) for name, e in emulators.items()
    }
    async with in_process(Settings(sources=sources), transports) as client:
        for what, filters in GRID_QUERIES.items():
            times, outcome = await measure(client, filters, max(3, runs // 40))
            report(
                Row(
                    "grid",
                    f"pass-through 10000: {what}",
                    f"p50 {_p(times, 0.5):.0f} ms ({outcome})",
                    "",
                    None,
                )
            )


# -- 3. lag ---------------------------------------------------------------------------------


async def bench_lag() -> None:
    emulator = emulator_class("ecwid").create(seed=3, customers=200, rate_limits=False)
    source = SourceSettings(
        name="lag-ecwid",
        kind="ecwid",
        base_url=f"http://lag.test{CONNECTORS['ecwid'].base_path}",
        credentials={k: Secret(v) for k, v in emulator.connector_credentials().items()},
        mirror=True,
        sync_interval=2.0,
        rate_limits=False,
    )
    transports: dict[str, httpx.AsyncBaseTransport] = {
        "lag-ecwid": httpx.ASGITransport(app=emulator.app)
    }
    async with in_process(Settings(sources=(source,)), transports) as client:
        app = client.app  # type: ignore[attr-defined]
        await app.state.gateway.mirrors.wait_synced(60)
        connector = CONNECTORS["ecwid"](source, build_client(source, transports["lag-ecwid"]))
        lags = []
        for attempt in range(3):
            target = (
                await connector.list_customers(
                    __import__(
                        "customer_gateway.connectors.models"
                    ).connectors.models.CustomerQuery(limit=1)
                )
            ).items[0]
            name = f"Lag Probe {attempt} {random.randrange(10**6)}"
            await connector.update_customer(target.id, CustomerPatch(full_name=name))
            changed = time.perf_counter()
            while True:
                body = (
                    await client.post(
                        "/graphql",
                        json={"query": GRID, "variables": _filters([("keyword", "eq", name)])},
                    )
                ).json()
                if body["data"]["customers"]["total"]:
                    break
                await asyncio.sleep(0.05)
            lags.append(time.perf_counter() - changed)
        worst = max(lags)
        report(
            Row(
                "lag",
                "upstream change visible (Ecwid, sync_interval 2 s), worst of 3",
                f"{worst:.2f} s",
                "<= 3 s",
                worst <= 3.0,
            )
        )


# -- 4. sandbox -----------------------------------------------------------------------------


async def bench_sandbox(runs: int) -> None:
    async with in_process(Settings()) as client:
        app = client.app  # type: ignore[attr-defined]
        gateway = app.state.gateway
        await gateway.mirrors.wait_synced(120)
        shoptet = gateway.sources.get("shoptet-cz")
        default: dict[str, Any] = {"f": []}

        async def timed(headers: dict[str, str], n: int) -> list[float]:
            times = []
            for _ in range(n):
                shoptet.http.limiter.observe("bucket", 200.0)  # Shoptet's bucket full
                started = time.perf_counter()
                response = await client.post(
                    "/graphql", json={"query": GRID, "variables": default}, headers=headers
                )
                times.append(time.perf_counter() - started)
                assert not response.json().get("errors"), response.text
            return times

        mirrored = await timed({}, runs)
        live = await timed({"X-Live-Read": "true"}, 3)
        report(
            Row(
                "sandbox",
                "default grid page, Shoptet's bucket full (mirrored)",
                f"p50 {_p(mirrored, 0.5):.1f} ms",
                "<= 20 ms",
                _p(mirrored, 0.5) <= 20,
            )
        )
        report(
            Row(
                "sandbox",
                "the same, X-Live-Read: true (pass-through)",
                f"p50 {_p(live, 0.5):.0f} ms",
            )
        )


async def run(args: argparse.Namespace) -> int:
    print(f"{'section':<8} {'what':<48} {'value':>22}  {'target':<16} verdict", flush=True)
    if "sync" in args.only:
        await bench_sync(args.customers, args.sync_customers, args.kinds)
    if "grid" in args.only:
        await bench_grid(args.customers, args.runs, args.keep_store, args.grid_postgres)
    if "lag" in args.only:
        await bench_lag()
    if "sandbox" in args.only:
        await bench_sandbox(args.runs)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mirror", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--sync-customers", type=int, default=None)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--only", default="sync,grid,lag,sandbox")
    parser.add_argument(
        "--kinds", default=",".join(SHARES), help="the kinds the sync section loads"
    )
    parser.add_argument(
        "--keep-store",
        type=Path,
        default=None,
        help="grid: keep the filled store in this directory; measure a store found there again",
    )
    parser.add_argument(
        "--grid-postgres",
        default=None,
        metavar="URL",
        help="grid: the store in this PostgreSQL database (created if missing, kept filled), "
        "e.g. postgresql://postgres@127.0.0.1:5432/cg_bench_grid",
    )
    args = parser.parse_args(argv)
    args.customers = args.customers or (100_000 if args.quick else 1_000_000)
    args.kinds = args.kinds.split(",")
    args.only = set(args.only.split(","))
    import logging

    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
