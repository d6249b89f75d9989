"""The ``sandao`` command line: one entry point, one sub-command per job.

Each layer contributes its own sub-commands through an ``add_parser(subparsers)``
function, so this module only wires them together and is the one place that turns
expected failures (:class:`~sandao.cli_helpers.UserError`) into a message and an exit
code instead of a traceback.  The layers import their shared helpers from
:mod:`sandao.cli_helpers`, never from here.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import signal
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from sandao import __version__, runtime
from sandao.cli_helpers import UserError

#: Modules that contribute sub-commands, in the order they are listed in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "sandao.ledger.commands",
    "sandao.importers.commands",
    "sandao.reports.commands",
    "sandao.reports.trace_command",
    "sandao.reports.web.serve",
    "sandao.reports.province.commands",
    "sandao.reports.audit.commands",
    "sandao.bench.commands",
    "sandao.demo",
)


#: argparse's own English messages → Chinese (the rest of the message is kept).
_ARGPARSE_WORDS: tuple[tuple[str, str], ...] = (
    ("the following arguments are required: ", "缺少必需的参数："),
    ("unrecognized arguments: ", "无法识别的参数："),
    ("expected one argument", "后面应跟一个值"),
    ("expected at least one argument", "后面应至少跟一个值"),
    ("not allowed with argument", "不能与此参数同时使用："),
    ("one of the arguments ", "以下参数须给出一个："),
    (" is required", ""),
    ("invalid choice: ", "无效的选项："),
    ("invalid int value: ", "应为整数，实际为 "),
    ("invalid Path value: ", "应为路径，实际为 "),
    ("ambiguous option: ", "有歧义的选项："),
    ("argument ", "参数 "),
)


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its usage errors as one Chinese sentence (exit 2), no usage dump."""

    def error(self, message: str) -> NoReturn:
        message = re.sub(r" ?\(choose from (.*)\)", r"（可选：\1）", message)
        for english, chinese in _ARGPARSE_WORDS:
            message = message.replace(english, chinese)
        self.exit(2, f"错误：{message}（用法见 {self.prog} -h）\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every available sub-command."""
    parser = ChineseArgumentParser(
        prog="sandao",
        description="三到社区资金台账：检查、导入、报表、审计浏览 (community fund ledger)",
    )
    parser.add_argument("--version", action="version", version=f"sandao {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    # Beancount's own pickle cache beside the books is never read or written (a crafted
    # one runs code when unpickled); sandao keeps its own in the user's cache directory.
    from beancount import loader

    from sandao.ledger import bookcache

    loader.initialize(use_cache=False)
    bookcache.enabled = not getattr(args, "no_cache", False)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        if _STOPPED:  # e.g. "账本无法加载（RuntimeError: Parser internal error）"
            return _stopped_code()
        print(f"错误：{exc}", file=sys.stderr)
        return exc.code
    except BrokenPipeError:
        return _pipe_closed()
    except KeyboardInterrupt:
        print("已中断 (interrupted)", file=sys.stderr)
        return 130
    except Exception as exc:  # a full disk or a read-only folder anywhere: a message
        from sandao.oserrors import as_os_error, os_message

        if _STOPPED:
            return _stopped_code()
        error = as_os_error(exc)
        if error is None:
            raise
        print(f"错误：{os_message(error)}，操作未完成。", file=sys.stderr)
        return 1


def _pipe_closed() -> int:
    """The reader of standard output went away (``sandao … | head``): end quietly.

    What is still buffered for standard output goes to the null device, so the flush at
    exit does not fail again ("Exception ignored … BrokenPipeError")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return 1


def entry() -> None:
    """The ``sandao`` executable: one command per process, so loading may skip the collector.

    Ctrl-C while the modules are still being imported (the first half second of any
    command) ends with the same message as during the work, not a traceback.  SIGTERM
    (``kill``, a service manager stopping the command) unwinds like Ctrl-C, so the
    staging folders and temporary files are removed on the way out (exit 143).
    """
    try:
        signal.signal(signal.SIGINT, _interrupted)
        signal.signal(signal.SIGTERM, _terminated)
        sys.unraisablehook = _swallowed
        from sandao.runtime import one_shot_process

        one_shot_process()
        code = main()
        if _STOPPED and code not in (0, 128 + _STOPPED[0]):  # a failure the signal caused
            code = _stopped_code()
    except KeyboardInterrupt:
        print("已中断 (interrupted)", file=sys.stderr)
        code = 130
    except Exception:
        if not _STOPPED:
            raise
        code = _stopped_code()
    sys.exit(code)


_MAIN_PID = os.getpid()
#: The stop signals this process received (SIGINT, SIGTERM), first first.
#: Libraries can turn the KeyboardInterrupt of a Ctrl-C into another error and lose it
#: (Beancount's parser: "RuntimeError: Parser internal error"; CPython's import machinery:
#: "TypeError: expected a message argument"); once a stop signal came, whatever ends the
#: run is that signal, not a fault of the books or a bug.
_STOPPED = runtime.stops


def _stopped_code() -> int:
    """Exit code of a run a stop signal ended (for Ctrl-C said here; SIGTERM says it)."""
    if _STOPPED[0] == signal.SIGINT:
        print("已中断 (interrupted)", file=sys.stderr)
    return 128 + _STOPPED[0]


def _interrupted(signum: int, frame: object) -> None:
    _STOPPED.append(signum)
    raise KeyboardInterrupt


def _terminated(signum: int, frame: object) -> None:
    if not _STOPPED and os.getpid() == _MAIN_PID:  # forked report workers end silently
        sys.stderr.write("已终止 (terminated)\n")
    _STOPPED.append(signum)
    raise SystemExit(128 + signum)


_hooked = False


def _swallowed(unraisable: Any) -> None:
    """``sys.unraisablehook``: a stop signal whose exception was raised inside a callback
    Python only reports (the import machinery's weakref callbacks, a ``__del__``) would be
    printed as "Exception ignored …" with a traceback and lost, and the run would go on;
    an alarm (SIGALRM, 10 ms) raises it again instead, outside the callback."""
    global _hooked
    stop = isinstance(unraisable.exc_value, (KeyboardInterrupt, SystemExit))
    if not (_STOPPED and stop and hasattr(signal, "setitimer")):
        sys.__unraisablehook__(unraisable)
        return
    _hooked = True
    try:
        signal.signal(signal.SIGALRM, _again)
        signal.setitimer(signal.ITIMER_REAL, 0.01)
    finally:
        _hooked = False


def _again(signum: int, frame: object) -> None:
    """The alarm after a swallowed stop signal: that signal's handler again, here — or a
    little later, when the alarm came while the hook itself still ran."""
    if _hooked:
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        return
    signal.raise_signal(_STOPPED[0])


if __name__ == "__main__":
    entry()
