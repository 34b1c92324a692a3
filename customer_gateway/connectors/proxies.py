"""The outbound proxy a source's requests go through: `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`
and `NO_PROXY` (either case), read as httpx reads them (`trust_env`, its default), for both
transports.

aiohttp's own `trust_env` reads them otherwise: no `ALL_PROXY`, `NO_PROXY` through urllib's
rules, `~/.netrc` credentials added to requests (beside a source's own `Authorization`: a
`ValueError`), and two thread hops per request to look them up. Here the variables are read
once, when a source's client is made (as httpx does), with httpx's own parsing and matching,
and aiohttp is handed the proxy for each request's URL.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import httpx

# httpx's reading of the variables and its URL patterns (what `AsyncClient` mounts proxies by):
# the same code, so the two transports cannot drift apart.
from httpx._utils import URLPattern, get_environment_proxies


class UnsupportedProxy(ValueError):
    """A proxy aiohttp cannot go through (only `http://` proxies)."""


@dataclass(frozen=True, slots=True)
class Proxy:
    url: str  # without credentials
    headers: dict[str, str] | None  # Proxy-Authorization, from the URL's credentials


class EnvProxies:
    def __init__(self) -> None:
        # httpx sorts its mounts so that the most specific pattern is tried first.
        self._mounts: list[tuple[URLPattern, Proxy | None]] = sorted(
            (
                (URLPattern(pattern), None if url is None else _proxy(url))
                for pattern, url in get_environment_proxies().items()
            ),
            key=lambda mount: mount[0],
        )

    def for_url(self, url: httpx.URL) -> Proxy | None:
        """The proxy httpx would send `url` through; None: straight to it."""
        for pattern, proxy in self._mounts:
            if pattern.matches(url):
                return proxy
        return None


def _proxy(url: str) -> Proxy:
    parsed = httpx.Proxy(url=url)  # httpx's checks: its schemes, credentials taken out
    if parsed.url.scheme != "http":
        raise UnsupportedProxy(
            f"the proxy {parsed.url.scheme}://{parsed.url.host}:{parsed.url.port or ''} "
            '(HTTP_PROXY, HTTPS_PROXY or ALL_PROXY): transport = "aiohttp" goes through '
            'http:// proxies only; use transport = "httpx" for this one'
        )
    headers = None
    if parsed.auth is not None:
        user, password = parsed.auth
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers = {"Proxy-Authorization": f"Basic {token}"}
    return Proxy(str(parsed.url), headers)
