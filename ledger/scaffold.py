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
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sandao.ledger.accounts import GOV_ACCOUNTS, STREAM_INCOME_CODES, component, gov_account
from sandao.ledger.declarations import COMMUNITY_CODE, DEPARTMENT_CODE, UNIT_CODE

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
    lines = ["; 会计科目 (chart of accounts) — 由 sandao init 生成，可按需增删", ""]
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


def _year_file(county: County) -> str:
    unit, unit_name = next(iter(county.units.items()))
    dept = next(iter(county.departments), "D01")
    dept_name = county.departments.get(dept, "")
    y = county.year
    zero = gov_account("Assets", unit, unit_name, "1011")
    income = gov_account("Income", unit, unit_name, "4001", STREAM_INCOME_CODES["运转"])
    return f"""\
;; 本年度（{y}）账务。下面是一个指标和一个职能任务的示例（已注释），取消注释即可使用。

; {y}-01-10 custom "quota" "ZB{y % 100:02d}-0001" "社区服务中心运转经费" 800000.00 CNY
;   unit: "{unit}"
;   stream: "运转"
;   function: "2120101"
;   economic: "302"
;   kind: "年初"
;   document: "X财预〔{y}〕1号"
; {y}-01-10 * "县财政局" "下达运转经费指标"
;   quota: "ZB{y % 100:02d}-0001"
;   {zero}  800000.00 CNY
;   {income}

; {y}-03-01 custom "task" "T{y}-001" "平安示范社区建设" 50000.00 CNY
;   department: "{dept}"   ; {dept_name}
;   unit: "{unit}"
;   due: {y}-03-31
;   end: {y}-12-31
;   function: "2040199"
;   document: "X政法发〔{y}〕1号"
"""


def _refuse_non_empty(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target}: 目录已存在且不为空，为免覆盖已拒绝（请指定新目录）")


def init_books(target: Path, county: County) -> list[Path]:
    """Write new books for ``county`` into ``target``; returns the files written."""
    county.validate()
    _refuse_non_empty(target)
    start = f"{county.year}-01-01"
    files = {
        "main.beancount": _main_file(county),
        "declarations.beancount": _declarations(county, start),
        "accounts.beancount": chart_of_accounts(county, start),
        f"{county.year}.beancount": _year_file(county),
        ".gitignore": GITIGNORE,
    }
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = target / name
        path.write_text(text, "utf-8")
        written.append(path)
    return written


def example_files() -> list[tuple[str, bytes]]:
    """(relative path, bytes) of every file of the bundled example books."""
    root = resources.files("sandao.ledger.example")
    found: list[tuple[str, bytes]] = []

    def walk(node, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = child.name
            if name.startswith((".", "__")) or name.endswith(".py"):
                continue
            if child.is_dir():
                walk(child, f"{prefix}{name}/")
            else:
                found.append((f"{prefix}{name}", child.read_bytes()))

    walk(root, "")
    return found


def write_example(target: Path) -> list[Path]:
    """Copy the bundled example county books into ``target`` (git-ready)."""
    _refuse_non_empty(target)
    written = []
    for relative, content in example_files():
        if relative == "gitignore":
            relative = ".gitignore"
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    if not (target / ".gitignore").exists():
        (target / ".gitignore").write_text(GITIGNORE, "utf-8")
        written.append(target / ".gitignore")
    return written


def example_main() -> Path:
    """Path of the bundled example's main file, as installed."""
    return Path(str(resources.files("sandao.ledger.example").joinpath("main.beancount")))


__all__ = ["GOV_ACCOUNTS", "County", "ScaffoldError", "init_books", "write_example"]
