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
taken together, or nothing is taken. Calls of one process queue in a local FIFO and only its head
asks Redis, so a release wakes one caller per replica, not all. Round trips per upstream call stay
at one or less: the head of the queue asks for a slot for every call of this replica waiting
(as many as the cap, the rate and the other replicas' turn allow come back in one round trip;
the next calls take theirs without asking), and a slot is not given back on its own while this
replica has a call waiting: the freed slot rides along with the waiter's admission (the script
frees it, then admits), so the hand-off costs the admission only. Otherwise slots are given back
by a release script (the releases of one moment share one round trip) that signals the replicas
waiting (pub/sub), so waiters do not poll.

Hand-offs must not starve the other replicas: a replica that finds no slot joins a queue in Redis
(one entry per replica), and a free slot goes to the waiting replica that holds the fewest slots
(the earliest in the queue on a tie). A replica admitted with more calls still waiting goes to the
back of that queue, so under contention the replicas share the cap evenly and take turns. A replica
that stops asking (it crashed, or its calls gave up) leaves the queue after `WAITER_SECONDS`.

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
RELEASE_LINGER = 0.005  # a freed slot nobody of this replica waits for is given back after this
WAITER_SECONDS = 1.0  # a replica in the slot queue that has not asked for this long is dropped


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


# KEYS: slots (zset), rate (zset or hash), block (hash), waiting replicas (zset, by turn), when
# each waiting replica last asked (hash). ARGV: cap, lease ms, the members asking (one per call
# of this replica waiting, space-separated: as many are admitted as the limits allow, in order),
# rate kind, requests, window ms, drain per ms, bucket threshold, probing, observed level, its
# age in ms, replica, calls of this replica waiting, release channel, waiter ms, then the
# members whose slots this replica gives back first (hand-offs).
# Returns {status, wait ms, now ms, blocked at ms, admitted}: 1 admitted, 0 blocked, 2 rate,
# 3 no slot.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wanted = {}
for member in string.gmatch(ARGV[3], '%S+') do wanted[#wanted + 1] = member end
local n = #wanted
local released = 0
for i = 16, #ARGV do released = released + redis.call('ZREM', KEYS[1], ARGV[i]) end
local function refused(reply)
  if released > 0 then redis.call('PUBLISH', ARGV[14], '1') end
  return reply
end
local blocked_at = -1
local b = redis.call('HMGET', KEYS[3], 'until', 'at')
if b[1] then
  local till = tonumber(b[1])
  if till <= now then
    redis.call('DEL', KEYS[3])
  else
    blocked_at = tonumber(b[2])
    if ARGV[9] ~= '1' then return refused({0, till - now, now, blocked_at}) end
  end
end
local kind = ARGV[4]
local requests = tonumber(ARGV[5])
local level = 0
if kind == 'window' then
  local per = tonumber(ARGV[6])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - per)
  local used = redis.call('ZCARD', KEYS[2])
  if used >= requests then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return refused({2, math.max(1, tonumber(oldest[2]) + per - now), now, blocked_at})
  end
  n = math.min(n, requests - used)
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
    return refused({2, math.max(1, math.ceil((level + 1 - threshold) / drain)), now, blocked_at})
  end
  n = math.min(n, math.max(1, math.floor(threshold - level)))
end
local cap = tonumber(ARGV[1])
if cap > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  local me = ARGV[12]
  local waiter_ms = tonumber(ARGV[15])
  local seen = redis.call('HGETALL', KEYS[5])
  for i = 1, #seen, 2 do
    if tonumber(seen[i + 1]) < now - waiter_ms then
      redis.call('HDEL', KEYS[5], seen[i])
      redis.call('ZREM', KEYS[4], seen[i])
    end
  end
  local holders = redis.call('ZRANGE', KEYS[1], 0, -1)
  local free = cap - #holders
  -- A free slot goes to the waiting replica holding the fewest (in queue order on a tie):
  -- count the replicas that come before this one.
  local before = 0
  if free > 0 then
    local held = {}
    for _, member in ipairs(holders) do
      local replica = string.match(member, '^(.*):[^:]*$')
      held[replica] = (held[replica] or 0) + 1
    end
    local mine = held[me] or 0
    local queue = redis.call('ZRANGE', KEYS[4], 0, -1)
    local queued = false
    for _, replica in ipairs(queue) do
      if replica == me then
        queued = true
      else
        local theirs = held[replica] or 0
        if theirs < mine or (theirs == mine and not queued) then before = before + 1 end
      end
    end
  end
  if free <= before then
    redis.call('ZADD', KEYS[4], 'NX', now, me)
    redis.call('HSET', KEYS[5], me, now)
    redis.call('PEXPIRE', KEYS[4], waiter_ms * 2)
    redis.call('PEXPIRE', KEYS[5], waiter_ms * 2)
    if free > 0 then released = released + 1 end  -- a slot is free for a replica before: wake it
    return refused({3, 0, now, blocked_at})
  end
  n = math.min(n, free - before)
  for i = 1, n do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), wanted[i]) end
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  local more = tonumber(ARGV[13]) > n
  if more then
    redis.call('ZADD', KEYS[4], now, me)  -- its turn is used: to the back of the queue
    redis.call('HSET', KEYS[5], me, now)
    redis.call('PEXPIRE', KEYS[4], waiter_ms * 2)
    redis.call('PEXPIRE', KEYS[5], waiter_ms * 2)
  else
    redis.call('ZREM', KEYS[4], me)
    redis.call('HDEL', KEYS[5], me)
  end
  if free > n and redis.call('ZCARD', KEYS[4]) > (more and 1 or 0) then
    redis.call('PUBLISH', ARGV[14], '1')  -- slots left for the replicas queued behind
  end
