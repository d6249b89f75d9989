"""Regular expressions from a request run with a time limit in ``sandao serve``.

A query such as ``narration ~ '^(.+)+Z$'`` (``/api/query``), or the same pattern as an
account or payee filter, backtracks for hours; Python's ``re`` holds the interpreter
while it does, so the whole read-only server froze and not even SIGTERM got through.
``serve`` hands the regular expressions of beanquery (Fava's query language) and of
Fava's filters to the ``regex`` module (Beancount already depends on it) with a time
limit per match, letting the other threads run meanwhile (``concurrent``).  A pattern
that runs out of time ends its request with one sentence (Fava answers it as a bad
request); patterns themselves are read as ``re`` reads them.
"""

from __future__ import annotations

import re
from typing import Any

import regex
from fava.helpers import FavaAPIError

#: Seconds one match may take (a real filter over a county's books takes microseconds).
MATCH_SECONDS = 1.0


class PatternTimeout(FavaAPIError):
    """A request's regular expression ran out of time."""

    def __init__(self, pattern: Any) -> None:
        super().__init__(
            f"正则表达式 {str(pattern)[:80]!r} 匹配超过 {MATCH_SECONDS:g} 秒，已中止："
            "它含有嵌套的重复（如 (.+)+），会无限回溯；请改写得简单些"
        )


def _compiled(pattern: Any, flags: int) -> Any:
    try:
        return regex.compile(pattern, flags)
    except regex.error as exc:  # callers catch re.error, as with re
        raise re.error(str(exc)) from None


class _TimedPattern:
    """A compiled pattern whose ``search`` / ``match`` / ``fullmatch`` are time-limited."""

    __slots__ = ("_pattern",)

    def __init__(self, pattern: Any) -> None:
        self._pattern = pattern

    def _run(self, method: str, string: str, *args: Any) -> Any:
        try:
            return getattr(self._pattern, method)(
                string, *args, concurrent=True, timeout=MATCH_SECONDS
            )
        except TimeoutError:
            raise PatternTimeout(self._pattern.pattern) from None

    def search(self, string: str, *args: Any) -> Any:
        return self._run("search", string, *args)

    def match(self, string: str, *args: Any) -> Any:
        return self._run("match", string, *args)

    def fullmatch(self, string: str, *args: Any) -> Any:
        return self._run("fullmatch", string, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pattern, name)


class _TimedRe:
    """Stands in for the ``re`` module inside beanquery and Fava's filters."""

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    @staticmethod
    def compile(pattern: Any, flags: int = 0) -> _TimedPattern:
        return _TimedPattern(_compiled(pattern, flags))

    @staticmethod
    def search(pattern: Any, string: str, flags: int = 0) -> Any:
        return _TimedPattern(_compiled(pattern, flags)).search(string)

    @staticmethod
    def match(pattern: Any, string: str, flags: int = 0) -> Any:
        return _TimedPattern(_compiled(pattern, flags)).match(string)

    @staticmethod
    def fullmatch(pattern: Any, string: str, flags: int = 0) -> Any:
        return _TimedPattern(_compiled(pattern, flags)).fullmatch(string)


TIMED_RE = _TimedRe()


def install() -> None:
    """Give beanquery and Fava's filters the time-limited regular expressions."""
    import beanquery.query_compile
    import beanquery.query_env
    import fava.core.filters

    for module in (beanquery.query_compile, beanquery.query_env, fava.core.filters):
        module.re = TIMED_RE  # type: ignore[attr-defined]
