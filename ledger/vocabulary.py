"""The fund vocabulary of the ledger language, defined once.

Code shapes, streams, quota kinds and controls, fund types, task close modes and task
statuses: the ledger reader validates against these, the rules and importers check
codes with them, the reports and Fava label with them.  Everything imports them from
here (as Beancount's plugins import ``CURRENCY_RE`` from ``beancount.core.amount``)
instead of spelling them again.  The words *around* them (column labels, severities)
live in :mod:`sandao.ledger.glossary`.
"""

from __future__ import annotations

import re

#: Task and project ids, as declared and as transaction links (``^T2025-007``).
TASK_ID = re.compile(r"T\d{4}-\d+")
PROJECT_ID = re.compile(r"P\d{4}-\d+")
#: Unit, community and department codes (``C101``, ``SQ01``, ``D05``).
UNIT_CODE = re.compile(r"[A-Z][0-9A-Z]*")
COMMUNITY_CODE = re.compile(r"[A-Z][0-9A-Z]*")
DEPARTMENT_CODE = re.compile(r"D[0-9A-Z]+")
#: 功能分类 (7 digits) and 经济分类 (3 or 5 digits) codes.
FUNCTION_CODE = re.compile(r"\d{7}")
ECONOMIC_CODE = re.compile(r"\d{3}(?:\d{2})?")

#: The three streams of 三到社区 money (``stream:`` metadata).
STREAMS: tuple[str, ...] = ("建设", "运转", "职能")
#: The stream of task money (费随事转): a task link implies it.
TASK_STREAM = "职能"
#: The stream a project link implies.
PROJECT_STREAM = "建设"

#: ``kind:`` of a quota; 年初 is the opening budget, the others adjust it during the year.
QUOTA_KINDS: tuple[str, ...] = ("年初", "追加", "调减", "划转")
INITIAL_KIND = "年初"
#: ``control:`` of a quota: overspending is an error (stop) or a warning (warn).
QUOTA_CONTROLS: tuple[str, ...] = ("stop", "warn")
#: ``fund_type:`` of a quota (资金性质).
FUND_TYPES: tuple[str, ...] = ("一般公共预算", "政府性基金", "国有资本经营")
DEFAULT_FUND_TYPE = "一般公共预算"

#: How a task is closed: its balance carried forward or returned.
TASK_CLOSE_MODES: tuple[str, ...] = ("carry-forward", "return")
#: A task-amend without ``due:`` falls due this many days after its date.
DEFAULT_AMEND_DUE_DAYS = 30

#: Task statuses of the 费随事转 task ledger (see :func:`sandao.ledger.funding.task_status`).
NOT_DUE = "未到期"
NOT_FUNDED = "未拨付"
PARTLY_FUNDED = "部分拨付"
FUNDED = "已拨付"
OVERDUE = "逾期未拨付"
PAID_LATE = "逾期后拨付"
SETTLED = "已结清"
#: Closed with a balance carried forward (``task-close "carry-forward"`` with money left).
CARRIED = "已结转"
#: Every status, in the order the task ledger explains them.
TASK_STATUSES: tuple[str, ...] = (
    NOT_DUE,
    NOT_FUNDED,
    PARTLY_FUNDED,
    FUNDED,
    OVERDUE,
    PAID_LATE,
    SETTLED,
    CARRIED,
)
#: Statuses of a task still owed money.
UNFUNDED_STATUSES: tuple[str, ...] = (NOT_FUNDED, PARTLY_FUNDED, OVERDUE)

#: Characters that show nothing or reorder what is shown (zero-width, bidi controls, BOM):
#: two names that differ only by them look the same to a reader, so text from outside
#: (exports, file names) is cleaned of them at the door and codes may not hold them.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
#: Line and paragraph breaks and other control characters: never in a name.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def visible(text: str) -> str:
    """``text`` as it shows: without the :data:`INVISIBLE` characters."""
    if text.isprintable() or not INVISIBLE.search(text):  # every INVISIBLE one is unprintable
        return text
    return INVISIBLE.sub("", text)
