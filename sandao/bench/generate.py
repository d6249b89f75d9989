"""Seeded synthetic county books for the benchmark (合成县级社区资金台账).

``generate_county`` writes a complete, valid Beancount ledger in the project's
language (ledger-language.md): unit / community / department declarations, a
codes-first chart of accounts, quotas with adjustments and their arrivals
(Dr 1011 / Cr 4001, ``quota:`` metadata), tasks with amendments and closes, their
transfers (linked ``^T…``), construction projects, spending charged to quotas and
task / project linked spending, performance targets and outputs.

The books are mostly clean.  A small, seeded share of tasks and quotas carry the
findings a real county has (late-funded or unfunded tasks, an overspent task, an
overspent quota); their ids are listed in ``county.json`` next to the books.

Two main files share every included file: ``main.beancount`` (with
``plugin "sandao.ledger"`` when ``plugin`` is true) and ``main-bare.beancount``
(never a plugin line), the baseline of the benchmark.  The text is written
directly, not through Beancount's printer, so 100,000 transactions take a few
seconds; the same arguments always give the same bytes.
"""

from __future__ import annotations

import datetime
import json
import random
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from sandao.ledger.accounts import component

MAIN_FILE = "main.beancount"
BARE_FILE = "main-bare.beancount"
MANIFEST_FILE = "county.json"
PLUGIN_MODULE = "sandao.ledger"

#: Shares of the deliberate findings (per task / per quota).
LATE_TASK_RATE = 0.02
UNFUNDED_TASK_RATE = 0.01
OVERSPENT_TASK_RATE = 0.005
OVERSPENT_QUOTA_RATE = 0.01
AMEND_RATE = 0.10
ADJUST_RATE = 0.15
#: Share of the spending transactions (after arrivals and transfers) spent on tasks.
TASK_SPENDING_SHARE = 0.25

PLACES: tuple[str, ...] = (
    "城东", "城西", "城南", "城北", "河口", "青山", "白沙", "石桥", "龙泉", "桃源",
    "新华", "长乐", "金水", "柳林", "松岗", "梅岭", "杨柳", "大坪", "高桥", "双河",
    "凤凰", "群英", "新兴", "城江", "清溪", "马鞍", "黄土", "红星", "东升", "永安",
)  # fmt: skip
COMMUNITY_SUFFIXES: tuple[str, ...] = (
    "城江", "群英", "凤凰", "新兴", "和平", "幸福", "文昌", "建设", "光明", "团结",
    "朝阳", "育才", "胜利", "兴隆", "锦绣", "春晖", "紫薇", "丹桂", "银杏", "翠竹",
)  # fmt: skip

#: (code, name, short name for documents, function code of its tasks, targets)
DEPARTMENTS: tuple[tuple[str, str, str, str, tuple[tuple[str, str], ...]], ...] = (
    ("D01", "县委组织部", "组", "2013299", (("党员培训人次", "人次"), ("活动场次", "场"))),
    ("D02", "县委宣传部", "宣", "2013399", (("宣传活动场次", "场"), ("文明实践活动", "次"))),
    ("D03", "县委政法委", "政法", "2049999", (("巡防次数", "次"), ("矛盾调解件数", "件"))),
    ("D04", "县民政局", "民", "2080299", (("走访困难户数", "户"), ("养老服务人次", "人次"))),
    ("D05", "县人社局", "人社", "2080199", (("就业培训人次", "人次"), ("公益岗位数", "个"))),
    ("D06", "县卫健委", "卫健", "2100499", (("健康讲座场次", "场"), ("随访人次", "人次"))),
    ("D07", "县住建局", "建", "2120899", (("小区整治个数", "个"), ("管网维修米数", "米"))),
    ("D08", "县农业农村局", "农", "2130199", (("技术指导次数", "次"), ("培训农户数", "户"))),
    ("D09", "县文旅局", "文旅", "2070199", (("文体活动场次", "场"), ("服务人次", "人次"))),
    ("D10", "县应急管理局", "应急", "2240199", (("应急演练次数", "次"), ("隐患排查处", "处"))),
    ("D11", "县司法局", "司", "2040699", (("普法宣传场次", "场"), ("法律援助件数", "件"))),
    ("D12", "县市场监管局", "市监", "2013899", (("食品抽检批次", "批"), ("检查户数", "户"))),
)

