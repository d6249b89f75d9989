"""One analysis of the books: declarations, posting table, funding and findings.

:func:`analyse` is the single entry point of the rule engine.  The Beancount plugin
calls it during the load; ``sandao check``, the reports and the Fava extension get
the same :class:`Analysis` back through :func:`analysis_for` (reusing the plugin's
run when the books declare the plugin, kept by :mod:`sandao.runtime`) or :func:`load`.
"""

from __future__ import annotations

import ast
import datetime
import operator
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core import data

from sandao import runtime
from sandao.ledger.accounts import UNIT_SHAPE
from sandao.ledger.acks import BOOKKEEPING_DIRECTIVES, apply_acks
from sandao.ledger.declarations import read_declarations
from sandao.ledger.findings import ERROR, Finding, FundRuleError
from sandao.ledger.funding import TaskFunding, Usage, all_task_funding, gather
from sandao.ledger.model import Declarations
from sandao.ledger.resolver import PostingTable, Resolver
from sandao.ledger.root_cause import add_hints, fold_errors, fold_findings
from sandao.ledger.rules import run_rules
from sandao.ledger.sink import FindingSink
from sandao.ledger.vocabulary import PROJECT_ID, TASK_ID

if TYPE_CHECKING:
    from sandao.ledger.explain import Explained

PLUGIN_NAMES = ("sandao.ledger", "sandao.ledger.plugin")
DEFAULT_GRACE_DAYS = 90


class ConfigError(ValueError):
    """The plugin configuration string cannot be read."""


@dataclass(frozen=True)
class Config:
    """Plugin configuration: ``plugin "sandao.ledger" "{'warnings': True, ...}"``."""

    warnings: bool = False
    as_of: datetime.date | None = None
    grace_days: int = DEFAULT_GRACE_DAYS
    task_pattern: str = TASK_ID.pattern
    project_pattern: str = PROJECT_ID.pattern
    #: The shape of an undeclared unit code in an account's 2nd component (in scope, D002).
    unit_pattern: str = UNIT_SHAPE.pattern

    @classmethod
    def parse(cls, text: str | None) -> Config:
        """Read the plugin's config string (a Python dict literal); raise ConfigError."""
        if not text or not text.strip():
            return cls()
        try:
            raw = ast.literal_eval(text)
        except (ValueError, SyntaxError) as exc:
            raise ConfigError(f"插件配置应为字典，如 {{'warnings': True}}：{exc}") from None
        if not isinstance(raw, dict):
            raise ConfigError("插件配置应为字典，如 {'warnings': True}")
        unknown = set(raw) - {
            "warnings",
            "as_of",
            "grace_days",
            "task_pattern",
            "project_pattern",
            "unit_pattern",
        }
        if unknown:
            raise ConfigError(f"插件配置含未知项：{', '.join(sorted(map(str, unknown)))}")
        values: dict[str, Any] = dict(raw)
        if "as_of" in values:
            try:
                values["as_of"] = datetime.date.fromisoformat(str(values["as_of"]))
            except ValueError:
                raise ConfigError(f"as_of 应为日期 YYYY-MM-DD，实际为 {raw['as_of']!r}") from None
        if "as_of" in values and not 1900 <= values["as_of"].year <= 2100:
            raise ConfigError(f"as_of {values['as_of']} 超出合理范围，应在 1900—2100 年之间")
        grace = values.get("grace_days", DEFAULT_GRACE_DAYS)
        if not isinstance(grace, int) or isinstance(grace, bool):
            raise ConfigError("grace_days 应为整数天数")
        if not 0 <= grace <= MAX_GRACE_DAYS:
            raise ConfigError(f"grace_days 应在 0—{MAX_GRACE_DAYS} 天之间，实际为 {grace}")
        if not isinstance(values.get("warnings", False), bool):
            raise ConfigError("warnings 应为 True 或 False")
        for key in ("task_pattern", "project_pattern", "unit_pattern"):
            if key in values:
                try:
                    re.compile(values[key])
                except (re.error, TypeError):
                    raise ConfigError(f"{key} 不是有效的正则表达式") from None
        return cls(**values)


#: The longest grace after a task's end (T008): ten years (99999999999 overflowed the dates).
MAX_GRACE_DAYS = 3650


@dataclass
class Analysis:
    """Everything the rules found out about one load of the books."""

    entries: list[data.Directive]
    options_map: dict[str, Any]
    config: Config
    as_of: datetime.date
    declarations: Declarations
    postings: PostingTable
    usage: Usage
    funding: dict[str, TaskFunding]
    findings: list[Finding]
    errors: list[Any] = field(default_factory=list)
    #: Beancount's errors told in Chinese (same order as ``errors``), see :mod:`explain`.
    explained: list[Explained] = field(default_factory=list)
    #: index in ``errors`` → ``file:line`` of the earlier error it repeats (folded)
    error_causes: dict[int, str] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(f.severity == ERROR for f in self.findings)

    def set_errors(self, errors: list[Any]) -> None:
        """Beancount's own errors of this load: explained, and the findings they cause folded."""
        from sandao.ledger.explain import Sources, explain_error, open_dates  # not in a load

        self.errors = errors
        if errors:
            opened = open_dates(self.entries)
            sources = Sources(frozenset(opened), opened)
        else:
            sources = Sources()
        self.explained = [explain_error(e, sources) for e in errors]
        broken = [x.broken for x in self.explained if x.broken]
        if broken:
            self.findings = fold_findings(self.findings, self.declarations, self.entries, broken)
        self.error_causes = fold_errors(errors, broken)


