"""The documentation is a contract: every variable and key it documents is read by the gateway,
and a `CUSTOMER_GATEWAY_*` variable it does not know is a startup error that names it.

The names come from parsing docs/configuration.md (its environment-variable table and its
configuration example) and every other page (README.md, docs/*.md: each `CUSTOMER_GATEWAY_*`
name and each `[section] key` they mention), not from a list kept here: documenting a name the
code does not read fails a test.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from customer_gateway.server.app import describe_mode
from customer_gateway.server.settings import ConfigError, Settings, load_settings, settings_from

ROOT = Path(__file__).resolve().parents[2]
CONFIGURATION = ROOT / "docs" / "configuration.md"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PREFIX = "CUSTOMER_GATEWAY_"
KEY = "probe-key-0123456789abcdef"
# A valid starting point that every probe changes one thing of: one source and one API key, so
# that e.g. `AUTH__REQUIRED=true` is a valid change and a source's keys have a source to apply to.
BASELINE = {
    f"{PREFIX}SOURCES__PROBE__KIND": "evershop",
    f"{PREFIX}SOURCES__PROBE__BASE_URL": "https://probe.example.com",
    f"{PREFIX}API_KEYS__PROBE__KEY": KEY,
}
CANDIDATES = (
    "production",
    "7",
    "0.5",
    "false",
    "true",
    "read,write",
    "probe",
    "https://elsewhere.example.com",
    "x" * 40,
    "text",
    "httpx",
    "/api/json",
    "1,2",
    "redis://127.0.0.1:6390/0",
    "postgresql://probe@127.0.0.1/probe",
)


def _configuration() -> str:
    return CONFIGURATION.read_text(encoding="utf-8")


def _configuration_example() -> dict[str, object]:
    """The configuration page's example, its elided values ("…") made concrete."""
    section = _configuration().split("## Example", 1)[1]
    block = re.search(r"```toml\n(.*?)```", section, re.S)
    assert block, "docs/configuration.md's Example section has no TOML example"
    text = re.sub(r'"[^"\n]*…[^"\n]*"', '"' + "d" * 40 + '"', block.group(1))
    return tomllib.loads(text)


def _table_variables() -> list[str]:
    """Every variable in the configuration page's environment-variable table (first column), with the
    table's shorthands written out: `_HOST` after `CUSTOMER_GATEWAY_ENV`, `__SCOPES` after
    `…__<NAME>__KEY`, and `<KEY>`/`<NAME>` placeholders."""
    section = _configuration().split("| environment variable |", 1)[1].split("\n\n", 1)[0]
    example = _configuration_example()
    sources = example["sources"]
    assert isinstance(sources, list)
    source_keys = sorted(
        {key for table in sources for key in table} - {"name", "credentials", "options"}
    )
    nested_keys = {
        table_name: sorted({key for table in sources for key in table.get(table_name, {})})
        for table_name in ("credentials", "options")
    }
    keys_of = {
        "LIMITS": sorted(_as_table(example["limits"])),
        "TELEMETRY": sorted(_as_table(example["telemetry"])),
        "STATE": sorted(_as_table(example["state"])),
        "IDENTITY": sorted(_as_table(example["identity"])),
    }
    names: list[str] = []
    for row in section.splitlines()[2:]:
        first = row.split("|")[1]
        previous = ""
        for token in re.findall(r"`([^`]+)`", first):
            if token.startswith("__"):
                token = previous.rsplit("__", 1)[0] + token
            elif token.startswith("_"):
                token = PREFIX[:-1] + token
            previous = token
            names.extend(_expand(token, keys_of, source_keys, nested_keys))
    return names


def _as_table(value: object) -> Mapping[str, object]:
    assert isinstance(value, dict)
    return value


def _expand(
    token: str,
    keys_of: Mapping[str, list[str]],
    source_keys: list[str],
    nested_keys: Mapping[str, list[str]],
) -> Iterator[str]:
    token = token.replace("<NAME>", "PROBE")
    if "<KEY>" not in token:
        yield token
        return
    nested = [name for name in nested_keys if f"__{name.upper()}__" in token]
    if nested:
        keys = nested_keys[nested[0]]
    elif token.startswith(f"{PREFIX}SOURCES__"):
        keys = source_keys
    else:
        keys = keys_of[token[len(PREFIX) :].split("__")[0]]
    for key in keys:
        yield token.replace("<KEY>", key.upper())


