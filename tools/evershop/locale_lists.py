"""Write customer_gateway/data/countries.txt and provinces.txt from EverShop's own lists.

    .venv/bin/python tools/evershop/locale_lists.py [--check]

EverShop 2.2.1 serves `countries` and `provinces` from `lib/locale/countries.js` and
`provinces.js`; the gateway names countries the same way (`Country.name`) and the EverShop
emulator serves the same lists. Node imports the modules from the install `make test-evershop`
keeps in its cache (tools/evershop/harness.py), so nothing here parses JavaScript. Each file is
one `code|name` line per entry, in EverShop's order. `--check` compares instead of writing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Final

from tools.evershop.harness import cache_dir, run

ROOT: Final = Path(__file__).resolve().parents[2]
DATA: Final = ROOT / "customer_gateway" / "data"
LISTS: Final = {"countries": "countries.js", "provinces": "provinces.js"}
HEADER: Final = "# EverShop 2.2.1 lib/locale/{module}, written by tools/evershop/locale_lists.py.\n"


def read_list(module: Path, name: str) -> list[dict[str, str]]:
    script = f"import {{ {name} }} from {json.dumps(module.as_uri())}; "
    script += f"process.stdout.write(JSON.stringify({name}));"
    entries = json.loads(run(["node", "--input-type=module", "-e", script]).stdout)
    assert isinstance(entries, list)
    return entries


def render(module: str, entries: list[dict[str, str]]) -> str:
    for entry in entries:
        if "|" in entry["code"] + entry["name"] or "\n" in entry["name"]:
            raise ValueError(f"an entry cannot be written as code|name: {entry}")
    lines = [f"{entry['code']}|{entry['name']}" for entry in entries]
    return HEADER.format(module=module) + "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    locale_dir = cache_dir() / "node_modules/@evershop/evershop/dist/lib/locale"
    if not locale_dir.is_dir():
        sys.stderr.write(f"no EverShop install at {locale_dir}: run `make test-evershop` once\n")
        return 2
    stale = 0
    for name, module in LISTS.items():
        text = render(module, read_list(locale_dir / module, name))
        target = DATA / f"{name}.txt"
        if "--check" in argv:
            if target.read_text(encoding="utf-8") != text:
                sys.stderr.write(f"{target} differs from EverShop's {module}\n")
                stale += 1
        else:
            target.write_text(text, encoding="utf-8")
            sys.stderr.write(f"wrote {target} ({text.count(chr(10)) - 1} entries)\n")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
