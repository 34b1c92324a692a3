"""The emulators' own cost per query, for the upstream requests the gateway sends in the bench.

    python -m bench.emulator_cost                        # CPU time per query
    python -m bench.emulator_cost --callgrind            # instructions (valgrind), steadier
    python -m bench.emulator_cost --callgrind --baseline main   # main's emulators, then these

`python -m bench` runs the five emulators on one core beside the load generator, so whatever an
emulator spends on a request is in the latency the gateway is measured by ("list scaling",
"fan-out"). This benchmark shows that share: the emulators run as in `python -m bench`
(`bench.emulator`, one uvicorn process each, core 1, rate limits off, 0 ms added latency), the
gateway as in `python -m bench` (core 0, not measured), and each query of the bench (Q2 of one
source at N = 1/10/50/100, Q3 at N = 10/50, Q1) is sent `--requests` times in a row. For each
emulator the query reaches, the cost of the requests it served (counted by its own
`/__bench/requests`) is divided by the number of queries, and Q3's costs are also summed:

- default: the CPU time of the emulator's process from `/proc/PID/task/*/schedstat`
  (nanoseconds on the CPU, user and kernel), so timing noise of a shared machine shows;
- `--callgrind`: the emulators under test run under `valgrind --tool=callgrind`, counting
  only while a query's requests are sent (control paths `/__instructions/start` and
  `/__instructions/dump/NAME`, as in `bench.instructions`; what the control and counter
  requests between two queries cost is measured once and taken off).

`--baseline REV` measures the emulators of `git archive REV` (its `customer_gateway/` and
`bench/` first on `PYTHONPATH`: its emulators as its own `bench.emulator` served them) before
the working tree's, with the working tree's gateway in front of both.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONTROL = "/__instructions/"
# The emulators the bench's list queries reach (Shoptet runs too: the gateway is configured
# with it, but no query here reads it).
MEASURED = ("evershop", "flow", "ecwid", "wrapper")


# ---------------------------------------------------------------------------------------------
# The child: one emulator as `bench.emulator` serves it, plus callgrind's control paths.


def child(helper: str, argv: Sequence[str]) -> int:
    import ctypes

    import uvicorn

    from bench.emulator import Counted, build, set_latency

    lib = ctypes.CDLL(helper)
    if not lib.cg_on_valgrind():
        print("the child must run under valgrind --tool=callgrind", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser()
    parser.add_argument("kind")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args(argv)
    emulator = build(args.kind, args.seed, args.customers)
    set_latency(emulator, args.latency)
    print(json.dumps({"kind": args.kind, "credentials": emulator.connector_credentials()}))
    sys.stdout.flush()
    counted = Counted(emulator.app, emulator, args.latency)

    # The control paths as `bench.instructions`' child answers them. Not imported from there:
    # this child runs by its path with a baseline's tree first on PYTHONPATH, whose
    # `bench.instructions` may predate any shared helper.
    async def app(scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(CONTROL):
            await counted(scope, receive, send)
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

    # The same server settings as `bench.emulator` (uvicorn's defaults: httptools, uvloop).
    uvicorn.run(app, host="127.0.0.1", port=args.port, access_log=False, log_level="warning")
    return 0


# ---------------------------------------------------------------------------------------------
# The parent.


@dataclass(frozen=True)
class Phase:
    name: str
    what: str
    body: Callable[[str], str]  # the Ecwid customer's global id -> the request body


def phases() -> list[Phase]:
    from bench import queries
    from bench.__main__ import SIZES
    from bench.harness import FAN_OUT_SOURCES

    chosen = [
        Phase(
            f"q2-{source}-{n}",
            f"Q2 {source} N = {n}",
            lambda _, source=source, n=n: queries.q2([source], n),  # type: ignore[misc]
        )
        for source in MEASURED
        for n in SIZES
    ]
    chosen += [
        Phase(f"q3-{n}", f"Q3 4 sources N = {n}", lambda _, n=n: queries.q2(FAN_OUT_SOURCES, n))  # type: ignore[misc]
        for n in (10, 50)
    ]
    chosen.append(Phase("q1", "Q1 customer(id), Ecwid", queries.q1))
    return chosen


def schedstat_ns(pid: int) -> int:
    """Nanoseconds the process's threads have run (user + kernel), from the scheduler."""
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return total


@dataclass
class Measured:
    """Per phase, per emulator: (upstream requests served, cost of them)."""

    unit: str  # "µs" (CPU) or "M instructions"
    costs: dict[str, dict[str, tuple[int, float]]]


