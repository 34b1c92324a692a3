"""EverShop's node-postgres pool (`lib/postgres/connection.ts`: `new Pool({max: 20})`).

Handlers take a connection per request. Start-up already keeps one for good (`migrate.js` takes
a connection to create the `migration` table and never releases it), so 19 are left.
`PATCH /api/customers/:id` (updateCustomer.js) takes one with `getConnection()` and gives it back
only on success: its "Invalid customer id" answer and every error it catches return without
`release()`. Each such answer leaks a connection for good; once all `size` are gone, every
request that needs the database waits for a connection forever (pg-pool's default: no
`connectionTimeoutMillis`) while the rest (401s, payload validation, body-parser errors, rate
limiting) still answers. Verified against EverShop 2.2.1 by
tests/evershop_real/test_pool_exhaustion.py.
"""

from __future__ import annotations

import asyncio
from typing import Final

POOL_SIZE: Final = 20


STARTUP_LEAK: Final = 1  # bin/lib/bootstrap/migrate.js: `getConnection()` for createMigrationTable


class ConnectionPool:
    def __init__(self, size: int = POOL_SIZE) -> None:
        self.size = size
        self.leaked = min(STARTUP_LEAK, size)

    @property
    def exhausted(self) -> bool:
        return self.leaked >= self.size

    async def connection(self) -> None:
        """Wait for a connection: at once, or never once every connection has leaked."""
        if self.exhausted:
            await asyncio.Event().wait()

    def leak(self) -> None:
        self.leaked += 1
