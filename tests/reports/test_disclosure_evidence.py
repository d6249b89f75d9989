"""The 决算 says only what the books show (disclosure-standard.md, "Evidence"), for any unit.

Reasons come from the books, the previous year from the books or the previous published
决算, 政府采购 from contracts; names of codes from the classification; other unit types'
columns are computed; config mistakes are one sentence.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from testbooks import run_sandao

from sandao.ledger import analysis_for, load
from sandao.ledger.county_config import load_county_config, parse_county_config
from sandao.ledger.scaffold import example_main
from sandao.reports.disclosure import context, final_document, scopes
from sandao.reports.disclosure.narrative import PLACEHOLDER_REASON

ROOT = Path(__file__).resolve().parents[2]
D = Decimal

#: Words that state a cause; the code may not hold them (the books give causes).
CAUSE_WORDS = ("主要是", "公务活动增加", "厉行节约", "压减开支", "结转下年使用", "年中追加、划转")


def text_of(report) -> str:
    return "".join(p for s in report.context["sections"] for p in s["paragraphs"])


@pytest.fixture(scope="module")
def example():
    analysis = load(example_main())
    config = load_county_config(example_main())
    ctx = context(analysis, config)
    docs = {
        s.key: final_document(ctx, s, 2024) for s in scopes(analysis, None, "清河县", ctx.tables)
    }
    return analysis, ctx, docs


def _phrases(path: Path) -> list[tuple[str, bool]]:
    """Each piece of literal text of a module's strings, and whether a value follows it."""
    out: list[tuple[str, bool]] = []
    tree = ast.parse(path.read_text("utf-8"))
    inside = {id(p) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for p in n.values}
    for node in ast.walk(tree):
        if id(node) in inside:
            continue
        if isinstance(node, ast.JoinedStr):
            parts = node.values
            for i, part in enumerate(parts):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    follows = i + 1 < len(parts) and isinstance(parts[i + 1], ast.FormattedValue)
                    out.append((part.value, follows))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append((node.value, False))
    return out


def test_no_cause_phrases_in_builders_or_templates() -> None:
    """No cause is written in code; the template's connectives (主要原因, 主要用于) stand
    only right before a value, which the builders take from the books."""
    for path in (ROOT / "reports" / "disclosure").glob("*.py"):
        for text, value_follows in _phrases(path):
            for word in CAUSE_WORDS:
                assert word not in text, (path.name, text)
            if "\n" in text:  # a docstring naming the connectives
                continue
            # “主要用于以下方面：” opens 五（二）, whose figures are the table's 类 cells
            for match in re.finditer(r"主要(?:原因|用于)(?!以下方面)[是：]?", text):
                assert match.end() == len(text) and value_follows, (path.name, text)
    template = (ROOT / "templates" / "disclosure.html").read_text("utf-8")
    assert not any(word in template for word in (*CAUSE_WORDS, "主要原因", "主要用于"))


def test_every_reason_printed_is_in_the_books(example) -> None:
    analysis, _, docs = example
    decl = analysis.declarations
    books = {n.text for n in decl.notes}
    for quota in decl.quotas.values():
        for meta in (quota.meta, *(a.meta for a in quota.adjustments)):
            if meta.get("reason"):
                books.add(str(meta["reason"]))
    for task in decl.tasks.values():
        if task.meta.get("reason"):
            books.add(str(task.meta["reason"]))
    seen = 0
    for report in docs.values():
        text = text_of(report)
        assert "XX" not in text and "无可比数据" not in text and PLACEHOLDER_REASON not in text
        assert report.context["missing"] == []  # the example owes no reason
        for match in re.finditer(r"主要(?:原因|用于)(?!以下方面)[是：]?([^。]*)。", text):
            left = match.group(1)
            for known in sorted(books, key=len, reverse=True):
                left = left.replace(known, "")
            assert not left.strip("；"), match.group(1)  # nothing but the books' words
            seen += 1
    assert seen >= 10


def test_previous_year_from_the_published_2023_document(example) -> None:
    _, _, docs = example
    text = text_of(docs["C101"])
    # 2023 总计 325.65 (previous/final-2023-C101/t1.json) → 2024 420.08
    assert "收入支出总计420.08万元。与2023年度相比，收入支出总计增加94.43万元，增长29.00%。" in text
    assert "2024年度“三公”经费财政拨款支出决算数比2023年度增加0.03万元" in text


