"""A Shoptet emulator process for the replica tests and bench: `python -m tests.replicas.shoptet_server
--port P [--latency S] [--customers N]`. Its latency is inside the connection count (the requests
are in flight while they wait), and `/_emulator/connections` reports the peak in flight."""

from __future__ import annotations

import argparse

import uvicorn

from customer_gateway.emulators.shoptet import ShoptetEmulator


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--customers", type=int, default=100)
    args = parser.parse_args()
    emulator = ShoptetEmulator(
        seed=3, customers=args.customers, latency_seconds=args.latency, job_seconds=0.0
    )
    uvicorn.run(
        emulator.app, host="127.0.0.1", port=args.port, access_log=False, log_level="warning"
    )


if __name__ == "__main__":
    main()
