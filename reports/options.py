"""What ``sandao report`` checks before it reads the books: formats and the output folder.

Kept apart from the builders (no pandas here), so a bad ``--format`` or an ``--out``
that must not be replaced is reported at once, before a county's books are loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

FORMATS: tuple[str, ...] = ("html", "pdf", "xlsx", "csv", "json")
DEFAULT_FORMATS: tuple[str, ...] = ("html", "xlsx", "csv", "json")
#: The file that marks a folder as written by ``sandao report`` (so it may be replaced);
#: it lists every file the run wrote, so a file put there later is known as the user's.
MARKER = ".sandao-report"
_MARKER_HEAD = "sandao report output"
#: Foreign files named in the refusal at most.
_NAMED = 5


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
    """Refuse a file, a non-empty folder that no earlier report run wrote, or an earlier
    report folder holding files that run did not write (a user's notes): replacing the
    folder would delete them."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(f"输出位置 {out_dir} 已存在且不是文件夹")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise ReportError(
            f"输出文件夹 {out_dir} 不是空的，也不是 sandao 以前生成的报表文件夹；"
            "为免覆盖其中的文件，请换一个文件夹或先清空它"
        )
    foreign = foreign_files(out_dir)
    if foreign:
        names = "、".join(foreign[:_NAMED]) + ("等" if len(foreign) > _NAMED else "")
        raise ReportError(
            f"输出文件夹 {out_dir} 中有 {len(foreign)} 个不是 sandao 写的文件（{names}），"
            "重新生成会替换整个文件夹并删掉它们；请先把这些文件移走，或换一个输出文件夹"
        )


def _files(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if (p.is_file() or p.is_symlink()) and p.name != MARKER
    )


def foreign_files(out_dir: Path) -> list[str]:
    """Files of an earlier report folder that its run did not write (none for a folder
    marked by a version that kept no list)."""
    try:
        lines = (out_dir / MARKER).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    if len(lines) < 2:
        return []
    written = set(lines[1:])
    return [name for name in _files(out_dir) if name not in written]


def mark(folder: Path) -> None:
    """Mark a finished report folder as sandao's, listing every file in it."""
    (folder / MARKER).write_text(
        "\n".join([_MARKER_HEAD, *_files(folder)]) + "\n", encoding="utf-8"
    )
