"""Close certificates (结账证书): a closed period held outside the unit's books.

``sandao close`` writes ``<UNIT>-<DATE>.close.json`` next to appending the
``period-close`` line (audit.md): unit, date, digest, entry count, each entry's id,
digest and a short description, the trial balance of every account of the unit at
DATE, the books' options and plugin lines, the git commit and whether the tree was
clean, sandao and Beancount versions.  The finance bureau or the audit office keeps
it (optionally signed with ``ssh-keygen -Y sign -n sandao-close``, git's SSH signing).

``sandao verify`` re-parses the books (no plugins but Beancount's own, no cache) and
compares: the ``period-close`` line is there once and equal, the digest and trial
balance match, options and plugins are unchanged, signatures verify.  Every
difference is one Chinese sentence.  The bytes of a certificate depend only on the
books (and the git state) — the same books give the same file.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data

from sandao.ledger import accounts
from sandao.ledger.canonical import (
    PERIOD_CLOSE,
    EntryIds,
    UnitIndex,
    _number,
    canonical,
    declared_units,
    describe,
    entry_digest,
    in_digest,
)
from sandao.ledger.closing import digest_of

FORMAT = "sandao-close/1"
NAMESPACE = "sandao-close"
#: Options computed by Beancount or naming paths: not part of what a close records.
_UNRECORDED = frozenset(
    {"filename", "include", "input_hash", "dcontext", "plugin", "commodities", "documents"}
)
SSH_TIMEOUT_S = 30.0


class CertificateError(Exception):
    """A certificate that cannot be read or written (Chinese message)."""


def certificate_name(unit: str, date: datetime.date) -> str:
    return f"{unit}-{date.isoformat()}.close.json"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if value is None or isinstance(value, (str, bool, int)):
        return value
    return str(value)


def recorded_options(options_map: dict[str, Any]) -> dict[str, Any]:
    from beancount.parser import options

    return {
        key: _plain(options_map.get(key))
        for key in sorted(options.OPTIONS_DEFAULTS)
        if key not in _UNRECORDED
    }


def recorded_plugins(options_map: dict[str, Any]) -> list[list[Any]]:
    return [[str(name), config] for name, config in options_map.get("plugin", [])]


@dataclass
class Period:
    """A unit's entries up to a date, as a close sees them."""

    unit: str
    date: datetime.date
    entries: list[tuple[str, data.Directive]]  # (id, entry), counted and dated ≤ date
    balances: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        return digest_of(
            [f"{e.date.isoformat()}\x1d{canonical(e)}" for _, e in self.entries], self.date
        )

    def rows(self) -> list[list[str]]:
        return sorted([ident, entry_digest(e), describe(e)] for ident, e in self.entries)

    def trial_balance(self) -> dict[str, dict[str, str]]:
        return {
            account: {cur: _number(n) for cur, n in sorted(amounts.items())}
            for account, amounts in sorted(self.balances.items())
        }


def period(entries: list[data.Directive], unit: str, date: datetime.date) -> Period:
    """The unit's counted entries dated ≤ ``date`` and its accounts' balances at ``date``."""
    index = UnitIndex(declared_units(entries))
    ids = EntryIds(entries)
    chosen: list[tuple[str, data.Directive]] = []
    balances: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for entry in entries:
        if entry.date > date:
            continue
        if type(entry) is data.Transaction:
            for posting in entry.postings:
                number = getattr(posting.units, "number", None)
                if number is not None and accounts.unit_of(posting.account) == unit:
                    balances[posting.account][posting.units.currency] += number
        if in_digest(entry) and unit in index.units(entry):
            chosen.append((ids.of(entry), entry))
    found = Period(unit, date, chosen)
    found.balances = {
        account: {c: n for c, n in amounts.items() if n != 0}
        for account, amounts in balances.items()
    }
    return found


def git_state(main: Path) -> dict[str, Any] | None:
    from sandao.ledger import revisions

    try:
        root = revisions.repository(main)
        commit = revisions.resolve(root, "HEAD")
        status = str(revisions._git(root, "status", "--porcelain", "--untracked-files=no"))
    except (revisions.GitError, OSError):
        return None
    return {"commit": commit, "clean": not status.strip()}


def versions() -> dict[str, str]:
    import beancount

    from sandao import __version__

    return {"sandao": __version__, "beancount": beancount.__version__}


