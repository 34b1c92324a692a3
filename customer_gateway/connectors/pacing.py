"""Pacing: what an upstream call waits for before it is sent, per source.

`LocalPacing` is one process's view (today's `RateLimiter`: published rate limits and Retry-After
blocks; the bulkhead stays in `UpstreamHTTP`). `SharedPacing` keeps the same promises across every
replica through Redis (`[state] redis_url`):

- the source's published concurrency cap (Shoptet: 3 per token) is a distributed semaphore: a
  sorted set of holders scored by their lease's expiry. A crashed replica's slots expire by
  themselves (`lease` seconds); a long hold (a snapshot download) renews its lease;
- the published rate limits are shared: a sliding window ("at most N in any T seconds") or a
  leaky bucket (Shoptet's, corrected by the fill level it reports);
- a 429's Retry-After blocks the class for every replica.

One admission is one Lua script, one round trip: the block, the rate and the slot are checked and
taken together, or nothing is taken. A slot is given back with a second script that also signals
the replicas waiting for one (pub/sub), so waiters do not poll. Calls of one process queue in a
local FIFO and only its head asks Redis, so a release wakes one caller per replica, not all.

Redis down: each call falls back at once (no timeout per call) to this replica's local share of
every limit: the cap divided by the live replicas last seen (at least 1: Shoptet with 3 replicas
is 1 connection each), each rate divided the same way. Calls in one mode finish before calls in
the other start, so the switch never adds one mode's calls to the other's. When Redis answers
again the shared limits resume by themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import math
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from customer_gateway.connectors.resilience import PROBING, RateLimit, RateLimiter, Throttled
from customer_gateway.state.redis import RedisDown, SharedRedis

logger = logging.getLogger("customer_gateway.upstream")

LEASE_SECONDS = 10.0  # a crashed replica's slot is free again after this long
SIGNAL_WAIT = 0.25  # a waiter for a slot asks again after this long even without a signal


class Saturated(Exception):
    """No slot of the source's cap came free before the deadline."""


@dataclass(slots=True)
class Ticket:
    """One admitted call: how long it waited and what its admission saw."""

    waited: float = 0.0
    sent_at: float = 0.0  # the pacing's clock (Redis time in ms when shared)
    through_block: bool = False  # admitted despite a Retry-After block (the readiness probe)
    local: bool = True  # admitted by this process alone (`sent_at` is its monotonic clock)


class Pacing(Protocol):
    def hold(self, rate_class: str, budget: float) -> AbstractAsyncContextManager[Ticket]:
        """Wait (at most `budget` seconds) for the class's rate and the source's cap; held
        until the block ends. `Throttled` or `Saturated` when the wait would be longer."""
        ...

    async def block(self, rate_class: str, seconds: float) -> None:
        """The source said Retry-After: pause the class (at most `MAX_RETRY_AFTER`)."""
        ...

    async def lift(self, rate_class: str, ticket: Ticket) -> None:
        """A call admitted with `ticket` succeeded: a block set before it was sent ends."""
        ...

    def observe(self, rate_class: str, used: float) -> None:
        """The source reported its bucket's fill level."""
        ...


