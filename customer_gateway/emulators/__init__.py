"""Faithful, stateful fakes of the upstreams, as ASGI apps (tests, the sandbox, benchmarks)."""
