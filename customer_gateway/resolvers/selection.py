"""What the client selected below a field, fragments included (to fetch only what is needed)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection


def selected_names(selections: Iterable[Selection], path: Sequence[str] = ()) -> set[str]:
    """Field names selected at `path` below `selections` (e.g. path ("items",))."""
    fields = list(_fields(selections))
    if not path:
        return {field.name for field in fields}
    head, rest = path[0], path[1:]
    names: set[str] = set()
    for field in fields:
        if field.name == head:
            names |= selected_names(field.selections, rest)
    return names


def _fields(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, (FragmentSpread, InlineFragment)):
            yield from _fields(selection.selections)


# GraphQL field of Customer → CustomerRecord attribute it reads.
CUSTOMER_FIELD_ATTRIBUTES = {
    "email": "email",
    "fullName": "full_name",
    "status": "status",
    "phone": "phone",
    "vatNumber": "vat_number",
    "companyName": "company_name",
    "createdAt": "created_at",
    "updatedAt": "updated_at",
    "group": "groups",
    "groups": "groups",
    "addresses": "addresses",
    "metaData": "metadata",
}


def record_attributes(field_names: Iterable[str]) -> frozenset[str]:
    return frozenset(
        CUSTOMER_FIELD_ATTRIBUTES[name] for name in field_names if name in CUSTOMER_FIELD_ATTRIBUTES
    )