class LocalPacing:
    """One process: the rate limiter alone (the bulkhead is `UpstreamHTTP`'s semaphore)."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    @asynccontextmanager
    async def hold(self, rate_class: str, budget: float) -> AsyncIterator[Ticket]:
        waited = await self.limiter.acquire(rate_class, budget)
        yield Ticket(waited=waited, sent_at=self.limiter.clock())

    async def block(self, rate_class: str, seconds: float) -> None:
        self.limiter.block(rate_class, seconds)

    async def lift(self, rate_class: str, ticket: Ticket) -> None:
        self.limiter.lift(rate_class, ticket.sent_at)

    def observe(self, rate_class: str, used: float) -> None:
        self.limiter.observe(rate_class, used)


def scaled(rules: Mapping[str, RateLimit], share: float) -> dict[str, RateLimit]:
    """`share` of each rule: what one of several replicas may use alone."""
    return {
        name: RateLimit(
            max(1, math.floor(rule.requests * share)),
            rule.per_seconds,
            rule.drain_per_second * share if rule.drain_per_second else None,
            rule.slow_down_at,
        )
        for name, rule in rules.items()
    }


# KEYS: slots (zset), rate (zset or hash), block (hash). ARGV: cap, lease ms, member, rate kind,
# requests, window ms, drain per ms, bucket threshold, probing, observed level, its age in ms.
# Returns {status, wait ms, now ms, blocked at ms}: 1 admitted, 0 blocked, 2 rate, 3 no slot.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked_at = -1
local b = redis.call('HMGET', KEYS[3], 'until', 'at')
if b[1] then
  local till = tonumber(b[1])
  if till <= now then
    redis.call('DEL', KEYS[3])
  else
    blocked_at = tonumber(b[2])
    if ARGV[9] ~= '1' then return {0, till - now, now, blocked_at} end
  end
end
local kind = ARGV[4]
local requests = tonumber(ARGV[5])
local level = 0
if kind == 'window' then
  local per = tonumber(ARGV[6])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - per)
  if redis.call('ZCARD', KEYS[2]) >= requests then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return {2, math.max(1, tonumber(oldest[2]) + per - now), now, blocked_at}
  end
elseif kind == 'bucket' then
  local drain = tonumber(ARGV[7])
  local state = redis.call('HMGET', KEYS[2], 'level', 'at')
  if state[1] then
    level = math.max(0, tonumber(state[1]) - (now - tonumber(state[2])) * drain)
  end
  local observed = tonumber(ARGV[10])
  if observed >= 0 then
    level = math.max(level, observed - tonumber(ARGV[11]) * drain)
  end
  local threshold = tonumber(ARGV[8])
  if level + 1 > threshold then
    redis.call('HSET', KEYS[2], 'level', tostring(level), 'at', now)
    redis.call('PEXPIRE', KEYS[2], math.ceil(level / drain) + 1000)
    return {2, math.max(1, math.ceil((level + 1 - threshold) / drain)), now, blocked_at}
  end
end
local cap = tonumber(ARGV[1])
if cap > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if redis.call('ZCARD', KEYS[1]) >= cap then return {3, 0, now, blocked_at} end
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
end
if kind == 'window' then
  redis.call('ZADD', KEYS[2], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[6]) + 1000)
elseif kind == 'bucket' then
  redis.call('HSET', KEYS[2], 'level', tostring(level + 1), 'at', now)
  redis.call('PEXPIRE', KEYS[2], math.ceil((level + 1) / tonumber(ARGV[7])) + 1000)
end
return {1, 0, now, blocked_at}
"""

# KEYS: slots. ARGV: member, channel. Frees the slot and wakes the replicas waiting for one.
_RELEASE = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then redis.call('PUBLISH', ARGV[2], '1') end
return 1
"""

# KEYS: slots. ARGV: member, lease ms. 0 when the lease was already lost.
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return 1
"""

# KEYS: block. ARGV: ms. A later block extends an earlier one, never shortens it.
_BLOCK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local till = now + tonumber(ARGV[1])
local current = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if till > current then
  redis.call('HSET', KEYS[1], 'until', till, 'at', now)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 1000)
