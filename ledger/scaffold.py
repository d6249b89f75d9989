"""New books: ``sandao init`` scaffolds a county, ``sandao example`` copies the bundled one.

Both write a git-ready folder: ``main.beancount`` with the plugin enabled and its
includes, a generated chart of accounts (codes first), and a ``.gitignore`` for
Beancount's pickle caches and report output.  Nothing is overwritten: an existing
non-empty folder is refused.
"""

from __future__ import annotations

import datetime
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sandao.folders import replacing_folder
from sandao.ledger.accounts import GOV_ACCOUNTS, STREAM_INCOME_CODES, component, gov_account
from sandao.ledger.vocabulary import COMMUNITY_CODE, DEPARTMENT_CODE, UNIT_CODE

GITIGNORE = """\
# Beancount load caches
.*.picklecache
__pycache__/
# report output
out/
reports-out/
"""

#: Economic codes opened as expense accounts for every unit (政府支出经济分类).
EXPENSE_CODES: dict[str, str] = {
    "30101": "基本工资",
    "30199": "其他工资福利支出",
    "30201": "办公费",
    "30205": "水费",
    "30206": "电费",
    "30207": "邮电费",
    "30211": "差旅费",
    "30213": "维修（护）费",
    "30216": "培训费",
    "30226": "劳务费",
    "30227": "委托业务费",
    "30229": "福利费",
    "30299": "其他商品和服务支出",
    "30305": "生活补助",
    "31002": "办公设备购置",
}


class ScaffoldError(ValueError):
    """The county description is incomplete or malformed."""


@dataclass
class County:
    """What ``init`` needs: units, communities (with their unit) and departments."""

    name: str = "XX县"
    year: int = field(default_factory=lambda: datetime.date.today().year)
    units: dict[str, str] = field(default_factory=dict)
    communities: dict[str, tuple[str, str]] = field(default_factory=dict)
    departments: dict[str, str] = field(default_factory=dict)

    def validate(self) -> None:
        if not self.units:
            raise ScaffoldError("至少需要一个单位，如 --unit C101=城东社区服务中心")
        for code in self.units:
            _code(code, UNIT_CODE, "单位")
        for code, (_, unit) in self.communities.items():
            _code(code, COMMUNITY_CODE, "社区")
            if unit not in self.units:
                raise ScaffoldError(f"社区 {code} 所属单位 {unit} 未声明")
        for code in self.departments:
            _code(code, DEPARTMENT_CODE, "部门")


def _code(code: str, pattern: re.Pattern[str], label: str) -> None:
    if not pattern.fullmatch(code):
        raise ScaffoldError(
            f"{label}编码 {code!r} 格式不正确（应为大写字母开头的字母数字，部门以 D 开头）"
        )


def parse_pair(text: str, label: str) -> tuple[str, str]:
    """``C101=城东社区服务中心`` → (code, name)."""
    code, sep, name = text.partition("=")
    if not sep or not code.strip() or not name.strip():
        raise ScaffoldError(f"{label} 应写作 编码=名称，实际为 {text!r}")
    return code.strip(), name.strip()