def test_contracts_give_the_procurement_paragraph(example) -> None:
    """政府采购 on the contract basis: the year's contracts by kind and the five amounts."""
    analysis, _, docs = example
    contracts = [c for c in analysis.declarations.contracts.values() if c.unit == "C101"]
    by_kind = {
        k: sum((c.amount for c in contracts if c.procurement == k), D(0))
        for k in ("货物", "工程", "服务")
    }
    assert by_kind == {"货物": D("162420.00"), "工程": D("1600000.00"), "服务": D("42000.00")}
    text = text_of(docs["C101"])
    assert (
        "政府采购金额（以合同签订为准）为180.44万元，其中：货物采购金额16.24万元、工程采购金额160.00万元、"
        "服务采购金额4.20万元。" in text
    )
    assert (
        "面向中小企业预留政府采购项目预算金额10.00万元，面向小微企业预留政府采购项目预算金额10.00万元。"
        "在面向中小企业预留的政府采购项目中，由中小企业供应商中标或成交的，采购金额9.86万元；"
        "在面向小微企业预留政府采购项目中，由小微企业供应商中标或成交的，采购金额9.86万元；"
        "在其他政府采购项目中，由中小企业供应商中标或成交的，采购金额170.58万元。" in text
    )
    # C102: its equipment (11.80 万元) is 货物, the 45.00 prepayment is in the 151.00 contract
    assert "货物采购金额11.80万元、工程采购金额151.00万元" in text_of(docs["C102"])


def test_three_public_details(example) -> None:
    text = text_of(example[2]["C101"])
    assert "“三公”经费财政拨款支出未安排预算，决算数0.27万元" in text
    assert "国内公务接待支出0.27万元（含外宾接待支出0.00万元），公务接待1批次、6人次" in text
    assert "公务接待批次、人次账簿未登记" in text_of(example[2]["C102"])  # shared, counted by C101
    assert "因公出国（境）费未安排预算，也无支出" in text
    assert "公务用车保有量为0辆" in text


def test_department_document_and_its_units(example) -> None:
    _, _, docs = example
    county = docs["county"]
    assert county.title == "中共清河县委社会工作部2024年度部门决算"
    assert [u["name"] for u in county.context["profile"]["units"]] == [
        "清河县城东社区服务中心",
        "清河县城西社区服务中心",
    ]
    assert county.context["profile"]["heading"] == "二、部门决算单位构成"
    assert docs["C101"].context["profile"]["heading"] == "二、机构设置"


BOOKS = """\
option "operating_currency" "CNY"
plugin "sandao.ledger"
2023-01-01 custom "unit" "C101" "城东社区服务中心"
2023-01-01 open Assets:C101-城东:1002-银行存款
2023-01-01 open Assets:C101-城东:1011-零余额账户用款额度
2023-01-01 open Equity:C101-城东:3001-累计盈余
2023-01-01 open Income:C101-城东:4001-财政拨款收入
2023-01-01 open Expenses:C101-城东:30201-办公费
{opening}2024-01-10 custom "quota" "ZB24-0001" "运转经费" 300000.00 CNY
  unit: "C101"
  stream: "运转"
  function: "{function}"
  kind: "年初"
2024-01-10 * "县财政局" "下达指标"
  quota: "ZB24-0001"
  Assets:C101-城东:1011-零余额账户用款额度  300000.00 CNY
  Income:C101-城东:4001-财政拨款收入
2024-06-10 * "文具店" "办公用品"
  quota: "ZB24-0001"
{procurement}  Expenses:C101-城东:30201-办公费  {spent} CNY
  Assets:C101-城东:1011-零余额账户用款额度
{end} custom "department" "D99" "年末"
"""
OPENING = """2024-01-01 * "期初余额" "上年结转"
  Assets:C101-城东:1002-银行存款  50000.00 CNY
  Equity:C101-城东:3001-累计盈余
"""


def books(folder: Path, config: str = "", function: str = "2120101", spent: str = "280000.00",
          procurement: str = "", opening: bool = True, end: str = "2024-12-31") -> Path:  # fmt: skip
    """Books of one centre: money carried in from 2023 (``opening``), one 2024 quota."""
    folder.mkdir(parents=True, exist_ok=True)
    main = folder / "main.beancount"
    main.write_text(
        BOOKS.format(
            function=function,
            spent=spent,
            procurement=f"  {procurement}\n" if procurement else "",
            opening=OPENING if opening else "",
            end=end,
        ),
        encoding="utf-8",
    )
    (folder / "sandao.toml").write_text('[county]\nname = "清河县"\n' + config, encoding="utf-8")
    return main


