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
well under one:

- the head asks for a rate token for every call of its class waiting and a slot for each (as
  many as the cap and the other replicas' turn allow); the next calls take theirs without
  asking. A leaky bucket's tokens are reserved up to `RESERVE_SECONDS` ahead, each with the
  moment it may be sent (taken now, a token is the level it will be then: the bucket drains
  alike), so a call at the bucket's threshold waits for its token instead of asking again;
  a window's tokens are taken only with a slot (an entry says when a call is sent);
- a slot freed while a call of this replica waits goes to that call. While no other replica
  waits for a slot it changes hands here, without Redis; a replica that joins the queue in Redis
  publishes it, and every admission says how many others wait, so holders stop at once. Local
  hand-offs are bounded (`HANDOFF_SECONDS` after Redis leased the slot, at most a third of the
  lease, and `HANDOFF_MAX` times) so a lost message cannot keep a slot here; a crashed replica's
  slots still expire with their lease. Otherwise the freed slot rides along with the waiting
  call's admission (the script frees it, then admits), and the queue decides who gets it;
- a slot nobody here waits for lingers `RELEASE_LINGER` (a page's detail reads after its list
  take it), then a release script gives back the slots of the moment in one round trip and
  signals the replicas waiting (pub/sub), so waiters do not poll.

Hand-offs must not starve the other replicas: a replica that finds no slot joins a queue in Redis
(one entry per replica), and a free slot goes to the waiting replica that holds the fewest slots
(the earliest in the queue on a tie). A replica admitted with more calls still waiting goes to the
back of that queue, so under contention the replicas share the cap evenly and take turns. A replica
that stops asking (it crashed, or its calls gave up) leaves the queue after `WAITER_SECONDS`.
Reserved tokens do not pass a block (a Retry-After drops them, on every replica: the block is
published) nor a reported level above what the reservations allow for.

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
from collections import Counter
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
# A slot changes hands between calls of one replica without Redis for at most this long after
# Redis last leased it (and at most a third of the lease, so the lease never runs out in between)
# and at most this many times; then it goes back through Redis, whose queue decides. The bound
# for a replica whose "I wait" message was lost.
HANDOFF_SECONDS = 1.0
HANDOFF_MAX = 64
TOKEN_SECONDS = 2.0  # a rate token reserved for a waiting call is dropped after this long
RESERVE_SECONDS = 1.0  # a bucket's tokens are reserved this far ahead (calls wait for them)


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

    def ready(self, rate_class: str) -> Ticket | None:
        """The ticket `hold` would give at once, with nothing to hold or give back, when
        nothing can make a call of this class wait (no limit, no block, no shared cap); else
        None, and the call goes through `hold`."""
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

    def ready(self, rate_class: str) -> Ticket | None:
        # `acquire` takes nothing and waits for nothing for such a class (a source without
        # published limits, or `rate_limits = false`): no context manager per call.
        if self.limiter.unlimited(rate_class):
            return Ticket(sent_at=self.limiter.clock())
        return None

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
# each waiting replica last asked (hash). ARGV: cap, lease ms, the members asking for a slot
# (space-separated, possibly none: as many are admitted as the cap and the other replicas' turn
# allow, in order), rate kind, requests, window ms, drain per ms, bucket threshold, probing,
# observed level, its age in ms, replica, calls of this replica waiting, channel, waiter ms,
# tokens of the rate asked for (as many are taken as the rate allows, a bucket's up to the
# horizon; none asked: the rate is not looked at), slots this replica already has free for its
# waiting calls, a unique prefix for this admission's window entries, the horizon (ms: how far
# ahead a bucket's tokens are reserved), then the members whose slots this replica gives back
# first. The head's needs (a slot when it asks for any, a token when it asks for any) are met
# together or nothing is taken; no slot is taken while the head's token is one to wait for.
# Returns {status, wait ms, now ms, blocked at ms, slots, tokens, other replicas waiting, this
# replica queued (1, 0, -1 unchanged), excess ms (the k-th token of a bucket may be sent after
# excess + k / drain ms)}: status 1 admitted, 0 blocked, 2 rate, 3 no slot.
# Messages on the channel: '1' a slot is free, 'w <ms> <replica>' a replica joined the queue
# (holders stop handing their slots to their own calls), 'b' a block was set.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wanted = {}
for member in string.gmatch(ARGV[3], '%S+') do wanted[#wanted + 1] = member end
local tokens = tonumber(ARGV[16])
local here = tonumber(ARGV[17])
local me = ARGV[12]
local cap = tonumber(ARGV[1])
local waiter_ms = tonumber(ARGV[15])
local released = 0
for i = 20, #ARGV do released = released + redis.call('ZREM', KEYS[1], ARGV[i]) end
local others = 0
if cap > 0 then
  local seen = redis.call('HGETALL', KEYS[5])
  for i = 1, #seen, 2 do
    if tonumber(seen[i + 1]) < now - waiter_ms then  -- it stopped asking: out of the queue
      redis.call('HDEL', KEYS[5], seen[i])
      redis.call('ZREM', KEYS[4], seen[i])
    end
  end
  others = redis.call('ZCARD', KEYS[4])
  if redis.call('ZSCORE', KEYS[4], me) then others = others - 1 end
end
local function refused(reply, queued)
  if released > 0 then redis.call('PUBLISH', ARGV[14], '1') end
  reply[5] = 0
  reply[6] = 0
  reply[7] = others
  reply[8] = queued
  reply[9] = 0
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
    if ARGV[9] ~= '1' then return refused({0, till - now, now, blocked_at}, -1) end
  end
end
local kind = ARGV[4]
local requests = tonumber(ARGV[5])
local nt = tokens
local level = 0
local excess = -1e12
local ready = tokens  -- tokens to be sent at once (a slot is taken for no other)
if tokens > 0 and kind == 'window' then
  local per = tonumber(ARGV[6])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - per)
  local used = redis.call('ZCARD', KEYS[2])
  if used >= requests then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return refused({2, math.max(1, tonumber(oldest[2]) + per - now), now, blocked_at}, -1)
  end
  nt = math.min(nt, requests - used)
  ready = nt
elseif tokens > 0 and kind == 'bucket' then
  local drain = tonumber(ARGV[7])
  local state = redis.call('HMGET', KEYS[2], 'level', 'at')
  if state[1] then
    level = math.max(0, tonumber(state[1]) - (now - tonumber(state[2])) * drain)
  end
  local observed = tonumber(ARGV[10])
  if observed >= 0 then
    level = math.max(level, observed - tonumber(ARGV[11]) * drain)
  end
  -- The k-th token may be sent once the bucket drained below the threshold for it:
  -- after excess + k / drain ms. Taken now, it is the level it will be then (a leaky bucket
  -- drains alike), so a call can wait for its token here instead of asking again.
  excess = (level - tonumber(ARGV[8])) / drain
  local horizon = tonumber(ARGV[19])
  if excess + 1 / drain > horizon then
    redis.call('HSET', KEYS[2], 'level', tostring(level), 'at', now)
    redis.call('PEXPIRE', KEYS[2], math.ceil(level / drain) + 1000)
    return refused({2, math.max(1, math.ceil(excess + 1 / drain)), now, blocked_at}, -1)
  end
  nt = math.min(nt, math.max(1, math.floor((horizon - excess) * drain)))
  ready = math.max(0, math.min(nt, math.floor(-excess * drain)))
end
local ns = 0
local queued = -1
local asked = #wanted
if tokens > 0 then asked = math.min(asked, ready) end
if cap > 0 and asked > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
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
    local queued_me = false
    for _, replica in ipairs(queue) do
      if replica == me then
        queued_me = true
      else
        local theirs = held[replica] or 0
        if theirs < mine or (theirs == mine and not queued_me) then before = before + 1 end
      end
    end
  end
  if free <= before then
    local joined = redis.call('ZADD', KEYS[4], 'NX', now, me)
    redis.call('HSET', KEYS[5], me, now)
    redis.call('PEXPIRE', KEYS[4], waiter_ms * 2)
    redis.call('PEXPIRE', KEYS[5], waiter_ms * 2)
    if joined == 1 then redis.call('PUBLISH', ARGV[14], 'w ' .. now .. ' ' .. me) end
    if free > 0 then released = released + 1 end  -- a slot is free for a replica before: wake it
    return refused({3, 0, now, blocked_at}, 1)
  end
  ns = math.min(asked, free - before)
  for i = 1, ns do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), wanted[i]) end
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  local more = tonumber(ARGV[13]) > ns + here
  if more then
    -- its turn is used: to the back of the queue (and the holders hear that it waits)
    local joined = redis.call('ZADD', KEYS[4], now, me)
    redis.call('HSET', KEYS[5], me, now)
    redis.call('PEXPIRE', KEYS[4], waiter_ms * 2)
    redis.call('PEXPIRE', KEYS[5], waiter_ms * 2)
    if joined == 1 then redis.call('PUBLISH', ARGV[14], 'w ' .. now .. ' ' .. me) end
    queued = 1
  else
    redis.call('ZREM', KEYS[4], me)
    redis.call('HDEL', KEYS[5], me)
    queued = 0
  end
  if free > ns and redis.call('ZCARD', KEYS[4]) > (more and 1 or 0) then
    redis.call('PUBLISH', ARGV[14], '1')  -- slots left for the replicas queued behind
  end
