"""Strawberry's argument conversion asks, for every list argument of every request, whether its
items are leaves (`_is_leaf_type`, `_is_optional_leaf_type` in strawberry/types/arguments.py),
and the answer is asked of the item type by comparing it with `GlobalID`: for a container such
as `FilterInput | None` that comparison resolves a new `StrawberryAnnotation(GlobalID)` each
time (`StrawberryType.__eq__`), 154,000 instructions, twice for `customers(filters:)`
(bench/README.md, instructions per request). The answer depends only on the type, the scalar
registry's scalars and the classes skipped, none of which change once the schema is built, so
it is remembered per type here and the two functions are replaced in Strawberry's module by
the remembering ones (as app.py replaces `parse_content_type`). A type that cannot be hashed
is asked every time; equal types (containers of the same type) share an answer, as they do in
Strawberry's own comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import strawberry.types.arguments as strawberry_arguments

LeafCheck = Callable[..., bool]

# A bound, not a cache policy: a schema has a few dozen argument and input field types.
KEPT: Final = 1024


def remembered(check: LeafCheck) -> LeafCheck:
    """`check(type_, scalar_registry, skip_classes)`, asked once per type, registry and skip."""
    answers: dict[tuple[Any, int, tuple[type, ...]], tuple[bool, Mapping[object, Any], int]] = {}

    def remembering(
        type_: Any, scalar_registry: Mapping[object, Any], skip_classes: tuple[type, ...] = ()
    ) -> bool:
        key = (type_, id(scalar_registry), skip_classes)
        try:
            answer = answers.get(key)
        except TypeError:  # an unhashable type (an enum's definition): asked each time
            return check(type_, scalar_registry, skip_classes)
        # The registry itself (an id can be reused) with as many scalars as when asked.
        if answer is None or answer[1] is not scalar_registry or answer[2] != len(scalar_registry):
            if len(answers) >= KEPT:
                answers.clear()
            answer = (
                check(type_, scalar_registry, skip_classes),
                scalar_registry,
                len(scalar_registry),
            )
            answers[key] = answer
        return answer[0]

    remembering.original = check  # type: ignore[attr-defined]
    return remembering


def install() -> None:
    """Strawberry's leaf checks replaced by remembering ones (once; idempotent)."""
    for name in ("_is_leaf_type", "_is_optional_leaf_type"):
        current = getattr(strawberry_arguments, name)
        if getattr(current, "original", None) is None:
            setattr(strawberry_arguments, name, remembered(current))
