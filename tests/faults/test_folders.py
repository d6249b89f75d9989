"""The folder swap: atomic exchange, recovery of a killed run's half-done swap, symlinks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandao import folders


def _folder(path: Path, text: str) -> Path:
    path.mkdir()
    (path / "a.txt").write_text(text, "utf-8")
    return path


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_exchange_swaps_two_folders(tmp_path: Path) -> None:
    one, two = _folder(tmp_path / "one", "1"), _folder(tmp_path / "two", "2")
    if not folders.exchange(one, two):
        pytest.skip("renameat2(RENAME_EXCHANGE) not available here")
    assert (one / "a.txt").read_text("utf-8") == "2"
    assert (two / "a.txt").read_text("utf-8") == "1"


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "fallback-swap"])
def test_replacing_folder_replaces_and_leaves_nothing(
    tmp_path: Path, monkeypatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(folders, "exchange", lambda a, b: False)
    _folder(tmp_path / "out", "old")
    with folders.replacing_folder(tmp_path / "out") as staging:
        (staging / "a.txt").write_text("new", "utf-8")
    assert (tmp_path / "out" / "a.txt").read_text("utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_killed_between_the_two_renames_is_undone(tmp_path: Path) -> None:
    """Fallback swap died after moving the old folder aside: the next run puts it back."""
    pid = _dead_pid()
    _folder(tmp_path / f".out.old-{pid}-x1", "old")
    _folder(tmp_path / f".out.tmp-{pid}-x2", "half")
    folders.recover(tmp_path / "out")
    assert (tmp_path / "out" / "a.txt").read_text("utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_leftovers_of_live_runs_are_kept(tmp_path: Path) -> None:
    _folder(tmp_path / "out", "current")
    mine = _folder(tmp_path / f".out.tmp-{os.getppid()}-x3", "writing")
    stale = _folder(tmp_path / ".out.tmp-legacy", "old version")
    folders.recover(tmp_path / "out")
    assert mine.exists() and not stale.exists()


def test_symlinked_output_is_followed(tmp_path: Path) -> None:
    real = _folder(tmp_path / "www", "old")
    link = tmp_path / "reports"
    link.symlink_to(real)
    with folders.replacing_folder(link) as staging:
        (staging / "a.txt").write_text("new", "utf-8")
    assert link.is_symlink() and (real / "a.txt").read_text("utf-8") == "new"


def test_symlinked_import_output_is_followed(tmp_path: Path) -> None:
    from sandao.importers.run import atomic_write

    real = tmp_path / "real.beancount"
    real.write_text("; old\n", "utf-8")
    link = tmp_path / "imported.beancount"
    link.symlink_to(real)
    atomic_write(str(link), "; new\n")
    assert link.is_symlink() and real.read_text("utf-8") == "; new\n"


@pytest.mark.parametrize("taker", ["this thread", "another thread"])
def test_ctrl_c_during_the_import_renames_waits_for_the_last(
    tmp_path: Path, monkeypatch, taker: str
) -> None:
    """Several outputs of one import: Ctrl-C between two renames must not leave one new
    and one old (it arrives once every file is in place) — also when the kernel hands the
    signal to another thread of the process (its handler still runs in the main thread:
    seen when an earlier test had left a thread running)."""
    import signal

    from sandao.importers import run

    paths = [str(tmp_path / name) for name in ("a.beancount", "b.beancount")]
    for path in paths:
        Path(path).write_text("; old\n", "utf-8")
    replace = os.replace

    def interrupted(source: str, target: str) -> None:
        replace(source, target)
        if taker == "this thread":  # after the first file's rename
            os.kill(os.getpid(), signal.SIGINT)
        else:  # what follows when another thread takes it: its handler runs here, now
            signal.getsignal(signal.SIGINT)(signal.SIGINT, None)  # type: ignore[operator]

    monkeypatch.setattr(run.os, "replace", interrupted)
    # Ctrl-C as a terminal delivers it (a test run started in the background ignores it).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            run.write_all(dict.fromkeys(paths, "; new\n"))
    finally:
        signal.signal(signal.SIGINT, previous)
    assert [Path(p).read_text("utf-8") for p in paths] == ["; new\n"] * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.beancount", "b.beancount"]
