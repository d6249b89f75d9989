"""One writer at a time per output: an advisory lock file beside the target.

Two ``sandao import extract`` runs into the same file (or folder) each decide which
entries are new by reading the target, then replace it; without a lock both read the
same old content and one run's entries are lost or written twice.  The lock is held
from the first read of the target to the rename that replaces it, so the second run
sees the first run's result.  A second run waits (saying so after a moment) and, after
``timeout`` seconds, refuses with a message; nothing is written then.

The lock is ``fcntl.flock`` on ``.<name>.sandao-lock`` in the target's folder: the
kernel drops it when the process dies (even by SIGKILL), so a stale lock file is
harmless and is never deleted (deleting it would let two runs hold "the" lock).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterator

#: Seconds a run waits silently before it says it is waiting.
NOTICE_AFTER = 1.0
#: Seconds a run waits for the other run before it gives up.
DEFAULT_TIMEOUT = 600.0


class LockTimeout(Exception):
    """Another run kept the output locked for longer than the timeout."""

    def __init__(self, target: str, timeout: float) -> None:
        super().__init__(
            f"另一个 sandao 进程正在写入 {target}，等待 {timeout:g} 秒后仍未结束，"
            "本次没有写入任何文件；请等它结束后再运行"
        )
        self.target = target


def lock_path(target: str) -> str:
    """The lock file that guards ``target`` (a file or a folder): beside it, hidden."""
    full = os.path.abspath(target).rstrip(os.sep) or os.sep
    folder, name = os.path.split(full)
    return os.path.join(folder, f".{name}.sandao-lock")


def _nearest_folder(path: str) -> str:
    folder = os.path.dirname(path)
    while folder and not os.path.isdir(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return folder


@contextlib.contextmanager
def output_lock(
    target: str,
    timeout: float | None = None,
    notify: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the lock of ``target`` for the ``with`` block (waiting for another holder).

    The folder of the lock file is created when missing.  When the lock file cannot be
    created at all (a read-only folder) there is nothing another run could write either,
    so the block runs unlocked and the write itself reports the problem.
    """
    if timeout is None:
        timeout = float(os.environ.get("SANDAO_LOCK_TIMEOUT", DEFAULT_TIMEOUT))
    path = lock_path(target)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        if os.access(_nearest_folder(path), os.W_OK):
            raise
        yield
        return
    try:
        _acquire(handle, target, timeout, notify or _say)
        yield
    finally:
        os.close(handle)  # closing the descriptor releases the lock


def _acquire(handle: int, target: str, timeout: float, notify: Callable[[str], None]) -> None:
    start = time.monotonic()
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        waited = time.monotonic() - start
        if waited >= timeout:
            raise LockTimeout(target, timeout)
        if not told and waited >= NOTICE_AFTER:
            notify(f"另一个 sandao 进程正在写入 {target}，等待它结束……")
            told = True
        time.sleep(0.05)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
