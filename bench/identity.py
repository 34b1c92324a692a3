"""The identity index's figures (issue 20), as one run on this machine.

    python -m bench.identity                 # 1,000,000 customers in four sources (SQLite)
    python -m bench.identity --customers 100000 --backend postgres

1. fill: `--customers` customers into a mirror store (four sources, 40/30/20/10 %), the same
   people in several sources under variant spellings (case, spaces, Gmail dots and +tags, IDN
   domains, phone formats); not timed.
2. match: `IdentityIndex.rebuild()`, every customer matched from scratch, in a process of its
   own: wall time and that process's peak RSS (resource.getrusage).
3. incremental: 10,000 changed customers written through the store as a sync writes them
   (pages of 250, the index re-matching in each write's transaction): time per customer.
4. people: the `people` page as the resolver reads it (index page, members, mirrored records,
   merged profiles; 20 per page): newest first page 1 and page 1,000, by source, by e-mail;
   p50/p99 over repeated requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from customer_gateway.connectors.models import Condition, CustomerRecord, FilterField, Op
from customer_gateway.identity.index import IdentityIndex, MatchSettings
from customer_gateway.identity.profile import merge
from customer_gateway.mirror.keys import collation_key
from customer_gateway.mirror.query import SourceSelection
from customer_gateway.mirror.store import SqlMirrorStore, open_store, postgres_url, sqlite_url

SOURCES = {"shoptet-cz": 0.4, "flow-oslo": 0.3, "ecwid-us": 0.2, "evershop-main": 0.1}
COUNTRIES = {"shoptet-cz": "CZ", "flow-oslo": "NO", "ecwid-us": "US", "evershop-main": "GB"}
MATCH = MatchSettings(match_phone=True, countries=COUNTRIES)
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
DOMAINS = ("example.cz", "gmail.com", "bücher.de", "firma.no", "post.example")


def _email(rng: random.Random, person: int) -> str:
    domain = DOMAINS[person % len(DOMAINS)]
    local = f"person.{person}"
    style = rng.randrange(5)
    if style == 1:
        local, domain = local.upper(), domain.upper()
    elif style == 2 and domain == "gmail.com":
        local = local.replace(".", "") + "+shop"
    elif style == 3:
        return f"  {local}@{domain} "
    return f"{local}@{domain}"


def _phone(rng: random.Random, person: int) -> str:
    digits = f"{600000000 + person:09d}"
    return rng.choice(
        [f"+420 {digits[:3]} {digits[3:6]} {digits[6:]}", f"00420{digits}", f"+420-{digits}"]
    )


def records(total: int, seed: int = 20) -> list[list[CustomerRecord]]:
    """Per source, its customers: about 60 % of the people are in one source, the rest in two
    to four, so the index finds fewer people than customers."""
    rng = random.Random(seed)
    names = list(SOURCES)
    quota = {name: int(total * share) for name, share in SOURCES.items()}
    quota[names[0]] += total - sum(quota.values())
    by_source: dict[str, list[CustomerRecord]] = {name: [] for name in names}
    start = datetime(2020, 1, 1, tzinfo=UTC)
    person = 0
    while any(len(by_source[name]) < quota[name] for name in names):
        open_sources = [name for name in names if len(by_source[name]) < quota[name]]
        many = len(open_sources) > 1 and rng.random() >= 0.6
        count = rng.randint(2, len(open_sources)) if many else 1
        for name in rng.sample(open_sources, count):
            created = start + timedelta(minutes=rng.randrange(2_000_000))
            by_source[name].append(
                CustomerRecord(
                    source=name,
                    id=str(len(by_source[name]) + 1),
                    numeric_id=len(by_source[name]) + 1,
                    email=_email(rng, person),
                    full_name=f"Person {person}",
                    status=1,
                    created_at=created,
                    updated_at=created + timedelta(hours=rng.randrange(1000)),
                    phone=_phone(rng, person) if rng.random() < 0.7 else None,
                )
            )
        person += 1
    return [by_source[name] for name in names]


async def fill(url: str, total: int) -> None:
    store = open_store(url)
    await store.migrate()
    key = collation_key("C")
    for rank, items in enumerate(records(total)):
        for start in range(0, len(items), 5000):
            async with store.writing() as writer:
                await writer.upsert_customers(
                    items[start : start + 5000], rank=rank, pass_no=0, text_key=key
                )
    await store.analyze()  # as the sync does after a first load
    await store.close()


async def match(url: str) -> dict[str, Any]:
    store = open_store(url)
    index = IdentityIndex(store.engine, MATCH)
    await index.migrate()
    began = time.perf_counter()
    people = await index.rebuild()
    seconds = time.perf_counter() - began
    await store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"people": people, "seconds": round(seconds, 1), "peak_rss_mb": round(peak)}


async def incremental(store: SqlMirrorStore, index: IdentityIndex) -> dict[str, Any]:
    store.observers.append(index)
    rng = random.Random(7)
    changed = [
        CustomerRecord(
            source=name,
            id=str(native),
            numeric_id=native,
            email=_email(rng, rng.randrange(50_000)),  # joins (or leaves) a person
            full_name=f"Changed {native}",
            status=1,
            created_at=datetime(2024, 1, 1, tzinfo=UTC),
            updated_at=datetime.now(UTC),
            phone=None,
        )
        for name in SOURCES
        for native in rng.sample(range(1, 10_000), 2_500)
    ]
    key = collation_key("C")
    began = time.perf_counter()
    for start in range(0, len(changed), 250):
        page = changed[start : start + 250]
        async with store.writing() as writer:
            await writer.upsert_customers(
                page, rank=list(SOURCES).index(page[0].source), pass_no=0, text_key=key
            )
    seconds = time.perf_counter() - began
    store.observers.remove(index)
    return {"customers": len(changed), "ms_per_customer": round(seconds * 1000 / len(changed), 2)}


async def people_pages(index: IdentityIndex, repeat: int) -> dict[str, Any]:
    ranks = {name: rank for rank, name in enumerate(SOURCES)}
    every = [SourceSelection(name) for name in SOURCES]
    cases: dict[str, tuple[list[SourceSelection], bool, int]] = {
        "newest, page 1": (every, True, 0),
        "newest, page 1,000": (every, True, 19_980),
        "source ecwid-us": ([SourceSelection("ecwid-us")], False, 0),
        "email eq": (
            [
                SourceSelection(
                    name, (Condition(FilterField.EMAIL, Op.EQ, ("person.4242@firma.no",)),)
                )
                for name in SOURCES
            ],
            False,
            0,
        ),
    }
    result: dict[str, Any] = {}
    for label, (selection, unfiltered_all, offset) in cases.items():
        timings = []
        for _ in range(repeat):
            began = time.perf_counter()
            ids, _total = await index.people_page(
                selection, unfiltered_all, descending=True, offset=offset, limit=20
            )
            members = await index.members_of(ids)
            found = await index.records([key for keys in members.values() for key in keys])
            for person in ids:
                merge([found[key] for key in members[person] if key in found], {}, ranks)
            timings.append(time.perf_counter() - began)
        timings.sort()
        result[label] = {
            "p50_ms": round(statistics.median(timings) * 1000, 1),
            "p99_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1000, 1),
        }
    return result


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(f"{PG_SERVER}/postgres", timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def prepare(arguments: argparse.Namespace) -> tuple[Path, bool, bool]:
    """The SQLite store's directory, whether it is kept, and whether it is filled already."""
    kept = arguments.data_dir is not None
    directory = Path(arguments.data_dir or tempfile.mkdtemp(prefix="bench-identity-"))
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory, kept, kept and (directory / "mirror.sqlite3").exists()


