"""Books for a real published 2024 部门决算: 上海市普陀区规划和自然资源局 (本级 + four
subordinate units, one of them 参公), and the document's tables as published.

Published figures (``区规划和自然资源局-2024-部门决算.txt`` of the shared reference) are in
万元, each cell rounded on its own.  The books' amounts are the printed figures in yuan
with a few yuan below 0.01 万元 placed where the published parts and totals need them
(``rounding = "cell"``):

- 行政运行 2120101 spends 12,884 yuan of money carried from 2023 (年初结转和结余 112.88,
  年末 100.00): 表三's 1105.68 / 1096.91 against 表五's 1092.80 / 1084.02, and
  本年支出合计 9759.38 against 本年收入合计 9746.50;
- 表五's 合计 9746.50 over 基本 5364.75 + 项目 4381.74, 2120101's 1092.80 over 1084.02 +
  8.77, 表六's 302 440.90 over items printing 440.88 and 人员经费合计 4884.09 under 301 +
  303 printing 4884.10 — each part and total rounds to what was printed.

The published document contradicts itself in two cells: 卫生健康支出 is 236.63 in 表一 and
表四 but 236.64 in 表二, 表三 and 表五 (40.35 + 196.29), and 城乡社区支出 is 3845.25 in 表一
but 3845.24 in 表三 (1105.68 + 2739.56); the 类 rows of 表一 add to its 本年支出合计 only with
those slips.  One yuan amount prints once here (236.64 and 3845.24 everywhere);
:data:`CONTRADICTIONS` lists them, and the test asserts the consistent figure.

The document does not say which unit spent what; the split below is this test's choice
and changes no cell of the department's document.
"""

from __future__ import annotations

from decimal import Decimal

DEPARTMENT = "上海市普陀区规划和自然资源局"
UNITS = (
    ("C01", "上海市普陀区规划和自然资源局（本级）", "行政单位", "C01-规划资源局"),
    ("C02", "上海市普陀区规划和自然资源局执法大队", "参公事业单位", "C02-执法大队"),
    ("C03", "上海市普陀区土地发展中心", "事业单位", "C03-土地发展中心"),
    ("C04", "上海市普陀区自然资源确权登记事务中心", "事业单位", "C04-确权登记中心"),
    ("C05", "上海市普陀区规划和自然资源管理事务中心", "事业单位", "C05-管理事务中心"),
)

#: 一般公共预算 spending by (unit, function, class) in yuan, paid from 1011.
FISCAL: tuple[tuple[str, str, str, int], ...] = (
    ("C01", "2080501", "基本", 545300),
    ("C04", "2080502", "基本", 281100),
    ("C01", "2080505", "基本", 4461100),
    ("C01", "2080506", "基本", 2251200),
    ("C01", "2080599", "基本", 8800),
    ("C01", "2101101", "基本", 403500),
    ("C04", "2101102", "基本", 1962900),
    ("C01", "2120101", "基本", 8840240),
    ("C02", "2120101", "基本", 2000000),
    ("C01", "2120101", "项目", 87740),
    ("C03", "2120201", "基本", 4886800),
    ("C03", "2120201", "项目", 22508800),
    ("C05", "2200150", "基本", 23395800),
    ("C05", "2200150", "项目", 20770900),
    ("C04", "2200199", "项目", 450000),
    ("C01", "2210201", "基本", 2895900),
    ("C01", "2210203", "基本", 1714900),
)
#: 行政运行 paid by 本级 from its money carried from 2023 (非财政拨款, 1002).
CARRIED_IN = 1128800
CARRIED_SPENT = 128840

