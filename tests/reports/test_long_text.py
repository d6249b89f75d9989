"""A very long narration in a printed report (red team 5).

A 2,000-character narration made a one-notice PDF take 16 s and 20,000 characters ran
past 300 s (WeasyPrint laying out one huge cell).  Printed cells (HTML, PDF) show the
first 200 characters and the length; CSV and JSON keep the whole text.
"""

from __future__ import annotations

from testbooks import REPORT_COUNTY, load_text

from sandao.reports.community import community_notice
from sandao.reports.formatting import PRINTED_TEXT
from sandao.reports.html import environment, render_report

LONG = "很长的用途说明" * 3000  # 21,000 characters


def _books() -> str:
    start = REPORT_COUNTY.index("=HYPERLINK")
    line_start = REPORT_COUNTY.rindex("\n", 0, start) + 1
    line = REPORT_COUNTY[line_start : REPORT_COUNTY.index("\n", start)]
    return REPORT_COUNTY.replace(
        line, f'2025-05-07 * "<script>alert(1)</script>" "{LONG}" ^T2025-007'
    )


def test_printed_notice_cuts_a_long_narration() -> None:
    report = community_notice(load_text("", base=_books()), "SQ01", 2025, 2)
    html = render_report(environment(None), report)
    assert LONG[: PRINTED_TEXT * 2] not in html
    assert LONG[:PRINTED_TEXT] in html and "共 21,000 字" in html
    rows = next(t for t in report.tables if t.title.startswith("四、")).rows
    assert LONG in [row["purpose"] for row in rows]  # the data keeps it whole
