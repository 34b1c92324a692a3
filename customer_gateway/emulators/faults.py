"""Fault injection for every emulator: what real upstreams do on a bad day, on demand.

A `FaultPlan` sits in front of an emulator's app. Tests (or `customer-gateway emulate --fault`)
add rules; each rule matches a method and a path prefix, fires a number of times (or forever),
and shapes the exchange:

    latency / jitter     wait before answering
    status               answer with this status instead (e.g. 503), nothing runs
    rate_limit           429 with Retry-After in seconds or as an HTTP-date
    reset                the connection breaks before any answer
    commit_then_fail     the request runs (the write lands), then 502 or a broken connection
    slow_body            the answer drips out a few bytes at a time
    truncate             the answer stops half way
    malformed            the answer's body is not JSON

`error_rate` fails that share of matching requests at random (seeded) with `status`.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Literal, get_args

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FaultKind = Literal[
    "latency",
    "status",
    "rate_limit",
    "reset",
    "commit_then_fail",
    "slow_body",
    "truncate",
    "malformed",
]


class UpstreamReset(ConnectionResetError):
    """The emulated connection broke (an OSError, as a real reset is)."""


@dataclass
class Fault:
    kind: FaultKind
    method: str | None = None  # None: any method
    path: str = ""  # path prefix
    times: int | None = 1  # None: every time
    seconds: float = 0.0  # latency, Retry-After, drip interval
    jitter: float = 0.0  # latency: plus a uniform random share of this
    status: int = 503
    http_date: bool = False  # Retry-After as an HTTP-date (Shoptet) instead of seconds
    probability: float = 1.0
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and path.startswith(self.path)


@dataclass
class FaultPlan:
    clock: Callable[[], float]
    seed: int = 0
    faults: list[Fault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def add(self, kind: FaultKind, **options: object) -> Fault:
        fault = Fault(kind, **options)  # type: ignore[arg-type]
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def pick(self, method: str, path: str) -> list[Fault]:
        chosen = []
        for fault in self.faults:
            if fault.times is not None and fault.fired >= fault.times:
                continue
            if not fault.matches(method, path):
                continue
            if fault.probability < 1.0 and self._random.random() >= fault.probability:
                continue
            fault.fired += 1
            chosen.append(fault)
        return chosen

    def jitter(self, upper: float) -> float:
        return self._random.uniform(0.0, upper)


def parse_fault(text: str) -> tuple[FaultKind, dict[str, object]]:
    """The CLI form of a fault: `NAME[=VALUE][@PATH]`, every kind of `FaultKind` plus two
    shorthands: `latency=0.02`, `jitter=0.005`, `error_rate=0.1` (that share answers 503),
    `status=503`, `rate_limit=30` (Retry-After in seconds; `30:date` as an HTTP-date), `reset`,
    `commit_then_fail` (502; `=0` breaks the connection instead), `slow_body=0.05`, `truncate`,
    `malformed`; `@/api/customers` limits it to a path prefix."""
    name, _, rest = text.partition("=")
    if "@" in name:  # a fault without a value: `reset@/api`
        name, _, path = name.partition("@")
        value = ""
    else:
        value, _, path = rest.partition("@")
    options: dict[str, object] = {"times": None, "path": path}
    if name == "latency":
        return "latency", {**options, "seconds": _number(name, value, float)}
    if name == "jitter":
        return "latency", {**options, "jitter": _number(name, value, float)}
    if name == "error_rate":
        return "status", {**options, "probability": _number(name, value, float)}
    if name not in get_args(FaultKind):
        raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULT_NAMES)}")
    kind: FaultKind = name  # type: ignore[assignment]
    if name == "status":
        options["status"] = _number(name, value, int)
    elif name == "commit_then_fail":
        options["status"] = _number(name, value or "502", int)
    elif name == "rate_limit":
        seconds, _, form = value.partition(":")
        if form not in ("", "date"):
            raise ValueError("rate_limit takes seconds, or seconds:date for an HTTP-date")
        options["seconds"] = _number(name, seconds or "1", float)
        options["http_date"] = form == "date"
    elif name == "slow_body":
        options["seconds"] = _number(name, value or "1", float)
    elif value:
        raise ValueError(f"{name} takes no value")
    return kind, options


def _number(name: str, value: str, kind: type[int] | type[float]) -> float:
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a number") from None


# What `parse_fault` accepts by name (the shorthands and every kind).
FAULT_NAMES = ("latency", "jitter", "error_rate", *get_args(FaultKind))


class FaultInjector:
    """ASGI middleware applying a FaultPlan."""

    def __init__(self, app: ASGIApp, plan: FaultPlan) -> None:
        self.app = app
        self.plan = plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        faults = self.plan.pick(scope["method"], scope["path"])
        if not faults:
            await self.app(scope, receive, send)
            return
        for fault in faults:
            if fault.kind == "latency":
                await asyncio.sleep(fault.seconds + self.plan.jitter(fault.jitter))
        for fault in faults:
            if fault.kind == "status":
                await _answer(send, fault.status, b'{"error":"injected fault"}')
                return
            if fault.kind == "rate_limit":
                retry = (
                    formatdate(self.plan.clock() + fault.seconds, usegmt=True)
                    if fault.http_date
                    else str(int(fault.seconds))
                )
                await _answer(send, 429, b'{"error":"too many requests"}', retry_after=retry)
                return
            if fault.kind == "reset":
                raise UpstreamReset("connection reset by the emulated upstream")
            if fault.kind == "commit_then_fail":
                await self.app(scope, receive, _discard)
                await asyncio.sleep(fault.seconds)  # e.g. longer than the caller waits
                if fault.status == 0:
                    raise UpstreamReset("connection reset after the write was applied")
                await _answer(send, fault.status or 502, b'{"error":"bad gateway"}')
                return
            if fault.kind in ("slow_body", "truncate", "malformed"):
                await self.app(scope, receive, _Reshaper(send, fault))
                return
        await self.app(scope, receive, send)


async def _discard(message: Message) -> None:
    return None


async def _answer(send: Send, status: int, body: bytes, retry_after: str | None = None) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", retry_after.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _Reshaper:
    """Rewrites the response body on its way out (the app's own answer, damaged)."""

    def __init__(self, send: Send, fault: Fault) -> None:
        self.send = send
        self.fault = fault
        self.start: Message | None = None
        self.body = b""

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        self.body += message.get("body", b"")
        if message.get("more_body", False):
            return
        assert self.start is not None
        headers = [(k, v) for k, v in self.start["headers"] if k.lower() != b"content-length"]
        await self.send({**self.start, "headers": headers})
        if self.fault.kind == "malformed":
            await self.send({"type": "http.response.body", "body": b"<html>502 Bad Gateway</html>"})
        elif self.fault.kind == "truncate":
            await self.send(
                {"type": "http.response.body", "body": self.body[: len(self.body) // 2]}
            )
        else:  # slow_body: a few bytes per interval
            for index in range(0, len(self.body), 16):
                await self.send(
                    {
                        "type": "http.response.body",
                        "body": self.body[index : index + 16],
                        "more_body": True,
                    }
                )
                await asyncio.sleep(self.fault.seconds)
            await self.send({"type": "http.response.body", "body": b""})
