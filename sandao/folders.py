"""The one place that replaces an output folder: write beside it, then swap it in.

``report``, ``export``, ``rollup``, ``init`` and ``example`` all write a whole folder.
Each writes into a staging folder next to its target (same file system, so the final
step is a rename) and only a complete folder takes the target's place; an error
removes the staging folder and leaves the target as it was.  Compare beangulp's
``archive.move``: one function that moves files, used by every command.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing_folder(target: str | Path) -> Iterator[Path]:
    """An empty folder beside ``target`` to write into; swapped in when the block succeeds.

    On any exception the staging folder is removed and ``target`` is untouched.
    """
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        os.chmod(staging, 0o755)  # mkdtemp's 0700 would hide the result from other readers
        yield staging
        swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def swap_in(staging: Path, target: Path) -> None:
    """Put the finished folder in place of ``target`` (the old one removed after)."""
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        old.rmdir()
        target.rename(old)
        try:
            staging.rename(target)
        except BaseException:
            old.rename(target)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(target)
