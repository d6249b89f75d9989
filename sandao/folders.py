"""The one place that replaces an output folder: write beside it, then swap it in.

``report``, ``export``, ``rollup``, ``init`` and ``example`` all write a whole folder.
Each writes into a staging folder next to its target (same file system, so the final
step is a rename) and only a complete folder takes the target's place; an error
removes the staging folder and leaves the target as it was.  Compare beangulp's
``archive.move``: one function that moves files, used by every command.

The swap is one ``renameat2(RENAME_EXCHANGE)`` where the kernel and file system have
it (Linux ≥ 3.15: the target is the old folder or the new one at every instant); else
the old folder is renamed aside first.  A run killed at any point (even SIGKILL)
leaves the target old or new, never a mix; what it leaves beside it — its staging
folder ``.<name>.tmp-<pid>-…``, or the old folder ``.<name>.old-<pid>-…`` when it
died between the two renames — is finished or undone by the next run before it
starts: a target missing with an ``.old`` beside it gets that folder back, and the
leftovers of processes no longer running are removed.

A target that is a symbolic link is followed: the folder it points to is replaced
and the link stays (so a county that keeps ``reports -> /srv/www/reports`` keeps it).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from sandao.locking import output_lock

_LEFTOVER = re.compile(r"\.(?P<kind>tmp|old)-(?:(?P<pid>\d+)-)?[^/]*$")


@contextlib.contextmanager
def replacing_folder(
    target: str | Path, check: Callable[[Path], None] | None = None
) -> Iterator[Path]:
    """An empty folder beside ``target`` to write into; swapped in when the block succeeds.

    On any exception the staging folder is removed and ``target`` is untouched.  A
    half-done swap of an earlier, killed run is finished or undone first; ``check``
    (e.g. "refuse a non-empty folder") then sees the target as that run left it.
    """
    target = output_path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with output_lock(str(target)):
        recover(target)
    if check is not None:
        check(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    try:
        os.chmod(staging, 0o755)  # mkdtemp's 0700 would hide the result from other readers
        yield staging
        with output_lock(str(target)):
            swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def output_path(target: str | Path) -> Path:
    """The folder or file an output path names: absolute, a symbolic link followed."""
    path = Path(target).absolute()
    return path.resolve() if path.is_symlink() else path


def swap_in(staging: Path, target: Path) -> None:
    """Put the finished folder in place of ``target`` (the old one removed after)."""
    if not target.exists():
        staging.rename(target)
        return
    if exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # it holds the old folder now
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
    old.rmdir()
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (``renameat2``); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes.append(ctypes.c_uint)
    renameat2.restype = ctypes.c_int
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def recover(target: Path) -> None:
    """Finish or undo a killed run's swap of ``target``; remove dead runs' leftovers."""
    if not target.parent.is_dir():
        return
    dead = [p for p in leftovers(target) if not process_alive(_pid(p))]
    olds = sorted(
        (p for p in dead if _LEFTOVER.search(p.name)["kind"] == "old"),  # type: ignore[index]
        key=lambda p: p.stat().st_mtime,
    )
    if olds and not os.path.lexists(target):
        olds.pop().rename(target)  # died between the two renames: undo
    for path in dead:
        if os.path.lexists(path):
            _remove(path)


def leftovers(target: Path) -> list[Path]:
    """Staging and old folders (or files) of runs that wrote ``target``."""
    prefix = f".{target.name}."
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    return [
        target.parent / name
        for name in names
        if name.startswith(prefix) and _LEFTOVER.fullmatch(name[len(prefix) - 1 :])
    ]


def remove_dead(folder: Path, pattern: re.Pattern[str]) -> int:
    """Remove entries of ``folder`` whose name matches ``pattern`` (group ``pid``) and
    whose process is gone; returns how many were removed."""
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        match = pattern.fullmatch(name)
        if match and not process_alive(_int(match.group("pid"))):
            _remove(folder / name)
            removed += 1
    return removed


def process_alive(pid: int | None) -> bool:
    """Whether process ``pid`` runs (None: a leftover without a pid, from an older version)."""
    if pid is None or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pid(path: Path) -> int | None:
    match = _LEFTOVER.search(path.name)
    return _int(match["pid"]) if match else None


def _int(text: str | None) -> int | None:
    return int(text) if text else None


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()
