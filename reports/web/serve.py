"""``sandao serve``: Fava with the fund pages, read-only unless asked otherwise.

How the extension gets into Fava
--------------------------------
Fava loads extensions from ``custom "fava-extension" "MODULE"`` entries of the
books and its options (the interface language among them) from
``custom "fava-option" …`` entries.  Books may declare both themselves::

    2024-01-01 custom "fava-extension" "sandao.reports.fava"
    2024-01-01 custom "fava-option" "language" "zh"

and then plain ``fava main.beancount`` shows the fund pages too.  ``sandao serve``
does not need the declarations: for the files it serves it appends those two
entries to what Beancount loaded — in memory, never in a file — unless the books
already declare the extension (no duplicate) or choose another language.  It does
so by wrapping the loader function Fava's ledger calls (``fava.core.load_uncached``),
so the entries go through Fava's own extension and option handling, errors included.
The same wrapper lets the ``sandao.ledger`` plugin keep its analysis of the load, so
the fund pages show the plugin's own run (the one ``check`` and ``report`` use)
instead of running the rules a second time.

Everything else is Fava's own: its app factory (:func:`fava.application.create_app`),
its ``read_only`` mode (every request that is not a GET is refused with 401 — Fava's
editing API and the extension's endpoints alike; the extension's endpoints are
GET-only in any mode), its ``incognito`` mode, and the cheroot server its CLI runs.
The server binds 127.0.0.1 unless ``--host`` says otherwise.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core import data

from sandao.cli_helpers import UserError, port_value
from sandao.ledger.glossary import DOCUMENT, DUE

if TYPE_CHECKING:
    from flask import Flask

#: The module Fava imports for the fund pages.
EXTENSION_MODULE = "sandao.reports.fava"
#: Fava's interface language for ``serve`` (unless the books set one).
LANGUAGE = "zh"
DEFAULT_HOST = "127.0.0.1"
#: Addresses only this computer can reach (no warning when serving on them).
LOOPBACK: frozenset[str] = frozenset({"127.0.0.1", "::1", "localhost"})
DEFAULT_PORT = 5000
#: ``filename`` of the entries ``serve`` adds (shown by Fava if it ever cites them).
SERVE_SOURCE = "<sandao serve>"
#: The page Fava opens on under ``serve`` (unless the books choose one).
DEFAULT_PAGE = "extension/TaskBoard/"

#: Paths (resolved, as given to Fava) whose loads get the serve entries.
_SERVED: set[str] = set()


def serve_entries(entries: Sequence[data.Directive]) -> list[data.Directive]:
    """The loaded entries plus the extension / language declarations they lack.

    The added entries are dated on the first entry's date so they never widen
    the date range Fava shows; the list stays in Beancount's order.
    """
    from beancount.parser.grammar import ValueType

    declared_extensions: set[str] = set()
    options: set[str] = set()
    tasks: list[data.Custom] = []
    departments: dict[str, str] = {}
    accounts: list[str] = []
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.values:
            if entry.type == "fava-extension":
                declared_extensions.add(str(entry.values[0].value))
            elif entry.type == "fava-option":
                options.add(str(entry.values[0].value))
            elif entry.type == "task":
                tasks.append(entry)
            elif entry.type == "department" and len(entry.values) > 1:
                departments[str(entry.values[0].value)] = str(entry.values[1].value)
        elif isinstance(entry, data.Open):
            accounts.append(entry.account)
    added: list[data.Directive] = []
    date = entries[0].date if entries else datetime.date.today()
    meta = data.new_metadata(SERVE_SOURCE, 0)
    if EXTENSION_MODULE not in declared_extensions:
        added.append(data.Custom(meta, date, "fava-extension", [ValueType(EXTENSION_MODULE, str)]))
    for option, value in (("language", LANGUAGE), ("default-page", DEFAULT_PAGE)):
        if option not in options:
            values = [ValueType(option, str), ValueType(value, str)]
            added.append(data.Custom(meta, date, "fava-option", values))
    added.extend(task_notes(tasks, accounts, departments))
    if not added:
        return list(entries)
    return sorted([*entries, *added], key=data.entry_sortkey)


def task_notes(
    tasks: Sequence[data.Custom], accounts: Sequence[str], departments: dict[str, str]
) -> list[data.Note]:
    """A ``note`` carrying the task's link for each task declaration, so that Fava's
    journal filtered by ``^T…`` shows the assignment too (``custom`` entries carry no links).

    The note sits on the account the department's money arrives in (the unit's income
    sub-account of the department), else on any account of the unit; its source is the
    declaration's line.  Only ``serve`` adds them, in memory: ``check`` and the reports
    never see them.
    """
    notes: list[data.Note] = []
    for entry in tasks:
        task_id = str(entry.values[0].value)
        meta = entry.meta
        unit, department = str(meta.get("unit") or ""), str(meta.get("department") or "")
        mine = [
            a for a in accounts if len(a.split(":")) > 1 and a.split(":")[1].startswith(f"{unit}-")
        ]
        income = [a for a in mine if a.startswith("Income:") and f":{department}-" in a]
        account = (income or mine or [None])[0]
        if account is None or not unit:
            continue
        name = entry.values[1].value if len(entry.values) > 1 else ""
        amount = entry.values[2].value if len(entry.values) > 2 else None
        parts = [f"任务声明：{task_id}「{name}」"]
        number = getattr(amount, "number", None)
        if number is not None:
            parts.append(f"应拨金额 {number:,.2f}")
        if department:
            parts.append(f"交办部门 {departments.get(department, department)}")
        if meta.get("due"):
            parts.append(f"{DUE} {meta['due']}")
        if meta.get("document"):
            parts.append(f"{DOCUMENT} {meta['document']}")
        note_meta = {"filename": meta.get("filename"), "lineno": meta.get("lineno")}
        notes.append(
            data.Note(
                note_meta, entry.date, account, "，".join(parts), frozenset(), frozenset({task_id})
            )
        )
    return notes


def _install_loader_hook() -> None:
    """Wrap Fava's loader once so served files get :func:`serve_entries`."""
    import fava.core

    from sandao.runtime import keeping_plugin_runs

    current: Callable[..., Any] = fava.core.load_uncached
    if getattr(current, "sandao_serve", False):
        return

    def load_uncached(beancount_file_path: str, *, is_encrypted: bool) -> Any:
        if beancount_file_path not in _SERVED:
            return current(beancount_file_path, is_encrypted=is_encrypted)
        # The plugin keeps its run of this load; the fund pages take it (and drop it
        # from the plugin's list) in their ``after_load_file``: one rule pass per load.
        with keeping_plugin_runs():
            entries, errors, options = current(beancount_file_path, is_encrypted=is_encrypted)
        return serve_entries(entries), errors, options

    load_uncached.sandao_serve = True  # type: ignore[attr-defined]
    fava.core.load_uncached = load_uncached


