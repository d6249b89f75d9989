"""Closed periods: ``sandao close`` and rule C001."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from testbooks import git

from sandao.cli import main
from sandao.ledger import load

U = "C101-城东社区服务中心"
MAIN = f"""\
plugin "sandao.ledger"
option "operating_currency" "CNY"
include "a.beancount"
include "b.beancount"
2024-01-01 custom "unit" "C101" "城东社区服务中心"
2024-01-01 custom "unit" "C102" "城西社区服务中心"
2024-01-01 open Assets:{U}:1002-银行存款
2024-01-01 open Expenses:{U}:30201-办公费
  stream: "运转"
  function: "2120101"
2024-01-01 open Assets:C102-城西社区服务中心:1002-银行存款
2024-01-01 open Expenses:C102-城西社区服务中心:30201-办公费
  stream: "运转"
  function: "2120101"
"""
A = f"""\
2024-03-05 * "县宏达商行" "办公用品"
  voucher: "V1"
  note: "三月"
  Expenses:{U}:30201-办公费  100.00 CNY
  Assets:{U}:1002-银行存款

2024-06-05 * "县宏达商行" "打印纸"
  Expenses:{U}:30201-办公费  200.00 CNY
  Assets:{U}:1002-银行存款
"""
B = """\
2025-02-01 * "县宏达商行" "墨盒"
  Expenses:C101-城东社区服务中心:30201-办公费  50.00 CNY
  Assets:C101-城东社区服务中心:1002-银行存款
