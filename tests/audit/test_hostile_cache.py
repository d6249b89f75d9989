"""Books one does not trust: a crafted Beancount pickle cache beside them is never loaded.

A ``.main.beancount.picklecache`` that runs code when unpickled (here: it would make a
folder) is placed beside a git copy of the example.  ``audit``, ``check``, ``report``,
``verify``, ``history`` and ``serve`` run on the books: the code does not run, no file
appears beside the books, and nothing prints a traceback.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from testbooks import git

from sandao.cli import main

SANDAO = str(Path(sys.executable).with_name("sandao"))


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hostile")
    books = root / "county"
    assert main(["example", str(books)]) == 0
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "books"]):
        git(books, *args)
    marker = root / "pwned"
    for name in (".main.beancount.picklecache", ".2024.beancount.picklecache"):
        (books / name).write_bytes(pickle.dumps(_Payload(marker)))
    return {"books": books, "marker": marker, "root": root}


COMMANDS = {
    "audit": lambda b, r: ["audit", str(b / "main.beancount")],
    "check": lambda b, r: ["check", str(b / "main.beancount")],
    "report": lambda b, r: [
        "report",
        str(b / "main.beancount"),
        "--format",
        "json",
        "--out",
        str(r / "out"),
    ],
    "verify": lambda b, r: [
        "verify",
        str(b / "main.beancount"),
        *map(str, sorted((b / "closes").glob("*.json"))),
    ],
    "history": lambda b, r: ["history", str(b / "main.beancount")],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_crafted_cache_is_never_loaded(hostile, name) -> None:
    books, marker = hostile["books"], hostile["marker"]
    before = _hashes(books)
    done = subprocess.run(
        [SANDAO, *COMMANDS[name](books, hostile["root"])],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=hostile["root"],
    )
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert not marker.exists(), "the crafted cache was unpickled"
    assert _hashes(books) == before


def test_serve_never_loads_it_either(hostile) -> None:
    books, marker = hostile["books"], hostile["marker"]
    before = _hashes(books)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = hostile["root"] / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [SANDAO, "serve", str(books / "main.beancount"), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text(errors="replace")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    assert page.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGINT)  # (SIGTERM's handling under serve is issue 23's)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
    assert "Traceback" not in log.read_text(errors="replace").split("已中断")[0]
    assert not marker.exists(), "the crafted cache was unpickled"
    assert _hashes(books) == before