#: 表六 (一般公共预算 basic spending by economic code), yuan: printed figure + hidden yuan.
ECONOMIC: dict[str, int] = {
    "30101": 5376400, "30102": 9878600, "30107": 15940200, "30108": 4461100,
    "30109": 2251200, "30110": 2366300, "30112": 179400, "30113": 2895900,
    "30199": 4812260,
    "30302": 679560,
    "30201": 846225, "30204": 813, "30205": 9213, "30206": 188613, "30207": 80513,
    "30209": 822013, "30211": 15013, "30213": 296513, "30216": 12113, "30217": 3913,
    "30226": 24013, "30227": 191613, "30228": 562913, "30229": 731913, "30239": 335013,
    "30299": 288613,
    "31002": 397600,
}  # fmt: skip
#: 三公: 公务接待费 budget 2.85 万元 (a quota of economic code 30217).
RECEPTION_BUDGET = 28500

CONFIG = f'''[county]
name = "上海市普陀区"

[disclosure]
rounding = "cell"
department = {{ name = "{DEPARTMENT}", own_unit = "C01" }}
final_order = ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"]
'''


def _plan() -> list[tuple[str, str, str, str, int]]:
    """(unit, function, class, economic, yuan): basic spending takes the 表六 items in
    order until each function is paid; project spending is 委托业务费 (not in 表六)."""
    basic_total = sum(y for _, _, c, y in FISCAL if c == "基本")
    assert basic_total == sum(ECONOMIC.values()), (basic_total, sum(ECONOMIC.values()))
    items = list(ECONOMIC.items())
    out = []
    i, left = 0, items[0][1]
    for unit, function, cls, yuan in FISCAL:
        if cls == "项目":
            out.append((unit, function, cls, "30227", yuan))
            continue
        need = yuan
        while need:
            take = min(need, left)
            out.append((unit, function, cls, items[i][0], take))
            need -= take
            left -= take
            if not left and i + 1 < len(items):
                i += 1
                left = items[i][1]
    return out


def books() -> str:
    from sandao.reports.codes import ECONOMIC_NAMES

    names = {code: acc for code, _, _, acc in UNITS}
    lines = [
        f'option "title" "{DEPARTMENT}"',
        'option "operating_currency" "CNY"',
        'plugin "sandao.ledger"',
    ]
    opened: list[str] = []

    def account(root: str, unit: str, leaf: str) -> str:
        if leaf.isdigit():
            leaf = f"{leaf}-{ECONOMIC_NAMES[leaf]}"
        acc = f"{root}:{names[unit]}:{leaf}"
        if acc not in opened:
            opened.append(acc)
        return acc

    for code, name, kind, _ in UNITS:
        lines += [f'2024-01-01 custom "unit" "{code}" "{name}"', f'  kind: "{kind}"', '  new: 2024']
    lines += [
        '2024-01-01 * "期初余额" "2023年末结转"',
        f"  {account('Assets', 'C01', '1002-银行存款')}  {Decimal(CARRIED_IN) :.2f} CNY",
        '    source: "非财政拨款"',
        f"  {account('Equity', 'C01', '3001-累计盈余')}",
    ]
    plan = _plan()
    quotas: dict[tuple[str, str, str], str] = {}
    budget: dict[tuple[str, str, str], int] = {}
    for unit, function, cls, economic, yuan in plan:
        key = (unit, function, cls) if economic != "30217" else (unit, function, "三公")
        budget[key] = budget.get(key, 0) + yuan
    for n, (key, amount) in enumerate(sorted(budget.items()), 1):
        unit, function, cls = key
        qid = quotas[key] = f"ZB24-{n:04d}"
        plan_amount = RECEPTION_BUDGET if cls == "三公" else amount
        lines += [
            f'2024-01-05 custom "quota" "{qid}" "{function} {cls}" {Decimal(plan_amount):.2f} CNY',
            f'  unit: "{unit}"',
            '  stream: "运转"',
            f'  function: "{function}"',
            '  kind: "年初"',
            f'  class: "{"基本" if cls == "三公" else cls}"',
            *(['  economic: "30217"'] if cls == "三公" else []),
            '2024-01-05 * "区财政局" "下达指标"',
            f'  quota: "{qid}"',
            f"  {account('Assets', unit, '1011-零余额账户用款额度')}  {Decimal(amount):.2f} CNY",
            f"  {account('Income', unit, '4001-财政拨款收入')}",
        ]
    for i, (unit, function, cls, economic, yuan) in enumerate(plan):
        key = (unit, function, cls) if economic != "30217" else (unit, function, "三公")
        lines += [
            f'2024-{i % 11 + 2:02d}-{i % 27 + 1:02d} * "支付" "{function} {economic}"',
            f'  quota: "{quotas[key]}"',
            f"  {account('Expenses', unit, economic)}  {Decimal(yuan):.2f} CNY",
            f"  {account('Assets', unit, '1011-零余额账户用款额度')}",
        ]
    lines += [
        '2024-07-15 * "支付" "行政运行（上年结转资金）"',
        '  stream: "运转"',
        '  function: "2120101"',
        f"  {account('Expenses', 'C01', '30299')}  {Decimal(CARRIED_SPENT):.2f} CNY",
        f"  {account('Assets', 'C01', '1002-银行存款')}",
        '2024-12-31 custom "department" "D99" "年末"',
    ]
    return "\n".join([*lines, *(f"2024-01-01 open {a}" for a in opened)]) + "\n"


