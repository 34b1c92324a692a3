"""Match keys: e-mail (case, spaces, IDN, Gmail's documented rules) and E.164 phones."""

from __future__ import annotations

import pytest

from customer_gateway.identity.normalise import email_key, phone_key
from customer_gateway.server.settings import ConfigError, settings_from


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Jana.Novak@Example.CZ", "jana.novak@example.cz"),
        ("  jana.novak@example.cz \t", "jana.novak@example.cz"),
        ("petr@bücher.de", "petr@xn--bcher-kva.de"),
        ("PETR@BÜCHER.DE", "petr@xn--bcher-kva.de"),
        ("petr@xn--bcher-kva.de", "petr@xn--bcher-kva.de"),
        ("J.Smith+shop@Gmail.com", "jsmith@gmail.com"),
        ("jsmith@gmail.com.", "jsmith@gmail.com"),
        # Dots and tags are kept where the provider does not document them away.
        ("j.smith+shop@example.com", "j.smith+shop@example.com"),
        ("j.smith@googlemail.example", "j.smith@googlemail.example"),
        ("not-an-address", None),
        ("@example.com", None),
        ("someone@", None),
        ("two words@example.com", None),
        ("+tag@gmail.com", None),
        ("", None),
        (None, None),
    ],
)
def test_email_keys(given: str | None, expected: str | None) -> None:
    assert email_key(given) == expected


@pytest.mark.parametrize(
    ("given", "country", "expected"),
    [
        ("+420 601 234 567", None, "+420601234567"),
        ("+420601234567", "GB", "+420601234567"),
        ("00420 601-234-567", None, "+420601234567"),
        ("601 234 567", "CZ", "+420601234567"),
        ("07700 900123", "GB", "+447700900123"),
        ("(0)7700 900123", "GB", "+447700900123"),
        ("+44 7700 900123", "CZ", "+447700900123"),
        ("912 34 567", "NO", "+4791234567"),
        ("601 234 567", None, None),  # national, and no country to read it in
        ("12", "CZ", None),
        ("+1234567890123456", None, None),
        ("call me", "CZ", None),
        ("+420 601 234 567 ext 9", None, None),
        ("", "CZ", None),
        (None, "CZ", None),
    ],
)
def test_phone_keys(given: str | None, country: str | None, expected: str | None) -> None:
    assert phone_key(given, country) == expected


def test_identity_settings() -> None:
    sources = [{"name": "shop-a", "kind": "evershop", "base_url": "https://a.example.com"}]
    settings = settings_from(
        {
            "sources": [{**sources[0], "phone_country": "cz"}],
            "identity": {"match_phone": True, "masters": {"full_name": "shop-a"}},
        },
        {"CUSTOMER_GATEWAY_IDENTITY__ERASURE_RETRY_INTERVAL": "5"},
    )
    assert settings.sources[0].phone_country == "CZ"
    assert settings.identity.match_phone
    assert settings.identity.masters == {"full_name": "shop-a"}
    assert settings.identity.erasure_retry_interval == 5.0
    from_env = settings_from(
        {"sources": sources},
        {"CUSTOMER_GATEWAY_IDENTITY__MASTERS": "email=shop-a, phone=shop-a"},
    )
    assert from_env.identity.masters == {"email": "shop-a", "phone": "shop-a"}
    for bad in (
        {"identity": {"masters": {"shoe_size": "shop-a"}}},
        {"identity": {"masters": {"email": "elsewhere"}}},
        {"identity": {"erasure_retry_interval": 0}},
        {"identity": {"colour": "blue"}},
        {"sources": [{**sources[0], "phone_country": "XX"}]},
    ):
        with pytest.raises(ConfigError):
            settings_from({"sources": sources, **bad}, {})
