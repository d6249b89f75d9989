"""Generate the importer test corpora from the sample exports (run by hand, outputs committed).

    python tests/importers/make_bad_exports.py

writes ``tests/data/bad_exports/`` (broken or hostile files, each with the row, column
and words its error message must contain, in ``expected.json``) and
``tests/data/good_exports/`` (other real-world shapes that must import: legacy xls,
万元, GBK, UTF-8, odd amount and date spellings, voided and refunded rows, a two-row
merged header).  Legacy ``.xls`` files are written with ``xlwt`` (``pip install xlwt``),
which only this script needs.  The 10 MB single-cell file is made by the test itself,
to keep the repository small.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
SAMPLES = os.path.join(DATA, "samples")
BAD = os.path.join(DATA, "bad_exports")
GOOD = os.path.join(DATA, "good_exports")
FIXED_TIME = datetime.datetime(2025, 4, 1, 8, 0, 0)

PAYMENTS = "国库集中支付明细_C101_2025Q1.csv"
BANK = "银行对账单_C102_202503.csv"


def sample_rows(name: str, encoding: str) -> list[list[str]]:
    with open(os.path.join(SAMPLES, name), encoding=encoding, newline="") as handle:
        return [list(row) for row in csv.reader(handle)]


def csv_bytes(rows: list[list[str]], encoding: str = "gb18030") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def write(folder: str, name: str, content: bytes) -> None:
    with open(os.path.join(folder, name), "wb") as handle:
        handle.write(content)


def xlsx(
    folder: str,
    name: str,
    rows: list[list[object]],
    formulas: dict[tuple[int, int], str] | None = None,
) -> None:
    import xlsxwriter

    path = os.path.join(folder, name)
    workbook = xlsxwriter.Workbook(path)
    workbook.set_properties({"created": FIXED_TIME})
    sheet = workbook.add_worksheet("支付明细")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if formulas and (r, c) in formulas:
                sheet.write_formula(r, c, formulas[(r, c)])
            elif isinstance(value, datetime.date):
                sheet.write_datetime(
                    r, c, datetime.datetime.combine(value, datetime.time()), date_format
                )
            elif value != "":
                sheet.write(r, c, value)
    workbook.close()


def xls(folder: str, name: str, rows: list[list[object]]) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("支付明细")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write(r, c, datetime.datetime.combine(value, datetime.time()), date_style)
            elif value != "":
                sheet.write(r, c, value)
    book.save(os.path.join(folder, name))


def typed(rows: list[list[str]]) -> list[list[object]]:
    """Sample CSV rows with dates and amounts as Excel values (as an xlsx export holds them)."""
    out: list[list[object]] = []
    for i, row in enumerate(rows):
        if i >= 3 and row[0].startswith("ZF"):
            new: list[object] = list(row)
            new[1] = datetime.date.fromisoformat(row[1])
            new[12] = float(row[12].replace(",", ""))
            out.append(new)
        elif row[0] == "合计":
            out.append([*row[:12], float(row[12].replace(",", "")), *row[13:]])
        else:
            out.append(list(row))
    return out


def make_bad() -> dict[str, dict[str, object]]:
    """The broken files; returns name → expected {row, column, words}."""
    shutil.rmtree(BAD, ignore_errors=True)
    os.makedirs(BAD)
    base = sample_rows(PAYMENTS, "gb18030")
    bank = sample_rows(BANK, "utf-8-sig")
    expected: dict[str, dict[str, object]] = {}

    def case(name: str, content: bytes, row: int | None, column: str | None, *words: str) -> None:
        write(BAD, name, content)
        expected[name] = {"row": row, "column": column, "words": list(words)}

    def edit(row: int, column: int, value: str) -> list[list[str]]:
        rows = [list(r) for r in base]
        rows[row - 1][column] = value
        return rows

    # Encodings and file kinds
    case(
        "编码_UTF16.csv",
        "\n".join(",".join(r) for r in base).encode("utf-16"),
        1,
        None,
        "NUL",
        "UTF-8",
    )
    case(
        "编码_BIG5乱码.csv",
        csv_bytes(
            [[c.encode("big5", "replace").decode("big5", "replace") for c in r] for r in base],
            "big5",
        ),
        1,
        None,
        "表头",
    )
    broken = csv_bytes(base)
    lines = broken.split(b"\r\n")
    lines[6] = lines[6] + b"\xff\xfe"
    case("编码_非法字节.csv", b"\r\n".join(lines), 7, None, "GB18030")
    case("空文件.csv", b"", None, None, "文件为空")
    case("只有空白.csv", b"  \r\n\r\n  ", None, None, "文件为空")
    case("只有表头.csv", csv_bytes(base[:3]), 4, None, "没有数据行")
    case("二进制垃圾.csv", bytes(range(256)) * 8, 1, None, "NUL")
    case(
        "无法识别的表.csv",
        csv_bytes([["姓名", "年龄", "爱好"], ["张三", "30", "钓鱼"]]),
        1,
        None,
        "无法识别",
    )
    case(
        "网页伪装.xls",
        "<html><body><table><tr><td>支付凭证号</td></tr></table></body></html>".encode(),
        None,
        None,
        "HTML",
    )
    case("假xlsx.xlsx", b"PK\x03\x04" + b"not really a zip" * 10, None, None, "xlsx")
    case("假xls.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00garbage" * 64, None, None, "xls")
    good_xlsx = io.BytesIO()
    xlsx(BAD, "_tmp.xlsx", typed(base))
    with open(os.path.join(BAD, "_tmp.xlsx"), "rb") as handle:
        good_xlsx.write(handle.read())
    os.remove(os.path.join(BAD, "_tmp.xlsx"))
    case(
        "截断.xlsx",
        good_xlsx.getvalue()[: len(good_xlsx.getvalue()) // 2],
        None,
        None,
        "xlsx",
        "损坏",
    )

    # Header and columns
    no_amount = [r[:12] + r[13:] for r in base]
    case("缺少支付金额列.csv", csv_bytes(no_amount), 3, "支付金额", "缺少列")
    no_voucher = [r[1:] for r in base]
    case("缺少凭证号列.csv", csv_bytes(no_voucher), 3, "支付凭证号", "缺少列")

    # Cells
    case("金额是文字.csv", csv_bytes(edit(5, 12, "一千元整")), 5, "支付金额", "应为金额")
    case("金额千分位错.csv", csv_bytes(edit(6, 12, "1,23,4.00")), 6, "支付金额", "千分位")
    case("金额括号又带负号.csv", csv_bytes(edit(7, 12, "(-12.00)")), 7, "支付金额", "括号")
    case("金额小于分.csv", csv_bytes(edit(8, 12, "12.345")), 8, "支付金额", "分")
    case("金额为零.csv", csv_bytes(edit(9, 12, "0.00")), 9, "支付金额", "非零")
    case("日期不存在.csv", csv_bytes(edit(6, 1, "2025-02-30")), 6, "支付日期", "不存在")
    case("日期是文字.csv", csv_bytes(edit(10, 1, "下周一")), 10, "支付日期", "应为日期")
    case("日期年份离谱.csv", csv_bytes(edit(11, 1, "1899-01-01")), 11, "支付日期", "合理范围")
    case(
        "收款人含HTML.csv",
        csv_bytes(edit(12, 9, "<script>alert(1)</script>")),
        12,
        "收款人全称",
        "HTML",
    )
    case(
        "收款人含控制字符.csv",
        csv_bytes(edit(13, 9, "县供电\x07公司")),
        13,
        "收款人全称",
        "控制字符",
    )
    case(
        "用途是公式注入.csv",
        csv_bytes(edit(14, 14, '=HYPERLINK("http://x","点我")')),
        14,
        "用途",
        "公式",
    )
    multiline = csv_bytes(edit(15, 14, "第一行\n第二行"))
    case("单元格内换行.csv", multiline, 15, None, "换行")
    case("凭证号重复.csv", csv_bytes(edit(8, 0, base[3][0])), 8, "支付凭证号", "重复")
    case("单位未声明.csv", csv_bytes(edit(5, 2, "C999")), 5, "预算单位编码", "未在账本中声明")
    case("指标未声明.csv", csv_bytes(edit(6, 4, "ZB25-9999")), 6, "指标编号", "未在账本中声明")
    case("经济分类没有账户.csv", csv_bytes(edit(7, 6, "30999")), 7, "经济分类编码", "open")
    case("功能分类位数不对.csv", csv_bytes(edit(9, 5, "21201")), 9, "功能分类编码", "7 位")
    case("任务未声明.csv", csv_bytes(edit(10, 8, "T2025-999")), 10, "项目编码", "T2025-999")
    case("指标单位不符.csv", csv_bytes(edit(11, 4, "ZB25-0102")), 11, "指标编号", "不符")

    # Totals and layout
    total_off = [list(r) for r in base]
    total_off[-1][12] = "245,510.78"
    case("合计不符.csv", csv_bytes(total_off), 24, "支付金额", "245510.78", "245510.87")
    after_total = [list(r) for r in base] + [list(base[5])]
    after_total[-1][0] = "ZF1012025000099"
    case("合计行后还有数据.csv", csv_bytes(after_total), 25, "支付凭证号", "合计行之后")
    both_units = [list(r) for r in base]
    both_units[1][1] = "金额单位：万元"
    case("元和万元并存.csv", csv_bytes(both_units), 2, None, "万元", "B 列")

    # xlsx specific
    rows = typed(base)
    xlsx(BAD, "公式单元格.xlsx", rows, {(5, 12): "=8000+696.77"})
    expected["公式单元格.xlsx"] = {"row": 6, "column": "支付金额", "words": ["公式"]}
    rows = typed(base)
    rows[6][12] = 898.635
    xlsx(BAD, "浮点金额不是整分.xlsx", rows)
    expected["浮点金额不是整分.xlsx"] = {"row": 7, "column": "支付金额", "words": ["整分"]}

    # Bank statements
    gap = [r for i, r in enumerate(bank) if i != 5]
    case("银行对账单_C102_缺行.csv", csv_bytes(gap, "utf-8-sig"), 6, "余额", "余额不连续")
    unknown = [list(r) for r in bank]
    unknown[7][3] = "神秘支出"
    case("银行对账单_C102_摘要无规则.csv", csv_bytes(unknown, "utf-8-sig"), 8, "摘要", "导入规则")
    both = [list(r) for r in bank]
    both[3][7] = "10.00"
    case("银行对账单_C102_借贷都有.csv", csv_bytes(both, "utf-8-sig"), 4, "借方发生额", "恰有一方")
    dup = [list(r) for r in bank]
    dup[9][2] = dup[8][2]
    case("银行对账单_C102_流水号重复.csv", csv_bytes(dup, "utf-8-sig"), 10, "流水号", "重复")
    case("对账单_未配置单位.csv", csv_bytes(bank, "utf-8-sig"), None, None, "bank.accounts")

    # Quota export
    quota_header = [
        "指标编号",
        "指标文号",
        "下达日期",
        "预算单位编码",
        "预算单位名称",
        "功能分类编码",
        "经济分类编码",
        "资金性质",
        "指标类型",
        "指标金额",
        "项目编码",
        "摘要",
    ]
    quota_rows = [
        ["XX县2025年预算指标下达明细"],
        ["单位：元"],
        quota_header,
        [
            "ZB25-0901",
            "X财预〔2025〕1号",
            "2025-01-10",
            "C101",
            "城东社区服务中心",
            "2120101",
            "302",
            "一般公共预算",
            "临时",
            "1000.00",
            "",
            "测试",
        ],
    ]
    case("预算指标_类型不对.csv", csv_bytes(quota_rows), 4, "指标类型", "年初")
    quota_rows[3][8] = "调减"
    quota_rows[3][9] = "-1000.00"
    case("预算指标_调减未知指标.csv", csv_bytes(quota_rows), 4, "指标编号", "调减")
    quota_rows[3][8] = "年初"
    quota_rows[3][9] = "1000.00"
    quota_rows[3][7] = "地方债"
    case("预算指标_资金性质不对.csv", csv_bytes(quota_rows), 4, "资金性质", "一般公共预算")
    return expected


def make_good() -> None:
    """Other shapes real exports take; each must import (see test_import_variants.py)."""
    shutil.rmtree(GOOD, ignore_errors=True)
    os.makedirs(GOOD)
    base = sample_rows(PAYMENTS, "gb18030")
    rows = typed(base)
    xls(GOOD, "国库集中支付明细_C101_旧版.xls", rows)
    write(GOOD, "国库集中支付明细_C101_UTF8.csv", csv_bytes(base, "utf-8"))
    write(GOOD, "国库集中支付明细_C101_GBK.csv", csv_bytes(base, "gbk"))
    # 万元, odd spellings of amounts and dates, a voided and a refunded row, a 合计 over all rows
    odd = [list(r) for r in base]
    odd[1][0] = "单位：万元"
    amounts = [sum_fen(r[12]) for r in base[3:-1]]
    for r, fen in zip(odd[3:-1], amounts, strict=True):
        r[12] = wan(fen)
    odd[3][12] = "０．０４６６６５"  # full-width digits: 466.65 元
    odd[4][1] = "2025/1/11"
    odd[5][1] = "20250112"
    odd[6][1] = "2025年1月15日"
    odd[7][12] = " 0.0898 63 "  # spaces inside: 898.63 元
    voided = list(odd[9])  # a copy of ZF…007 under another voucher, voided
    voided[0], voided[15] = "ZF1012025000090", "作废"
    refund = list(odd[8])  # 1,000.00 元 of ZF…006 comes back
    refund[0], refund[12], refund[15], refund[14] = (
        "ZF1012025000091",
        "(0.1)",
        "已退回",
        "退回 ZF1012025000006 多付款",
    )
    refund[1] = "2025-03-28"
    # This system prints 合计 over every row, voided ones included.
    total_fen = sum(amounts) - 100000 + amounts[6]
    odd = [*odd[:-1], voided, refund, [*odd[-1][:12], wan(total_fen), *odd[-1][13:]]]
    write(GOOD, "国库集中支付明细_C101_万元.csv", csv_bytes(odd, "gb18030"))
    # Two-row merged header where the lower row alone is not enough (收款人 / 全称)
    merged = [list(r) for r in base]
    upper = [
        "凭证",
        "",
        "预算单位",
        "",
        "指标及科目",
        "",
        "",
        "",
        "",
        "收款人",
        "",
        "",
        "支付信息",
        "",
        "",
        "",
    ]
    lower = list(merged[2])
    lower[9], lower[10], lower[11] = "全称", "账号", "开户行"
    merged = [merged[0], merged[1], upper, lower, *merged[3:]]
    write(GOOD, "国库集中支付明细_C101_双行表头.csv", csv_bytes(merged, "utf-8-sig"))


def sum_fen(text: str) -> int:
    return round(float(text.replace(",", "")) * 100)


def wan(fen: int) -> str:
    """Fen as a 万元 figure, exactly (1 fen = 0.000001 万元)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 1_000_000}.{fen % 1_000_000:06d}"


if __name__ == "__main__":
    cases = make_bad()
    with open(os.path.join(BAD, "expected.json"), "w", encoding="utf-8") as handle:
        json.dump(cases, handle, ensure_ascii=False, indent=1, sort_keys=True)
        handle.write("\n")
    make_good()
    print(
        f"{len(cases)} bad files in {os.path.normpath(BAD)}; good variants in {os.path.normpath(GOOD)}"
    )
