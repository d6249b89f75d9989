"""The four sample exports import cleanly, match facts.json, and import only once."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data
from beancount.parser import parser
from importer_testdata import SAMPLES

FACTS = json.loads((SAMPLES / "facts.json").read_text(encoding="utf-8"))


def _extract(extract, ledger: Path, out: Path, *files: Path) -> dict:
    code, stdout, stderr = extract(*files, "--output-dir", out, "--json", ledger=ledger)
    assert code == 0, stderr
    return json.loads(stdout)


def _entries(path: Path) -> list:
    entries, errors, _ = parser.parse_file(str(path))
    assert not errors
    return entries


def test_samples_match_facts(extract, ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "imported"
    summary = _extract(extract, ledger, out, SAMPLES)
    by_name = {Path(f["file"]).name: f for f in summary["files"]}
    assert set(by_name) == set(FACTS)
    for name, facts in FACTS.items():
        assert by_name[name]["rows"] == facts["rows"], name
        assert by_name[name]["duplicates"] == 0
        entries = _entries(out / (Path(name).stem + ".beancount"))
        if "total" in facts:
            assert by_name[name]["control_total"] == facts["total"]
            assert by_name[name]["control"].startswith("合计相符")
        if name.startswith("国库"):
            txns = [e for e in entries if isinstance(e, data.Transaction)]
            assert len(txns) == facts["rows"]
            spent = sum(
                p.units.number for t in txns for p in t.postings if p.account.startswith("Expenses")
            )
            assert spent == Decimal(facts["total"])
            assert all(
                "voucher" in t.meta and "quota" in t.meta and "function" in t.meta for t in txns
            )
            assert all(
                "payee_account" in t.meta and t.meta["payee_account"] not in (t.payee or "")
                for t in txns
            )
        elif name.startswith("预算"):
            arrived = sum(
                p.units.number
                for e in entries
                if isinstance(e, data.Transaction)
                for p in e.postings
                if ":1011-" in p.account
            )
            assert arrived == Decimal(facts["total"])
            quotas = [e for e in entries if isinstance(e, data.Custom) and e.type == "quota"]
            adjusts = [
                e for e in entries if isinstance(e, data.Custom) and e.type == "quota-adjust"
            ]
            assert len(quotas) == 8 and len(adjusts) == 1
            tasks = {e.values[0].value: e.meta.get("task") for e in quotas}
            assert tasks["ZB25-0330"] == "T2025-007" and tasks["ZB25-0331"] == "T2025-011"
            streams = {e.values[0].value: e.meta["stream"] for e in quotas}
            assert (
                streams["ZB25-0201"] == "建设"
                and streams["ZB25-0330"] == "职能"
                and streams["ZB25-0101"] == "运转"
            )
        else:
            balances = [e for e in entries if isinstance(e, data.Balance)]
            assert balances[-1].amount.number == Decimal(facts["closing_balance"])
            assert by_name[name]["closing_balance"] == facts["closing_balance"]
            assert len([e for e in entries if isinstance(e, data.Transaction)]) == facts["rows"]


def test_individual_payees_marked(extract, ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "imported"
    _extract(extract, ledger, out, SAMPLES)
    txns = [
        e
        for e in _entries(out / "国库集中支付明细_C101_2025Q1.beancount")
        if isinstance(e, data.Transaction)
    ]
    persons = {t.payee for t in txns if t.meta.get("payee_type") == "个人"}
    assert persons == {"张伟", "王芳"}
    linked = [t for t in txns if "T2025-007" in t.links]
    assert len(linked) == 3  # the three payments charged to ZB25-0330


def test_imported_books_check_clean_and_reimport_adds_nothing(
    cli, extract, ledger: Path, tmp_path: Path
) -> None:
    out = ledger.parent / "imported"
    _extract(extract, ledger, out, SAMPLES)
    full = ledger.parent / "full.beancount"
    full.write_text(
        'plugin "sandao.ledger"\ninclude "main.beancount"\ninclude "imported/*.beancount"\n',
        encoding="utf-8",
    )
    _entries, errors, _ = loader.load_file(str(full))
    assert not errors, errors
    code, stdout, stderr = cli("check", full)
    assert code == 0, stdout + stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # Against the books that include the imported files …
    again = _extract(extract, full, out, SAMPLES)
    assert again["entries"] == 0
    assert all(f["entries"] == 0 and f["duplicates"] > 0 for f in again["files"])
    # … and against the bare books, the existing output files count as well.
    again = _extract(extract, ledger, out, SAMPLES)
    assert again["entries"] == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_overlapping_later_export_adds_only_new_rows(extract, ledger: Path, tmp_path: Path) -> None:
    """A later export repeats rows already imported: only the new rows are written."""
    first = tmp_path / "first"
    first.mkdir()
    source = (
        (SAMPLES / "国库集中支付明细_C101_2025Q1.csv").read_text(encoding="gb18030").splitlines()
    )
    header, rows, total = source[:3], source[3:-1], source[-1]

    def export(name: str, part: list[str]) -> Path:
        path = first / name
        amount = sum(
            Decimal(line.split('"')[1].replace(",", ""))
            if '"' in line
            else Decimal(line.split(",")[12])
            for line in part
        )
        path.write_text(
            "\n".join([*header, *part, f'合计,,,,,,,,,,,,"{amount:,.2f}",,,']) + "\n",
            encoding="gb18030",
        )
        return path

    assert total.startswith("合计")
    quota = SAMPLES / "预算指标_2025.xlsx"
    output = tmp_path / "payments.beancount"
    code, _, err = extract(
        quota, export("一月到二月.csv", rows[:12]), "--output", output, ledger=ledger
    )
    assert code == 0, err
    code, stdout, err = extract(
        quota, export("二月到三月.csv", rows[8:]), "--output", output, "--json", ledger=ledger
    )
    assert code == 0, err
    summary = {Path(f["file"]).name: f for f in json.loads(stdout)["files"]}
    assert summary["二月到三月.csv"]["entries"] == 8
    assert summary["二月到三月.csv"]["duplicates"] == 4
    txns = [e for e in _entries(output) if isinstance(e, data.Transaction) and "voucher" in e.meta]
    assert len(txns) == 20 == len({t.meta["voucher"] for t in txns})


def test_one_output_file_for_all(extract, ledger: Path, tmp_path: Path) -> None:
    output = tmp_path / "all.beancount"
    code, stdout, err = extract(SAMPLES, "--output", output, ledger=ledger)
    assert code == 0, err
    assert "合计相符" in stdout and "写入" in stdout
    shutil.copy(output, tmp_path / "copy")
    code, stdout, err = extract(SAMPLES, "--output", output, ledger=ledger)
    assert code == 0 and "文件未改动" in stdout
    assert output.read_bytes() == (tmp_path / "copy").read_bytes()
