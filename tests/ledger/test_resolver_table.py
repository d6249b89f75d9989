"""The posting table the resolver builds, row for row, against a reference pass kept here.

``Resolver.build`` resolves each shape of transaction once (links × dimension metadata
× accounts) for speed.  :func:`reference_build` is the plain pass it replaced — every
posting resolved on its own, the ledger language's order of precedence written out —
kept only in this test, so any shortcut of ``build`` must give the same rows (``repr``
equal: values, types, ``Decimal`` exponents), the same unknown links and the same extras
on the example books, the test books, a generated county and books made of edge cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import testbooks
from beancount import loader
from beancount.core import data

from sandao.ledger.analysis import Config, analysis_for
from sandao.ledger.resolver import (
    _AUTOMATIC_KEYS,
    EXTRA_KEYS,
    OUTSIDE,
    Posting,
    Resolver,
    UnknownLink,
    _extra,
    _normalise_meta,
)
from sandao.ledger.vocabulary import PROJECT_STREAM, TASK_STREAM, visible

EXAMPLE = Path(__file__).resolve().parents[2] / "ledger" / "example" / "main.beancount"


@dataclass
class ReferenceTable:
    """What :func:`reference_build` makes: the rows, unknown links and extras."""

    rows: list[Posting] = field(default_factory=list)
    unknown_links: list[UnknownLink] = field(default_factory=list)
    extras: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)


def reference_build(resolver: Resolver, entries: list[data.Directive]) -> ReferenceTable:
    """Every posting resolved on its own: metadata (posting's, then the transaction's),
    the links, the account's facts, then what the declaration charged gives."""
    table = ReferenceTable()
    decl = resolver.decl
    txn_index = -1
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        txn_index += 1
        meta = entry.meta
        tdims = _normalise_meta(meta)
        if len(meta) > 2 and not EXTRA_KEYS.isdisjoint(meta):
            table.extras.setdefault(txn_index, {})[""] = _extra(meta)
        link_task = link_project = None
        links = tuple(sorted(entry.links)) if entry.links else ()
        for link in links:
            kind = resolver._link_kind(link)
            if kind == "task":
                link_task = link_task or link
            elif kind == "project":
                link_project = link_project or link
            elif kind:
                table.unknown_links.append(
                    UnknownLink(
                        kind[1:], link, entry.date, meta.get("filename"), meta.get("lineno")
                    )
                )
        link_stream = TASK_STREAM if link_task else PROJECT_STREAM if link_project else None
        private = meta.get("payee_type") == "个人"
        payee, narration = entry.payee, entry.narration
        if not (payee is None or payee.isprintable()):
            payee = visible(payee)
        if not narration.isprintable():
            narration = visible(narration)
        facts = [resolver.account_facts(p.account) for p in entry.postings]
        zero_balance = any(f.zero_balance for f in facts)
        for posting, account_facts in zip(entry.postings, facts, strict=True):
            if account_facts.role is OUTSIDE:
                continue
            pmeta = posting.meta
            dims = tdims
            if pmeta and len(pmeta) > 2 and pmeta.keys() - _AUTOMATIC_KEYS:
                dims = {**tdims, **_normalise_meta(pmeta)}
                if not EXTRA_KEYS.isdisjoint(pmeta):
                    table.extras.setdefault(txn_index, {})[posting.account] = _extra(pmeta)
            values = dict(zip(Posting._fields[1:10], account_facts.values, strict=True))
            if link_task:
                values["task"] = link_task
            if link_project:
                values["project"] = link_project
            if link_stream:
                values["stream"] = link_stream
            for key in values:
                values[key] = dims.get(key) or values[key]
            quota = decl.quotas.get(values["quota"]) if values["quota"] else None
            if values["task"] is None and quota is not None and quota.task in decl.tasks:
                values["task"] = quota.task
            task = decl.tasks.get(values["task"]) if values["task"] else None
            project = decl.projects.get(values["project"]) if values["project"] else None
            for charged, stream in ((quota, None), (task, TASK_STREAM)):
                if charged is not None:
                    values["stream"] = values["stream"] or stream or charged.stream
                    values["function"] = values["function"] or charged.function
                    values["community"] = values["community"] or charged.community
            if project is not None:
                values["community"] = values["community"] or project.community
            source = pmeta or meta
            table.rows.append(
                Posting(
                    entry.date,
                    **values,
                    account=posting.account,
                    amount=posting.units.number,
                    currency=posting.units.currency,
                    payee=payee,
                    narration=narration,
                    links=links,
                    file=source.get("filename"),
                    line=source.get("lineno"),
                    role=account_facts.role,
                    private_payee=private,
                    zero_balance=zero_balance,
                    txn=txn_index,
                )
            )
    return table


