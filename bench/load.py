"""The load generator: Debian's `wrk`, pinned to the load core next to the emulators, in two
modes: closed loop (each connection sends its next request on an answer) and a fixed rate (open
loop: requests go out on a schedule of evenly spaced send times, whatever the answers do).

The fixed rate is wrk's `delay()` hook on a monotonic clock (LuaJIT's ffi): every connection that
is free takes the next send time of one schedule, so requests leave at `rate` per second, evenly
spaced, with up to `connections` in flight. (autocannon's `--overallRate`, used before, is a
per-second quota per connection: every connection fires at the start of each second, so "70 % of
the max rate" arrived as bursts of all connections at once.) A request sent late because every
connection was busy is counted (`late`): its wait is not in the percentiles, so a run with late
requests says so.

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

from bench.harness import LOAD_CORE

_LUA = """
%(pacing)s
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
  local total_bad, total_late = 0, 0
  for _, thread in ipairs(threads) do
    total_bad = total_bad + thread:get("bad")
    total_late = total_late + (thread:get("late") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p90_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "socket_errors": %%d, "bad": %%d, "late": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout, total_bad,
    total_late))
end
"""

# Open loop: one schedule of send times `interval` ms apart; a free connection takes the next.
_PACING = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local interval = %(interval_ms).6f
local next_send = nil
late = 0
delay = function()
  local now = now_ms()
  if next_send == nil then next_send = now end
  local wait = next_send - now
  next_send = next_send + interval
  if wait < -1 then late = late + 1 end
  if wait < 0 then return 0 end
  return wait
end
"""


@dataclass(frozen=True, slots=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int  # socket errors + non-200 answers + 200 answers with GraphQL errors
    cpu_seconds: float = 0.0  # CPU time of the measured server during the run, when read
    late: int = 0  # fixed rate: requests sent more than 1 ms after their time (all busy)

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
    rate: float | None = None,
) -> Result:
    """Closed loop: `connections` connections, each sending its next request on an answer; with
    `rate`, a fixed rate instead (requests per second over all connections, evenly spaced).

    `@SEQ@` in a body is replaced by a unique value per request (e-mails of created customers).
    """
    run = str(time.time_ns())  # no two runs (warm-up included) make the same e-mails
    bodies = [body.replace("@SEQ@", f"{run}-@SEQ@") for body in bodies]
    pacing = "" if rate is None else _PACING % {"interval_ms": 1000.0 * threads / rate}
    script = _LUA % {
        "pacing": pacing,
        "bodies": "{" + ", ".join(lua_string(body) for body in bodies) + "}",
    }
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
        late=data["late"],
    )


def fixed_rate(
    url: str, body: str, *, rate: float, seconds: float, connections: int = 128
) -> Result:
    """`rate` requests per second, evenly spaced (open loop), up to `connections` in flight."""
    return wrk(url, [body], connections=connections, seconds=seconds, rate=rate)