#: Published cells the document contradicts elsewhere: (table, row, column) → (published,
#: the figure its other tables give and the project prints).
CONTRADICTIONS = {
    ("t1", "九、卫生健康支出", "out_amount"): ("236.63", "236.64"),
    ("t1", "十一、城乡社区支出", "out_amount"): ("3845.25", "3845.24"),
    ("t4", "九、卫生健康支出", "out_total"): ("236.63", "236.64"),
    ("t4", "九、卫生健康支出", "general"): ("236.63", "236.64"),
}

T1_INCOME = {"一、一般公共预算财政拨款收入": "9746.50"}
T1_CLASSES = {
    "八、社会保障和就业支出": "754.75",
    "九、卫生健康支出": "236.63",
    "十一、城乡社区支出": "3845.25",
    "十八、自然资源海洋气象等支出": "4461.67",
    "十九、住房保障支出": "461.08",
}
T1_TAIL = {
    ("in", "本年收入合计"): "9746.50",
    ("in", "年初结转和结余"): "112.88",
    ("out", "本年支出合计"): "9759.38",
    ("out", "年末结转和结余"): "100.00",
    ("in", "总计"): "9859.38",
    ("out", "总计"): "9859.38",
}
#: 表四 支出 rows: label → (合计, 一般公共预算财政拨款) as printed.
T4_CLASSES = {
    "八、社会保障和就业支出": ("754.75", "754.75"),
    "九、卫生健康支出": ("236.63", "236.63"),
    "十一、城乡社区支出": ("3832.36", "3832.36"),
    "十八、自然资源海洋气象等支出": ("4461.67", "4461.67"),
    "十九、住房保障支出": ("461.08", "461.08"),
}

#: 表二 (收入): code → (name, 本年收入合计 = 财政拨款收入).
T2 = {
    "208": ("社会保障和就业支出", "754.75"),
    "20805": ("行政事业单位养老支出", "754.75"),
    "2080501": ("行政单位离退休", "54.53"),
    "2080502": ("事业单位离退休", "28.11"),
    "2080505": ("机关事业单位基本养老保险缴费支出", "446.11"),
    "2080506": ("机关事业单位职业年金缴费支出", "225.12"),
    "2080599": ("其他行政事业单位养老支出", "0.88"),
    "210": ("卫生健康支出", "236.64"),
    "21011": ("行政事业单位医疗", "236.64"),
    "2101101": ("行政单位医疗", "40.35"),
    "2101102": ("事业单位医疗", "196.29"),
    "212": ("城乡社区支出", "3832.36"),
    "21201": ("城乡社区管理事务", "1092.80"),
    "2120101": ("行政运行", "1092.80"),
    "21202": ("城乡社区规划与管理", "2739.56"),
    "2120201": ("城乡社区规划与管理", "2739.56"),
    "220": ("自然资源海洋气象等支出", "4461.67"),
    "22001": ("自然资源事务", "4461.67"),
    "2200150": ("事业运行", "4416.67"),
    "2200199": ("其他自然资源事务支出", "45.00"),
    "221": ("住房保障支出", "461.08"),
    "22102": ("住房改革支出", "461.08"),
    "2210201": ("住房公积金", "289.59"),
    "2210203": ("购房补贴", "171.49"),
}
T2_TOTAL = "9746.50"

