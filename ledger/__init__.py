"""The ledger layer: fund model, resolver, rule engine and the Beancount plugin.

Enable the rules in a set of books with ``plugin "sandao.ledger"``.  Programs use
:func:`load` (or :func:`analysis_for` on entries they loaded themselves) to get the
same :class:`Analysis` — posting table, task funding, findings — the plugin computed.
"""

from sandao.ledger.analysis import Analysis, Config, analyse, analysis_for, load
from sandao.ledger.plugin import fund_rules

__plugins__ = ("fund_rules",)

__all__ = ["Analysis", "Config", "analyse", "analysis_for", "fund_rules", "load"]
