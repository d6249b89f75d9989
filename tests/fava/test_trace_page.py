"""Fava's 来源分录 page: one 决算 cell recomputed from its address lists the entries that
make it, each opening the entry, with their sum — the same as the auditor's edition."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from fava_server import run_serve
from testbooks import run_sandao

from sandao.cli import main
from sandao.ledger import load
from sandao.ledger.county_config import load_county_config
from sandao.reports.audit_edition import trace_document
from sandao.reports.disclosure import context, final_document, scopes

SLUG = "清河县三到社区资金台账示例"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    books = tmp_path_factory.mktemp("trace") / "county"
    assert main(["example", str(books)]) == 0
    with run_serve(books / "main.beancount") as server:
        yield server, books


def _get(server, path: str) -> str:
    url = f"{server.base}/{urllib.request.quote(SLUG)}/{path}"
    with urllib.request.urlopen(url, timeout=120) as page:
        return page.read().decode("utf-8")


def test_trace_page_lists_the_cells_entries_with_their_sum(served) -> None:
    server, books = served
    query = urllib.parse.urlencode(
        {"report": "final-2024-C101", "table": "t3", "row": "2049999", "column": "total"}
    )
    html = _get(server, f"extension/ReportPreview/trace?{query}")
    analysis = load(books / "main.beancount")
    ctx = context(analysis, load_county_config(books / "main.beancount"), trace=True)
    scope = next(s for s in scopes(analysis, None, "清河县", ctx.tables) if s.key == "C101")
    document = trace_document(analysis, final_document(ctx, scope, 2024))
    cell = next(
        c for t in document["tables"] if t["key"] == "t3" for c in t["cells"]
        if c["row"] == "2049999" and c["column"] == "total"
    )  # fmt: skip
    shown = re.search(r'class="sd-trace-sum">合计（元）：<span>([0-9.\-]+)</span>', html).group(1)
    assert Decimal(shown) == Decimal(cell["sum"]) and Decimal(cell["cell"]) == Decimal("10.17")
    links = re.findall(r'href="([^"]*#context-[0-9a-f]+)"', html)
    assert len(links) == len(cell["entries"])


def test_trace_page_of_a_missing_cell_is_404(served) -> None:
    server, _ = served
    for query in ("report=final-2024-C101&table=t3&row=9&column=total", "report=../x&table=t1"):
        with pytest.raises(urllib.error.HTTPError) as caught:
            _get(server, f"extension/ReportPreview/trace?{query}")
        assert caught.value.code == 404


@pytest.fixture(scope="module")
def audit_out(served, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The auditor's edition of C101's reports, linked to this server (``[audit] serve_url``)."""
    server, books = served
    config = books / "sandao.toml"
    config.write_text(
        config.read_text("utf-8") + f'\n[audit]\nserve_url = "{server.base}"\n', encoding="utf-8"
    )
    out = tmp_path_factory.mktemp("audit") / "out"
    run = run_sandao(
        "report", books / "main.beancount", "--unit", "C101", "--edition", "audit",
        "--format", "json", "--out", out,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return out


def _sums(trace: Path, tables: tuple[str, ...] | None = None) -> dict[tuple[str, str, str], str]:
    """(table, row, column) → the traced yuan sum of each cell that has one."""
    import json

    document = json.loads(trace.read_text("utf-8"))
    return {
        (t["key"], c["row"], c["column"]): c["sum"]
        for t in document["tables"] if tables is None or t["key"] in tables
        for c in t["cells"] if "sum" in c
    }  # fmt: skip


def _follow(page: Path, sums: dict[tuple[str, str, str], str]) -> int:
    """Follow every link of an auditor's page whose cell has a sum; return how many."""
    followed = 0
    for href in re.findall(r'class="sd-trace-link" href="([^"]+)"', page.read_text("utf-8")):
        href = href.replace("&amp;", "&")
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
        key = (query["table"][0], query["row"][0], query["column"][0])
        if key not in sums:
            continue
        with urllib.request.urlopen(urllib.parse.quote(href, safe=":/?&=%"), timeout=60) as reply:
            html = reply.read().decode("utf-8")
        shown = re.search(r"合计（元）：<span>([0-9.\-]+)</span>", html).group(1)
        assert Decimal(shown) == Decimal(sums[key]), (page.name, key)
        followed += 1
    return followed


def test_links_of_the_auditors_edition_open_pages_with_the_cells_sum(audit_out: Path) -> None:
    """Following the auditor's edition's links opens a page whose listed sum equals the
    traced cell: every figure of the 决算's 表一 and 表三, and every figure of the 2025 Q3
    notice of each of C101's communities."""
    final = audit_out / "audit" / "final" / "final-2024-C101"
    sums = _sums(final.with_suffix(".trace.json"), ("t1", "t3"))
    assert _follow(final.with_suffix(".html"), sums) == len(sums) > 20
    for code in ("SQ01", "SQ03"):
        notice = audit_out / "audit" / "community" / f"community-2025Q3-{code}"
        sums = _sums(notice.with_suffix(".trace.json"))
        assert _follow(notice.with_suffix(".html"), sums) >= 20


def test_clicking_a_figure_opens_its_entries_in_the_browser(audit_out: Path, browser) -> None:
    """In a browser: the auditor's notice page, a click on a figure, the 来源分录 page with
    the cell's sum and each entry opening Fava's journal."""
    from selenium.webdriver.common.by import By

    notice = audit_out / "audit" / "community" / "community-2025Q3-SQ01"
    sums = _sums(notice.with_suffix(".trace.json"))
    clicked = 0
    for number in range(6):
        browser.get(notice.with_suffix(".html").as_uri())
        link = browser.find_elements(By.CSS_SELECTOR, "a.sd-trace-link")[number]
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(link.get_attribute("href")).query)
        key = (query["table"][0], query["row"][0], query["column"][0])
        if key not in sums:  # 户均: a figure divided, not summed
            continue
        link.click()
        shown = browser.find_element(By.CSS_SELECTOR, "p.sd-trace-sum span").text
        assert Decimal(shown) == Decimal(sums[key]), key
        while parts := browser.find_elements(By.CSS_SELECTOR, "table.sd-trace a[href*='trace?']"):
            parts[0].click()  # a 合计 lists the cells it adds: down to a figure's entries
        journal = browser.find_elements(By.CSS_SELECTOR, "table.sd-trace a[href*='#context-']")
        assert journal, key
        journal[0].click()
        assert "journal" in browser.current_url
        clicked += 1
    assert clicked >= 4


