"""Killed runs and full or read-only disks: the old state or the new, never a mix.

Each command runs as a real process from a known "old" state and is killed (SIGINT,
SIGTERM, SIGKILL) at a random moment of its run; its target must then be exactly the
old state or exactly the new one (what an uninterrupted run writes), and the next
run must finish and leave no leftovers (staging and old folders, temporary import
files, lock files) beside it.  The commands: example, init, report, export, extract and
the province roll-up.  A handful of rounds per command: enough to hit the
write and the swap sometimes, cheap enough for every CI run.

Full and read-only disks are small tmpfs mounts where the test may mount (root);
elsewhere the full disk is simulated in-process (the swap raises ENOSPC), so the
assertion — a message, exit ≠ 0, nothing changed — runs everywhere.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sandao.cli import main

SANDAO = str(Path(sys.executable).with_name("sandao"))
DATA = Path(__file__).resolve().parent.parent / "data"
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
LEFTOVER = re.compile(r"\.(tmp|old)-|\.sandao-import-|\.sandao-lock$")


def _snapshot(path: Path) -> dict[str, object] | None:
    """Every file below ``path`` (or the file itself); None when it does not exist.

    A killed run's temporary files inside the folder (an import stages each output beside
    it) are neither old nor new content: the next run removes them (checked at the end).
    """
    if not path.exists():
        return None
    if path.is_file():
        return {"": path.read_bytes()}
    return {
        str(p.relative_to(path)): _content(p)
        for p in sorted(path.rglob("*"))
        if p.is_file() and "picklecache" not in p.name and not LEFTOVER.search(p.name)
    }


def _content(path: Path) -> object:
    """A file's bytes; a Parquet file's rows (its footer differs from run to run)."""
    if path.suffix != ".parquet":
        return path.read_bytes()
    import pyarrow.parquet

    return pyarrow.parquet.read_table(path).to_pylist()


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SANDAO, *argv], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def _start(argv: list[str], cwd: Path) -> subprocess.Popen[str]:
    """``sandao`` started and past Python's own start-up (where a signal is Python's
    business: "Fatal Python error: init_sys_streams …"), which on a busy machine
    outlasts any fixed delay: sandao's entry point has set its SIGTERM handler."""
    process = subprocess.Popen(
        [SANDAO, *argv], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    status = Path(f"/proc/{process.pid}/status")
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        try:
            caught = re.search(r"^SigCgt:\s*([0-9a-f]+)$", status.read_text(), re.M)
        except OSError:
            caught = None
        if caught is None:  # no /proc here: only the delay after this separates them
            break
        if int(caught[1], 16) >> (signal.SIGTERM - 1) & 1:
            break
        time.sleep(0.005)
    return process


def _leftovers(target: Path) -> list[str]:
    """Temporary files and folders beside ``target`` or inside it."""
    inside = sorted(target.rglob("*")) if target.is_dir() else []
    return sorted(p.name for p in [*target.parent.iterdir(), *inside] if LEFTOVER.search(p.name))


class Scenario:
    """A command, the folder it starts from, and the target it replaces."""

    def __init__(
        self,
        name: str,
        prepare: Callable[[Path], None],
        argv: list[str],
        target: str,
    ) -> None:
        self.name, self.prepare, self.argv, self.target = name, prepare, argv, target


def _books(folder: Path) -> None:
    assert main(["example", str(folder / "books")]) == 0


def _report_old(folder: Path) -> None:
    _books(folder)
    books = str(folder / "books" / "main.beancount")
    assert main(["report", books, "--quiet", "--format", "json", "--out", str(folder / "out")]) == 0


def _export_old(folder: Path) -> None:
    _books(folder)
    books = str(folder / "books" / "main.beancount")
    assert main(["export", books, "--as-of", "2024-12-31", "--out", str(folder / "out")]) == 0


def _rollup_old(folder: Path) -> None:
    """One county's export, and a province roll-up of it in one format only."""
    _books(folder)
    books = str(folder / "books" / "main.beancount")
    assert main(["export", books, "--out", str(folder / "exports" / "county")]) == 0
    exports, out = str(folder / "exports"), str(folder / "out")
    assert main(["rollup", exports, "--out", out, "--format", "json"]) == 0


def _extract_old(folder: Path) -> None:
    shutil.copytree(DATA / "ledger", folder / "books")
    one = DATA / "samples" / "国库集中支付明细_C101_2025Q1.csv"
    assert _run(_extract_args(str(one)), folder).returncode == 0


def _extract_args(source: str) -> list[str]:
    return [
        "import",
        "extract",
        source,
        "--ledger",
        "books/with_quotas.beancount",
        "--config",
        str(DATA / "import.toml"),
        "--output-dir",
        "books/imported",
    ]


SCENARIOS = (
    Scenario("example", lambda f: None, ["example", "books"], "books"),
    Scenario("init", lambda f: None, ["init", "books", "--unit", "C101=城东"], "books"),
    Scenario(
        "report",
        _report_old,
        ["report", "books/main.beancount", "--quiet", "--format", "html,json", "--out", "out"],
        "out",
    ),
    Scenario("export", _export_old, ["export", "books/main.beancount", "--out", "out"], "out"),
    Scenario("extract", _extract_old, _extract_args(str(DATA / "samples")), "books/imported"),
    Scenario("rollup", _rollup_old, ["rollup", "exports", "--out", "out"], "out"),
)


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_killed_run_leaves_old_or_new(scenario: Scenario, tmp_path: Path) -> None:
    template = tmp_path / "template"
    template.mkdir()
    scenario.prepare(template)
    old = _snapshot(template / scenario.target)
    work = tmp_path / "work"  # one path for the reference run and the killed ones
    shutil.copytree(template, work)
    reference = _start(scenario.argv, work)
    started = time.monotonic()
    _, err = reference.communicate(timeout=300)
    duration = time.monotonic() - started  # from sandao's start to its end
    assert reference.returncode == 0, err
    target = work / scenario.target
    new = _snapshot(target)
    assert new != old
    shutil.rmtree(work)
    shutil.copytree(template, work)
    rng = random.Random(f"14-{scenario.name}")
    for sig in SIGNALS:
        process = _start(scenario.argv, work)
        time.sleep(rng.uniform(0.0, max(0.1, duration * 0.95)))
        process.send_signal(sig)
        _, err = process.communicate(timeout=300)
        assert "Traceback" not in err, (sig, err)
        state = _snapshot(target)
        assert state in (old, new), f"{scenario.name} killed by {sig!r}: a mix of old and new"
    last = _snapshot(target)
    again = _run(scenario.argv, work)
    if again.returncode != 0:  # init / example refuse a finished folder: it was new already
        assert last == new and "不为空" in again.stderr, again.stderr
    assert _snapshot(target) == new
    assert _leftovers(target) == []


_WORKING_POOL = """
import os, signal, time
from sandao.reports.run import _forked_pool

signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started ignoring it

def work(seconds):
    os.write(1, b"working\\n")  # one write: the two workers' lines never interleave
    time.sleep(seconds)

with _forked_pool(2) as pool:  # as write_reports uses it: Ctrl-C ends the pool
    pool.map_async(work, [60, 60], chunksize=1)
    try:
        time.sleep(60)
    except KeyboardInterrupt:
        print("stopped", flush=True)
"""


@pytest.mark.parametrize("stop", ["kill -9", "Ctrl-C"])
def test_report_workers_end_with_the_run(tmp_path: Path, stop: str) -> None:
    """SIGKILL of a report run ends its workers: orphans went on writing into the dead
    run's staging folder and ended with a BrokenPipeError traceback.  Ctrl-C in a terminal
    reaches every process of the run: the workers leave stopping to the run, instead of
    each printing a KeyboardInterrupt traceback."""
    process = subprocess.Popen(
        [sys.executable, "-c", _WORKING_POOL],
        cwd=tmp_path,  # the installed package, not the checkout's folder
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    assert process.stdout is not None
    assert [process.stdout.readline() for _ in range(2)] == ["working\n"] * 2
    if stop == "kill -9":
        process.kill()
    else:
        os.killpg(process.pid, signal.SIGINT)
    # The workers hold the pipes too: they are closed when the last worker is gone.
    out, err = process.communicate(timeout=20)
    assert err == "", err
    assert out == ("" if stop == "kill -9" else "stopped\n")


# ---- full and read-only disks -------------------------------------------------------


@contextlib.contextmanager
def _mounted(folder: Path, options: str) -> Iterator[bool]:
    """A tmpfs at ``folder`` with ``options``; False when this system will not mount."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        yield False
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        yield False
        return
    try:
        yield True
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def _commands(books: Path, target: Path) -> dict[str, list[str]]:
    main_file = str(books / "main.beancount")
    return {
        "example": ["example", str(target / "new")],
        "init": ["init", str(target / "new"), "--unit", "C101=城东"],
        "report": [
            "report",
            main_file,
            "--quiet",
            "--format",
            "html,xlsx",
            "--out",
            str(target / "r"),
        ],
        "export": ["export", main_file, "--out", str(target / "x")],
        "demo": ["demo", "--out", str(target / "d")],
    }


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("disk") / "books"
    assert main(["example", str(folder)]) == 0
    return folder


@pytest.mark.parametrize("kind", ["full", "read-only"])
def test_full_or_read_only_disk(
    books: Path, tmp_path: Path, kind: str, capsys, monkeypatch
) -> None:
    disk = tmp_path / "disk"
    options = "size=8k" if kind == "full" else "ro,size=1m"
    with _mounted(disk, options) as real:
        if not real:
            _simulate(monkeypatch, errno.ENOSPC if kind == "full" else errno.EROFS)
        before = _snapshot(disk)
        for name, argv in _commands(books, disk).items():
            code = main(argv)
            out, err = capsys.readouterr()
            assert code != 0, (name, out)
            assert "Traceback" not in err and "错误" in err, (name, err)
            reason = "磁盘空间不足" if kind == "full" else ("文件系统只读", "没有权限")
            assert any(r in err for r in ([reason] if isinstance(reason, str) else reason)), err
            assert _snapshot(disk) == before, f"{name} left files on a {kind} disk"


def _simulate(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """No tmpfs here: every folder swap and import rename fails as the disk would."""
    import sandao.folders

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code), str(args[-1]) if args else "")

    monkeypatch.setattr(sandao.folders, "swap_in", refuse)