def report(main: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_sandao("report", main, "--format", "json", "--out", out, *extra)


def test_opening_balance_without_previous_year_stops_with_the_key(tmp_path: Path) -> None:
    main = books(tmp_path / "b")
    run = report(main, tmp_path / "out", "--year", "2024")
    assert run.returncode == 2, run.stderr
    message = run.stderr.strip().splitlines()[-1]
    assert "previous" in message and "2023" in message and "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()
    # a draft of the open year shows where the previous year's figures go
    analysis = load(main)
    ctx = context(analysis, load_county_config(main))
    doc = final_document(ctx, scopes(analysis, "C101", "清河县", ctx.tables)[0], 2024, draft=True)
    assert "与2023年度相比：【缺上年数】。" in text_of(doc)


def test_previous_document_must_tie_to_the_books(tmp_path: Path) -> None:
    previous = tmp_path / "prev" / "final-2023-C101"
    shutil.copytree(
        Path(str(example_main())).parent / "previous" / "final-2023-C101", previous
    )  # its 年末 is 15.84 万元; these books open with 5.00 万元
    main = books(tmp_path / "b", '[disclosure]\nprevious = "../prev"\n')
    run = report(main, tmp_path / "out", "--year", "2024")
    assert run.returncode == 2
    assert "15.84" in run.stderr and "5.00" in run.stderr


def test_missing_reasons_are_listed_and_the_final_states_figures_only(tmp_path: Path) -> None:
    t1 = {"in_item": "总计", "in_amount": "5.00", "out_item": "总计", "out_amount": "5.00"}
    prev = tmp_path / "prev" / "final-2023-C101"
    prev.mkdir(parents=True)
    blank = {"rows": [], "total": {"in_amount": "0", "total": "0", "r_amount": "0"}}
    for key in ("t4", "t5", "t6"):
        (prev / f"{key}.json").write_text(json.dumps(blank), encoding="utf-8")
    (prev / "t7.json").write_text(json.dumps({"rows": []}), encoding="utf-8")
    rows = [{"out_item": "年末结转和结余", "out_amount": "5.00"}]
    (prev / "t1.json").write_text(json.dumps({"rows": rows, "total": t1}), encoding="utf-8")
    main = books(tmp_path / "b", '[disclosure]\nprevious = "../prev"\n')
    run = report(main, tmp_path / "out", "--year", "2024")
    assert run.returncode == 0, run.stderr
    assert 'custom "disclosure-note" "C101" "收入"' in run.stderr
    assert "about" in run.stderr
    doc = json.loads(
        (tmp_path / "out" / "data" / "final" / "final-2024-C101" / "t1.json").read_text("utf-8")
    )
    assert doc["total"]["in_amount"] == "35.00"


def test_payment_basis_is_said_plainly(tmp_path: Path) -> None:
    main = books(tmp_path / "b", procurement='procurement: "货物"', spent="200000.00")
    analysis = load(main)
    ctx = context(analysis, load_county_config(main))
    doc = final_document(ctx, scopes(analysis, "C101", "清河县", ctx.tables)[0], 2024, draft=True)
    text = text_of(doc)
    assert "账簿未登记政府采购合同，按支付数统计" in text and "以合同签订为准" not in text
    assert PLACEHOLDER_REASON in text  # a draft marks the reasons the books still owe


def test_unnamed_code_stops_a_final_and_is_marked_in_a_draft(tmp_path: Path) -> None:
    main = books(tmp_path / "b", '[disclosure]\nprevious = "none"\n', function="2129988")
    run = report(main, tmp_path / "out", "--year", "2024")
    assert run.returncode == 2
    assert "2129988" in run.stderr and "[codes.function]" in run.stderr
    analysis = load(main)
    ctx = context(analysis, load_county_config(main))
    doc = final_document(ctx, scopes(analysis, "C101", "清河县", ctx.tables)[0], 2024, draft=True)
    t2 = next(t for t in doc.tables if t.key == "t2")
    assert [r["name"] for r in t2.records() if r["code"] == "2129988"] == ["【科目名称未知】"]
    # named in the config, it prints the name
    main = books(
        tmp_path / "c", '[codes.function]\n"2129988" = "社区试点支出"\n', function="2129988"
    )
    analysis = load(main)
    ctx = context(analysis, load_county_config(main))
    doc = final_document(ctx, scopes(analysis, "C101", "清河县", ctx.tables)[0], 2024, draft=True)
    t2 = next(t for t in doc.tables if t.key == "t2")
    assert [r["name"] for r in t2.records() if r["code"] == "2129988"] == ["社区试点支出"]


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ("[disclosure]\nfinal_tables = 1\n", "未知项"),
        ('[disclosure]\nfinal_order = ["t1", "t11"]\n', "final_order"),
        ('[disclosure]\nlabels = ["使用非财政拨款结余"]\n', "labels"),
        ('[disclosure]\nrounding = "floor"\n', "rounding"),
        ('[codes]\nfunction_csv = "missing.csv"\n', "missing.csv"),
        ('[codes.function]\n"20101" = 3\n', "codes.function"),
        ('[disclosure]\ndepartment = "社工部"\n', "department"),
    ],
)
def test_config_mistakes_are_one_sentence(tmp_path: Path, config: str, words: str) -> None:
    main = books(tmp_path / "b", config)
    run = report(main, tmp_path / "out")
    assert run.returncode == 2, run.stderr
    assert words in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_table_left_out_of_the_order_is_not_printed(tmp_path: Path) -> None:
    config = '[disclosure]\nfinal_order = ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"]\n'
    main = books(tmp_path / "b", config, opening=False)
    run = report(main, tmp_path / "out", "--year", "2024")
    assert run.returncode == 0, run.stderr
    folder = tmp_path / "out" / "data" / "final" / "final-2024-C101"
    assert (folder / "t9.json").is_file() and not (folder / "t10.json").exists()


