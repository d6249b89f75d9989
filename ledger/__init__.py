"""The ledger layer: fund model, resolver, rule engine and the Beancount plugin.

Enable the rules in a set of books with ``plugin "sandao.ledger"``.  Programs use
:func:`load` (or :func:`analysis_for` on entries they loaded themselves) to get the
same :class:`Analysis` — posting table, task funding, findings — the plugin computed.
"""

from typing import Any

from sandao.ledger.plugin import fund_rules

__plugins__ = ("fund_rules",)

_ANALYSIS = ("Analysis", "Config", "analyse", "analysis_for", "load")


def __getattr__(name: str) -> Any:
    """The analysis API, imported on first use: ``plugin "sandao.ledger"`` in books that
    hold none of the fund's accounts (a personal ledger) never imports the rule engine."""
    if name in _ANALYSIS:
        from sandao.ledger import analysis

        return getattr(analysis, name)
    raise AttributeError(f"module 'sandao.ledger' has no attribute {name!r}")


__all__ = ["Analysis", "Config", "analyse", "analysis_for", "fund_rules", "load"]
