"""`[gateway] data_dir`: where exports (and later the mirror) live."""

from __future__ import annotations

from customer_gateway.server.settings import settings_from

SOURCE = {
    "CUSTOMER_GATEWAY_SOURCES__SHOP__KIND": "evershop",
    "CUSTOMER_GATEWAY_SOURCES__SHOP__BASE_URL": "https://shop.example.com",
}


def test_data_dir_from_the_file_and_the_environment() -> None:
    document = {"gateway": {"data_dir": "/var/lib/gateway"}}
    assert settings_from(document, SOURCE).data_dir == "/var/lib/gateway"
    env = {**SOURCE, "CUSTOMER_GATEWAY_DATA_DIR": "/srv/gateway"}
    assert settings_from(document, env).data_dir == "/srv/gateway"


def test_data_dir_defaults_to_the_xdg_data_home() -> None:
    env = {**SOURCE, "HOME": "/home/ops"}
    assert settings_from({}, env).data_dir == "/home/ops/.local/share/customer-gateway"
    env["XDG_DATA_HOME"] = "/data"
    assert settings_from({}, env).data_dir == "/data/customer-gateway"


def test_the_sandbox_keeps_nothing_unless_told() -> None:
    """No sources: a temporary directory (None), never a file in the user's home."""
    assert settings_from({}, {"HOME": "/home/ops"}).data_dir is None
    told = settings_from({}, {"CUSTOMER_GATEWAY_DATA_DIR": "/tmp/x"})
    assert told.data_dir == "/tmp/x"
