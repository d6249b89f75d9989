"""The three importers as ``beangulp.Importer`` objects, for beangulp's own tooling.

``sandao import`` uses the fast text path of :mod:`sandao.importers.run`; these classes
expose the same logic through beangulp's interface (identify / account / date /
filename / extract / deduplicate), so the exports can also be handled by a
``beangulp.Ingest`` script or filed with ``beangulp.archive``.  ``account()`` returns
the unit's 1011 account (1002 for a bank statement) when the ledger is given, the
folder ``sandao import archive`` files an export in (else ``<unit>:<importer name>``,
``全县`` when a file spans several units).
"""

from __future__ import annotations

import datetime
import os
from types import ModuleType

import beangulp
from beancount.core import data
from beancount.parser import parser as beancount_parser

from sandao.importers import bank, payment, quota
from sandao.importers.config import ImportConfig, load_config
from sandao.importers.errors import ImportFailure
from sandao.importers.ledger_view import LedgerView, load_ledger
from sandao.importers.run import Identified, extract_files, file_date, identify_file, render

_DATE_COLUMN = {quota: "下达日期", payment: "支付日期", bank: "交易日期"}


class SandaoImporter(beangulp.Importer):
    """One of the three export formats, read through the project's importer."""

    def __init__(
        self, module: ModuleType, config: ImportConfig, ledger_path: str | None = None
    ) -> None:
        self.module = module
        self.config = config
        self.ledger_path = ledger_path
        self._cache: dict[str, Identified | None] = {}
        self._ledger: LedgerView | None = None

    @property
    def name(self) -> str:
        return f"sandao.{self.module.__name__.rsplit('.', 1)[-1]}"

    def _identified(self, filepath: str) -> Identified | None:
        if filepath not in self._cache:
            try:
                self._cache[filepath] = identify_file(filepath, self.config)
            except ImportFailure:
                self._cache[filepath] = None
        return self._cache[filepath]

    def identify(self, filepath: str) -> bool:
        item = self._identified(filepath)
        return item is not None and item.importer is self.module

    def account(self, filepath: str) -> data.Account:
        """The unit's 1011 (1002 for a bank statement) account, as ``sandao import archive`` files it."""
        from sandao.importers.archive import file_units

        item = self._identified(filepath)
        units = file_units(item, self.config) if item is not None else []
        if len(units) == 1 and self.ledger_path:
            if self._ledger is None:
                self._ledger = load_ledger(self.ledger_path)
            code = "1002" if self.module is bank else "1011"
            found = self._ledger.find("Assets", units[0], code)
            if found:
                return found
        unit = units[0] if len(units) == 1 else "全县"
        return f"{unit}:{self.module.NAME}"

    def date(self, filepath: str) -> datetime.date | None:
        item = self._identified(filepath)
        return file_date(item.table, _DATE_COLUMN[self.module]) if item else None

    def filename(self, filepath: str) -> str | None:
        return os.path.basename(filepath)

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        ledger = load_ledger(self.ledger_path) if self.ledger_path else LedgerView()
        ledger.absorb(existing)
        results = extract_files([filepath], ledger, self.config)
        text = render([d for r in results for d in r.drafts])
        entries, _errors, _ = beancount_parser.parse_string(text)
        for entry in entries:
            entry.meta["filename"] = filepath
        return entries


def make_importers(
    config_path: str | None = None, ledger_path: str | None = None
) -> list[SandaoImporter]:
    """The three importers, for ``beangulp.Ingest(make_importers(...))``."""
    config = load_config(config_path)
    return [SandaoImporter(module, config, ledger_path) for module in (quota, payment, bank)]
