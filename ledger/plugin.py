"""The Beancount plugin: ``plugin "sandao.ledger"`` in the books enables the fund rules.

Like Beancount's own plugins it is a pure function ``(entries, options_map, config)
→ (entries, errors)``; it leaves the entries unchanged and turns findings into
:class:`FundRuleError` values whose ``source`` points at the offending line, so
``bean-check`` and Fava's error page show the same findings as ``sandao check``.
Beancount has no warnings: only errors are returned unless the config says
``{'warnings': True}``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from beancount.core import data

from sandao.ledger.analysis import Config, ConfigError, analyse
from sandao.ledger.findings import ACKNOWLEDGED, ERROR, Finding, FundRuleError
from sandao.runtime import collector_paused, remember

__plugins__ = ("fund_rules",)


class PluginConfigError(NamedTuple):
    """The plugin line's configuration string cannot be read."""

    source: dict[str, Any]
    message: str
    entry: Any


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
    """Check the fund rules; returns the entries unchanged and the findings as errors."""
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
    return entries, errors
