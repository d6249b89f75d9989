"""The example's 2023 决算 (``ledger/example/previous/``) is what its recipe makes, and ties
to the 2024 books: its 年末结转和结余 is their 年初, unit by unit and for the department."""

from __future__ import annotations

import json
from pathlib import Path

from data import example_2023

from sandao.ledger.scaffold import example_main

SHIPPED = Path(str(example_main())).parent / "previous"


def test_shipped_tables_are_the_recipes(tmp_path: Path) -> None:
    written = example_2023.write(tmp_path)
    assert {p.relative_to(tmp_path) for p in written} == {
        p.relative_to(SHIPPED) for p in SHIPPED.rglob("*.json")
    }
    for path in written:
        assert path.read_bytes() == (SHIPPED / path.relative_to(tmp_path)).read_bytes(), path


def test_year_end_is_the_books_opening() -> None:
    closing = {}
    for key in ("C101", "C102", "county"):
        rows = json.loads((SHIPPED / f"final-2023-{key}" / "t1.json").read_text("utf-8"))["rows"]
        closing[key] = next(r["out_amount"] for r in rows if r["out_item"] == "年末结转和结余")
    # 城东 128,406.72 + 30,000.00 and 城西 35,001.14 on 2024-01-01 (2024.beancount)
    assert closing == {"C101": "15.84", "C102": "3.50", "county": "19.34"}


def test_previous_year_from_the_published_workbooks(tmp_path: Path) -> None:
    """The previous 决算 as XLSX (sandao report's layout) gives the same comparisons as its
    JSON tables."""
    import shutil

    from sandao.ledger import load
    from sandao.ledger.county_config import load_county_config
    from sandao.ledger.scaffold import write_example
    from sandao.reports.disclosure import context, final_document, scopes

    write_example(tmp_path / "ex")
    main = tmp_path / "ex" / "main.beancount"
    shutil.rmtree(tmp_path / "ex" / "previous")
    example_2023.write_workbooks(tmp_path / "ex" / "previous")
    analysis = load(main)
    ctx = context(analysis, load_county_config(main))
    from_xlsx = {
        s.key: final_document(ctx, s, 2024) for s in scopes(analysis, None, "清河县", ctx.tables)
    }
    shipped = load(example_main())
    shipped_ctx = context(shipped, load_county_config(example_main()))
    for scope in scopes(shipped, None, "清河县", shipped_ctx.tables):
        want = final_document(shipped_ctx, scope, 2024).context["sections"]
        got = from_xlsx[scope.key].context["sections"]
        assert got == want, scope.key
    assert "与2023年度相比，收入支出总计增加94.43万元" in str(from_xlsx["C101"].context["sections"])


def test_a_bad_amount_in_the_previous_decision_is_one_sentence(tmp_path: Path) -> None:
    """A cell of the previous 决算 that is no amount stops ``sandao report`` with the file and
    the value, from the JSON tables and from the workbook alike; nothing is written."""
    import shutil

    from testbooks import run_sandao

    from sandao.ledger.scaffold import write_example

    for form in ("json", "xlsx"):
        books = tmp_path / form
        write_example(books)
        previous = books / "previous"
        if form == "json":
            t1 = previous / "final-2023-C101" / "t1.json"
            table = json.loads(t1.read_text("utf-8"))
            table["total"]["in_amount"] = "十二万"
            t1.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
        else:
            import openpyxl

            shutil.rmtree(previous)
            example_2023.write_workbooks(previous)
            path = previous / "final-2023-C101.xlsx"
            book = openpyxl.load_workbook(path)
            sheet = book.worksheets[0]
            total = next(r for r in sheet.iter_rows() if r[0].value == "总计")
            total[1].value = "十二万"
            book.save(path)
        out = tmp_path / f"out-{form}"
        run = run_sandao("report", books / "main.beancount", "--year", "2024", "--out", out)
        assert run.returncode != 0 and "Traceback" not in run.stderr
        assert "上年部门决算" in run.stderr and "'十二万'" in run.stderr, run.stderr
        assert "final-2023-C101" in run.stderr
        assert not out.exists() or not any(out.rglob("*.*"))
