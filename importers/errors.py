"""Import failures that name the file, the row, the column and what was expected.

An export is either imported whole or not at all, so every problem found in a file is
collected as an :class:`ImportProblem` and the run stops with an :class:`ImportFailure`
that lists them in Chinese.  Row numbers are the row as a user sees it in Excel or a
text editor (1-based); columns are given as an Excel letter plus the header text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sandao.oserrors import os_reason

__all__ = ["ImportFailure", "ImportProblem", "column_letter", "fail", "os_reason"]

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
