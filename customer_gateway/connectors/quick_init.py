"""Frozen records built as fast as plain ones: the records a page makes per row.

A frozen dataclass's `__init__` sets each field with `object.__setattr__(self, name, value)`:
a C slot wrapper called from Python, which makes a bound method-wrapper and slices its
arguments per field. For `CustomerRecord` (20 fields) that is 33,000 instructions a record
against 7,900 for the same class unfrozen: 1.7 M of a 50-customer page (bench/README.md,
instructions per request).

`quick_init` keeps the class frozen (assignments raise `FrozenInstanceError`; equality,
hashing, `repr`, defaults and default factories are the dataclass's) and builds its instances
as an unfrozen twin (same slots in the same order: the same memory layout) whose plain
`__init__` fills them; the instance then becomes the frozen class. Worth it for many fields
only: one class change costs about what three frozen field stores do.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, TypeVar, cast

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """Decorate a `@dataclass(frozen=True, slots=True)` class (applied after it)."""
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    if not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: quick_init is for frozen dataclasses with slots")
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    # The twin's `__init__` takes every field, positionally or by name, and does nothing else:
    # a class whose own `__init__` differs (an `InitVar`, an `init=False` or keyword-only field)
    # or that checks its fields (`__post_init__`) would be built wrongly, silently.
    own = [
        (item.name, item.kind)
        for item in inspect.signature(vars(cls)["__init__"]).parameters.values()
    ][1:]
    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    if hasattr(cls, "__post_init__") or own != [(item.name, positional) for item in fields]:
        raise TypeError(
            f"{cls.__name__}: quick_init builds every field as an argument, with no "
            "__post_init__, InitVar, init=False or keyword-only field"
        )
    twin = dataclasses.make_dataclass(
        f"_{cls.__name__}Unfrozen",
        [
            (
                item.name,
                item.type,
                dataclasses.field(default=item.default, default_factory=item.default_factory),
            )
            for item in fields
        ],
        slots=True,
        eq=False,
        repr=False,
    )
    assert twin.__slots__ == cls.__slots__  # type: ignore[attr-defined]
    # A missing or unknown argument is reported as the record's own.
    vars(twin)["__init__"].__qualname__ = f"{cls.__qualname__}.__init__"
    names = tuple(item.name for item in fields)

    def __new__(kind: type[T], /, *args: Any, **kwargs: Any) -> T:
        record: Any = twin(*args, **kwargs)
        record.__class__ = kind  # the twin's own assignment: no frozen check
        return cast(T, record)

    def __reduce__(self: T) -> tuple[type[T], tuple[Any, ...]]:
        """Copies and pickles are built by the constructor too (`__new__` needs the fields)."""
        return cls, tuple(getattr(self, name) for name in names)

    def __init_subclass__(kind: type[T], /, **kwargs: Any) -> None:
        raise TypeError(f"{cls.__name__} is built as its twin's layout: no subclasses")

    setattr(cls, "__new__", staticmethod(__new__))  # noqa: B010 (mypy refuses the assignment)
    setattr(cls, "__init__", object.__init__)  # noqa: B010 (`__new__` filled every field)
    setattr(cls, "__reduce__", __reduce__)  # noqa: B010
    setattr(cls, "__init_subclass__", classmethod(__init_subclass__))  # noqa: B010
    setattr(cls, "__signature__", inspect.signature(twin))  # noqa: B010
    return cls
