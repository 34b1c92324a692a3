"""Configuration: a TOML file (path in CUSTOMER_GATEWAY_CONFIG) plus environment overrides.

The only module that reads the environment. Credentials are `Secret`s: their repr, str and
format print a mask; `reveal()` is the one way to the value.

    [gateway]
    environment = "development"          # or "production"
    cors_origins = ["https://admin.example.com"]

    [[sources]]
    name = "evershop-main"                # [a-z0-9-], unique; prefixes every id from this source
    kind = "evershop"
    base_url = "https://shop.example.com"
    [sources.credentials]
    email = "admin@example.com"
    password = "..."    # or CUSTOMER_GATEWAY_SOURCES__EVERSHOP_MAIN__CREDENTIALS__PASSWORD

Environment overrides: CUSTOMER_GATEWAY_<SETTING> for `[gateway]` keys, and
CUSTOMER_GATEWAY_SOURCES__<NAME>__<KEY> / ...__CREDENTIALS__<KEY> for a source (NAME upper-cased,
'-' as '_'); a source may be declared by environment alone (it then needs KIND and BASE_URL).
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from customer_gateway.identity.normalise import COUNTRIES

PREFIX = "CUSTOMER_GATEWAY_"
SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
# `[gateway]` keys whose variable has a shorter name (the documented one) beside the long one.
ENV_ALIASES = {"ENV": "environment"}
# Variables with the gateway's prefix that the project's own tools read, not the gateway.
TOOL_VARIABLES = frozenset({PREFIX + "EVERSHOP_CACHE"})  # tools/evershop/harness.py


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which key and why (never a value)."""


class Secret:
    """A credential value that never prints itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __format__(self, format_spec: str) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("a Secret is not picklable")


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float = 2.0
    read: float = 5.0
    total: float = 8.0  # one whole upstream call, retries included


@dataclass(frozen=True, slots=True)
class SourceSettings:
    name: str
    kind: str
    base_url: str
    credentials: Mapping[str, Secret] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    timeouts: Timeouts = Timeouts()
    max_connections: int = 20
    retries: int = 2  # extra attempts for idempotent reads
    rate_limits: bool = True  # pace calls to the source's published limits
    # The source's HTTP client: "aiohttp" (aiohttp directly) or "httpx" (httpx's own pool).
    transport: str = "aiohttp"
    # Serve reads from a local mirror of the source (customer_gateway/mirror). Settings built in
    # code default to pass-through; the configuration loader and the sandbox turn it on.
    mirror: bool = False
    sync_interval: float = 60.0  # seconds between change-feed polls (or head checks)
    reconcile_interval: float = 3600.0  # seconds between full reconcile passes (no feed)
    # The order of text in the source's database ("en_US" or "C"): what the gateway merges its
    # sorted pages with and sorts it by when it sorts itself (`customer_gateway.text.collation`).
    collation: str = "en_US"
    # The country of the source's national phone numbers (ISO 3166 alpha-2): how a number
    # without a country code becomes E.164 for matching people (`customer_gateway.identity`).
    phone_country: str | None = None


Environment = Literal["development", "production"]
Scope = Literal["read", "write", "ops"]
# read: queries; write: mutations; ops: /metrics and /readyz where authentication is required.
SCOPES = frozenset({"read", "write", "ops"})


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A caller's key. `sources` empty: every source."""

    name: str
    key: Secret
    scopes: frozenset[str] = frozenset({"read"})
    sources: frozenset[str] = frozenset()
    # An unknown filter key or operation is BAD_USER_INPUT for this caller, not ignored.
    strict_filters: bool = False


@dataclass(frozen=True, slots=True)
class JwtSettings:
    """Bearer JWTs: HS256 with a shared `secret`, or RS256/ES256 against a JWKS file."""

    secret: Secret | None = None
    jwks_file: str | None = None
    issuer: str | None = None
    audience: str | None = None
    scopes_claim: str = "scope"  # space-separated, or a list
    sources_claim: str = "sources"