end
return 1
"""

# KEYS: block. ARGV: the lifting call's admission time (ms). A block set after it stays.
_LIFT = """
local at = redis.call('HGET', KEYS[1], 'at')
if at and tonumber(at) <= tonumber(ARGV[1]) then redis.call('DEL', KEYS[1]) end
return 1
"""

_ADMITTED, _BLOCKED, _RATE, _NO_SLOT = 1, 0, 2, 3
_members = itertools.count()


class SharedPacing:
    """One source's limits shared by every replica through Redis, with a local fallback."""

    def __init__(
        self,
        redis: SharedRedis,
        source: str,
        *,
        cap: int | None,
        rules: Mapping[str, RateLimit],
        lease: float = LEASE_SECONDS,
        clock: Any = time.monotonic,
    ) -> None:
        self.redis = redis
        self.source = source
        self.cap = cap
        self.rules = dict(rules)
        self.lease = lease
        self.clock = clock
        self.slots_key = redis.key("slots", source)
        self.channel = redis.key("released", source)
        self._admit = redis.client.register_script(_ADMIT)
        self._release = redis.client.register_script(_RELEASE)
        self._renew = redis.client.register_script(_RENEW)
        self._block = redis.client.register_script(_BLOCK)
        self._lift = redis.client.register_script(_LIFT)
        self._gate = asyncio.Lock()  # FIFO: only the head of this process's queue asks Redis
        self._modes = {"shared": 0, "local": 0}  # calls in flight by mode
        self._mode_changed = asyncio.Condition()
        self._observed: dict[str, tuple[float, float]] = {}  # class -> (level, when)
        self._fallback_for = 0  # replicas the local share was computed for
        self._fallback_limiter = RateLimiter({})
        self._fallback_slots: asyncio.Semaphore | None = None
        self._releases: set[asyncio.Task[None]] = set()

    # -- the local share ------------------------------------------------------------------

    def local_share(self) -> tuple[int | None, dict[str, RateLimit]]:
        """This replica's part of the cap and of each rate while Redis is down."""
        replicas = max(1, self.redis.replicas)
        cap = None if self.cap is None else max(1, self.cap // replicas)
        return cap, scaled(self.rules, 1 / replicas)

    def _fallback(self) -> tuple[RateLimiter, asyncio.Semaphore | None]:
        replicas = max(1, self.redis.replicas)
        if replicas != self._fallback_for:
            cap, rules = self.local_share()
            self._fallback_for = replicas
            self._fallback_limiter = RateLimiter(rules)
            self._fallback_slots = asyncio.Semaphore(cap) if cap else None
        return self._fallback_limiter, self._fallback_slots

    async def _enter(self, mode: str, deadline: float) -> None:
        """Wait until no call of the other mode is in flight, then count this one."""
        other = "local" if mode == "shared" else "shared"
        async with self._mode_changed:
            if self._modes[other]:
                try:
                    async with asyncio.timeout(max(0.0, deadline - self.clock())):
                        await self._mode_changed.wait_for(lambda: not self._modes[other])
                except TimeoutError:
                    raise Saturated() from None
            self._modes[mode] += 1

    async def _leave(self, mode: str) -> None:
        async with self._mode_changed:
            self._modes[mode] -= 1
            self._mode_changed.notify_all()

    # -- holding ----------------------------------------------------------------------------

    @asynccontextmanager
    async def hold(self, rate_class: str, budget: float) -> AsyncIterator[Ticket]:
        started = self.clock()
        deadline = started + budget
        if self.redis.up:
            member = f"{self.redis.replica}:{next(_members)}"
            try:
                ticket = await self._admit_shared(rate_class, member, started, deadline)
            except RedisDown:
                pass  # this call and the next ones use the local share
            else:
                renewing = asyncio.create_task(self._keep_lease(member)) if self.cap else None
                try:
                    yield ticket
                finally:
                    if renewing is not None:
                        renewing.cancel()
                    await self._leave("shared")
                    if self.cap:
                        self._give_back(member)
                return
        async with self._hold_local(rate_class, started, deadline) as ticket:
            yield ticket

    async def _admit_shared(
        self, rate_class: str, member: str, started: float, deadline: float
    ) -> Ticket:
        rule = self.rules.get(rate_class)
        kind = "" if rule is None else ("bucket" if rule.drain_per_second else "window")
        await self._enter("shared", deadline)
        try:
            try:
                async with asyncio.timeout(max(0.0, deadline - self.clock())):
                    await self._gate.acquire()
            except TimeoutError:
                raise Saturated() from None
            try:
                return await self._ask(rate_class, member, kind, rule, started, deadline)
            finally:
                self._gate.release()
        except BaseException:
            await self._leave("shared")
            raise

    async def _ask(
        self,
        rate_class: str,
        member: str,
        kind: str,
        rule: RateLimit | None,
        started: float,
        deadline: float,
    ) -> Ticket:
        signal = self.redis.signal(self.channel)
        while True:
            signal.clear()
            observed = self._observed.pop(rate_class, None)
            args: list[Any] = [
                self.cap or 0,
                int(self.lease * 1000),
                member,
                kind,
                rule.requests if rule else 0,
                int(rule.per_seconds * 1000) if rule else 0,
                (rule.drain_per_second or 0) / 1000 if rule else 0,
                rule.requests * rule.slow_down_at if rule else 0,
                "1" if PROBING.get() else "0",
                observed[0] if observed else -1,
                int((self.clock() - observed[1]) * 1000) if observed else 0,
            ]
            keys = [self.slots_key, self._rate_key(rate_class), self._block_key(rate_class)]
            reply = await self.redis.run(
                "limits", functools.partial(self._admit, keys=keys, args=args)
            )
            status, wait_ms, now_ms, blocked_at = (int(value) for value in reply)
            if status == _ADMITTED:
                return Ticket(self.clock() - started, float(now_ms), blocked_at >= 0, local=False)
            left = deadline - self.clock()
            if status in (_BLOCKED, _RATE):
                wait = wait_ms / 1000
                if wait > left:
                    raise Throttled(wait)
                await asyncio.sleep(wait)
                continue
            if left <= 0:
                raise Saturated()
            # No slot: wait for a release signal (or ask again after a while: a crashed
            # holder's lease expires without one).
            try:
                async with asyncio.timeout(min(SIGNAL_WAIT, left)):
                    await signal.wait()
            except TimeoutError:
                pass

    async def _keep_lease(self, member: str) -> None:
        """A hold longer than a third of the lease renews it (a snapshot download); short calls
        never get here."""
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                kept = await self.redis.run(
                    "limits",
                    lambda: self._renew(
                        keys=[self.slots_key], args=[member, int(self.lease * 1000)]
                    ),
                )
            except RedisDown:
                return
            if not kept:
                logger.warning("%s: a slot's lease expired while held", self.source)
                return

    def _give_back(self, member: str) -> None:
        """Free the slot without making the finished call wait for the round trip."""

        async def release() -> None:
            with contextlib.suppress(RedisDown):  # down: the lease expires by itself
                await self.redis.run(
                    "limits",
                    lambda: self._release(keys=[self.slots_key], args=[member, self.channel]),
                )

        task = asyncio.create_task(release())
        self._releases.add(task)
        task.add_done_callback(self._releases.discard)

    @asynccontextmanager
    async def _hold_local(
        self, rate_class: str, started: float, deadline: float
    ) -> AsyncIterator[Ticket]:
        limiter, slots = self._fallback()
        await self._enter("local", deadline)
        try:
            await limiter.acquire(rate_class, max(0.0, deadline - self.clock()))
            if slots is None:
                yield Ticket(self.clock() - started, limiter.clock())
                return
            try:
                async with asyncio.timeout(max(0.0, deadline - self.clock())):
                    await slots.acquire()
            except TimeoutError:
                raise Saturated() from None
            try:
                yield Ticket(self.clock() - started, limiter.clock())
            finally:
                slots.release()
        finally:
            await self._leave("local")

    # -- what the source says -----------------------------------------------------------------

    async def block(self, rate_class: str, seconds: float) -> None:
        self._fallback_limiter.block(rate_class, seconds)
        if not self.redis.up:
            return
        with contextlib.suppress(RedisDown):
            await self.redis.run(
                "limits",
                lambda: self._block(keys=[self._block_key(rate_class)], args=[int(seconds * 1000)]),
            )

    async def lift(self, rate_class: str, ticket: Ticket) -> None:
        if ticket.local:
            self._fallback_limiter.lift(rate_class, ticket.sent_at)
            return
        if not ticket.through_block:  # no block when it was admitted: no round trip
            return
        with contextlib.suppress(RedisDown):
            await self.redis.run(
                "limits",
                lambda: self._lift(keys=[self._block_key(rate_class)], args=[int(ticket.sent_at)]),
            )

    def observe(self, rate_class: str, used: float) -> None:
        """Sent with the next admission of the class (no round trip of its own)."""
        self._observed[rate_class] = (used, self.clock())
        self._fallback_limiter.observe(rate_class, used)

    def _rate_key(self, rate_class: str) -> str:
        return self.redis.key("rate", self.source, rate_class)

    def _block_key(self, rate_class: str) -> str:
        return self.redis.key("block", self.source, rate_class)

    async def aclose(self) -> None:
        """Let the last releases reach Redis."""
        if self._releases:
            await asyncio.gather(*self._releases, return_exceptions=True)
