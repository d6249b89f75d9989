"""HTML writer: Jinja2 templates (autoescaped) with a user folder overriding built-ins.

The environment's ``ChoiceLoader`` looks in the user's templates folder first, then
in ``sandao.templates``, so a county can restyle any page by copying one file.
Filters only format; every sum was computed by the builder.

Templates run in Jinja2's immutable sandbox (built-ins too: one environment), so a county's
template cannot reach Python (``cycler.__init__.__globals__`` is refused), and every
template failure — bad syntax, a missing variable, a refused attribute, an include of
a file outside the template folders, a template including itself — becomes a
:class:`~sandao.reports.options.ReportError` naming the template file and line.
"""

from __future__ import annotations

import contextvars
import re
import weakref
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
import markupsafe

import sandao.templates
from sandao.reports import charts, formatting
from sandao.reports.model import Column, Report, Table
from sandao.reports.options import ReportError

BUILTIN_TEMPLATES = Path(sandao.templates.__file__).parent
_DICT_ATTRIBUTES = frozenset(dir(dict))
#: The report model's own records: every public attribute is data (or a method returning
#: data), so the sandbox's verdict on them is "safe" for any name not starting with "_".
_MODEL_TYPES = frozenset({Column, Table, Report})


class Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, quicker: a verdict per (type, name), dict items and the
    report model's fields read directly.

    The sandbox's checks (:func:`jinja2.sandbox.is_internal_attribute`,
    :func:`~jinja2.sandbox.modifies_known_mutable`) look only at the object's type and
    the attribute's name, so one verdict per pair is the same verdict; a notice's tables
    ask it a few hundred thousand times.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._verdicts: dict[tuple[type, str], bool] = {}

    def getattr(self, obj: Any, attribute: str) -> Any:
        # ``row.name`` on a dict: Jinja2 tries the attribute, fails, then reads the item.
        # A plain dict's attributes are its methods, so for any other name go straight
        # to the item (same result, no AttributeError raised and caught per lookup).
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        if type(obj) in _MODEL_TYPES and not attribute.startswith("_"):  # c.key, c.kind: per cell
            try:
                return getattr(obj, attribute)
            except AttributeError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return verdict


