"""The three importers as ``beangulp.Importer`` objects, for beangulp's own tooling and Fava.

``sandao import`` uses the fast text path of :mod:`sandao.importers.run`; these classes
expose the same logic through beangulp's interface (identify / account / date /
filename / extract / deduplicate), so the exports can also be handled by a
``beangulp.Ingest`` script (``python importers.py extract -e main.beancount exports``),
shown on Fava's 导入 page (``custom "fava-option" "import-config" "importers.py"``) or
filed with ``beangulp.archive``.  ``account()`` returns the unit's 1011 account (1002 for
a bank statement) when the ledger is given, the folder ``sandao import archive`` files an
export in (else ``<unit>:<importer name>``, ``全县`` when a file spans several units).

The three importers of one :func:`make_importers` call share a :class:`Session`:

* **The books are counted once.**  beangulp (``extract -e main.beancount``) and Fava pass
  the loaded books as ``existing``; when those entries come from the ledger file given to
  :func:`make_importers`, they *are* the books and the file is not read again.  Otherwise
  (no ``-e``, or entries of another import) the ledger file is read once per session
  and ``existing`` adds only what it does not already hold.
* **Quotas first, whatever the order.**  beangulp extracts the files of a folder in name
  order and Fava one file at a time, so a payment file may come before the quota export
  its rows cite.  Before a file is extracted, the exports beside it that a
  ``sandao import`` run would extract first (quota exports, then payments, bank statements
  oldest first) are extracted, and their entries kept for when they are asked for — the
  same entries, in the same order, as ``sandao import extract`` writes.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import os
from collections.abc import Sequence
from types import ModuleType

import beangulp
from beancount.core import data
from beancount.parser import parser as beancount_parser

from sandao.importers import bank, payment, quota
from sandao.importers.config import ImportConfig, load_config
from sandao.importers.errors import ImportFailure
from sandao.importers.ledger_view import LedgerView, load_ledger
from sandao.importers.run import (
    IMPORTERS,
    Identified,
    _first_day,
    extract_files,
    file_date,
    identify_file,
    list_exports,
    render,
)

_DATE_COLUMN = {quota: "下达日期", payment: "支付日期", bank: "交易日期"}


def _stamp(path: str) -> tuple[str, int, int]:
    """A file as of now: its real path, size and modification time."""
    stat = os.stat(path)
    return os.path.realpath(path), stat.st_size, stat.st_mtime_ns


class Session:
    """The books and the exports as the three importers of one configuration see them."""

    def __init__(self, config: ImportConfig, ledger_path: str | None = None) -> None:
        self.config = config
        self.ledger_path = os.path.abspath(ledger_path) if ledger_path else None
        self._identified: dict[tuple[str, int, int], Identified | None] = {}
        self._books: LedgerView | None = None  # the ledger file, read once
        self._existing: Sequence[data.Directive] | None = None
        self._existing_len = -1
        self._view: LedgerView | None = None  # the books plus what was extracted since
        self._extracted: dict[tuple[str, int, int], list[data.Directive]] = {}
        #: How many times the ledger file itself was read (a test counts it).
        self.ledger_reads = 0

    def identified(self, path: str) -> Identified | None:
        key = _stamp(path)
        if key not in self._identified:
            try:
                self._identified[key] = identify_file(path, self.config)
            except ImportFailure:
                self._identified[key] = None
        return self._identified[key]

    def books(self) -> LedgerView:
        """The ledger file given to :func:`make_importers`, read once (empty without one)."""
        if self._books is None:
            if self.ledger_path:
                self.ledger_reads += 1
                self._books = load_ledger(self.ledger_path)
            else:
                self._books = LedgerView()
        return self._books

    def accounts(self) -> LedgerView:
        """The books as last given to :meth:`extract` (else the ledger file, read once)."""
        return self._view or self.books()

    @staticmethod
    def _is_books(existing: Sequence[data.Directive]) -> bool:
        """Whether ``existing`` is loaded books (beangulp's ``-e``, Fava): they open accounts,
        which an import never does."""
        return any(isinstance(e, data.Open) for e in existing)

    def view(self, existing: Sequence[data.Directive]) -> LedgerView:
        """What the books hold, counted once, plus what this session extracted since."""
        same = existing is self._existing and len(existing) == self._existing_len
        if self._view is not None and same:
            return self._view
        self._existing, self._existing_len = existing, len(existing)
        self._extracted.clear()
        view = LedgerView(path=self.ledger_path)
        if existing and self._is_books(existing):
            view.absorb(existing)
        else:
            books = self.books()
            view = copy.deepcopy(books)
            view.absorb(e for e in existing if _outside(e, books.files))
        self._view = view
        return view

    def _before(self, path: str) -> list[str]:
        """The exports beside ``path`` that a ``sandao import`` run extracts before it."""
        mine = self.identified(path)
        if mine is None:
            return []
        folder = os.path.dirname(os.path.abspath(path))
        items = [i for p in list_exports([folder]) if (i := self.identified(p)) is not None]
        items.sort(key=_run_order)
        done = [i.path for i in items]
        real = os.path.realpath(path)
        paths = [os.path.realpath(p) for p in done]
        return done[: paths.index(real)] if real in paths else []

    def extract(self, path: str, existing: Sequence[data.Directive]) -> list[data.Directive]:
        view = self.view(existing)
        for earlier in self._before(path):
            if _stamp(earlier) not in self._extracted:
                with contextlib.suppress(ImportFailure):  # reported with that file itself
                    self._extract_one(earlier, view)
        key = _stamp(path)
        if key not in self._extracted:
            self._extract_one(path, view)
        return list(self._extracted[key])

    def _extract_one(self, path: str, view: LedgerView) -> None:
        results = extract_files([path], view, self.config)
        text = render([d for r in results for d in r.drafts])
        entries, _errors, _ = beancount_parser.parse_string(text)
        for entry in entries:
            entry.meta["filename"] = path
        self._extracted[_stamp(path)] = entries
        view.absorb(entries)


def _run_order(item: Identified) -> tuple[int, datetime.date, str]:
    return IMPORTERS.index(item.importer), _first_day(item), os.path.basename(item.path)


def _outside(entry: data.Directive, files: set[str]) -> bool:
    filename = entry.meta.get("filename") if entry.meta else None
    return not filename or os.path.abspath(str(filename)) not in files


class SandaoImporter(beangulp.Importer):
    """One of the three export formats, read through the project's importer."""

    def __init__(
        self,
        module: ModuleType,
        config: ImportConfig,
        ledger_path: str | None = None,
        session: Session | None = None,
    ) -> None:
        self.module = module
        self.config = config
        self.ledger_path = ledger_path
        self.session = session or Session(config, ledger_path)

    @property
    def name(self) -> str:
        return f"sandao.{self.module.__name__.rsplit('.', 1)[-1]}"

    def _identified(self, filepath: str) -> Identified | None:
        return self.session.identified(filepath)

    def identify(self, filepath: str) -> bool:
        item = self._identified(filepath)
        return item is not None and item.importer is self.module

    def account(self, filepath: str) -> data.Account:
        """The unit's 1011 (1002 for a bank statement) account, as ``sandao import archive`` files it."""
        from sandao.importers.archive import file_units

        item = self._identified(filepath)
        units = file_units(item, self.config) if item is not None else []
        if len(units) == 1 and self.ledger_path:
            code = "1002" if self.module is bank else "1011"
            found = self.session.accounts().find("Assets", units[0], code)
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
        return self.session.extract(filepath, existing)

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Nothing to do: the import keys (支付凭证号, 指标编号+类型+金额, 流水号) already
        left out what the books hold, exactly as ``sandao import`` does."""


def make_importers(
    config_path: str | None = None, ledger_path: str | None = None
) -> list[SandaoImporter]:
    """The three importers, for ``beangulp.Ingest(make_importers(...))`` and Fava's
    ``import-config`` (``CONFIG = make_importers(...)``)."""
    config = load_config(config_path)
    session = Session(config, ledger_path)
    return [
        SandaoImporter(module, config, ledger_path, session) for module in (quota, payment, bank)
    ]
