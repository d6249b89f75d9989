"""``sandao … | head``: a reader that goes away early ends the command quietly.

Standard output is a pipe whose reading end is already closed, so the first write fails
(EPIPE): the command must end without ``错误：系统错误：Broken pipe``, a traceback or
Python's "Exception ignored" at exit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandao.ledger.scaffold import write_example

SANDAO = str(Path(sys.executable).with_name("sandao"))

COMMANDS = {
    "import identify --json": ("import", "identify", "exports", "--json"),
    "import identify": ("import", "identify", "exports"),
    "check --json": ("check", "main.beancount", "--json"),
    "check": ("check", "main.beancount"),
    "import extract --output -": (
        "import", "extract", "exports", "--ledger", "main.beancount", "--output", "-",
    ),
    "help": ("--help",),
}  # fmt: skip


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pipe") / "county"
    write_example(folder)
    for path in (folder / "imported").glob("*.beancount"):
        path.unlink()  # import extract has entries to write
    return folder


@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
def test_closed_pipe_ends_quietly(books: Path, args: tuple[str, ...]) -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        run = subprocess.run(
            [SANDAO, *args], cwd=books, stdout=write, stderr=subprocess.PIPE, timeout=120
        )
    finally:
        os.close(write)
    stderr = run.stderr.decode("utf-8", "replace")
    assert "Broken pipe" not in stderr and "Traceback" not in stderr, stderr
    assert "Exception ignored" not in stderr and "错误" not in stderr, stderr
    assert run.returncode in (0, 1), stderr