@contextmanager
def running_emulators(
    tree: Path | None, helper: Path | None, logs: Path, label: str, customers: int
) -> Iterator[Any]:
    """The five bench emulators on the load core; `helper`: the measured ones under callgrind."""
    from bench.harness import LOAD_CORE, ROOT, SOURCES, Emulators, free_port, start

    env = {"PYTHONPATH": os.pathsep.join([str(tree), str(ROOT)] if tree else [str(ROOT)])}
    env["PYTHONHASHSEED"] = "0"
    running = Emulators()
    try:
        for index, (source, kind) in enumerate(SOURCES.items()):
            port = free_port()
            running.ports[source] = port
            options = ["--port", str(port), "--seed", str(index + 1)]
            options += ["--customers", str(customers), "--latency", "0"]
            if helper is not None and source in MEASURED:
                argv = [
                    "valgrind",
                    "--tool=callgrind",
                    "--instr-atstart=no",
                    "--dump-instr=no",
                    "--dump-line=no",
                    f"--callgrind-out-file={logs / f'callgrind-{label}-{source}'}",
                    sys.executable,
                    "-P",
                    str(Path(__file__).resolve()),
                    "--child",
                    str(helper),
                    kind,
                    *options,
                ]
                timeout = 600.0
            else:
                argv = [sys.executable, "-P", "-m", "bench.emulator", kind, *options]
                timeout = 60.0
            running.procs[source] = start(
                f"{label}-emulator-{source}",
                argv,
                cores=LOAD_CORE,
                ready=f"http://127.0.0.1:{port}/__bench/requests",
                logs=logs,
                env=env,
                cwd=logs,
                timeout=timeout,
            )
            first = next(
                line
                for line in running.procs[source].log.read_text().splitlines()
                if line.startswith("{")
            )
            running.credentials[source] = json.loads(first)["credentials"]
        yield running
    finally:
        running.stop()


def measure(
    label: str,
    tree: Path | None,
    helper: Path | None,
    logs: Path,
    chosen: Sequence[Phase],
    requests: int,
    warmup: int,
    customers: int,
) -> Measured:
    import httpx

    from bench import queries
    from bench.harness import start_gateway
    from bench.instructions import read_dumps

    costs: dict[str, dict[str, tuple[int, float]]] = {}
    with ExitStack() as stack:
        emus = stack.enter_context(running_emulators(tree, helper, logs, label, customers))
        gateway = start_gateway(emus, logs, name=f"{label}-gateway", log_level="WARNING")
        stack.callback(gateway.stop)
        url = gateway.url.rsplit("/", 1)[0] + "/graphql"
        client = stack.enter_context(httpx.Client(timeout=600))

        def send(body: str) -> None:
            answer = client.post(url, content=body, headers={"content-type": "application/json"})
            if answer.status_code != 200 or answer.json().get("errors"):
                raise RuntimeError(f"{label}: {answer.status_code} {answer.text[:500]}")

        def served() -> dict[str, int]:
            return {s: n for s, (n, _) in emus.served(reset=True).items() if s in MEASURED}

        def control(command: str) -> None:
            for source in MEASURED:
                client.get(emus.url(source) + CONTROL + command).raise_for_status()

        listing = client.post(
            url, content=queries.q2(["ecwid"], 1), headers={"content-type": "application/json"}
        ).json()
        ecwid_id = str(listing["data"]["customers"]["items"][0]["uuid"])
        bodies = {phase.name: phase.body(ecwid_id) for phase in chosen}
        for _ in range(warmup):
            for phase in chosen:
                send(bodies[phase.name])
        served()
        if helper is not None:
            # Between two phases: the phase's dump, then the counter read and reset.
            control("start")
            control("dump/settle")
            served()
            control("dump/idle")
            served()  # each phase's window: this read, its requests, its dump
        for phase in chosen:
            before = {s: schedstat_ns(emus.procs[s].pid) for s in MEASURED}
            for _ in range(requests):
                send(bodies[phase.name])
            after = {s: schedstat_ns(emus.procs[s].pid) for s in MEASURED}
            if helper is not None:
                control(f"dump/{phase.name}")
            counts = served()
            costs[phase.name] = {
                s: (counts[s], (after[s] - before[s]) / 1e3) for s in MEASURED if counts[s]
            }
            print(
                f"  {phase.what}: "
                + ", ".join(f"{s} {n}" for s, (n, _) in costs[phase.name].items())
            )
    if helper is None:
        return Measured("µs", costs)
    instructions: dict[str, dict[str, tuple[int, float]]] = {}
    for source in MEASURED:
        dumps = read_dumps(logs / f"callgrind-{label}-{source}")
        idle = dumps["idle"]
        for phase in chosen:
            if source in costs[phase.name]:
                count = costs[phase.name][source][0]
                cost = (dumps[phase.name] - idle) / 1e6
                instructions.setdefault(phase.name, {})[source] = (count, cost)
    return Measured("M instructions", instructions)


