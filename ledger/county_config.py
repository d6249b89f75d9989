"""The county config: ``sandao.toml`` beside the main file, read by every command.

A county keeps what differs from its neighbours out of code: its name and the contact
lines printed on public documents, its holiday calendar, the disclosure table set its
province uses, the audit and notice thresholds, the import mappings and the default
function code of each stream.  One file, one reader; each consumer parses its own
section (``section("audit")`` …) so this module stays small.

File (every table optional)::

    [county]
    name = "XX县"
    publish_date = 2025-09-30          # 公开时间
    phone = "0000-1234567"             # 联系电话
    supervision_phone = "0000-7654321" # 监督电话
    font = "fonts/思源黑体.otf"          # PDF 的中文字体文件（默认 Noto Sans CJK SC）
    holidays = [2025-10-01, 2025-10-02]  # 法定节假日（审计 AU17）
    workdays = [2025-09-28]            # 调休上班的周末

    [disclosure]   # the table set (titles, order, row lists), replacing the template's
    [codes]        # names of 功能分类 / 经济分类 codes beyond the bundled lists
    [audit]        # thresholds of AU01–AU17
    [notice]       # large_payment = 10000: the notice lists payments of at least this
    [import]       # what import.toml holds (import.toml is still read when present)

A table no command reads is refused by name (``[streams]`` was accepted and never read:
the default function of each stream is ``[disclosure] default_functions``).
"""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

#: The file name looked for beside the books' main file.
FILE_NAME = "sandao.toml"

#: Top-level tables a county config may hold.
SECTIONS: tuple[str, ...] = ("county", "disclosure", "codes", "audit", "notice", "import")
#: Tables once documented and never read: refused with where the setting lives.
_RETIRED = {
    "streams": '[disclosure] default_functions = { "运转" = "2120101", "建设" = "2120399" }'
}
#: ``[notice]`` keys: the smallest payment the community notice lists (元).
NOTICE_KEYS: tuple[str, ...] = ("large_payment",)

_COUNTY_TEXT_KEYS: tuple[str, ...] = ("name", "phone", "supervision_phone", "font")
_COUNTY_DATE_LIST_KEYS: tuple[str, ...] = ("holidays", "workdays")


class CountyConfigError(ValueError):
    """The county config cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class CountyInfo:
    """The ``[county]`` table: who publishes, how to reach them, which days are off."""

    name: str = ""
    publish_date: datetime.date | None = None
    phone: str = ""
    supervision_phone: str = ""
    #: the PDFs' CJK font file (absolute, or relative to the config); "" = Noto Sans CJK SC
    font: str = ""
    holidays: frozenset[datetime.date] = frozenset()
    workdays: frozenset[datetime.date] = frozenset()

    def is_day_off(self, day: datetime.date) -> bool:
        """A weekend day that is not a make-up workday, or a declared holiday."""
        if day in self.holidays:
            return True
        return day.weekday() >= 5 and day not in self.workdays


@dataclass(frozen=True)
class CountyConfig:
    """A county's settings; ``path`` is None when the books carry no config file."""

    path: Path | None = None
    county: CountyInfo = CountyInfo()
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        """The raw table ``[name]``; an empty dict when the file has none."""
        if name not in SECTIONS:
            raise KeyError(name)
        return self.sections.get(name, {})


def config_path_for(main_file: Path | None, explicit: Path | None = None) -> Path | None:
    """Which config file applies: the one given, else ``sandao.toml`` beside the books."""
    if explicit is not None:
        return Path(explicit)
    if main_file is None:
        return None
    candidate = Path(main_file).resolve().parent / FILE_NAME
    return candidate if candidate.is_file() else None


