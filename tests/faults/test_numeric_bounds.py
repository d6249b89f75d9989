"""Numbers and names no county's books can hold (red team 17–21, 26 and the silent ones).

Each was a traceback (OverflowError, RecursionError, decimal errors) or was accepted
without a word; now each is one Chinese sentence: S001 in the books, a plugin
configuration error, exit 2 on the command line.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from beancount import loader

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from testbooks import BASE, run

from sandao.cli import main

TASK = """\
2025-03-01 custom "task" "T2025-009" "巡防" {amount} CNY
  department: "D05"
  unit: "C101"
  due: {due}
  end: {end}
"""


@pytest.mark.parametrize(
    ("amount", "due", "end", "words"),
    [
        ("100.00", "2025-03-31", "9999-12-31", "1900—2100"),  # finding 17: OverflowError
        ("100.00", "0001-01-02", "2025-12-31", "1900—2100"),
        ("-100.00", "2025-03-31", "2025-12-31", "负数"),  # accepted silently
        ("1" + "0" * 30 + ".00", "2025-03-31", "2025-12-31", "过大"),
    ],
)
def test_task_values_out_of_bounds_are_s001(amount, due, end, words) -> None:
    analysis = run(TASK.format(amount=amount, due=due, end=end))
    s001 = [f for f in analysis.findings if f.code == "S001"]
    assert s001 and words in s001[0].message
    assert "T2025-009" not in analysis.declarations.tasks


def test_quota_of_1e30_is_s001() -> None:
    """Finding 19: check accepted a quota of 1e30 and report crashed on it; now it is S001
    (and an adjustment of 10^18), so report never sees it."""
    quota = """\
2025-01-10 custom "quota" "ZB25-0999" "x" 1000000000000000000000000000000.00 CNY
  unit: "C101"
  stream: "运转"
  function: "2120101"
2025-07-01 custom "quota-adjust" "ZB25-0101" 1000000000000000000.00 CNY
"""
    analysis = run(quota)
    s001 = [f.message for f in analysis.findings if f.code == "S001"]
    assert len(s001) == 2 and all("过大" in m for m in s001)
    assert "ZB25-0999" not in analysis.declarations.quotas


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ("{'grace_days': 99999999999}", "grace_days"),  # finding 18: OverflowError
        ("{'grace_days': -5}", "grace_days"),  # accepted silently
        ("{'as_of': '9999-12-31'}", "1900—2100"),
    ],
)
def test_plugin_options_out_of_bounds(config: str, words: str) -> None:
    text = BASE.replace("\"{'warnings': True}\"", f'"{config}"')
    assert text != BASE
    _, errors, _ = loader.load_string(text)
    messages = [str(e.message) for e in errors]
    assert any(words in m and "插件配置" in m for m in messages), messages
    assert not any("Traceback" in m for m in messages)


def test_plugin_that_is_no_plugin_is_named() -> None:
    _, errors, _ = loader.load_string('plugin "os"\n' + BASE)
    assert any('plugin "os" 不是 Beancount 插件' in str(e.message) for e in errors)


def test_misspelt_plugin_is_one_sentence_in_check(tmp_path: Path, capsys) -> None:
    """Finding 26: a raw Python traceback inside check's output."""
    main_file = tmp_path / "main.beancount"
    main_file.write_text(BASE.replace('plugin "sandao.ledger"', 'plugin "sandao.ledgr"'), "utf-8")
    code = main(["check", str(main_file), "--no-cache"])
    out = capsys.readouterr().out
    assert code == 1
    assert (
        "Traceback" not in out
        and "找不到插件 sandao.ledgr" in out
        and "是否为 sandao.ledger？" in out
    )


@pytest.mark.parametrize("command", ["report", "check", "export"])
def test_as_of_beyond_2100_is_refused(tmp_path: Path, capsys, command: str) -> None:
    """Finding 20: ``report --as-of 9999-12-31`` ended in RecursionError."""
    main_file = tmp_path / "main.beancount"
    main_file.write_text(BASE, "utf-8")
    extra = ["--out", str(tmp_path / "out")] if command in ("report", "export") else []
    with pytest.raises(SystemExit) as raised:
        code = main([command, str(main_file), "--as-of", "9999-12-31", *extra])
        raise SystemExit(code)
    captured = capsys.readouterr()
    assert raised.value.code == 2
    assert "1900" in captured.err and "Traceback" not in captured.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ("[audit.AU01]\nshare = nan\n", "应为数字"),
        ("[audit.AU15]\nthreshold = nan\n", "应为数字"),
        ("[audit.AU15]\nthreshold = inf\n", "应为数字"),
        ("[audit.AU16]\ndays = 99999999999\n", "不超过"),
        ("[audit.AU04]\ndays = 99999999\n", "不超过"),
    ],
)
def test_audit_settings_out_of_bounds(tmp_path: Path, capsys, table: str, words: str) -> None:
    """Finding 21: nan or a huge number of days crashed audit (and the Fava page)."""
    main_file = tmp_path / "main.beancount"
    main_file.write_text(BASE, "utf-8")
    (tmp_path / "sandao.toml").write_text(table, "utf-8")
    code = main(["audit", str(main_file)])
    err = capsys.readouterr().err
    assert code == 2 and words in err and "Traceback" not in err
