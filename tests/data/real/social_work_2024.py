"""Books for a real published 2024 部门决算: 中共上海市普陀区委社会工作部 (本级 + one
subordinate 事业单位), and the document's tables as published.

The published figures (``../../shared/reference/real/区委社会工作部-2024-部门决算.txt``, copied
here as data) are in 万元, each cell rounded on its own.  The books below are written so
that their 2024 决算 under ``rounding = "cell"`` prints exactly those cells: each spending
line is the printed figure in yuan, except where the published parts do not add up to the
published total — there a few yuan below 0.01 万元 are placed so that every part and every
total rounds to what was printed (公用经费 10.23 over items printing 10.22: 邮电费 prints
0.00 but the text names it among the 公用经费 items; 人员经费 95.36 and 基本支出 105.58 then
force 津贴补贴 to 39.715).

The document does not say which of its two units spent what; the split below (the
subordinate centre runs 事业运行 and 事业单位医疗) is this test's choice and changes no
cell of the department's document.
"""

from __future__ import annotations

from decimal import Decimal

DEPARTMENT = "中共上海市普陀区委社会工作部"
OWN = ("C01", "中共上海市普陀区委社会工作部（本级）", "行政单位")
CENTRE = ("C02", "上海市普陀区社会工作发展服务中心", "事业单位")
#: Account names of the two units (code-name, as Beancount wants them).
ACCOUNT_NAMES = {"C01": "C01-社会工作部", "C02": "C02-社会工作发展服务中心"}

#: (unit, function, economic, class, yuan) — every 2024 payment, from quota money (1011).
SPENDING: tuple[tuple[str, str, str, str, str], ...] = (
    # 2013901 行政运行 51.32 (本级): salaries, allowances and all 公用经费
    ("C01", "2013901", "30101", "基本", "129700.00"),
    ("C01", "2013901", "30102", "基本", "279950.00"),
    ("C01", "2013901", "30112", "基本", "900.00"),
    ("C01", "2013901", "30199", "基本", "400.00"),
    ("C01", "2013901", "30201", "基本", "37820.00"),
    ("C01", "2013901", "30207", "基本", "30.00"),
    ("C01", "2013901", "30211", "基本", "11500.00"),
    ("C01", "2013901", "30213", "基本", "200.00"),
    ("C01", "2013901", "30226", "基本", "6800.00"),
    ("C01", "2013901", "30227", "基本", "4800.00"),
    ("C01", "2013901", "30229", "基本", "14800.00"),
    ("C01", "2013901", "30239", "基本", "24300.00"),
    ("C01", "2013901", "30299", "基本", "2000.00"),
    # 2013950 事业运行 11.31 (the centre)
    ("C02", "2013950", "30101", "基本", "11500.00"),
    ("C02", "2013950", "30107", "基本", "101600.00"),
    # 2013999 其他社会工作事务支出 202.24 (项目)
    ("C01", "2013999", "30227", "项目", "2022400.00"),
    # 208 / 210 / 221
    ("C01", "2080505", "30108", "基本", "61800.00"),
    ("C01", "2080506", "30109", "基本", "46400.00"),
    ("C01", "2101101", "30110", "基本", "22200.00"),
    ("C02", "2101102", "30110", "基本", "4900.00"),
    ("C01", "2210201", "30113", "基本", "177000.00"),
    ("C01", "2210203", "30102", "基本", "117200.00"),
)

#: 全年预算 per 项 (section 五(三)); 年初预算 was 0 (a department founded in 2024).
BUDGET: dict[str, str] = {
    "2013901": "520000.00",
    "2013950": "176800.00",
    "2013999": "2022400.00",
    "2080505": "90000.00",
    "2080506": "57400.00",
    "2101101": "22300.00",
    "2101102": "22900.00",
    "2210201": "181200.00",
    "2210203": "117200.00",
}

#: The county config that mirrors the published table set (26 类 rows, cell rounding).
CONFIG = f'''[county]
name = "上海市普陀区"

[disclosure]
rounding = "cell"
department = {{ name = "{DEPARTMENT}", own_unit = "C01" }}
function_classes = [
  ["201", "一、一般公共服务支出"], ["202", "二、外交支出"], ["203", "三、国防支出"],
  ["204", "四、公共安全支出"], ["205", "五、教育支出"], ["206", "六、科学技术支出"],
  ["207", "七、文化旅游体育与传媒支出"], ["208", "八、社会保障和就业支出"],
  ["210", "九、卫生健康支出"], ["211", "十、节能环保支出"], ["212", "十一、城乡社区支出"],
  ["213", "十二、农林水支出"], ["214", "十三、交通运输支出"],
  ["215", "十四、资源勘探工业信息等支出"], ["216", "十五、商业服务业等支出"],
  ["217", "十六、金融支出"], ["219", "十七、援助其他地区支出"],
  ["220", "十八、自然资源海洋气象等支出"], ["221", "十九、住房保障支出"],
  ["222", "二十、粮油物资储备支出"], ["223", "二十一、国有资本经营预算支出"],
  ["224", "二十二、灾害防治及应急管理支出"], ["229", "二十三、其他支出"],
  ["231", "二十四、债务还本支出"], ["232", "二十五、债务付息支出"],
  ["234", "二十六、抗疫特别国债安排的支出"],
]
final_order = ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"]
'''


