"""The en_US key's fast path (`str.translate` per level) gives the character-by-character
walk's key for every text it takes; texts with a contraction's characters or characters outside
glibc's table take the walk."""

from __future__ import annotations

import random

from customer_gateway.text import collation
from customer_gateway.text.collation import _key_by_character, _table, en_us_key


def test_the_fast_path_is_the_walk() -> None:
    weights, pairs = _table()
    singles = [text for text in weights if len(text) == 1]
    extra = ["·", "\u0387", "L", "l", "\u0301", "😀", "\uffff", "中", " ", "-", ".", "@", "\x00"]
    rng = random.Random(16)
    fast = 0
    for _ in range(20_000):
        text = "".join(
            rng.choice(singles) if rng.random() < 0.6 else rng.choice(extra)
            for _ in range(rng.randrange(24))
        )
        key, tie = en_us_key.__wrapped__(text)
        assert tie == text
        assert key == _key_by_character(text), text
        fast += collation._translations()[0].issuperset(text)
    assert fast > 1000  # both paths taken
    for text in ["", "L·l", "l·L", "Anne", "Ann-Lee", "a.b@c.com", "Zoë Åberg", *pairs]:
        assert en_us_key.__wrapped__(text) == (_key_by_character(text), text)


def test_the_order_is_unchanged() -> None:
    names = ["Anne", "ann lee", "Annlee", "Ann Lee", "Ann-Lee", "a.b@c.com", "ab@c.com", "a@b.com"]
    assert sorted(names, key=en_us_key) == [
        "a.b@c.com",
        "ab@c.com",
        "a@b.com",
        "Anne",
        "ann lee",
        "Annlee",
        "Ann Lee",
        "Ann-Lee",
    ]