@dataclass(frozen=True, slots=True)
class AuthSettings:
    required: bool = False
    api_keys: tuple[ApiKey, ...] = ()
    jwt: JwtSettings | None = None

    @property
    def configured(self) -> bool:
        return bool(self.api_keys) or self.jwt is not None


@dataclass(frozen=True, slots=True)
class TelemetrySettings:
    otlp_endpoint: str | None = None  # traces go here (OTLP over HTTP); none: no tracing
    service_name: str = "customer-gateway"
    metrics: bool = True  # serve /metrics
    log_format: str = "json"  # or "text"
    log_pii: bool = False  # debug only: request logs then carry GraphQL variables


@dataclass(frozen=True, slots=True)
class Limits:
    """What one caller's request may ask for (shared/design/reliability.md §10)."""

    max_body_bytes: int = 100 * 1024
    max_query_chars: int = 15_000
    max_tokens: int = 1_000
    max_depth: int = 8
    max_aliases: int = 15
    max_root_fields: int = 15
    max_mutations: int = 4
    max_selections: int = 100  # fields in one selection set, duplicates counted
    max_directives: int = 5
    max_cost: int = 250  # upstream calls the operation could cause, estimated before it runs
    max_requests_per_source: int = 150  # upstream requests one operation may send to one source


@dataclass(frozen=True, slots=True)
class StateSettings:
    """Where state shared by replicas lives (docs/replicas.md). Neither set:
    one process, its limits, locks and idempotency keys in memory, as before."""

    postgres_url: Secret | None = None  # postgresql://user:password@host:5432/database
    redis_url: Secret | None = None  # redis://[:password@]host:6379/0 (rediss:// for TLS)
    # Prefix of every Redis key and channel the gateway uses: deployments (or tests) sharing one
    # Redis keep apart by it.
    redis_prefix: str = "customer-gateway"

    @property
    def shared(self) -> bool:
        return self.postgres_url is not None or self.redis_url is not None


# Person fields a source may be the master of (`[identity] masters`).
MERGED_FIELDS = ("email", "full_name", "phone", "vat_number", "company_name")


@dataclass(frozen=True, slots=True)
class IdentitySettings:
    """One person across sources (docs/people.md)."""

    enabled: bool = True  # keep the index of people (mirrored sources only)
    match_phone: bool = False  # the same E.164 phone also makes the same person
    # field -> source: that source's value wins for the field whenever it has one.
    masters: Mapping[str, str] = field(default_factory=dict)
    erasure_retry_interval: float = 60.0  # seconds between retries of open erasure requests


