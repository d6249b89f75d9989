"""The example county's audit story: the deliberate suspicions, and its closed 2024."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandao.cli import main
from sandao.ledger import load


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("example") / "county"
    assert main(["example", str(folder)]) == 0
    return folder


def test_deliberate_suspicions_are_found(example: Path, capsys) -> None:
    assert main(["audit", str(example / "main.beancount"), "--json"]) == 0
    findings = json.loads(capsys.readouterr().out)["findings"]

    def of(code: str) -> list[dict]:
        return [f for f in findings if f["code"] == code]

    assert any(f["subject"] == "指标 ZB24-0110" and f["unit"] == "C102" for f in of("AU01"))
    split = [f for f in of("AU15") if f["subject"] == "县恒达装饰工程有限公司"]
    assert len(split) == 1 and split[0]["amount"] == "102000.00" and len(split[0]["entries"]) == 2
    assert [f["subject"] for f in of("AU10")] == ["县惠民超市"]
    # hand-kept payments fall on working days: the days off are the sample exports' own
    assert of("AU17") and all("/imported/" in e["file"] for f in of("AU17") for e in f["entries"])
    assert len(of("AU14")) == 2
    # few findings, each one explained in the example's README
    assert len(findings) <= 40
    readme = (Path(__file__).parents[2] / "ledger" / "example" / "README.md").read_text("utf-8")
    for code in {f["code"] for f in findings}:
        assert readme.count(f"| {code} | ") == len(of(code)), code
    # hand-kept payees fit their economic codes: AU21 lists only the sample exports' payments
    assert all("/imported/" in e["file"] for f in of("AU21") for e in f["entries"])


def test_2024_is_closed_and_still_matches(example: Path) -> None:
    text = (example / "2024.beancount").read_text(encoding="utf-8")
    for unit in ("C101", "C102"):
        assert f'custom "period-close" "{unit}" 2024-12-31 "sha256:' in text
    analysis = load(example / "main.beancount")
    assert [f for f in analysis.findings if f.code == "C001"] == []
    assert str(analysis.as_of) == "2025-09-30"


def test_editing_2024_breaks_the_close(example: Path, tmp_path: Path) -> None:
    copy = tmp_path / "county"
    assert main(["example", str(copy)]) == 0
    path = copy / "2024.beancount"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("维修改造（二期）", "维修改造（二期，补记）"), encoding="utf-8")
    found = [f for f in load(copy / "main.beancount").findings if f.code == "C001"]
    assert [f.unit for f in found] == ["C101"]