end
if kind == 'window' and cap > 0 then
  -- A window's entry says when the call is sent: none taken for a call that waits for a slot.
  nt = math.min(nt, ns + here)
end
if kind == 'window' then
  for i = 1, nt do redis.call('ZADD', KEYS[2], now, ARGV[18] .. i) end
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[6]) + 1000)
elseif kind == 'bucket' and nt > 0 then
  redis.call('HSET', KEYS[2], 'level', tostring(level + nt), 'at', now)
  redis.call('PEXPIRE', KEYS[2], math.ceil((level + nt) / tonumber(ARGV[7])) + 1000)
end
if released > 0 and #wanted == 0 then
  redis.call('PUBLISH', ARGV[14], '1')  -- given back, none taken: a slot is free for the others
end
return {1, 0, now, blocked_at, ns, nt, others, queued, math.max(-1e9, math.floor(excess))}
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

# KEYS: block. ARGV: ms, channel. A later block extends an earlier one, never shortens it; the
# replicas hear of it (they drop the rate tokens they reserved before it).
_BLOCK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local till = now + tonumber(ARGV[1])
local current = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if till > current then
  redis.call('HSET', KEYS[1], 'until', till, 'at', now)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 1000)
  redis.call('PUBLISH', ARGV[2], 'b')
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


