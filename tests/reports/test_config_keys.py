"""County config keys are read or refused (red team 11), and the README's TOML parses (27)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from testbooks import county

from sandao.ledger.county_config import SECTIONS, CountyConfigError, parse_county_config
from sandao.reports.run import report_jobs

README = Path(__file__).resolve().parents[2] / "README.md"


def _large_rows(config: dict) -> int:
    jobs = report_jobs(county(), 2025, 2, None, "SQ01", county_config=parse_county_config(config))
    tables = [t for r in (job() for job in jobs) for t in r.tables]
    return len(next(t for t in tables if t.title.startswith("四、大额支出")).rows)


def test_notice_large_payment_is_read() -> None:
    """``[notice] large_payment`` was never read: 10,000 was hard-coded."""
    assert _large_rows({}) == 2
    assert _large_rows({"notice": {"large_payment": 1000}}) == 3


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"notice": {"large_paymnet": 1000}}, "未知的键"),
        ({"notice": {"large_payment": "很多"}}, "应为金额"),
        ({"notice": {"large_payment": float("nan")}}, "之间"),
        ({"notice": {"large_payment": 1e30}}, "之间"),
        ({"streams": {"运转": "2120101"}}, "default_functions"),  # accepted, never read
    ],
)
def test_unread_or_bad_config_is_refused(config: dict, words: str) -> None:
    with pytest.raises(CountyConfigError, match=words):
        parse_county_config(config)


def test_every_toml_block_of_the_readme_parses() -> None:
    """The ``[disclosure]`` example had bare Chinese keys (invalid TOML)."""
    blocks = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks
    for block in blocks:
        data = tomllib.loads(block)
        if set(data) <= set(SECTIONS):
            parse_county_config(data)  # a sandao.toml example: accepted as a whole
