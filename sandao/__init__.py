"""sandao — 三到社区 fund ledger.

The root package holds the command line; the layers live in ``sandao.ledger``
(fund model, resolver, rules, plugin, example books), ``sandao.importers``
(finance-bureau exports), ``sandao.reports`` (report builders, writers, Fava) and
``sandao.templates`` (Jinja2 templates).
"""

__version__ = "0.1.0"

import _signal
import sys as _sys

if _sys.argv and _sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1] in ("sandao", "sandao.exe"):
    # The ``sandao`` console script: Ctrl-C while the first modules are still being
    # imported ends quietly (``sandao.cli.entry`` takes over from then on).  ``_signal``
    # is built into the interpreter: nothing is read from disk before the handler is set.

    def _interrupted(signum: int, frame: object) -> None:
        _sys.stderr.write("已中断 (interrupted)\n")
        raise SystemExit(130)

    _signal.signal(_signal.SIGINT, _interrupted)
