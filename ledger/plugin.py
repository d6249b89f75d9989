"""The Beancount plugin: ``plugin "sandao.ledger"`` in the books enables the fund rules.

Like Beancount's own plugins it is a pure function ``(entries, options_map, config)
→ (entries, errors)``; it leaves the entries unchanged and turns findings into
:class:`FundRuleError` values whose ``source`` points at the offending line, so
``bean-check`` and Fava's error page show the same findings as ``sandao check``.
Beancount has no warnings: only errors are returned unless the config says
``{'warnings': True}``.
"""

from __future__ import annotations

import ast
import re
import sys
from typing import Any, NamedTuple

from beancount.core import data

from sandao.ledger.accounts import UNIT_SHAPE
from sandao.ledger.findings import ACKNOWLEDGED, ERROR, Finding, FundRuleError
from sandao.runtime import collector_paused, remember

#: The fund language's directives (declarations, changes, bookkeeping): books holding
#: any of them are the fund's books (kept equal to the readers' tables by a test).
FUND_DIRECTIVES = frozenset(
    {
        "unit",
        "community",
        "department",
        "task",
        "project",
        "quota",
        "target",
        "output",
        "contract",
        "disclosure-note",
        "task-amend",
        "task-close",
        "quota-adjust",
        "ack",
        "period-close",
    }
)

__plugins__ = ("fund_rules",)


class PluginConfigError(NamedTuple):
    """The plugin line's configuration string cannot be read."""

    source: dict[str, Any]
    message: str
    entry: Any


def holds_fund_books(entries: list[data.Directive], config_text: str | None = None) -> bool:
    """Whether any entry is the fund's: a fund directive, or an account of a unit shape
    (``C\\d+``, or the config's ``unit_pattern``) or with a ``unit`` in its metadata."""
    pattern = UNIT_SHAPE.pattern
    if config_text and "unit_pattern" in config_text:
        try:
            pattern = str(ast.literal_eval(config_text)["unit_pattern"])
            shape = re.compile(rf"(?:{pattern})(?:-|$)")
        except Exception:  # a broken config: the full run reports it
            return True
    else:
        shape = re.compile(rf"(?:{pattern})(?:-|$)")
    custom, opened = data.Custom, data.Open
    for entry in entries:
        kind = type(entry)
        if kind is custom:
            if entry.type in FUND_DIRECTIVES:
                return True
        elif kind is opened:
            parts = entry.account.split(":", 2)
            if (len(parts) > 1 and shape.match(parts[1])) or "unit" in entry.meta:
                return True
    return False


def to_error(finding: Finding) -> FundRuleError:
    """A finding as a Beancount error, ``[CODE] message``."""
    source = {"filename": finding.file or "<sandao>", "lineno": finding.line or 0}
    if finding.severity == ACKNOWLEDGED:
        return FundRuleError(
            source, f"[{finding.code} 已确认：{finding.ack_reason}] {finding.message}", None
        )
    return FundRuleError(source, f"[{finding.code}] {finding.message}", None)


def fund_rules(
    entries: list[data.Directive], options_map: dict[str, Any], config_text: str | None = None
) -> tuple[list[data.Directive], list[Any]]:
    """Check the fund rules; returns the entries unchanged and the findings as errors.

    Books with none of the fund's directives and no unit-shaped account (a personal
    ledger, Beancount's example) are outside the rules' scope: they are returned at
    once, without importing the rule engine.
    """
    not_plugins = modules_without_plugins(options_map)
    if not holds_fund_books(entries, config_text):
        return entries, not_plugins
    from sandao.ledger.analysis import Config, ConfigError, analyse

    try:
        config = Config.parse(config_text)
    except ConfigError as exc:
        source = {"filename": "<sandao.ledger>", "lineno": 0}
        return entries, [PluginConfigError(source, f"sandao.ledger 插件配置错误：{exc}", None)]
    with collector_paused():
        analysis = analyse(entries, options_map, config)
        remember(options_map, analysis)
        errors = [to_error(f) for f in analysis.findings if config.warnings or f.severity == ERROR]
        del analysis
    return entries, not_plugins + errors


def modules_without_plugins(options_map: dict[str, Any]) -> list[PluginConfigError]:
    """A ``plugin "os"`` line: Beancount imports the module, finds no ``__plugins__`` and
    says nothing, so the line silently does nothing.  (Modules not yet imported are left
    alone: importing them here could run anything.)"""
    found = []
    for name, _config in options_map.get("plugin") or ():
        module = sys.modules.get(name)
        if module is not None and not hasattr(module, "__plugins__"):
            source = {"filename": "<sandao.ledger>", "lineno": 0}
            message = f'plugin "{name}" 不是 Beancount 插件（该模块没有 __plugins__），这一行不起任何作用；应删去或改正模块名'
            found.append(PluginConfigError(source, message, None))
    return found
