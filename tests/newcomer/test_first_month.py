"""A newcomer's first month, scripted from the README so the two cannot drift apart.

The README's 第一次使用 commands run in order with the venv's own ``sandao`` script (what
``. .venv/bin/activate`` puts first on PATH), then the worked month from the README goes
into the new books: it must check clean and equal what ``init`` wrote, commented out.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sandao.ledger.scaffold import FIRST_MONTH_BEGIN, FIRST_MONTH_END

README = Path(__file__).resolve().parents[2] / "README.md"
SANDAO = str(Path(sys.executable).with_name("sandao"))


def readme_block(name: str) -> str:
    """The fenced block between ``<!-- first-use:NAME -->`` and its closing marker."""
    text = README.read_text("utf-8")
    found = re.search(
        rf"<!-- first-use:{name} -->\n```\w*\n(.*?)```\n<!-- /first-use:{name} -->", text, re.S
    )
    assert found, f"README lacks the first-use:{name} block"
    return found.group(1)


def readme_commands() -> list[list[str]]:
    """The README's shell lines as argument lists (continuations joined)."""
    script = readme_block("commands").replace("\\\n", " ")
    return [shlex.split(line) for line in script.splitlines() if line.strip()]


def sandao(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SANDAO, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Path:
    """A folder after the README's commands: activate, init, check (each must succeed)."""
    work = tmp_path_factory.mktemp("newcomer")
    commands = readme_commands()
    assert commands[0][:2] == [".", ".venv/bin/activate"]
    ran = []
    for argv in commands[1:]:
        assert argv[0] == "sandao", argv
        result = sandao(work, *argv[1:])
        assert result.returncode == 0, (argv, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        ran.append(argv[1])
    assert ran == ["init", "check"]
    return work / "我的账簿"


def uncomment(text: str) -> str:
    return "".join(re.sub(r"^; ?", "", line, count=1) for line in text.splitlines(True))


def test_init_writes_the_readme_month_commented(books):
    year_file = (books / "2026.beancount").read_text("utf-8")
    block = year_file.split(FIRST_MONTH_BEGIN + "\n", 1)[1].split(FIRST_MONTH_END, 1)[0]
    assert uncomment(block) == readme_block("month")


def month_books(books: Path, tmp_path: Path) -> Path:
    """A copy of the new books with the README's month in force."""
    copy = tmp_path / "我的账簿"
    shutil.copytree(books, copy)
    (copy / "2026.beancount").write_text(readme_block("month"), "utf-8")
    return copy


def test_the_worked_month_checks_clean(books, tmp_path):
    month_books(books, tmp_path)
    result = sandao(tmp_path, "check", "我的账簿/main.beancount")
    assert result.returncode == 0, result.stdout
    assert "共 0 个错误、0 个警告；任务 1 个、指标 1 个" in result.stdout
