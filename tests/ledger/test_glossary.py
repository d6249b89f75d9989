"""One vocabulary: a rejected synonym in code, templates or the README fails this test."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandao.ledger import glossary

ROOT = Path(__file__).resolve().parents[2]
SCANNED_DIRS = ("sandao", "ledger", "importers", "reports", "templates")
SUFFIXES = {".py", ".html", ".css", ".md", ".txt", ".toml", ".j2"}


def _scanned_files() -> list[Path]:
    files = [ROOT / "README.md"]
    for folder in SCANNED_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in SUFFIXES and "example" not in path.relative_to(ROOT).parts:
                files.append(path)
    return files


def _exempt(relative: str, line: str) -> bool:
    return any(relative == path and (not text or text in line) for path, text, _ in glossary.EXEMPT)


def test_no_stray_synonyms() -> None:
    strays = []
    for path in _scanned_files():
        relative = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _exempt(relative, line):
                continue
            for choice in glossary.CHOICES:
                if choice.stray.search(line):
                    strays.append(
                        f"{relative}:{number}: 「{choice.rejected}」应为「{choice.word}」"
                        f"（{choice.meaning}）: {line.strip()[:80]}"
                    )
    assert not strays, "\n".join(strays)


@pytest.mark.parametrize(
    ("text", "rejected"),
    [
        ("任务到期日 2025-03-01", "到期日"),
        ('<th class="num">已拨付</th>', "已拨付"),
        ('Column("received", "已拨付", MONEY)', "已拨付"),
        ('Column("balance", "结余", MONEY)', "结余"),
        ('Column("document", "文件")', "文件"),
        ("没有规则问题。", "规则问题"),
        ("3 项提示", "提示"),
        ("<th>年初指标</th>", "年初指标"),
        ('Column("stream", "资金类别")', "资金类别"),
    ],
)
def test_each_stray_pattern_catches_its_synonym(text: str, rejected: str) -> None:
    assert any(c.stray.search(text) and c.rejected == rejected for c in glossary.CHOICES)


@pytest.mark.parametrize(
    "text",
    [
        "未拨付 / 部分拨付 / 已拨付 / 逾期未拨付 / 已结清",
        "年初结转和结余",
        "预算结转结余变动表",
        "导出文件不存在",
        "提示：未找到 Noto CJK 字体",
    ],
)
def test_legitimate_uses_pass(text: str) -> None:
    assert not any(c.stray.search(text) for c in glossary.CHOICES)


def test_exemptions_are_still_needed() -> None:
    """An exemption whose file no longer has the word is dropped from the list."""
    for path, text, _why in glossary.EXEMPT:
        if not text:
            continue
        content = (ROOT / path).read_text(encoding="utf-8")
        assert text in content, f"{path} 不再含「{text}」，请从 glossary.EXEMPT 删除"


def test_every_transaction_key_of_the_example_has_a_label_and_its_own_badge() -> None:
    """Fava's journal badges a metadata key by its label's first two characters: every key
    on a transaction or posting of the example (the importers' payee_bank, the books'
    procurement …) has a Chinese label, and 支付凭证号 and 支付方式 do not share one badge."""
    from beancount import loader
    from beancount.core import data

    from sandao.ledger.scaffold import example_main

    entries, _, _ = loader.load_file(str(example_main()))
    keys: set[str] = set()
    for entry in entries:
        if isinstance(entry, data.Transaction):
            keys |= set(entry.meta)
            for posting in entry.postings:
                keys |= set(posting.meta or {})
    keys -= {"filename", "lineno"}
    keys = {k for k in keys if not k.startswith("__")}
    assert {"payee_bank", "procurement", "voucher", "payment_method"} <= keys
    assert [k for k in sorted(keys) if k not in glossary.METADATA_LABELS] == []
    badge = {k: glossary.label(k)[:2] for k in ("voucher", "payment_method")}
    assert badge["voucher"] != badge["payment_method"], badge
