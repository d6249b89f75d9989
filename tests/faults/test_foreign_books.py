"""Other people's books with the plugin line: the same errors as without it.

Beancount's own example (``bean-example``) and Fava's example ledgers are personal
ledgers: no declared unit, no ``C\\d+-`` component, departments nowhere.  The rules
keep to their scope (ledger-language.md), so adding ``plugin "sandao.ledger"`` adds
no error.  The plugin line goes at the end so line numbers stay the same.  (The cost
of the plugin there is a figure of ``sandao bench --only foreign``, not a timed test.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from beancount import loader

FOREIGN = Path(__file__).resolve().parent.parent / "data" / "foreign"
BOOKS = sorted(FOREIGN.glob("*.beancount"))


def _errors(text: str) -> list[tuple[str, int | None, str]]:
    _, errors, _ = loader.load_string(text)
    return sorted(
        (type(e).__name__, (e.source or {}).get("lineno"), str(e.message).strip()) for e in errors
    )


@pytest.mark.parametrize("books", BOOKS, ids=[b.stem for b in BOOKS])
def test_plugin_adds_no_error(books: Path) -> None:
    text = books.read_text(encoding="utf-8")
    assert len(text) > 100_000, "the foreign books are real-sized ledgers"
    assert _errors(text + '\nplugin "sandao.ledger"\n') == _errors(text)


def test_three_foreign_books() -> None:
    assert [b.name for b in BOOKS] == [
        "bean-example-seed14.beancount",
        "fava-budgets-example.beancount",
        "fava-example.beancount",
    ]
