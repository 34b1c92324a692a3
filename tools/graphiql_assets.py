"""Vendor GraphiQL's files into customer_gateway/static/graphiql, so the IDE works offline.

    .venv/bin/python -m tools.graphiql_assets          # fetch from the npm registry, write
    .venv/bin/python -m tools.graphiql_assets --check  # the committed files match MANIFEST.json

The page the gateway serves at /graphql (static/graphiql/index.html) loads React, GraphiQL and
its explorer plugin from the gateway itself, never from a CDN: a browser without internet
access (a sandbox on a laptop on a train, an air-gapped admin network) still gets the IDE. The
versions are the ones Strawberry's own page pins, and each file's SHA-384 is the SRI hash that
page carries for the CDN copy, so the vendored bytes are exactly what unpkg.com serves. Each
package's licence goes along (static/graphiql/licenses/).
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[1]
TARGET: Final = ROOT / "customer_gateway" / "static" / "graphiql"

# served name -> (package, version, path in the package, SRI hash of Strawberry's page)
FILES: Final = {
    "react.production.min.js": (
        "react",
        "18.2.0",
        "umd/react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    "react-dom.production.min.js": (
        "react-dom",
        "18.2.0",
        "umd/react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    "graphiql.min.css": (
        "graphiql",
        "3.8.3",
        "graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    "graphiql.min.js": (
        "graphiql",
        "3.8.3",
        "graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    "plugin-explorer.css": (
        "@graphiql/plugin-explorer",
        "1.0.2",
        "dist/style.css",
        "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    ),
    "plugin-explorer.umd.js": (
        "@graphiql/plugin-explorer",
        "1.0.2",
        "dist/index.umd.js",
        "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    ),
}


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def fetch(work: Path) -> None:
    packages = sorted({(package, version) for package, version, _, _ in FILES.values()})
    licenses = TARGET / "licenses"
    licenses.mkdir(parents=True, exist_ok=True)
    for package, version in packages:
        tarball = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            ["npm", "pack", f"{package}@{version}", "--silent"],  # noqa: S607
            cwd=work,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        with tarfile.open(work / tarball) as archive:
            members = {member.name: member for member in archive.getmembers()}
            for served, (owner, owner_version, path, expected) in FILES.items():
                if (owner, owner_version) != (package, version):
                    continue
                extracted = archive.extractfile(members[f"package/{path}"])
                assert extracted is not None
                data = extracted.read()
                if sri(data) != expected:
                    raise SystemExit(f"{package}@{version} {path}: not the file the page pins")
                (TARGET / served).write_bytes(data)
            name = package.replace("/", "-").lstrip("@")
            (licenses / f"{name}-{version}.LICENSE").write_bytes(_license(archive, members))


def _license(archive: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> bytes:
    """The package's licence text, or what its package.json declares when it ships none."""
    member = members.get("package/LICENSE")
    if member is not None:
        text = archive.extractfile(member)
        assert text is not None
        return text.read()
    declared = archive.extractfile(members["package/package.json"])
    assert declared is not None
    info = json.loads(declared.read())
    return (
        f"{info['name']}@{info['version']} ships no licence file; its package.json declares "
        f"the licence {info['license']!r}. It is part of the GraphiQL monorepository "
        f"({info.get('repository', {}).get('url', 'github.com/graphql/graphiql')}), whose "
        "MIT licence text is graphiql-3.8.3.LICENSE beside this file.\n"
    ).encode()


def manifest() -> dict[str, dict[str, str]]:
    return {
        served: {"package": package, "version": version, "path": path, "integrity": integrity}
        for served, (package, version, path, integrity) in FILES.items()
    }


def check() -> list[str]:
    """The files that differ from MANIFEST.json (or are missing)."""
    recorded = json.loads((TARGET / "MANIFEST.json").read_text(encoding="utf-8"))
    wrong = []
    for served, entry in recorded.items():
        path = TARGET / served
        if not path.is_file() or sri(path.read_bytes()) != entry["integrity"]:
            wrong.append(served)
    return wrong


def main(argv: list[str]) -> int:
    if "--check" not in argv:
        with tempfile.TemporaryDirectory() as work:
            fetch(Path(work))
        text = json.dumps(manifest(), indent=2) + "\n"
        (TARGET / "MANIFEST.json").write_text(text, encoding="utf-8")
    wrong = check()
    for served in wrong:
        sys.stderr.write(f"{served} does not match MANIFEST.json\n")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
