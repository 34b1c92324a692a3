from __future__ import annotations

import re
from pathlib import Path

import pytest

from customer_gateway.server.settings import ConfigError, Secret, load_settings, settings_from

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

[limits]
max_depth = 6

[[auth.api_keys]]
name = "admin-ui"
key = "admin-ui-key-0123456789abcdef"
scopes = ["read", "write"]
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
        [
            "admin@example.com",
            "from-env",
            "ops@example.com",
            "outlet-secret",
            "admin-ui-key-0123456789abcdef",
        ]
    )
    assert settings.limits.max_depth == 6
    assert settings.auth.required
    assert settings.introspection is False
    assert settings.allow_get is False


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


def test_production_needs_a_way_to_authenticate_callers() -> None:
    with pytest.raises(ConfigError, match="auth is required"):
        settings_from({"gateway": {"environment": "production"}}, {})


def test_api_keys_and_jwt_from_the_environment() -> None:
    settings = settings_from(
        {},
        {
            "CUSTOMER_GATEWAY_API_KEYS__REPORTING__KEY": "reporting-key-0123456789",
            "CUSTOMER_GATEWAY_API_KEYS__REPORTING__SCOPES": "read",
            "CUSTOMER_GATEWAY_AUTH__JWT_SECRET": "x" * 40,
            "CUSTOMER_GATEWAY_AUTH__REQUIRED": "true",
            "CUSTOMER_GATEWAY_LIMITS__MAX_COST": "99",
        },
    )
    (key,) = settings.auth.api_keys
    assert (key.name, key.scopes) == ("reporting", frozenset({"read"}))
    assert settings.auth.jwt is not None
    assert settings.auth.required
    assert settings.limits.max_cost == 99
    assert "x" * 40 in settings.secrets()


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        ({"api_keys": [{"name": "a", "key": "short"}]}, "at least 16"),
        ({"api_keys": [{"name": "a", "key": "k" * 20, "scopes": ["admin"]}]}, "scopes"),
        ({"jwt": {"secret": "s" * 40, "jwks_file": "x.json"}}, "exactly one"),
        ({"jwt": {"secret": "short"}}, "at least 32"),
    ],
)
def test_invalid_auth_configuration(auth: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from({"auth": auth}, {})