@dataclass(frozen=True, slots=True)
class Settings:
    sources: tuple[SourceSettings, ...] = ()
    environment: Environment = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: tuple[str, ...] = ()
    graphiql: bool = True
    request_timeout: float = 10.0
    max_page_size: int = 100
    # Records one request may read from one source to page over the merged order or to filter
    # what a source cannot filter itself; beyond it the query is refused (QUERY_TOO_COMPLEX).
    max_scan: int = 10_000
    max_batch: int = 100  # items in one batchCustomers call
    export_ttl: float = 24 * 3600.0  # seconds an export file stays downloadable
    # Where the gateway keeps state that outlives a process (export jobs and files). None: a
    # private temporary directory removed at shutdown (the sandbox, and Settings built in code);
    # load_settings defaults it to $XDG_DATA_HOME/customer-gateway when sources are configured.
    data_dir: str | None = None
    log_level: str = "INFO"
    introspection: bool = True
    allow_get: bool = True  # queries over GET (never mutations)
    # Slow and greedy clients (customer_gateway/server/connections.py), per worker process.
    header_timeout: float = 10.0  # seconds for a request's headers to arrive
    body_timeout: float = 30.0  # seconds for its body, from the end of the headers
    keep_alive_timeout: int = 5  # seconds an idle kept-alive connection stays open
    max_connections_per_ip: int = 128  # open connections from one address; 0: no cap
    max_open_connections: int = 1000  # beyond this, requests are answered 503
    max_header_bytes: int = 16 * 1024  # request line and headers
    # Persisted documents (customer_gateway/server/persisted.py): a manifest of hash -> document,
    # whether only those may run, and automatic persisted queries.
    persisted_documents: str | None = None
    trusted_documents_only: bool = False
    apq: bool = True
    max_subscriptions: int = 1000  # live subscribers per worker process
    # Seals customersConnection's cursors (the same on every replica); none: a key of the host's
    # own in data_dir/cursor.key.
    cursor_secret: Secret | None = None
    subscription_buffer: int = 256  # events a subscriber may fall behind before it is dropped
    limits: Limits = Limits()
    auth: AuthSettings = AuthSettings()
    telemetry: TelemetrySettings = TelemetrySettings()
    state: StateSettings = StateSettings()
    identity: IdentitySettings = IdentitySettings()

    @property
    def sandbox(self) -> bool:
        """No source configured: serve the in-process emulators instead."""
        return not self.sources

    def secrets(self) -> list[str]:
        """Every credential value, for the log filter that scrubs them."""
        values = [
            secret.reveal()
            for source in self.sources
            for secret in source.credentials.values()
            if secret.reveal()
        ]
        values.extend(key.key.reveal() for key in self.auth.api_keys)
        if self.auth.jwt is not None and self.auth.jwt.secret is not None:
            values.append(self.auth.jwt.secret.reveal())
        if self.cursor_secret is not None:
            values.append(self.cursor_secret.reveal())
        urls = (self.state.postgres_url, self.state.redis_url)
        values.extend(url.reveal() for url in urls if url is not None)
        return values


_GATEWAY_KEYS: dict[str, type] = {
    "environment": str,
    "host": str,
    "port": int,
    "cors_origins": tuple,
    "graphiql": bool,
    "request_timeout": float,
    "max_page_size": int,
    "max_scan": int,
    "max_batch": int,
    "export_ttl": float,
    "data_dir": str,
    "log_level": str,
    "introspection": bool,
    "allow_get": bool,
    "header_timeout": float,
    "body_timeout": float,
    "keep_alive_timeout": int,
    "max_connections_per_ip": int,
    "max_open_connections": int,
    "max_header_bytes": int,
    "persisted_documents": str,
    "trusted_documents_only": bool,
    "apq": bool,
    "max_subscriptions": int,
    "subscription_buffer": int,
    "cursor_secret": str,
}
_LIMIT_KEYS = {name: int for name in Limits.__dataclass_fields__}
_SOURCE_KEYS = {
    "name",
    "kind",
    "base_url",
    "credentials",
    "options",
    "timeout_connect",
    "timeout_read",
    "timeout_total",
    "max_connections",
    "retries",
    "rate_limits",
    "transport",
    "mirror",
    "sync_interval",
    "reconcile_interval",
    "collation",
    "phone_country",
}
TRANSPORTS = ("aiohttp", "httpx")
COLLATIONS = ("en_US", "C")  # customer_gateway.text.collation.sort_key knows each
# A source's tables that the environment can fill key by key (...__<NAME>__OPTIONS__<KEY>).
_SOURCE_TABLES = ("CREDENTIALS", "OPTIONS")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    document: dict[str, Any] = {}
    path = env.get(PREFIX + "CONFIG")
    if path:
        try:
            document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise ConfigError(
                f"cannot read {PREFIX}CONFIG file {path!r}: {error.strerror}"
            ) from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML ({error})") from None
    return settings_from(document, env)


