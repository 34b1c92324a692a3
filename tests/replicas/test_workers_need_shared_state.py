"""`serve --workers N` with N > 1 refuses to start without shared state, saying why."""

from __future__ import annotations

import pytest

from customer_gateway.server.cli import main

SOURCE = {
    "CUSTOMER_GATEWAY_SOURCES__SHOP__KIND": "shoptet",
    "CUSTOMER_GATEWAY_SOURCES__SHOP__BASE_URL": "http://127.0.0.1:9",
    "CUSTOMER_GATEWAY_SOURCES__SHOP__CREDENTIALS__TOKEN": "t",
}


@pytest.mark.parametrize(
    ("state", "named"),
    [
        ({}, ("redis_url", "postgres_url")),
        ({"CUSTOMER_GATEWAY_STATE__REDIS_URL": "redis://127.0.0.1:6379/0"}, ("postgres_url",)),
        ({"CUSTOMER_GATEWAY_STATE__POSTGRES_URL": "postgresql://p@127.0.0.1/x"}, ("redis_url",)),
    ],
)
def test_several_workers_without_shared_state_are_refused(
    state: dict[str, str],
    named: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: object,
) -> None:
    for key in [k for k in __import__("os").environ if k.startswith("CUSTOMER_GATEWAY_")]:
        monkeypatch.delenv(key)
    for key, value in {**SOURCE, **state, "CUSTOMER_GATEWAY_DATA_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(key, value)
    assert main(["serve", "--workers", "3"]) == 2
    message = capsys.readouterr().err
    assert "--workers 3 needs shared state" in message
    for key in named:
        assert key in message
    assert "Shoptet" in message if "redis_url" in named else "two customers" in message