def _read(variable: str, value: str, tmp_path: Path) -> Settings | ConfigError:
    env = {**BASELINE, variable: value}
    if "__OPTIONS__" in variable:  # options are a kind's own: probe them on a kind that reads them
        kind = "ecwid_wrapper" if variable.endswith("PATH_PREFIX") else "shoptet"
        env[f"{PREFIX}SOURCES__PROBE__KIND"] = kind
    if variable == f"{PREFIX}CONFIG":
        path = tmp_path / "gateway.toml"
        path.write_text("[gateway]\nport = 8123\n")
        env[variable] = str(path)
    try:
        return load_settings(env)
    except ConfigError as error:
        return error


def test_the_table_and_the_example_are_found() -> None:
    variables = _table_variables()
    # A parser that found nothing would prove nothing.
    assert f"{PREFIX}ENV" in variables
    assert f"{PREFIX}LIMITS__MAX_DEPTH" in variables
    assert f"{PREFIX}SOURCES__PROBE__CREDENTIALS__PASSWORD" in variables
    assert len(variables) > 40


@pytest.mark.parametrize("variable", _table_variables())
def test_every_documented_variable_is_read(variable: str, tmp_path: Path) -> None:
    baseline = load_settings(BASELINE)
    key = variable.rsplit("__", 1)[-1].removeprefix(PREFIX).lower()
    outcomes = [_read(variable, value, tmp_path) for value in CANDIDATES]
    for outcome in outcomes:
        assert not (isinstance(outcome, ConfigError) and "is not a setting" in str(outcome)), (
            f"{variable} is documented but the gateway does not know it"
        )
    changed = [o for o in outcomes if isinstance(o, Settings) and o != baseline]
    refused_by_name = [
        o for o in outcomes if isinstance(o, ConfigError) and key.split("_")[0] in str(o).lower()
    ]
    assert changed or refused_by_name, f"{variable} is documented but setting it changes nothing"


def test_the_configuration_example_loads() -> None:
    """Every key of the configuration page's TOML example is a key the gateway accepts (unknown keys are
    errors), and the example is a valid production configuration."""
    settings = settings_from(_configuration_example(), {})
    assert settings.environment == "production"
    assert {source.kind for source in settings.sources} == {
        "evershop",
        "shoptet",
        "flow_retail",
        "ecwid",
        "ecwid_wrapper",
    }


def test_the_documented_production_switch() -> None:
    settings = load_settings({f"{PREFIX}ENV": "production", **BASELINE})
    assert settings.environment == "production"
    assert settings.auth.required
    assert not settings.graphiql
    assert not settings.introspection
    assert not settings.allow_get
    # The longer name still works, and the two cannot disagree.
    assert load_settings({f"{PREFIX}ENVIRONMENT": "production", **BASELINE}).auth.required
    with pytest.raises(ConfigError, match="both set"):
        load_settings({f"{PREFIX}ENV": "production", f"{PREFIX}ENVIRONMENT": "development"})