def settings_from(document: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    unknown = set(document) - {
        "gateway",
        "sources",
        "limits",
        "auth",
        "telemetry",
        "state",
        "identity",
    }
    if unknown:
        raise ConfigError(f"unknown top-level keys: {', '.join(sorted(unknown))}")
    check_variables(env)
    gateway = dict(_table(document.get("gateway", {}), "gateway"))
    for key in _GATEWAY_KEYS:
        names = [PREFIX + alias for alias, target in ENV_ALIASES.items() if target == key]
        names.append(PREFIX + key.upper())
        given = [name for name in names if env.get(name) is not None]
        if len({env[name] for name in given}) > 1:
            raise ConfigError(f"{' and '.join(given)} are both set, to different values")
        if given:
            gateway[key] = env[given[0]]
    values = {
        key: _coerce(f"gateway.{key}", value, _GATEWAY_KEYS.get(key))
        for key, value in gateway.items()
    }
    if unknown := set(values) - set(_GATEWAY_KEYS):
        raise ConfigError(f"unknown [gateway] keys: {', '.join(sorted(unknown))}")
    environment = values.get("environment", "development")
    if environment not in ("development", "production"):
        raise ConfigError("gateway.environment must be 'development' or 'production'")
    values.setdefault("graphiql", environment == "development")
    values.setdefault("introspection", environment == "development")
    values.setdefault("allow_get", environment == "development")
    if int(values.get("max_page_size", 100)) < 1:
        raise ConfigError("gateway.max_page_size must be at least 1")
    for key in ("header_timeout", "body_timeout", "keep_alive_timeout"):
        if key in values and not values[key] > 0:
            raise ConfigError(f"gateway.{key} must be a positive number of seconds")
    for key in ("max_connections_per_ip", "max_open_connections", "max_header_bytes"):
        if key in values and values[key] < 0:
            raise ConfigError(f"gateway.{key} must not be negative")
    if "cursor_secret" in values:
        secret = str(values["cursor_secret"])
        if len(secret) < 32:
            raise ConfigError("gateway.cursor_secret must be at least 32 characters")
        values["cursor_secret"] = Secret(secret)
    if values.get("trusted_documents_only") and not values.get("persisted_documents"):
        raise ConfigError("gateway.trusted_documents_only needs gateway.persisted_documents")
    sources = _sources(document.get("sources", []), env)
    if not values.get("data_dir"):
        values["data_dir"] = default_data_dir(env) if sources else None
    limits = _limits(document.get("limits", {}), env)
    telemetry = _telemetry(document.get("telemetry", {}), env)
    state = _state(document.get("state", {}), env)
    identity = _identity(document.get("identity", {}), env, {source.name for source in sources})
    auth = _auth(document.get("auth", {}), env, environment, {source.name for source in sources})
    return Settings(
        sources=sources,
        limits=limits,
        auth=auth,
        telemetry=telemetry,
        state=state,
        identity=identity,
        **values,
    )


def check_variables(env: Mapping[str, str]) -> None:
    """Every `CUSTOMER_GATEWAY_*` variable must be one the gateway reads: a misspelt
    `CUSTOMER_GATEWAY_ENVIROMENT=production` would otherwise leave a production gateway in
    development mode without a word. The error names the variable (never its value)."""
    known = {PREFIX + "CONFIG", *TOOL_VARIABLES}
    known.update(PREFIX + key.upper() for key in _GATEWAY_KEYS)
    known.update(PREFIX + alias for alias in ENV_ALIASES)
    known.update(f"{PREFIX}LIMITS__{key.upper()}" for key in _LIMIT_KEYS)
    known.update(f"{PREFIX}TELEMETRY__{key.upper()}" for key in _TELEMETRY_KEYS)
    known.update(f"{PREFIX}STATE__{key.upper()}" for key in _STATE_KEYS)
    known.update(f"{PREFIX}IDENTITY__{key.upper()}" for key in _IDENTITY_KEYS)
    known.update(f"{PREFIX}AUTH__{key}" for key in ("REQUIRED", "JWT_SECRET"))
    # Families whose middle part is a name the operator chooses; their last parts are checked
    # where they are read (`_apply_source_env`, `_api_key`).
    families = (PREFIX + "SOURCES__", PREFIX + "API_KEYS__")
    for variable in sorted(env):
        if not variable.startswith(PREFIX) or variable in known or variable.startswith(families):
            continue
        close = difflib.get_close_matches(variable, sorted(known), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConfigError(
            f"{variable} is not a setting of the gateway{hint}; unset it or fix its name"
        )


def default_data_dir(env: Mapping[str, str]) -> str:
    """`$XDG_DATA_HOME/customer-gateway`, else `~/.local/share/customer-gateway` (the XDG base
    directory default), else `./.customer-gateway` when not even HOME is set."""
    if base := env.get("XDG_DATA_HOME"):
        return str(Path(base) / "customer-gateway")
    if home := env.get("HOME"):
        return str(Path(home) / ".local" / "share" / "customer-gateway")
    return ".customer-gateway"


def _section(
    raw: Any, env: Mapping[str, str], name: str, keys: Mapping[str, type]
) -> dict[str, Any]:
    """A `[name]` table of the file with its `CUSTOMER_GATEWAY_<NAME>__<KEY>` variables laid
    over it; a key the section does not have is an error that names it."""
    table = dict(_table(raw, name))
    for key in keys:
        value = env.get(f"{PREFIX}{name.upper()}__{key.upper()}")
        if value is not None:
            table[key] = value
    if unknown := set(table) - set(keys):
        raise ConfigError(f"unknown [{name}] keys: {', '.join(sorted(unknown))}")
    return table


_TELEMETRY_KEYS: dict[str, type] = {
    "otlp_endpoint": str,
    "service_name": str,
    "metrics": bool,
    "log_format": str,
    "log_pii": bool,
}


def _telemetry(raw: Any, env: Mapping[str, str]) -> TelemetrySettings:
    table = _section(raw, env, "telemetry", _TELEMETRY_KEYS)
    values = {k: _coerce(f"telemetry.{k}", v, _TELEMETRY_KEYS[k]) for k, v in table.items()}
    if values.get("log_format", "json") not in ("json", "text"):
        raise ConfigError("telemetry.log_format is 'json' or 'text'")
    return TelemetrySettings(**values)


_STATE_KEYS: dict[str, type] = {"postgres_url": str, "redis_url": str, "redis_prefix": str}
_URL_SCHEMES = {"postgres_url": r"^postgres(ql)?://", "redis_url": r"^rediss?://"}


def _state(raw: Any, env: Mapping[str, str]) -> StateSettings:
    table = _section(raw, env, "state", _STATE_KEYS)
    urls: dict[str, Secret | None] = {}
    for key, scheme in _URL_SCHEMES.items():
        url = table.get(key)
        if url is None or url == "":
            urls[key] = None
            continue
        # The message names the key, never the value: a URL can carry a password.
        if not isinstance(url, str) or not re.match(scheme, url):
            kind = "a postgresql://" if key == "postgres_url" else "a redis:// or rediss://"
            raise ConfigError(f"state.{key} must be {kind} URL")
        urls[key] = Secret(url)
    prefix = _coerce("state.redis_prefix", table.get("redis_prefix", "customer-gateway"), str)
    if not re.match(r"^[A-Za-z0-9_.:-]{1,64}$", prefix):
        raise ConfigError("state.redis_prefix must be 1 to 64 of [A-Za-z0-9_.:-]")
    return StateSettings(
        postgres_url=urls["postgres_url"], redis_url=urls["redis_url"], redis_prefix=prefix
    )


_IDENTITY_KEYS: dict[str, type] = {
    "enabled": bool,
    "match_phone": bool,
    "masters": dict,
    "erasure_retry_interval": float,
}


def _identity(raw: Any, env: Mapping[str, str], sources: set[str]) -> IdentitySettings:
    """[identity]; CUSTOMER_GATEWAY_IDENTITY__MASTERS is `field=source` pairs, comma-separated."""
    table = _section(raw, env, "identity", _IDENTITY_KEYS)
    masters_raw = table.get("masters", {})
    if isinstance(masters_raw, str):
        pairs = [item.strip() for item in masters_raw.split(",") if item.strip()]
        if not all(pair.count("=") == 1 for pair in pairs):
            raise ConfigError("identity.masters is field=source pairs, comma-separated")
        masters_raw = dict(
            (part.strip() for part in pair.split("=", 1))  # type: ignore[misc]
            for pair in pairs
        )
    masters = dict(_table(masters_raw, "identity.masters"))
    for field_name, source in masters.items():
        if field_name not in MERGED_FIELDS:
            raise ConfigError(
                f"identity.masters: {field_name!r} is not a person field "
                f"({', '.join(MERGED_FIELDS)})"
            )
        if not isinstance(source, str) or (sources and source not in sources):
            raise ConfigError(f"identity.masters.{field_name} must name a configured source")
    interval = _coerce(
        "identity.erasure_retry_interval", table.get("erasure_retry_interval", 60.0), float
    )
    if not interval > 0:
        raise ConfigError("identity.erasure_retry_interval must be a positive number of seconds")
    return IdentitySettings(
        enabled=_coerce("identity.enabled", table.get("enabled", True), bool),
        match_phone=_coerce("identity.match_phone", table.get("match_phone", False), bool),
        masters=masters,
        erasure_retry_interval=float(interval),
    )


def _limits(raw: Any, env: Mapping[str, str]) -> Limits:
    table = _section(raw, env, "limits", _LIMIT_KEYS)
    values = {key: _coerce(f"limits.{key}", value, int) for key, value in table.items()}
    if any(value < 1 for value in values.values()):
        raise ConfigError("[limits] values must be at least 1")
    return Limits(**values)


def _auth(raw: Any, env: Mapping[str, str], environment: str, sources: set[str]) -> AuthSettings:
    """[auth]: required (default: in production), [[auth.api_keys]] and [auth.jwt].

    Environment: CUSTOMER_GATEWAY_AUTH__REQUIRED, CUSTOMER_GATEWAY_AUTH__JWT_SECRET,
    CUSTOMER_GATEWAY_API_KEYS__<NAME>__KEY / __SCOPES / __SOURCES (comma-separated) /
    __STRICT_FILTERS.
    """
    table = dict(_table(raw, "auth"))
    if unknown := set(table) - {"required", "api_keys", "jwt"}:
        raise ConfigError(f"unknown [auth] keys: {', '.join(sorted(unknown))}")
    required = _coerce(
        "auth.required",
        env.get(f"{PREFIX}AUTH__REQUIRED", table.get("required", environment == "production")),
        bool,
    )
    keys: dict[str, dict[str, Any]] = {}
    entries = table.get("api_keys", [])
    if not isinstance(entries, list):
        raise ConfigError("auth.api_keys must be an array of tables ([[auth.api_keys]])")
    for index, entry in enumerate(entries):
        item = dict(_table(entry, f"auth.api_keys[{index}]"))
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"auth.api_keys[{index}].name is required")
        keys[name] = item
    marker = f"{PREFIX}API_KEYS__"
    for variable in sorted(env):
        if variable.startswith(marker):
            name_part, _, field_name = variable[len(marker) :].partition("__")
            if not name_part or not field_name:
                raise ConfigError(
                    f"{variable}: expected {marker}<NAME>__KEY, __SCOPES, __SOURCES or "
                    "__STRICT_FILTERS"
                )
            name = name_part.lower().replace("_", "-")
            keys.setdefault(name, {"name": name})[field_name.lower()] = env[variable]
    api_keys = tuple(_api_key(item, sources) for item in keys.values())
    jwt_table = dict(_table(table.get("jwt", {}), "auth.jwt"))
    if secret := env.get(f"{PREFIX}AUTH__JWT_SECRET"):
        jwt_table["secret"] = secret
    jwt = _jwt(jwt_table) if jwt_table else None
    if required and not api_keys and jwt is None:
        raise ConfigError(
            "auth is required (production) but no [[auth.api_keys]] or [auth.jwt] is configured"
        )
    return AuthSettings(required=required, api_keys=api_keys, jwt=jwt)


def _api_key(item: Mapping[str, Any], sources: set[str]) -> ApiKey:
    name = str(item["name"])
    where = f"api key {name!r}"
    if unknown := set(item) - {"name", "key", "scopes", "sources", "strict_filters"}:
        raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    key = item.get("key")
    if not isinstance(key, str) or len(key) < 16:
        raise ConfigError(f"{where}: 'key' must be a string of at least 16 characters")
    scopes = frozenset(_coerce(f"{where} scopes", item.get("scopes", ("read",)), tuple))
    if not scopes or scopes - SCOPES:
        raise ConfigError(f"{where}: scopes are 'read', 'write' and 'ops'")
    restricted = frozenset(_coerce(f"{where} sources", item.get("sources", ()), tuple))
    if "sources" in item and not restricted:
        # An empty list must not read as "no restriction"; omit the key for every source.
        raise ConfigError(f"{where}: 'sources' is empty (omit it to reach every source)")
    if restricted - sources and sources:
        raise ConfigError(f"{where}: unknown sources {', '.join(sorted(restricted - sources))}")
    strict = _coerce(f"{where} strict_filters", item.get("strict_filters", False), bool)
    return ApiKey(
        name=name, key=Secret(key), scopes=scopes, sources=restricted, strict_filters=strict
    )


def _jwt(table: Mapping[str, Any]) -> JwtSettings:
    allowed = {"secret", "jwks_file", "issuer", "audience", "scopes_claim", "sources_claim"}
    if unknown := set(table) - allowed:
        raise ConfigError(f"unknown [auth.jwt] keys: {', '.join(sorted(unknown))}")
    secret = table.get("secret")
    jwks = table.get("jwks_file")
    if (secret is None) == (jwks is None):
        raise ConfigError("[auth.jwt] needs exactly one of 'secret' (HS256) or 'jwks_file'")
    if secret is not None and (not isinstance(secret, str) or len(secret) < 32):
        raise ConfigError("[auth.jwt] secret must be at least 32 characters")
    return JwtSettings(
        secret=Secret(secret) if isinstance(secret, str) else None,
        jwks_file=str(jwks) if jwks is not None else None,
        issuer=table.get("issuer"),
        audience=table.get("audience"),
        scopes_claim=str(table.get("scopes_claim", "scope")),
        sources_claim=str(table.get("sources_claim", "sources")),
    )


def _sources(raw: Any, env: Mapping[str, str]) -> tuple[SourceSettings, ...]:
    if not isinstance(raw, list):
        raise ConfigError("sources must be an array of tables ([[sources]])")
    tables: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(raw):
        table = dict(_table(entry, f"sources[{index}]"))
        name = table.get("name")
        if not isinstance(name, str) or not SOURCE_NAME.match(name):
            raise ConfigError(
                f"sources[{index}].name must match {SOURCE_NAME.pattern} (it prefixes every id)"
            )
        if name in tables:
            raise ConfigError(f"two sources are named {name!r}")
        tables[name] = table
    _apply_source_env(tables, env)
    return tuple(_source(name, table) for name, table in tables.items())


def _apply_source_env(tables: dict[str, dict[str, Any]], env: Mapping[str, str]) -> None:
    by_env_name = {name.upper().replace("-", "_"): name for name in tables}
    marker = PREFIX + "SOURCES__"
    for variable in sorted(env):
        if not variable.startswith(marker):
            continue
        parts = variable[len(marker) :].split("__")
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[1] not in _SOURCE_TABLES):
            raise ConfigError(
                f"{variable}: expected {marker}<NAME>__<KEY>, {marker}<NAME>__CREDENTIALS__<KEY> "
                f"or {marker}<NAME>__OPTIONS__<KEY>"
            )
        env_name = parts[0]
        name = by_env_name.get(env_name)
        if name is None:
            name = env_name.lower().replace("_", "-")
            if not SOURCE_NAME.match(name):
                raise ConfigError(f"{variable}: {name!r} is not a valid source name")
            by_env_name[env_name] = name
            tables[name] = {"name": name}
        table = tables[name]
        if len(parts) == 3:
            key = parts[1].lower()
            nested = dict(_table(table.get(key, {}), f"{name}.{key}"))
            nested[parts[2].lower()] = env[variable]
            table[key] = nested
        else:
            table[parts[1].lower()] = env[variable]