def latest_date(
    entries: list[data.Directive], customs: list[data.Custom] | None = None
) -> datetime.date:
    """The date of the latest entry (the default as-of date); ``ack`` and
    ``period-close`` record a review, they do not move it.  ``customs``, the entries'
    custom directives when the caller has them, lets the usual case skip the filter:
    the latest date of all entries stands when no bookkeeping directive is that late."""
    custom, bookkeeping = data.Custom, BOOKKEEPING_DIRECTIVES  # is_bookkeeping, inlined
    if customs is not None and entries:
        latest = max(map(_DATE_OF, entries))
        if all(c.date < latest for c in customs if c.type in bookkeeping):
            return latest
    return max(
        (e.date for e in entries if not isinstance(e, custom) or e.type not in bookkeeping),
        default=datetime.date.today(),
    )


_DATE_OF = operator.attrgetter("date")


def _by_kind(
    entries: list[data.Directive],
) -> tuple[list[data.Custom], list[data.Open], list[data.Transaction]]:
    """The custom directives, the ``open`` directives and the transactions, in one pass
    (each later pass reads only its own kind)."""
    customs: list[data.Custom] = []
    opens: list[data.Open] = []
    transactions: list[data.Transaction] = []
    custom, opened, transaction = data.Custom, data.Open, data.Transaction
    for entry in entries:
        if isinstance(entry, transaction):
            transactions.append(entry)
        elif isinstance(entry, custom):
            customs.append(entry)
        elif isinstance(entry, opened):
            opens.append(entry)
    return customs, opens, transactions


def analyse(entries: list[data.Directive], options_map: dict[str, Any], config: Config) -> Analysis:
    """Run the resolver and every rule over loaded entries (sorted, as Beancount gives them)."""
    with runtime.collector_paused():
        return _analyse(entries, options_map, config)


def _analyse(
    entries: list[data.Directive], options_map: dict[str, Any], config: Config
) -> Analysis:
    if config.as_of is not None:
        entries = [e for e in entries if e.date <= config.as_of]
    customs, opens, transactions = _by_kind(entries)
    as_of = config.as_of or latest_date(entries, customs)
    sink = FindingSink()
    decl = read_declarations(customs, sink)
    if config.task_pattern != TASK_ID.pattern:
        task_pattern = re.compile(config.task_pattern)
    else:
        task_pattern = TASK_ID
    unit_pattern = (
        UNIT_SHAPE if config.unit_pattern == UNIT_SHAPE.pattern else re.compile(config.unit_pattern)
    )
    resolver = Resolver(opens, decl, task_pattern, re.compile(config.project_pattern), unit_pattern)
    table = resolver.build(transactions)
    usage = gather(table, decl)
    funding = all_task_funding(decl, usage, as_of)
    run_rules(
        decl, table, usage, funding, as_of, config.grace_days, sink, entries, options_map, customs
    )
    findings = sorted(sink.findings, key=_finding_order)
    findings = add_hints(findings, decl)
    findings = fold_findings(findings, decl, entries)
    findings = sorted(apply_acks(findings, customs), key=_finding_order)
    return Analysis(entries, options_map, config, as_of, decl, table, usage, funding, findings)


def _finding_order(f: Finding) -> tuple:
    return (f.file or "", f.line or 0, f.code, f.message)


def plugin_config(options_map: dict[str, Any]) -> tuple[bool, str | None]:
    """Whether the books declare the plugin, and its config string."""
    for name, config in options_map.get("plugin", []):
        if name in PLUGIN_NAMES:
            return True, config
    return False, None


def analysis_for(
    entries: list[data.Directive],
    options_map: dict[str, Any],
    errors: list[Any] | None = None,
    as_of: datetime.date | None = None,
) -> Analysis:
    """The analysis of a load: the plugin's own run when it ran, else a fresh one."""
    _, config_text = plugin_config(options_map)
    try:
        config = Config.parse(config_text)
    except ConfigError:
        config = Config()
    if as_of is not None:
        config = replace(config, as_of=as_of)
    found = runtime.recall(options_map) if as_of is None else None
    if found is None:
        found = analyse(entries, options_map, config)
    found.set_errors([e for e in (errors or []) if not isinstance(e, FundRuleError)])
    return found


def load(path: str | Path, as_of: datetime.date | None = None) -> Analysis:
    """Load books from a file (Beancount loader, plugin included) and analyse them."""
    from sandao.ledger import bookcache

    cache = str(bookcache.cache_file(path))
    with runtime.loading(), runtime.keeping_plugin_runs():
        with runtime.stop_not_swallowed(cache):
            entries, errors, options_map = bookcache.load_books(path)
        return analysis_for(entries, options_map, errors, as_of)
