"""Closed periods (结账): the ``period-close`` directive, its digest and rule C001.

``sandao close LEDGER UNIT DATE`` appends
``DATE custom "period-close" "UNIT" DATE "sha256:…"``: the SHA-256 of the sorted
canonical lines (:func:`sandao.ledger.canonical.canonical`) of every entry of that unit
dated on or before DATE, ``ack`` directives included (an ack added after the close
changes the digest).  ``period-close`` directives are not part of any digest; two for
one unit and date are S001, and so is a plugin other than Beancount's own listed
before the project's (it could change entries before they are hashed).  Rule C001 recomputes the digest during the load; a mismatch means
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
    PERIOD_CLOSE,
    REMOVED,
    UnitIndex,
    canonical,
    declared_units,
    describe,
    diff_entries,
    in_digest,
    where,
)
from sandao.ledger.sink import FindingSink

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
        if any(c.unit == values[0] and c.date == values[1] for c in closes):
            if sink is not None:
                sink.add(
                    "S001",
                    entry.meta,
                    entry.date,
                    f"单位 {values[0]} 截至 {values[1]} 有两条 period-close：同一期间只能结账一次"
                    "（重新结账须先删除旧的一条，并由保管结账证书的部门用 sandao verify 核对）",
                    unit=values[0],
                )
            continue
        closes.append(PeriodClose(values[0], values[1], values[2], entry.meta))
    return closes


#: The project's plugin, as a books' ``plugin`` line names it.
PROJECT_PLUGINS = frozenset({"sandao.ledger", "sandao.ledger.plugin"})


def foreign_plugins_first(options_map: dict[str, Any]) -> list[str]:
    """Plugins other than Beancount's own listed before the project's (empty when the
    project's plugin is not listed)."""
    names = [str(name) for name, _ in options_map.get("plugin", [])]
    for i, name in enumerate(names):
        if name in PROJECT_PLUGINS:
            return [n for n in names[:i] if not n.startswith("beancount.")]
    return []


def _plugin_meta(options_map: dict[str, Any], name: str) -> dict[str, Any]:
    """filename/lineno of a ``plugin "name"`` line in the books' files (best effort)."""
    needle = f'plugin "{name}"'
    for path in options_map.get("include", []):
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, 1):
            if line.lstrip().startswith(needle):
                return {"filename": path, "lineno": number}
    return {"filename": options_map.get("filename"), "lineno": 0}


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
        if not in_digest(entry):
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
    entries: list[data.Directive],
    options_map: dict[str, Any],
    sink: FindingSink,
    customs: list[data.Custom] | None = None,
) -> None:
    """Rule C001 over loaded (sorted) entries (``customs``: their custom directives)."""
    closes = read_closes(
        (e for e in (entries if customs is None else customs)
         if type(e) is data.Custom and e.type == PERIOD_CLOSE),
        sink,
    )  # fmt: skip
    if not closes:
        return
    for name in foreign_plugins_first(options_map):
        sink.add(
            "S001",
            _plugin_meta(options_map, name),
            None,
            f"插件 {name} 列在 sandao.ledger 之前：它可能在结账摘要计算之前改动分录；"
            "已结账的账簿中其他插件应列在 sandao.ledger 之后（或删除）",
        )
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
    found = git_changes(entries, options_map, close)
    if found is None:
        return ""
    sha, changes = found
    if not changes:
        return ""
    shown = "；".join(
        f"{_KIND_LABEL[c.kind]} {where(c.entry)} {describe(c.entry)}"
        for c in changes[:MESSAGE_ENTRIES]
    )
    more = f" 等 {len(changes)} 笔" if len(changes) > MESSAGE_ENTRIES else ""
    return f"与结账时的 git 版本 {sha[:7]} 相比：{shown}{more}"


def git_changes(
    entries: list[data.Directive], options_map: dict[str, Any], close: PeriodClose
) -> tuple[str, list[Any]] | None:
    """(the commit that recorded the digest, the entries of the closed period changed since)
    — None when the books are not in git."""
    main = options_map.get("filename")
    if not main or str(main).startswith("<"):
        return None
    from sandao.ledger import revisions

    try:
        root = revisions.repository(Path(main))
        found = revisions.commits_adding(root, close.digest)
        sha = found[-1] if found else revisions.resolve(root, "HEAD")
        old = revisions.entries_at(root, sha, Path(main))
    except (revisions.GitError, OSError, ValueError):
        return None
    index_old = UnitIndex(declared_units(old))
    index_new = UnitIndex(declared_units(entries))

    def mine(items: list[data.Directive], index: UnitIndex) -> list[data.Directive]:
        return [
            e
            for e in items
            if e.date <= close.date and in_digest(e) and close.unit in index.units(e)
        ]

    return sha, diff_entries(mine(old, index_old), mine(entries, index_new))


def changed_entries(
    entries: list[data.Directive], options_map: dict[str, Any], unit: str, date: datetime.date
) -> list[tuple[str, data.Directive | None, str]]:
    """What C001 is about, as (kind, the entry in the books or None, description): from the
    certificate in ``closes/`` beside the main file when there is one, else from git."""
    main = options_map.get("filename")
    if main and not str(main).startswith("<"):
        from sandao.ledger import certificates

        cert = Path(main).resolve().parent / "closes" / certificates.certificate_name(unit, date)
        if cert.is_file():
            try:
                recorded = certificates.read(cert)
            except certificates.CertificateError:
                recorded = None
            if recorded is not None and recorded.get("digest") is not None:
                now = certificates.period(entries, unit, date)
                old = {row[0]: row for row in recorded["entries"]}
                current = {ident: e for ident, e in now.entries}
                out: list[tuple[str, data.Directive | None, str]] = []
                for ident, entry in sorted(current.items()):
                    if ident not in old:
                        out.append((ADDED, entry, describe(entry)))
                    elif old[ident][1] != certificates.entry_digest(entry):
                        out.append((CHANGED, entry, describe(entry)))
                gone = {str(old[i][2]) for i in old.keys() - current.keys()}
                for ident in sorted(old.keys() - current.keys()):
                    out.append((REMOVED, None, str(old[ident][2])))
                # An entry whose content id changed: the same date and text on both sides.
                paired = []
                for kind, entry, text in out:
                    if kind == ADDED and text in gone:
                        gone.discard(text)
                        paired.append((CHANGED, entry, text))
                    elif kind == REMOVED and text in {t for k, _, t in paired if k == CHANGED}:
                        continue
                    else:
                        paired.append((kind, entry, text))
                changed = {t for k, _, t in paired if k == CHANGED}
                return [c for c in paired if not (c[0] == REMOVED and c[2] in changed)]
    closes = [c for c in read_closes(entries, None) if c.unit == unit and c.date == date]
    if not closes:
        return []
    found = git_changes(entries, options_map, closes[0])
    if found is None:
        return []
    return [(c.kind, c.new, describe(c.entry)) for c in found[1]]


def close_directive(unit: str, date: datetime.date, digest: str) -> str:
    """The directive ``sandao close`` appends."""
    return f'{date.isoformat()} custom "{PERIOD_CLOSE}" "{unit}" {date.isoformat()} "{digest}"\n'
