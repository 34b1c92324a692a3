from __future__ import annotations

import random

import pytest

from customer_gateway.connectors.resilience import (
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
    assert not breaker.allow()
    clock.now += 31
    assert breaker.state == "half_open"
    assert breaker.allow()
    assert not breaker.allow()  # one probe at a time
    breaker.record(True)
    assert breaker.state == "closed"


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
