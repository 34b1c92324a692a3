"""Hostile documents against a served gateway over real sockets: each is refused with a typed
error while the event loop stays free (a concurrent /healthz answers)."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.unit.test_query_shape import DEPTHS, SHAPES


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_hostile_documents_leave_the_server_answering(server: str, shape: str) -> None:
    answers: dict[int, httpx.Response] = {}

    def send(levels: int) -> None:
        answers[levels] = httpx.post(
            f"{server}/graphql", json={"query": SHAPES[shape](levels)}, timeout=30
        )

    senders = [threading.Thread(target=send, args=(levels,)) for levels in DEPTHS]
    for sender in senders:
        sender.start()
    # A generous bound, only to catch a pinned event loop.
    for _ in range(5):
        assert httpx.get(f"{server}/healthz", timeout=1.0).status_code == 200
    for sender in senders:
        sender.join(timeout=30)
    assert sorted(answers) == list(DEPTHS)
    for levels, response in answers.items():
        assert response.status_code == 200, (levels, response.text)
        payload = response.json()
        assert "data" not in payload or payload["data"] is None
        assert [e["extensions"]["code"] for e in payload["errors"]] == ["QUERY_TOO_COMPLEX"]
