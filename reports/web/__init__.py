"""The web product: ``sandao serve`` (Fava with the project's pages) and the Fava extension.

``serve`` starts Fava on the books with the extension added; ``fava`` is the extension
package (task board, budget execution, rule findings, report preview) with its
templates beside it.  Books name the extension by its public module
``sandao.reports.fava``, a one-line alias of :mod:`sandao.reports.web.fava`.
"""
