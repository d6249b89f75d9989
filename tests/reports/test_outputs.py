"""The written files: privacy scan, escaping, formula injection, determinism, templates,
open data validity, atomic replacement and the ``sandao report`` command."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from testbooks import REPORT_BASE as BASE
from testbooks import REPORT_COUNTY as COUNTY
from testbooks import county

from sandao.cli import main
from sandao.reports.privacy import SENSITIVE
from sandao.reports.run import ReportError, write_reports

#: ``sandao report`` options refused, with a word of the message: refused before writing.
BAD_OPTIONS = [
    (["--unit", "C999"], "没有单位 C999"),
    (["--format", "html,doc"], "未知的输出格式"),
    (["--community", "SQ99"], "没有社区 SQ99"),
]
#: More refused options, tried on an output folder written before: it is kept as it was.
MORE_BAD_OPTIONS = [
    (["--templates", "no-such-folder"], "模板文件夹不存在"),
    (["--as-of", "2025-13-01"], "--as-of 应为日期"),
    (["--format", ""], "未知的输出格式"),
]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("r") / "out"
    index = write_reports(county(), out, year=2025, draft=True)  # 2025 is open: a draft 决算
    return index.parent


def texts(root: Path):
    """(path, text) of every output file; xlsx through its text parts (not its numbers)."""
    for path in sorted(root.rglob("*")):
        if path.is_dir():
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                yield (
                    path,
                    "".join(
                        z.read(n).decode("utf-8")
                        for n in z.namelist()
                        if n.endswith("sharedStrings.xml") or n.startswith("docProps/")
                    ),
                )
        else:
            yield path, path.read_text("utf-8-sig")


def test_every_report_written(written):
    for folder in ("budget", "final", "community", "tasks", "execution", "performance"):
        assert list((written / folder).glob("*.html")), folder
        assert list((written / folder).glob("*.xlsx")), folder
    index = (written / "index.html").read_text("utf-8")
    for href in re.findall(r'href="([^"]+)"', index):
        assert (written / href).exists(), href
    assert (written / "datapackage.json").exists()


def test_no_personal_numbers_and_no_raw_script(written):
    for path, text in texts(written):
        for label, pattern in SENSITIVE.items():
            assert not pattern.search(text), f"{label} in {path}"
        if path.suffix in (".html", ".xlsx"):  # CSV/JSON carry the payee's text as data
            assert "<script" not in text.lower(), path
        assert "张三丰" not in text, path


def test_script_payee_prints_escaped(written):
    html = next((written / "community").glob("community-2025Q2-SQ01.html")).read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "张**" in html


def test_formula_cells_neutralised(written):
    path = written / "data" / "community" / "community-2025Q2-SQ01" / "payments.csv"
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))[1:]  # row 2: the Chinese labels
    purposes = {r["purpose"] for r in rows}
    assert any(p.startswith("'=HYPERLINK") for p in purposes)
    for row in rows:
        for key in ("payee", "purpose"):
            assert not row[key].startswith(("=", "+", "-", "@")), row
    book = openpyxl.load_workbook(written / "community" / "community-2025Q2-SQ01.xlsx")
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    strings = [v for v in values if isinstance(v, str)]
    assert '\'=HYPERLINK("http://x")' in strings
    assert not any(s.startswith(("=", "+", "@")) for s in strings)


def test_xlsx_numbers_formats_and_frozen_header(written):
    book = openpyxl.load_workbook(written / "final" / "final-2025-C101-draft.xlsx")
    ws = book.worksheets[2]  # 三、支出决算表
    assert ws.freeze_panes == "A4"
    header = [c.value for c in ws[3]]
    assert header[:3] == ["科目编码", "科目名称", "本年支出合计"]
    numbers = [
        c for row in ws.iter_rows(min_row=4) for c in row if isinstance(c.value, (int, float))
    ]
    assert numbers and all(c.number_format in ("#,##0.00", "0.00%") for c in numbers)
    assert ws.column_dimensions["B"].width > 8


def test_empty_government_fund_table_marked_none(written):
    html = (written / "budget" / "budget-2025-C101.html").read_text("utf-8")
    block = html[html.index('<span class="title">八、政府性基金预算支出表') :]
    block = block[: block.index("</section>")]
    assert "本年度没有政府性基金预算财政拨款收入和支出，故本表无数据" in block
    data = json.loads(
        (written / "data" / "budget" / "budget-2025-C101" / "b8.json").read_text("utf-8")
    )
    assert data["empty"] is True


def test_open_data_package_is_valid(written):
    import frictionless

    report = frictionless.validate(written / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "type", "note"])[:5]
    package = json.loads((written / "datapackage.json").read_text("utf-8"))
    assert package["model"]["measures"]["amount"]["source"] == "amount"
    assert (written / "data" / "postings.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_same_books_same_bytes_with_any_number_of_workers(tmp_path):
    one = write_reports(county(), tmp_path / "a", year=2025, workers=1).parent
    two = write_reports(county(), tmp_path / "b", year=2025, workers=3).parent
    files_one = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    files_two = sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert files_one == files_two
    for rel in files_one:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel


def test_user_template_overrides_builtin(tmp_path):
    mine = tmp_path / "tpl"
    mine.mkdir()
    (mine / "disclosure.html").write_text(
        '{% extends "base.html" %}{% block content %}'
        "<p class=mine>{{ report.tables[0].title }}</p>{% endblock %}",
        "utf-8",
    )
    out = write_reports(
        county(), tmp_path / "out", year=2025, templates=mine, formats=["html"]
    ).parent
    html = (out / "budget" / "budget-2025-C101.html").read_text("utf-8")
    assert "<p class=mine>一、部门收支总表</p>" in html


def test_failure_leaves_previous_output_untouched(tmp_path):
    out = write_reports(county(), tmp_path / "out", year=2025, formats=["html"]).parent
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    broken = tmp_path / "tpl"
    broken.mkdir()
    (broken / "tasks.html").write_text(
        "{% extends 'base.html' %}{% block content %}{{ nope.x }}{% endblock %}", "utf-8"
    )
    with pytest.raises(Exception, match="nope"):
        write_reports(county(), out, year=2025, templates=broken, formats=["html"])
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_refuses_to_replace_a_foreign_folder(tmp_path):
    (tmp_path / "mine.txt").write_text("keep", "utf-8")
    with pytest.raises(ReportError):
        write_reports(county(), tmp_path, year=2025)
    assert (tmp_path / "mine.txt").read_text("utf-8") == "keep"


def test_report_command(tmp_path, capsys):
    books = tmp_path / "main.beancount"
    books.write_text(BASE + COUNTY, "utf-8")
    code = main(
        [
            "report",
            str(books),
            "--year",
            "2025",
            "--quarter",
            "2",
            "--unit",
            "C101",
            "--format",
            "html,csv",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.strip().endswith("index.html")
    assert "[1/" in captured.err
    assert (tmp_path / "o" / "community" / "community-2025Q2-SQ01.html").exists()
    assert not (tmp_path / "o" / "budget" / "budget-2025-C102.html").exists()


@pytest.mark.parametrize("args, message", BAD_OPTIONS)
def test_report_command_bad_input(tmp_path, capsys, args, message):
    code = main(["report", str(_books(tmp_path)), "--out", str(tmp_path / "o"), *args])
    err = capsys.readouterr().err
    assert code != 0
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_report_command_missing_books(tmp_path, capsys):
    assert main(["report", str(tmp_path / "none.beancount"), "--out", str(tmp_path / "o")]) == 2
    assert "账簿文件不存在" in capsys.readouterr().err


def _books(tmp_path: Path) -> Path:
    books = tmp_path / "main.beancount"
    books.write_text(BASE + COUNTY, "utf-8")
    return books


def test_report_command_refuses_a_file_as_out(tmp_path, capsys):
    target = tmp_path / "out.txt"
    target.write_text("mine", "utf-8")
    code = main(["report", str(_books(tmp_path)), "--out", str(target)])
    err = capsys.readouterr().err
    assert code != 0 and "不是文件夹" in err and "Traceback" not in err
    assert target.read_text("utf-8") == "mine"


def test_report_command_refuses_a_foreign_folder(tmp_path, capsys):
    out = tmp_path / "docs"
    out.mkdir()
    (out / "notes.txt").write_text("keep", "utf-8")
    code = main(["report", str(_books(tmp_path)), "--out", str(out)])
    err = capsys.readouterr().err
    assert code != 0 and "不是 sandao 以前生成的报表文件夹" in err and "Traceback" not in err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_report_command_replaces_its_own_earlier_output(tmp_path, capsys):
    books, out = _books(tmp_path), tmp_path / "o"
    args = ["report", str(books), "--year", "2025", "--format", "html", "--out", str(out)]
    assert main([*args, "--quiet"]) == 0
    # a file an earlier run wrote (listed in its marker) that this run does not write
    (out / "stale.html").write_text("old", "utf-8")
    with (out / ".sandao-report").open("a", encoding="utf-8") as marker:
        marker.write("stale.html\n")
    assert main([*args, "--quiet"]) == 0
    assert not (out / "stale.html").exists()
    assert (out / "index.html").exists()
    capsys.readouterr()


@pytest.mark.parametrize("args, message", MORE_BAD_OPTIONS)
def test_report_command_more_bad_input_keeps_outputs(tmp_path, capsys, args, message):
    books, out = _books(tmp_path), tmp_path / "o"
    assert (
        main(["report", str(books), "--year", "2025", "--format", "html", "--out", str(out)]) == 0
    )
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    capsys.readouterr()
    code = main(["report", str(books), "--out", str(out), *args])
    err = capsys.readouterr().err
    assert code != 0 and message in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_payments_beyond_the_printed_ten_reach_the_open_data(tmp_path):
    from testbooks import busy_quarter, load_text

    out = write_reports(
        load_text(COUNTY + busy_quarter()),
        tmp_path / "o",
        year=2025,
        quarter=2,
        community="SQ01",
        formats=["csv", "xlsx"],
    ).parent
    path = out / "data" / "community" / "community-2025Q2-SQ01" / "payments.csv"
    with path.open(encoding="utf-8-sig") as handle:
        assert len(list(csv.DictReader(handle))) == 27 + 1  # + the Chinese label row
    book = openpyxl.load_workbook(out / "community" / "community-2025Q2-SQ01.xlsx")
    sheet = next(ws for ws in book.worksheets if "大额支出" in ws.title)
    dates = [c.value for c in sheet["A"] if c.value and str(c.value)[:4] == "2025"]
    assert len(dates) == 27


def test_every_workbook_one_sheet_per_table_frozen_fitted_printable(written):
    from openpyxl.utils import get_column_letter

    from sandao.reports.run import build_reports

    reports = {r.key: r for r in build_reports(county(), year=2025, draft=True)}
    books = sorted(written.rglob("*.xlsx"))
    assert len(books) == len(reports)
    for path in books:
        report = reports[path.stem]
        book = openpyxl.load_workbook(path)
        assert len(book.worksheets) == len(report.tables), path
        for ws, table in zip(book.worksheets, report.tables, strict=True):
            assert ws.cell(1, 1).value.endswith(table.title), (path, ws.title)
            assert ws.cell(1, 1).value.startswith(report.title), (path, ws.title)
            # a grouped header (表七's 合计／预算数) takes two rows
            grouped = any("／" in c.label for c in table.columns)
            assert ws.freeze_panes == ("A5" if grouped else "A4"), (path, ws.title)
            assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            for col in range(1, len(table.columns) + 1):
                assert ws.column_dimensions[get_column_letter(col)].width >= 8, (path, col)


def test_xlsx_titles_name_the_period_filters_whole_sheet_names_no_green_triangles(written):
    """Read back: the title row says the year and quarter and the community (or unit); the
    data rows have an autofilter; sheet names end on a whole word; codes stored as text are
    marked as meant (no green triangles)."""
    import zipfile

    notice = openpyxl.load_workbook(written / "community" / "community-2025Q1-SQ01.xlsx")
    for ws in notice.worksheets:
        title = ws.cell(1, 1).value
        assert "2025年第1季度" in title and "城江社区" in title, title
    assert notice.worksheets[0].title == "一、资金收支"
    for path in sorted(written.rglob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        for ws in book.worksheets:
            assert len(ws.title) <= 31
            assert ws.title.count("（") == ws.title.count("）"), (path, ws.title)
            grouped = ws.freeze_panes == "A5"  # a two-row header
            if ws.cell(5 if grouped else 4, 1).value != "无":
                first = "A4:" if grouped else "A3:"
                assert ws.auto_filter.ref and ws.auto_filter.ref.startswith(first), (path, ws.title)
        with zipfile.ZipFile(path) as xlsx:
            for name in xlsx.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    assert b'numberStoredAsText="1"' in xlsx.read(name), (path, name)
    final = openpyxl.load_workbook(written / "final" / "final-2025-C101-draft.xlsx")
    assert "2025" in final.worksheets[0].cell(1, 1).value
    assert "城东社区服务中心" in final.worksheets[0].cell(1, 1).value


def test_sheet_names_end_on_a_whole_word():
    from sandao.reports.xlsx import sheet_name

    used: set[str] = set()
    long = "社区活动阵地（一厅、一校、一堂、两栏、五站、八室）：投资、面积与每平方米造价"
    assert sheet_name(long, used) == "社区活动阵地：投资、面积与每平方米造价"
    assert sheet_name(
        "一、资金收支（期初 + 收到 − 安排给各社区 − 调减或退回 − 支出 = 期末）", used
    ) == ("一、资金收支")
    words = "、".join(["一般公共预算财政拨款支出"] * 4)
    assert sheet_name(words, used) == "、".join(["一般公共预算财政拨款支出"] * 2)


def test_xlsx_title_preparer_unit_footer_dates_and_counts(written):
    book = openpyxl.load_workbook(written / "tasks" / "tasks-2025.xlsx")
    for ws in book.worksheets:
        last = ws.max_column
        merged = [str(r) for r in ws.merged_cells.ranges]
        assert merged == [f"A1:{openpyxl.utils.get_column_letter(last)}1"]
        assert ws.cell(1, 1).alignment.horizontal == "center"
        assert ws.cell(2, 1).value.startswith("编制单位：")  # the county: no name in these books
        assert ws.cell(2, last).value == "单位：元"
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    final = openpyxl.load_workbook(written / "final" / "final-2025-C101-draft.xlsx").worksheets[0]
    assert final.cell(2, 1).value == "编制单位：城东社区服务中心"
    tasks = book["费随事转任务台账"]
    header = [c.value for c in tasks[3]]
    due = header.index("拨付期限") + 1
    dues = [tasks.cell(r, due) for r in range(4, tasks.max_row) if tasks.cell(r, due).value]
    assert dues and all(c.is_date and c.number_format == "yyyy-mm-dd" for c in dues)
    departments = next(ws for ws in book.worksheets if ws is not tasks)
    count = [c.value for c in departments[3]].index("任务数") + 1
    cells = [departments.cell(r, count) for r in range(4, departments.max_row + 1)]
    cells = [c for c in cells if c.value is not None]
    assert cells and all(c.number_format == "#,##0" and c.value == int(c.value) for c in cells)


def test_csv_has_keys_then_chinese_labels(written):
    from sandao.reports.tasks import TASK_REPORT_COLUMNS

    path = written / "data" / "tasks" / "tasks-2025" / "tasks.csv"
    with path.open(encoding="utf-8-sig") as handle:
        keys, labels = next(csv.reader(handle)), next(csv.reader(handle))
    assert keys == [c.key for c in TASK_REPORT_COLUMNS]
    assert labels == [c.label for c in TASK_REPORT_COLUMNS]
    package = json.loads((written / "datapackage.json").read_text("utf-8"))
    assert all(
        r["dialect"] == {"headerRows": [1], "commentRows": [2]} for r in package["resources"]
    )