def test_placeholder_county_name_stops_a_final(tmp_path: Path) -> None:
    main = books(tmp_path / "b")
    (main.parent / "sandao.toml").write_text('[county]\nname = "XX县"\n', encoding="utf-8")
    run = report(main, tmp_path / "out", "--year", "2024")
    assert run.returncode == 2 and "XX" in run.stderr and "[county] name" in run.stderr


def test_year_closed_by_period_close_and_dated_at_its_end(tmp_path: Path) -> None:
    """Books that end on 2024-12-30, the unit closed to 2024-12-31: 2024 is closed."""
    main = books(tmp_path / "b", opening=False, end="2024-12-30")
    run = report(main, tmp_path / "open", "--year", "2024")
    assert run.returncode == 0, run.stderr
    assert "2024年度尚未结束" in run.stderr and "--draft" in run.stderr
    assert not (tmp_path / "open" / "data" / "final" / "final-2024-C101").exists()
    drafted = report(main, tmp_path / "draft", "--year", "2024", "--draft")
    assert drafted.returncode == 0, drafted.stderr
    assert "按 --draft 生成了 2024 年度决算草稿" in drafted.stderr
    assert (tmp_path / "draft" / "data" / "final" / "final-2024-C101-draft").is_dir()
    close = run_sandao("close", main, "C101", "2024-12-31")
    assert close.returncode == 0, close.stderr
    run = report(main, tmp_path / "out", "--year", "2024")
    assert run.returncode == 0, run.stderr
    assert "尚未结束" not in run.stderr
    t1 = json.loads(
        (tmp_path / "out" / "data" / "final" / "final-2024-C101" / "t1.json").read_text("utf-8")
    )
    assert t1["as_of"] == "2024-12-31"