def _preview(server, name: str) -> str:
    """One report page as Fava's 公开报表 preview serves it (waiting for the year's run)."""
    query = urllib.parse.urlencode({"year": "2025", "name": name})
    for _ in range(20):
        try:
            return _get(server, f"extension/ReportPreview/file?{query}")
        except urllib.error.HTTPError as error:
            if error.code != 503:
                raise
    raise AssertionError(f"{name}: the preview's reports were not written")


@pytest.mark.parametrize(
    "name", ["community/community-2025Q3-SQ01.html", "final/final-2024-C101.html"]
)
def test_preview_pages_link_each_figure_to_its_entries(served, audit_out: Path, name) -> None:
    """Fava's preview of a notice and of a 决算 is the auditor's page: each figure links to
    this server's 来源分录 page, whose sum is the cell's."""
    server, _ = served
    html = _preview(server, name)
    hrefs = re.findall(r'class="sd-trace-link" href="([^"]+)"', html)
    assert len(hrefs) > 40
    hrefs = [urllib.parse.unquote(h.replace("&amp;", "&")) for h in hrefs]
    assert all(h.startswith(f"/{SLUG}/extension/ReportPreview/trace?") for h in hrefs), hrefs[:2]
    sums = _sums(audit_out / "audit" / name.replace(".html", ".trace.json"))
    followed = 0
    for href in hrefs[::7]:
        parts = urllib.parse.urlsplit(href)
        query = urllib.parse.parse_qs(parts.query)
        key = (query["table"][0], query["row"][0], query["column"][0])
        page = _get(
            server, f"extension/ReportPreview/trace?{urllib.parse.urlencode(query, doseq=True)}"
        )
        if key in sums:
            shown = re.search(r"合计（元）：<span>([0-9.\-]+)</span>", page).group(1)
            assert Decimal(shown) == Decimal(sums[key]), key
            followed += 1
    assert followed >= 5


def test_county_cell_links_each_units_cell(served) -> None:
    """A county 决算 cell lists each unit's same cell with its yuan; the link opens that
    unit's cell, whose sum is that yuan."""
    server, _ = served
    query = {"report": "final-2024-county", "table": "t3", "row": "2120101", "column": "total"}
    html = _get(server, f"extension/ReportPreview/trace?{urllib.parse.urlencode(query)}")
    assert "由各单位报表的同一单元格相加" in html
    shares = re.findall(
        r'<a href="([^"]+)">(final-2024-C10[12])</a></td><td class="num">([0-9.]+)', html
    )
    assert {unit for _, unit, _ in shares} == {"final-2024-C101", "final-2024-C102"}
    total = re.search(r"合计（元）：<span>([0-9.\-]+)</span>", html).group(1)
    assert sum(Decimal(a) for _, _, a in shares) == Decimal(total)
    for href, unit, amount in shares:
        path = urllib.parse.unquote(href.replace("&amp;", "&")).split(f"/{SLUG}/", 1)[1]
        base, _, rest = path.partition("?")
        page = _get(server, f"{base}?{urllib.parse.urlencode(urllib.parse.parse_qsl(rest))}")
        shown = re.search(r"合计（元）：<span>([0-9.\-]+)</span>", page).group(1)
        assert Decimal(shown) == Decimal(amount), unit
        assert "#context-" in page  # a unit's cell lists its entries


def test_a_derived_figure_links_the_cell_it_divides(served) -> None:
    """A notice's 户均 (the ``context`` table) links the 合计 cell of 二、资金用在哪里 that
    it divides — in that table, not in its own."""
    server, _ = served
    query = {
        "report": "community-2025Q3-SQ01", "table": "context", "row": "per_household",
        "column": "value",
    }  # fmt: skip
    html = _get(server, f"extension/ReportPreview/trace?{urllib.parse.urlencode(query)}")
    assert "由以下数字计算" in html
    hrefs = [
        urllib.parse.parse_qs(urllib.parse.urlsplit(h.replace("&amp;", "&")).query)
        for h in re.findall(r'<a href="([^"]+)">合计 / ytd</a>', html)
    ]
    assert [(q["table"], q["row"], q["column"]) for q in hrefs] == [(["spent"], ["合计"], ["ytd"])]
