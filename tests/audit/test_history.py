"""``sandao history``: entries added, removed and changed between git revisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testbooks import git

from sandao.cli import main
from sandao.reports.audit.history import history

U = "C101-城东社区服务中心"
MAIN = f"""\
option "operating_currency" "CNY"
include "a.beancount"
include "b.beancount"
2024-01-01 custom "unit" "C101" "城东社区服务中心"
2024-01-01 open Assets:{U}:1002-银行存款
2024-01-01 open Expenses:{U}:30201-办公费
"""


def _txn(date: str, narration: str, amount: str, meta: str = "") -> str:
    return (
        f'{date} * "县宏达商行" "{narration}"\n{meta}'
        f"  Expenses:{U}:30201-办公费  {amount} CNY\n  Assets:{U}:1002-银行存款\n\n"
    )


def _commit(folder: Path, message: str, author: str) -> str:
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", message, author=author)
    return git(folder, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, list[str]]:
    git(tmp_path, "init", "-q")
    (tmp_path / "main.beancount").write_text(MAIN, encoding="utf-8")
    a = tmp_path / "a.beancount"
    b = tmp_path / "b.beancount"
    keep = _txn("2024-03-05", "办公用品", "100.00", '  voucher: "V1"\n  note: "三月"\n')
    edit = _txn("2024-04-05", "打印纸", "200.00")
    move = _txn("2024-05-05", "墨盒", "300.00")
    gone = _txn("2024-06-05", "文件夹", "400.00")
    a.write_text(keep + edit + move + gone, encoding="utf-8")
    b.write_text("", encoding="utf-8")
    shas = [_commit(tmp_path, "初始账簿", "甲")]
    a.write_text(keep + edit.replace("200.00", "250.00") + move + gone, encoding="utf-8")
    shas.append(_commit(tmp_path, "改打印纸金额", "乙"))
    reformatted = keep.replace(
        '  voucher: "V1"\n  note: "三月"\n', '    note: "三月"\n    voucher: "V1"\n'
    ).replace("100.00 CNY", "100.0 CNY")
    a.write_text(reformatted + edit.replace("200.00", "250.00") + gone, encoding="utf-8")
    b.write_text(move, encoding="utf-8")
    shas.append(_commit(tmp_path, "移动并整理格式", "丙"))
    a.write_text(reformatted + edit.replace("200.00", "250.00"), encoding="utf-8")
    b.write_text(move + _txn("2024-07-05", "订书机", "50.00"), encoding="utf-8")
    shas.append(_commit(tmp_path, "删一笔加一笔", "丁"))
    return tmp_path, shas


def test_only_real_changes_with_their_commits(repo) -> None:
    folder, shas = repo
    result = history(folder / "main.beancount", shas[0])
    seen = {(c.kind, c.entry.narration, c.commit.author, c.commit.sha) for c in result.changes}
    assert seen == {
        ("changed", "打印纸", "乙", shas[1]),
        ("removed", "文件夹", "丁", shas[3]),
        ("added", "订书机", "丁", shas[3]),
    }
    assert {c.unit for c in result.changes} == {"C101"}


def test_range_by_revision_and_date(repo) -> None:
    folder, shas = repo
    assert history(folder / "main.beancount", shas[1], shas[2]).changes == []
    dated = history(folder / "main.beancount", shas[2], shas[3])
    assert len(dated.changes) == 2


def test_cli_json_and_text(repo, capsys) -> None:
    folder, shas = repo
    assert main(["history", str(folder / "main.beancount"), "--since", shas[0], "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert {c["kind"] for c in record["changes"]} == {"changed", "removed", "added"}
    assert all(c["commit"] and c["author"] for c in record["changes"])
    assert main(["history", str(folder / "main.beancount"), "--since", shas[0]]) == 0
    out = capsys.readouterr().out
    assert "单位 C101" in out and "修改" in out and "删除" in out and "新增" in out


def test_since_a_date(repo, capsys) -> None:
    folder, _ = repo
    assert main(["history", str(folder / "main.beancount"), "--since", "2000-01-01"]) == 2
    assert "之前没有提交" in capsys.readouterr().err
    assert main(["history", str(folder / "main.beancount"), "--since", "2099-01-01"]) == 0


def test_books_not_in_git(tmp_path: Path, capsys) -> None:
    (tmp_path / "main.beancount").write_text(MAIN.replace("include", ";"), encoding="utf-8")
    assert main(["history", str(tmp_path / "main.beancount")]) == 2
    err = capsys.readouterr().err
    assert "git" in err and "Traceback" not in err


def test_before_and_after_of_an_amount_edit(repo) -> None:
    folder, shas = repo
    result = history(folder / "main.beancount", shas[0], shas[1])
    (change,) = result.changes
    fields = {f.field: (f.before, f.after) for f in change.fields}
    assert fields == {f"金额 Expenses:{U}:30201-办公费": ("200 CNY", "250 CNY")}
    assert main(["history", str(folder / "main.beancount"), "--since", shas[0], "--json"]) == 0


def test_a_revert_shows_in_both_commits(repo) -> None:
    folder, shas = repo
    a = folder / "a.beancount"
    a.write_text(a.read_text(encoding="utf-8").replace("250.00", "200.00"), encoding="utf-8")
    revert = _commit(folder, "撤回打印纸金额的修改", "戊")
    result = history(folder / "main.beancount", shas[0])
    edits = [
        (c.commit.sha, c.fields[0].before, c.fields[0].after)
        for c in result.changes
        if c.entry.narration == "打印纸"
    ]
    assert edits == [(shas[1], "200 CNY", "250 CNY"), (revert, "250 CNY", "200 CNY")]


def test_closes_and_acks_are_listed(repo) -> None:
    folder, shas = repo
    b = folder / "b.beancount"
    close = '2024-12-31 custom "period-close" "C101" 2024-12-31 "sha256:' + "0" * 64 + '"\n'
    b.write_text(b.read_text(encoding="utf-8") + close, encoding="utf-8")
    added = _commit(folder, "结账", "己")
    b.write_text(b.read_text(encoding="utf-8").replace(close, ""), encoding="utf-8")
    removed = _commit(folder, "删掉结账指令", "庚")
    b.write_text(
        b.read_text(encoding="utf-8") + '2025-01-05 custom "ack" "T001" "T2024-001" "已核对"\n',
        encoding="utf-8",
    )
    acked = _commit(folder, "确认", "辛")
    seen = [
        (c.kind, c.entry.type, c.commit.sha)
        for c in history(folder / "main.beancount", shas[-1]).changes
    ]
    assert ("added", "period-close", added) in seen
    assert ("removed", "period-close", removed) in seen
    assert ("added", "ack", acked) in seen


def test_an_empty_first_commit_or_none_is_a_sentence(tmp_path: Path, capsys) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "main.beancount").write_text(MAIN.replace("include", ";"), encoding="utf-8")
    assert main(["history", str(tmp_path / "main.beancount")]) == 0
    out, err = capsys.readouterr()
    assert "还没有任何提交" in out and "Traceback" not in err
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "空")
    assert main(["history", str(tmp_path / "main.beancount")]) == 0
    assert "还没有提交过账簿文件" in capsys.readouterr().out
    _commit(tmp_path, "账簿", "甲")
    assert main(["history", str(tmp_path / "main.beancount")]) == 0
    out = capsys.readouterr().out
    assert "新增" in out and "单位 C101" in out
