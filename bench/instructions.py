"""Instructions per request: the gateway's CPU cost as a count that other load cannot move.

    python -m bench.instructions                      # the working tree
    python -m bench.instructions --baseline main      # main and the working tree, ratios
    python -m bench.instructions --requests 50 --only q1,q2-ecwid

Timings on a shared 2-core machine move by ±20 % with whatever else runs; the number of
instructions the gateway executes for a request does not. Here the gateway runs as
`customer-gateway serve` (uvicorn, one process, the production code path) under
`valgrind --tool=callgrind`, over the five benchmark emulators (separate processes at 0 ms added
latency, not under valgrind). This process sends a fixed loop of requests, one after another on
one keep-alive connection over 127.0.0.1, and reads the instructions callgrind counted in the
gateway process for the loop:

1. instrumentation is off while the gateway starts and while each query is warmed up (logins,
   caches, the first import of lazily imported modules);
2. a control request (`/__instructions/...`, answered by a wrapper around the app that only this
   benchmark installs) switches instrumentation on and zeroes the counters;
3. each query is sent `--requests` times, then a control request dumps the counters (callgrind's
   client request `CALLGRIND_DUMP_STATS_AT`, which also zeroes them);
4. two control requests with nothing between them measure what one control request costs; that is
   taken off each phase, and the rest divided by `--requests`.

The client requests need a 10-line C helper built with the system's `cc` against valgrind's
`callgrind.h` (Debian's `valgrind` and `gcc`: `make system-deps`). `--baseline REV` runs the same
loop against `git archive REV` of `customer_gateway/` (put first on `PYTHONPATH`, same
virtualenv, same emulators) before the working tree, so both counts come from one run.

Counted: everything the gateway process executes in user space (uvicorn, Starlette, Strawberry,
graphql-core, the connectors, the upstream HTTP client, logging, the interpreter itself).
Not counted: the kernel, the emulators, this client.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONTROL = "/__instructions/"

HELPER_C = r"""
#include <valgrind/callgrind.h>
void cg_start(void) { CALLGRIND_START_INSTRUMENTATION; CALLGRIND_ZERO_STATS; }
void cg_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
int cg_on_valgrind(void) { return RUNNING_ON_VALGRIND; }
"""


# ---------------------------------------------------------------------------------------------
# The child: the gateway under valgrind (runs with only the tree under test on sys.path).


def child(helper: str, argv: Sequence[str]) -> int:
    """`customer-gateway serve` with the control wrapper around the app."""
    import ctypes

    lib = ctypes.CDLL(helper)
    if not lib.cg_on_valgrind():
        print("the child must run under valgrind --tool=callgrind", file=sys.stderr)
        return 2
    import importlib

    # customer_gateway.server.* since the package's restructuring; customer_gateway.* before
    # (a `--baseline` older than it).
    try:
        app_module: Any = importlib.import_module("customer_gateway.server.app")
        cli_module: Any = importlib.import_module("customer_gateway.server.cli")
    except ModuleNotFoundError:
        app_module = importlib.import_module("customer_gateway.app")
        cli_module = importlib.import_module("customer_gateway.cli")
    cli_main: Callable[[list[str]], int] = cli_module.main

    original: Callable[[], Any] = app_module.serve_app

    def serve_app() -> Any:
        app = original()

        async def wrapped(scope: Any, receive: Any, send: Any) -> None:
            path = scope.get("path", "") if scope["type"] == "http" else ""
            if not path.startswith(CONTROL):
                await app(scope, receive, send)
                return
            command = path[len(CONTROL) :]
            if command == "start":
                lib.cg_start()
            elif command.startswith("dump/"):
                lib.cg_dump(command[len("dump/") :].encode())
            else:
                command = "unknown"
            headers = [(b"content-type", b"text/plain")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": command.encode()})

        return wrapped

    app_module.serve_app = serve_app  # uvicorn imports "<app module>:serve_app"
    return cli_main(["serve", *argv])


# ---------------------------------------------------------------------------------------------
# The parent: emulators, the loop, the table.


@dataclass(frozen=True)
class Query:
    name: str
    what: str
    body: Callable[[str], str]  # the Ecwid customer id -> the request body


def _queries() -> list[Query]:
    from bench import queries
    from bench.harness import FAN_OUT_SOURCES

    return [
        Query("q1", "Q1 customer(id), Ecwid", queries.q1),
        Query("q2-ecwid", "Q2 Ecwid N = 50", lambda _: queries.q2(["ecwid"], 50)),
        Query("q2-evershop", "Q2 EverShop N = 50", lambda _: queries.q2(["evershop"], 50)),
        Query("q2-flow", "Q2 Flow Retail N = 50", lambda _: queries.q2(["flow"], 50)),
        # The list-scaling and fan-out rows of `python -m bench --quick`, counted: the gateway's
        # CPU per upstream row (N = 100 of one source; four sources of 50 merged into 50).
        Query("q2-ecwid-100", "Q2 Ecwid N = 100", lambda _: queries.q2(["ecwid"], 100)),
        Query("q2-evershop-100", "Q2 EverShop N = 100", lambda _: queries.q2(["evershop"], 100)),
        Query("q2-flow-100", "Q2 Flow Retail N = 100", lambda _: queries.q2(["flow"], 100)),
        Query("q3", "Q3 4 sources N = 50", lambda _: queries.q2(FAN_OUT_SOURCES, 50)),
    ]


def build_helper(directory: Path) -> Path:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None or shutil.which("valgrind") is None:
        raise SystemExit("valgrind and a C compiler are needed: run `make system-deps`")
    source = directory / "cg_helper.c"
    source.write_text(HELPER_C)
    library = directory / "cg_helper.so"
    subprocess.run(
        [compiler, "-O1", "-shared", "-fPIC", "-o", str(library), str(source)], check=True
    )
    return library


def _git(*args: str) -> str:
    from bench.harness import ROOT

    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def export_tree(rev: str, directory: Path, paths: Sequence[str] = ("customer_gateway",)) -> Path:
    """`paths` (`customer_gateway/`) as `rev` has them, unpacked under `directory`."""
    from bench.harness import ROOT

    directory.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, *paths],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    archive_path = directory / "tree.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(directory, filter="data")
    archive_path.unlink()
    return directory


def read_dumps(prefix: Path) -> dict[str, int]:
    """Instructions per triggered dump (`desc: Trigger: Client Request: NAME`)."""
    counts: dict[str, int] = {}
    for path in sorted(prefix.parent.glob(prefix.name + ".*")):
        trigger = total = None
        with path.open(errors="replace") as handle:
            for line in handle:
                if line.startswith("desc: Trigger:"):
                    match = re.search(r"Client Request: (\S+)", line)
                    trigger = match.group(1) if match else None
                elif line.startswith(("totals:", "summary:")):
                    total = int(line.split()[1])
        if trigger is not None and total is not None:
            counts[trigger] = total
    return counts


@contextmanager
def gateway_under_valgrind(
    label: str, tree: Path | None, helper: Path, config: Path, logs: Path
) -> Iterator[tuple[str, Path]]:
    from bench.harness import ROOT, free_port

    port = free_port()
    prefix = logs / f"callgrind-{label}"
    env = {
        **os.environ,
        "CUSTOMER_GATEWAY_CONFIG": str(config),
        "CUSTOMER_GATEWAY_DATA_DIR": str(logs / f"{label}-data"),
        "PYTHONHASHSEED": "0",
    }
    env["PYTHONPATH"] = str(tree if tree is not None else ROOT)
    argv = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--dump-instr=no",
        "--dump-line=no",
        f"--callgrind-out-file={prefix}",
        sys.executable,
        "-P",  # no script directory on sys.path: only the tree under test
        str(Path(__file__).resolve()),
        "--child",
        str(helper),
        "--port",
        str(port),
    ]
    log = (logs / f"{label}.log").open("wb")
    popen = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=logs)
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 900
        while True:
            if popen.poll() is not None:
                raise RuntimeError(f"{label}: the gateway exited; see {logs / (label + '.log')}")
            try:
                httpx.get(url + "/healthz", timeout=5)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{label}: the gateway did not start") from None
                time.sleep(1)
        yield url, prefix
    finally:
        popen.terminate()
        try:
            popen.wait(timeout=300)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()
        log.close()


def measure(
    label: str,
    tree: Path | None,
    helper: Path,
    config: Path,
    logs: Path,
    chosen: Sequence[Query],
    requests: int,
    warmup: int,
) -> dict[str, float]:
    """Instructions per request of each query, for one tree."""
    import httpx

    with (
        gateway_under_valgrind(label, tree, helper, config, logs) as (url, prefix),
        httpx.Client(base_url=url, timeout=600) as client,
    ):

        def send(body: str) -> None:
            answer = client.post(
                "/graphql", content=body, headers={"content-type": "application/json"}
            )
            data = answer.json()
            if answer.status_code != 200 or data.get("errors"):
                raise RuntimeError(f"{label}: {answer.status_code} {answer.text[:500]}")

        def control(command: str) -> None:
            client.get(CONTROL + command).raise_for_status()

        from bench import queries

        listing = client.post(
            "/graphql",
            content=queries.q2(["ecwid"], 1),
            headers={"content-type": "application/json"},
        ).json()
        ecwid_id = str(listing["data"]["customers"]["items"][0]["uuid"])
        bodies = {query.name: query.body(ecwid_id) for query in chosen}
        for _ in range(warmup):
            for query in chosen:
                send(bodies[query.name])
        control("start")
        control("dump/settle")
        control("dump/idle")
        for query in chosen:
            for _ in range(requests):
                send(bodies[query.name])
            control(f"dump/{query.name}")
    dumps = read_dumps(prefix)
    missing = [q.name for q in chosen if q.name not in dumps] + (
        ["idle"] if "idle" not in dumps else []
    )
    if missing:
        raise RuntimeError(f"{label}: no callgrind dump for {missing} (files {prefix}.*)")
    idle = dumps["idle"]
    return {q.name: (dumps[q.name] - idle) / requests for q in chosen}


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["--child"]:
        return child(args_list[1], args_list[2:])

    from bench.harness import ROOT, emulators, gateway_config

    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    parser.add_argument("--baseline", default=None, help="a git revision to compare with")
    parser.add_argument("--requests", type=int, default=20, help="requests per query")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up rounds (not counted)")
    parser.add_argument("--customers", type=int, default=300, help="customers per emulator")
    parser.add_argument("--only", default=None, help="comma-separated queries (q1,q2-ecwid,...)")
    args = parser.parse_args(args_list)
    chosen = _queries()
    if args.only:
        wanted = set(args.only.split(","))
        chosen = [q for q in chosen if q.name in wanted]
        if not chosen:
            raise SystemExit(f"no query in {args.only!r}")
    results_dir = ROOT / "bench" / "results"
    logs = results_dir / ("instructions-" + time.strftime("%Y%m%d-%H%M%S"))
    logs.mkdir(parents=True, exist_ok=True)
    helper = build_helper(logs)
    head = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--untracked-files=no", "customer_gateway")
    now_label = f"working tree ({head}{', modified' if dirty else ''})"
    print(f"logs in {logs}")
    counts: dict[str, dict[str, float]] = {}
    with emulators(logs, args.customers, 0.0) as emus:
        config = logs / "gateway.toml"
        config.write_text(gateway_config(emus))
        with tempfile.TemporaryDirectory(prefix="bench-instructions-") as scratch:
            runs: list[tuple[str, Path | None]] = []
            if args.baseline:
                rev = _git("rev-parse", "--short", args.baseline)
                runs.append((f"{args.baseline} ({rev})", export_tree(rev, Path(scratch) / rev)))
            runs.append((now_label, None))
            for index, (label, tree) in enumerate(runs):
                print(f"measuring {label} ...", flush=True)
                counts[label] = measure(
                    f"run{index}",
                    tree,
                    helper,
                    config,
                    logs,
                    chosen,
                    args.requests,
                    args.warmup,
                )
                for query in chosen:
                    print(f"  {query.what}: {counts[label][query.name]:,.0f} instructions/request")
    table = render(chosen, counts, args.requests)
    (logs / "table.md").write_text(table + "\n")
    (results_dir / "instructions-latest.md").write_text(table + "\n")
    (logs / "counts.json").write_text(json.dumps(counts, indent=2) + "\n")
    print()
    print(table)
    return 0


def render(chosen: Sequence[Query], counts: dict[str, dict[str, float]], requests: int) -> str:
    labels = list(counts)
    header = ["query", *(f"{label}: instructions / request" for label in labels)]
    if len(labels) == 2:
        header.append("ratio (second / first)")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for query in chosen:
        cells = [query.what, *(f"{counts[label][query.name] / 1e6:.2f} M" for label in labels)]
        if len(labels) == 2:
            first, second = (counts[label][query.name] for label in labels)
            cells.append(f"{second / first:.2f} × ({(second / first - 1) * 100:+.0f} %)")
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        f"- callgrind Ir in the gateway process (`customer-gateway serve`), {requests} sequential "
        "requests per query on one connection, 0 ms upstream, one control request's cost taken off",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
