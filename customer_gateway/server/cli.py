"""`customer-gateway serve | check | emulate <kind> | export-schema`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from customer_gateway.server.settings import ConfigError, Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="customer-gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve", help="serve the gateway (sandbox when no source is configured)"
    )
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (not in the sandbox)"
    )
    serve.add_argument(
        "--graceful-timeout",
        type=int,
        default=30,
        help="seconds in-flight requests get to finish on shutdown",
    )

    commands.add_parser("check", help="validate the configuration and try each source's login")

    sync = commands.add_parser("sync", help="bring the mirrors up to date now (one sync step)")
    sync.add_argument("--source", action="append", default=[], help="only this source")
    sync.add_argument(
        "--full", action="store_true", help="load every customer again (snapshot or paging)"
    )

    commands.add_parser(
        "rebuild-people", help="match every mirrored customer into people again (identity index)"
    )

    emulate = commands.add_parser("emulate", help="serve one emulated upstream over HTTP")
    emulate.add_argument("kind")
    emulate.add_argument("--host", default="127.0.0.1")
    emulate.add_argument("--port", type=int, required=True)
    emulate.add_argument("--seed", type=int, default=1)
    emulate.add_argument("--customers", type=int, default=40)
    emulate.add_argument(
        "--fault",
        action="append",
        default=[],
        help="inject a fault, e.g. latency=0.02, jitter=0.005, error_rate=0.1, "
        "rate_limit=30, status=503@/api/admin/graphql (repeatable)",
    )

    commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")

    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return _serve(args.host, args.port, args.workers, args.graceful_timeout)
        if args.command == "check":
            return _check()
        if args.command == "sync":
            return _sync(args.source, args.full)
        if args.command == "rebuild-people":
            return _rebuild_people()
        if args.command == "emulate":
            return _emulate(args.kind, args.host, args.port, args.seed, args.customers, args.fault)
        return _export_schema()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2


def _serve(host: str | None, port: int | None, workers: int, graceful: int) -> int:
    import uvicorn

    from customer_gateway.server.connections import GuardedHttpToolsProtocol
    from customer_gateway.server.settings import load_settings

    settings = load_settings()  # fail here, before uvicorn, on a bad configuration
    if settings.data_dir is not None:
        from customer_gateway.server.datadir import DataDir

        try:
            DataDir.open(settings.data_dir).subdir("exports")
        except OSError as error:
            print(
                f"configuration error: gateway.data_dir {settings.data_dir!r}: {error.strerror}",
                file=sys.stderr,
            )
            return 2
    if settings.sandbox and workers > 1:
        print("the sandbox keeps its shops in memory: it runs with one worker", file=sys.stderr)
        return 2
    if workers > 1 and (missing := missing_shared_state(settings)):
        print(
            f"--workers {workers} needs shared state: {'; '.join(missing)}. Without it every "
            "worker keeps its own limits and keys (docs/replicas.md).",
            file=sys.stderr,
        )
        return 2
    host = host or settings.host
    port = port or settings.port
    if settings.sandbox:
        print(
            f"sandbox: no sources configured, serving emulated shops on http://{host}:{port}/graphql"
        )
    # uvicorn's access log prints query strings (GET queries may carry e-mails): the gateway
    # writes its own request log instead.
    uvicorn.run(
        "customer_gateway.server.app:serve_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=graceful,
        # httptools, not h11: 10 % fewer instructions per request (bench/README.md); slow
        # clients: header and body deadlines, the header size limit (max_header_bytes) and a
        # per-address cap (connections.py).
        http=GuardedHttpToolsProtocol,
        timeout_keep_alive=settings.keep_alive_timeout,
        limit_concurrency=settings.max_open_connections or None,
        ws="websockets-sansio",  # subscriptions (graphql-transport-ws)
        # uvloop, not asyncio's loop: 1-6 % fewer instructions per request (bench/README.md).
        loop="uvloop",
    )
    return 0


def missing_shared_state(settings: Settings) -> list[str]:
    """What several workers (or replicas) need and `[state]` does not give, and why."""
    missing = []
    if settings.state.redis_url is None:
        missing.append(
            "[state] redis_url (CUSTOMER_GATEWAY_STATE__REDIS_URL), or each worker would keep "
            "its own copy of the sources' caps and rate limits (Shoptet's 3 connections "
            "would become 3 per worker, and Shoptet blocks the token)"
        )
    if settings.state.postgres_url is None:
        missing.append(
            "[state] postgres_url (CUSTOMER_GATEWAY_STATE__POSTGRES_URL), or an idempotency "
            "key sent to two workers would create two customers"
        )
    return missing


def _check() -> int:
    import asyncio

    from customer_gateway.features.checks import check_sources
    from customer_gateway.server.settings import load_settings

    rows = asyncio.run(check_sources(load_settings()))
    width = max(len(row.name) for row in rows) if rows else 6
    print(f"{'source':<{width}}  {'kind':<14}  {'status':<24}  latency     collation  mirror")
    for row in rows:
        print(
            f"{row.name:<{width}}  {row.kind:<14}  {row.status:<24}  {row.millis:7.1f} ms  "
            f"{row.collation}  {row.mirror}"
        )
    return 0 if all(row.status == "ok" for row in rows) else 1


def _sync(only: list[str], full: bool) -> int:
    import asyncio

    from customer_gateway.mirror.command import sync_now
    from customer_gateway.server.settings import load_settings

    settings = load_settings()
    if settings.sandbox:
        print("the sandbox keeps its shops in memory: it has nothing to sync", file=sys.stderr)
        return 2
    unknown = set(only) - {s.name for s in settings.sources if s.mirror}
    if unknown:
        print(f"not a mirrored source: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    rows = asyncio.run(sync_now(settings, only, full=full))
    width = max(len(row[0]) for row in rows) if rows else 6
    print(f"{'source':<{width}}  {'result':<24}  {'records':>9}  state")
    for name, result, records, state in rows:
        print(f"{name:<{width}}  {result:<24}  {records:>9}  {state}")
    return 0 if all(row[1] == "ok" for row in rows) else 1


def _rebuild_people() -> int:
    import asyncio

    from customer_gateway.identity.runtime import rebuild_now
    from customer_gateway.server.settings import load_settings

    settings = load_settings()
    if settings.sandbox or not any(source.mirror for source in settings.sources):
        print("people are matched over mirrored sources: none is configured", file=sys.stderr)
        return 2
    people = asyncio.run(rebuild_now(settings))
    print(f"{people} people")
    return 0


def _emulate(
    kind_name: str, host: str, port: int, seed: int, customers: int, faults: list[str]
) -> int:
    import uvicorn

    from customer_gateway.emulators.faults import parse_fault
    from customer_gateway.server.sandbox import EMULATORS, emulator_class

    if kind_name not in EMULATORS:
        print(f"unknown kind {kind_name!r}; known: {', '.join(EMULATORS)}", file=sys.stderr)
        return 2
    emulator = emulator_class(kind_name).create(seed=seed, customers=customers)
    for fault in faults:
        try:
            fault_kind, options = parse_fault(fault)
        except ValueError as error:
            print(f"bad --fault {fault!r}: {error}", file=sys.stderr)
            return 2
        emulator.faults.add(fault_kind, **options)
    credentials = ", ".join(
        f"{key}={value}" for key, value in emulator.connector_credentials().items()
    )
    print(f"{kind_name} emulator on http://{host}:{port} (demo credentials: {credentials})")
    uvicorn.run(emulator.app, host=host, port=port, access_log=False)
    return 0


def _export_schema() -> int:
    from customer_gateway.schema import build_schema

    print(build_schema().as_str())  # the SDL does not depend on the settings
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
