"""HTML writer: Jinja2 templates (autoescaped) with a user folder overriding built-ins.

The environment's ``ChoiceLoader`` looks in the user's templates folder first, then
in ``sandao.templates``, so a county can restyle any page by copying one file.
Filters only format; every sum was computed by the builder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

import sandao.templates
from sandao.reports import charts, formatting
from sandao.reports.model import Report

BUILTIN_TEMPLATES = Path(sandao.templates.__file__).parent


def environment(templates: str | Path | None = None) -> jinja2.Environment:
    """A Jinja2 environment: user templates first, then the built-ins; autoescape on."""
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(templates)))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        money=formatting.money,
        percent=formatting.percent,
        number=formatting.number,
        isodate=formatting.date,
        cell=formatting.cell,
    )
    env.globals.update(bars=charts.bars, flow=charts.flow)
    return env


def render_report(
    env: jinja2.Environment, report: Report, links: dict[str, str] | None = None
) -> str:
    """The HTML page of one report."""
    template = env.get_template(report.template)
    return template.render(report=report, ctx=report.context, links=links or {})


def render_index(env: jinja2.Environment, **context: Any) -> str:
    return env.get_template("index.html").render(**context)