"""


@pytest.fixture
def books(tmp_path: Path) -> Path:
    (tmp_path / "main.beancount").write_text(MAIN, encoding="utf-8")
    (tmp_path / "a.beancount").write_text(A, encoding="utf-8")
    (tmp_path / "b.beancount").write_text(B, encoding="utf-8")
    assert main(["close", str(tmp_path / "main.beancount"), "C101", "2024-12-31"]) == 0
    return tmp_path


def c001(folder: Path) -> list:
    return [f for f in load(folder / "main.beancount").findings if f.code == "C001"]


def test_closed_books_are_clean_and_close_does_not_move_as_of(books: Path) -> None:
    text = (books / "main.beancount").read_text(encoding="utf-8")
    assert 'custom "period-close" "C101" 2024-12-31 "sha256:' in text
    analysis = load(books / "main.beancount")
    assert [f.code for f in analysis.findings if f.code == "C001"] == []
    assert analysis.as_of == datetime.date(2025, 2, 1)


@pytest.mark.parametrize(
    "edit",
    [
        lambda a: a.replace("100.00 CNY", "101.00 CNY"),  # edited
        lambda a: (
            a
            + '\n2024-07-01 * "县宏达商行" "补记"\n  Expenses:C101-城东社区服务中心:30201-办公费  9.00 CNY\n  Assets:C101-城东社区服务中心:1002-银行存款\n'
        ),  # added
        lambda a: a.split("\n\n")[0] + "\n",  # deleted
    ],
    ids=["edited", "added", "deleted"],
)
def test_changes_in_the_closed_period_are_c001(books: Path, edit) -> None:
    path = books / "a.beancount"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    found = c001(books)
    assert len(found) == 1
    assert "C101" in found[0].message and "2024-12-31" in found[0].message
    assert found[0].file.endswith("main.beancount")


def test_reformatting_and_moving_are_not_changes(books: Path) -> None:
    reformatted = (
        '2024-03-05  *  "县宏达商行"   "办公用品"\n'
        '    note: "三月"\n    voucher: "V1"\n'
        f"    Assets:{U}:1002-银行存款\n"
        f"    Expenses:{U}:30201-办公费     100.0 CNY\n"
    )
    moved = A.split("\n\n")[1]
    (books / "a.beancount").write_text(reformatted, encoding="utf-8")
    (books / "b.beancount").write_text(B + "\n" + moved, encoding="utf-8")
    assert c001(books) == []


def test_entries_after_the_period_and_other_units_do_not_matter(books: Path) -> None:
    (books / "b.beancount").write_text(
        B.replace("50.00", "55.00")
        + '\n2024-05-01 * "县宏达商行" "城西办公用品"\n  Expenses:C102-城西社区服务中心:30201-办公费  9.00 CNY\n'
        "  Assets:C102-城西社区服务中心:1002-银行存款\n",
        encoding="utf-8",
    )
    assert c001(books) == []


def test_c001_names_the_changed_entry_from_git(books: Path) -> None:
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "结账"]):
        git(books, *args, author="审计")
    path = books / "a.beancount"
    path.write_text(A.replace("200.00 CNY", "250.00 CNY"), encoding="utf-8")
    (found,) = c001(books)
    assert "修改 a.beancount:7" in found.message and "打印纸" in found.message


def test_close_command_refuses_bad_input(books: Path, capsys) -> None:
    ledger = str(books / "main.beancount")
    assert main(["close", ledger, "C999", "2024-12-31"]) == 2
    assert main(["close", ledger, "C101", "2024-12-31"]) == 2  # already closed
    assert main(["close", ledger, "C102", "2024-12-31", "--file", str(books / "x.beancount")]) == 2
    err = capsys.readouterr().err
    assert "C999" in err and "已结账" in err and "include" in err
    assert "Traceback" not in err


def test_close_script_and_bean_check(books: Path) -> None:
    scripts = Path(sys.executable).parent
    done = subprocess.run(
        [
            str(scripts / "sandao"),
            "close",
            str(books / "main.beancount"),
            "C102",
            "2024-12-31",
            "--file",
            str(books / "b.beancount"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert 'custom "period-close" "C102"' in (books / "b.beancount").read_text(encoding="utf-8")
    check = subprocess.run(
        [str(scripts / "bean-check"), str(books / "main.beancount")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    path = books / "a.beancount"
    path.write_text(A.replace("100.00 CNY", "101.00 CNY"), encoding="utf-8")
    check = subprocess.run(
        [str(scripts / "bean-check"), str(books / "main.beancount")], capture_output=True, text=True
    )
    assert check.returncode == 1 and "[C001]" in check.stderr


def test_malformed_period_close_is_s001(tmp_path: Path) -> None:
    (tmp_path / "main.beancount").write_text(
        MAIN.replace('include "a.beancount"\ninclude "b.beancount"\n', "")
        + '2024-12-31 custom "period-close" "C101" "sha256:abc"\n',
        encoding="utf-8",
    )
    assert [f.code for f in load(tmp_path / "main.beancount").findings] == ["S001"]


def test_close_with_a_relative_path(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "main.beancount").write_text(MAIN, encoding="utf-8")
    (tmp_path / "a.beancount").write_text(A, encoding="utf-8")
    (tmp_path / "b.beancount").write_text(B, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["close", "main.beancount", "C101", "2024-12-31", "--file", "a.beancount"]) == 0
    assert c001(tmp_path) == []


def test_a_second_close_waits_for_the_first(books: Path) -> None:
    """Finding 25: two ``close`` runs at once both appended the same period-close.

    While another run holds the books' lock, ``close`` waits (here: gives up after its
    timeout with a sentence) and writes nothing; once it has the lock it sees the first
    run's close and refuses to write it twice.
    """
    import os

    from sandao.locking import output_lock

    main_file = books / "main.beancount"
    before = main_file.read_bytes()
    env = {**os.environ, "SANDAO_LOCK_TIMEOUT": "1"}
    script = Path(sys.executable).with_name("sandao")
    command = [str(script), "close", str(main_file), "C102", "2024-12-31"]
    with output_lock(str(main_file)):
        run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode != 0, run.stdout
    assert "另一个 sandao 进程" in run.stderr
    assert main_file.read_bytes() == before
    assert subprocess.run(command, capture_output=True, env=env, timeout=120).returncode == 0
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 2 and "已结账" in again.stderr
    assert main_file.read_text(encoding="utf-8").count('"period-close" "C102"') == 1
