"""One writer at a time per output: an advisory lock file beside the target.

Two ``sandao import extract`` runs into the same file (or folder) each decide which
entries are new by reading the target, then replace it; without a lock both read the
same old content and one run's entries are lost or written twice.  The lock is held
from the first read of the target to the rename that replaces it, so the second run
sees the first run's result.  A second run waits (saying so after a moment) and, after
``timeout`` seconds, refuses with a message; nothing is written then.

The lock is ``fcntl.flock`` on ``.<name>.sandao-lock`` in the target's folder: the
kernel drops it when the process dies (even by SIGKILL), so a lock file left by a
killed run is harmless.  The holder removes the file before it lets go, and a run that
got the lock checks that the file it locked is still the one at the path (else it
locks the new one): so no lock file stays behind and two runs never hold two
different "locks" of one target.
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
        handle = _locked(path, target, timeout, notify or _say)
    except OSError:
        if os.access(_nearest_folder(path), os.W_OK):
            raise
        yield  # a read-only folder: nothing can be written there by anyone
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(handle)  # closing the descriptor releases the lock


def _locked(path: str, target: str, timeout: float, notify: Callable[[str], None]) -> int:
    """A descriptor of ``path`` holding its lock (the file at the path, not a removed one)."""
    start = time.monotonic()
    told = False
    while True:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    pass
                waited = time.monotonic() - start
                if waited >= timeout:
                    raise LockTimeout(target, timeout)
                if not told and waited >= NOTICE_AFTER:
                    notify(f"另一个 sandao 进程正在写入 {target}，等待它结束……")
                    told = True
                time.sleep(0.05)
            try:
                current = os.stat(path).st_ino
            except FileNotFoundError:
                current = None
        except BaseException:
            os.close(handle)
            raise
        if current == os.fstat(handle).st_ino:
            return handle
        os.close(handle)  # the holder before us removed this file: lock the new one


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
