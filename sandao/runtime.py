"""Process tuning, kept apart from the layers: the garbage collector, plugin-run reuse
and the steps a stop signal must not cut in two.

A county's books are a million small objects that live until the process exits, and
the rule pass allocates one row per posting and frees nothing; Python's cyclic
collector would scan them again and again and find nothing.  This module is the one
place that switches the collector, freezes loaded books, keeps the plugin's latest
analyses for the loader's caller to reuse, and keeps pandas from importing pyarrow in a
one-shot report process.  The layers call these functions; none of them switches the
collector itself.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any, NamedTuple


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block.

    The pass allocates one row per posting and frees nothing: with the collector on,
    its generational scans over the loaded entries cost more than the pass itself.
    A caller that drops the analysis should do so inside the block, so the rows are
    freed before the collector ever counts them.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


_one_shot = False


def one_shot_process() -> None:
    """Declare this process a one-shot command: loading then uses :func:`bulk_loading`."""
    global _one_shot
    _one_shot = True


def is_one_shot() -> bool:
    """Whether :func:`one_shot_process` was called (the ``sandao`` executable does)."""
    return _one_shot


@contextlib.contextmanager
def bulk_loading() -> Iterator[None]:
    """For one-shot commands: no cyclic collections while loading, then freeze the result.

    A county's books are a million small objects that live until the process exits;
    the collector's full scans of them are a third of Beancount's load time and find
    nothing to free.  Freezing moves them out of every later scan; they are still
    freed by reference counting.  Not for long-running hosts such as Fava.
    """
    with collector_paused():
        try:
            yield
        finally:
            gc.freeze()


def loading() -> contextlib.AbstractContextManager[None]:
    """:func:`bulk_loading` in a one-shot process, nothing otherwise."""
    return bulk_loading() if _one_shot else contextlib.nullcontext()


def writing() -> contextlib.AbstractContextManager[None]:
    """In a one-shot process, no cyclic collections while the reports are written.

    Writing allocates the tables, traces and pages of hundreds of reports over the
    frozen books; the collector's scans of the auditor's edition's traces (a million
    figures kept for a run) found nothing to free and cost 12 % of its run at 100,000
    transactions (5 % of a public run).  A run leaves some 30,000 objects in cycles
    (templates' frames) for the process's end.  Nothing otherwise: in a host such as
    Fava, or in a background thread (``sandao serve``'s report builds).
    """
    return collector_paused() if one_shot_main() else contextlib.nullcontext()


def one_shot_main() -> bool:
    """A one-shot command's main thread (not a server's background build)."""
    return _one_shot and threading.current_thread() is threading.main_thread()


def lean_process() -> None:
    """Keep pandas from importing pyarrow in this process (about 40 MB of peak memory).

    pandas 3 imports pyarrow when it is installed, only to back its string dtype; the
    report tables hold Python objects, so the output is byte-identical without it
    (tested).  Only in a one-shot ``sandao`` process (never inside a host such as a
    test run), and only when nothing has imported pandas or pyarrow yet.
    """
    if not _one_shot:
        return
    if "pandas" not in sys.modules and "pyarrow" not in sys.modules:
        sys.modules["pyarrow"] = None  # type: ignore[assignment]  # import → ImportError


_STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
#: The stop signals (SIGINT, SIGTERM) this process received, first first: the ``sandao``
#: executable's handlers note them before they raise.
stops: list[int] = []


@contextlib.contextmanager
def stop_not_swallowed(cache: str | None = None) -> Iterator[None]:
    """Raise again a stop signal that came inside the block but did not end it.

    Beancount's parser turns an exception raised inside its callbacks — Ctrl-C's
    KeyboardInterrupt, SIGTERM's SystemExit — into one more parse error and goes on: the
    books would look broken, and the loader's pickle ``cache`` (removed here) would keep
    them so until a file changes.
    """
    before = len(stops)
    yield
    if len(stops) > before:
        if cache is not None:
            with contextlib.suppress(OSError):
                os.remove(cache)
        signal.raise_signal(stops[-1])


class Held(NamedTuple):
    """What :func:`stop_signals_held` replaced, for processes forked inside the block."""

    mask: frozenset[int]  # the thread's signal mask
    handlers: dict[int, Any]  # the Python handlers of SIGINT and SIGTERM


@contextlib.contextmanager
def stop_signals_held() -> Iterator[Held]:
    """Ctrl-C and SIGTERM wait until the block is done, then arrive as usual.

    For steps that must not be cut in two: the renames that put several finished files in
    place (all of them or none), the fork of report workers.  The signals are blocked in
    this thread, and their handlers only note them meanwhile (the kernel may hand a signal
    to another thread, whose handler then runs in this one all the same); a signal that
    came is raised again when the block ends.  Threads started inside inherit the block.
    """
    if not hasattr(signal, "pthread_sigmask"):  # no POSIX signals: nothing to hold
        yield Held(frozenset(), {})
        return
    came: list[int] = []
    handlers: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():  # handlers live there only
        for sig in _STOP_SIGNALS:
            if signal.getsignal(sig) is not None:  # None: set outside Python, kept
                handlers[sig] = signal.signal(sig, lambda signum, frame: came.append(signum))
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield Held(frozenset(mask), handlers)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a blocked one is noted now
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(came):
            signal.raise_signal(sig)


# The plugin's latest analyses, so check / reports / Fava reuse them instead of
# running the rules twice.  Keyed by the identity of the options map, which
# Beancount passes unchanged from the plugin to the loader's caller.
_RECENT: list[tuple[dict[str, Any], Any]] = []
_RECENT_MAX = 4
_keepers = 0


@contextlib.contextmanager
def keeping_plugin_runs() -> Iterator[None]:
    """Within this block the plugin keeps its analyses for the loader's caller to reuse.

    Off by default: under a plain ``bean-check`` or Fava load nobody asks for the
    analysis again, and a kept posting table (one tracked object per posting) would be
    walked by every later garbage collection of the host process.
    """
    global _keepers
    _keepers += 1
    try:
        yield
    finally:
        _keepers -= 1


def remember(options_map: dict[str, Any], analysis: Any) -> None:
    """Keep the plugin's analysis of a load (inside :func:`keeping_plugin_runs` only)."""
    if _keepers:
        _RECENT.append((options_map, analysis))
        del _RECENT[:-_RECENT_MAX]


def recall(options_map: dict[str, Any]) -> Any | None:
    """The kept analysis of the load that produced ``options_map``, if any."""
    for stored_options, analysis in reversed(_RECENT):
        if stored_options is options_map:
            return analysis
    return None


def forget_plugin_run(options_map: dict[str, Any]) -> None:
    """Drop a kept plugin run once its caller holds the analysis (long-running hosts)."""
    _RECENT[:] = [pair for pair in _RECENT if pair[0] is not options_map]
