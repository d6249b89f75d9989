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


def test_links_of_the_auditors_edition_open_pages_with_the_cells_sum(
    served, tmp_path: Path
) -> None:
    """Following the auditor's edition's links (``[audit] serve_url`` = this server) opens
    a page whose listed sum equals the traced cell, for every figure of 表一 and 表三."""
    import json

    server, books = served
    config = books / "sandao.toml"
    config.write_text(
        config.read_text("utf-8") + f'\n[audit]\nserve_url = "{server.base}"\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    books_file = books / "main.beancount"
    run = run_sandao(
        "report",
        books_file,
        "--unit",
        "C101",
        "--edition",
        "audit",
        "--format",
        "json",
        "--out",
        out,
    )
    assert run.returncode == 0, run.stderr
    page = (out / "audit" / "final" / "final-2024-C101.html").read_text("utf-8")
    document = json.loads(
        (out / "audit" / "final" / "final-2024-C101.trace.json").read_text("utf-8")
    )
    sums = {
        (t["key"], c["row"], c["column"]): c["sum"]
        for t in document["tables"] if t["key"] in ("t1", "t3")
        for c in t["cells"]
    }  # fmt: skip
    links = re.findall(r'class="sd-trace-link" href="([^"]+)"', page)
    followed = 0
    for href in links:
        href = href.replace("&amp;", "&")
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
        key = (query["table"][0], query["row"][0], query["column"][0])
        if key not in sums:
            continue
        with urllib.request.urlopen(urllib.parse.quote(href, safe=":/?&=%"), timeout=60) as reply:
            html = reply.read().decode("utf-8")
        shown = re.search(r"合计（元）：<span>([0-9.\-]+)</span>", html).group(1)
        assert Decimal(shown) == Decimal(sums[key]), key
        followed += 1
    assert followed == len(sums) > 20