async def main(
    arguments: argparse.Namespace, directory: Path, kept: bool, filled_before: bool
) -> dict[str, Any]:
    database = None
    if arguments.backend == "postgres":
        database = f"bench_identity_{secrets.token_hex(4)}"
        await _admin(f'CREATE DATABASE "{database}"')
        url = postgres_url(f"{PG_SERVER}/{database}")
    else:
        url = sqlite_url(directory)
    try:
        began = time.perf_counter()
        if not filled_before:
            await fill(url, arguments.customers)
        filled = time.perf_counter() - began
        # In a process of its own: its peak RSS is the match's, not the fill's.
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.identity",
            "--match-only",
            url,
            stdout=asyncio.subprocess.PIPE,
        )
        output, _ = await child.communicate()
        if child.returncode != 0:
            raise SystemExit(f"the match process failed ({child.returncode})")
        matched = json.loads(output.decode().strip().splitlines()[-1])
        store = open_store(url)
        index = IdentityIndex(store.engine, MATCH)
        changes = await incremental(store, index)
        pages = await people_pages(index, arguments.repeat)
        await store.close()
        return {
            "backend": arguments.backend,
            "customers": arguments.customers,
            "fill_seconds": round(filled, 1),
            "match": matched,
            "incremental": changes,
            "people_page": pages,
        }
    finally:
        if not kept:
            shutil.rmtree(directory, ignore_errors=True)
        if database is not None:
            await _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument(
        "--data-dir", help="SQLite: keep the filled store here (and reuse it when it exists)"
    )
    parser.add_argument("--match-only", metavar="URL", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.match_only:
        print(json.dumps(asyncio.run(match(options.match_only))))
    else:
        print(json.dumps(asyncio.run(main(options, *prepare(options))), indent=2))
