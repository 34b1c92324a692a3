from __future__ import annotations

import re
from pathlib import Path

import pytest

from customer_gateway.settings import ConfigError, Secret, load_settings, settings_from

TOML = """
[gateway]
environment = "production"
cors_origins = ["https://admin.example.com"]
max_page_size = 50

[[sources]]
name = "evershop-main"
kind = "evershop"
base_url = "https://shop.example.com/"
timeout_read = 3.5
[sources.credentials]
email = "admin@example.com"
password = "from-the-file"

[[sources]]
name = "evershop-outlet"
kind = "evershop"
base_url = "https://outlet.example.com"
"""


def test_toml_file_with_environment_overrides(tmp_path: Path) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(TOML)
    settings = load_settings(
        {
            "CUSTOMER_GATEWAY_CONFIG": str(path),
            "CUSTOMER_GATEWAY_PORT": "9000",
            "CUSTOMER_GATEWAY_SOURCES__EVERSHOP_MAIN__CREDENTIALS__PASSWORD": "from-env",
            "CUSTOMER_GATEWAY_SOURCES__EVERSHOP_OUTLET__CREDENTIALS__EMAIL": "ops@example.com",
            "CUSTOMER_GATEWAY_SOURCES__EVERSHOP_OUTLET__CREDENTIALS__PASSWORD": "outlet-secret",
        }
    )
    assert settings.environment == "production"
    assert settings.graphiql is False  # production default
    assert settings.port == 9000
    assert settings.max_page_size == 50
    assert settings.cors_origins == ("https://admin.example.com",)
    main, outlet = settings.sources
    assert main.base_url == "https://shop.example.com"
    assert main.timeouts.read == 3.5
    assert main.credentials["password"].reveal() == "from-env"
    assert outlet.credentials["email"].reveal() == "ops@example.com"
    assert not settings.sandbox
    assert sorted(settings.secrets()) == sorted(
        ["admin@example.com", "from-env", "ops@example.com", "outlet-secret"]
    )


def test_no_configuration_is_the_sandbox() -> None:
    settings = load_settings({})
    assert settings.sandbox
    assert settings.environment == "development"
    assert settings.graphiql is True


def test_a_source_can_come_from_the_environment_alone() -> None:
    settings = settings_from(
        {},
        {
            "CUSTOMER_GATEWAY_SOURCES__SHOP_EU__KIND": "evershop",
            "CUSTOMER_GATEWAY_SOURCES__SHOP_EU__BASE_URL": "https://eu.example.com",
        },
    )
    assert [(s.name, s.kind) for s in settings.sources] == [("shop-eu", "evershop")]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"sources": [{"name": "Bad Name", "kind": "evershop", "base_url": "https://x"}]}, "name"),
        ({"sources": [{"name": "a", "kind": "evershop", "base_url": "ftp://x"}]}, "base_url"),
        ({"sources": [{"name": "a", "base_url": "https://x"}]}, "kind"),
        (
            {
                "sources": [
                    {"name": "a", "kind": "evershop", "base_url": "https://x"},
                    {"name": "a", "kind": "evershop", "base_url": "https://y"},
                ]
            },
            "two sources",
        ),
        ({"gateway": {"port": "eighty"}}, "gateway.port"),
        ({"gateway": {"nope": 1}}, "unknown [gateway] keys"),
        ({"sources": [{"name": "a", "kind": "evershop", "base_url": "https://x", "x": 1}]}, "x"),
        ({"extra": {}}, "unknown top-level"),
    ],
)
def test_invalid_configuration_names_the_key(document: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        settings_from(document, {})


def test_config_errors_never_print_values() -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from(
            {
                "sources": [
                    {
                        "name": "a",
                        "kind": "evershop",
                        "base_url": "https://x",
                        "credentials": {"password": 12345},
                    }
                ]
            },
            {},
        )
    assert "12345" not in str(raised.value)


def test_secret_never_prints_itself() -> None:
    secret = Secret("hunter2-canary")
    assert "hunter2" not in repr(secret)
    assert "hunter2" not in str(secret)
    assert "hunter2" not in f"{secret}"
    assert "hunter2" not in repr({"password": secret})
    assert secret.reveal() == "hunter2-canary"
