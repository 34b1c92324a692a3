"""Shared protection around every upstream call: rate limits, a circuit breaker, retry budgets.

Numbers (shared/design/reliability.md §6, §10): at most 3 attempts for idempotent reads with
full-jitter exponential back-off (base 100 ms, cap 2 s) inside the request's deadline, a retry
budget of 20 % of a source's requests, Retry-After honoured in both forms (at most 1 hour); a
breaker per source that opens when ≥ 20 calls in 60 s failed at ≥ 50 %, stays open 30 s, then
lets one probe through. Only upstream faults count against a source (unreachable, timeouts,
5xx, 429s), never an answer the caller's input explains (a 4xx, or a 5xx about a value).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

# The monotonic time by which the current upstream call must be done (set per call by the
# request context; a background export leaves it unset and the source's own timeout applies).
DEADLINE: ContextVar[float | None] = ContextVar("upstream_deadline", default=None)

# Set by the readiness probe (/readyz): its calls go out even while a Retry-After blocks their
# class (published limits still apply), so that a success can lift the block early.
PROBING: ContextVar[bool] = ContextVar("readiness_probe", default=False)

# The longest Retry-After honoured, in seconds: a longer one (or an HTTP-date further away) is
# read as this. The gateway then asks again; a success or the readiness probe lifts it sooner.
MAX_RETRY_AFTER = 3600.0

Clock = Callable[[], float]

# Set by the mirror's sync for the calls it makes: the share of each published limit (and of the
# source's connections) background work may use, so live requests keep the rest.
BACKGROUND_SHARE: ContextVar[float | None] = ContextVar("background_share", default=None)


def background_rules(rules: dict[str, RateLimit], share: float) -> dict[str, RateLimit]:
    """The limits a background caller keeps on top of the shared ones: `share` of each rate."""
    scaled = {}
    for name, rule in rules.items():
        requests = max(1, int(rule.requests * share))
        drain = rule.drain_per_second * share if rule.drain_per_second else None
        scaled[name] = RateLimit(requests, rule.per_seconds, drain, rule.slow_down_at)
    return scaled


def remaining(default: float, clock: Clock = time.monotonic) -> float:
    deadline = DEADLINE.get()
    return default if deadline is None else max(0.0, deadline - clock())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    base: float = 0.1
    cap: float = 2.0
    budget_ratio: float = 0.2  # retries allowed per request sent, over time
    budget_reserve: float = 10.0  # retries available before any request earned them

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform(0, min(cap, base · 2^attempt))."""
        return rng.uniform(0.0, min(self.cap, self.base * 2**attempt))


class RetryBudget:
    """Finagle-style: every request deposits `ratio`, every retry withdraws one."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.balance = policy.budget_reserve

    def deposit(self) -> None:
        self.balance = min(self.policy.budget_reserve, self.balance + self.policy.budget_ratio)

    def withdraw(self) -> bool:
        if self.balance < 1.0:
            return False
        self.balance -= 1.0
        return True


@dataclass(eq=False, slots=True)
class Admission:
    """One call the breaker let through; `probe` when it is the half-open breaker's trial call.

    Settle it once: `record` the source's verdict, or `release` it when the call ended without
    one (cancelled, refused before it was sent, a bug). Later calls are no-ops, so
    `finally: admission.release()` after a `record` is safe and covers every way out of a call.
    """

    breaker: CircuitBreaker
    probe: bool
    settled: bool = False

    def record(self, success: bool) -> None:
        if not self.settled:
            self.settled = True
            self.breaker.settle(self, success)

    def release(self) -> None:
        if not self.settled:
            self.settled = True
            self.breaker.settle(self, None)


@dataclass
class CircuitBreaker:
    window: float = 60.0
    min_calls: int = 20
    failure_ratio: float = 0.5
    open_seconds: float = 30.0
    # A probe that has not settled after this long no longer holds the probe slot (a call can
    # hang past every timeout, e.g. a body that drips): the next call probes instead.
    probe_timeout: float = 30.0
    clock: Clock = time.monotonic
    _calls: deque[tuple[float, bool]] = field(default_factory=deque)
    _failures: int = 0  # failures in `_calls`, kept as calls come and go (no rescan per call)
    _opened_at: float | None = None
    _probe: Admission | None = None  # the half-open trial call in flight, if any
    _probe_started: float = 0.0

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self.clock() - self._opened_at < self.open_seconds:
            return "open"
        return "half_open"

    def retry_in(self) -> float:
        if self._opened_at is None:
            return 0.0
        return max(0.0, self._opened_at + self.open_seconds - self.clock())

    def admit(self) -> Admission | None:
        """Let a call through (closed; or half-open with the probe slot free), else None."""
        state = self.state
        if state == "closed":
            return Admission(self, probe=False)
        if state == "open":
            return None
        now = self.clock()
        if self._probe is not None and now - self._probe_started < self.probe_timeout:
            return None  # half-open: exactly one probe at a time
        self._probe = Admission(self, probe=True)
        self._probe_started = now
        return self._probe

    def settle(self, admission: Admission, success: bool | None) -> None:
        """`admission` ended: with the source's verdict, or None when it has none. Only the
        probe that holds the slot frees it (one that outlived `probe_timeout` no longer does)."""
        if self._probe is admission:
            self._probe = None
        if success is not None:
            self.record(success)

    def record(self, success: bool) -> None:
        now = self.clock()
        if self._opened_at is not None:
            if success:
                self._opened_at = None
                self._calls.clear()
                self._failures = 0
            else:
                self._opened_at = now
            return
        self._calls.append((now, success))
        if not success:
            self._failures += 1
        while self._calls and now - self._calls[0][0] > self.window:
            if not self._calls.popleft()[1]:
                self._failures -= 1
        failures = self._failures
        if len(self._calls) >= self.min_calls and failures >= self.failure_ratio * len(self._calls):
            self._opened_at = now


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `requests` in any `per_seconds` window (safe whatever the upstream's window
    alignment), or, with `drain_per_second`, a leaky bucket of `requests` drops."""

    requests: int
    per_seconds: float = 60.0
    drain_per_second: float | None = None
    slow_down_at: float = 0.75  # leaky bucket: fill share above which calls are spaced out


