"""Did-you-mean: the declared name a mistyped one was most likely meant to be.

One small module so every finding that names something unknown (an account, a task,
a quota, a unit, a department, a community) suggests the same way: a case-insensitive
match first, then the closest name by edit distance, if it is close enough to be a
typo rather than a different name.

Not difflib: its similarity ratio is no count of edits, and "within N typing mistakes" is
the rule (``T2025-01`` → ``T2025-001`` yes, ``T2025-002`` for ``T2025-003`` only as a
one-edit typo); rapidfuzz would be a dependency for these 15 lines of Levenshtein.
"""

from __future__ import annotations

from collections.abc import Iterable


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``; any value above ``limit`` is ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def closest(word: str, candidates: Iterable[str], limit: int | None = None) -> str | None:
    """The candidate ``word`` was probably meant to be, or ``None``.

    Case is ignored first (``t2025-001`` → ``T2025-001``); otherwise the nearest
    candidate within ``limit`` edits (default ``max(1, len(word) // 4)``) wins, ties
    going to the first in sorted order, so the answer does not depend on the order of
    declaration.
    """
    limit = max(1, len(word) // 4) if limit is None else limit
    folded = word.casefold()
    best: tuple[int, str] | None = None
    for candidate in sorted(set(candidates)):
        if candidate == word:
            return None
        if candidate.casefold() == folded:
            return candidate
        d = distance(folded, candidate.casefold(), limit)
        if d <= limit and (best is None or d < best[0]):
            best = (d, candidate)
    return best[1] if best else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"是否为 X？"`` for the closest candidate, or ``""`` when none is close."""
    found = closest(word, candidates)
    return f"是否为 {found}？" if found else ""


def closest_account(account: str, accounts: Iterable[str]) -> str | None:
    """The opened account a mistyped account name was meant to be.

    Accounts sharing every component but the last are compared by their last
    component (``30206-电废`` → ``30206-电费``), then by its code or its name alone
    (``3026-电费``); other accounts by the whole name, within two edits (a mistyped
    unit component).
    """
    names = set(accounts)
    parent, _, leaf = account.rpartition(":")
    siblings = {a.rpartition(":")[2]: a for a in names if a.rpartition(":")[0] == parent}
    leaf_match = closest(leaf, siblings)
    if leaf_match:
        return siblings[leaf_match]
    code = leaf.split("-", 1)[0]
    same_code = [a for name, a in siblings.items() if name.split("-", 1)[0] == code]
    if len(same_code) == 1:
        return same_code[0]
    name = leaf.split("-", 1)[-1]
    same_name = [a for leaf2, a in siblings.items() if leaf2.split("-", 1)[-1] == name]
    if len(same_name) == 1:
        return same_name[0]
    return closest(account, names, limit=2)


__all__ = ["closest", "closest_account", "did_you_mean", "distance"]
