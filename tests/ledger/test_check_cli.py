"""``sandao check`` as a user runs it: exit codes, JSON shape, bad input, bean-check parity."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from testbooks import BASE, FUND_TASK

from sandao import runtime
from sandao.cli import main

BEAN_CHECK = str(Path(sys.executable).with_name("bean-check"))

LATE = FUND_TASK.replace("2025-03-20", "2025-04-15")
#: The venv's own script, not whatever ``bean-check`` PATH happens to hold.
BEAN_CHECK = str(Path(sys.executable).with_name("bean-check"))


def write(tmp_path, text, name="main.beancount"):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def check(capsys, *args):
    code = main(["check", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_clean_books_exit_0(tmp_path, capsys):
    code, out, _ = check(capsys, write(tmp_path, BASE + FUND_TASK))
    assert code == 0
    assert "共 0 个错误、0 个警告" in out


def test_errors_exit_1_grouped_by_unit_and_task(tmp_path, capsys):
    code, out, _ = check(capsys, write(tmp_path, BASE + LATE))
    assert code == 1
    unit_at, task_at, code_at = (
        out.index("单位 C101 城东社区服务中心"),
        out.index("任务 T2025-007"),
        out.index("T001"),
    )
    assert unit_at < task_at < code_at
    assert "main.beancount:" in out


def test_warnings_only_exit_0(tmp_path, capsys):
    over = BASE.replace("50000.00 CNY\n  department", "49999.00 CNY\n  department") + FUND_TASK
    code, out, _ = check(capsys, write(tmp_path, over))
    assert code == 0 and "警告 T009" in out


def test_json_shape(tmp_path, capsys):
    books = (
        BASE + LATE + "2025-05-01 balance Assets:C101-城东社区服务中心:1002-银行存款  1.00 CNY\n"
    )
    code, out, _ = check(capsys, write(tmp_path, books), "--json")
    records = json.loads(out)
    assert code == 1
    # The stable --json shape, pinned here on purpose (not imported from the code).
    keys = "code severity message file line date task project quota unit department fix"
    keys = [*keys.split(), "caused_by", "ack_reason"]
    assert all(list(r) == keys for r in records)
    by_code = {r["code"]: r for r in records}
    assert (
        by_code["BalanceError"]["severity"] == "error" and by_code["BalanceError"]["task"] is None
    )
    t001 = by_code["T001"]
    assert (t001["task"], t001["unit"], t001["department"], t001["date"]) == (
        "T2025-007",
        "C101",
        "D05",
        "2025-03-31",
    )
    assert t001["file"].endswith("main.beancount") and isinstance(t001["line"], int)


def test_as_of_evaluates_the_books_as_they_stood(tmp_path, capsys):
    path = write(tmp_path, BASE + LATE)
    code, out, _ = check(capsys, path, "--json", "--as-of", "2025-03-30")
    assert code == 0 and json.loads(out) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            '2025-01-01 open Assets:Cash CNY\n2025-01-02 * "x"\n  Assets:Cash 10 CNY\n  Assets:Nope\n  junk junk\n',
            "main.beancount:",
        ),
        ('include "missing.beancount"\n', "missing.beancount"),
        (
            "2025-02-30 open Assets:Cash CNY\n",
            f"main.beancount:{(BASE + FUND_TASK).count(chr(10)) + 1}: 日期 2025-02-30 不存在",
        ),
        (
            '2025-03-01 custom "task" "T2025-008" "x" "五万" \n  department: "D05"\n  unit: "C101"\n  due: 2025-03-31\n  end: 2025-12-31\n',
            "S001",
        ),
    ],
    ids=["syntax-error", "missing-include", "impossible-date", "wrong-directive-value"],
)
def test_bad_books_give_file_line_messages_not_tracebacks(tmp_path, text, expected):
    path = write(tmp_path, BASE + FUND_TASK + text)
    result = subprocess.run(
        [sys.executable, "-m", "sandao.cli", "check", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert expected in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("kind", ["missing", "directory", "not-utf8"])
def test_unreadable_main_file_exit_2(tmp_path, capsys, kind):
    path = tmp_path / "main.beancount"
    if kind == "directory":
        path.mkdir()
    elif kind == "not-utf8":
        path.write_bytes(BASE.encode("gb18030"))
    code, out, err = check(capsys, path)
    assert code == 2 and out == ""
    assert "main.beancount" in err


def test_bean_check_shows_the_same_errors(tmp_path, capsys):
    books = (BASE + LATE).replace("{'warnings': True}", "")
    path = write(tmp_path, books)
    _, out, _ = check(capsys, path, "--json")
    errors = sorted(r["message"] for r in json.loads(out) if r["severity"] == "error")
    result = subprocess.run([BEAN_CHECK, str(path)], capture_output=True, text=True)
    assert result.returncode == 1
    for message in errors:
        assert message in result.stderr + result.stdout


def test_plugin_reports_only_errors_unless_configured(tmp_path):
    over = BASE.replace("50000.00 CNY\n  department", "49999.00 CNY\n  department") + FUND_TASK
    quiet = write(tmp_path, over.replace("{'warnings': True}", ""), "quiet.beancount")
    loud = write(tmp_path, over, "loud.beancount")
    assert subprocess.run([BEAN_CHECK, str(quiet)], capture_output=True).returncode == 0
    result = subprocess.run([BEAN_CHECK, str(loud)], capture_output=True, text=True)
    assert result.returncode == 1 and "[T009]" in result.stderr + result.stdout


def test_bad_plugin_config_is_an_error_not_a_crash(tmp_path, capsys):
    path = write(
        tmp_path, (BASE + FUND_TASK).replace("{'warnings': True}", "{'warnings': True, 'nope': 1}")
    )
    code, out, _ = check(capsys, path)
    assert code == 1 and "nope" in out


def test_the_load_cache_lives_outside_the_books(tmp_path, capsys, monkeypatch):
    from sandao.ledger import bookcache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "books").mkdir()
    books = write(tmp_path / "books", BASE + FUND_TASK)
    assert check(capsys, books, "--no-cache")[0] == 0
    assert not bookcache.cache_file(books).exists()
    assert check(capsys, books)[0] == 0
    assert bookcache.cache_file(books).exists(), "without --no-cache sandao caches the load"
    assert bookcache.cache_file(books).parent == tmp_path / "cache" / "sandao"
    assert not list((tmp_path / "books").glob(".*picklecache"))


def test_check_reuses_the_plugin_run_and_bean_check_keeps_nothing(tmp_path, monkeypatch):
    from beancount import loader

    from sandao.ledger import analysis as analysis_module
    from sandao.ledger import load

    runs = []
    real = analysis_module._analyse
    monkeypatch.setattr(
        analysis_module, "_analyse", lambda *a: runs.append(1) or real(*a), raising=True
    )
    books = write(tmp_path, BASE + LATE)
    analysis = load(books)
    assert len(runs) == 1, "load() must reuse the plugin's own analysis"
    assert [f.code for f in analysis.findings] == ["T001"]
    runtime._RECENT.clear()
    loader.load_file(str(books))
    assert len(runs) == 2
    assert runtime._RECENT == [], "a plain Beancount load must not keep the posting table"
