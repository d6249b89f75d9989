"""What ``sandao report`` checks before it reads the books: formats and the output folder.

Kept apart from the builders (no pandas here), so a bad ``--format`` or an ``--out``
that must not be replaced is reported at once, before a county's books are loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

FORMATS: tuple[str, ...] = ("html", "pdf", "xlsx", "csv", "json")
DEFAULT_FORMATS: tuple[str, ...] = ("html", "xlsx", "csv", "json")
#: The file that marks a folder as written by ``sandao report`` (so it may be replaced).
MARKER = ".sandao-report"


class ReportError(ValueError):
    """Bad report arguments or an output folder that must not be replaced."""


def parse_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The chosen formats, lower-cased and de-duplicated; unknown or none → ReportError."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ReportError(
            f"未知的输出格式：{', '.join(unknown) or '（空）'}；可选 {', '.join(FORMATS)}"
        )
    return chosen


def check_target(out_dir: Path) -> None:
    """Refuse a file, or a non-empty folder that no earlier report run wrote."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(f"输出位置 {out_dir} 已存在且不是文件夹")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise ReportError(
            f"输出文件夹 {out_dir} 不是空的，也不是 sandao 以前生成的报表文件夹；"
            "为免覆盖其中的文件，请换一个文件夹或先清空它"
        )


def check_templates(templates: str | Path | None) -> None:
    """A user templates folder, when given, must be a folder of templates that parse."""
    if templates is None:
        return
    if not Path(templates).is_dir():
        raise ReportError(f"模板文件夹不存在：{templates}")
    from sandao.reports.html import check_syntax

    check_syntax(templates)
