"""`customer-gateway serve | emulate <kind> | export-schema`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from customer_gateway.settings import ConfigError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="customer-gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve", help="serve the gateway (sandbox when no source is configured)"
    )
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)

    emulate = commands.add_parser("emulate", help="serve one emulated upstream over HTTP")
    emulate.add_argument("kind")
    emulate.add_argument("--host", default="127.0.0.1")
    emulate.add_argument("--port", type=int, required=True)
    emulate.add_argument("--seed", type=int, default=1)
    emulate.add_argument("--customers", type=int, default=40)

    commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")

    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return _serve(args.host, args.port)
        if args.command == "emulate":
            return _emulate(args.kind, args.host, args.port, args.seed, args.customers)
        return _export_schema()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2


def _serve(host: str | None, port: int | None) -> int:
    import uvicorn

    from customer_gateway.app import create_app
    from customer_gateway.logs import configure_logging
    from customer_gateway.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level, settings.secrets())
    app = create_app(settings)
    host = host or settings.host
    port = port or settings.port
    if settings.sandbox:
        print(
            f"sandbox: no sources configured, serving emulated shops on http://{host}:{port}/graphql"
        )
    # uvicorn's access log prints query strings (GET queries may carry e-mails): off.
    uvicorn.run(app, host=host, port=port, access_log=False, log_config=None)
    return 0


def _emulate(kind_name: str, host: str, port: int, seed: int, customers: int) -> int:
    import uvicorn

    from customer_gateway.kinds import KINDS

    kind = KINDS.get(kind_name)
    if kind is None:
        print(f"unknown kind {kind_name!r}; known: {', '.join(KINDS)}", file=sys.stderr)
        return 2
    emulator = kind.emulator(seed=seed, customers=customers)
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