#: 表三 (支出): code → (合计, 基本, 项目).
T3 = {
    "208": ("754.75", "754.75", "0.00"), "20805": ("754.75", "754.75", "0.00"),
    "2080501": ("54.53", "54.53", "0.00"), "2080502": ("28.11", "28.11", "0.00"),
    "2080505": ("446.11", "446.11", "0.00"), "2080506": ("225.12", "225.12", "0.00"),
    "2080599": ("0.88", "0.88", "0.00"),
    "210": ("236.64", "236.64", "0.00"), "21011": ("236.64", "236.64", "0.00"),
    "2101101": ("40.35", "40.35", "0.00"), "2101102": ("196.29", "196.29", "0.00"),
    "212": ("3845.24", "1585.59", "2259.65"), "21201": ("1105.68", "1096.91", "8.77"),
    "2120101": ("1105.68", "1096.91", "8.77"), "21202": ("2739.56", "488.68", "2250.88"),
    "2120201": ("2739.56", "488.68", "2250.88"),
    "220": ("4461.67", "2339.58", "2122.09"), "22001": ("4461.67", "2339.58", "2122.09"),
    "2200150": ("4416.67", "2339.58", "2077.09"), "2200199": ("45.00", "0.00", "45.00"),
    "221": ("461.08", "461.08", "0.00"), "22102": ("461.08", "461.08", "0.00"),
    "2210201": ("289.59", "289.59", "0.00"), "2210203": ("171.49", "171.49", "0.00"),
}  # fmt: skip
T3_TOTAL = ("9759.38", "5377.64", "4381.74")

#: 表五 (一般公共预算财政拨款): code → (合计, 基本, 项目).
T5 = {
    **{c: v for c, v in T3.items() if c[:3] in ("208", "210", "220", "221")},
    "212": ("3832.36", "1572.70", "2259.65"), "21201": ("1092.80", "1084.02", "8.77"),
    "2120101": ("1092.80", "1084.02", "8.77"), "21202": ("2739.56", "488.68", "2250.88"),
    "2120201": ("2739.56", "488.68", "2250.88"),
}  # fmt: skip
T5_TOTAL = ("9746.50", "5364.75", "4381.74")

#: 表六: economic code → 决算数 as printed (codes not listed print 0.00).
T6 = {
    "301": "4816.14", "30101": "537.64", "30102": "987.86", "30107": "1594.02",
    "30108": "446.11", "30109": "225.12", "30110": "236.63", "30112": "17.94",
    "30113": "289.59", "30199": "481.23",
    "303": "67.96", "30302": "67.96",
    "302": "440.90", "30201": "84.62", "30204": "0.08", "30205": "0.92", "30206": "18.86",
    "30207": "8.05", "30209": "82.20", "30211": "1.50", "30213": "29.65", "30216": "1.21",
    "30217": "0.39", "30226": "2.40", "30227": "19.16", "30228": "56.29", "30229": "73.19",
    "30239": "33.50", "30299": "28.86",
    "310": "39.76", "31002": "39.76",
}  # fmt: skip
T6_TOTALS = ("4884.09", "480.66")
#: 表七: 合计 and 公务接待费, 预算数 / 决算数; the rest 0.00.
T7 = {"total_budget": "2.85", "total_actual": "0.39", "reception_budget": "2.85",
      "reception_actual": "0.39"}  # fmt: skip
