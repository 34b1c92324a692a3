"""The data directory: what outlives a gateway process (export jobs and their files).

`[gateway] data_dir` names it; without one (the sandbox, settings built in code) the gateway uses
a private temporary directory that goes with shutdown. What the gateway keeps there holds personal
data: every subdirectory it makes is 0700 and every file 0600, whatever the umask. An existing
`data_dir` is used as it is (it may be a mount point the gateway does not own); the protection is
on what the gateway creates inside it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class DataDir:
    path: Path
    ephemeral: bool  # a temporary directory, removed by `close`

    @classmethod
    def open(cls, configured: str | None) -> DataDir:
        if configured is None:
            return cls(Path(tempfile.mkdtemp(prefix="customer-gateway-")), ephemeral=True)
        path = Path(configured).expanduser()
        if not path.exists():
            path.mkdir(mode=0o700, parents=True)
            os.chmod(path, 0o700)  # mkdir's mode is masked by the umask
        return cls(path, ephemeral=False)

    def subdir(self, name: str) -> Path:
        """`data_dir/name`, 0700 (tightened if it was made looser)."""
        path = self.path / name
        path.mkdir(mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)
        return path

    def close(self) -> None:
        if self.ephemeral:
            shutil.rmtree(self.path, ignore_errors=True)


def write_private(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically: a reader (or a restart) sees the old or the new
    file, never half of one. The file is 0600."""
    staged = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(staged, path)
    except BaseException:
        with contextlib.suppress(OSError):
            staged.unlink()
        raise


def create_private(path: Path) -> int:
    """A new 0600 file for writing (its descriptor), whatever the umask."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_CREAT
    return descriptor
