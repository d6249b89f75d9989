"""pyarrow and duckdb are the optional extra ``province``: without them ``export`` and
``rollup`` say so in one sentence (exit 2), and nothing else of sandao imports them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sandao.cli import main
from sandao.ledger.scaffold import example_main


@pytest.mark.parametrize(
    ("module", "args"),
    [("pyarrow", ["export", str(example_main())]), ("duckdb", ["rollup", "."])],
    ids=["export", "rollup"],
)
def test_missing_extra_is_one_sentence(monkeypatch, capsys, tmp_path, module, args) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    code = main([*args, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"需要 {module}" in err and "sandao[province]" in err and "Traceback" not in err


def test_check_and_report_modules_do_not_import_the_extra() -> None:
    """The base install's commands (check, report, import, serve) never import pyarrow or
    duckdb (pandas may still find pyarrow when installed; it is kept from importing it)."""
    code = (
        "import sys\n"
        "import sandao.cli, sandao.ledger.check, sandao.reports.run, sandao.importers.run\n"
        "import sandao.reports.web.serve, sandao.reports.province.commands\n"
        "sandao.cli.build_parser()\n"
        "bad = [m for m in ('pyarrow', 'duckdb') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
