"""sandao's own load cache: outside the books' folder, checked by content, never a
pickle found beside the books.

Beancount's loader reads ``.main.beancount.picklecache`` from the books' folder and
trusts it while no file's modification time is newer.  Both are unsafe for books one
does not trust (audit.md): a crafted cache runs code when unpickled, and an edit that
keeps the modification time is missed.  sandao therefore never lets Beancount read or
write that file (the command line turns Beancount's cache off) and keeps its own:

* in the user's cache directory — ``$XDG_CACHE_HOME/sandao`` or ``~/.cache/sandao``
  (folder mode 0700) — one file per books, named by a digest of the main file's path;
* valid only while the SHA-256 of every file the load read is the same, and the
  ``.beancount`` names in each of their folders too (a new file a glob include
  would take), for the same sandao, Beancount and Python versions.

:func:`load_books` is the one loader call of the commands that load books with the
plugin (``check``, ``audit``, ``report``, ``export``); ``--no-cache`` (``enabled =
False``) and Beancount's ``BEANCOUNT_DISABLE_LOAD_CACHE`` neither read nor write it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

#: Whether :func:`load_books` reads and writes the cache (``--no-cache`` turns it off).
enabled = True
_FORMAT = 1


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "sandao"


def cache_file(main: str | Path) -> Path:
    """Where the cache of the books whose main file is ``main`` lives."""
    key = hashlib.sha256(str(Path(main).resolve()).encode("utf-8")).hexdigest()[:32]
    return cache_dir() / f"books-{key}.pickle"


def _versions() -> tuple[str, ...]:
    import beancount

    from sandao import __version__

    return (str(_FORMAT), __version__, beancount.__version__, sys.version)


def _fingerprint(files: list[str]) -> dict[str, str] | None:
    """SHA-256 of each file, and of the ``.beancount`` names of each file's folder."""
    found: dict[str, str] = {}
    folders: set[str] = set()
    for name in files:
        try:
            with open(name, "rb") as handle:
                found[name] = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            return None
        folders.add(os.path.dirname(name))
    for folder in sorted(folders):
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".beancount"))
        except OSError:
            return None
        found[f"{folder}{os.sep}"] = hashlib.sha256("\n".join(names).encode()).hexdigest()
    return found


def _read(path: Path, main: str) -> tuple[Any, Any, Any] | None:
    try:
        with open(path, "rb") as handle:
            stored = pickle.load(handle)
    except Exception:  # a cache that cannot be read is no cache
        return None
    if not isinstance(stored, dict) or stored.get("versions") != _versions():
        return None
    files = stored.get("files")
    if stored.get("main") != main or not isinstance(files, dict):
        return None
    names = [n for n in files if not n.endswith(os.sep)]
    if _fingerprint(names) != files:
        return None
    return stored["result"]


def _write(path: Path, main: str, result: tuple[Any, Any, Any]) -> None:
    options_map = result[2]
    files = [str(f) for f in options_map.get("include", []) or [main]]
    fingerprint = _fingerprint(files)
    if fingerprint is None:
        return
    stored = {"versions": _versions(), "main": main, "files": fingerprint, "result": result}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(tmp, "wb") as handle:
            pickle.dump(stored, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:  # a cache that cannot be written is no cache (read-only home, full disk)
        with contextlib.suppress(OSError):
            os.remove(tmp)


def load_books(path: str | Path) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """``loader.load_file`` without Beancount's pickle cache, through sandao's own."""
    from beancount import loader

    from sandao import runtime

    main = os.path.abspath(path)
    target = cache_file(main)
    # Beancount's own switch turns this cache off too (the benchmark sets it).
    use = enabled and not os.environ.get("BEANCOUNT_DISABLE_LOAD_CACHE")
    if use:
        found = _read(target, main)
        if found is not None:
            return found
    stops = len(runtime.stops)
    result = loader._load([(main, True)], None, None, None)
    if use and len(runtime.stops) == stops:  # not a load a stop signal cut short
        _write(target, main, result)
    return result
