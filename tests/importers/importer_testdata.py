"""Where the importer tests find their data and the books they archive into (a module of
its own: conftest names clash)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLES = DATA / "samples"
BAD = DATA / "bad_exports"
GOOD = DATA / "good_exports"
CONFIG = DATA / "import.toml"
LEDGER_DIR = DATA / "ledger"


def archive_books(ledger: Path) -> Path:
    """LEDGER with Fava's document folder and the (empty) ``documents.beancount`` it
    includes: the books ``sandao import archive`` files into."""
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(
        text.replace(
            'option "operating_currency" "CNY"\n',
            'option "operating_currency" "CNY"\n'
            'option "documents" "documents"\ninclude "documents.beancount"\n',
        ),
        encoding="utf-8",
    )
    (ledger.parent / "documents.beancount").write_text("", encoding="utf-8")
    return ledger