@dataclass(slots=True, frozen=True)
class _Token:
    """A call's share of the class's rate, taken by an admission (possibly another call's)."""

    at: float  # Redis time (ms) it counts from: a block set after it is not lifted by it
    through_block: bool
    not_before: float  # this clock: a bucket's reserved token is sent no earlier


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
        # Hand-offs: a slot freed while a call of this replica waits goes to that call. While no
        # other replica waits for a slot (the queue in Redis; `_contended_at`) it changes hands
        # here, with no round trip (bounded: `HANDOFF_SECONDS` after Redis last leased it,
        # `HANDOFF_MAX` times); otherwise it rides along with the waiting call's admission, and
        # the queue in Redis decides who takes it.
        self._queued: Counter[str] = Counter()  # calls of this replica waiting, by rate class
        self._idle: list[str] = []  # members held in Redis that no call of this replica uses
        self._leased: dict[str, tuple[float, int]] = {}  # member -> (leased at, local hand-offs)
        self._freed: list[str] = []  # members whose slots are still held in Redis, to give back
        self._rate_wait = False  # the head sleeps for the rate or a block: no hand-off then
        self._in_queue = False  # Redis lists this replica among those waiting for a slot
        self._held = 0  # slots of the cap this replica holds in Redis (in use or idle)
        # Redis time (ms) of the latest news that another replica waits for a slot (an admission
        # that saw it queued, or its message); None: nobody else waited at the last admission.
        self._contended_at: float | None = None
        self._redis_now = (0.0, 0.0)  # (Redis ms, this clock) at the last admission
        self._flushing = False
        # Batched admissions: the head asks for a rate token for every call of its class waiting
        # (a slot for as many as the cap allows); tokens beyond its own wait here for the next
        # calls, which then need nothing from Redis when a slot changes hands here.
        self._tokens: dict[str, list[_Token]] = {}
        redis.on_message(self.channel, self._heard)

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

    def ready(self, rate_class: str) -> Ticket | None:
        return None  # every admission goes through the shared queue

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
        self._queued[rate_class] += 1
        try:
            try:
                async with asyncio.timeout(max(0.0, deadline - self.clock())):
                    await self._gate.acquire()
            except TimeoutError:
                raise Saturated() from None
            try:
                return await self._ask(rate_class, kind, rule, started, deadline)
            finally:
                self._gate.release()
        except BaseException:
            await self._leave("shared")
            raise
        finally:
            self._queued[rate_class] -= 1
            if not self._queued[rate_class]:
                del self._queued[rate_class]
            if not self._queued and (self._idle or self._freed or self._in_queue):
                self._flush()  # nobody left to hand slots to (or to wait in Redis's queue)

    def _waiting(self) -> int:
        return self._queued.total()

    @property
    def _contended(self) -> bool:
        return self._contended_at is not None

    def _heard(self, payload: str) -> None:
        """A message on the source's channel (pub/sub)."""
        if payload == "1":  # a slot is free
            self.redis.signal(self.channel).set()
        elif payload == "b":  # a block: tokens reserved before it must not pass it
            self._tokens.clear()
        elif payload.startswith("w "):
            _, at, replica = payload.split(" ", 2)
            if replica != self.redis.replica:
                # Another replica waits for a slot: no more hand-offs here from now on.
                self._contended_at = max(self._contended_at or 0.0, float(at))

    def _take_token(self, rate_class: str) -> _Token | None:
        tokens = self._tokens.get(rate_class)
        while tokens:
            token = tokens.pop(0)
            if self.clock() - token.not_before < TOKEN_SECONDS:
                return token
        return None

    def _take_idle(self) -> str | None:
        """A slot this replica holds that no call uses, if it may change hands here."""
        bound = min(HANDOFF_SECONDS, self.lease / 3)
        while self._idle:
            member = self._idle.pop(0)
            # Unknown (never expected): treated as spent, it goes back through Redis.
            leased_at, handoffs = self._leased.get(member, (-math.inf, HANDOFF_MAX))
            if not self._contended and self.clock() - leased_at < bound and handoffs < HANDOFF_MAX:
                self._leased[member] = (leased_at, handoffs + 1)
                return member
            self._free(member)
        return None

    def _free(self, member: str) -> None:
        """The slot goes back to Redis (with the next admission or release)."""
        self._held -= 1
        self._leased.pop(member, None)
        self._freed.append(member)

    def _free_idle(self) -> None:
        for member in self._idle:
            self._free(member)
        self._idle.clear()

    async def _ask(
        self,
        rate_class: str,
        kind: str,
        rule: RateLimit | None,
        started: float,
        deadline: float,
    ) -> tuple[Ticket, str]:
        signal = self.redis.signal(self.channel)
        probing = PROBING.get()
        slot: str | None = None
        token: _Token | None = None
        may_wait = True  # once per round trip: wait for a slot to come back before asking
        try:
            while True:
                signal.clear()
                if kind and token is None and not probing:
                    token = self._take_token(rate_class)
                if token is not None and token.not_before > self.clock():
                    # A bucket's token reserved for later: wait for its time. A short wait keeps
                    # this replica's free slots for it; a long one gives them back.
                    wait = token.not_before - self.clock()
                    if wait > deadline - self.clock():
                        raise Throttled(wait)
                    await self._sleep_for_rate(wait, slot if wait > SIGNAL_WAIT else None)
                    if wait > SIGNAL_WAIT:
                        slot = None
                    continue
                if self.cap and slot is None:
                    slot = self._take_idle()
                if (token is not None or not kind) and (slot is not None or not self.cap):
                    if token is None:  # no rate: only a block's lift reads this time
                        at = self._redis_now[0] + (self.clock() - self._redis_now[1]) * 1000
                        token = _Token(at, False, self.clock())
                    ticket = Ticket(self.clock() - started, token.at, token.through_block, False)
                    member, slot, token = slot or "", None, None
                    return ticket, member
                left = deadline - self.clock()
                if (
                    may_wait
                    and slot is None
                    and (token is not None or not kind)
                    and not self._freed
                    and self._held
                    and (self._in_queue or self._held >= (self.cap or 0))
                ):
                    # Only a slot is missing and one of this replica's own calls holds one: its
                    # hand-off (or another replica's release) wakes this call, not a round trip
                    # that would find no slot.
                    may_wait = False
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(min(SIGNAL_WAIT, max(0.0, left))):
                            await signal.wait()
                    continue
                may_wait = True
                status, wait_ms, slot, token = await self._round_trip(
                    rate_class, kind, rule, slot, token, probing, left
                )
                if status == _ADMITTED:
                    continue
                left = deadline - self.clock()
                if status in (_BLOCKED, _RATE):
                    if status == _BLOCKED:
                        token = None  # reserved before the block
                        self._tokens.pop(rate_class, None)
                    wait = wait_ms / 1000
                    if wait > left:
                        raise Throttled(wait)
                    await self._sleep_for_rate(wait, slot)
                    slot = None
                    continue
                if left <= 0:
                    raise Saturated()
                # No slot: wait for a release signal (or ask again after a while: a crashed
                # holder's lease expires without one).
                may_wait = False
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(SIGNAL_WAIT, left)):
                        await signal.wait()
        finally:
            # Given up (deadline, cancelled, Redis down): what it took goes to the next call.
            if token is not None:
                self._tokens.setdefault(rate_class, []).insert(0, token)
            if slot is not None:
                self._give_back(slot)

    async def _sleep_for_rate(self, wait: float, slot: str | None) -> None:
        """The head waits for the rate (or a block). `slot` (the head's, if any) and this
        replica's idle slots go back to Redis rather than idle for the length of the wait;
        with no `slot` given and a short wait, the idle ones stay for the calls after it."""
        if slot is not None or wait > SIGNAL_WAIT:
            self._rate_wait = True
            if slot is not None:
                self._free(slot)
            self._free_idle()
            if self._freed:
                self._flush()
        try:
            await asyncio.sleep(wait)
        finally:
            self._rate_wait = False

    async def _round_trip(
        self,
        rate_class: str,
        kind: str,
        rule: RateLimit | None,
        slot: str | None,
        token: _Token | None,
        probing: bool,
        left: float,
    ) -> tuple[int, int, str | None, _Token | None]:
        """One admission script: a token for every call of the class waiting when the head needs
        one, a slot for each call waiting (up to the cap) when it needs one; the freed slots ride
        along. Returns the status, the wait, and the head's slot and token."""
        waiting = self._waiting()
        here = (slot is not None) + len(self._idle)
        slots = 0
        if self.cap and slot is None:
            slots = 1 if probing else max(1, min(waiting, self.cap) - here)
        tokens = 0
        if kind and token is None:
            tokens = 1 if probing else self._queued[rate_class]
        observed = self._observed.pop(rate_class, None) if tokens else None
        members = [f"{self.redis.replica}:{next(_members)}" for _ in range(slots)]
        freed, self._freed = self._freed, []
        args: list[Any] = [
            self.cap or 0,
            int(self.lease * 1000),
            " ".join(members),
            kind,
            rule.requests if rule else 0,
            int(rule.per_seconds * 1000) if rule else 0,
            (rule.drain_per_second or 0) / 1000 if rule else 0,
            rule.requests * rule.slow_down_at if rule else 0,
            "1" if probing else "0",
            observed[0] if observed else -1,
            int((self.clock() - observed[1]) * 1000) if observed else 0,
            self.redis.replica,
            waiting,  # calls of this replica waiting, this one included
            self.channel,
            int(WAITER_SECONDS * 1000),
            tokens,
            here,
            f"{self.redis.replica}:t{next(_members)}:",
            0 if probing else int(max(0.0, min(RESERVE_SECONDS, left)) * 1000),
            *freed,
        ]
        keys = [
            self.slots_key,
            self._rate_key(rate_class),
            self._block_key(rate_class),
            self.waiters_key,
            self.asked_key,
        ]
        reply = await self.redis.run("limits", functools.partial(self._admit, keys=keys, args=args))
        status, wait_ms, now_ms, blocked_at, got_slots, got_tokens, others, queued, excess = (
            int(value) for value in reply[:9]
        )
        now = self.clock()
        self._redis_now = (float(now_ms), now)
        if others:
            self._contended_at = max(self._contended_at or 0.0, float(now_ms))
        elif self._contended_at is not None and now_ms > self._contended_at:
            self._contended_at = None  # nobody else waited then, nor when the last news came
        if queued >= 0:
            self._in_queue = bool(queued)
        if status != _ADMITTED:
            return status, wait_ms, slot, token
        if got_slots:
            self._held += got_slots
            for member in members[:got_slots]:
                self._leased[member] = (now, 0)
            if slot is None:
                slot = members[0]
                self._idle.extend(members[1:got_slots])
            else:
                self._idle.extend(members[:got_slots])
        if got_tokens:
            drain = (rule.drain_per_second or 0) / 1000 if rule else 0
            reserved = []
            for k in range(1, got_tokens + 1):
                # A bucket's k-th token: after excess + k / drain ms (none: at once).
                delay = max(0.0, excess + k / drain) if drain else 0.0
                reserved.append(_Token(now_ms + delay, blocked_at >= 0, now + delay / 1000))
            if token is None:
                token = reserved.pop(0)
            self._tokens.setdefault(rate_class, []).extend(reserved)
        return status, wait_ms, slot, token

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
            if member in self._leased:
                self._leased[member] = (self.clock(), self._leased[member][1])

    def _give_back(self, member: str) -> None:
        """Free the slot without making the finished call wait for a round trip: handed to the
        next call of this replica when one waits (here, or riding along with its admission),
        else released after a short linger (with the others of the moment)."""
        if self._rate_wait:
            self._free(member)
            self._flush()
            return
        self._idle.append(member)  # `_take_idle` decides whether it may change hands here
        if self._waiting():
            self.redis.signal(self.channel).set()  # the head takes it
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
                # meanwhile (a page's detail reads after its list) takes the slot here.
                await asyncio.sleep(RELEASE_LINGER)
                while self._freed or self._idle or (self._in_queue and not self._waiting()):
                    if self._waiting() and not self._rate_wait:
                        # A call waits now: it takes the idle slots, or hands the freed ones
                        # off with its admission.
                        self.redis.signal(self.channel).set()
                        return
                    self._free_idle()
                    freed, self._freed = self._freed, []
                    leave = self._in_queue and not self._waiting()
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
        self._tokens.pop(rate_class, None)  # reserved before the block: not through it
        if not self.redis.up:
            return
        with contextlib.suppress(RedisDown):
            await self.redis.run(
                "limits",
                lambda: self._block(
                    keys=[self._block_key(rate_class)], args=[int(seconds * 1000), self.channel]
                ),
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
        rule = self.rules.get(rate_class)
        if rule is not None and used >= rule.requests * (1 + rule.slow_down_at) / 2:
            # Fuller than the reservations allowed for (they keep the level at the threshold):
            # something else uses the bucket. The next admission sees the level; these go.
            self._tokens.pop(rate_class, None)
        # The local share is a slice of the bucket: the level the source reports, sliced alike
        # (the whole level against a halved bucket would read as nearly full).
        self._fallback_limiter.observe(rate_class, used / max(1, self._fallback_for))

    def _rate_key(self, rate_class: str) -> str:
        return self.redis.key("rate", self.source, rate_class)

    def _block_key(self, rate_class: str) -> str:
        return self.redis.key("block", self.source, rate_class)

    async def aclose(self) -> None:
        """Let the last releases reach Redis."""
        if self._freed or self._idle or self._in_queue:
            self._flush()
        while self._releases:
            await asyncio.gather(*self._releases, return_exceptions=True)