def load_county_config(main_file: Path | None, explicit: Path | None = None) -> CountyConfig:
    """Read the county config for the books at ``main_file`` (or the ``explicit`` file).

    No file beside the books gives the defaults; an explicit file that is missing,
    unreadable or malformed raises :class:`CountyConfigError`.
    """
    path = config_path_for(main_file, explicit)
    if path is None:
        return CountyConfig()
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise CountyConfigError(f"找不到县配置文件 {path}") from None
    except IsADirectoryError:
        raise CountyConfigError(f"县配置 {path} 是文件夹，应为 TOML 文件") from None
    except UnicodeDecodeError:
        raise CountyConfigError(f"县配置 {path} 不是 UTF-8 编码") from None
    except OSError as exc:
        raise CountyConfigError(f"无法读取县配置 {path}：{exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CountyConfigError(f"县配置 {path} 不是有效的 TOML：{exc}") from None
    return parse_county_config(data, path)


def parse_county_config(data: dict[str, Any], path: Path | None = None) -> CountyConfig:
    """Check the tables of a parsed config and read its ``[county]`` table."""
    where = str(path) if path else FILE_NAME
    sections: dict[str, dict[str, Any]] = {}
    for name, table in data.items():
        if name in _RETIRED:
            raise CountyConfigError(
                f"县配置 {where}：表 [{name}] 不会被读取，请删去；各资金渠道的默认功能分类写作 {_RETIRED[name]}"
            )
        if name not in SECTIONS:
            known = "、".join(f"[{s}]" for s in SECTIONS)
            raise CountyConfigError(f"县配置 {where}：未知的表 [{name}]（可用：{known}）")
        if not isinstance(table, dict):
            raise CountyConfigError(f"县配置 {where}：{name} 应为表 [{name}]")
        sections[name] = table
    county = _county_info(sections.get("county", {}), where)
    if county.font and path is not None and not Path(county.font).is_absolute():
        county = replace(county, font=str(Path(path).parent / county.font))
    _check_notice(sections.get("notice", {}), where)
    return CountyConfig(path=path, county=county, sections=sections)


def _check_notice(table: dict[str, Any], where: str) -> None:
    for key, value in table.items():
        if key not in NOTICE_KEYS:
            raise CountyConfigError(
                f"县配置 {where}：[notice] 中未知的键 {key}（可用：{'、'.join(NOTICE_KEYS)}）"
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CountyConfigError(
                f"县配置 {where}：[notice] {key} 应为金额（元），实际为 {value!r}"
            )
        if not 0 <= value < 1e15:  # nan fails both comparisons
            raise CountyConfigError(
                f"县配置 {where}：[notice] {key} 应为 0 到 10 的 15 次方之间的金额（元），实际为 {value!r}"
            )


def large_payment(config: CountyConfig | None, default: Decimal) -> Decimal:
    """``[notice] large_payment`` as a Decimal (checked when the file was read), or ``default``."""
    value = config.section("notice").get("large_payment") if config is not None else None
    return default if value is None else Decimal(str(value))


def _county_info(table: dict[str, Any], where: str) -> CountyInfo:
    known = (*_COUNTY_TEXT_KEYS, "publish_date", *_COUNTY_DATE_LIST_KEYS)
    for key in table:
        if key not in known:
            raise CountyConfigError(
                f"县配置 {where}：[county] 中未知的键 {key}（可用：{'、'.join(known)}）"
            )
    values: dict[str, Any] = {}
    for key in _COUNTY_TEXT_KEYS:
        if key in table:
            if not isinstance(table[key], str):
                raise CountyConfigError(f"县配置 {where}：[county] {key} 应为文字（加引号）")
            values[key] = table[key]
    if "publish_date" in table:
        values["publish_date"] = _date(table["publish_date"], where, "publish_date")
    for key in _COUNTY_DATE_LIST_KEYS:
        if key in table:
            items = table[key]
            if not isinstance(items, list):
                raise CountyConfigError(f"县配置 {where}：[county] {key} 应为日期列表")
            values[key] = frozenset(_date(item, where, key) for item in items)
    return CountyInfo(**values)


def _date(value: Any, where: str, key: str) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise CountyConfigError(f"县配置 {where}：[county] {key} 应为日期 YYYY-MM-DD，实际为 {value!r}")