def books() -> str:
    """The department's 2024 books (Beancount text, plugin on)."""
    lines = [
        f'option "title" "{DEPARTMENT}"',
        'option "operating_currency" "CNY"',
        'plugin "sandao.ledger"',
        "",
    ]
    for code, name, kind in (OWN, CENTRE):
        lines += [f'2024-01-01 custom "unit" "{code}" "{name}"', f'  kind: "{kind}"']
    opened: set[str] = set()

    def account(root: str, unit: str, *parts: str) -> str:
        acc = ":".join([root, ACCOUNT_NAMES[unit], *parts])
        if acc not in opened:
            opened.add(acc)
            lines.append(f"2024-01-01 open {acc}")
        return acc

    spent: dict[tuple[str, str, str], Decimal] = {}
    for unit, function, _, cls, yuan in SPENDING:
        key = (unit, function, cls)
        spent[key] = spent.get(key, Decimal(0)) + Decimal(yuan)
    budget_left = {f: Decimal(v) for f, v in BUDGET.items()}
    quota_of: dict[tuple[str, str, str], str] = {}
    for n, ((unit, function, cls), amount) in enumerate(sorted(spent.items()), 1):
        qid = f"ZB24-{n:04d}"
        quota_of[(unit, function, cls)] = qid
        # the whole 全年预算 of a 项 on its first quota, the spending on the others
        plan = budget_left.pop(function, amount)
        lines += [
            f'2024-03-01 custom "quota" "{qid}" "{function}预算" {plan:.2f} CNY',
            f'  unit: "{unit}"',
            '  stream: "运转"',
            f'  function: "{function}"',
            '  kind: "追加"',
            f'  class: "{cls}"',
            '  fund_type: "一般公共预算"',
        ]
        lines += [
            f'2024-03-01 * "区财政局" "下达指标"',
            f'  quota: "{qid}"',
            f"  {account('Assets', unit, '1011-零余额账户用款额度')}  {amount:.2f} CNY",
            f"  {account('Income', unit, '4001-财政拨款收入')}",
        ]
    for i, (unit, function, economic, cls, yuan) in enumerate(SPENDING, 1):
        day = f"2024-{(i % 11) + 2:02d}-15"
        lines += [
            f'{day} * "支付" "{function} {economic}"',
            f'  quota: "{quota_of[(unit, function, cls)]}"',
            f"  {account('Expenses', unit, f'{economic}-{T6_NAMES[economic]}')}  {Decimal(yuan):.2f} CNY",
            f"  {account('Assets', unit, '1011-零余额账户用款额度')}",
        ]
    lines.append('2024-12-31 custom "department" "D99" "年末"')
    # open directives are appended where first used; Beancount sorts entries by date
    return "\n".join(lines) + "\n"


#: The published tables, 万元 (None: a blank cell). 表一: income rows, class rows, tail.
T1_INCOME = {"一、一般公共预算财政拨款收入": "307.82"}
T1_CLASSES = {
    "一、一般公共服务支出": "264.87",
    "八、社会保障和就业支出": "10.82",
    "九、卫生健康支出": "2.71",
    "十九、住房保障支出": "29.42",
}
T1_TAIL = {"本年收入合计": "307.82", "本年支出合计": "307.82", "总计": "307.82"}

#: 表二/表三/表五 rows: code → (name, 合计, 基本, 项目).
ROWS: dict[str, tuple[str, str, str, str]] = {
    "201": ("一般公共服务支出", "264.87", "62.63", "202.24"),
    "20139": ("社会工作事务", "264.87", "62.63", "202.24"),
    "2013901": ("行政运行", "51.32", "51.32", ""),
    "2013950": ("事业运行", "11.31", "11.31", ""),
    "2013999": ("其他社会工作事务支出", "202.24", "", "202.24"),
    "208": ("社会保障和就业支出", "10.82", "10.82", ""),
    "20805": ("行政事业单位养老支出", "10.82", "10.82", ""),
    "2080505": ("机关事业单位基本养老保险缴费支出", "6.18", "6.18", ""),
    "2080506": ("机关事业单位职业年金缴费支出", "4.64", "4.64", ""),
    "210": ("卫生健康支出", "2.71", "2.71", ""),
    "21011": ("行政事业单位医疗", "2.71", "2.71", ""),
    "2101101": ("行政单位医疗", "2.22", "2.22", ""),
    "2101102": ("事业单位医疗", "0.49", "0.49", ""),
    "221": ("住房保障支出", "29.42", "29.42", ""),
    "22102": ("住房改革支出", "29.42", "29.42", ""),
    "2210201": ("住房公积金", "17.70", "17.70", ""),
    "2210203": ("购房补贴", "11.72", "11.72", ""),
}
TOTAL = ("307.82", "105.58", "202.24")