#: What the shortcuts of ``build`` could get wrong: posting metadata over the
#: transaction's (dimensions and extras), a posting with metadata but no dimension, two
#: task links, an undeclared and a mistyped link, a project link, a quota charged to a
#: task, another entity's accounts, a look-alike unit, hidden characters in names, an
#: interpolated posting with metadata, and the same shape again after a different one.
EDGES = """\
2025-01-10 custom "quota" "ZB25-0102" "任务指标" 9000.00 CNY
  unit: "C101"
  stream: "职能"
  function: "2040199"
  task: "T2025-007"
2025-02-01 custom "project" "XM2025-01" "社区服务站改造" 80000.00 CNY
  unit: "C101"
  community: "SQ01"
2024-01-01 open Expenses:Food
2024-01-01 open Assets:Cash
2024-01-01 open Expenses:C1O1-城东社区服务中心:30201-办公费
2025-04-01 * "县文具店" "办公用品" ^T2025-007 ^T2025-009 ^t2025-007 ^XM2025-01 ^XM2025-99
  Expenses:C101-城东社区服务中心:30201-办公费  10.00 CNY
    function: "2120104"
    procurement: "分散采购"
  Expenses:C101-城东社区服务中心:30227-委托业务费  20.00 CNY
    note: "无维度"
  Assets:C101-城东社区服务中心:1002-银行存款
2025-04-02 * "县‍文具店" "办公‮用品" ^T2025-007
  quota: "ZB25-0102"
  three_public: "公务接待"
  payee_type: "个人"
  Expenses:C101-城东社区服务中心:30201-办公费  30.00 CNY
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度
    community: "SQ01"
2025-04-03 * "饭店" "午饭"
  Expenses:Food  40.00 CNY
  Assets:Cash
2025-04-04 * "县文具店" "办公用品"
  quota: "ZB25-0102"
  Expenses:C101-城东社区服务中心:30201-办公费  50.00 CNY
  Expenses:C1O1-城东社区服务中心:30201-办公费  5.00 CNY
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度
2025-04-05 * "县文具店" "办公用品" ^T2025-007 ^T2025-009 ^t2025-007 ^XM2025-01 ^XM2025-99
  Expenses:C101-城东社区服务中心:30201-办公费  60.00 CNY
  Expenses:C101-城东社区服务中心:30227-委托业务费  70.00 CNY
  Assets:C101-城东社区服务中心:1002-银行存款
2025-04-06 * "县文具店" "办公用品" ^XM2025-01
  stream: "建设"
  Expenses:C101-城东社区服务中心:30201-办公费  80.00 CNY
  Assets:C101-城东社区服务中心:1002-银行存款
"""


def _entries_of_text(text: str) -> list[data.Directive]:
    entries, _, _ = loader.load_string(text)
    return entries


def _same_table(entries: list[data.Directive]) -> int:
    """Assert ``build`` equals the reference on ``entries``; the number of rows."""
    analysis = analysis_for(entries, {}, [])
    config = Config()

    def resolver() -> Resolver:
        return Resolver(
            entries,
            analysis.declarations,
            re.compile(config.task_pattern),
            re.compile(config.project_pattern),
            re.compile(config.unit_pattern),
        )

    built, expected = resolver().build(entries), reference_build(resolver(), entries)
    assert all(type(row) is Posting for row in built.rows)
    assert [repr(r) for r in built.rows] == [repr(r) for r in expected.rows]
    assert built.unknown_links == expected.unknown_links
    assert repr(built.extras) == repr(expected.extras)
    return len(built.rows)


#: The test books a shortcut of the engine is held to, by name.
TEST_BOOKS = {
    "base": testbooks.BASE + testbooks.FUND_TASK,
    "fava": testbooks.FAVA_BOOKS,
    "report-county": testbooks.REPORT_BASE + testbooks.REPORT_COUNTY,
    "busy-quarter": testbooks.BASE + testbooks.busy_quarter(),
    "edges": testbooks.BASE + testbooks.FUND_TASK + EDGES,
}


@pytest.mark.parametrize("text", TEST_BOOKS.values(), ids=TEST_BOOKS.keys())
def test_build_equals_the_reference_on_test_books(text: str) -> None:
    assert _same_table(_entries_of_text(text)) > 0


def test_build_equals_the_reference_on_the_edge_cases_it_names() -> None:
    entries = _entries_of_text(testbooks.BASE + testbooks.FUND_TASK + EDGES)
    analysis = analysis_for(entries, {}, [])
    rows = [r for r in analysis.postings if r.date.month == 4 and r.date.year == 2025]
    assert {link.link for link in analysis.postings.unknown_links} >= {"T2025-009", "t2025-007"}
    assert not any(r.account.startswith(("Expenses:Food", "Assets:Cash")) for r in rows)
    assert any(r.unit == "C1O1" for r in rows)  # the look-alike unit stays in the table
    assert any(r.private_payee and r.payee == "县文具店" for r in rows)
    assert any(r.function == "2120104" for r in rows)  # the posting's own function


def test_build_equals_the_reference_on_the_example_books(example_entries: list[Any]) -> None:
    assert _same_table(example_entries) > 1000


def test_build_equals_the_reference_on_a_generated_county(county_entries: list[Any]) -> None:
    assert _same_table(county_entries) >= 5000