def test_other_unit_types_fill_their_columns() -> None:
    """经营 income and spending (5201), 上缴上级 (5401), 对附属单位补助 (5501), 结余分配 and
    使用非财政拨款结余 from budget_item: computed, the identities hold."""
    text = """
option "operating_currency" "CNY"
2024-01-01 custom "unit" "C201" "县文化馆"
  kind: "事业单位"
2024-01-01 open Assets:C201-文化馆:1002-银行存款
2024-01-01 open Income:C201-文化馆:4401-经营收入
2024-01-01 open Income:C201-文化馆:4101-事业收入
2024-01-01 open Expenses:C201-文化馆:5201-经营费用
  economic: "30299"
2024-01-01 open Expenses:C201-文化馆:5401-上缴上级费用
  economic: "39999"
2024-01-01 open Expenses:C201-文化馆:5501-对附属单位补助费用
  economic: "39999"
2024-01-01 open Expenses:C201-文化馆:30201-办公费
2024-01-01 open Equity:C201-文化馆:3001-累计盈余
2024-01-01 open Equity:C201-文化馆:3301-专用基金
2024-02-01 * "培训班" "经营收入"
  function: "2070109"
  stream: "运转"
  Assets:C201-文化馆:1002-银行存款  80000.00 CNY
  Income:C201-文化馆:4401-经营收入
2024-02-02 * "演出" "事业收入"
  function: "2070109"
  stream: "运转"
  Assets:C201-文化馆:1002-银行存款  50000.00 CNY
  Income:C201-文化馆:4101-事业收入
2024-03-01 * "培训班" "经营成本"
  function: "2070109"
  stream: "运转"
  Expenses:C201-文化馆:5201-经营费用  30000.00 CNY
  Assets:C201-文化馆:1002-银行存款
2024-04-01 * "县文旅局" "上缴上级"
  function: "2070109"
  stream: "运转"
  Expenses:C201-文化馆:5401-上缴上级费用  10000.00 CNY
  Assets:C201-文化馆:1002-银行存款
2024-05-01 * "分馆" "补助附属单位"
  function: "2070109"
  stream: "运转"
  Expenses:C201-文化馆:5501-对附属单位补助费用  8000.00 CNY
  Assets:C201-文化馆:1002-银行存款
2024-06-01 * "办公" "办公费"
  function: "2070109"
  stream: "运转"
  Expenses:C201-文化馆:30201-办公费  12000.00 CNY
  Assets:C201-文化馆:1002-银行存款
2024-12-20 * "提取专用基金" "结余分配"
  budget_item: "结余分配"
  Equity:C201-文化馆:3301-专用基金  5000.00 CNY
  Assets:C201-文化馆:1002-银行存款
2024-12-31 custom "department" "D99" "年末"
"""
    entries, errors, options = loader.load_string(text)
    assert not errors
    analysis = analysis_for(entries, options, errors)
    ctx = context(analysis, parse_county_config({"county": {"name": "清河县"}}))
    scope = scopes(analysis, "C201", "清河县", ctx.tables)[0]
    doc = final_document(ctx, scope, 2024)
    t = {x.key: x for x in doc.tables}
    t3 = t["t3"].total
    assert (t3["operating"], t3["remit"], t3["subsidy"], t3["basic"]) == (
        D("3.00"), D("1.00"), D("0.80"), D("1.20"),
    )  # fmt: skip
    assert (
        t3["total"]
        == D("6.00")
        == t3["basic"] + t3["project"] + t3["operating"] + t3["remit"] + t3["subsidy"]
    )
    t2 = t["t2"].total
    assert (t2["operating"], t2["business"], t2["total"]) == (D("8.00"), D("5.00"), D("13.00"))
    rows = {r["in_item"]: r["in_amount"] for r in t["t1"].records() if r["in_item"]}
    out = {r["out_item"]: r["out_amount"] for r in t["t1"].records() if r["out_item"]}
    assert rows["五、事业收入"] == D("5.00") and rows["六、经营收入"] == D("8.00")
    assert out["结余分配"] == D("0.50")
    # 总计: 13.00 = 6.00 spent + 0.50 分配 + 6.50 年末; 年末 = the bank balance 65,000
    assert out["年末结转和结余"] == D("6.50")
    assert t["t1"].total["in_amount"] == t["t1"].total["out_amount"] == D("13.00")
    text = text_of(doc)
    assert "经营支出3.00万元" in text and "上缴上级支出1.00万元" in text


