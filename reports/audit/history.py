"""Change history (变更记录): entries added, removed or changed between two git revisions.

The books of both revisions are read from git (never from the work tree) and compared
as entries (:func:`sandao.ledger.canonical.diff_entries`): moving an entry to another
file, reordering its metadata or reformatting it is not a change.  Each change is
attributed to the commit that last made it, by reading the books at every commit in
between that touched a ``.beancount`` file — only the files each commit changed, each file
version parsed once (at most :data:`MAX_WALK` commits; beyond that a change is attributed to
the last commit of the range).
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
    canonical,
    declared_units,
    describe,
    diff_entries,
    identity,
    where,
)
from sandao.ledger.revisions import Commit, GitError

#: Commits read one by one to attribute changes; longer ranges stop walking here.
MAX_WALK = 500
KIND_LABELS = {ADDED: "新增", REMOVED: "删除", CHANGED: "修改"}
NO_UNIT = "（无单位）"


@dataclass
class HistoryChange:
    kind: str
    unit: str
    entry: data.Directive
    old: data.Directive | None
    commit: Commit | None

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
        }


@dataclass
class History:
    since: Commit
    until: Commit
    changes: list[HistoryChange] = field(default_factory=list)
    walked: int = 0
    truncated: bool = False

    def by_unit(self) -> dict[str, list[HistoryChange]]:
        groups: dict[str, list[HistoryChange]] = defaultdict(list)
        for change in self.changes:
            groups[change.unit].append(change)
        return dict(sorted(groups.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.sha,
            "until": self.until.sha,
            "commits_read": self.walked,
            "truncated": self.truncated,
            "changes": [c.to_json() for c in self.changes],
        }


def _key(change: Change) -> tuple:
    return (change.kind, identity(change.entry), canonical(change.entry))


def history(main_file: Path, since: str | None = None, until: str | None = None) -> History:
    """The changes between two revisions (default: the first commit and HEAD)."""
    root = revisions.repository(main_file)
    until_sha = revisions.resolve(root, until or "HEAD")
    since_sha = revisions.resolve(root, since) if since else revisions.root_commit(root)
    main = main_file.resolve()
    entries_since = revisions.entries_at(root, since_sha, main)
    entries_until = revisions.entries_at(root, until_sha, main)
    net = diff_entries(entries_since, entries_until)
    result = History(revisions.commit_info(root, since_sha), revisions.commit_info(root, until_sha))
    commits = revisions.commits_between(root, since_sha, until_sha, ("*.beancount",))
    blame = _attribute(root, net, commits, result)
    index_old = UnitIndex(declared_units(entries_since))
    index_new = UnitIndex(declared_units(entries_until))
    for change in net:
        units = set()
        if change.new is not None:
            units |= index_new.units(change.new)
        if change.old is not None:
            units |= index_old.units(change.old)
        commit = blame.get(_key(change), result.until)
        for unit in sorted(units) or [NO_UNIT]:
            result.changes.append(
                HistoryChange(change.kind, unit, change.entry, change.old, commit)
            )
    return result


def _attribute(root: Path, net: list[Change], commits: list[Commit], result: History) -> dict:
    """Which commit last touched each net change's entry.

    Per commit only the ``.beancount`` files it changed are read (each file version —
    git blob — parsed once, without booking) and compared as entries; a change is
    recognised by the identity of either of its sides.
    """
    if not net or not commits:
        return {}
    wanted: dict[tuple, list[tuple]] = defaultdict(list)
    for change in net:
        for side in (change.old, change.new):
            if side is not None:
                wanted[identity(side)].append(_key(change))
    if len(commits) > MAX_WALK:
        result.truncated = True
        commits = commits[-MAX_WALK:]
    parsed: dict[str, list[data.Directive]] = {}

    def entries(blob: str, path: str) -> list[data.Directive]:
        if blob not in parsed:
            parsed[blob] = revisions.blob_entries(root, blob, path)
        return parsed[blob]

    blame: dict[tuple, Commit] = {}
    for commit in commits:
        before: list[data.Directive] = []
        after: list[data.Directive] = []
        for old_blob, new_blob, path in revisions.changed_blobs(root, commit.sha):
            before += entries(old_blob, path)
            after += entries(new_blob, path)
        result.walked += 1
        for step in diff_entries(before, after):
            for side in (step.old, step.new):
                if side is not None:
                    for key in wanted.get(identity(side), ()):
                        blame[key] = commit
    return blame


def render_text(result: History) -> str:
    """Human output in Chinese, grouped by unit."""
    head = (
        f"变更记录：{result.since.short}（{result.since.date[:10]}）→ "
        f"{result.until.short}（{result.until.date[:10]}），共 {len(result.changes)} 项"
    )
    lines = [head]
    if result.truncated:
        lines.append(f"（区间内提交过多，只逐一读取了最后 {MAX_WALK} 次提交）")
    if not result.changes:
        lines.append("两个版本的分录相同（移动、重排元数据、改格式不算变更）。")
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
    return "\n".join(lines) + "\n"


__all__ = ["GitError", "History", "HistoryChange", "history", "render_text"]
