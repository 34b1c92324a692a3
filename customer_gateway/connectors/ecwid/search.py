"""The gateway's list conditions and sort as `GET /customers` query parameters (README 3.3).

What Ecwid is assumed to match (its docs name the parameters, not their rules; the emulator
follows the same reading): `keyword` a case-insensitive substring of the name or the e-mail,
`name` a case-insensitive substring of the name, `email` the whole address ignoring case,
`customerGroup`/`customerGroupIds` the group id(s) exactly.

So, against the gateway's semantics (resolvers/filters/evaluation.py):
* keyword eq, full_name eq/like, email eq/like narrow to a SUPERSET the gateway re-checks.
  A value holding `%`, `_` or `\\` (wildcards or escapes to the gateway, plain characters to
  Ecwid) is not sent: Ecwid would return fewer customers than the gateway selects. Of several
  conditions wanting one parameter the first is sent: fewer conditions still give a superset.
* email like with a pattern `%text%`, `text%` or `%text` is sent as `keyword=text` (name or
  e-mail contains it: a superset); a pattern without wildcards as `email`.
* created_at / updated_at gt, gteq, lt, lteq narrow to a SUPERSET: `createdFrom`/`createdTo`/
  `updatedFrom`/`updatedTo` take whole UNIX seconds, and whether a bound is inclusive is not
  documented, so each is widened by one second past the value (rounded outwards); of several
  bounds of one kind the tightest is sent. The gateway re-checks.
* group eq/in is EXACT: every Ecwid customer has exactly one group (General, 0, by default),
  so Ecwid returns exactly the customers whose group id is listed. Values that cannot be Ecwid
  group ids (not canonical digits) name no group of this source; when none is left, nothing
  matches and no request is sent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from customer_gateway.connectors.ecwid.mapping import is_ecwid_id
from customer_gateway.connectors.models import Condition, FilterField, Op, Sort, SortField

_PLAIN: Final = re.compile(r"[^%_\\]+")
_MOMENTS: Final = {FilterField.CREATED_AT: "created", FilterField.UPDATED_AT: "updated"}
_CONTAINS: Final = re.compile(r"%?([^%_\\]+)%?")


def _plain(value: str) -> str | None:
    return value if value.strip() and _PLAIN.fullmatch(value) else None


def search_params(conditions: Sequence[Condition]) -> dict[str, str] | None:
    """Query parameters for `conditions`; None when no customer can match (send nothing)."""
    params: dict[str, str] = {}
    groups: set[str] | None = None

    def offer(name: str, value: str | None) -> None:
        if value is not None and value.strip() and name not in params:
            params[name] = value

    lower: dict[str, int] = {}
    upper: dict[str, int] = {}
    for condition in conditions:
        field, op, value = condition.field, condition.op, condition.value
        if field in _MOMENTS:
            # The gateway's ISO 8601 form; before 1970 is 0 (no Ecwid store is older).
            seconds = max(0.0, datetime.fromisoformat(value).timestamp())
            prefix = _MOMENTS[field]
            if op in (Op.GT, Op.GTEQ):
                bound = max(0, math.floor(seconds) - 1)
                lower[prefix] = max(lower.get(prefix, bound), bound)
            elif op in (Op.LT, Op.LTEQ):
                bound = math.ceil(seconds) + 1
                upper[prefix] = min(upper.get(prefix, bound), bound)
        elif field is FilterField.KEYWORD and op is Op.EQ:
            offer("keyword", _plain(value))
        elif field is FilterField.FULL_NAME and op is Op.EQ:
            offer("name", value)  # eq is literal to the gateway too: Ecwid's substring ⊇ it
        elif field is FilterField.FULL_NAME and op is Op.LIKE:
            offer("name", _plain(value))
        elif field is FilterField.EMAIL and op is Op.EQ:
            offer("email", value)
        elif field is FilterField.EMAIL and op is Op.LIKE:
            if _plain(value) is not None:
                offer("email", value)  # ILIKE without wildcards: equal ignoring case
            elif (contains := _CONTAINS.fullmatch(value)) is not None:
                offer("keyword", contains.group(1))
        elif field is FilterField.GROUP and op in (Op.EQ, Op.IN):
            ids = {value for value in condition.values if is_ecwid_id(value)}
            groups = ids if groups is None else groups & ids
    for prefix, bound in lower.items():
        params[f"{prefix}From"] = str(bound)
    for prefix, bound in upper.items():
        params[f"{prefix}To"] = str(bound)
    if groups is not None:
        if not groups:
            return None
        ordered = sorted(groups, key=int)
        if len(ordered) == 1:
            params["customerGroup"] = ordered[0]
        else:
            params["customerGroupIds"] = ",".join(ordered)
    return params


def sort_by(sort: Sort) -> str:
    """Ecwid's `sortBy` for the gateway's sort.

    Only created_at (REGISTERED_DATE_*) and status are declared: Ecwid has no status (every
    customer is 1, so any stable order is status order). Its NAME_*/EMAIL_* order cannot be
    shown to match the gateway's en_US collation (and where Ecwid puts customers without a
    name is undocumented), so for those the gateway sorts; the connector then asks for the
    oldest first, a stable order that keeps equal names in registration order.
    """
    if sort.field is SortField.CREATED_AT and sort.descending:
        return "REGISTERED_DATE_DESC"
    return "REGISTERED_DATE_ASC"
