"""A lease across replicas: one holder at a time, taken over within `ttl` when its holder dies.

For work exactly one replica may do (the mirror's sync of one source). Redis holds
`<prefix>:lease:<name>` = the holder's id and fencing token, with an expiry; the holder renews it
every `ttl / 3`. "Never two at once" rests on two things:

- the holder counts its lease from *before* it asked (local clock), so it believes itself the
  holder for less time than Redis keeps the key: when a renewal fails (Redis down, the process
  paused), it stops before anyone else can take over;
- every acquisition gets a larger fencing token (`INCR`): a store that records the highest token
  it has seen refuses a write carrying a smaller one, which stops a holder that was paused past
  its lease (a GC pause, a frozen VM) from writing after its successor started.

Redis down: nobody acquires or renews, the holder stops within `ttl` and the work pauses until
Redis answers (one syncer at most, never two).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from customer_gateway.state.redis import RedisDown, SharedRedis

# KEYS: lease, fence. ARGV: holder, ttl ms. The token when held by `holder` (new or renewed),
# else 0.
_ACQUIRE = """
local current = redis.call('GET', KEYS[1])
if current then
  local holder, token = string.match(current, '^(.*)|(%d+)$')
  if holder == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(token)
  end
  return 0
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
return token
"""

# KEYS: lease. ARGV: holder. Gives the lease up when still held by `holder`.
_RELEASE = """
local current = redis.call('GET', KEYS[1])
if current and string.match(current, '^(.*)|%d+$') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""

SAFETY = 0.2  # share of the ttl a holder gives up early (clock drift, the round trip)


class Lease:
    def __init__(
        self,
        redis: SharedRedis,
        name: str,
        *,
        ttl: float = 6.0,
        holder: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.name = name
        self.ttl = ttl
        self.holder = holder or redis.replica
        self.clock = clock
        self.key = redis.key("lease", name)
        self.fence_key = redis.key("fence", name)
        self.token: int | None = None  # the fencing token while held
        self._valid_until = 0.0
        self._acquire = redis.client.register_script(_ACQUIRE)
        self._release = redis.client.register_script(_RELEASE)

    @property
    def held(self) -> bool:
        """True while this holder may act (its local view, shorter than Redis')."""
        return self.token is not None and self.clock() < self._valid_until

    async def acquire(self) -> int | None:
        """Take the lease or renew it; the fencing token, or None when another holds it (or
        Redis cannot be reached: then this holder no longer holds it either)."""
        asked_at = self.clock()
        try:
            token = int(
                await self.redis.run(
                    "lease",
                    lambda: self._acquire(
                        keys=[self.key, self.fence_key],
                        args=[self.holder, int(self.ttl * 1000)],
                    ),
                )
            )
        except RedisDown:
            # Unknown: keep acting only for what is left of the local view.
            if self.held:
                return self.token
            self.token = None
            return None
        if not token:  # someone else holds it
            self.token = None
            self._valid_until = 0.0
            return None
        self.token = token
        self._valid_until = asked_at + self.ttl * (1 - SAFETY)
        return token

    renew = acquire

    async def release(self) -> None:
        self.token = None
        self._valid_until = 0.0
        with contextlib.suppress(RedisDown):  # down: it expires by itself
            await self.redis.run(
                "lease", lambda: self._release(keys=[self.key], args=[self.holder])
            )

    async def latest_token(self) -> int:
        """The highest token handed out: what a fenced store compares a write's token with."""
        value = await self.redis.run("lease", lambda: self.redis.client.get(self.fence_key))
        return int(value or 0)