@pytest.mark.parametrize(
    "variable",
    [
        f"{PREFIX}ENVIROMENT",  # a typo must never silently weaken security
        f"{PREFIX}PRODUCTION",
        f"{PREFIX}LIMITS__MAX_DEPHT",
        f"{PREFIX}TELEMETRY__METRIC",
        f"{PREFIX}AUTH__JWT",
        f"{PREFIX}API_KEYS__",
    ],
)
def test_an_unknown_variable_is_a_startup_error_naming_it(variable: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({variable: "production"})
    message = str(raised.value)
    assert variable in message
    assert "production" not in message.replace(variable, "")  # the name, never the value


def test_a_typo_gets_a_suggestion() -> None:
    with pytest.raises(ConfigError, match=f"did you mean {PREFIX}ENVIRONMENT"):
        load_settings({f"{PREFIX}ENVIRONMNT": "production"})


def test_the_effective_mode_is_described() -> None:
    production = describe_mode(load_settings({f"{PREFIX}ENV": "production", **BASELINE}))
    assert "production mode" in production
    assert "auth required" in production
    assert "GraphiQL off" in production
    development = describe_mode(load_settings({}))
    assert "development mode" in development
    assert "sandbox" in development


def test_every_documented_option_is_read_by_a_kind() -> None:
    from customer_gateway.connectors.registry import CONNECTORS

    documented = {
        variable.rsplit("__", 1)[1].lower()
        for variable in _table_variables()
        if "__OPTIONS__" in variable
    }
    read = {key for connector in CONNECTORS.values() for key in connector.option_keys}
    assert documented
    assert documented <= read
    settings = load_settings(
        {
            **BASELINE,
            f"{PREFIX}SOURCES__PROBE__CREDENTIALS__EMAIL": "gateway@example.com",
            f"{PREFIX}SOURCES__PROBE__CREDENTIALS__PASSWORD": "password",
            f"{PREFIX}SOURCES__PROBE__OPTIONS__WEB_HOOK": "x",
        }
    )
    with pytest.raises(ConfigError, match="unknown options web_hook"):
        CONNECTORS["evershop"].validate_settings(settings.sources[0])


def test_every_setting_is_documented() -> None:
    """The other direction: a key the code reads and docs/configuration.md does not show is a
    setting nobody can find."""
    from customer_gateway.server.settings import (
        _GATEWAY_KEYS,
        _IDENTITY_KEYS,
        _LIMIT_KEYS,
        _STATE_KEYS,
        _TELEMETRY_KEYS,
    )

    example = _configuration_example()
    variables = set(_table_variables())
    for section, keys in (
        ("gateway", _GATEWAY_KEYS),
        ("limits", _LIMIT_KEYS),
        ("telemetry", _TELEMETRY_KEYS),
        ("state", _STATE_KEYS),
        ("identity", _IDENTITY_KEYS),
    ):
        for key in keys:
            prefix = PREFIX if section == "gateway" else f"{PREFIX}{section.upper()}__"
            assert prefix + key.upper() in variables or (
                key == "environment" and f"{PREFIX}ENV" in variables
            ), f"{key} has no documented variable"
            documented = key in _as_table(example[section]) or (
                section == "gateway" and key in ("graphiql", "introspection", "allow_get")
            )
            assert documented, f"[{section}] {key} is not in docs/configuration.md's example"


# -- names mentioned anywhere in README.md and docs/*.md --------------------------------------

# Named on purpose as variables the gateway refuses (the misspelling a startup error catches).
REFUSED_EXAMPLES = {f"{PREFIX}ENVIROMENT"}


def _mentions(pattern: str) -> list[tuple[str, Any]]:
    """(page, match) for every match of `pattern` in every page (a tuple with groups)."""
    return [
        (page.relative_to(ROOT).as_posix(), match)
        for page in PAGES
        for match in re.findall(pattern, page.read_text(encoding="utf-8"))
    ]


def test_every_page_is_parsed() -> None:
    pages = {page.relative_to(ROOT).as_posix() for page in PAGES}
    assert {"README.md", "docs/configuration.md", "docs/security.md"} <= pages
    assert len(_mentions(rf"{PREFIX}[A-Z0-9_]+")) > 10
    assert len(_mentions(r"`\[(\w+)\] (\w+)")) >= 5


def test_every_variable_a_page_names_is_read() -> None:
    """A `CUSTOMER_GATEWAY_*` name anywhere in the docs (a concrete source or key name, e.g.
    `…__EVERSHOP_MAIN__CREDENTIALS__PASSWORD`) is one the gateway reads, or one it refuses on
    purpose: never a name it would stop at as unknown without the docs saying so."""
    tools = {f"{PREFIX}EVERSHOP_CACHE"}  # tools/evershop/harness.py, documented as such
    # Whole names only: a pattern (`…__<NAME>__KEY`, `…__<KEY>`) is the table's, tested above.
    for page, name in _mentions(rf"{PREFIX}[A-Z0-9_]+(?![A-Za-z0-9_<…])"):
        if name in REFUSED_EXAMPLES | tools:
            continue
        env = {**BASELINE, name: "production" if name.endswith(("ENV", "ENVIRONMENT")) else "7"}
        if "__CREDENTIALS__" in name or "__OPTIONS__" in name:
            env[name] = "x"
        outcome = _load(env)
        unknown = isinstance(outcome, ConfigError) and "is not a setting" in str(outcome)
        assert not unknown, f"{page} names {name}: not a setting"
    for name in REFUSED_EXAMPLES:
        with pytest.raises(ConfigError, match="is not a setting"):
            load_settings({name: "production"})


def test_every_section_key_a_page_names_is_a_setting() -> None:
    """`[section] key` in prose (`[state] redis_url`, `[telemetry] otlp_endpoint`) names a key
    of that section of the example, which the gateway reads (test above)."""
    example = _configuration_example()
    sections: dict[str, set[str]] = {
        name: set(_as_table(value)) for name, value in example.items() if isinstance(value, dict)
    }
    sections["sources"] = {key for table in _as_list(example["sources"]) for key in table}
    for page, (section, key) in _mentions(r"`\[(\w+)\] (\w+)"):
        assert section in sections, f"{page}: [{section}] is not a section"
        assert key in sections[section], f"{page}: [{section}] {key} is not a setting"


def _load(env: Mapping[str, str]) -> Settings | ConfigError:
    try:
        return load_settings(env)
    except ConfigError as error:
        return error


def _as_list(value: object) -> list[dict[str, object]]:
    assert isinstance(value, list)
    return value
