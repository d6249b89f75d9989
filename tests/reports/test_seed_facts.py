"""Seed facts: every number of the seed that product.md lists appears in the report where it
belongs — the reports carry them, not only the books' comments.

Seed: 建设资金 2400 余万元 for 一厅、一校、一堂、两栏、五站、八室, activity rooms 340 → 2,122 m²;
operating money in seven uses; residents' committee funds 8,000 → 25,000 yuan; cadre pay
800 → 2,300 yuan a month; outputs 206 facilities, 2,700 m of drains, 320 campaigns, 262
classes / 315 children, 32 trainings / 1,500 trainees / 491 registered / 420 matches / 363 placed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sandao.ledger.county_config import load_county_config
from sandao.ledger.scaffold import example_main
from sandao.reports.html import environment, render_report
from sandao.reports.performance import NO_TARGET, performance_report
from sandao.reports.run import write_reports


@pytest.fixture(scope="module")
def demo_out(example, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "out"
    write_reports(
        example, out, formats=["html"], workers=1, county_config=load_county_config(example_main())
    )
    return out


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def cells(html: str) -> set[str]:
    return {c.strip() for c in re.findall(r"<td[^>]*>([^<]*)</td>", html)}


def test_2024_performance_carries_the_seed_outputs_with_their_targets(example):
    report = performance_report(example, 2024)
    html = render_report(environment(), report)
    found = cells(html)
    for number in ("206", "2,700", "320", "262", "315", "32", "1,500", "491", "420", "363"):
        assert number in found, number
    rows = report.tables[0].records()
    outputs = {(r["ref"], r["indicator"]): r for r in rows}
    facilities = outputs[("T2024-011", "修缮基础设施")]
    assert (facilities["target"], facilities["output"], facilities["period"]) == (200, 206, "2024")
    children = outputs[("T2024-002", "受益儿童")]  # the seed's "近两年" against a two-year target
    assert children["period"] == "2023–2024" and children["target"] is not None
    assert children["cost"] is None


def test_performance_costs_only_outputs_that_carry_the_cost(example):
    rows = performance_report(example, 2024).tables[0].records()
    by = {(r["ref"], r["indicator"]): r for r in rows}
    main = by[("T2024-001", "示范社区创建")]
    assert main["cost"] == main["spent"]  # the main output carries the whole task
    assert by[("T2024-001", "县直单位在职党员到社区报到")]["cost"] is None
    facilities = by[("T2024-011", "修缮基础设施")]  # cost_share 0.6 / 0.4
    drains = by[("T2024-011", "维修小区下水管网")]
    # each cost is rounded to the fen, so the two outputs give back the spending within 2,906 fen
    assert abs(facilities["cost"] * 206 + drains["cost"] * 2700 - facilities["spent"]) < 30
    missing = {r["ref"] for r in rows if r["indicator"] == NO_TARGET}
    assert {"T2024-003", "T2024-009", "T2024-014", "T2024-015"} <= missing


def test_performance_shows_venues_areas_and_the_construction_total(example, demo_out):
    html = render_report(environment(), performance_report(example, 2024))
    assert "340 平方米增加到 2,122 平方米" in text_of(html)
    venues = {t.key: t for t in performance_report(example, 2025).tables}["venues"]
    assert venues.total["amount"] == 24_300_000  # 2400 余万元
    per_venue = {r["venue"] for r in venues.records() if r["level"] == 1}
    assert {"一厅", "一校", "一堂", "两栏", "五站", "八室"} <= per_venue
    assert all(r["per_m2"] for r in venues.records() if r["area"])
    page = (demo_out / "performance" / "performance-2025.html").read_text("utf-8")
    assert "24,300,000.00" in page and "2,122" in page


def test_notice_and_budget_state_the_old_and_new_standards(demo_out):
    notice = text_of((demo_out / "community" / "community-2025Q3-SQ01.html").read_text("utf-8"))
    for number in ("25,000", "8,000", "2,300", "800"):
        assert number in notice, number
    budget = text_of((demo_out / "budget" / "budget-2025-C101.html").read_text("utf-8"))
    assert "保障标准" in budget
    for number in ("25,000", "8,000", "2,300", "800"):
        assert number in budget, number


def test_demo_year_shows_the_2024_final_accounts_the_2025_budget_and_execution(demo_out):
    assert (demo_out / "final" / "final-2024-C101.html").exists()
    assert not (demo_out / "final" / "final-2025-C101.html").exists()
    assert (demo_out / "budget" / "budget-2025-C101.html").exists()
    execution = (demo_out / "execution" / "execution-2025.html").read_text("utf-8")
    for quota in ("ZB25-0101", "ZB25-1107", "ZB25-1109", "ZB25-1111", "ZB25-1113", "ZB25-1115"):
        assert quota in execution, quota
    assert (demo_out / "kiosk" / "index.html").exists()
