from __future__ import annotations

import random

import pytest

from customer_gateway.connectors.resilience import (
    MAX_RETRY_AFTER,
    PROBING,
    CircuitBreaker,
    RateLimit,
    RateLimiter,
    RetryBudget,
    RetryPolicy,
    Throttled,
)

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_window_allows_n_then_names_the_wait() -> None:
    clock = Clock()
    limiter = RateLimiter({"auth": RateLimit(requests=8, per_seconds=900)}, clock)
    for _ in range(8):
        assert await limiter.acquire("auth", budget=0) == 0
    clock.now += 100
    with pytest.raises(Throttled) as throttled:
        await limiter.acquire("auth", budget=5)
    assert throttled.value.wait == pytest.approx(800)
    clock.now += 800
    assert await limiter.acquire("auth", budget=0) == 0


async def test_a_leaky_bucket_spaces_calls_above_three_quarters_and_reads_the_fill() -> None:
    clock = Clock()
    limiter = RateLimiter({"bucket": RateLimit(requests=200, drain_per_second=10.0)}, clock)
    limiter.observe("bucket", 150)  # what Shoptet reported
    assert limiter.wait_for("bucket") == pytest.approx(0.1)
    clock.now += 5  # 50 drops drained
    assert limiter.wait_for("bucket") == 0.0


async def test_retry_after_blocks_the_whole_class() -> None:
    clock = Clock()
    limiter = RateLimiter({}, clock)
    limiter.block("api", 30)
    assert limiter.wait_for("api") == 30
    with pytest.raises(Throttled):
        await limiter.acquire("api", budget=10)


def test_breaker_opens_on_failure_share_and_one_probe_closes_it() -> None:
    clock = Clock()
    breaker = CircuitBreaker(min_calls=4, failure_ratio=0.5, open_seconds=30, clock=clock)
    for ok in (True, False, True, False):
        breaker.record(ok)
    assert breaker.state == "open"
    assert breaker.admit() is None
    clock.now += 31
    assert breaker.state == "half_open"
    probe = breaker.admit()
    assert probe is not None
    assert probe.probe
    assert breaker.admit() is None  # one probe at a time
    probe.record(True)
    assert breaker.state == "closed"


def _tripped(clock: Clock, probe_timeout: float = 30.0) -> CircuitBreaker:
    """A breaker opened by failures, its cool-off (30 s) over: half-open."""
    breaker = CircuitBreaker(min_calls=2, open_seconds=30, probe_timeout=probe_timeout, clock=clock)
    for _ in range(2):
        breaker.record(False)
    clock.now += 31
    assert breaker.state == "half_open"
    return breaker


def test_a_probe_released_without_a_verdict_frees_the_slot() -> None:
    clock = Clock()
    breaker = _tripped(clock)
    probe = breaker.admit()
    assert probe is not None
    assert probe.probe
    probe.release()  # e.g. cancelled by the deadline: nothing said about the source
    assert breaker.state == "half_open"
    again = breaker.admit()
    assert again is not None
    assert again.probe
    again.record(True)
    assert breaker.state == "closed"


def test_a_probe_settles_once() -> None:
    clock = Clock()
    breaker = _tripped(clock)
    probe = breaker.admit()
    assert probe is not None
    probe.record(False)
    probe.release()  # the `finally` after a verdict changes nothing
    probe.record(True)
    assert breaker.state == "open"
    assert breaker.retry_in() == 30


def test_a_probe_past_its_timeout_loses_the_slot_to_the_next_call() -> None:
    clock = Clock()
    breaker = _tripped(clock, probe_timeout=10)
    stuck = breaker.admit()
    assert stuck is not None
    clock.now += 5
    assert breaker.admit() is None  # still in flight: one probe at a time
    clock.now += 6
    fresh = breaker.admit()
    assert fresh is not None
    assert fresh.probe
    stuck.release()  # the old probe ending does not free the new one's slot
    assert breaker.admit() is None
    fresh.record(True)
    assert breaker.state == "closed"


def test_calls_while_closed_are_not_probes() -> None:
    breaker = CircuitBreaker(clock=Clock())
    admission = breaker.admit()
    assert admission is not None
    assert not admission.probe
    admission.release()
    assert breaker.state == "closed"


async def test_retry_after_is_capped() -> None:
    clock = Clock()
    limiter = RateLimiter({}, clock)
    limiter.block("api", 99999999999999999999.0)
    assert limiter.wait_for("api") == MAX_RETRY_AFTER == 3600
    limiter.block("api", float("inf"))
    assert limiter.wait_for("api") == MAX_RETRY_AFTER
    clock.now += MAX_RETRY_AFTER
    assert limiter.wait_for("api") == 0


async def test_a_success_sent_after_the_block_lifts_it() -> None:
    clock = Clock()
    limiter = RateLimiter({}, clock)
    sent_before = clock.now
    clock.now += 1
    limiter.block("api", 600)
    limiter.lift("api", sent_before)  # in flight when the 429 came: the block holds
    assert limiter.wait_for("api") == 600
    limiter.lift("api", clock.now)
    assert limiter.wait_for("api") == 0
    assert await limiter.acquire("api", budget=0) == 0


async def test_the_readiness_probe_goes_through_a_block_but_not_a_published_limit() -> None:
    clock = Clock()
    limiter = RateLimiter({"api": RateLimit(requests=1, per_seconds=60)}, clock)
    limiter.block("api", 600)
    probing = PROBING.set(True)
    try:
        assert limiter.wait_for("api") == 0
        assert await limiter.acquire("api", budget=0) == 0
        assert limiter.wait_for("api") == 60  # the published window still applies
    finally:
        PROBING.reset(probing)
    assert limiter.wait_for("api") == 600


def test_old_calls_leave_the_window() -> None:
    clock = Clock()
    breaker = CircuitBreaker(min_calls=4, window=60, clock=clock)
    for _ in range(3):
        breaker.record(False)
    clock.now += 61
    breaker.record(False)
    assert breaker.state == "closed"


def test_retry_budget_and_full_jitter() -> None:
    policy = RetryPolicy(budget_reserve=2)
    budget = RetryBudget(policy)
    assert budget.withdraw()
    assert budget.withdraw()
    assert not budget.withdraw()
    for _ in range(5):
        budget.deposit()
    assert budget.withdraw()
    rng = random.Random(1)
    delays = [policy.backoff(attempt, rng) for attempt in range(1, 8)]
    assert all(0 <= delay <= policy.cap for delay in delays)
