"""Where the importer tests find their data (a module of its own: conftest names clash)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLES = DATA / "samples"
BAD = DATA / "bad_exports"
GOOD = DATA / "good_exports"
CONFIG = DATA / "import.toml"
LEDGER_DIR = DATA / "ledger"