def create_serve_app(
    ledger: str | Path,
    *,
    read_only: bool = True,
    incognito: bool = False,
    load: bool = False,
) -> Flask:
    """Fava's WSGI app for one ledger file, with the fund pages and Chinese interface."""
    from fava.application import create_app

    path = str(Path(ledger).resolve())
    _install_loader_hook()
    _SERVED.add(path)
    from sandao.reports.web import query_guard
    from sandao.reports.web.fava import labelled_meta_items

    query_guard.install()  # a catastrophic regex in a query or filter cannot freeze the server
    app = create_app([path], load=load, incognito=incognito, read_only=read_only)
    app.config["SANDAO_READ_ONLY"] = read_only
    app.jinja_env.filters["meta_items"] = labelled_meta_items
    if read_only:
        _allow_head(app)
    _bad_requests_are_4xx(app)
    return app


def _bad_requests_are_4xx(app: Flask) -> None:
    """What a request asked for that is not there or not allowed answers 4xx, not 500.

    Fava answers its own errors about the request — an entry hash that matches nothing, a
    date filter that is no date, a query that returns no table, a file that is not one of
    the books (``/api/source?filename=/etc/passwd``) — with 500, as if the server had
    failed; so does its ``/jump`` without a page to jump back to (a TypeError).  Here
    they answer 400 (404 for a file that is not there, 403 for one that may not be read)
    with Fava's own message, and so do an account filter that is no regular expression
    (``/api/journal?account=(``, re.error) and a NUL character anywhere in the path or query
    (``/document/?filename=%00`` raised ValueError); anything else is still a server error.
    """
    from http import HTTPStatus

    from fava.helpers import FavaAPIError
    from flask import request

    page_handler = app.error_handler_spec.get(None, {}).get(None, {}).get(FavaAPIError)
    api_scope = app.error_handler_spec.get("json_api", {}).get(None, {})
    api_handler = api_scope.get(FavaAPIError)
    os_handler = api_scope.get(OSError)

    def status_of(error: Exception) -> int:
        if isinstance(error, (FileNotFoundError, NotADirectoryError, IsADirectoryError)):
            return HTTPStatus.NOT_FOUND
        if isinstance(error, PermissionError):
            return HTTPStatus.FORBIDDEN
        if isinstance(error, FavaAPIError):
            return HTTPStatus.BAD_REQUEST
        return HTTPStatus.INTERNAL_SERVER_ERROR

    def with_status(handler: Callable[[Exception], Any] | None) -> Callable[[Exception], Any]:
        def handle(error: Exception) -> Any:
            response = app.make_response(handler(error)) if handler else app.make_response("")
            if response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR:
                response.status_code = status_of(error)
            return response

        return handle

    def bad_pattern(error: re.error) -> Any:
        """An account filter Fava's JSON API takes as a regular expression (``?account=(``)."""
        message = f"过滤条件不是有效的正则表达式：{error}"
        if request.blueprint == "json_api":
            return {"error": message}, HTTPStatus.BAD_REQUEST
        return message, HTTPStatus.BAD_REQUEST

    app.register_error_handler(re.error, bad_pattern)
    if page_handler is not None:
        app.register_error_handler(FavaAPIError, with_status(page_handler))
    if api_handler is not None:
        api_scope[FavaAPIError] = with_status(api_handler)
    if os_handler is not None:
        api_scope[OSError] = with_status(os_handler)

    def refuse_unanswerable() -> Any:
        values = [request.path, *request.args.keys(), *request.args.values()]
        if any("\x00" in value for value in values):  # no file name or filter holds one
            return "请求中有空字符（NUL）", HTTPStatus.BAD_REQUEST
        if request.endpoint == "jump" and not request.referrer:
            return "没有可返回的页面（/jump 需要从 Fava 的页面点进来）", HTTPStatus.BAD_REQUEST
        return None

    app.before_request(refuse_unanswerable)


