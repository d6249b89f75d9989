"""The read-only server under hostile requests (red team 6 and 7).

6. 公开报表 accepted any year 1000–9999: each made a report folder (~2 MB, 1.2 s), made
   again after every reload (101 MB left after 20 reloads).  Years outside the books'
   (and outside 1900–2100) fall back to the as-of year, and a reload removes the folders
   of the earlier load.
7. One ``/api/query`` with ``narration ~ '^(.+)+Z$'`` froze the whole server (Python's
   ``re`` holds the interpreter).  Regular expressions of queries and filters now run
   with a time limit per match and end the request with a sentence.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import quote

from fava_server import write_books
from testbooks import FAVA_BOOKS

from sandao.reports.web.serve import create_serve_app

LONG = f"""
2025-06-10 * "县宏达商行" "社区服务中心办公用品采购及配送安装调试验收全过程服务费用支出明细第一批"
  Expenses:C101-城东社区服务中心:30201-办公费  10.00 CNY
  Assets:C101-城东社区服务中心:1002-银行存款
2025-06-11 * "县宏达商行" "{"a" * 3000}"
  Expenses:C101-城东社区服务中心:30201-办公费  10.00 CNY
  Assets:C101-城东社区服务中心:1002-银行存款
"""


def _client(books: Path):
    app = create_serve_app(books, load=True)
    app.config["TESTING"] = True
    slug = next(iter(app.config["LEDGERS"].ledgers_by_slug))
    return app.config["LEDGERS"].ledgers_by_slug[slug], app.test_client(), f"/{quote(slug)}"


def test_catastrophic_regex_in_a_query_or_filter_ends_with_a_sentence(tmp_path: Path) -> None:
    books = write_books(tmp_path / "county", FAVA_BOOKS + LONG)
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path[:0] = {[str(Path(__file__).parent), str(Path(__file__).parent.parent)]!r}
        from test_server_limits import _client
        from urllib.parse import quote
        from pathlib import Path
        ledger, client, base = _client(Path({str(books)!r}))
        for query in (
            "SELECT narration WHERE narration ~ '^(.+)+Z$'",
            "SELECT narration WHERE narration ~ '(.*a){{12}}b'",
        ):
            start = time.monotonic()
            answer = client.get(base + "/api/query?query_string=" + quote(query))
            print(answer.status_code, round(time.monotonic() - start, 1))
            print((answer.get_json(silent=True) or {{}}).get("error") or "-")
        start = time.monotonic()
        page = client.get(base + "/journal/?filter=" + quote('payee:"^(.+)+Z$"'))
        print(page.status_code, round(time.monotonic() - start, 1))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stderr[-2000:]
    status, seconds = lines[0].split()  # Python's re: 2^40 steps; the regex module: at once
    assert int(status) == 200 and float(seconds) < 10, lines
    status, seconds = lines[2].split()  # too much even for it: stopped after a second
    assert 400 <= int(status) < 500 and float(seconds) < 10, lines
    assert "正则表达式" in lines[3] and "超过" in lines[3], lines
    assert float(lines[-1].split()[1]) < 10, lines


def test_report_preview_years_are_bounded_and_reloads_leave_nothing(tmp_path: Path) -> None:
    books = write_books(tmp_path / "county", FAVA_BOOKS)
    ledger, client, base = _client(books)
    page = client.get(f"{base}/extension/ReportPreview/?time=9999")
    assert page.status_code == 200
    from sandao.reports.web.fava.state import state_for

    state = state_for(ledger)
    names = {p.name.split("-", 1)[1] for p in state.cache_dir.iterdir()}
    assert "9999" not in names and names <= {"2024", "2025"}, names
    for year in ("1000", "2101", "1899"):
        assert client.get(f"{base}/extension/ReportPreview/?time={year}").status_code == 200
    assert {p.name.split("-", 1)[1] for p in state.cache_dir.iterdir()} == names
    # A reload (the books changed) removes the earlier load's folders.
    books.write_text(books.read_text("utf-8") + "\n", "utf-8")
    ledger.load_file()
    client.get(f"{base}/extension/ReportPreview/")
    generations = {p.name.split("-", 1)[0] for p in state.cache_dir.iterdir()}
    assert generations == {str(state.generation)}, generations
