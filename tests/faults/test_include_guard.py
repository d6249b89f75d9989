"""Includes that would hang Beancount's lexer are refused before it reads them (red team 24).

``include "/dev/zero"`` ran at 100% CPU and ignored signals; a 50 MB line ran past
300 s.  Every command that reads books checks the main file and what it includes
first: a device, FIFO or folder, a file over 1 GB, a line over 100,000 bytes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from testbooks import BASE

SANDAO = Path(sys.executable).with_name("sandao")


def _check(main_file: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SANDAO), "check", str(main_file), "--no-cache"],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "folder", "glob"])
def test_include_of_a_non_file_is_refused(tmp_path: Path, target: str) -> None:
    if target == "fifo":
        os.mkfifo(tmp_path / "pipe.beancount")
        target = "pipe.beancount"
    elif target == "folder":
        (tmp_path / "more").mkdir()
        target = "more"
    elif target == "glob":
        (tmp_path / "parts").mkdir()
        os.mkfifo(tmp_path / "parts" / "a.beancount")
        target = "parts/*.beancount"
    (tmp_path / "sub.beancount").write_text(f'include "{target}"\n', "utf-8")
    main_file = tmp_path / "main.beancount"
    main_file.write_text(BASE + 'include "sub.beancount"\n', "utf-8")
    run = _check(main_file)
    assert run.returncode == 2
    assert "sub.beancount:1" in run.stderr and "不是普通文件" in run.stderr


def test_a_huge_line_is_refused(tmp_path: Path) -> None:
    (tmp_path / "big.beancount").write_text("; " + "x" * 5_000_000 + "\n", "utf-8")
    main_file = tmp_path / "main.beancount"
    main_file.write_text(BASE + 'include "big.beancount"\n', "utf-8")
    run = _check(main_file)
    assert run.returncode == 2 and "big.beancount:1" in run.stderr and "字节" in run.stderr


def test_ordinary_books_and_missing_includes_are_left_to_beancount(tmp_path: Path) -> None:
    main_file = tmp_path / "main.beancount"
    main_file.write_text(BASE + 'include "missing.beancount"\n', "utf-8")
    run = _check(main_file)
    assert run.returncode == 1 and "missing.beancount" in run.stdout + run.stderr


def test_import_refuses_books_that_include_a_device(tmp_path: Path) -> None:
    main_file = tmp_path / "main.beancount"
    main_file.write_text(BASE + 'include "/dev/zero"\n', "utf-8")
    export = Path(__file__).resolve().parent.parent / "data" / "samples" / "预算指标_2025.xlsx"
    run = subprocess.run(
        [
            str(SANDAO),
            "import",
            "extract",
            str(export),
            "--ledger",
            str(main_file),
            "--output",
            "-",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0 and "不是普通文件" in run.stderr
