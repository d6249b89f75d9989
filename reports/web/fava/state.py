"""One :class:`Analysis` per Fava load, and the builders' tables per filter.

Fava reloads a ledger when a file changes and then calls every extension's
``after_load_file``.  The fund pages are four extensions over the same books, so
they share one :class:`FundState` per Fava ledger: the analysis is taken once per
load (``analysis_for`` reuses the plugin's own run when the books declare the
plugin and ``sandao serve`` loaded them; a plain ``fava`` load gets one fresh run of
the same :func:`~sandao.ledger.analysis.analyse`) and the builders' outputs are memoised per (page, filter) until the next
load, as Fava memoises its own filtered views.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sandao.ledger.analysis import Analysis, analysis_for

if TYPE_CHECKING:
    from fava.core import FavaLedger

T = TypeVar("T")

#: Builder outputs kept per load (one per page × filter combination).
MEMO_SIZE = 64


class Job:
    """A slow build (the year's report files) running in a background thread."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self._build = build
        threading.Thread(target=self._run, name="sandao-reports", daemon=True).start()

    def _run(self) -> None:
        try:
            self.result = self._build()
        except BaseException as exc:  # handed to the page that waits for it
            self.error = exc
        finally:
            self.done.set()

    def wait(self, timeout: float | None) -> bool:
        """Whether the build finished within ``timeout`` seconds."""
        return self.done.wait(timeout)


class FundState:
    """The fund analysis of one Fava ledger, refreshed when Fava reloads it."""

    def __init__(self, ledger: FavaLedger) -> None:
        self.ledger = ledger
        self._lock = threading.RLock()
        self._entries: Sequence[Any] | None = None
        self._analysis: Analysis | None = None
        self._error: str | None = None
        self._memo: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._jobs: dict[tuple[Any, ...], Job] = {}
        self._cache_dir: Path | None = None
        #: Increases with every load; part of cache keys on disk.
        self.generation = 0

    def refresh(self) -> None:
        """Take the analysis of the ledger's current load (once per load)."""
        ledger = self.ledger
        with self._lock:
            if self._entries is ledger.all_entries:
                return
            self._entries = ledger.all_entries
            self._memo.clear()
            self._jobs.clear()
            self.generation += 1
            self._prune_cache()
            self._analysis = None  # free the previous load's analysis first
            try:
                self._analysis = analysis_for(
                    list(ledger.all_entries), ledger.options, list(ledger.load_errors)
                )
                self._error = None
            except Exception as exc:  # the pages show it instead of failing Fava's load
                self._analysis = None
                self._error = f"{type(exc).__name__}: {exc}"
            finally:
                release_plugin_run(ledger.options)

    @property
    def analysis(self) -> Analysis | None:
        """The analysis of the current load, or ``None`` when it failed (see :attr:`error`)."""
        self.refresh()
        return self._analysis

    @property
    def error(self) -> str | None:
        """Why the analysis failed, if it did."""
        self.refresh()
        return self._error

    def memo(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """``build()`` once per load and key (a small LRU)."""
        self.refresh()
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        value = build()
        with self._lock:
            self._memo[key] = value
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return value

    def forget_views(self) -> None:
        """Drop the memoised builder outputs (the analysis stays); for the benchmark."""
        with self._lock:
            self._memo.clear()

    def job(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Job:
        """The background build for ``key`` in this load, started on first call."""
        self.refresh()
        with self._lock:
            job = self._jobs.get(key)
            if job is None:
                job = self._jobs[key] = Job(build)
            return job

    def _prune_cache(self) -> None:
        """Remove the earlier loads' report folders (20 reloads left 101 MB behind)."""
        if self._cache_dir is None:
            return
        current = f"{self.generation}-"
        for child in list(self._cache_dir.iterdir()):
            if not child.name.startswith(current):
                shutil.rmtree(child, ignore_errors=True)

    @property
    def cache_dir(self) -> Path:
        """A private temporary folder for generated reports (removed at exit)."""
        with self._lock:
            if self._cache_dir is None:
                from sandao.folders import remove_dead

                # Folders of servers that were killed (SIGKILL skips atexit) go first.
                remove_dead(Path(tempfile.gettempdir()), _CACHE_NAME)
                self._cache_dir = Path(tempfile.mkdtemp(prefix=f"sandao-fava-{os.getpid()}-"))
                atexit.register(shutil.rmtree, self._cache_dir, ignore_errors=True)
            return self._cache_dir


def release_plugin_run(options_map: dict[str, Any]) -> None:
    """Forget the plugin's kept run of a load once the pages hold it.

    ``sandao serve`` loads the books inside ``keeping_plugin_runs`` so that
    :func:`~sandao.ledger.analysis.analysis_for` returns the plugin's own analysis;
    the plugin's short list of kept runs would otherwise hold up to four old loads
    of a long-running server in memory.
    """
    from sandao.runtime import forget_plugin_run

    forget_plugin_run(options_map)


#: The report cache folders of ``sandao serve``: ``sandao-fava-<pid>-…`` in the temp folder.
_CACHE_NAME = re.compile(r"sandao-fava-(?:(?P<pid>\d+)-)?[a-z0-9_]+")

_STATES: dict[int, tuple[Any, FundState]] = {}
_STATES_LOCK = threading.Lock()


def state_for(ledger: FavaLedger) -> FundState:
    """The shared :class:`FundState` of a Fava ledger."""
    with _STATES_LOCK:
        found = _STATES.get(id(ledger))
        if found is None or found[0] is not ledger:
            found = (ledger, FundState(ledger))
            _STATES[id(ledger)] = found
        return found[1]
