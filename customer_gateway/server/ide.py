"""GraphiQL served by the gateway itself: the page at /graphql and its files at /graphiql/.

No file comes from a CDN (static/graphiql, written by tools/graphiql_assets.py with each
package's licence), so the IDE works on a machine without internet access. Each file is loaded
with its SRI hash from MANIFEST.json: a damaged copy does not run.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

from starlette.staticfiles import StaticFiles

ASSETS_PATH = "/graphiql"
_STATIC = ("customer_gateway", "static/graphiql")


@cache
def ide_page() -> str:
    """The GraphiQL page, its asset links pointing here."""
    folder = files(_STATIC[0]).joinpath(_STATIC[1])
    page = folder.joinpath("index.html").read_text("utf-8")
    manifest = json.loads(folder.joinpath("MANIFEST.json").read_text("utf-8"))
    for served, entry in manifest.items():
        page = page.replace(f"__SRI_{served}__", entry["integrity"])
    return page.replace("__ASSETS__", ASSETS_PATH)


def ide_assets() -> StaticFiles:
    return StaticFiles(packages=[_STATIC])
