"""`customer-gateway rebuild-people`: every mirrored customer matched again from the store."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from customer_gateway.mirror.keys import collation_key
from customer_gateway.mirror.store import open_store, sqlite_url
from customer_gateway.server.cli import main
from tests.identity.oracle import groupings, records_for, seed_people


def test_rebuild_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    records = records_for(seed_people(51, 40), ("shop-a", "shop-b"), seed=52)

    async def fill() -> None:
        store = open_store(sqlite_url(data))
        await store.migrate()
        for rank, source in enumerate(("shop-a", "shop-b")):
            async with store.writing() as writer:
                await writer.upsert_customers(
                    [r for r in records if r.source == source],
                    rank=rank,
                    pass_no=0,
                    text_key=collation_key("en_US"),
                )
        await store.close()

    asyncio.run(fill())
    config = tmp_path / "gateway.toml"
    config.write_text(
        "".join(
            f'[[sources]]\nname = "{name}"\nkind = "ecwid"\nbase_url = "https://{name}.test"\n'
            for name in ("shop-a", "shop-b")
        )
    )
    for name in [n for n in os.environ if n.startswith("CUSTOMER_GATEWAY_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CUSTOMER_GATEWAY_CONFIG", str(config))
    monkeypatch.setenv("CUSTOMER_GATEWAY_DATA_DIR", str(data))
    assert main(["rebuild-people"]) == 0
    assert capsys.readouterr().out.strip() == f"{len(groupings(records))} people"

    monkeypatch.delenv("CUSTOMER_GATEWAY_CONFIG")
    assert main(["rebuild-people"]) == 2  # the sandbox: nothing mirrored