#: Methods that only read: Fava's read-only guard lets only GET through (HEAD got 401).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _allow_head(app: Flask) -> None:
    """Replace Fava's read-only guard with one that also lets HEAD and OPTIONS through."""
    from flask import abort, request

    def read_only_guard() -> None:
        if request.method not in SAFE_METHODS:
            abort(401)

    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[:] = [f for f in hooks if f.__name__ != "_read_only"]
    hooks.insert(0, read_only_guard)


#: Seconds ``stop`` waits for requests still running before the server's threads are left.
SHUTDOWN_TIMEOUT = 2


def open_server(app: Flask, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> Any:
    """A cheroot server (as ``fava`` runs) bound to ``host:port``, not serving yet.

    A port already in use is one message naming it and how to choose another (exit 2),
    before anything says the server started."""
    import errno

    from cheroot.wsgi import Server

    server = Server((host, port), app)
    server.shutdown_timeout = SHUTDOWN_TIMEOUT
    try:
        server.prepare()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE or "Address already in use" in str(exc):
            raise UserError(
                f"端口 {port} 已被占用（{host}:{port} 上已有别的程序在监听，多半是另一个 sandao serve "
                f"或 fava）：用 --port 选另一个端口，如 --port {port + 1 if port < 65535 else 8000}",
                code=2,
            ) from None
        raise UserError(f"无法在 {host}:{port} 上启动服务：{exc}", code=2) from None
    return server


def run_server(server: Any) -> None:
    """Serve until Ctrl-C or SIGTERM, then stop the server's threads and close its socket
    (a SIGTERM's SystemExit left them running: the process stopped answering but lived on).
    Stop signals that come while it stops are only noted."""
    import signal

    try:
        server.serve()
    except (KeyboardInterrupt, SystemExit) as stop:
        # Stopping: a later stop signal is ignored, to the process's very end.  A Python
        # handler (or a block in this thread only) is not enough: at the interpreter's end
        # the default action is back for every signal with a Python handler, and another
        # thread still alive takes the signal then (exit -15, seen when the end was slow
        # to free a large auditor's edition).  An ignored signal stays ignored.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        server.stop()
        if isinstance(stop, SystemExit):
            raise


def _serve(args: argparse.Namespace) -> int:
    from sandao.ledger.check import BooksUnreadable, ensure_readable

    ledger = Path(args.ledger)
    try:
        ensure_readable(ledger)
    except BooksUnreadable as exc:
        raise UserError(str(exc)) from None
    read_only = not args.read_write
    app = create_serve_app(ledger, read_only=read_only, incognito=args.incognito, load=True)
    mode = "只读" if read_only else "可编辑"
    host = DEFAULT_HOST if args.host == "localhost" else args.host
    server = open_server(app, host, args.port)
    if host not in LOOPBACK:
        print(
            f"注意：监听 {host}，同一网络中的其他电脑也能打开这些账簿（Fava 没有登录）。",
            file=sys.stderr,
            flush=True,
        )
    print(f"Fava 已启动（{mode}）：http://{host}:{args.port}/  按 Ctrl-C 停止", flush=True)
    run_server(server)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``sandao serve``."""
    parser = subparsers.add_parser(
        "serve",
        help="用 Fava 浏览台账（含资金页面，默认只读）",
        description=(
            "启动 Fava 浏览台账，附带费随事转任务、指标执行、规则检查与公开报表页面。"
            "默认只读、仅监听 127.0.0.1、中文界面。"
        ),
    )
    parser.add_argument("ledger", metavar="LEDGER", help="主台账文件 (main.beancount)")
    parser.add_argument(
        "--port", "-p", type=port_value, default=DEFAULT_PORT, help="端口（默认 5000）"
    )
    parser.add_argument(
        "--host", "-H", default=DEFAULT_HOST, help="监听地址（默认 127.0.0.1，仅本机）"
    )
    parser.add_argument(
        "--read-write", action="store_true", help="允许在 Fava 中编辑文件（默认只读）"
    )
    parser.add_argument("--incognito", action="store_true", help="隐身模式：遮盖所有数字")
    parser.set_defaults(func=_serve)
