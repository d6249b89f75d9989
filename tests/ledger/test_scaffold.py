"""``sandao init`` and ``sandao example``: new books that check clean, nothing overwritten."""

from __future__ import annotations

import json
import re

from sandao.cli import main


def _uncomment_and_check_clean(year_file, target, capsys) -> str:
    """Uncomment the worked month ``init`` writes; the books must then check clean."""
    text = "".join(
        re.sub(r"^; ?", "", line, count=1) for line in year_file.read_text("utf-8").splitlines(True)
    )
    year_file.write_text(text, "utf-8")
    capsys.readouterr()
    assert main(["check", "--json", str(target / "main.beancount")]) == 0
    assert json.loads(capsys.readouterr().out) == []
    return text


def test_init_from_command_line_checks_clean(tmp_path, capsys):
    target = tmp_path / "county"
    code = main(
        [
            "init",
            str(target),
            "--name",
            "测试县",
            "--year",
            "2026",
            "--unit",
            "C101=城东社区服务中心",
            "--unit",
            "C102=城西社区服务中心",
            "--community",
            "SQ01=城江社区@C101",
            "--department",
            "D05=县委政法委",
        ]
    )
    assert code == 0
    assert sorted(p.name for p in target.iterdir()) == [
        ".gitignore",
        "2026.beancount",
        "accounts.beancount",
        "declarations.beancount",
        "main.beancount",
    ]
    main_text = (target / "main.beancount").read_text("utf-8")
    assert 'plugin "sandao.ledger"' in main_text
    accounts = (target / "accounts.beancount").read_text("utf-8")
    assert "open Assets:C102-城西社区服务中心:1011-零余额账户用款额度" in accounts
    assert "open Income:C101-城东社区服务中心:4609-其他收入:D05-县委政法委" in accounts
    assert ".*.picklecache" in (target / ".gitignore").read_text("utf-8")
    capsys.readouterr()
    assert main(["check", "--json", str(target / "main.beancount")]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_init_sample_task_and_quota_work_when_uncommented(tmp_path, capsys):
    target = tmp_path / "county"
    main(
        [
            "init",
            str(target),
            "--year",
            "2026",
            "--unit",
            "C101=城东社区服务中心",
            "--department",
            "D05=县委政法委",
        ]
    )
    year_file = target / "2026.beancount"
    text = _uncomment_and_check_clean(year_file, target, capsys)
    # Without the department's transfer the task is unfunded once due, and overspent.
    transfer = re.search(r"\d{4}-\d\d-\d\d \* \"县委政法委\".*?\n\n", text, re.S)
    year_file.write_text(text.replace(transfer.group(0), ""), "utf-8")
    main(["check", "--json", str(target / "main.beancount")])
    found = json.loads(capsys.readouterr().out)
    codes = {(f["code"], f["task"]) for f in found if f["code"] != "BalanceError"}
    assert codes == {("T001", "T2026-001"), ("T003", "T2026-001")}


def test_init_month_checks_clean_without_a_department(tmp_path, capsys):
    target = tmp_path / "county"
    assert main(["init", str(target), "--year", "2026", "--unit", "C101=城东社区服务中心"]) == 0
    _uncomment_and_check_clean(target / "2026.beancount", target, capsys)


def test_init_from_toml(tmp_path, capsys):
    config = tmp_path / "county.toml"
    config.write_text(
        'name = "示例县"\nyear = 2025\n[units]\nC101 = "城东社区服务中心"\n'
        '[departments]\nD07 = "县人社局"\n[communities]\nSQ02 = { name = "群英社区", unit = "C101" }\n',
        "utf-8",
    )
    assert main(["init", str(tmp_path / "b"), "--config", str(config)]) == 0
    decl = (tmp_path / "b" / "declarations.beancount").read_text("utf-8")
    assert (
        'custom "community" "SQ02" "群英社区"' in decl
        and 'custom "department" "D07" "县人社局"' in decl
    )


def test_init_refuses_bad_codes_and_non_empty_dir(tmp_path, capsys):
    assert main(["init", str(tmp_path / "x"), "--unit", "c101=小写"]) == 1
    assert "格式不正确" in capsys.readouterr().err
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("mine")
    assert main(["init", str(occupied), "--unit", "C101=城东"]) == 1
    assert "不为空" in capsys.readouterr().err
    assert [p.name for p in occupied.iterdir()] == ["keep.txt"]
    assert (
        main(["init", str(tmp_path / "y"), "--community", "SQ01=城江@C999", "--unit", "C101=城东"])
        == 1
    )


def test_readme_rule_table_matches_the_engine():
    from pathlib import Path

    from sandao.ledger.findings import RULES

    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    for code, (_, title, fix) in RULES.items():
        assert f"| {code} |" in readme and title in readme and fix in readme
