"""Closed periods (结账): the ``period-close`` directive, its digest and rule C001.

``sandao close LEDGER UNIT DATE`` appends
``DATE custom "period-close" "UNIT" DATE "sha256:…"``: the SHA-256 of the sorted
canonical lines (:func:`sandao.ledger.canonical.canonical`) of every entry of that unit
dated on or before DATE.  Review directives (``period-close``, ``ack``) are not part of
any digest.  Rule C001 recomputes the digest during the load; a mismatch means
something dated in the closed period was added, removed or edited.  Only then, and
only when the books are in git, the message names the changed entries by comparing
with the revision that recorded the digest (:mod:`sandao.ledger.revisions`).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beancount.core import data

from sandao.ledger.canonical import (
    ADDED,
    CHANGED,
    REMOVED,
    UnitIndex,
    canonical,
    counts,
    declared_units,
    describe,
    diff_entries,
    where,
)
from sandao.ledger.sink import FindingSink

PERIOD_CLOSE = "period-close"
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
#: Changed entries named in one C001 message at most.
MESSAGE_ENTRIES = 5


@dataclass(frozen=True)
class PeriodClose:
    unit: str
    date: datetime.date
    digest: str
    meta: dict[str, Any]


def read_closes(entries: Iterable[data.Directive], sink: FindingSink | None) -> list[PeriodClose]:
    """Every well-formed ``period-close``; malformed ones are S001 (when a sink is given)."""
    closes = []
    for entry in entries:
        if type(entry) is not data.Custom or entry.type != PERIOD_CLOSE:
            continue
        values = [v.value for v in entry.values]
        ok = (
            len(values) == 3
            and isinstance(values[0], str)
            and isinstance(values[1], datetime.date)
            and isinstance(values[2], str)
            and DIGEST.fullmatch(values[2]) is not None
        )
        if not ok:
            if sink is not None:
                sink.add(
                    "S001",
                    entry.meta,
                    entry.date,
                    'period-close 应写作 custom "period-close" "单位编码" 截止日期 "sha256:…"'
                    "（由 sandao close 生成）",
                )
            continue
        closes.append(PeriodClose(values[0], values[1], values[2], entry.meta))
    return closes


def unit_lines(
    entries: Iterable[data.Directive], units: set[str], until: datetime.date
) -> dict[str, list[str]]:
    """Canonical lines of every counted entry dated ≤ ``until``, per unit in ``units``."""
    entries = list(entries)
    index = UnitIndex(declared_units(entries))
    lines: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        if entry.date > until:
            break
        if not counts(entry):
            continue
        mine = index.units(entry) & units
        if mine:
            text = canonical(entry)
            for unit in mine:
                lines[unit].append(f"{entry.date.isoformat()}\x1d{text}")
    return lines


def digest_of(lines: list[str], date: datetime.date) -> str:
    """The digest of a unit's lines dated ≤ ``date`` (order-independent)."""
    cut = date.isoformat()
    chosen = sorted(line for line in lines if line[:10] <= cut)
    return "sha256:" + hashlib.sha256("\n".join(chosen).encode("utf-8")).hexdigest()


def period_digest(entries: Iterable[data.Directive], unit: str, date: datetime.date) -> str:
    """The digest ``sandao close`` records for ``unit`` up to ``date``."""
    entries = sorted(entries, key=data.entry_sortkey)
    return digest_of(unit_lines(entries, {unit}, date).get(unit, []), date)


def check_closed_periods(
    entries: list[data.Directive], options_map: dict[str, Any], sink: FindingSink
) -> None:
    """Rule C001 over loaded (sorted) entries."""
    closes = read_closes(
        (e for e in entries if type(e) is data.Custom and e.type == PERIOD_CLOSE), sink
    )
    if not closes:
        return
    last = max(c.date for c in closes)
    lines = unit_lines(entries, {c.unit for c in closes}, last)
    for close in closes:
        if digest_of(lines.get(close.unit, []), close.date) == close.digest:
            continue
        message = (
            f"已结账期间（单位 {close.unit}，截至 {close.date}）的分录与结账摘要不符："
            "该期间内的分录被新增、删除或修改；结账后的更正应记入未结账期间"
            "（如 3501 以前年度盈余调整）"
        )
        detail = _changed_in_git(entries, options_map, close)
        if detail:
            message += f"。{detail}"
        sink.add("C001", close.meta, close.date, message, unit=close.unit)


_KIND_LABEL = {ADDED: "新增", REMOVED: "删除", CHANGED: "修改"}


def _changed_in_git(
    entries: list[data.Directive], options_map: dict[str, Any], close: PeriodClose
) -> str:
    """The changed entries, compared with the revision that recorded the digest ('' if none)."""
    main = options_map.get("filename")
    if not main or str(main).startswith("<"):
        return ""
    from sandao.ledger import revisions

    try:
        root = revisions.repository(Path(main))
        found = revisions.commits_adding(root, close.digest)
        sha = found[-1] if found else revisions.resolve(root, "HEAD")
        old = revisions.entries_at(root, sha, Path(main))
    except (revisions.GitError, OSError, ValueError):
        return ""
    index_old = UnitIndex(declared_units(old))
    index_new = UnitIndex(declared_units(entries))

    def mine(items: list[data.Directive], index: UnitIndex) -> list[data.Directive]:
        return [e for e in items if e.date <= close.date and close.unit in index.units(e)]

    changes = diff_entries(mine(old, index_old), mine(entries, index_new))
    if not changes:
        return ""
    shown = "；".join(
        f"{_KIND_LABEL[c.kind]} {where(c.entry)} {describe(c.entry)}"
        for c in changes[:MESSAGE_ENTRIES]
    )
    more = f" 等 {len(changes)} 笔" if len(changes) > MESSAGE_ENTRIES else ""
    return f"与结账时的 git 版本 {sha[:7]} 相比：{shown}{more}"


def close_directive(unit: str, date: datetime.date, digest: str) -> str:
    """The directive ``sandao close`` appends."""
    return f'{date.isoformat()} custom "{PERIOD_CLOSE}" "{unit}" {date.isoformat()} "{digest}"\n'