def build(
    entries: list[data.Directive],
    options_map: dict[str, Any],
    unit: str,
    date: datetime.date,
    main: Path,
) -> dict[str, Any]:
    """The certificate of a unit's period, as a JSON-ready dict."""
    found = period(entries, unit, date)
    rows = found.rows()
    return {
        "format": FORMAT,
        "unit": unit,
        "date": date.isoformat(),
        "digest": found.digest,
        "entry_count": len(rows),
        "entries": rows,
        "trial_balance": found.trial_balance(),
        "options": recorded_options(options_map),
        "plugins": recorded_plugins(options_map),
        "git": git_state(main),
        "versions": versions(),
    }


def dumps(certificate: dict[str, Any]) -> str:
    return json.dumps(certificate, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def write(certificate: dict[str, Any], folder: Path) -> Path:
    """Write the certificate into ``folder`` (created), atomically; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / certificate_name(
        certificate["unit"], datetime.date.fromisoformat(certificate["date"])
    )
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.write_text(dumps(certificate), encoding="utf-8")
    os.replace(tmp, target)
    return target


def _ssh_keygen(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    if shutil.which("ssh-keygen") is None:
        raise CertificateError("找不到 ssh-keygen（Debian: apt-get install openssh-client）")
    try:
        return subprocess.run(
            ["ssh-keygen", *args], input=stdin, capture_output=True, timeout=SSH_TIMEOUT_S
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CertificateError(f"ssh-keygen 调用失败：{exc}") from None


def sign(path: Path, key: Path) -> Path:
    """``ssh-keygen -Y sign``: the signature beside the certificate (``.sig``)."""
    signature = path.with_name(path.name + ".sig")
    signature.unlink(missing_ok=True)
    done = _ssh_keygen("-Y", "sign", "-f", str(key), "-n", NAMESPACE, str(path))
    if done.returncode != 0 or not signature.exists():
        message = done.stderr.decode("utf-8", "replace").strip()
        raise CertificateError(f"用密钥 {key} 签名失败：{message}")
    return signature


def check_signature(path: Path, allowed: Path) -> str | None:
    """None when the ``.sig`` beside ``path`` verifies against ``allowed``; else why not."""
    signature = path.with_name(path.name + ".sig")
    if not signature.exists():
        return f"证书 {path.name} 没有签名文件 {signature.name}"
    found = _ssh_keygen("-Y", "find-principals", "-s", str(signature), "-f", str(allowed))
    principals = found.stdout.decode("utf-8", "replace").split()
    if found.returncode != 0 or not principals:
        return f"证书 {path.name} 的签名不是 {allowed.name} 中任何一把公钥签的"
    body = path.read_bytes()
    for principal in principals:
        done = _ssh_keygen(
            "-Y",
            "verify",
            "-f",
            str(allowed),
            "-I",
            principal,
            "-n",
            NAMESPACE,
            "-s",
            str(signature),
            stdin=body,
        )
        if done.returncode == 0:
            return None
    return f"证书 {path.name} 的签名与内容不符（证书在签名后被改动）"


def read(path: Path) -> dict[str, Any]:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CertificateError(f"{path}：无法读取结账证书（{exc}）") from None
    if not isinstance(found, dict) or found.get("format") != FORMAT:
        raise CertificateError(f"{path}：不是 sandao 结账证书（format 应为 {FORMAT}）")
    try:
        datetime.date.fromisoformat(found["date"])
        str(found["unit"]), str(found["digest"]), list(found["entries"])
    except (KeyError, TypeError, ValueError):
        raise CertificateError(f"{path}：结账证书缺少 unit/date/digest/entries") from None
    return found


def _close_lines(entries: Iterable[data.Directive], unit: str, date: datetime.date) -> list[str]:
    found = []
    for entry in entries:
        if type(entry) is not data.Custom or entry.type != PERIOD_CLOSE:
            continue
        values = [v.value for v in entry.values]
        if len(values) >= 3 and values[0] == unit and values[1] == date:
            found.append(str(values[2]))
    return found


def _amounts(amounts: dict[str, str]) -> str:
    return "、".join(f"{n} {c}" for c, n in sorted(amounts.items())) or "0"


def compare(
    certificate: dict[str, Any], entries: list[data.Directive], options_map: dict[str, Any]
) -> list[str]:
    """Every difference between a certificate and the books, one sentence each: the
    ``period-close`` line, the closed entries, the trial balance, the options and the
    plugin lines, in that order."""
    unit = str(certificate["unit"])
    date = datetime.date.fromisoformat(certificate["date"])
    label = f"单位 {unit} 截至 {date}"
    found = period(entries, unit, date)
    return [
        f"{label}：{problem}"
        for problem in (
            *_close_line_problems(certificate, _close_lines(entries, unit, date)),
            *_entry_problems(certificate, found),
            *_balance_problems(certificate.get("trial_balance") or {}, found.trial_balance()),
            *_option_problems(certificate, options_map),
        )
    ]


def _close_line_problems(certificate: dict[str, Any], lines: list[str]) -> Iterator[str]:
    """The ``period-close`` directive: gone, doubled, or rewritten."""
    if not lines:
        yield "账簿中没有这条结账指令（period-close 被删除）"
    elif len(lines) > 1:
        yield f"账簿中有 {len(lines)} 条结账指令（重新结账）"
    if lines and any(line != certificate["digest"] for line in lines):
        shown = "、".join(sorted(set(lines)))
        yield (
            f"账簿中结账指令的摘要 {shown} 与证书的 {certificate['digest']} 不符"
            "（结账指令被改写，或改动后重新结账）"
        )


def _entry_problems(certificate: dict[str, Any], found: Period) -> Iterator[str]:
    """The closed period's entries: its digest, then each entry removed, added or changed."""
    if found.digest != certificate["digest"]:
        yield f"已结账期间的分录与证书摘要不符（{found.digest}）"
    old = {row[0]: row for row in certificate["entries"]}
    new = {row[0]: row for row in found.rows()}
    removed = sorted(old.keys() - new.keys())
    added = sorted(new.keys() - old.keys())
    # A changed entry without a voucher or id gets a new content id: the same text
    # (date, payee, narration) on both sides reads as one entry changed.
    by_text = {}
    for ident in added:
        by_text.setdefault(new[ident][2], []).append(ident)
    for ident in removed:
        twin = by_text.get(old[ident][2])
        if twin:
            other = twin.pop(0)
            added.remove(other)
            yield f"分录（{old[ident][2]}）被修改（编号 {ident} → {other}）"
        else:
            yield f"分录 {ident}（{old[ident][2]}）已删除或被改动"
    for ident in added:
        yield f"新增分录 {ident}（{new[ident][2]}）"
    for ident in sorted(old.keys() & new.keys()):
        if old[ident][1] != new[ident][1]:
            yield f"分录 {ident}（{new[ident][2]}）被修改"


def _balance_problems(
    tb_old: dict[str, dict[str, str]], tb_new: dict[str, dict[str, str]]
) -> Iterator[str]:
    """Each account whose balance at the close moved, with the amounts it moved by."""
    for account in sorted(tb_old.keys() | tb_new.keys()):
        before, after = tb_old.get(account, {}), tb_new.get(account, {})
        if before == after:
            continue
        moved = []
        for currency in sorted(before.keys() | after.keys()):
            delta = Decimal(after.get(currency, "0")) - Decimal(before.get(currency, "0"))
            if delta:
                moved.append(f"{'+' if delta > 0 else ''}{_number(delta)} {currency}")
        yield (
            f"科目 {account} 余额由 {_amounts(before)} 变为 {_amounts(after)}（{'、'.join(moved)}）"
        )


def _option_problems(certificate: dict[str, Any], options_map: dict[str, Any]) -> Iterator[str]:
    """The recorded options and plugin lines (what can change entries at load time)."""
    if certificate.get("options") is not None:
        now = recorded_options(options_map)
        for key in sorted(set(certificate["options"]) | set(now)):
            if certificate["options"].get(key) != now.get(key):
                yield f"选项 {key} 由 {certificate['options'].get(key)!r} 变为 {now.get(key)!r}"
    if certificate.get("plugins") is not None:
        before_p = [tuple(p) for p in certificate["plugins"]]
        after_p = [tuple(p) for p in recorded_plugins(options_map)]
        for name, config in before_p:
            if (name, config) not in after_p:
                yield f'插件行 plugin "{name}" 已删除或改动'
        for name, config in after_p:
            if (name, config) not in before_p:
                yield f'新增插件行 plugin "{name}"（它可以在加载时改动分录）'
        kept_b = [p for p in before_p if p in after_p]
        kept_a = [p for p in after_p if p in before_p]
        if kept_b != kept_a:
            yield "插件的顺序变了"