#: 表六: economic code → (name, 决算数) as printed (every template code, zeros included).
T6 = {
    "301": ("工资福利支出", "95.36"), "30101": ("基本工资", "14.12"),
    "30102": ("津贴补贴", "39.72"), "30103": ("奖金", "0.00"), "30106": ("伙食补助费", "0.00"),
    "30107": ("绩效工资", "10.16"), "30108": ("机关事业单位基本养老保险缴费", "6.18"),
    "30109": ("职业年金缴费", "4.64"), "30110": ("职工基本医疗保险缴费", "2.71"),
    "30111": ("公务员医疗补助缴费", "0.00"), "30112": ("其他社会保障缴费", "0.09"),
    "30113": ("住房公积金", "17.70"), "30114": ("医疗费", "0.00"),
    "30199": ("其他工资福利支出", "0.04"),
    "303": ("对个人和家庭的补助", "0.00"), "30301": ("离休费", "0.00"),
    "30302": ("退休费", "0.00"), "30303": ("退职（役）费", "0.00"), "30304": ("抚恤金", "0.00"),
    "30305": ("生活补助", "0.00"), "30306": ("救济费", "0.00"), "30307": ("医疗费补助", "0.00"),
    "30308": ("助学金", "0.00"), "30309": ("奖励金", "0.00"),
    "30310": ("个人农业生产补贴", "0.00"), "30311": ("代缴社会保险费", "0.00"),
    "30399": ("其他对个人和家庭的补助", "0.00"),
    "302": ("商品和服务支出", "10.23"), "30201": ("办公费", "3.78"), "30202": ("印刷费", "0.00"),
    "30203": ("咨询费", "0.00"), "30204": ("手续费", "0.00"), "30205": ("水费", "0.00"),
    "30206": ("电费", "0.00"), "30207": ("邮电费", "0.00"), "30208": ("取暖费", "0.00"),
    "30209": ("物业管理费", "0.00"), "30211": ("差旅费", "1.15"),
    "30212": ("因公出国（境）费用", "0.00"), "30213": ("维修（护）费", "0.02"),
    "30214": ("租赁费", "0.00"), "30215": ("会议费", "0.00"), "30216": ("培训费", "0.00"),
    "30217": ("公务接待费", "0.00"), "30218": ("专用材料费", "0.00"),
    "30224": ("被装购置费", "0.00"), "30225": ("专用燃料费", "0.00"), "30226": ("劳务费", "0.68"),
    "30227": ("委托业务费", "0.48"), "30228": ("工会经费", "0.00"), "30229": ("福利费", "1.48"),
    "30231": ("公务用车运行维护费", "0.00"), "30239": ("其他交通费用", "2.43"),
    "30240": ("税金及附加费用", "0.00"), "30299": ("其他商品和服务支出", "0.20"),
    "310": ("资本性支出", "0.00"), "31001": ("房屋建筑物购建", "0.00"),
    "31002": ("办公设备购置", "0.00"), "31003": ("专用设备购置", "0.00"),
    "31007": ("信息网络及软件购置更新", "0.00"), "31013": ("公务用车购置", "0.00"),
    "31019": ("其他交通工具购置", "0.00"), "31021": ("文物和陈列品购置", "0.00"),
    "31022": ("无形资产购置", "0.00"), "31099": ("其他资本性支出", "0.00"),
}  # fmt: skip
T6_NAMES = {code: name for code, (name, _) in T6.items()}
T6_TOTALS = {"人员经费合计": "95.36", "公用经费合计": "10.23"}

#: Notes under the tables, as published (the 注 line; 表七–九's 说明 with the department's name).
NOTES = {
    "t1": "本表反映部门本年度的总收支和年末结转结余情况。",
    "t2": "本表反映部门本年度取得的各项收入情况。",
    "t3": "本表反映部门本年度各项支出情况。",
    "t4": "本表反映部门本年度财政拨款总收支和结转结余情况。",
    "t5": "本表反映部门本年度一般公共预算财政拨款支出情况。",
    "t6": "本表反映部门本年度一般公共预算财政拨款基本支出明细情况。",
    "t7": "本表反映部门本年度“三公”经费支出预决算情况。",
    "t8": "本表反映部门本年度政府性基金预算财政拨款收入支出及结转和结余情况。",
    "t9": "本表反映部门本年度国有资本经营预算财政拨款收入支出及结转和结余情况。",
}
EMPTY_NOTES = {
    "t7": f"说明：{DEPARTMENT}本年度没有财政拨款“三公”经费支出，故本表无数据。",
    "t8": f"说明：{DEPARTMENT}本年度没有政府性基金预算财政拨款收入和支出，故本表无数据。",
    "t9": f"说明：{DEPARTMENT}本年度没有国有资本经营预算财政拨款收入和支出，故本表无数据。",
}
