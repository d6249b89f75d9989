"""Root cause first: findings that only follow from an earlier mistake are folded under it.

One mistyped task id or one unparseable declaration makes several rules fire: the
link is unknown (T002), so the money has no task (T004), so the real task looks unpaid
(T001).  The officer should see the cause, its did-you-mean and its fix; the
consequences stay in the data (``caused_by`` names the cause, ``--json`` and Fava show
them) but ``check`` prints them as one folded line under the cause.

Causes, each a ``file:line``:
- a declaration that failed (S001 for an id then not declared, or a Beancount parse
  error inside a ``custom "task"``/``"quota"``/… directive): every finding about that
  id, and the findings on transactions that link to it;
- an unknown task/project link or quota (T002/P002/Q002) with a did-you-mean: the other
  findings on the same transaction, and the timing findings of the id it was meant to be;
- a balance assertion: later failures on the same account by the same amount.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from beancount.core import data

from sandao.ledger.accounts import plain_code
from sandao.ledger.findings import Finding
from sandao.ledger.glossary import DECLARATION_WORDS
from sandao.ledger.model import Declarations
from sandao.ledger.suggest import closest, did_you_mean

#: Codes that name something not declared, so a did-you-mean applies.
_UNKNOWN_ID = {"T002": "task", "P002": "project", "Q002": "quota"}
#: Time findings about a task that a mistyped link to it would also cause.
_TASK_TIMING = frozenset({"T001", "T003", "T009"})
_UNDECLARED_CODE = re.compile(r"(单位|社区|部门|社区所属单位)编码 '?([^'\s（]+)'? 未声明")
#: The kind of declaration a D002 message names a code of (社区所属单位: a community's unit).
_KIND_OF_WORD = {word: kind for kind, word in DECLARATION_WORDS.items()} | {"社区所属单位": "unit"}

if TYPE_CHECKING:
    from sandao.ledger.explain import Broken


def where(file: str | None, line: int | None) -> str:
    return f"{file}:{line}" if line else str(file)


def add_hints(findings: list[Finding], decl: Declarations) -> list[Finding]:
    """A did-you-mean on every finding that names an undeclared id or code."""
    out = []
    for f in findings:
        hint = None
        kind = _UNKNOWN_ID.get(f.code)
        ident = getattr(f, kind) if kind else None
        if kind and ident and ident not in decl.of_kind(kind):
            hint = did_you_mean(ident, decl.of_kind(kind))
            if hint and kind == "task" and ident[:1].islower():
                hint = hint[:-1] + "（任务编号须大写 T）？"
        elif f.code == "D002" and f.unit and plain_code(f.unit) != f.unit:
            hint = f"是否为 {plain_code(f.unit)}？"  # a look-alike (С101, C‍101, C1O1)
        elif f.code == "D002":
            match = _UNDECLARED_CODE.search(f.message)
            if match:
                declared = decl.of_kind(_KIND_OF_WORD[match.group(1)])
                hint = did_you_mean(match.group(2), declared)
                if not hint and match.group(1) == "单位" and declared:
                    # a unit-shaped code (C999) is the fund's account: name the nearest unit
                    nearest = closest(match.group(2), declared, limit=len(match.group(2)))
                    hint = f"最接近的已声明单位：{nearest}" if nearest else None
        out.append(replace(f, hint=hint) if hint else f)
    return out


def _transaction_lines(
    entries: Iterable[data.Directive], wanted: set[str]
) -> dict[tuple[Any, Any], str]:
    """(file, line) of every transaction and posting that links to a ``wanted`` id → id."""
    found: dict[tuple[Any, Any], str] = {}
    if not wanted:
        return found
    for entry in entries:
        if not isinstance(entry, data.Transaction) or not entry.links:
            continue
        hit = next((link for link in entry.links if link in wanted), None)
        if hit is None:
            continue
        meta = entry.meta
        found[meta.get("filename"), meta.get("lineno")] = hit
        for posting in entry.postings:
            if posting.meta:
                found[posting.meta.get("filename"), posting.meta.get("lineno")] = hit
    return found


def fold_findings(
    findings: list[Finding],
    decl: Declarations,
    entries: list[data.Directive],
    broken: Iterable[Broken] = (),
) -> list[Finding]:
    """Mark follow-on findings with ``caused_by`` (see the module docstring)."""
    lost: dict[str, str] = {}  # id whose declaration failed → its cause
    for b in broken:
        if b.ident and b.kind in ("task", "project", "quota"):
            lost.setdefault(b.ident, where(b.file, b.line))
    for f in findings:
        if f.code != "S001":
            continue
        for ident, table in (
            (f.task, decl.tasks),
            (f.quota, decl.quotas),
            (f.project, decl.projects),
        ):
            if ident and ident not in table:
                lost.setdefault(ident, where(f.file, f.line))
    # a declaration citing an undeclared code (D002 on the declaration's own line): the
    # other findings about that id follow from it (wrong unit → T006, T001 …)
    miscoded: dict[str, str] = {}
    declared_at = {
        ident: (item.meta.get("filename"), item.meta.get("lineno"))
        for table in (decl.tasks, decl.quotas, decl.projects)
        for ident, item in table.items()
    }
    for f in findings:
        ident = f.task or f.quota or f.project
        if f.code == "D002" and ident and declared_at.get(ident) == (f.file, f.line):
            miscoded.setdefault(ident, where(f.file, f.line))
    # unknown links/quotas, and the declared task each was probably meant to be
    typos: set[str] = set()
    typo_target: dict[str, str] = {}  # declared task id → the cause
    for b in broken:  # a transaction that did not parse: its task's money is missing
        if not b.kind:
            for link in b.links:
                typo_target.setdefault(link, where(b.file, b.line))
    for f in findings:
        kind = _UNKNOWN_ID.get(f.code)
        ident = getattr(f, kind) if kind else None
        if not ident or ident in lost:
            continue
        typos.add(ident)
        meant = closest(ident, decl.tasks) if kind == "task" else None
        if meant:
            typo_target.setdefault(meant, where(f.file, f.line))
    linked = _transaction_lines(entries, set(lost) | typos)
    # one account opened without its metadata: its first D001 is the cause of the others
    unopened: dict[str, str] = {}
    for f in findings:
        if f.code == "D001" and f.hint:
            unopened.setdefault(f.hint, where(f.file, f.line))
    out = []
    for f in findings:
        here = where(f.file, f.line)
        loc = (f.file, f.line)
        hit = next((i for i in (f.task, f.quota, f.project) if i in lost), None)
        cause = None
        if hit and lost[hit] != here:
            cause = lost[hit]
        elif loc in linked and linked[loc] in lost:
            cause = lost[linked[loc]]
        elif loc in linked and f.code not in _UNKNOWN_ID:
            cause = _first_cause(findings, linked[loc])
        elif f.code in _TASK_TIMING and f.task in typo_target:
            cause = typo_target[f.task]
        elif f.code == "D001" and f.hint and unopened.get(f.hint, here) != here:
            cause = unopened[f.hint]
        elif (f.task or f.quota or f.project) in miscoded:
            cause = miscoded[f.task or f.quota or f.project]
            # the declaration's own D002s are the causes; a T001 on its line follows
            cause = None if cause == here and f.code == "D002" else cause
        out.append(replace(f, caused_by=cause) if cause and f.caused_by is None else f)
    return _to_roots(out)


def _to_roots(findings: list[Finding]) -> list[Finding]:
    """Point every ``caused_by`` at the first cause of its chain (a cause may itself follow)."""
    cause_of = {where(f.file, f.line): f.caused_by for f in findings if f.caused_by}
    out = []
    for f in findings:
        cause, seen = f.caused_by, set()
        while cause in cause_of and cause not in seen:
            seen.add(cause)
            cause = cause_of[cause]
        out.append(replace(f, caused_by=cause) if cause != f.caused_by else f)
    return out


def _first_cause(findings: list[Finding], ident: str) -> str | None:
    for f in findings:
        kind = _UNKNOWN_ID.get(f.code)
        if kind and getattr(f, kind) == ident:
            return where(f.file, f.line)
    return None


def fold_errors(errors: list[Any], broken: Iterable[Broken] = ()) -> dict[int, str]:
    """Balance failures that follow from an earlier error → that error's place.

    A failure on an account a transaction that did not parse posts to, dated after it;
    a later failure on an account by the same amount as an earlier one; a second error
    on the line of an earlier one.  Returns
    ``{index in errors: cause}`` (errors are Beancount's tuples, not ours).
    """
    from sandao.ledger.explain import BALANCE_FAILED  # explaining errors: not in a load

    dropped = [b for b in broken if not b.kind and b.accounts]
    first: dict[tuple[str, str], str] = {}
    folded: dict[int, str] = {}
    lines: set[str] = set()  # file:line of the errors shown so far
    for index, error in enumerate(errors):
        if type(error).__name__ != "BalanceError":
            # a second error on the same line (a Chinese date is a syntax error and a bad
            # token; a misdated transfer posts to two unopened accounts) repeats the first
            source = error.source or {}
            here = where(source.get("filename"), source.get("lineno"))
            if source.get("lineno") and here in lines:
                folded[index] = here
            lines.add(here)
            continue
        match = BALANCE_FAILED.search(str(error.message))
        if not match:
            continue
        account = match.group(1)
        date = getattr(getattr(error, "entry", None), "date", None)
        parse = next(
            (
                b
                for b in dropped
                if account in b.accounts and (date is None or b.date is None or b.date < date)
            ),
            None,
        )
        key = (account, match.group(5) + match.group(6))
        source = error.source or {}
        here = where(source.get("filename"), source.get("lineno"))
        if parse is not None:
            folded[index] = where(parse.file, parse.line)
        elif key in first:
            folded[index] = first[key]
        else:
            first[key] = here
    return folded


__all__ = ["add_hints", "fold_errors", "fold_findings", "where"]
