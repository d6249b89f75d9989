"""``report --out DIR`` never deletes a file it did not write (red team 15).

The folder of an earlier run was replaced whole, so a note the user had put into it
was gone without a word.  The run's marker now lists the files it wrote; a later run
refuses, naming the others, and leaves the folder as it is.
"""

from __future__ import annotations

from pathlib import Path

from testbooks import REPORT_COUNTY

from sandao.cli import main


def test_report_refuses_to_delete_a_users_file(tmp_path: Path, capsys) -> None:
    books = tmp_path / "main.beancount"
    books.write_text(REPORT_COUNTY, encoding="utf-8")
    out = tmp_path / "out"
    args = ["report", str(books), "--format", "json", "--out", str(out), "--quiet"]
    assert main(args) == 0
    note = out / "审计意见.txt"
    note.write_text("我的笔记", encoding="utf-8")
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "审计意见.txt" in err and "不是 sandao 写的文件" in err
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before
    assert note.read_text(encoding="utf-8") == "我的笔记"
    note.unlink()
    assert main(args) == 0  # only its own files: replaced as before
