"""Peak memory of a gateway export of one large Shoptet source.

    python -m bench.export_rss [--customers 1000000]

Starts the Shoptet emulator (customers generated lazily, rate limits off, a short snapshot job) as a
separate uvicorn process on a free 127.0.0.1 port, then exports that source in this process through
`customer_gateway.features.exports.Exports` and `ShoptetConnector` (the snapshot job: webhook,
polls, the streamed gzip JSON Lines result), and prints customers exported, seconds, peak RSS of
this process (getrusage's ru_maxrss and RSS sampled during the run) and the export file's size. The
emulator's own memory is not counted: it is another process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

TOKEN = "bench-shoptet-token"  # the emulator's token for this run; nothing real
WEBHOOK_URL = "https://gateway.bench.invalid/webhooks/shoptet"  # Shoptet needs one registered
TARGET_MB = 150.0


@dataclass(frozen=True, slots=True)
class Result:
    customers: int
    seconds: float
    maxrss_mb: float
    sampled_peak_mb: float | None
    file_bytes: int
    lines: int | None
    status: str


# -- the emulator process -------------------------------------------------------------------


def serve_emulator(port: int, customers: int, seed: int, job_seconds: float) -> None:
    import uvicorn

    from customer_gateway.emulators.shoptet import ShoptetEmulator

    emulator = ShoptetEmulator(
        seed=seed,
        customers=customers,
        token=TOKEN,
        rate_limits=False,
        job_seconds=job_seconds,
    )
    uvicorn.run(emulator.app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def emulator_process(customers: int, seed: int, job_seconds: float) -> Iterator[int]:
    """The emulator in a child process; yields its port once it answers."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "bench.export_rss",
        "--serve-emulator",
        "--port",
        str(port),
        "--customers",
        str(customers),
        "--seed",
        str(seed),
        "--job-seconds",
        str(job_seconds),
    ]
    child = subprocess.Popen(command)
    try:
        deadline = time.monotonic() + 30.0
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"the emulator exited with status {child.returncode}")
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{port}/api/customers/regions",
                    headers={"Shoptet-Private-API-Token": TOKEN},
                    timeout=1.0,
                )
                if answer.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start within 30 s")
            time.sleep(0.1)
        yield port
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


# -- memory ---------------------------------------------------------------------------------


def maxrss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float | None:
    try:
        fields = Path("/proc/self/statm").read_text().split()
    except OSError:
        return None
    return int(fields[1]) * resource.getpagesize() / (1024 * 1024)


class RssSampler:
    """Samples this process's RSS from a thread (the event loop may be busy compressing)."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = current_rss_mb()
            if rss is not None:
                self.peak = rss if self.peak is None else max(self.peak, rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# -- the export -----------------------------------------------------------------------------


async def run_export(port: int, poll_seconds: float, directory: Path) -> tuple[str, int, Path]:
    from customer_gateway.connectors.shoptet import ShoptetConnector
    from customer_gateway.connectors.transport import build_client
    from customer_gateway.features.exports import Exports
    from customer_gateway.server.settings import Secret, SourceSettings, Timeouts

    settings = SourceSettings(
        name="shoptet-bench",
        kind="shoptet",
        base_url=f"http://127.0.0.1:{port}",
        credentials={"token": Secret(TOKEN)},
        options={"webhook_url": WEBHOOK_URL, "job_poll_seconds": [poll_seconds] * 10},
        timeouts=Timeouts(connect=5.0, read=60.0, total=60.0),
    )
    exports = Exports(directory=directory)
    async with build_client(settings) as client:
        connector = ShoptetConnector(settings, client)
        job = exports.start([connector], owner="bench:export-rss")
        assert job.task is not None
        await job.task
    for progress in job.sources:
        if progress.error is not None:
            print(
                f"source {progress.name} failed: {progress.error.code.value}: "
                f"{progress.error.message}",
                file=sys.stderr,
            )
    return job.status.value, job.customers, job.path


def count_lines(path: Path) -> int:
    """Lines of a gzip file, streamed (bounded memory)."""
    inflate = zlib.decompressobj(wbits=31)
    lines = 0
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            lines += inflate.decompress(chunk).count(b"\n")
    return lines + inflate.flush().count(b"\n")


def bench(customers: int, seed: int, job_seconds: float, poll_seconds: float) -> Result:
    with (
        emulator_process(customers, seed, job_seconds) as port,
        tempfile.TemporaryDirectory(prefix="export-rss-") as scratch,
    ):
        directory = Path(scratch) / "exports"
        directory.mkdir()
        with RssSampler() as sampler:
            started = time.perf_counter()
            status, exported, path = asyncio.run(run_export(port, poll_seconds, directory))
            seconds = time.perf_counter() - started
        peak = maxrss_mb()  # before verification reads the file back
        size = path.stat().st_size if path.exists() else 0
        lines = count_lines(path) if path.exists() else None
        return Result(exported, seconds, peak, sampler.peak, size, lines, status)


def table(result: Result, requested: int) -> str:
    sampled = f"{result.sampled_peak_mb:.1f} MB" if result.sampled_peak_mb is not None else "n/a"
    rows = [
        ("customers requested", f"{requested:,}"),
        ("customers exported", f"{result.customers:,}"),
        ("lines in the file", f"{result.lines:,}" if result.lines is not None else "n/a"),
        ("export status", result.status),
        ("seconds", f"{result.seconds:.1f}"),
        ("peak RSS (ru_maxrss)", f"{result.maxrss_mb:.1f} MB"),
        ("peak RSS (sampled)", sampled),
        ("file size", f"{result.file_bytes / (1024 * 1024):.1f} MB"),
        ("target", f"peak RSS <= {TARGET_MB:.0f} MB"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.export_rss", description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--job-seconds", type=float, default=1.0, help="snapshot job duration")
    parser.add_argument("--poll-seconds", type=float, default=0.5, help="wait between polls")
    parser.add_argument("--serve-emulator", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_emulator:
        serve_emulator(args.port, args.customers, args.seed, args.job_seconds)
        return 0
    logging.basicConfig(level=logging.WARNING)
    result = bench(args.customers, args.seed, args.job_seconds, args.poll_seconds)
    print(table(result, args.customers))
    ok = (
        result.status == "COMPLETED"
        and result.customers == args.customers
        and result.lines == args.customers
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
