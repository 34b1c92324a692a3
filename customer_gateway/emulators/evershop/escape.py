"""The global `escapeHtml` API middleware (`modules/base/services/escapePayload.ts`).

Only whole tags are escaped (`<b>` -> `&lt;b&gt;`); a lone `<` or `a < b` is left alone. It runs
for every non-GET request after payload validation, on nested objects and arrays too.
"""

from __future__ import annotations

import re
from typing import Any, Final

_TAG: Final = re.compile(r"<([a-zA-Z]+)(?:\s[^>]*)?>|</([a-zA-Z]+)>")


def escape_html_tags(text: str) -> str:
    return _TAG.sub(lambda match: match.group().replace("<", "&lt;").replace(">", "&gt;"), text)


def escape_payload(value: Any) -> Any:
    """Return the payload with every string value escaped (keys are left as they are)."""
    if isinstance(value, list):
        return [escape_payload(item) if isinstance(item, dict | list) else item for item in value]
    if isinstance(value, dict):
        return {
            key: escape_html_tags(item) if isinstance(item, str) else escape_payload(item)
            for key, item in value.items()
        }
    return value
