"""Webhook deliveries the emulators send: one POST each, without holding up the request that
caused it (from inside the emulator's event loop: a task; from a test's direct change outside
any loop: a thread). What the receiver answered (status, or the transport error's name) is
appended to `sent` with the delivery's event name."""

from __future__ import annotations

import asyncio
import threading

import httpx

_TASKS: set[asyncio.Task[None]] = set()


def post_later(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    event: str,
    sent: list[tuple[str, int | str]],
    timeout: float,
) -> None:
    async def post() -> None:
        try:
            async with httpx.AsyncClient(timeout=timeout) as client:
                answer = await client.post(url, content=body, headers=headers)
            sent.append((event, answer.status_code))
        except httpx.HTTPError as error:
            sent.append((event, type(error).__name__))

    def post_blocking() -> None:
        try:
            answer = httpx.post(url, content=body, headers=headers, timeout=timeout)
            sent.append((event, answer.status_code))
        except httpx.HTTPError as error:
            sent.append((event, type(error).__name__))

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        threading.Thread(target=post_blocking, daemon=True).start()
        return
    task = loop.create_task(post())
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