def spent_in_full(spending: tuple[tuple[str, str], ...], draft: bool = False):
    """C101's 2024 document from books where each (function, yuan) is a 年初 quota that
    arrives and is spent in full (the unit declared in 2023, its books holding 2023)."""
    lines = [
        'option "operating_currency" "CNY"',
        '2023-01-01 custom "unit" "C101" "城东"',
        "2023-01-01 open Assets:C101-城东:1011-零余额账户用款额度",
        "2023-01-01 open Income:C101-城东:4001-财政拨款收入",
        "2023-01-01 open Expenses:C101-城东:30201-办公费",
    ]
    for n, (function, yuan) in enumerate(spending, 1):
        lines += [
            f'2024-01-10 custom "quota" "ZB24-000{n}" "运转" {yuan} CNY',
            '  unit: "C101"\n  stream: "运转"',
            f'  function: "{function}"\n  kind: "年初"',
            f'2024-01-10 * "县财政局" "下达"\n  quota: "ZB24-000{n}"',
            f"  Assets:C101-城东:1011-零余额账户用款额度  {yuan} CNY",
            "  Income:C101-城东:4001-财政拨款收入",
            f'2024-05-10 * "x" "y"\n  quota: "ZB24-000{n}"',
            f"  Expenses:C101-城东:30201-办公费  {yuan} CNY",
            "  Assets:C101-城东:1011-零余额账户用款额度",
        ]
    lines.append('2024-12-31 custom "department" "D99" "年末"')
    entries, errors, options = loader.load_string("\n".join(lines) + "\n")
    assert not errors
    analysis = analysis_for(entries, options, errors)
    ctx = context(analysis, parse_county_config({"county": {"name": "清河县"}}))
    return final_document(ctx, scopes(analysis, "C101", "清河县", ctx.tables)[0], 2024, draft)


def test_sum_rounding_prints_one_yuan_amount_once() -> None:
    """A function whose income is all spent prints the same figure in 表二 and 表三."""
    # three functions, each 0.005 万元 over a cent, all spent: income and spending of
    # each print alike although largest remainder alone would split them apart
    doc = spent_in_full(
        (("2120101", "10050.00"), ("2120501", "10050.00"), ("2080208", "10049.00")), draft=True
    )
    t = {x.key: x for x in doc.tables}
    income = {r["code"]: r["total"] for r in t["t2"].records()}
    spent = {r["code"]: r["total"] for r in t["t3"].records()}
    assert income == spent
    assert t["t2"].total["total"] == t["t3"].total["total"] == D("3.01")


def test_xlsx_three_public_header_is_grouped(example, tmp_path: Path) -> None:
    """表七's 合计／预算数 is a group over 预算数 and 决算数, not one flattened label."""
    import openpyxl

    from sandao.reports.xlsx import write_workbook

    path = tmp_path / "final.xlsx"
    write_workbook(example[2]["C101"], path)
    book = openpyxl.load_workbook(path)
    sheet = next(ws for ws in book.worksheets if ws["A1"].value and "三公" in str(ws["A1"].value))
    assert [sheet.cell(3, c).value for c in (1, 3, 5)] == [
        "合计",
        "因公出国（境）费",
        "公务用车购置及运行维护费小计",
    ]
    assert [sheet.cell(4, c).value for c in (1, 2)] == ["预算数", "决算数"]
    assert "A3:B3" in {str(r) for r in sheet.merged_cells.ranges}
    assert not any("／" in str(cell.value or "") for row in sheet.iter_rows() for cell in row)


def test_unit_and_department_documents_are_named_for_what_they_are(example) -> None:
    """A unit's own document is its 单位决算; the department's is the 部门决算 (standard,
    "Names"), whose 单位构成 says its 本级 is not in these books."""
    _, _, docs = example
    assert docs["C101"].title == "清河县城东社区服务中心2024年度单位决算"
    assert "本单位面向中小企业预留" in text_of(docs["C101"])
    profile = docs["county"].context["profile"]
    assert "本级的收支不在本账簿中，未纳入本决算" in profile["composition"]
    # a reason never points the other way: the 综治 cut is not why 决算 exceeds 年初预算
    assert "综治设备采购改由县委政法委统一安排" not in re.search(
        r"1、公共安全支出[^。]*。[^。]*。决算数大于年初预算数的主要原因：[^。]*。",
        text_of(docs["county"]),
    ).group(0)


def test_two_kuan_with_a_xingzheng_yunxing_xiang_each() -> None:
    """Names and cells are found by code: 行政运行 under 社会工作事务 and under 城乡社区管理事务
    are two lines of 五（三）, each with its own figure."""
    doc = spent_in_full((("2013901", "120000.00"), ("2120101", "345600.00")))
    text = text_of(doc)
    assert (
        "一般公共服务支出（类）社会工作事务（款）行政运行（项）。年初预算为12.00万元，支出决算为12.00万元"
        in text
    )
    assert (
        "城乡社区支出（类）城乡社区管理事务（款）行政运行（项）。年初预算为34.56万元，支出决算为34.56万元"
        in text
    )
