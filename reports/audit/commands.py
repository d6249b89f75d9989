"""Sub-commands of the auditor's toolkit: ``audit``, ``history`` and ``close``.

``audit`` exits 0 whatever it finds (findings are suspicions, not errors) and 2 on
input it cannot use; ``history`` exits 2 when the books are not in git; ``close``
appends one ``period-close`` directive and exits 2 when it cannot.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sandao.cli_helpers import (
    UserError,
    add_cache_option,
    add_config_option,
    books_parser,
    date_argument,
    readable_books,
    year_value,
)


def add_parser(subparsers: Any) -> None:
    """Register ``audit``, ``history``, ``close`` and ``verify``."""
    audit = books_parser(
        subparsers,
        "audit",
        help="审计疑点：财政审计方法 AU01–AU21 (audit checks)",
        description="按审计署现场审计常用的财政审计方法检查账簿，列出需要核实的疑点（不是错误，退出码 0）。",
    )
    audit.add_argument("--year", type=year_value, help="只列此年度的疑点")
    audit.add_argument("--unit", help="只列此单位的疑点（如 C101）")
    audit.add_argument("--json", action="store_true", help="输出 JSON")
    audit.add_argument("--xlsx", type=Path, metavar="FILE", help="写出审计工作底稿（XLSX）")
    add_config_option(audit)
    add_cache_option(audit)
    audit.set_defaults(func=cmd_audit)

    history = books_parser(
        subparsers,
        "history",
        help="变更记录：两个 git 版本之间新增、删除、修改的分录 (change history)",
        description="比较两个 git 版本的账簿（按分录比较：移动到其他文件、调整元数据顺序或格式不算变更）。",
    )
    history.add_argument(
        "--since", help="起始版本或日期 YYYY-MM-DD（该日或之前的最后一次提交；默认：第一次提交）"
    )
    history.add_argument("--until", help="截止版本或日期（默认：HEAD）")
    history.add_argument("--json", action="store_true", help="输出 JSON")
    history.set_defaults(func=cmd_history)

    close = books_parser(
        subparsers,
        "close",
        help="结账：为单位截至某日的分录记录摘要 (close a period)",
        description='在账簿末尾追加 custom "period-close"：该单位截至 DATE 的全部分录的摘要；'
        "此后这些分录被改动时规则 C001 报错。",
    )
    close.add_argument("unit", help="单位编码，如 C101")
    close.add_argument("date", type=date_argument, help="结账截止日期 YYYY-MM-DD")
    close.add_argument("--file", type=Path, help="追加到此文件（须为账簿包含的文件；默认：主文件）")
    close.add_argument(
        "--certificates",
        type=Path,
        metavar="DIR",
        help="结账证书 <单位>-<日期>.close.json 写入此文件夹（默认：主文件旁的 closes/）",
    )
    close.add_argument(
        "--sign",
        type=Path,
        metavar="KEY",
        help="用 SSH 私钥签名证书（ssh-keygen -Y sign，git 的 SSH 签名；签名写在 .sig）",
    )
    close.set_defaults(func=cmd_close)

    verify = books_parser(
        subparsers,
        "verify",
        help="核对结账证书：已结账期间是否被改动 (verify close certificates)",
        description="重新读取账簿（只运行 Beancount 自身的插件，不读缓存），逐一核对结账证书："
        "结账指令、分录摘要、科目余额、选项与插件行、签名。全部相符退出码 0，否则 1。",
    )
    verify.add_argument("certificates", type=Path, nargs="+", metavar="CERT", help="结账证书")
    verify.add_argument(
        "--allowed-signers",
        type=Path,
        metavar="FILE",
        help="可信签名公钥（ssh-keygen 的 allowed_signers 格式）；给出时签名也须相符",
    )
    verify.set_defaults(func=cmd_verify)


def cmd_audit(args: argparse.Namespace) -> int:
    from sandao.ledger.county_config import CountyConfigError, load_county_config
    from sandao.reports.audit import audit
    from sandao.reports.audit.paper import provenance, render_text, write_xlsx
    from sandao.reports.audit.thresholds import ThresholdError

    readable_books(args.ledger)
    try:
        config = load_county_config(args.ledger, args.config)
    except CountyConfigError as exc:
        raise UserError(str(exc), 2) from None
    if args.xlsx is not None and (args.xlsx.is_dir() or not args.xlsx.parent.is_dir()):
        raise UserError(f"--xlsx {args.xlsx}：应为一个文件路径，且所在文件夹已存在", 2)
    from sandao.ledger import load

    analysis = load(args.ledger)
    if analysis.errors:
        print(
            f"注意：账簿有 {len(analysis.errors)} 个 Beancount 错误（sandao check 查看），疑点按可读部分计算",
            file=sys.stderr,
        )
    try:
        result = audit(
            analysis,
            config.section("audit"),
            config.county.holidays,
            config.county.workdays,
            args.year,
            args.unit,
            str(config.path or "sandao.toml"),
        )
    except ThresholdError as exc:
        raise UserError(str(exc), 2) from None
    if args.unit and args.unit not in analysis.declarations.units:
        raise UserError(f"单位 {args.unit} 未在账簿中声明", 2)
    if args.xlsx is not None:
        write_xlsx(result, args.xlsx, provenance(analysis, args.ledger, config, args.unit))
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(result))
        if args.xlsx is not None:
            print(f"审计工作底稿：{args.xlsx}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from sandao.reports.audit.history import GitError, history, render_text

    readable_books(args.ledger)
    try:
        result = history(args.ledger, args.since, args.until)
    except GitError as exc:
        raise UserError(str(exc), 2) from None
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(result))
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    from sandao.locking import LockTimeout, output_lock

    readable_books(args.ledger)
    # One close at a time per target file: from reading the books to the append, so a
    # second run sees the first run's period-close (and refuses) instead of writing it twice.
    try:
        with output_lock(str((args.file or args.ledger).resolve())):
            return _close_locked(args)
    except LockTimeout as exc:
        raise UserError(str(exc), 2) from None


def _close_locked(args: argparse.Namespace) -> int:
    from beancount.core import data

    from sandao.ledger import certificates
    from sandao.ledger.closing import close_directive, read_closes
    from sandao.ledger.revisions import load_unplugged

    entries, errors, options_map = load_unplugged(args.ledger)
    if errors:
        first = errors[0]
        source = first.source or {}
        raise UserError(
            f"账簿有 {len(errors)} 个语法或记账错误（如 {source.get('filename')}:{source.get('lineno')} "
            f"{first.message}），请先改正再结账",
            2,
        )
    units = {
        str(e.values[0].value)
        for e in entries
        if type(e) is data.Custom and e.type == "unit" and e.values
    }
    if args.unit not in units:
        raise UserError(
            f"单位 {args.unit} 未在账簿中声明（已声明：{'、'.join(sorted(units)) or '无'}）", 2
        )
    for close in read_closes(entries, None):
        if close.unit == args.unit and close.date == args.date:
            raise UserError(f"单位 {args.unit} 截至 {args.date} 已结账（{close.digest[:15]}…）", 2)
    target = (args.file or args.ledger).resolve()
    included = {Path(p).resolve() for p in options_map.get("include", [])}
    if target not in included:
        raise UserError(f"{args.file}：不是账簿包含（include）的文件，结账指令写在那里不会生效", 2)
    if args.sign is not None and not args.sign.is_file():
        raise UserError(f"--sign {args.sign}：找不到这个私钥文件", 2)
    certificate = certificates.build(entries, options_map, args.unit, args.date, args.ledger)
    digest = certificate["digest"]
    folder = args.certificates or args.ledger.resolve().parent / "closes"
    try:
        path = certificates.write(certificate, folder)
        signature = certificates.sign(path, args.sign) if args.sign is not None else None
    except certificates.CertificateError as exc:
        raise UserError(str(exc), 2) from None
    text = target.read_text(encoding="utf-8")
    prefix = "" if not text or text.endswith("\n") else "\n"
    line = close_directive(args.unit, args.date, digest)
    with target.open("a", encoding="utf-8") as handle:
        handle.write(f"{prefix}{line}")
    print(f"已结账：{args.unit} 截至 {args.date}，{digest}（写入 {target.name}）")
    print(
        f"结账证书：{path}（{certificate['entry_count']} 笔分录）"
        + (f"，签名 {signature.name}" if signature else "")
    )
    print("请把证书交财政局或审计机关保管；核对：sandao verify 账簿 证书")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from sandao.ledger import certificates
    from sandao.ledger.revisions import load_unplugged

    readable_books(args.ledger)
    if args.allowed_signers is not None and not args.allowed_signers.is_file():
        raise UserError(f"--allowed-signers {args.allowed_signers}：找不到这个文件", 2)
    try:
        read = [(path, certificates.read(path)) for path in args.certificates]
    except certificates.CertificateError as exc:
        raise UserError(str(exc), 2) from None
    entries, errors, options_map = load_unplugged(args.ledger)
    failed = 0
    if errors:
        print(f"注意：账簿有 {len(errors)} 个语法或记账错误（sandao check 查看）")
    for path, certificate in read:
        problems = certificates.compare(certificate, entries, options_map)
        if args.allowed_signers is not None:
            try:
                bad = certificates.check_signature(path, args.allowed_signers)
            except certificates.CertificateError as exc:
                raise UserError(str(exc), 2) from None
            if bad:
                problems.insert(0, bad)
        head = f"单位 {certificate['unit']} 截至 {certificate['date']}（{path.name}）"
        if problems:
            failed += 1
            print(f"不符：{head}")
            for problem in problems:
                print(f"  {problem}")
        else:
            signed = "，签名有效" if args.allowed_signers is not None else ""
            print(f"相符：{head}，{certificate['entry_count']} 笔分录{signed}")
    if failed:
        print(f"共 {len(read)} 份证书，{failed} 份与账簿不符")
        return 1
    return 0
