"""The load generators: Debian's `wrk` (closed loop, microsecond percentiles) and `autocannon`
(from the peer's package-lock; `--overallRate` for a fixed request rate). Both run pinned to the
load core, next to the emulators.

A run's answer is a `Result`: completed requests, rate, latency percentiles, and errors
(socket errors, non-200 answers, and 200 answers that carry GraphQL `errors`).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.harness import LOAD_CORE, PEER

_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
local bodies = %(bodies)s
local counter = 0
bad = 0
request = function()
  counter = counter + 1
  local body = bodies[(counter %% #bodies) + 1]
  local unique = tostring(counter) .. "-" .. tostring(math.random(1, 1000000000))
  body = string.gsub(body, "@SEQ@", unique)
  return wrk.format(nil, nil, nil, body)
end
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    bad = bad + 1
  end
end
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end
done = function(summary, latency, requests)
  local total_bad = 0
  for _, thread in ipairs(threads) do
    total_bad = total_bad + thread:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p90_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "socket_errors": %%d, "bad": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout, total_bad))
end
"""


@dataclass(frozen=True, slots=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int  # socket errors + non-200 + GraphQL errors (wrk); errors + non-2xx (autocannon)
    cpu_seconds: float = 0.0  # CPU time of the measured server during the run, when read

    @property
    def per_core_second(self) -> float:
        """Requests per CPU-second of the measured server."""
        return self.requests / self.cpu_seconds if self.cpu_seconds else 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here


def wrk(
    url: str,
    bodies: Sequence[str],
    *,
    connections: int,
    seconds: float,
    threads: int = 1,
) -> Result:
    """Closed loop: `connections` connections, each sending its next request on an answer.

    `@SEQ@` in a body is replaced by a unique value per request (e-mails of created customers).
    """
    run = str(time.time_ns())  # no two runs (warm-up included) make the same e-mails
    bodies = [body.replace("@SEQ@", f"{run}-@SEQ@") for body in bodies]
    script = _LUA % {"bodies": "{" + ", ".join(lua_string(body) for body in bodies) + "}"}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        path = handle.name
    try:
        completed = subprocess.run(
            [
                "taskset",
                "-c",
                LOAD_CORE,
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                path,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        Path(path).unlink()
    line = next(x for x in completed.stdout.splitlines() if x.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=data["socket_errors"] + data["bad"],
    )


def autocannon(
    url: str, body: str, *, rate: float, seconds: float, connections: int = 64
) -> Result:
    """A fixed overall rate (autocannon's `--overallRate`), up to `connections` in flight."""
    completed = subprocess.run(
        [
            "taskset",
            "-c",
            LOAD_CORE,
            str(PEER / "node_modules" / ".bin" / "autocannon"),
            "--json",
            "--connections",
            str(connections),
            "--overallRate",
            str(max(1, round(rate))),
            "--duration",
            str(max(1, round(seconds))),
            "--timeout",
            "10",
            "--method",
            "POST",
            "--headers",
            "content-type=application/json",
            "--body",
            body,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(completed.stdout)
    latency = data["latency"]
    return Result(
        requests=int(data["requests"]["total"]),
        seconds=float(data["duration"]),
        p50_ms=float(latency["p50"]),
        p90_ms=float(latency["p90"]),
        p99_ms=float(latency["p99"]),
        errors=int(data["errors"]) + int(data["timeouts"]) + int(data["non2xx"]),
    )
