"""Every PDF is set in the project's CJK font, by path, and the same books give the same bytes.

One report run once embedded only DejaVu Sans in a worker's first PDF (a page of boxes);
the font is now loaded by path and every embedded font is checked after rendering.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from testbooks import run_sandao

from sandao.ledger import load
from sandao.ledger.scaffold import example_main, write_example
from sandao.reports.run import write_reports

ACCEPTED = {"SandaoCJK", "SandaoCJK-Bold", "Noto-Sans-CJK-SC"}


def embedded(pdf: Path) -> set[str]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:] if line.strip()}


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("pdffonts") is None, reason="poppler-utils 未安装（.ci/system-deps.sh）"
)
def test_pdfs_embed_only_the_cjk_font_and_repeat_byte_for_byte(tmp_path: Path) -> None:
    analysis = load(example_main())
    one = write_reports(analysis, tmp_path / "one", unit="C101", formats=["pdf"], workers=1)
    three = write_reports(analysis, tmp_path / "three", unit="C101", formats=["pdf"], workers=3)
    pdfs = sorted(p.relative_to(one.parent) for p in one.parent.rglob("*.pdf"))
    assert len(pdfs) >= 10
    for rel in pdfs:
        assert embedded(one.parent / rel) <= ACCEPTED, rel
        assert (one.parent / rel).read_bytes() == (three.parent / rel).read_bytes(), rel
    assert b"CreationDate" not in (one.parent / pdfs[0]).read_bytes()


def test_a_missing_font_file_is_one_sentence(tmp_path: Path) -> None:
    write_example(tmp_path / "ex")
    config = tmp_path / "ex" / "sandao.toml"
    config.write_text(
        config.read_text("utf-8").replace("[county]\n", '[county]\nfont = "没有的字体.otf"\n', 1),
        encoding="utf-8",
    )
    books = tmp_path / "ex" / "main.beancount"
    run = run_sandao(
        "report", books, "--unit", "C101", "--format", "pdf", "--out", tmp_path / "out"
    )
    assert run.returncode == 2
    assert "没有的字体.otf" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()
