"""State that several gateway replicas share (README, "Replicas and shared state").

`redis.py`: the Redis connection every replica shares, its health (up, or down and the replica on
local limits) and the count of live replicas; `lease.py`: a lease with fencing tokens (one holder
at a time across replicas); `idempotency.py`: idempotency records in PostgreSQL.
The limits built on Redis live with the connectors that obey them (`connectors/shared_limits.py`,
`connectors/locks.py`).
"""