def render(chosen: Sequence[Phase], results: dict[str, Measured], requests: int) -> str:
    """Per query and emulator: the cost of the upstream requests one query made (their number
    in brackets); for Q3 also the sum, what the emulators' shared core spends on one query."""
    labels = list(results)
    unit = results[labels[0]].unit
    header = ["query", "emulator (requests)", *(f"{label}: {unit} per query" for label in labels)]
    if len(labels) == 2:
        header.append("ratio (second / first)")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for phase in chosen:
        latest = results[labels[-1]].costs.get(phase.name, {})
        sources = [s for s in MEASURED if s in latest]
        rows = [
            (
                f"{s} ({latest[s][0] / requests:g})",
                [_per_query(results[label], phase.name, requests, s) for label in labels],
            )
            for s in sources
        ]
        if len(sources) > 1:
            rows.append(
                ("all", [_per_query(results[label], phase.name, requests) for label in labels])
            )
        for source, values in rows:
            cells = [phase.what, source, *(f"{value:,.2f}" for value in values)]
            if len(values) == 2 and values[0]:
                cells.append(f"{values[1] / values[0]:.2f} ×")
            lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        f"- {requests} sequential queries through the gateway per row, the emulators at 0 ms "
        "added latency; upstream requests counted by the emulators",
    ]
    return "\n".join(lines)


def _per_query(measured: Measured, phase: str, requests: int, source: str | None = None) -> float:
    costs = measured.costs[phase]
    chosen = costs.values() if source is None else [costs[source]]
    return sum(cost for _, cost in chosen) / requests


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["--child"]:
        return child(args_list[1], args_list[2:])

    from bench.harness import ROOT
    from bench.instructions import _git, build_helper, export_tree

    parser = argparse.ArgumentParser(prog="python -m bench.emulator_cost", description=__doc__)
    parser.add_argument("--callgrind", action="store_true", help="count instructions instead")
    parser.add_argument("--baseline", default=None, help="a git revision to compare with")
    parser.add_argument("--requests", type=int, default=None, help="queries per row")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up rounds (not counted)")
    parser.add_argument("--customers", type=int, default=300, help="customers per emulator")
    parser.add_argument("--only", default=None, help="comma-separated rows (q2-evershop-100,...)")
    args = parser.parse_args(args_list)
    requests = args.requests or (10 if args.callgrind else 200)
    chosen = phases()
    if args.only:
        wanted = set(args.only.split(","))
        chosen = [phase for phase in chosen if phase.name in wanted]
        if not chosen:
            raise SystemExit(f"no row in {args.only!r}")
    results_dir = ROOT / "bench" / "results"
    logs = results_dir / ("emulator-cost-" + time.strftime("%Y%m%d-%H%M%S"))
    logs.mkdir(parents=True, exist_ok=True)
    helper = build_helper(logs) if args.callgrind else None
    head = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--untracked-files=no", "customer_gateway", "bench")
    print(f"logs in {logs}")
    results: dict[str, Measured] = {}
    with tempfile.TemporaryDirectory(prefix="bench-emulator-cost-") as scratch:
        runs: list[tuple[str, Path | None]] = []
        if args.baseline:
            rev = _git("rev-parse", "--short", args.baseline)
            # Its emulators as its own `bench.emulator` serves them (both first on PYTHONPATH).
            baseline = export_tree(rev, Path(scratch) / rev, ("customer_gateway", "bench"))
            runs.append((f"{args.baseline} ({rev})", baseline))
        runs.append((f"working tree ({head}{', modified' if dirty else ''})", None))
        for index, (label, tree) in enumerate(runs):
            print(f"measuring {label} ...", flush=True)
            results[label] = measure(
                f"run{index}", tree, helper, logs, chosen, requests, args.warmup, args.customers
            )
    table = render(chosen, results, requests)
    (logs / "table.md").write_text(table + "\n")
    (results_dir / "emulator-cost-latest.md").write_text(table + "\n")
    print()
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
