"""sandao — 三到社区 fund ledger.

The root package holds the command line; the layers live in ``sandao.ledger``
(fund model, resolver, rules, plugin, example books), ``sandao.importers``
(finance-bureau exports), ``sandao.reports`` (report builders, writers, Fava) and
``sandao.templates`` (Jinja2 templates).
"""

__version__ = "0.1.0"
