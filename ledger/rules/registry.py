"""Which function raises which rule code: ``CHECKS[code]``, filled by :func:`rule`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: Rule code → the named functions that raise it (a test checks every code has one).
CHECKS: dict[str, list[Callable[..., Any]]] = {}


def rule(code: str) -> Callable[[F], F]:
    """Register the decorated function as raising ``code``."""

    def register(func: F) -> F:
        CHECKS.setdefault(code, []).append(func)
        return func

    return register
