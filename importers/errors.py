"""Import failures that name the file, the row, the column and what was expected.

An export is either imported whole or not at all, so every problem found in a file is
collected as an :class:`ImportProblem` and the run stops with an :class:`ImportFailure`
that lists them in Chinese.  Row numbers are the row as a user sees it in Excel or a
text editor (1-based); columns are given as an Excel letter plus the header text.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass

#: At most this many problems are listed per file; the rest are counted.
MAX_LISTED = 20


def column_letter(index: int) -> str:
    """Excel column letter of a 0-based column index: 0 → A, 27 → AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_OS_REASONS = {
    errno.ENOENT: "文件或目录不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统只读",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EISDIR: "是目录，不是文件",
    errno.EEXIST: "已存在同名文件",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EDQUOT: "超出磁盘配额",
}


def os_reason(exc: OSError) -> str:
    """A Chinese phrase for an operating-system error (the errno text as a fallback)."""
    return _OS_REASONS.get(exc.errno or 0) or f"系统错误：{exc.strerror or exc}"


@dataclass(frozen=True)
class ImportProblem:
    """One problem in one place of one export file."""

    path: str
    message: str
    row: int | None = None
    column: int | None = None
    header: str | None = None

    def where(self) -> str:
        """``文件 a.csv 第 5 行 M 列「支付金额」``, as much of it as is known."""
        parts = [f"文件 {os.path.basename(self.path)}"]
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column is not None:
            label = f"{column_letter(self.column)} 列（第 {self.column + 1} 列）"
            if self.header:
                label += f"「{self.header}」"
            parts.append(label)
        elif self.header:
            parts.append(f"表头「{self.header}」")
        return " ".join(parts)

    def __str__(self) -> str:
        return f"{self.where()}：{self.message}"


class ImportFailure(Exception):
    """A file (or the run) cannot be imported; nothing is written."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        shown = [str(p) for p in self.problems[:MAX_LISTED]]
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            shown.append(f"……另有 {hidden} 处问题未列出")
        return "\n".join(shown)


def fail(
    path: str,
    message: str,
    row: int | None = None,
    column: int | None = None,
    header: str | None = None,
) -> ImportFailure:
    """A one-problem :class:`ImportFailure` (to be raised by the caller)."""
    return ImportFailure([ImportProblem(path, message, row, column, header)])