class _Window:
    def __init__(self, rule: RateLimit, clock: Clock) -> None:
        self.rule = rule
        self.clock = clock
        self.sent: deque[float] = deque()

    def wait(self) -> float:
        now = self.clock()
        while self.sent and now - self.sent[0] >= self.rule.per_seconds:
            self.sent.popleft()
        if len(self.sent) < self.rule.requests:
            return 0.0
        return self.sent[0] + self.rule.per_seconds - now

    def take(self) -> None:
        self.sent.append(self.clock())


class _Bucket:
    """A leaky bucket whose level the upstream reports (Shoptet's X-RateLimit-Bucket-Filling)."""

    def __init__(self, rule: RateLimit, clock: Clock) -> None:
        assert rule.drain_per_second
        self.rule = rule
        self.drain = rule.drain_per_second
        self.clock = clock
        self.level = 0.0
        self.at = clock()

    def _now_level(self) -> float:
        now = self.clock()
        self.level = max(0.0, self.level - (now - self.at) * self.drain)
        self.at = now
        return self.level

    def wait(self) -> float:
        level = self._now_level()
        threshold = self.rule.requests * self.rule.slow_down_at
        return 0.0 if level + 1 <= threshold else (level + 1 - threshold) / self.drain

    def take(self) -> None:
        self._now_level()
        self.level += 1

    def observe(self, used: float) -> None:
        self._now_level()
        self.level = used


class Throttled(Exception):
    """The wait for a rate-limit slot would outlast the deadline."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"rate limited for {wait:.1f} s")
        self.wait = wait


class RateLimiter:
    """Waits before a request the upstream would refuse; refuses itself when the wait would
    outlast the request's deadline (no call is sent)."""

    def __init__(self, rules: dict[str, RateLimit], clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self._limits: dict[str, _Window | _Bucket] = {
            name: _Bucket(rule, clock) if rule.drain_per_second else _Window(rule, clock)
            for name, rule in rules.items()
        }
        self._blocked_until: dict[str, float] = {}
        self._blocked_at: dict[str, float] = {}
        self._lock = asyncio.Lock()

    def block(self, name: str, seconds: float) -> None:
        """The upstream said Retry-After: every caller of this class waits it out (at most
        `MAX_RETRY_AFTER`: a wrong or hostile header must not stop a source until restart)."""
        now = self.clock()
        until = now + min(max(0.0, seconds), MAX_RETRY_AFTER)
        if until > self._blocked_until.get(name, 0.0):
            self._blocked_until[name] = until
            self._blocked_at[name] = now

    def lift(self, name: str, sent_at: float) -> None:
        """A call of this class sent at `sent_at` succeeded: a Retry-After that came before it
        was sent no longer holds (one answered while it was in flight still does)."""
        blocked_at = self._blocked_at.get(name)
        if blocked_at is not None and sent_at >= blocked_at:
            del self._blocked_until[name], self._blocked_at[name]

    def observe(self, name: str, used: float) -> None:
        limit = self._limits.get(name)
        if isinstance(limit, _Bucket):
            limit.observe(used)

    def wait_for(self, name: str) -> float:
        blocked = 0.0
        if not PROBING.get():
            blocked = max(0.0, self._blocked_until.get(name, 0.0) - self.clock())
        limit = self._limits.get(name)
        return max(blocked, limit.wait() if limit is not None else 0.0)

    def unlimited(self, name: str) -> bool:
        """No published limit for this class and no Retry-After block on it."""
        return name not in self._limits and name not in self._blocked_until

    async def acquire(self, name: str, budget: float) -> float:
        """Wait for a slot and take it; the seconds waited. `Throttled` (nothing taken) when the
        wait would take longer than `budget`."""
        if name not in self._limits and name not in self._blocked_until:
            return 0.0
        waited = 0.0
        async with self._lock:  # one waiter at a time keeps the order fair
            while True:
                wait = self.wait_for(name)
                if wait <= 0:
                    limit = self._limits.get(name)
                    if limit is not None:
                        limit.take()
                    return waited
                if waited + wait > budget:
                    raise Throttled(wait)
                await asyncio.sleep(wait)
                waited += wait
