"""Change history (变更记录): entries added, removed or changed, commit by commit.

The tool walks the commits between two revisions that touched a ``.beancount`` file
and compares, per commit, only the files it changed (each file version — git blob —
parsed once, without booking), as entries
(:func:`sandao.ledger.canonical.diff_entries`): moving an entry to another file in one
commit, reordering its metadata or reformatting it is not a change.  A change later
reverted therefore shows in both commits.  Each change carries the fields before and
after (date, payee, narration, postings' accounts and amounts, metadata, a directive's
values); ``period-close`` and ``ack`` directives are listed like any entry.  Beyond
:data:`MAX_WALK` commits, the earlier part of the range is one net comparison.  A
repository without commits, or whose first commit holds no books, gets a sentence.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beancount.core import data

from sandao.ledger import revisions
from sandao.ledger.canonical import (
    ADDED,
    CHANGED,
    REMOVED,
    Change,
    UnitIndex,
    declared_units,
    describe,
    diff_entries,
    where,
)
from sandao.ledger.canonical import _value as canonical_value
from sandao.ledger.revisions import Commit, GitError

#: Commits read one by one to attribute changes; longer ranges stop walking here.
MAX_WALK = 500
KIND_LABELS = {ADDED: "新增", REMOVED: "删除", CHANGED: "修改"}
NO_UNIT = "（无单位）"


@dataclass(frozen=True)
class FieldChange:
    """One field of an entry, before and after a commit."""

    field: str
    before: str
    after: str

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "before": self.before, "after": self.after}


@dataclass
class HistoryChange:
    kind: str
    unit: str
    entry: data.Directive
    old: data.Directive | None
    commit: Commit | None
    fields: list[FieldChange] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        entry = self.entry
        meta = entry.meta or {}
        return {
            "kind": self.kind,
            "unit": None if self.unit == NO_UNIT else self.unit,
            "date": entry.date.isoformat(),
            "type": type(entry).__name__ if type(entry) is not data.Custom else entry.type,
            "description": describe(entry),
            "file": meta.get("filename"),
            "line": meta.get("lineno"),
            "voucher": meta.get("voucher"),
            "old_file": (self.old.meta or {}).get("filename") if self.old else None,
            "old_line": (self.old.meta or {}).get("lineno") if self.old else None,
            "commit": self.commit.sha if self.commit else None,
            "author": self.commit.author if self.commit else None,
            "commit_date": self.commit.date if self.commit else None,
            "subject": self.commit.subject if self.commit else None,
            "fields": [f.to_json() for f in self.fields],
        }


@dataclass
class History:
    since: Commit | None
    until: Commit | None
    changes: list[HistoryChange] = field(default_factory=list)
    walked: int = 0
    truncated: bool = False
    #: Why there is nothing to compare (an empty repository, books not yet committed).
    empty: str | None = None

    def by_unit(self) -> dict[str, list[HistoryChange]]:
        groups: dict[str, list[HistoryChange]] = defaultdict(list)
        for change in self.changes:
            groups[change.unit].append(change)
        return dict(sorted(groups.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.sha if self.since else None,
            "until": self.until.sha if self.until else None,
            "commits_read": self.walked,
            "truncated": self.truncated,
            "empty": self.empty,
            "changes": [c.to_json() for c in self.changes],
        }


def _text(value: Any) -> str:
    return canonical_value(value)


def _fields_of(entry: data.Directive | None) -> dict[str, str]:
    """An entry as named fields (the Chinese labels history shows)."""
    if entry is None:
        return {}
    found: dict[str, str] = {"日期": entry.date.isoformat()}
    if type(entry) is data.Transaction:
        found["收款人"] = entry.payee or ""
        found["摘要"] = entry.narration or ""
        if entry.links:
            found["链接"] = " ".join(sorted(entry.links))
        amounts: dict[str, list[str]] = defaultdict(list)
        for posting in entry.postings:
            units = posting.units
            number = getattr(units, "number", None)
            text = "" if number is None else f"{_text(number)} {units.currency}"
            amounts[posting.account].append(text)
        for account, values in sorted(amounts.items()):
            found[f"金额 {account}"] = "、".join(sorted(values))
    elif type(entry) is data.Custom:
        for i, value in enumerate(entry.values):
            found[f"值{i + 1}"] = _text(value.value)
    else:
        for name in type(entry)._fields:
            if name not in ("meta", "date"):
                value = getattr(entry, name)
                if value is not None:
                    found[name] = _text(value)
    for key, value in (entry.meta or {}).items():
        if key not in ("filename", "lineno") and not str(key).startswith("__"):
            found[f"元数据 {key}"] = _text(value)
    return found


def field_changes(old: data.Directive | None, new: data.Directive | None) -> list[FieldChange]:
    """The fields that differ between two versions of an entry (all of them when one is None)."""
    before, after = _fields_of(old), _fields_of(new)
    out = []
    for name in list(before) + [n for n in after if n not in before]:
        if before.get(name, "") != after.get(name, ""):
            out.append(FieldChange(name, before.get(name, ""), after.get(name, "")))
    return out


def history(main_file: Path, since: str | None = None, until: str | None = None) -> History:
    """The changes between two revisions (default: the first commit and HEAD), commit by commit."""
    root = revisions.repository(main_file)
    if not revisions.has_commits(root):
        return History(None, None, empty="仓库还没有任何提交：提交账簿之后才有变更记录。")
    until_sha = revisions.resolve(root, until or "HEAD")
    since_sha = revisions.resolve(root, since) if since else revisions.root_commit(root)
    main = main_file.resolve()
    result = History(revisions.commit_info(root, since_sha), revisions.commit_info(root, until_sha))
    if not revisions.holds(root, until_sha, main):
        result.empty = f"仓库中还没有提交过账簿文件（{until or 'HEAD'} 中没有 {main.name}）。"
        return result
    commits = revisions.commits_between(root, since_sha, until_sha, ("*.beancount",))
    entries_until = revisions.entries_at(root, until_sha, main)
    units = declared_units(entries_until)
    start = 0
    if len(commits) > MAX_WALK:
        result.truncated = True
        start = len(commits) - MAX_WALK
        boundary = commits[start - 1]
        old = revisions.entries_at(root, since_sha, main)
        net = diff_entries(old, revisions.entries_at(root, boundary.sha, main))
        _record(result, net, boundary, UnitIndex({**declared_units(old), **units}))
    parsed: dict[str, list[data.Directive]] = {}

    def entries(blob: str, path: str) -> list[data.Directive]:
        if blob not in parsed:
            parsed[blob] = revisions.blob_entries(root, blob, path)
        return parsed[blob]

    for commit in commits[start:]:
        before: list[data.Directive] = []
        after: list[data.Directive] = []
        for old_blob, new_blob, path in revisions.changed_blobs(root, commit.sha):
            before += entries(old_blob, path)
            after += entries(new_blob, path)
        result.walked += 1
        steps = diff_entries(before, after)
        if steps:
            local = {**declared_units(before), **declared_units(after), **units}
            _record(result, steps, commit, UnitIndex(local))
    return result


def _record(result: History, steps: list[Change], commit: Commit, index: UnitIndex) -> None:
    for change in steps:
        found = set()
        for side in (change.old, change.new):
            if side is not None:
                found |= index.units(side)
        fields = field_changes(change.old, change.new)
        for unit in sorted(found) or [NO_UNIT]:
            result.changes.append(
                HistoryChange(change.kind, unit, change.entry, change.old, commit, fields)
            )


def render_text(result: History) -> str:
    """Human output in Chinese, grouped by unit, commit by commit."""
    if result.empty:
        return f"变更记录：{result.empty}\n"
    assert result.since is not None and result.until is not None
    head = (
        f"变更记录：{result.since.short}（{result.since.date[:10]}）→ "
        f"{result.until.short}（{result.until.date[:10]}），共 {len(result.changes)} 项"
        f"（逐次提交比较，读取 {result.walked} 次提交）"
    )
    lines = [head]
    if result.truncated:
        lines.append(f"（区间内提交过多，只逐一读取了最后 {MAX_WALK} 次提交，更早的合并比较）")
    if not result.changes:
        lines.append("两个版本之间没有分录变更（移动、重排元数据、改格式不算变更）。")
    for unit, changes in result.by_unit().items():
        lines.append("")
        lines.append(f"单位 {unit}（{len(changes)} 项）")
        for change in changes:
            commit = change.commit
            who = (
                f"{commit.short} {commit.author} {commit.date[:10]} {commit.subject}"
                if commit
                else ""
            )
            lines.append(
                f"  {KIND_LABELS[change.kind]} {where(change.entry)} {describe(change.entry)}"
            )
            lines.append(f"      提交 {who}")
            if change.kind == CHANGED:
                for f in change.fields:
                    lines.append(f"      {f.field}：{f.before or '（无）'} → {f.after or '（无）'}")
    return "\n".join(lines) + "\n"


__all__ = ["FieldChange", "GitError", "History", "HistoryChange", "history", "render_text"]
