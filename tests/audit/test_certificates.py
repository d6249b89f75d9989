"""Close certificates and ``sandao verify``: the tamper suite on a git copy of the example.

The example's 2024 is closed again with certificates (one signed with a throwaway SSH
key); the bureau keeps copies outside the books.  Every edit of the closed period —
and every way round the ``period-close`` line inside the books — makes ``verify``
fail and name it; reformatting, moving entries and include order pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from testbooks import git

from sandao.cli import main
from sandao.ledger import load

BLOCK = (
    '2024-09-10 * "县恒达装饰工程有限公司" "社区服务大厅维修改造（一期）"\n'
    '  quota: "ZB24-0101"\n'
    "  Expenses:C101-城东社区服务中心:30213-维修（护）费                        56000.00 CNY\n"
    "  Assets:C101-城东社区服务中心:1011-零余额账户用款额度                     -56000.00 CNY\n"
)


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("ssh-keygen") is None or shutil.which("git") is None:
        pytest.skip("需要 ssh-keygen 与 git（.ci/system-deps.sh 安装 openssh-client）")
    root = tmp_path_factory.mktemp("closed")
    books = root / "county"
    assert main(["example", str(books)]) == 0
    year = books / "2024.beancount"
    year.write_text(
        "".join(
            line
            for line in year.read_text(encoding="utf-8").splitlines(keepends=True)
            if 'custom "period-close"' not in line
        ),
        encoding="utf-8",
    )
    key = root / "bureau_key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bureau", "-f", str(key)],
        check=True,
    )
    other = root / "other_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    main_file = str(books / "main.beancount")
    for unit in ("C101", "C102"):
        argv = ["close", main_file, unit, "2024-12-31", "--file", str(year), "--sign", str(key)]
        assert main(argv) == 0
    git(books, "init", "-q")
    git(books, "add", "-A")
    git(books, "commit", "-qm", "2024 结账")
    bureau = root / "bureau"
    shutil.copytree(books / "closes", bureau)
    allowed = root / "allowed_signers"
    allowed.write_text(f"bureau {(key.with_suffix('.pub')).read_text()}", encoding="utf-8")
    return {"books": books, "bureau": bureau, "allowed": allowed, "key": key, "other": other}


def _copy(closed: dict[str, Path], tmp_path: Path) -> Path:
    target = tmp_path / "county"
    shutil.copytree(closed["books"], target, symlinks=True)
    return target


def _verify(closed: dict[str, Path], books: Path, capsys, *extra: str) -> tuple[int, str]:
    certs = sorted(str(p) for p in closed["bureau"].glob("*.close.json"))
    code = main(["verify", str(books / "main.beancount"), *certs, *extra])
    return code, capsys.readouterr().out


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_untouched_books_verify_with_signatures(closed, capsys) -> None:
    code, out = _verify(
        closed, closed["books"], capsys, "--allowed-signers", str(closed["allowed"])
    )
    assert code == 0, out
    assert out.count("相符") == 2 and "签名有效" in out


def test_a_wrong_key_fails(closed, tmp_path, capsys) -> None:
    wrong = tmp_path / "allowed"
    wrong.write_text(f"bureau {closed['other'].with_suffix('.pub').read_text()}", encoding="utf-8")
    code, out = _verify(closed, closed["books"], capsys, "--allowed-signers", str(wrong))
    assert code == 1 and "签名" in out


def test_a_certificate_edited_after_signing_fails(closed, tmp_path, capsys) -> None:
    bureau = {**closed, "bureau": tmp_path / "bureau"}
    shutil.copytree(closed["bureau"], bureau["bureau"])
    cert = bureau["bureau"] / "C101-2024-12-31.close.json"
    cert.write_text(cert.read_text(encoding="utf-8").replace('"entry_count": ', '"entry_count": 1'))
    code, out = _verify(
        bureau, closed["books"], capsys, "--allowed-signers", str(closed["allowed"])
    )
    assert code == 1 and "签名与内容不符" in out


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def _close_again(books: Path) -> None:
    year = books / "2024.beancount"
    lines = year.read_text(encoding="utf-8").splitlines(keepends=True)
    year.write_text("".join(x for x in lines if '"period-close" "C101"' not in x), encoding="utf-8")
    argv = ["close", str(books / "main.beancount"), "C101", "2024-12-31", "--file", str(year)]
    assert main(argv) == 0


TAMPERS = {
    "amount +0.01": (
        lambda b: _edit(b / "2024.beancount", BLOCK, BLOCK.replace("56000.00", "56000.01")),
        ["维修（护）费 余额", "+0.01 CNY"],
    ),
    "payee swapped": (
        lambda b: _edit(
            b / "2024.beancount",
            '"县恒达装饰工程有限公司" "社区服务大厅维修改造（一期）"',
            '"县宏达办公用品商行" "社区服务大厅维修改造（一期）"',
        ),
        ["已删除或被改动", "新增分录", "县宏达办公用品商行 社区服务大厅维修改造（一期）"],
    ),
    "date moved within the year": (
        lambda b: _edit(b / "2024.beancount", '2024-09-10 * "县恒达', '2024-09-11 * "县恒达'),
        ["2024-09-11 县恒达装饰工程有限公司"],
    ),
    "account changed": (
        lambda b: _edit(
            b / "2024.beancount",
            BLOCK,
            BLOCK.replace("30213-维修（护）费       ", "30299-其他商品和服务支出"),
        ),
        ["30213-维修（护）费 余额", "-56000 CNY"],
    ),
    "metadata added": (
        lambda b: _edit(
            b / "2024.beancount",
            BLOCK,
            BLOCK.replace('quota: "ZB24-0101"\n', 'quota: "ZB24-0101"\n  reason: "补记"\n'),
        ),
        ["（2024-09-10 县恒达装饰工程有限公司 社区服务大厅维修改造（一期））被修改"],
    ),
    "deleted and re-added elsewhere with a change": (
        lambda b: (
            _edit(b / "2024.beancount", BLOCK, ""),
            _append(b / "2025.beancount", "\n" + BLOCK.replace("（一期）", "（一期，补）")),
        ),
        ["社区服务大厅维修改造（一期，补）"],
    ),
    "new entry in the period": (
        lambda b: _append(
            b / "2024.beancount",
            '\n2024-06-03 * "县宏达办公用品商行" "补记办公用品"\n'
            "  Expenses:C101-城东社区服务中心:30201-办公费  100.00 CNY\n"
            "  Assets:C101-城东社区服务中心:1002-银行存款\n",
        ),
        ["新增分录", "补记办公用品", "30201-办公费"],
    ),
    "digest of the close line edited": (
        lambda b: _edit(
            b / "2024.beancount",
            '"period-close" "C101" 2024-12-31 "sha256:',
            '"period-close" "C101" 2024-12-31 "sha256:0',
        ),
        [],  # the line no longer parses as a digest: reported as a missing or different line
    ),
    "close line deleted": (
        lambda b: _edit(
            b / "2024.beancount",
            '2024-12-31 custom "period-close" "C101"',
            '; 2024-12-31 custom "period-close" "C101"',
        ),
        ["没有这条结账指令"],
    ),
    "close redone after an edit": (
        lambda b: (
            _edit(b / "2024.beancount", BLOCK, BLOCK.replace("56000.00", "5600.00")),
            _close_again(b),
        ),
        ["改动后重新结账", "-50400 CNY"],
    ),
    "plugin line removed": (
        lambda b: _edit(b / "main.beancount", 'plugin "sandao.ledger"\n', ""),
        ['插件行 plugin "sandao.ledger" 已删除'],
    ),
    "plugin added after the project's": (
        lambda b: _edit(
            b / "main.beancount",
            'plugin "sandao.ledger"\n',
            'plugin "sandao.ledger"\nplugin "rewrite_payees"\n',
        ),
        ['新增插件行 plugin "rewrite_payees"'],
    ),
    "options changed": (
        lambda b: _edit(
            b / "main.beancount",
            'option "operating_currency" "CNY"\n',
            'option "operating_currency" "CNY"\noption "booking_method" "FIFO"\n',
        ),
        ["选项 booking_method"],
    ),
    "ack added in the closed period": (
        lambda b: _append(
            b / "2025.beancount",
            '\n2024-12-20 custom "ack" "T003" "T2024-001" "补记的确认"\n',
        ),
        ["新增分录", "custom ack T003 T2024-001"],
    ),
}


BOTH_UNITS = {"plugin line removed", "plugin added after the project's", "options changed"}


@pytest.mark.parametrize("name", list(TAMPERS))
def test_every_tamper_fails_verify_and_is_named(closed, tmp_path, capsys, name) -> None:
    books = _copy(closed, tmp_path)
    edit, expected = TAMPERS[name]
    edit(books)
    code, out = _verify(closed, books, capsys)
    assert code == 1, out
    assert "不符：单位 C101" in out, out
    if name not in BOTH_UNITS:  # an edit of C101's entries leaves C102's period as it was
        assert "相符：单位 C102" in out, out
    for text in expected:
        assert text in out, (text, out)


def test_an_edit_keeping_the_mtime_is_seen(closed, tmp_path, capsys) -> None:
    books = _copy(closed, tmp_path)
    year = books / "2024.beancount"
    assert main(["check", str(books / "main.beancount")]) in (0, 1)
    stat = year.stat()
    _edit(year, BLOCK, BLOCK.replace("56000.00", "56000.01"))
    os.utime(year, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    capsys.readouterr()
    code, out = _verify(closed, books, capsys)
    assert code == 1 and "+0.01 CNY" in out
    assert [f.unit for f in load(books / "main.beancount").findings if f.code == "C001"] == ["C101"]


def test_an_ack_added_in_the_closed_period_is_c001(closed, tmp_path) -> None:
    books = _copy(closed, tmp_path)
    _append(books / "2025.beancount", '\n2024-12-20 custom "ack" "T001" "T2024-004" "补记的确认"\n')
    found = [f for f in load(books / "main.beancount").findings if f.code == "C001"]
    assert [f.unit for f in found] == ["C102"]


PASSES = {
    "reformatted": lambda b: _edit(
        b / "2024.beancount",
        BLOCK,
        BLOCK.replace("56000.00 CNY", "56000.0  CNY").replace("  quota", "    quota"),
    ),
    "moved to another file": lambda b: (
        _edit(b / "2024.beancount", BLOCK, ""),
        _append(b / "2025.beancount", "\n" + BLOCK),
    ),
    "include order": lambda b: _edit(
        b / "main.beancount",
        'include "2024.beancount"\ninclude "2025.beancount"\n',
        'include "2025.beancount"\ninclude "2024.beancount"\n',
    ),
}


@pytest.mark.parametrize("name", list(PASSES))
def test_layout_changes_pass(closed, tmp_path, capsys, name) -> None:
    books = _copy(closed, tmp_path)
    PASSES[name](books)
    code, out = _verify(closed, books, capsys)
    assert code == 0, out


def test_a_foreign_plugin_before_the_projects_is_s001(closed, tmp_path) -> None:
    books = _copy(closed, tmp_path)
    (books / "rewrite_payees.py").write_text(
        "__plugins__ = ('run',)\ndef run(entries, options_map):\n    return entries, []\n",
        encoding="utf-8",
    )
    _edit(
        books / "main.beancount",
        'plugin "sandao.ledger"\n',
        'option "insert_pythonpath" "TRUE"\nplugin "rewrite_payees"\nplugin "sandao.ledger"\n',
    )
    found = [f for f in load(books / "main.beancount").findings if f.code == "S001"]
    assert len(found) == 1 and "rewrite_payees" in found[0].message


def test_two_closes_of_one_period_are_s001(closed, tmp_path) -> None:
    books = _copy(closed, tmp_path)
    year = books / "2024.beancount"
    line = next(
        x for x in year.read_text(encoding="utf-8").splitlines() if '"period-close" "C102"' in x
    )
    _append(year, "\n" + line + "\n")
    found = [f for f in load(books / "main.beancount").findings if f.code == "S001"]
    assert len(found) == 1 and "两条 period-close" in found[0].message


def test_same_books_same_certificate_bytes(closed) -> None:
    from sandao.ledger import certificates
    from sandao.ledger.revisions import load_unplugged

    main_file = closed["books"] / "main.beancount"
    entries, _, options = load_unplugged(main_file)
    first = certificates.dumps(certificates.build(entries, options, "C101", _DAY, main_file))
    entries, _, options = load_unplugged(main_file)
    assert (
        certificates.dumps(certificates.build(entries, options, "C101", _DAY, main_file)) == first
    )


_DAY = __import__("datetime").date(2024, 12, 31)