end
if kind == 'window' then
  for i = 1, n do redis.call('ZADD', KEYS[2], now, wanted[i]) end
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[6]) + 1000)
elseif kind == 'bucket' then
  redis.call('HSET', KEYS[2], 'level', tostring(level + n), 'at', now)
  redis.call('PEXPIRE', KEYS[2], math.ceil((level + n) / tonumber(ARGV[7])) + 1000)
end
return {1, 0, now, blocked_at, n}
"""

# KEYS: slots, waiting replicas, when each last asked. ARGV: channel, replica, leave the queue
# ('1'/'0'), then the members whose slots are given back. Wakes the replicas waiting for one.
_RELEASE = """
local released = 0
for i = 4, #ARGV do released = released + redis.call('ZREM', KEYS[1], ARGV[i]) end
if ARGV[3] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[2])
  redis.call('HDEL', KEYS[3], ARGV[2])
end
if released > 0 or ARGV[3] == '1' then redis.call('PUBLISH', ARGV[1], '1') end
return released
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
        self.waiters_key = redis.key("waiting", source)
        self.asked_key = redis.key("asked", source)
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
        # Hand-offs: slots freed while a call of this replica waits ride along with its
        # admission instead of a release round trip of their own.
        self._queued = 0  # calls of this replica waiting to be admitted (shared mode)
        self._freed: list[str] = []  # members whose slots are still held in Redis, to give back
        self._rate_wait = False  # the head sleeps for the rate or a block: no hand-off then
        self._in_queue = False  # Redis lists this replica among those waiting for a slot
        self._held = 0  # slots of the cap this replica's calls hold (shared mode)
        self._flushing = False
        # Batched admissions: the head asks for a slot for every call of this replica waiting;
        # what it got beyond its own waits here for the next calls (no round trip of theirs).
        self._spare: dict[str, list[tuple[str, float, bool]]] = {}  # class -> (member, at, block)

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
            try:
                ticket, member = await self._admit_shared(rate_class, started, deadline)
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
        self, rate_class: str, started: float, deadline: float
    ) -> tuple[Ticket, str]:
        """This call's ticket and the member (its slot's name in Redis)."""
        rule = self.rules.get(rate_class)
        kind = "" if rule is None else ("bucket" if rule.drain_per_second else "window")
        await self._enter("shared", deadline)
        self._queued += 1
        try:
            try:
                async with asyncio.timeout(max(0.0, deadline - self.clock())):
                    await self._gate.acquire()
            except TimeoutError:
                raise Saturated() from None
            try:
                spare = self._spare.get(rate_class)
                if spare:  # admitted with an earlier call's batch
                    member, at, through_block = spare.pop(0)
                    return Ticket(self.clock() - started, at, through_block, local=False), member
                return await self._ask(rate_class, kind, rule, started, deadline)
            finally:
                self._gate.release()
        except BaseException:
            await self._leave("shared")
            raise
        finally:
            self._queued -= 1
            if not self._queued:
                for spare in self._spare.values():  # calls that gave up: their slots go back
                    self._held -= len(spare)
                    self._freed.extend(member for member, _, _ in spare)
                self._spare.clear()
                if self._freed or self._in_queue:
                    self._flush()  # nobody left to hand slots to (or to wait in Redis's queue)

    async def _ask(
        self,
        rate_class: str,
        kind: str,
        rule: RateLimit | None,
        started: float,
        deadline: float,
    ) -> tuple[Ticket, str]:
        signal = self.redis.signal(self.channel)
        if self.cap and self._in_queue and self._held and not self._freed:
            # Every slot was taken when this replica last asked, and one of its own calls holds
            # one: its release (a hand-off) or another replica's wakes this call, not a round
            # trip that would find no slot.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(SIGNAL_WAIT, max(0.0, deadline - self.clock()))):
                    await signal.wait()
        while True:
            signal.clear()
            observed = self._observed.pop(rate_class, None)
            # A slot for each call of this replica waiting (the probe asks for itself alone).
            asking = min(self._queued, self.cap) if self.cap and not PROBING.get() else 1
            members = [f"{self.redis.replica}:{next(_members)}" for _ in range(asking)]
            args: list[Any] = [
                self.cap or 0,
                int(self.lease * 1000),
                " ".join(members),
                kind,
                rule.requests if rule else 0,
                int(rule.per_seconds * 1000) if rule else 0,
                (rule.drain_per_second or 0) / 1000 if rule else 0,
                rule.requests * rule.slow_down_at if rule else 0,
                "1" if PROBING.get() else "0",
                observed[0] if observed else -1,
                int((self.clock() - observed[1]) * 1000) if observed else 0,
            ]
            freed, self._freed = self._freed, []
            args += [
                self.redis.replica,
                self._queued,  # calls of this replica waiting, this one included
                self.channel,
                int(WAITER_SECONDS * 1000),
                *freed,
            ]
            keys = [
                self.slots_key,
                self._rate_key(rate_class),
                self._block_key(rate_class),
                self.waiters_key,
                self.asked_key,
            ]
            reply = await self.redis.run(
                "limits", functools.partial(self._admit, keys=keys, args=args)
            )
            status, wait_ms, now_ms, blocked_at = (int(value) for value in reply[:4])
            if status == _ADMITTED:
                admitted = int(reply[4])
                if self.cap:
                    self._in_queue = self._queued > admitted
                    self._held += admitted
                    if admitted > 1:
                        self._spare.setdefault(rate_class, []).extend(
                            (extra, float(now_ms), blocked_at >= 0) for extra in members[1:admitted]
                        )
                ticket = Ticket(self.clock() - started, float(now_ms), blocked_at >= 0, local=False)
                return ticket, members[0]
            if status == _NO_SLOT:
                self._in_queue = True
            left = deadline - self.clock()
            if status in (_BLOCKED, _RATE):
                wait = wait_ms / 1000
                if wait > left:
                    raise Throttled(wait)
                # A slot freed meanwhile is not kept idle for the length of the wait.
                self._rate_wait = True
                if self._freed:
                    self._flush()
                try:
                    await asyncio.sleep(wait)
                finally:
                    self._rate_wait = False
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
        """Free the slot without making the finished call wait for a round trip: handed to the
        next call of this replica when one waits, else released (with the others of the moment)."""
        self._held -= 1
        self._freed.append(member)
        if self._queued and not self._rate_wait:
            self.redis.signal(self.channel).set()  # the head asks now, giving this slot back
            return
        self._flush()

    def _flush(self) -> None:
        """One release round trip for every slot freed so far (and leaving Redis's queue of
        waiting replicas when no call of this replica waits any more)."""
        if self._flushing:
            return  # the running flush loops until nothing is left
        self._flushing = True

        async def release() -> None:
            try:
                # The releases of the next few milliseconds go together, and a call that comes
                # meanwhile (a page's detail reads after its list) takes the slot with its
                # admission: a slot idles at most this long, for one round trip less.
                await asyncio.sleep(RELEASE_LINGER)
                while self._freed or (self._in_queue and not self._queued):
                    if self._queued and not self._rate_wait:
                        # A call waits now: it hands them off with its admission.
                        self.redis.signal(self.channel).set()
                        return
                    freed, self._freed = self._freed, []
                    leave = self._in_queue and not self._queued
                    self._in_queue = self._in_queue and not leave
                    args = [self.channel, self.redis.replica, "1" if leave else "0", *freed]
                    keys = [self.slots_key, self.waiters_key, self.asked_key]
                    with contextlib.suppress(RedisDown):  # down: the leases expire by themselves
                        await self.redis.run(
                            "limits", functools.partial(self._release, keys=keys, args=args)
                        )
            finally:
                self._flushing = False

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
        # The local share is a slice of the bucket: the level the source reports, sliced alike
        # (the whole level against a halved bucket would read as nearly full).
        self._fallback_limiter.observe(rate_class, used / max(1, self._fallback_for))

    def _rate_key(self, rate_class: str) -> str:
        return self.redis.key("rate", self.source, rate_class)

    def _block_key(self, rate_class: str) -> str:
        return self.redis.key("block", self.source, rate_class)

    async def aclose(self) -> None:
        """Let the last releases reach Redis."""
        if self._freed or self._in_queue:
            self._flush()
        while self._releases:
            await asyncio.gather(*self._releases, return_exceptions=True)