def environment(templates: str | Path | None = None) -> jinja2.Environment:
    """A Jinja2 environment: user templates first, then the built-ins; autoescape on."""
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(templates)))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)))
    env = Sandbox(
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
    return render(env, report.template, report=report, ctx=report.context, links=links or {})


def render_editions(
    env: jinja2.Environment, report: Report, urls: dict[int, str]
) -> tuple[str, str]:
    """(the public page, the auditor's page) of one report from one render: each figure in
    ``urls`` (by its identity: the very object a table cell holds) is marked as it is
    printed, then the marks are dropped for the public page and made links to its
    来源分录 page for the auditor's.  The links reach macros imported without context too:
    the filters read them from here.  Should the data itself hold a mark character, the
    page is rendered twice instead."""
    marks: list[str] = []
    token = _TRACE_URLS.set((urls, marks))
    try:
        marked = render_report(_linked_env(env), report)
    finally:
        _TRACE_URLS.reset(token)
    if marked.count(_OPEN) != len(marks) or marked.count(_CLOSE) != len(marks):
        token = _TRACE_URLS.set((urls, None))
        try:
            return render_report(env, report), render_report(_linked_env(env), report)
        finally:
            _TRACE_URLS.reset(token)
    public = _MARKED.sub(r"\2", marked)
    linked = _MARKED.sub(
        lambda m: f'<a class="sd-trace-link" href="{marks[int(m.group(1))]}">{m.group(2)}</a>',
        marked,
    )
    return public, linked


_OPEN, _CLOSE = "\x02", "\x03"
_MARKED = re.compile("\x02(\\d+)\x1f(.*?)\x03", re.DOTALL)
#: While a report renders: the traced figures' links, and the marks made so far (None:
#: write links at once).
_TRACE_URLS: contextvars.ContextVar[tuple[dict[int, str], list[str] | None] | None] = (
    contextvars.ContextVar("trace_urls", default=None)
)


def _linked_env(env: jinja2.Environment) -> jinja2.Environment:
    """``env`` whose ``money`` and ``cell`` filters mark (or link) a traced figure (made
    once per environment, so its templates compile once)."""
    known = _LINKED.get(env)
    if known is not None:
        return known
    linked = env.overlay()
    plain_money, plain_cell = env.filters["money"], env.filters["cell"]

    def link(value: Any, text: Any) -> Any:
        state = _TRACE_URLS.get()
        url = state[0].get(id(value)) if state else None
        if url is None or not text:
            return text
        marks = state[1]
        if marks is None:
            return markupsafe.Markup('<a class="sd-trace-link" href="{}">{}</a>').format(url, text)
        marks.append(str(markupsafe.escape(url)))
        return markupsafe.Markup(f"{_OPEN}{len(marks) - 1}\x1f{{}}{_CLOSE}").format(text)

    def money(value: Any, *args: Any, **kwargs: Any) -> Any:
        return link(value, plain_money(value, *args, **kwargs))

    def cell(value: Any, *args: Any, **kwargs: Any) -> Any:
        return link(value, plain_cell(value, *args, **kwargs))

    linked.filters.update(money=money, cell=cell)
    _LINKED[env] = linked
    return linked


#: Each environment's linking twin (:func:`_linked_env`), kept outside the templates' reach.
_LINKED: weakref.WeakKeyDictionary[jinja2.Environment, jinja2.Environment] = (
    weakref.WeakKeyDictionary()
)


def render_index(env: jinja2.Environment, **context: Any) -> str:
    return render(env, "index.html", **context)


def render(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render template ``name``; any template failure → :class:`ReportError` (file, line)."""
    try:
        return env.get_template(name).render(**context)
    except RecursionError as exc:
        where = _template_place(exc, name)
        raise ReportError(f"模板 {where} 包含或继承了自身（无限循环），已拒绝") from None
    except jinja2.TemplateError as exc:
        raise ReportError(template_message(exc, name)) from None
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:  # {{ 1/0 }}, range(10**9)
        where = _template_place(exc, name)
        raise ReportError(f"模板 {where} 计算出错（{type(exc).__name__}: {exc}）") from None


def check_templates(templates: str | Path | None) -> None:
    """A user templates folder, when given, must be a folder of templates that parse."""
    if templates is None:
        return
    if not Path(templates).is_dir():
        raise ReportError(f"模板文件夹不存在：{templates}")
    check_syntax(templates)


def check_syntax(folder: str | Path) -> None:
    """Parse every template of a user folder (before the books are read): bad syntax → ReportError."""
    env = jinja2.sandbox.SandboxedEnvironment()
    for path in sorted(Path(folder).rglob("*.html")):
        try:
            env.parse(path.read_text(encoding="utf-8"), path.name, str(path))
        except jinja2.TemplateSyntaxError as exc:
            raise ReportError(template_message(exc, path.name)) from None
        except UnicodeDecodeError:
            raise ReportError(f"模板 {path} 不是 UTF-8 文本，应以 UTF-8 保存") from None


_ENGLISH = (
    (re.compile(r"'([^']+)' is undefined"), r"变量 \1 未定义"),
    (re.compile(r"'([^']+)' has no attribute '([^']+)'"), r"\1 没有属性 \2"),
    (
        re.compile(r"access to attribute '([^']+)' of '([^']+)' object is unsafe\.?"),
        r"不允许访问 \2 的属性 \1",
    ),
)


def template_message(exc: jinja2.TemplateError, name: str) -> str:
    """One Chinese sentence for a template failure: which file, which line, what."""
    text = str(exc.message or exc)
    for pattern, chinese in _ENGLISH:
        text = pattern.sub(chinese, text)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = f"{exc.filename or exc.name or name} 第 {exc.lineno} 行"
        return f"模板 {where} 有语法错误：{text}"
    where = _template_place(exc, name)
    if isinstance(exc, jinja2.TemplateNotFound):
        return (
            f"模板 {where} 引用的模板 {exc.name} 不在模板文件夹中，已拒绝"
            "（模板只能引用模板文件夹内的文件）"
        )
    if isinstance(exc, jinja2.sandbox.SecurityError):
        return f"模板 {where} 试图访问 Python 内部（{text}），已拒绝：模板只能格式化数据"
    if isinstance(exc, jinja2.UndefinedError):
        return f"模板 {where} 用到了报表中没有的数据：{text}"
    return f"模板 {where} 出错：{text}"


def _template_place(exc: BaseException, name: str) -> str:
    """``path 第 N 行`` of the innermost template frame of the traceback (else the name)."""
    place = name
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".css", ".j2")):
            place = f"{filename} 第 {tb.tb_lineno} 行"
        tb = tb.tb_next
    return place