#: Expense accounts of every unit: economic code → (name, payees, narration).
EXPENSES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "30101": ("基本工资", ("本单位工资专户",), "发放基本工资"),
    "30102": ("津贴补贴", ("本单位工资专户",), "发放津贴补贴"),
    "30103": ("奖金", ("本单位工资专户",), "发放绩效奖金"),
    "30108": ("机关事业单位基本养老保险缴费", ("县社会保险事业中心",), "缴纳养老保险"),
    "30112": ("其他社会保障缴费", ("县医疗保障事务中心",), "缴纳医疗保险"),
    "30113": ("住房公积金", ("县住房公积金管理中心",), "缴存住房公积金"),
    "30201": ("办公费", ("县城东文具店", "县新华书店", "县恒达办公用品商行"), "办公用品采购"),
    "30205": ("水费", ("县自来水公司",), "缴纳水费"),
    "30206": ("电费", ("国网县供电公司",), "缴纳电费"),
    "30207": ("邮电费", ("中国电信县分公司", "中国移动县分公司"), "通讯网络费"),
    "30211": ("差旅费", ("公务卡还款",), "差旅费报销"),
    "30213": ("维修费", ("县安居物业服务公司", "县鑫达维修服务部"), "房屋设施维修"),
    "30216": ("培训费", ("县委党校", "县职业技术学校"), "业务培训"),
    "30226": ("劳务费", ("网格员劳务费专户", "县众邦劳务服务公司"), "劳务费"),
    "30227": ("委托业务费", ("县社会工作服务中心", "县明德会计师事务所", "县平安保安服务公司"), "委托服务"),
    "30228": ("工会经费", ("县总工会",), "拨付工会经费"),
    "30229": ("福利费", ("本单位福利费专户",), "职工福利"),
    "30299": ("其他商品和服务支出", ("县惠民超市", "县顺通物流公司"), "其他日常支出"),
    "31002": ("办公设备购置", ("县信达电脑城", "县政府采购中心"), "办公设备购置"),
    "31003": ("专用设备购置", ("县安防科技公司", "县政府采购中心"), "专用设备购置"),
    "31007": ("信息网络及软件购置更新", ("县智联网络科技公司",), "信息系统建设"),
}  # fmt: skip
ECONOMIC_GROUPS: dict[str, tuple[str, ...]] = {
    "301": ("30101", "30102", "30103", "30108", "30112", "30113"),
    "302": (
        "30201", "30201", "30201", "30205", "30206", "30207", "30211", "30211",
        "30213", "30216", "30226", "30227", "30228", "30229", "30299", "30299",
    ),
    "310": ("31002", "31003", "31007"),
}  # fmt: skip
TASK_ECONOMICS: tuple[str, ...] = (
    "30227", "30227", "30226", "30226", "30216", "30201", "30299", "30211",
)  # fmt: skip
CONSTRUCTION_PAYEES: tuple[str, ...] = (
    "县宏图建筑工程有限公司", "县城建集团", "县正源工程监理公司", "县鼎盛建设有限公司",
)  # fmt: skip
CAPITAL_ECONOMIC = "31001"
QUOTA_PURPOSES: dict[tuple[str, str, str], str] = {
    ("运转", "302", "年初"): "公用经费",
    ("运转", "301", "年初"): "人员经费",
    ("运转", "310", "年初"): "办公设备购置",
    ("运转", "302", "追加"): "追加公用经费",
    ("建设", "310", "年初"): "社区建设资金",
}
PROJECT_NAMES: tuple[str, ...] = (
    "社区综合服务楼", "社区党群服务中心改造", "老旧小区改造", "社区文体广场",
    "社区养老服务站", "背街小巷提升", "社区便民服务中心", "智慧社区平台",
)  # fmt: skip
TASK_TITLES: dict[str, tuple[str, ...]] = {
    "D01": ("社区党建示范点建设", "在职党员进社区", "社区干部培训"),
    "D02": ("新时代文明实践站", "社区宣传阵地建设", "移风易俗宣传"),
    "D03": ("平安示范社区建设", "网格化巡防", "矛盾纠纷排查化解"),
    "D04": ("社区养老服务", "困难群众走访慰问", "社区社会组织培育"),
    "D05": ("社区就业服务", "公益性岗位补贴", "技能培训进社区"),
    "D06": ("社区健康服务", "爱国卫生运动", "家庭医生签约服务"),
    "D07": ("小区环境整治", "背街小巷管网维修", "物业管理服务"),
    "D08": ("城郊农业技术服务", "农村人居环境整治", "农产品质量检测"),
    "D09": ("社区文体活动", "全民健身进社区", "文化惠民演出"),
    "D10": ("社区应急演练", "安全隐患排查", "防汛物资储备"),
    "D11": ("社区普法宣传", "人民调解", "社区矫正服务"),
    "D12": ("食品安全进社区", "价格监测", "消费维权服务"),
}

ACC_1011 = component("1011", "零余额账户用款额度")
ACC_1002 = component("1002", "银行存款")
ACC_1613 = component("1613", "在建工程")
ACC_3001 = component("3001", "累计盈余")
ACC_4001 = component("4001", "财政拨款收入")
STREAM_INCOME = {"运转": "YZ-运转经费", "建设": "JS-建设资金"}


def fen(value: int) -> str:
    """An amount in fen as Beancount text: ``123456`` → ``"1234.56"``."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def bare_twin(main: Path) -> Path:
    """The plugin-free main file next to a generated ``main.beancount``."""
    return Path(main).with_name(BARE_FILE)


@dataclass
class _Unit:
    code: str
    name: str
    prefix: str  # "C101-城东社区服务中心"
    communities: list[str] = field(default_factory=list)


@dataclass
class _Quota:
    qid: str
    unit: int
    year: int
    stream: str
    function: str
    economic: str
    amount: int  # fen
    declared: int  # ordinal
    kind: str
    control: str = "stop"
    fund_type: str = "一般公共预算"
    adjust: tuple[int, int] | None = None  # (ordinal, fen)
    overspent: bool = False
    weight: float = 1.0


@dataclass
class _Task:
    tid: str
    title: str
    dept: int
    unit: int
    community: str | None
    amount: int
    declared: int
    due: int
    end: int
    amend: tuple[int, int, bool] | None = None  # (ordinal, new total, explicit due)
    transfers: list[tuple[int, int]] = field(default_factory=list)  # (ordinal, fen)
    late: bool = False
    unfunded: bool = False
    overspent: bool = False


@dataclass
class _Project:
    pid: str
    title: str
    unit: int
    community: str | None
    declared: int
    end: int
    amount: int = 0


class _Dates:
    """Ordinal → ISO text, precomputed for the whole span of the books."""

    def __init__(self, first: int, last: int) -> None:
        self.first = first
        self.text = [datetime.date.fromordinal(o).isoformat() for o in range(first, last + 1)]

    def __call__(self, ordinal: int) -> str:
        return self.text[ordinal - self.first]


#: Quota profiles: stream, function, economic code, amount range (yuan), spending weight.
_BASE_QUOTA = ("运转", "2120101", "302", (3e5, 1.2e6), 3.0)
_PROJECT_QUOTA = ("建设", "2120399", "310", (1.5e6, 5e6), 1.0)
_STAFF_QUOTA = ("运转", "2120101", "301", (8e5, 2.5e6), 1.2)
_CAPITAL_QUOTA = ("运转", "2120101", "310", (1e5, 4e5), 0.4)
#: A 追加 (top-up) quota, declared from March on.
_TOP_UP_QUOTA = ("运转", "2120104", "302", (1e5, 6e5), 1.5)


def _ordinal(year: int, month: int, day: int) -> int:
    return datetime.date(year, month, day).toordinal()


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` fen split into ``parts`` positive random amounts that add up exactly."""
    if parts <= 0:
        return []
    weights = [0.2 + rng.random() for _ in range(parts)]
    scale = total / sum(weights)
    amounts = [max(1, int(w * scale)) for w in weights]
    amounts[-1] += total - sum(amounts)
    if amounts[-1] < 1:  # only when total < parts fen: keep every amount positive
        amounts[-1] = 1
    return amounts


