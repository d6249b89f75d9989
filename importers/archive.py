"""``sandao import archive``: file exports in Fava's document layout, all or nothing.

Fava's 凭证文档 page (Beancount's ``documents`` option) shows a file when it lies in
``<documents>/<account as folders>/<YYYY-MM-DD>.<name>``.  So an export about one unit
goes to that unit's account folder — payments and quota exports to its 1011
零余额账户用款额度, a bank statement to its 1002 银行存款 — and an export covering
several units goes to ``全县/`` with a ``document`` entry on each unit's 1011 account
pointing at it.  The unit comes from the file itself: the export's 预算单位编码 column,
or for a bank statement the import config's account mapping (本方账号 or file name).

Everything is planned first; any problem (unknown file, no unit, a name already
taken) refuses the whole run before a file moves.  :func:`move_all` then moves the
files and undoes its own moves if one fails.
"""

from __future__ import annotations

import datetime
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field

from sandao.importers import bank
from sandao.importers.common import q
from sandao.importers.config import ImportConfig
from sandao.importers.errors import ImportFailure, ImportProblem, os_reason
from sandao.importers.ledger_view import LedgerView
from sandao.importers.run import Identified, file_date, identify_file, list_exports

#: Folder (under the documents folder) of exports that cover several units.
COUNTY_FOLDER = "全县"
#: Default file of the ``document`` entries, beside the books' main file.
ENTRIES_FILE = "documents.beancount"

_DATE_COLUMN = {"预算指标": "下达日期", "国库集中支付": "支付日期", "银行对账单": "交易日期"}


@dataclass
class Filing:
    """One export to move, and the accounts that get a ``document`` entry for it."""

    source: str
    target: str
    date: datetime.date
    units: list[str]
    entry_accounts: list[str] = field(default_factory=list)


def file_units(item: Identified, config: ImportConfig) -> list[str]:
    """The units an export is about, read from the file (sorted)."""
    table = item.table
    if item.importer is bank:
        index = table.columns.get("本方账号")
        number = next(
            (
                str(row[index]).strip()
                for _, row in table.rows
                if index is not None and index < len(row) and str(row[index]).strip()
            ),
            None,
        )
        unit = config.bank_unit(item.path, number)
        return [unit] if unit else []
    index = table.columns.get("预算单位编码")
    units = {
        str(row[index]).strip()
        for _, row in table.rows
        if index is not None and index < len(row) and str(row[index]).strip()
    }
    return sorted(units)


def _account_folder(account: str) -> str:
    return os.path.join(*account.split(":"))


def plan_archive(
    paths: Sequence[str], ledger: LedgerView, destination: str, config: ImportConfig
) -> tuple[list[Filing], list[ImportProblem]]:
    """Where each export goes; problems for every file that cannot be filed."""
    filings: list[Filing] = []
    problems: list[ImportProblem] = []
    planned: set[str] = set()
    for path in list_exports(paths):
        if not os.path.isfile(path):
            problems.append(ImportProblem(path, "文件不存在或不是文件，应为导出文件"))
            continue
        try:
            item = identify_file(path, config)
        except ImportFailure as exc:
            problems.extend(exc.problems)
            continue
        units = file_units(item, config)
        if not units:
            problems.append(
                ImportProblem(
                    path,
                    "无法确定这份银行对账单属于哪个单位：应在导入配置（sandao.toml 的 [import] "
                    "或 import.toml）[[bank.accounts]] 中按账号（account_number）或文件名（file）指定 unit",
                )
            )
            continue
        code = "1002" if item.importer is bank else "1011"
        accounts = []
        for unit in units:
            account = ledger.find("Assets", unit, code)
            if account is None:
                problems.append(
                    ImportProblem(
                        path,
                        f"单位 {unit} 在账本中没有 {code} 账户（Assets:{unit}-…:{code}-…），"
                        "应先在账本中声明该单位并 open 账户",
                    )
                )
            accounts.append(account)
        if None in accounts:
            continue
        date = file_date(item.table, _DATE_COLUMN[item.importer.NAME])
        if date is None:
            problems.append(ImportProblem(path, "文件中没有可识别的日期，无法按日期归档"))
            continue
        name = f"{date.isoformat()}.{os.path.basename(path)}"
        if len(units) == 1:
            folder = _account_folder(accounts[0])  # type: ignore[arg-type]
            entry_accounts: list[str] = []
        else:
            folder = COUNTY_FOLDER
            entry_accounts = [a for a in accounts if a]
        target = os.path.join(destination, folder, name)
        if os.path.lexists(target) or target in planned:
            problems.append(
                ImportProblem(path, f"目标 {target} 已存在，不覆盖；应先改名或移走其一")
            )
            continue
        planned.add(target)
        filings.append(Filing(path, target, date, units, entry_accounts))
    return filings, problems


def move_all(moves: Sequence[tuple[str, str]]) -> None:
    """Move every file or none: a failure moves the ones already moved back, then raises.

    (The one place that moves exports; import locking wraps this function.)
    """
    done: list[tuple[str, str, str | None]] = []  # (source, target, the link's text)
    try:
        for source, target in moves:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.lexists(target):
                raise FileExistsError(17, "目标已存在", target)
            if os.path.islink(source):
                # A link is filed as the file it names (a moved relative link would point
                # nowhere); the file itself stays where it is, the link goes.
                link = os.readlink(source)
                shutil.copy2(source, target)
                os.unlink(source)
                done.append((source, target, link))
            else:
                shutil.move(source, target)
                done.append((source, target, None))
    except BaseException as exc:
        for source, target, link in reversed(done):
            if link is None:
                shutil.move(target, source)
            else:
                os.symlink(link, source)
                os.unlink(target)
        if isinstance(exc, OSError):
            where = exc.filename or (moves[len(done)][0] if len(done) < len(moves) else "")
            raise ImportFailure(
                [
                    ImportProblem(
                        str(where),
                        f"无法移动（{os_reason(exc)}），已撤回本次移动，没有归档任何文件",
                    )
                ]
            ) from exc
        raise


def document_entries(filings: Sequence[Filing], entries_file: str) -> str:
    """``document`` entries for the exports filed under 全县/ (paths relative to the file)."""
    folder = os.path.dirname(os.path.abspath(entries_file))
    lines = []
    for filing in filings:
        relative = os.path.relpath(os.path.abspath(filing.target), folder)
        for account in filing.entry_accounts:
            lines.append(f"{filing.date} document {account} {q(relative)}\n")
    return "".join(lines)