def county_from_toml(path: Path) -> County:
    """Read a small county file: ``[units] C101 = "城东社区服务中心"`` etc."""
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScaffoldError(f"{path}: 无法读取：{exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScaffoldError(f"{path}: TOML 格式错误：{exc}") from None
    county = County(name=str(raw.get("name", "XX县")))
    if "year" in raw:
        county.year = int(raw["year"])
    county.units = {str(k): str(v) for k, v in raw.get("units", {}).items()}
    county.departments = {str(k): str(v) for k, v in raw.get("departments", {}).items()}
    for code, spec in raw.get("communities", {}).items():
        if not isinstance(spec, dict) or "name" not in spec or "unit" not in spec:
            raise ScaffoldError(
                f'{path}: 社区 {code} 应写作 {code} = {{ name = "…", unit = "C101" }}'
            )
        county.communities[str(code)] = (str(spec["name"]), str(spec["unit"]))
    return county


def _declarations(county: County, start: str) -> str:
    lines = ["; 单位、社区、部门声明 (declarations)", ""]
    for code, name in county.units.items():
        lines += [f'{start} custom "unit" "{code}" "{name}"', '  kind: "事业单位"']
    lines.append("")
    for code, (name, unit) in county.communities.items():
        lines += [f'{start} custom "community" "{code}" "{name}"', f'  unit: "{unit}"']
    lines.append("")
    for code, name in county.departments.items():
        lines.append(f'{start} custom "department" "{code}" "{name}"')
    return "\n".join(lines) + "\n"


def chart_of_accounts(county: County, start: str) -> str:
    """Open directives for every unit: codes first, Chinese after a dash."""
    lines = [
        "; 会计科目 (chart of accounts) — 由 sandao init 生成，可按需增删",
        f"; 支出科目默认为{DEFAULT_EXPENSE_STREAM}经费、功能分类 {DEFAULT_EXPENSE_FUNCTION}"
        "（城乡社区管理事务-行政运行）；",
        "; 任务链接 ^T… 使其归为职能经费；其他用途在交易或分录上写 stream: / function: 覆盖。",
        "",
    ]
    for unit, unit_name in county.units.items():
        lines.append(f"; {unit} {unit_name}")
        for code in ("1002", "1011"):
            lines.append(f"{start} open {gov_account('Assets', unit, unit_name, code)} CNY")
        lines.append(f"{start} open {gov_account('Assets', unit, unit_name, '1613')} CNY")
        lines.append('  economic: "31001"')
        lines.append(f"{start} open {gov_account('Equity', unit, unit_name, '3001')} CNY")
        for stream in ("运转", "建设"):
            account = gov_account("Income", unit, unit_name, "4001", STREAM_INCOME_CODES[stream])
            lines += [f"{start} open {account} CNY", f'  stream: "{stream}"']
        for dept, dept_name in county.departments.items():
            # a department's own cash is 其他收入, not 财政拨款收入 (rule D003)
            account = gov_account("Income", unit, unit_name, "4609", component(dept, dept_name))
            lines += [f"{start} open {account} CNY", '  stream: "职能"']
        for code, name in EXPENSE_CODES.items():
            lines.append(f"{start} open Expenses:{component(unit, unit_name)}:{code}-{name} CNY")
            lines.append(f'  stream: "{DEFAULT_EXPENSE_STREAM}"')
            lines.append(f'  function: "{DEFAULT_EXPENSE_FUNCTION}"')
        lines.append("")
    return "\n".join(lines)


def _main_file(county: County) -> str:
    return f"""\
; {county.name}三到社区资金台账 — 由 sandao init 生成
option "title" "{county.name}三到社区资金台账"
option "operating_currency" "CNY"

; 启用资金规则（费随事转、指标控制等）：bean-check、Fava 与 sandao check 显示同样的结果
plugin "sandao.ledger"

include "declarations.beancount"
include "accounts.beancount"
include "{county.year}.beancount"
"""


#: What a plain expense on an ``init`` account counts as when nothing more specific is
#: written: operating money (运转) under 城乡社区管理事务-行政运行.  A task link (stream),
#: or ``stream:``/``function:`` on the transaction or posting, takes precedence.
DEFAULT_EXPENSE_STREAM = "运转"
DEFAULT_EXPENSE_FUNCTION = "2120101"

#: Marks the worked first month in the year file, so tools and tests can find it.
FIRST_MONTH_BEGIN = ";; ---- 第一个月示例（worked first month）开始 ----"
FIRST_MONTH_END = ";; ---- 第一个月示例 结束 ----"


def first_month(county: County) -> str:
    """The README's worked first month for ``county``'s first unit, department and community.

    Quota, its arrival, a task, the department's cash transfer (4609 其他收入), spending
    from the quota, from the task and from the bank, the bank's opening balance and a
    balance assertion: books that check clean with no finding.  ``init`` writes it
    commented out into the year file; the README shows it for the README's ``init``.
    """
    month = _Month.of(county)
    return (
        _own_department(month)
        + _opening_and_quota(month)
        + _task_and_transfer(month)
        + _spending_and_balance(month)
    )


@dataclass(frozen=True)
class _Month:
    """The names the worked first month uses: its year, unit, department, community."""

    year: int
    unit: str
    unit_name: str
    dept: str
    dept_name: str
    community: str | None
    #: the department is not in the county (``init`` without ``--department``)
    undeclared_dept: bool

    @classmethod
    def of(cls, county: County) -> _Month:
        unit, unit_name = next(iter(county.units.items()))
        dept, dept_name = next(iter(county.departments.items()), ("D01", "县委政法委"))
        community = next(
            (code for code, (_, owner) in county.communities.items() if owner == unit), None
        )
        return cls(
            county.year, unit, unit_name, dept, dept_name, community,
            dept not in county.departments,
        )  # fmt: skip

    @property
    def quota(self) -> str:
        return f"ZB{self.year % 100:02d}-0001"

    @property
    def task(self) -> str:
        return f"T{self.year}-001"

    def acct(self, root: str, code: str, *rest: str) -> str:
        return gov_account(root, self.unit, self.unit_name, code, *rest)

    def expense(self, code: str) -> str:
        return f"Expenses:{component(self.unit, self.unit_name)}:{code}-{EXPENSE_CODES[code]}"

    @property
    def transfer_from(self) -> str:
        return self.acct("Income", "4609", component(self.dept, self.dept_name))


def _post(account: str, amount: str = "") -> str:
    """A posting line, amounts right-aligned in column 66 as an editor shows them (CJK = 2
    columns)."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in account)
    pad = max(2, 64 - shown - len(amount))
    return f"  {account}{' ' * pad}{amount} CNY" if amount else f"  {account}"


def _own_department(m: _Month) -> str:
    """Books made without --department: the month declares its own, with its account."""
    if not m.undeclared_dept:
        return ""
    return f"""\
; 0 交办部门（init 时没有给 --department，这里补上声明和它的收入科目）
{m.year}-01-01 custom "department" "{m.dept}" "{m.dept_name}"
{m.year}-01-01 open {m.transfer_from} CNY
  stream: "职能"

"""


def _opening_and_quota(m: _Month) -> str:
    """Steps 1–2: the bank's opening balance, the quota and its arrival."""
    y, bank, zero = m.year, m.acct("Assets", "1002"), m.acct("Assets", "1011")
    return f"""\
; 1 期初：银行存款的上年余额（以银行对账单 {y - 1}-12-31 的余额为准）
{y}-01-01 * "期初余额" "银行存款上年余额"
{_post(bank, "35210.40")}
{_post(m.acct("Equity", "3001"))}

; 2 指标：财政局下达的预算指标（导入「预算指标」导出文件也会写出这两笔）
{y}-01-10 custom "quota" "{m.quota}" "社区服务中心运转经费" 800000.00 CNY
  unit: "{m.unit}"
  stream: "运转"
  function: "2120101"
  economic: "302"
  kind: "年初"
  document: "X财预〔{y}〕1号"
{y}-01-10 * "县财政局" "下达运转经费指标"
  quota: "{m.quota}"
{_post(zero, "800000.00")}
{_post(m.acct("Income", "4001", STREAM_INCOME_CODES["运转"]))}

"""


def _task_and_transfer(m: _Month) -> str:
    """Steps 3–4: the department's task and its cash transfer to the unit's bank."""
    y = m.year
    community_line = f'\n  community: "{m.community}"' if m.community else ""
    return f"""\
; 3 任务：部门交给单位的工作（费随事转），拨付期限前经费须到位
{y}-01-15 custom "task" "{m.task}" "平安示范社区建设" 50000.00 CNY
  department: "{m.dept}"{community_line}
  unit: "{m.unit}"
  due: {y}-01-31
  end: {y}-12-31
  document: "X政法发〔{y}〕1号"

; 4 拨款：部门把任务经费转到单位的银行账户（部门的钱记 4609 其他收入:部门）
{y}-01-25 * "{m.dept_name}" "拨付平安示范社区建设经费" ^{m.task}
{_post(m.acct("Assets", "1002"), "50000.00")}
{_post(m.transfer_from)}

"""


def _spending_and_balance(m: _Month) -> str:
    """Steps 5–6: spending from the quota, the task and the bank; the month-end balance."""
    y, bank, zero = m.year, m.acct("Assets", "1002"), m.acct("Assets", "1011")
    return f"""\
; 5 支出：挂指标的国库支付、挂任务的银行支付、普通的银行支付
{y}-01-20 * "县供电公司" "1月电费"
  quota: "{m.quota}"
{_post(m.expense("30206"), "3421.50")}
{_post(zero)}
{y}-01-28 * "城江社区" "平安社区宣传栏制作" ^{m.task}
{_post(m.expense("30227"), "12000.00")}
{_post(bank)}
{y}-01-29 * "县文具店" "办公用品"
{_post(m.expense("30201"), "860.00")}
{_post(bank)}

; 6 对账：月末银行对账单余额（balance 检查的是当天开始时的余额）
{y}-02-01 balance {bank} 72350.40 CNY
"""


def _year_file(county: County) -> str:
    month = "\n".join(f"; {line}" if line else ";" for line in first_month(county).splitlines())
    return f"""\
;; 本年度（{county.year}）账务。下面是第一个月的完整示例（已注释）：期初余额、指标、任务、
;; 拨款、支出、对账。去掉行首的 "; " 即可使用（README「第一次使用」逐笔说明）。

{FIRST_MONTH_BEGIN}
{month}
{FIRST_MONTH_END}
"""


def _refuse_non_empty(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target}: 已存在同名文件，不是目录；请指定一个新目录的名字")
    if target.is_dir() and any(target.iterdir()):
        raise ScaffoldError(f"{target}: 目录已存在且不为空，为免覆盖已拒绝（请指定新目录）")


def init_books(target: Path, county: County) -> list[Path]:
    """Write new books for ``county`` into ``target``; returns the files written."""
    county.validate()
    start = f"{county.year}-01-01"
    files = {
        "main.beancount": _main_file(county),
        "declarations.beancount": _declarations(county, start),
        "accounts.beancount": chart_of_accounts(county, start),
        f"{county.year}.beancount": _year_file(county),
        ".gitignore": GITIGNORE,
    }
    with replacing_folder(target, check=_refuse_non_empty) as staging:
        for name, text in files.items():
            (staging / name).write_text(text, "utf-8")
    return [target / name for name in files]


#: The example's import configuration for Fava's 导入 page and beangulp (a file of the books).
EXAMPLE_IMPORTERS = "importers.py"


def example_files() -> list[tuple[str, bytes]]:
    """(relative path, bytes) of every file of the bundled example books."""
    root = resources.files("sandao.ledger.example")
    found: list[tuple[str, bytes]] = []

    def walk(node, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = child.name
            # importers.py is the books' import configuration (Fava, beangulp), not code of sandao.
            if name.startswith((".", "__")) or (name.endswith(".py") and name != EXAMPLE_IMPORTERS):
                continue
            if child.is_dir():
                walk(child, f"{prefix}{name}/")
            else:
                found.append((f"{prefix}{name}", child.read_bytes()))

    walk(root, "")
    return found


def write_example(target: Path) -> list[Path]:
    """Copy the bundled example county books into ``target`` (git-ready)."""
    relatives = []
    with replacing_folder(target, check=_refuse_non_empty) as staging:
        for relative, content in example_files():
            if relative == "gitignore":
                relative = ".gitignore"
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            relatives.append(relative)
        if not (staging / ".gitignore").exists():
            (staging / ".gitignore").write_text(GITIGNORE, "utf-8")
            relatives.append(".gitignore")
    return [target / relative for relative in relatives]


def example_main() -> Path:
    """Path of the bundled example's main file, as installed."""
    return Path(str(resources.files("sandao.ledger.example").joinpath("main.beancount")))


__all__ = ["GOV_ACCOUNTS", "County", "ScaffoldError", "init_books", "write_example"]