def _round_yuan(value: float, step: int) -> int:
    """Yuan rounded to ``step`` yuan, returned in fen."""
    return max(step, round(value / step) * step) * 100


def _apportion(rng: random.Random, count: int, weights: list[float]) -> list[int]:
    """How many of ``count`` items fall to each weight (seeded, sums to ``count``)."""
    if not weights or count <= 0 or sum(weights) <= 0:
        return [0] * len(weights)
    cumulative = list(accumulate(weights))
    top = cumulative[-1]
    hits = Counter(bisect_right(cumulative, rng.random() * top) for _ in range(count))
    return [hits.get(i, 0) for i in range(len(weights))]


def _community_name(j: int) -> str:
    """A distinct community name for the ``j``-th community (without 社区)."""
    rounds, index = divmod(j, len(COMMUNITY_SUFFIXES))
    suffix = COMMUNITY_SUFFIXES[index]
    if rounds == 0:
        return suffix
    prefix = PLACES[(rounds - 1) % len(PLACES)]
    extra = (rounds - 1) // len(PLACES)
    return f"{prefix}{suffix}{extra + 1 if extra else ''}"


def generate_county(
    out_dir: str | Path,
    transactions: int = 100_000,
    tasks: int = 1_000,
    quotas: int = 300,
    units: int = 20,
    communities: int = 80,
    years: int = 2,
    seed: int = 0,
    plugin: bool = True,
    projects: int | None = None,
    start_year: int = 2024,
) -> Path:
    """Write a synthetic county's books into ``out_dir``; return the main file's path.

    ``transactions`` is the exact number of transactions written (opening balances,
    quota arrivals, task transfers and spending).  ``projects`` defaults to one per
    two units.  Raises ``ValueError`` when the fixed transactions (openings,
    arrivals, transfers) alone exceed ``transactions``.

    The steps draw from one random generator in a fixed order (units, projects, quotas,
    tasks, then the transactions and the budget text), so a seed always gives the same
    books.
    """
    if min(units, years) < 1 or min(tasks, quotas, communities, transactions) < 0:
        raise ValueError("单位数和年度数应 ≥ 1，其余数量应 ≥ 0")
    rng = random.Random(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    year_list = [start_year + i for i in range(years)]
    first_day = _ordinal(start_year, 1, 1)
    last_day = _ordinal(year_list[-1], 12, 31)
    dates = _Dates(first_day, last_day + 1)
    n_projects = max(1, units // 2) if projects is None else projects

    unit_list, community_rows = _make_units(rng, units, communities)
    community_names = {code: name for code, name, _, _ in community_rows}
    project_list, projects_of = _make_projects(
        rng, unit_list, community_names, n_projects, start_year, last_day
    )
    quota_list = _make_quotas(rng, year_list, units, quotas, projects_of)
    task_list = _make_tasks(rng, year_list, unit_list, tasks)
    arrivals = _arrivals(quota_list)
    plan = _SpendingPlan.of(transactions, units, arrivals, task_list, quota_list)

    books = _Transactions(unit_list, dates)
    books.openings(rng, first_day)
    books.quota_arrivals(arrivals)
    books.task_transfers(task_list)
    books.task_spending(rng, plan, last_day - 1)  # the closing assertions sit on 12-31
    quota_counts = books.quota_spending(
        rng, plan, quota_list, project_list, projects_of, last_day - 1
    )

    files = _county_files(
        rng, (unit_list, community_rows, quota_list, task_list, project_list), books, year_list
    )
    counts = (units, community_rows, len(project_list))
    _write_books(out, files, plugin, seed, transactions, tasks, quotas, counts, years)
    sizes = {"transactions": transactions, "tasks": tasks, "quotas": quotas, "units": units}
    sizes |= {"communities": communities, "years": years, "projects": len(project_list)}
    manifest = _manifest(seed, sizes, plugin, len(arrivals), plan, quota_list, task_list)
    manifest["deliberate"]["overspent_quotas"] = [
        q.qid for q, c in zip(quota_list, quota_counts, strict=True) if q.overspent and c
    ]
    manifest["files"] = [MAIN_FILE, BARE_FILE, *files]
    (out / MANIFEST_FILE).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return out / MAIN_FILE


def _manifest(
    seed: int,
    sizes: dict[str, int],
    plugin: bool,
    n_arrivals: int,
    plan: _SpendingPlan,
    quota_list: list[_Quota],
    task_list: list[_Task],
) -> dict[str, Any]:
    """``county.json``: what was asked for, how many of each kind were written, and the
    deliberate findings (late, unfunded, overspent)."""
    return {
        "seed": seed,
        **sizes,
        "plugin": plugin,
        "counts": {
            "openings": sizes["units"],
            "quota_arrivals": n_arrivals,
            "task_transfers": plan.n_transfers,
            "task_spending": plan.n_task_spend,
            "quota_spending": plan.n_quota_spend,
            "task_amendments": sum(1 for t in task_list if t.amend),
            "quota_adjustments": sum(1 for q in quota_list if q.adjust),
        },
        "deliberate": {
            "late_tasks": [t.tid for t in task_list if t.late],
            "unfunded_tasks": [t.tid for t in task_list if t.unfunded],
            "overspent_tasks": [t.tid for t in task_list if t.overspent and t.transfers],
        },
    }


def _make_units(
    rng: random.Random, units: int, communities: int
) -> tuple[list[_Unit], list[tuple[str, str, int, int]]]:
    """The units (service centres, then town centres) and the communities dealt round them
    (code, name, unit index, households)."""
    unit_list: list[_Unit] = []
    for i in range(units):
        place = PLACES[i % len(PLACES)] + (str(i // len(PLACES) + 1) if i >= len(PLACES) else "")
        name = f"{place}社区服务中心" if i < 4 else f"{place}镇社会事务服务中心"
        code = f"C{101 + i}"
        unit_list.append(_Unit(code, name, component(code, name)))
    width = max(2, len(str(communities)))
    community_rows: list[tuple[str, str, int, int]] = []
    for j in range(communities):
        code = f"SQ{j + 1:0{width}d}"
        name = _community_name(j)
        unit_index = j % units
        unit_list[unit_index].communities.append(code)
        community_rows.append((code, f"{name}社区", unit_index, rng.randrange(800, 4200, 10)))
    return unit_list, community_rows


def _make_projects(
    rng: random.Random,
    unit_list: list[_Unit],
    community_names: dict[str, str],
    n_projects: int,
    start_year: int,
    last_day: int,
) -> tuple[list[_Project], dict[int, list[int]]]:
    """Construction projects, every other unit first; and each unit's project indexes."""
    units = len(unit_list)
    project_list: list[_Project] = []
    projects_of: dict[int, list[int]] = {}
    for k in range(n_projects):
        unit_index = (k * 2) % units if units > 1 else 0
        if k * 2 >= units:
            unit_index = (k * 2 + 1) % units
        unit = unit_list[unit_index]
        community = rng.choice(unit.communities) if unit.communities else None
        place = community_names[community].removesuffix("社区") if community else unit.name[:2]
        title = f"{place}社区{PROJECT_NAMES[k % len(PROJECT_NAMES)].removeprefix('社区')}"
        declared = _ordinal(start_year, 2, 1)
        project_list.append(
            _Project(f"P{start_year}-{k + 1:02d}", title, unit_index, community, declared, last_day)
        )
        projects_of.setdefault(unit_index, []).append(k)
    return project_list, projects_of


def _make_quotas(
    rng: random.Random,
    year_list: list[int],
    units: int,
    quotas: int,
    projects_of: dict[int, list[int]],
) -> list[_Quota]:
    """The quotas, dealt evenly over (year, unit) slots; each slot's first is the base
    quota, then project or staff quotas, capital, and top-ups."""
    quota_list: list[_Quota] = []
    slots = [(y, u) for y in year_list for u in range(units)]
    per_slot = [
        quotas // len(slots) + (1 if s < quotas % len(slots) else 0) for s in range(len(slots))
    ]
    if max(per_slot) > 99:
        raise ValueError("每个单位每年最多 99 个指标（--quotas 太大）")
    for (year, u), count in zip(slots, per_slot, strict=True):
        for k in range(count):
            if k == 0:
                profile = _BASE_QUOTA
            elif k == 1 and u in projects_of:
                profile = _PROJECT_QUOTA
            elif k in (1, 2):
                profile = _STAFF_QUOTA
            elif k == 4:
                profile = _CAPITAL_QUOTA
            else:
                profile = _TOP_UP_QUOTA
            quota_list.append(_make_quota(rng, year, u, k, profile))
    return quota_list


def _make_quota(rng: random.Random, year: int, u: int, k: int, profile: Any) -> _Quota:
    """One quota of a profile, with its fund type, control, adjustment and overspending."""
    qid = f"ZB{year % 100}-{u + 1:02d}{k + 1:02d}"
    kind, declared = "年初", _ordinal(year, 1, 10)
    stream, function, economic, (low, high), weight = profile
    amount = rng.uniform(low, high)
    if profile is _TOP_UP_QUOTA:
        kind, declared = "追加", _ordinal(year, 3, 1) + rng.randrange(0, 180)
    quota = _Quota(
        qid, u, year, stream, function, economic, _round_yuan(amount, 1000), declared, kind
    )
    quota.weight = weight
    if stream == "建设":
        quota.fund_type = "政府性基金" if rng.random() < 0.3 else "一般公共预算"
    if rng.random() < 0.05:
        quota.control = "warn"
    if rng.random() < ADJUST_RATE:
        sign = -1 if rng.random() < 0.4 else 1
        delta = sign * _round_yuan(quota.amount / 100 * rng.uniform(0.05, 0.15), 1000)
        quota.adjust = (_ordinal(year, 6, 1) + rng.randrange(0, 100), delta)
    quota.overspent = quota.control == "stop" and rng.random() < OVERSPENT_QUOTA_RATE
    return quota


def _make_tasks(
    rng: random.Random, year_list: list[int], unit_list: list[_Unit], tasks: int
) -> list[_Task]:
    """The tasks, dealt evenly over the years."""
    years = len(year_list)
    task_list: list[_Task] = []
    per_year = [tasks // years + (1 if i < tasks % years else 0) for i in range(years)]
    for year, count in zip(year_list, per_year, strict=True):
        for n in range(count):
            task_list.append(_make_task(rng, year, n, unit_list, year == year_list[-1]))
    return task_list


def _make_task(
    rng: random.Random, year: int, n: int, unit_list: list[_Unit], last_year: bool
) -> _Task:
    """One task: department, unit, community, amount; late, unfunded or overspent at the
    deliberate rates; its transfers, and an amendment with its extra transfer."""
    d = rng.randrange(len(DEPARTMENTS))
    u = rng.randrange(len(unit_list))
    unit = unit_list[u]
    community = rng.choice(unit.communities) if unit.communities and rng.random() < 0.7 else None
    declared = _ordinal(year, 1, 15) + rng.randrange(0, 290)
    end = _ordinal(year, 12, 31)
    if not last_year and rng.random() < 0.2:
        end = _ordinal(year + 1, 6, 30)
    amount = _round_yuan(
        rng.choice((1e4, 2e4, 3e4, 5e4, 8e4, 1e5, 2e5)) * rng.uniform(0.5, 2), 1000
    )
    title = rng.choice(TASK_TITLES[DEPARTMENTS[d][0]])
    task = _Task(
        f"T{year}-{n + 1:03d}", title, d, u, community, amount, declared, declared + 30, end
    )
    roll = rng.random()
    if roll < UNFUNDED_TASK_RATE:
        task.unfunded = True
    elif roll < UNFUNDED_TASK_RATE + LATE_TASK_RATE:
        task.late = True
    elif roll < UNFUNDED_TASK_RATE + LATE_TASK_RATE + OVERSPENT_TASK_RATE:
        task.overspent = True
    if task.unfunded:
        if rng.random() < 0.5:  # partly funded: half the money, on time
            task.transfers.append((declared + rng.randrange(0, 25), amount // 2))
    elif task.late:
        task.transfers.append((min(task.due + rng.randrange(10, 70), end - 20), amount))
    else:
        task.transfers.append((declared + rng.randrange(0, 25), amount))
    amend_day = declared + rng.randrange(45, 120)
    clean = not (task.unfunded or task.late)
    if clean and rng.random() < AMEND_RATE and amend_day + 60 < end:
        new_total = amount + _round_yuan(amount / 100 * rng.uniform(0.1, 0.5), 1000)
        task.amend = (amend_day, new_total, rng.random() < 0.5)
        arrive = max(amend_day, task.transfers[-1][0]) + rng.randrange(1, 25)
        task.transfers.append((arrive, new_total - amount))
    return task


def _arrivals(quota_list: list[_Quota]) -> list[tuple[_Quota, int, int]]:
    """(quota, day, fen) of each arrival of quota money: a year's quota in four quarterly
    parts, a top-up in two; a cut is paid net, an increase arrives after its adjustment."""
    arrivals: list[tuple[_Quota, int, int]] = []
    for quota in quota_list:
        final = quota.amount + (quota.adjust[1] if quota.adjust else 0)
        if quota.kind == "年初":
            days = [_ordinal(quota.year, m, 12) for m in (1, 4, 7, 10)]
            shares = [0.3, 0.25, 0.25, 0.2]
        else:
            days = [quota.declared + 5, min(quota.declared + 95, _ordinal(quota.year, 12, 20))]
            shares = [0.6, 0.4]
        base = quota.amount
        if quota.adjust and quota.adjust[1] < 0:
            base = final
        amounts = [int(base * s) for s in shares]
        amounts[-1] += base - sum(amounts)
        arrivals.extend((quota, d, a) for d, a in zip(days, amounts, strict=True))
        if quota.adjust and quota.adjust[1] > 0:
            arrivals.append((quota, quota.adjust[0] + 5, quota.adjust[1]))
    return arrivals


@dataclass
class _SpendingPlan:
    """How many spending transactions remain after the fixed ones, and their split."""

    n_transfers: int
    funded: list[_Task]
    n_task_spend: int
    n_quota_spend: int

    @classmethod
    def of(
        cls,
        transactions: int,
        units: int,
        arrivals: list[tuple[_Quota, int, int]],
        task_list: list[_Task],
        quota_list: list[_Quota],
    ) -> _SpendingPlan:
        n_transfers = sum(len(t.transfers) for t in task_list)
        fixed = units + len(arrivals) + n_transfers
        if fixed > transactions:
            raise ValueError(
                f"交易笔数 {transactions} 少于必需的 {fixed} 笔（开账、指标到账、任务拨款）；"
                "请减少 --tasks / --quotas 或增加 --transactions"
            )
        spending = transactions - fixed
        funded = [t for t in task_list if t.transfers]
        n_task_spend = int(spending * TASK_SPENDING_SHARE) if funded else 0
        n_quota_spend = spending - n_task_spend
        if not quota_list and n_quota_spend:
            if not funded:
                raise ValueError("没有指标也没有已拨款的任务，无处支出；请增加 --quotas 或 --tasks")
            n_task_spend, n_quota_spend = spending, 0
        return cls(n_transfers, funded, n_task_spend, n_quota_spend)


class _Transactions:
    """The county's transactions as text, in the order written, and each cash account's
    balance (for the year-end assertions)."""

    def __init__(self, unit_list: list[_Unit], dates: _Dates) -> None:
        self.unit_list = unit_list
        self.dates = dates
        self.txns: list[tuple[int, int, str]] = []  # (ordinal, sequence, text)
        self.balances: dict[str, int] = {}

    def add(self, ordinal: int, text: str) -> None:
        self.txns.append((ordinal, len(self.txns) + 1, text))

    def acct(self, u: int, tail: str, root: str = "Assets") -> str:
        return f"{root}:{self.unit_list[u].prefix}:{tail}"

    def openings(self, rng: random.Random, first_day: int) -> None:
        """Each unit's opening bank balance against 3001."""
        dates = self.dates
        for u, unit in enumerate(self.unit_list):
            opening = _round_yuan(rng.uniform(5e4, 5e5), 100)
            bank = self.acct(u, ACC_1002)
            self.balances[bank] = self.balances.get(bank, 0) + opening
            self.add(
                first_day,
                f'{dates(first_day)} * "期初余额" "{unit.name} 期初银行存款"\n'
                f"  {bank}  {fen(opening)} CNY\n"
                f"  {self.acct(u, ACC_3001, 'Equity')}\n",
            )

    def quota_arrivals(self, arrivals: list[tuple[_Quota, int, int]]) -> None:
        """Quota money arriving: Dr 1011 / Cr the stream's 4001 account."""
        dates = self.dates
        for quota, day, amount in arrivals:
            account = self.acct(quota.unit, ACC_1011)
            self.balances[account] = self.balances.get(account, 0) + amount
            income = self.acct(quota.unit, f"{ACC_4001}:{STREAM_INCOME[quota.stream]}", "Income")
            self.add(
                day,
                f'{dates(day)} * "县财政局" "{quota.qid} 指标到账"\n'
                f'  quota: "{quota.qid}"\n'
                f"  {account}  {fen(amount)} CNY\n"
                f"  {income}\n",
            )

    def task_transfers(self, task_list: list[_Task]) -> None:
        """Departments' transfers for their tasks: Dr 1002 / Cr 4001:Dxx, linked."""
        dates = self.dates
        for task in task_list:
            dcode, dname = DEPARTMENTS[task.dept][0], DEPARTMENTS[task.dept][1]
            bank = self.acct(task.unit, ACC_1002)
            income = self.acct(task.unit, f"{ACC_4001}:{component(dcode, dname)}", "Income")
            for day, amount in task.transfers:
                self.balances[bank] = self.balances.get(bank, 0) + amount
                self.add(
                    day,
                    f'{dates(day)} * "{dname}" "{task.title} 经费拨付" ^{task.tid}\n'
                    f"  {bank}  {fen(amount)} CNY\n"
                    f"  {income}\n",
                )

    def task_spending(self, rng: random.Random, plan: _SpendingPlan, last_txn_day: int) -> None:
        """Task spending from 1002, linked, apportioned by the money each task received."""
        dates = self.dates
        funded = plan.funded
        counts = _apportion(
            rng, plan.n_task_spend, [sum(a for _, a in t.transfers) for t in funded]
        )
        for task, count in zip(funded, counts, strict=True):
            if not count:
                task.overspent = False  # nothing spent, nothing overspent
                continue
            received = sum(a for _, a in task.transfers)
            ratio = 1.1 if task.overspent else rng.uniform(0.6, 0.98)
            lo = task.transfers[-1][0] + 1
            hi = max(lo, min(task.end, last_txn_day))
            bank = self.acct(task.unit, ACC_1002)
            for amount in _split(rng, int(received * ratio), count):
                day = rng.randint(lo, hi)
                code = rng.choice(TASK_ECONOMICS)
                name, payees, what = EXPENSES[code]
                self.balances[bank] -= amount
                self.add(
                    day,
                    f'{dates(day)} * "{rng.choice(payees)}" "{task.title} {what}" ^{task.tid}\n'
                    f"  {self.acct(task.unit, component(code, name), 'Expenses')}  {fen(amount)} CNY\n"
                    f"  {bank}\n",
                )

    def quota_spending(
        self,
        rng: random.Random,
        plan: _SpendingPlan,
        quota_list: list[_Quota],
        project_list: list[_Project],
        projects_of: dict[int, list[int]],
        last_txn_day: int,
    ) -> list[int]:
        """Spending charged to quotas from 1011 (construction: to 1613, linked to a project,
        whose amount follows what was spent on it); returns each quota's count."""
        counts = _apportion(rng, plan.n_quota_spend, [q.weight for q in quota_list])
        construction_total: dict[int, int] = {}
        for quota, count in zip(quota_list, counts, strict=True):
            if count:
                self._quota_payments(
                    rng, quota, count, last_txn_day, project_list, projects_of, construction_total
                )
        for k, project in enumerate(project_list):
            spent = construction_total.get(k, 0)
            project.amount = _round_yuan(max(spent * 1.25, 1e8) / 100, 10_000)
        return counts

    def _quota_payments(
        self,
        rng: random.Random,
        quota: _Quota,
        count: int,
        last_txn_day: int,
        project_list: list[_Project],
        projects_of: dict[int, list[int]],
        construction_total: dict[int, int],
    ) -> None:
        """One quota's payments: most of it (more than all of it when overspent)."""
        dates = self.dates
        cap = quota.amount
        if quota.adjust:
            cap = (
                max(cap, cap + quota.adjust[1])
                if quota.overspent
                else min(cap, cap + quota.adjust[1])
            )
        total = int(cap * (1.06 if quota.overspent else rng.uniform(0.7, 0.97)))
        lo = max(quota.declared + 3, _ordinal(quota.year, 1, 15))
        hi = min(_ordinal(quota.year, 12, 28), last_txn_day)
        zero = self.acct(quota.unit, ACC_1011)
        owned = projects_of.get(quota.unit, []) if quota.stream == "建设" else []
        group = ECONOMIC_GROUPS[quota.economic]
        for i, amount in enumerate(_split(rng, total, count)):
            day = rng.randint(lo, hi)
            self.balances[zero] -= amount
            if owned:
                k = owned[i % len(owned)]
                construction_total[k] = construction_total.get(k, 0) + amount
                self.add(
                    day,
                    f'{dates(day)} * "{rng.choice(CONSTRUCTION_PAYEES)}" '
                    f'"{project_list[k].title} 工程进度款" ^{project_list[k].pid}\n'
                    f'  quota: "{quota.qid}"\n'
                    f"  {self.acct(quota.unit, ACC_1613)}  {fen(amount)} CNY\n"
                    f"  {zero}\n",
                )
                continue
            code = rng.choice(group)
            name, payees, what = EXPENSES[code]
            self.add(
                day,
                f'{dates(day)} * "{rng.choice(payees)}" "{what}"\n'
                f'  quota: "{quota.qid}"\n'
                f"  {self.acct(quota.unit, component(code, name), 'Expenses')}  {fen(amount)} CNY\n"
                f"  {zero}\n",
            )


def _county_files(
    rng: random.Random,
    declared: tuple[list[_Unit], list[Any], list[_Quota], list[_Task], list[_Project]],
    books: _Transactions,
    year_list: list[int],
) -> dict[str, list[str]]:
    """File name → its parts: accounts, declarations, each year's budget and
    transactions (in date order), the year-end balances."""
    unit_list, community_rows, quota_list, task_list, project_list = declared
    dates = books.dates
    first_day = dates.first
    last_day = _ordinal(year_list[-1], 12, 31)
    files: dict[str, list[str]] = {}
    files["accounts.beancount"] = _open_text(unit_list, dates(first_day))
    files["declarations.beancount"] = _declaration_text(unit_list, community_rows, dates(first_day))
    budget: dict[int, list[tuple[int, int, str]]] = {y: [] for y in year_list}
    _budget_text(budget, quota_list, task_list, project_list, unit_list, dates, rng, last_day)
    for year in year_list:
        files[f"{year}/budget.beancount"] = [
            f"; {year} 年度：预算指标、任务、项目、绩效目标（合成数据）\n\n"
        ] + [t for _, _, t in sorted(budget[year])]
    by_year: dict[int, list[tuple[int, int, str]]] = {y: [] for y in year_list}
    for item in books.txns:
        by_year[datetime.date.fromordinal(item[0]).year].append(item)
    for year in year_list:
        rows = sorted(by_year[year])
        files[f"{year}/transactions.beancount"] = [
            f"; {year} 年度：指标到账、任务经费拨付、支出（合成数据，{len(rows)} 笔）\n\n"
        ] + [t + "\n" for _, _, t in rows]
    closing = dates(last_day)
    files["balances.beancount"] = ["; 年末余额核对\n\n"] + [
        f"{closing} balance {account}  {fen(amount)} CNY\n"
        for account, amount in sorted(books.balances.items())
    ]
    return files


def _write_books(
    out: Path,
    files: dict[str, list[str]],
    plugin: bool,
    seed: int,
    transactions: int,
    tasks: int,
    quotas: int,
    counts: tuple[int, list[Any], int],
    years: int,
) -> None:
    """The files, the main file (with the plugin line when asked) and its bare twin."""
    units, community_rows, _ = counts
    includes = "".join(f'include "{name}"\n' for name in files)
    header = (
        "; 合成县级“三到社区”资金台账 — sandao bench generator\n"
        f"; seed={seed} transactions={transactions} tasks={tasks} quotas={quotas} "
        f"units={units} communities={len(community_rows)} years={years}\n\n"
        'option "title" "合成县 三到社区资金台账 (synthetic county)"\n'
        'option "operating_currency" "CNY"\n\n'
    )
    for name, parts in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(parts), encoding="utf-8")
    main = out / MAIN_FILE
    plugin_line = f'plugin "{PLUGIN_MODULE}"\n\n' if plugin else ""
    main.write_text(header + plugin_line + includes, encoding="utf-8")
    bare_twin(main).write_text(header + includes, encoding="utf-8")


def _open_text(unit_list: list[_Unit], day: str) -> list[str]:
    parts = ["; 会计科目（科目代码在前）\n\n"]
    for unit in unit_list:
        p = unit.prefix
        parts.append(f"; {unit.code} {unit.name}\n")
        parts.append(f"{day} open Assets:{p}:{ACC_1011} CNY\n")
        parts.append(f"{day} open Assets:{p}:{ACC_1002} CNY\n")
        parts.append(f'{day} open Assets:{p}:{ACC_1613} CNY\n  economic: "{CAPITAL_ECONOMIC}"\n')
        parts.append(f"{day} open Equity:{p}:{ACC_3001} CNY\n")
        for stream, leaf in STREAM_INCOME.items():
            parts.append(f'{day} open Income:{p}:{ACC_4001}:{leaf} CNY\n  stream: "{stream}"\n')
        for dcode, dname, *_ in DEPARTMENTS:
            parts.append(f"{day} open Income:{p}:{ACC_4001}:{component(dcode, dname)} CNY\n")
        for code, (name, _, _) in EXPENSES.items():
            parts.append(f"{day} open Expenses:{p}:{component(code, name)} CNY\n")
        parts.append("\n")
    return parts


def _declaration_text(
    unit_list: list[_Unit], community_rows: list[tuple[str, str, int, int]], day: str
) -> list[str]:
    parts = ["; 单位、社区、部门\n\n"]
    for i, unit in enumerate(unit_list):
        kind = "事业单位" if i < 4 else "行政单位"
        parts.append(f'{day} custom "unit" "{unit.code}" "{unit.name}"\n  kind: "{kind}"\n')
    parts.append("\n")
    for code, name, unit_index, households in community_rows:
        parts.append(
            f'{day} custom "community" "{code}" "{name}"\n'
            f'  unit: "{unit_list[unit_index].code}"\n  households: {households}\n'
        )
    parts.append("\n")
    for dcode, dname, *_ in DEPARTMENTS:
        parts.append(f'{day} custom "department" "{dcode}" "{dname}"\n')
    return parts


def _budget_text(
    budget: dict[int, list[tuple[int, int, str]]],
    quota_list: list[_Quota],
    task_list: list[_Task],
    project_list: list[_Project],
    unit_list: list[_Unit],
    dates: _Dates,
    rng: random.Random,
    last_day: int,
) -> None:
    seq = 0

    def put(ordinal: int, text: str) -> None:
        nonlocal seq
        seq += 1
        year = datetime.date.fromordinal(ordinal).year
        budget[year if year in budget else max(budget)].append((ordinal, seq, text))

    for project in project_list:
        unit = unit_list[project.unit]
        community = f'  community: "{project.community}"\n' if project.community else ""
        put(
            project.declared,
            f'{dates(project.declared)} custom "project" "{project.pid}" "{project.title}" '
            f"{fen(project.amount)} CNY\n"
            f'  unit: "{unit.code}"\n{community}  end: {dates(project.end)}\n\n',
        )
    for number, quota in enumerate(quota_list, start=1):
        purpose = QUOTA_PURPOSES.get((quota.stream, quota.economic, quota.kind), "运转经费")
        put(
            quota.declared,
            f'{dates(quota.declared)} custom "quota" "{quota.qid}" '
            f'"{unit_list[quota.unit].name}{purpose}" {fen(quota.amount)} CNY\n'
            f'  unit: "{unit_list[quota.unit].code}"\n'
            f'  stream: "{quota.stream}"\n'
            f'  function: "{quota.function}"\n'
            f'  economic: "{quota.economic}"\n'
            f'  control: "{quota.control}"\n'
            f'  document: "X财预〔{quota.year}〕{number}号"\n'
            f'  kind: "{quota.kind}"\n'
            f'  fund_type: "{quota.fund_type}"\n\n',
        )
        if quota.adjust:
            day, delta = quota.adjust
            put(
                day,
                f'{dates(day)} custom "quota-adjust" "{quota.qid}" {fen(delta)} CNY\n'
                f'  document: "X财预〔{quota.year}〕{1000 + number}号"\n\n',
            )
    _task_texts(put, task_list, unit_list, dates, rng, last_day)


def _task_texts(
    put: Any,
    task_list: list[_Task],
    unit_list: list[_Unit],
    dates: _Dates,
    rng: random.Random,
    last_day: int,
) -> None:
    """Each task's declaration, amendment, closing, and (half of them) a target and output."""
    for task in task_list:
        dcode, _, short, function, indicators = DEPARTMENTS[task.dept]
        year = datetime.date.fromordinal(task.declared).year
        number = int(task.tid.rsplit("-", 1)[1])
        community = f'  community: "{task.community}"\n' if task.community else ""
        put(
            task.declared,
            f'{dates(task.declared)} custom "task" "{task.tid}" "{task.title}" '
            f"{fen(task.amount)} CNY\n"
            f'  department: "{dcode}"\n'
            f'  unit: "{unit_list[task.unit].code}"\n'
            f"{community}"
            f"  due: {dates(task.due)}\n"
            f"  end: {dates(task.end)}\n"
            f'  function: "{function}"\n'
            f'  document: "X{short}发〔{year}〕{number}号"\n\n',
        )
        if task.amend:
            day, total, explicit = task.amend
            due = f"  due: {dates(day + 30)}\n" if explicit else ""
            put(
                day,
                f'{dates(day)} custom "task-amend" "{task.tid}" {fen(total)} CNY\n'
                f'  document: "X{short}发〔{year}〕{500 + number}号"\n{due}\n',
            )
        if task.end + 90 <= last_day:
            put(
                task.end,
                f'{dates(task.end)} custom "task-close" "{task.tid}" "carry-forward"\n'
                f'  document: "X财〔{year}〕{800 + number % 200}号"\n\n',
            )
        if rng.random() < 0.5:
            indicator, unit_word = rng.choice(indicators)
            target = rng.choice((10, 20, 50, 100, 200, 500))
            put(
                task.declared,
                f'{dates(task.declared)} custom "target" "{task.tid}" "{indicator}" '
                f'{target} "{unit_word}"\n\n',
            )
            done = min(task.end, last_day)
            put(
                done,
                f'{dates(done)} custom "output" "{task.tid}" "{indicator}" '
                f'{int(target * rng.uniform(0.8, 1.3))} "{unit_word}"\n\n',
            )
