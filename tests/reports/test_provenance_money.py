"""Every figure of the notices, the task ledger, the execution and the performance report
traces to its entries (reports.md, "Provenance").

These reports print yuan: a finest cell's entries add to the printed figure exactly; a
cell the builder added from other cells (a 合计, 期末 = 期初 + 收到 − 支出) lists those cells,
each with its sign, and they add to it; a per-household or per-m² figure names the cell and
the count it divides.  Every non-zero money cell of every table is traced — on the example
(every community and quarter of 2025) and on generated books.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testbooks import load_text, run_sandao

from sandao.ledger import load
from sandao.ledger.resolver import SPENDING
from sandao.ledger.scaffold import example_main, write_example
from sandao.reports.audit_edition import trace_document
from sandao.reports.base import quarter_period
from sandao.reports.community import STREAM_SHORT, community_notice
from sandao.reports.execution import execution_report
from sandao.reports.performance import performance_report
from sandao.reports.provenance import netted
from sandao.reports.tasks import task_ledger_report
from sandao.reports.traced_books import traced_books

ZERO = Decimal(0)
CENT = Decimal("0.01")


def money_cells(table) -> int:
    """The non-zero money cells of a table (rows and total), as printed."""
    rows = [*table.rows, *([table.total] if table.total else [])]
    return sum(
        1 for row in rows for key in table.money_keys if isinstance(row.get(key), Decimal) and row[key]
    )  # fmt: skip


def check_traced(books, report) -> int:
    """Every non-zero money cell is traced, and its trace adds to it."""
    doc = trace_document(books, report)
    places = {(r.file, r.line) for r in books.postings.rows}
    tables = {t.key: t for t in report.tables}
    everywhere = {(t["key"], c["row"], c["column"]): c for t in doc["tables"] for c in t["cells"]}
    checked = 0
    for table in doc["tables"]:
        cells = {(c["row"], c["column"]): c for c in table["cells"]}
        assert len(cells) == len(table["cells"]), f"{table['key']}: two cells share an address"
        if table["key"] != "context":  # the text's figures: see test_notice_text_figures
            assert len(table["cells"]) == money_cells(tables[table["key"]]), table["key"]

        def operand(x, cells=cells) -> Decimal:
            if not isinstance(x, list):
                return Decimal(x)
            return Decimal((cells[tuple(x)] if len(x) == 2 else everywhere[tuple(x)])["cell"])

        for cell in table["cells"]:
            where = (report.key, table["key"], cell["row"], cell["column"])
            value = Decimal(cell["cell"])
            if "derived" in cell:
                a, b = (operand(x) for x in cell["from"])
                assert cell["derived"] == "÷" and (a / b).quantize(CENT) == value, where
            elif "entries" in cell:
                assert cell["entries"], where
                assert sum((Decimal(e[3]) for e in cell["entries"]), ZERO) == value, where
                for ident, file, line, _ in cell["entries"]:
                    assert ident and file, where
                    if not ident.startswith(("T", "ZB", "P")):  # a posting, not a declaration
                        assert (file, line) in places, where
            elif "same" in cell:  # the same figure as an earlier cell: listed there
                report_key, key, row, column = cell["same"]
                first = [c for t in doc["tables"] if t["key"] == key for c in t["cells"]
                         if (c["row"], c["column"]) == (row, column)]  # fmt: skip
                assert report_key == report.key and first, where
                assert first[0]["sum"] == cell["sum"] and "entries" in first[0], where
            else:
                total = ZERO
                for row, column, *sign in cell["parts"]:
                    total += Decimal(cells[(row, column)]["sum"]) * (sign[0] if sign else 1)
                assert total == value, where
            if "derived" not in cell:
                assert Decimal(cell["sum"]) == value, where
            checked += 1
    return checked


@pytest.fixture(scope="module")
def example():
    analysis = load(example_main())
    return analysis, traced_books(analysis)


def test_every_notice_cell_traces(example) -> None:
    """One notice per community and quarter of 2025: every money figure traces."""
    analysis, books = example
    checked = 0
    for code in sorted(analysis.declarations.communities):
        for quarter in (1, 2, 3):
            checked += check_traced(books, community_notice(books, code, 2025, quarter))
    assert checked > 400


def test_task_ledger_execution_and_performance_cells_trace(example) -> None:
    _, books = example
    checked = check_traced(books, task_ledger_report(books, 2025, None))
    checked += check_traced(books, execution_report(books, 2025, None, None))
    checked += check_traced(books, performance_report(books, 2025, None, None))
    for unit in ("C101", "C102"):
        checked += check_traced(books, execution_report(books, 2025, unit, None))
    assert checked > 500


def test_traced_reports_print_as_the_public_ones(example) -> None:
    """The traced books change no figure: the same tables, cell for cell."""
    analysis, books = example
    for build in (
        lambda a: community_notice(a, "SQ01", 2025, 3),
        lambda a: task_ledger_report(a, 2025, None),
        lambda a: execution_report(a, 2025, None, None),
        lambda a: performance_report(a, 2025, None, None),
    ):
        public, traced = build(analysis), build(books)
        assert [t.rows for t in public.tables] == [t.rows for t in traced.tables]
        assert [t.total for t in public.tables] == [t.total for t in traced.tables]


def test_notice_spending_is_partitioned_by_stream(example) -> None:
    """The unit's 合计（含各社区） 本期支出 of each stream share out the quarter's spending
    postings of the unit: none counted twice, none left out."""
    analysis, books = example
    short = {v: k for k, v in STREAM_SHORT.items()}
    for code, community in sorted(analysis.declarations.communities.items()):
        for quarter in (1, 2, 3):
            period = quarter_period(2025, quarter)
            report = community_notice(books, code, 2025, quarter)
            seen: dict[int, Decimal] = {}
            for row in report.tables[0].rows:
                if row["scope"].endswith("合计（含各社区）"):
                    for index, amount in netted(row["spent"]).items():
                        assert index not in seen, (code, quarter, index)
                        assert short.get(row["stream"], "其他") == (
                            analysis.postings.rows[index].stream or "其他"
                        )
                        seen[index] = amount
            spending = {
                i: r.amount
                for i, r in enumerate(analysis.postings.rows)
                if r.role == SPENDING
                and r.unit == community.unit
                and period.start <= r.date <= period.end
            }
            assert seen == spending, (code, quarter)


@pytest.fixture(scope="module")
def c101_audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The example's books and C101's reports with the auditor's edition (html, json)."""
    folder = tmp_path_factory.mktemp("c101")
    write_example(folder / "ex")
    books, out = folder / "ex" / "main.beancount", folder / "out"
    run = run_sandao(
        "report", books, "--unit", "C101", "--edition", "audit", "--format", "html,json",
        "--out", out,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return books, out


def test_notice_text_figures_are_traced_and_linked(c101_audit) -> None:
    """The figures a notice prints outside its tables are traced (the ``context`` table):
    户均 (linked on the auditor's page, naming the cell it divides), and each link of the
    flow chart — where the money came from and where it went — whose sums its nodes print."""
    import json

    main, out = c101_audit
    books = traced_books(load(main))
    report = community_notice(books, "SQ01", 2025, 3)
    notice = out / "audit" / "community" / "community-2025Q3-SQ01"
    page = notice.with_suffix(".html").read_text("utf-8")
    doc = json.loads(notice.with_suffix(".trace.json").read_text("utf-8"))
    context = {c["row"]: c for t in doc["tables"] if t["key"] == "context" for c in t["cells"]}
    per = context["per_household"]
    assert per["from"][0] == ["spent", "合计", "ytd"]
    assert f'per_household&amp;column=value">{report.context["per_household"]:,.2f}</a>' in page
    for item in report.context["sources"]:
        cell = context[f"sources·{item['source']}·{item['stream']}"]
        assert Decimal(cell["sum"]) == item["amount"] and cell["entries"], item
    for item in report.context["flows"]:
        cell = context[f"flows·{item['stream']}·{item['use']}"]
        assert Decimal(cell["sum"]) == item["amount"] and cell["entries"], item


def test_closing_names_its_parts_with_signs(example) -> None:
    """期末 = 期初 + 收到 − 安排给各社区 − 调减或退回 − 支出: the centre's line says so."""
    _, books = example
    doc = trace_document(books, community_notice(books, "SQ01", 2025, 3))
    money = next(t for t in doc["tables"] if t["key"] == "money")
    cell = next(
        c
        for c in money["cells"]
        if c["row"] == "建设资金·服务中心统筹" and c["column"] == "closing"
    )
    assert cell["parts"] == [
        ["建设资金·服务中心统筹", "opening"],
        ["建设资金·服务中心统筹", "arranged_out", -1],
    ]


def test_audit_pages_link_every_traced_figure(c101_audit) -> None:
    """The auditor's page of each report is the published page with each traced figure a
    link to its cell; the public pages carry no link and no entry id."""
    _, out = c101_audit
    import json
    from urllib.parse import parse_qs, urlsplit

    pages = sorted((out / "audit").rglob("*.html"))
    kinds = {p.name.split("-")[0] for p in pages}
    assert {"final", "budget", "community", "tasks", "execution", "performance"} <= kinds
    for page in pages:
        document = json.loads(page.with_name(page.stem + ".trace.json").read_text("utf-8"))
        cells = {(t["key"], c["row"], c["column"]) for t in document["tables"] for c in t["cells"]}
        linked = set()
        for href in re.findall(r'class="sd-trace-link" href="([^"]+)"', page.read_text("utf-8")):
            query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
            assert query["report"] == [document["report"]], page
            linked.add((query["table"][0], query["row"][0], query["column"][0]))
        assert linked <= cells, (page, linked - cells)
        # every traced cell the page prints is a link (a notice prints its largest rows)
        assert len(linked) >= 0.5 * len(cells) and linked, page
    public = [p for p in out.rglob("*.html") if "audit" not in p.parts]
    assert public
    for path in [*public, *(out / "data").rglob("*.json")]:
        text = path.read_text("utf-8")
        assert "sd-trace-link" not in text and "/extension/ReportPreview/trace" not in text, path
        assert not re.search(r"h:[0-9a-f]{12}", text), path  # an entry id
        if path.suffix == ".json":
            assert '"entries"' not in text and '"trace"' not in text, path


def test_trace_command_prints_signed_parts_and_derived_figures(tmp_path: Path) -> None:
    write_example(tmp_path / "ex")
    out = tmp_path / "out"
    run = run_sandao(
        "report", tmp_path / "ex" / "main.beancount", "--edition", "audit", "--format", "json",
        "--out", out,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    import json

    notice = out / "audit" / "community" / "community-2025Q3-SQ01.trace.json"
    shown = run_sandao("trace", notice, "money", "建设资金·服务中心统筹", "closing")
    assert shown.returncode == 0, shown.stderr
    assert "减 建设资金·服务中心统筹 / arranged_out  466800.00" in shown.stdout
    assert "合计（元）：345,200.00" in shown.stdout
    performance = out / "audit" / "performance" / "performance-2025.trace.json"
    ratio = run_sandao("trace", performance, "households", "合计", "per_household")
    assert ratio.returncode == 0, ratio.stderr
    assert "由以下数字计算（÷）" in ratio.stdout and "合计 / spent" in ratio.stdout
    # 户均 of a notice divides a cell of another table: named with its table and figure
    per = run_sandao("trace", notice, "context", "per_household", "value")
    assert per.returncode == 0, per.stderr
    document = json.loads(notice.read_text("utf-8"))
    spent = next(
        c["cell"] for t in document["tables"] if t["key"] == "spent" for c in t["cells"]
        if (c["row"], c["column"]) == ("合计", "ytd")
    )  # fmt: skip
    assert f"  spent 合计 / ytd  {spent}" in per.stdout, per.stdout
    missing = run_sandao("trace", notice, "money", "无此行", "closing")
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    # the centre's and the unit's rows are listed once per unit and quarter: the other
    # communities' notices point at the same cell of the first one, with the same sum
    import json

    traces = {
        p.name.removesuffix(".trace.json"): json.loads(p.read_text("utf-8"))
        for p in (out / "audit" / "community").glob("*.trace.json")
    }
    index = {
        (key, t["key"], c["row"], c["column"]): c
        for key, doc in traces.items() for t in doc["tables"] for c in t["cells"]
    }  # fmt: skip
    pointed = 0
    for (key, _, _, _), cell in index.items():
        if "same" in cell:
            target = index[tuple(cell["same"])]
            assert target["sum"] == cell["sum"] and "same" not in target, (key, cell)
            assert cell["same"][0] <= key  # this notice, or its unit's first of the quarter
            pointed += 1
    assert pointed > 20
    shown = run_sandao("trace", out / "audit" / "community" / "community-2025Q3-SQ03.trace.json",
                       "money", "建设资金·服务中心统筹", "closing")  # fmt: skip
    assert shown.returncode == 0 and "与 community-2025Q3-SQ01 的同一单元格" in shown.stdout


# --- generated books -----------------------------------------------------------------

C101 = "C101-城东社区服务中心"
amounts = st.integers(min_value=1_00, max_value=500_000_00).map(lambda c: Decimal(c) / 100)
months = st.integers(min_value=1, max_value=12)
quota_st = st.fixed_dictionaries(
    {
        "stream": st.sampled_from(("运转", "建设")),
        "community": st.sampled_from((None, "SQ01")),
        "amount": amounts,
        "month": months,
        "adjust": st.one_of(st.none(), st.tuples(months, amounts, st.booleans())),
        "spends": st.lists(st.tuples(months, amounts, st.sampled_from((None, "SQ01"))), max_size=3),
    }
)


def generated_books(quotas, opening, task) -> str:
    """A unit with one community: quotas (some for the community, some adjusted), their
    spending (some charged to the community), an opening balance and a task."""
    lines: list[str] = []
    if opening:
        lines += [
            '2024-12-31 * "期初余额"\n  stream: "运转"\n  community: "SQ01"',
            f"  Assets:{C101}:1002-银行存款  {opening:.2f} CNY",
            f"  Equity:{C101}:3001-累计盈余",
        ]
    for i, q in enumerate(quotas):
        qid = f"ZB25-{i:04d}"
        community = f'\n  community: "{q["community"]}"' if q["community"] else ""
        income = "YZ-运转经费" if q["stream"] == "运转" else "JS-建设资金"
        lines += [
            f'2025-01-05 custom "quota" "{qid}" "指标{i}" {q["amount"]:.2f} CNY',
            f'  unit: "C101"\n  stream: "{q["stream"]}"\n  function: "2120101"\n  economic: "302"'
            + community,
            f'2025-{q["month"]:02d}-10 * "县财政局" "下达指标"\n  quota: "{qid}"',
            f"  Assets:{C101}:1011-零余额账户用款额度  {q['amount']:.2f} CNY",
            f"  Income:{C101}:4001-财政拨款收入:{income}",
        ]
        if q["adjust"]:
            month, amount, down = q["adjust"]
            sign = "-" if down else ""
            lines.append(
                f'2025-{month:02d}-12 custom "quota-adjust" "{qid}" {sign}{amount:.2f} CNY'
            )
        for n, (month, amount, spent_for) in enumerate(q["spends"]):
            tag = f'\n  community: "{spent_for}"' if spent_for else ""
            lines += [
                f'2025-{month:02d}-{15 + n:02d} * "某公司" "支出"\n  quota: "{qid}"' + tag,
                f"  Expenses:{C101}:30201-办公费  {amount:.2f} CNY",
                f"  Assets:{C101}:1011-零余额账户用款额度",
            ]
    if task:
        amount, month, spent = task
        lines += [
            f'2025-01-20 custom "task" "T2025-090" "社区工作" {amount:.2f} CNY',
            '  department: "D05"\n  unit: "C101"\n  community: "SQ01"',
            "  due: 2025-06-30\n  end: 2025-12-31",
            f'2025-{month:02d}-03 * "县委政法委" "拨付" ^T2025-090',
            f"  Assets:{C101}:1002-银行存款  {amount:.2f} CNY",
            f"  Income:{C101}:4609-其他收入:D05-县委政法委",
            f'2025-{month:02d}-25 * "某公司" "任务支出" ^T2025-090',
            f"  Expenses:{C101}:30227-委托业务费  {spent:.2f} CNY",
            f"  Assets:{C101}:1002-银行存款",
        ]
    return "\n".join(lines) + "\n"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    quotas=st.lists(quota_st, min_size=1, max_size=4),
    opening=st.one_of(st.none(), amounts),
    task=st.one_of(st.none(), st.tuples(amounts, months, amounts)),
)
def test_generated_books_trace_every_cell(quotas, opening, task) -> None:
    analysis = load_text(generated_books(quotas, opening, task))
    assert not analysis.errors, analysis.errors
    books = traced_books(analysis)
    for quarter in (1, 2, 3, 4):
        for code in ("SQ01", "SQ02"):
            check_traced(books, community_notice(books, code, 2025, quarter))
    check_traced(books, task_ledger_report(books, 2025, None))
    check_traced(books, execution_report(books, 2025, None, None))
    check_traced(books, performance_report(books, 2025, None, None))


def test_audit_run_writes_the_public_edition_byte_for_byte(tmp_path: Path) -> None:
    """``--edition audit`` adds ``audit/`` and changes no byte of the public files."""
    write_example(tmp_path / "ex")
    books = tmp_path / "ex" / "main.beancount"
    outs = {}
    for edition in ("public", "audit"):
        out = outs[edition] = tmp_path / edition
        run = run_sandao(
            "report", books, "--unit", "C102", "--edition", edition, "--format", "html,xlsx,json",
            "--out", out,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and "audit" not in p.relative_to(root).parts
        }

    public, audit = files(outs["public"]), files(outs["audit"])
    # the folder's marker lists its files: the audit run's lists audit/ too
    marker = audit.pop(".sandao-report").decode("utf-8").splitlines()
    assert [n for n in marker if not n.startswith("audit/")] == public.pop(".sandao-report").decode(
        "utf-8"
    ).splitlines()
    assert public.keys() == audit.keys() and len(public) > 20
    assert [name for name in public if public[name] != audit[name]] == []
    assert not (outs["public"] / "audit").exists() and (outs["audit"] / "audit").is_dir()


def test_traced_figures_add_with_plain_numbers() -> None:
    """A builder's ``sum()`` (an int 0 to start), ``0 - x`` and ``x + 0`` keep the trace."""
    from sandao.reports.provenance import Traced, total

    a = Traced(Decimal("12.50"), ((1, Decimal("12.50")),))
    b = Traced(Decimal("-2.25"), ((2, Decimal("-2.25")),))
    assert sum([a, b]) == Decimal("10.25") and netted(sum([a, b])) == {1: a, 2: b}
    assert netted(0 - a) == {1: Decimal("-12.50")} and (0 - a) == Decimal("-12.50")
    assert netted(a + 0) == {1: a} and netted(Decimal(1) - b) == {2: Decimal("2.25")}
    both = total([a], [b])
    assert both == Decimal("14.75") and both.yuan == Decimal("14.75")
    assert netted(both) == {1: Decimal("12.50"), 2: Decimal("2.25")}
    assert type(total([Decimal(1), Decimal(2)])) is Decimal  # nothing traced: a plain sum
