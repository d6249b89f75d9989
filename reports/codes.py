"""Names of the 政府收支分类 codes the reports print, and the derived classes.

The books carry codes; the public tables need 类/款/项 names next to them.  Names come
from one classification table (disclosure-standard.md, "Names of codes"): the lists
bundled in ``reports/data/`` (every code of the official 决算 template, of the real
published documents the tests reproduce, and of the example county), which a county
extends or overrides in ``sandao.toml``::

    [codes.function]
    "2013999" = "其他社会工作事务支出"
    [codes.economic]
    "30239" = "其他交通费用"
    [codes]
    function_csv = "功能分类.csv"    # code,name — relative to sandao.toml
    economic_csv = "经济分类.csv"

Tables and text look cells up by code, never by name: 行政运行 stands under many 款.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any


def _bundled(name: str) -> dict[str, str]:
    text = resources.files("sandao.reports").joinpath("data", name).read_text("utf-8")
    return {row["code"]: row["name"] for row in csv.DictReader(io.StringIO(text))}


#: 支出功能分类科目 (function classification): 类 (3 digits), 款 (5), 项 (7).
FUNCTION_NAMES: dict[str, str] = _bundled("function_codes.csv")

#: 部门预算支出经济分类科目 (economic classification): 类 (3 digits), 款 (5).
ECONOMIC_NAMES: dict[str, str] = _bundled("economic_codes.csv")

#: What a draft prints for a code nobody named (a final 决算 stops instead).
UNKNOWN_NAME = "【科目名称未知】"


class CodesError(ValueError):
    """The ``[codes]`` section of the county config cannot be used."""


@dataclass(frozen=True)
class Classification:
    """Code → name for both classifications: the bundle, then the county's own."""

    function: dict[str, str] = field(default_factory=lambda: dict(FUNCTION_NAMES))
    economic: dict[str, str] = field(default_factory=lambda: dict(ECONOMIC_NAMES))

    def function_name(self, code: str) -> str:
        return self.function.get(code, "")

    def economic_name(self, code: str) -> str:
        return self.economic.get(code, "")


def _csv_names(path: Path, key: str) -> dict[str, str]:
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodesError(f"[codes] {key}：无法读取 {path}（{exc}）") from None
    names: dict[str, str] = {}
    for n, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if not row or (n == 1 and row[0].strip().lower() in ("code", "编码", "科目编码")):
            continue
        if len(row) < 2 or not row[0].strip().isdigit() or not row[1].strip():
            raise CodesError(f"[codes] {key}：{path} 第 {n} 行应为“编码,名称”，实际为 {row!r}")
        names[row[0].strip()] = row[1].strip()
    return names


def _inline(value: Any, key: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        str(c).isdigit() and isinstance(n, str) and n.strip() for c, n in value.items()
    ):
        raise CodesError(f'[codes.{key}] 应为 "编码" = "名称" 的表，如 "2013901" = "行政运行"')
    return {str(c): n.strip() for c, n in value.items()}


def classification(
    section: dict[str, Any] | None,
    base_dir: Path | None = None,
    books_economic: dict[str, str] | None = None,
) -> Classification:
    """The bundled names, then the books' own economic names (``30227-委托业务费``), then
    the county config's ``[codes]`` section."""
    out = Classification()
    out.economic.update(books_economic or {})
    if not section:
        return out
    known = ("function", "economic", "function_csv", "economic_csv")
    unknown = sorted(set(section) - set(known))
    if unknown:
        raise CodesError(f"[codes] 含未知项：{'、'.join(unknown)}（可用：{'、'.join(known)}）")
    for kind in ("function", "economic"):
        table = getattr(out, kind)
        csv_key = f"{kind}_csv"
        if csv_key in section:
            if not isinstance(section[csv_key], str):
                raise CodesError(f'[codes] {csv_key} 应为文件名（加引号），如 "功能分类.csv"')
            path = Path(section[csv_key])
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
            table.update(_csv_names(path, csv_key))
        if kind in section:
            table.update(_inline(section[kind], kind))
    return out


#: Derived classes (ledger-language.md): stream → 基本支出 / 项目支出.
BASIC = "基本支出"
PROJECT = "项目支出"
STREAM_CLASS: dict[str, str] = {"运转": BASIC, "建设": PROJECT, "职能": PROJECT}

PERSONNEL = "人员经费"
OPERATING = "公用经费"
CAPITAL = "资本性支出"


#: 三公经费: label → economic codes.
THREE_PUBLIC: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("因公出国（境）费", ("30212",)),
    ("公务用车购置费", ("31013",)),
    ("公务用车运行维护费", ("30231",)),
    ("公务接待费", ("30217",)),
)


def stream_class(stream: str | None) -> str:
    """基本支出 for 运转, 项目支出 for 建设/职能 (and anything unresolved)."""
    return STREAM_CLASS.get(stream or "", PROJECT)


def economic_class(economic: str | None) -> str:
    """人员经费 (301, 303), 公用经费 (302), 资本性支出 (310) or 其他."""
    head = (economic or "")[:3]
    if head in ("301", "303"):
        return PERSONNEL
    if head == "302":
        return OPERATING
    if head == "310":
        return CAPITAL
    return "其他"


def function_name(code: str | None) -> str:
    if not code:
        return "未分类"
    return FUNCTION_NAMES.get(code, "")


def economic_name(code: str | None, known: dict[str, str] | None = None) -> str:
    if not code:
        return "未细化"
    if known and code in known:
        return known[code]
    return ECONOMIC_NAMES.get(code, "")
