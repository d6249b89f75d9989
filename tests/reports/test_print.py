"""Paper and self-containment: the notice prints on one A4 page with CJK fonts embedded,
every HTML stands alone (no external URL, no script), charts are inline SVG, and the
same books give the same bytes in every format, PDF included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from testbooks import REPORT_COUNTY as COUNTY
from testbooks import busy_quarter, county, load_text

from sandao.reports.community import MAX_PAYMENTS, MAX_TASKS, community_notice
from sandao.reports.html import environment, render_report
from sandao.reports.pdf import write_pdf
from sandao.reports.run import write_reports

URL_ATTR = re.compile(r"""\b(?:src|href|xlink:href)\s*=\s*["']?([^"'\s>]+)""", re.I)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("print") / "out"
    return write_reports(county(), out, year=2025, formats=["html"], draft=True).parent


def fonts(html: str) -> set[str]:
    """Base font names WeasyPrint embeds for ``html`` (an uncompressed PDF, read as bytes)."""
    import weasyprint

    data = weasyprint.HTML(string=html).write_pdf(uncompressed_pdf=True)
    names = re.findall(rb"/BaseFont\s*/([A-Za-z0-9+#-]+)", data)
    return {n.decode().split("+", 1)[-1] for n in names}


def test_html_is_self_contained(written):
    pages = sorted(written.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        html = page.read_text("utf-8")
        assert "<link" not in html.lower(), page
        assert "<script" not in html.lower(), page
        assert "@import" not in html and "url(" not in html, page
        for target in URL_ATTR.findall(html):
            assert not re.match(r"(?i)([a-z][a-z0-9+.-]*:|//)", target), (page, target)
            assert (page.parent / target).exists(), (page, target)


def test_charts_are_inline_svg(written):
    for name in ("final/final-2025-C101-draft.html", "execution/execution-2025.html"):
        html = (written / name).read_text("utf-8")
        assert "<svg" in html and "<rect" in html, name
    notice = (written / "community" / "community-2025Q2-SQ01.html").read_text("utf-8")
    assert 'aria-label="资金流向"' in notice and "<path" in notice
    assert "@page" in notice and "size: A4" in notice


def test_crowded_notice_fits_one_a4_page_with_cjk_fonts(tmp_path):
    analysis = load_text(COUNTY + busy_quarter())
    report = community_notice(analysis, "SQ01", 2025, 2)
    tables = {t.key: t for t in report.tables}
    assert len(tables["payments"].rows) == 25 + 2  # every large payment is kept …
    assert tables["payments"].hidden == 27 - MAX_PAYMENTS  # … but only ten are printed
    assert tables["tasks"].hidden == 13 - MAX_TASKS
    html = render_report(environment(), report)
    assert f"另有 {27 - MAX_PAYMENTS} 行见 Excel 表和公开数据文件" in html
    pdf = tmp_path / "notice.pdf"
    assert write_pdf(html, pdf) == 1
    embedded = fonts(html)
    assert embedded and all(name.startswith("Noto-Sans-CJK-SC") for name in embedded), embedded


def test_every_community_notice_of_the_county_is_one_page(tmp_path):
    analysis = county()
    env = environment()
    for quarter in (1, 2, 3, 4):
        html = render_report(env, community_notice(analysis, "SQ01", 2025, quarter))
        assert write_pdf(html, tmp_path / f"q{quarter}.pdf") == 1, quarter


@pytest.mark.slow
def test_same_books_same_bytes_in_every_format(tmp_path):
    def run(name: str) -> Path:
        return write_reports(
            county(),
            tmp_path / name,
            year=2025,
            quarter=2,
            unit="C102",
            formats=["html", "pdf", "xlsx", "csv", "json"],
        ).parent

    one, two = run("a"), run("b")
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert {p.suffix for p in files} >= {".html", ".pdf", ".xlsx", ".csv", ".json"}
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    for rel in files:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel
