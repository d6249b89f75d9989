"""The report templates' sandbox keeps one verdict per (type, attribute): same verdicts."""

from __future__ import annotations

import jinja2.sandbox
import pytest

from sandao.reports.html import environment


class Stack:
    """Not a known mutable: its ``pop`` is an ordinary attribute."""

    pop = "top"


def render(source: str, **context: object) -> str:
    return environment().from_string(source).render(**context)


def test_refused_every_time_not_only_the_first() -> None:
    for _ in range(3):
        with pytest.raises(jinja2.sandbox.SecurityError):
            render("{{ items.pop() }}", items=[1, 2])
        with pytest.raises(jinja2.sandbox.SecurityError):
            render("{{ f.__globals__ }}", f=render)


def test_verdict_is_per_type_not_per_name() -> None:
    with pytest.raises(jinja2.sandbox.SecurityError):
        render("{{ items.pop() }}", items=[1])
    assert render("{{ s.pop }}", s=Stack()) == "top"  # the same name on another type
    assert render("{{ items.index(2) }}", items=[1, 2]) == "1"


def test_dict_lookups_read_items_as_jinja_does() -> None:
    row = {"name": "城江社区", "items": "not the method"}
    assert render("{{ row.name }}", row=row) == "城江社区"
    assert render("{{ row['items'] }}", row=row) == "not the method"
    # an attribute of dict wins over an item of the same name, as in Jinja2 itself
    assert render("{{ row.items() | list | length }}", row=row) == "2"
    with pytest.raises(jinja2.UndefinedError):
        render("{{ row.missing }}", row=row)
    with pytest.raises(jinja2.sandbox.SecurityError):
        render("{{ row.clear() }}", row=row)


def test_report_model_fields_read_private_names_refused() -> None:
    from sandao.reports.model import Column

    column = Column("amount", "金额", "money")
    assert render("{{ c.key }}/{{ c.kind }}", c=column) == "amount/money"
    with pytest.raises(jinja2.UndefinedError):
        render("{{ c.missing }}", c=column)
    with pytest.raises(jinja2.sandbox.SecurityError):
        render("{{ c.__class__ }}", c=column)
    with pytest.raises(jinja2.sandbox.SecurityError):
        render("{{ c.__init__.__globals__ }}", c=column)