def _source(name: str, table: Mapping[str, Any]) -> SourceSettings:
    where = f"source {name!r}"
    if unknown := set(table) - _SOURCE_KEYS:
        raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    kind = table.get("kind")
    base_url = table.get("base_url")
    if not isinstance(kind, str) or not kind:
        raise ConfigError(f"{where}: 'kind' is required")
    if not isinstance(base_url, str) or not re.match(r"^https?://[^/\s]+", base_url):
        raise ConfigError(f"{where}: 'base_url' must be an http(s) URL")
    credentials = _table(table.get("credentials", {}), f"{where} credentials")
    for key, value in credentials.items():
        if not isinstance(value, str):
            raise ConfigError(f"{where}: credential {key!r} must be a string")
    defaults = Timeouts()
    timeouts = Timeouts(
        connect=_coerce(
            f"{where} timeout_connect", table.get("timeout_connect", defaults.connect), float
        ),
        read=_coerce(f"{where} timeout_read", table.get("timeout_read", defaults.read), float),
        total=_coerce(f"{where} timeout_total", table.get("timeout_total", defaults.total), float),
    )
    if min(timeouts.connect, timeouts.read, timeouts.total) <= 0:
        raise ConfigError(f"{where}: timeouts must be positive")
    transport = _coerce(f"{where} transport", table.get("transport", "aiohttp"), str)
    if transport not in TRANSPORTS:
        raise ConfigError(f"{where}: transport is one of {', '.join(TRANSPORTS)}")
    collation = _coerce(f"{where} collation", table.get("collation", "en_US"), str)
    if collation not in COLLATIONS:
        raise ConfigError(f"{where}: collation is one of {', '.join(COLLATIONS)}")
    phone_country = table.get("phone_country")
    if phone_country is not None:
        if not isinstance(phone_country, str) or phone_country.upper() not in COUNTRIES:
            raise ConfigError(
                f"{where}: phone_country is an ISO 3166 code the gateway knows "
                f"({', '.join(sorted(COUNTRIES))})"
            )
        phone_country = phone_country.upper()
    return SourceSettings(
        name=name,
        kind=kind,
        base_url=base_url.rstrip("/"),
        credentials={key: Secret(value) for key, value in credentials.items()},
        options=dict(_table(table.get("options", {}), f"{where} options")),
        timeouts=timeouts,
        max_connections=_coerce(f"{where} max_connections", table.get("max_connections", 20), int),
        retries=_coerce(f"{where} retries", table.get("retries", 2), int),
        rate_limits=_coerce(f"{where} rate_limits", table.get("rate_limits", True), bool),
        transport=transport,
        mirror=_coerce(f"{where} mirror", table.get("mirror", True), bool),
        sync_interval=_positive(where, "sync_interval", table.get("sync_interval", 60.0)),
        reconcile_interval=_positive(
            where, "reconcile_interval", table.get("reconcile_interval", 3600.0)
        ),
        collation=collation,
        phone_country=phone_country,
    )


def _positive(where: str, key: str, value: Any) -> float:
    number = float(_coerce(f"{where} {key}", value, float))
    if not number > 0:
        raise ConfigError(f"{where}: {key} must be a positive number of seconds")
    return number


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be a table")
    return value


def _coerce(where: str, value: Any, kind: type | None) -> Any:
    """TOML gives typed values, the environment gives strings: accept both."""
    if kind is None or (isinstance(value, kind) and not (kind is int and isinstance(value, bool))):
        return value
    if kind is tuple:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split(",") if item.strip())
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
    elif kind is bool and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
    elif (
        kind in (int, float)
        and isinstance(value, (str, int, float))
        and not isinstance(value, bool)
    ):
        try:
            return kind(value)
        except ValueError:
            pass
    raise ConfigError(f"{where} must be of type {kind.__name__}")
