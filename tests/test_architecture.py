"""The layer boundaries and the one-definition rules of ARCHITECTURE.md, checked on the code.

Data flows one way (exports → importers → ledger → plugin → posting table → reports /
Fava / export): ``ledger`` imports neither ``importers`` nor ``reports``, ``importers``
does not import ``reports``, and no layer imports ``sandao.cli`` (the layers share
``sandao.cli_helpers``).  The scan reads every module's imports, including those inside
functions, of the installed package.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import sandao.ledger.vocabulary as vocabulary

#: layer package → module prefixes it must not import.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "sandao.ledger": ("sandao.cli", "sandao.importers", "sandao.reports"),
    "sandao.importers": ("sandao.cli", "sandao.reports"),
    "sandao.reports": ("sandao.cli",),
}


def _modules(package: str) -> list[Path]:
    """The package's modules; the example books' ``importers.py`` is the user's import
    config that beangulp and Fava load beside the books, not a module of the layer."""
    root = Path(importlib.import_module(package).__path__[0])
    return sorted(p for p in root.rglob("*.py") if "example" not in p.relative_to(root).parts)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_imports_flow_one_way(package: str) -> None:
    bad = []
    for path in _modules(package):
        for name in _imports(path):
            for prefix in FORBIDDEN[package]:
                if name == prefix or name.startswith(prefix + "."):
                    bad.append(f"{path.name}: {name}")
    assert not bad, f"{package} reaches into a layer above it: {bad}"


def test_vocabulary_is_defined_once() -> None:
    """No module but the vocabulary assigns a vocabulary name at module level."""
    names = {n for n in vars(vocabulary) if n.isupper()}
    offenders = []
    for package in (*FORBIDDEN, "sandao"):
        for path in _modules(package):
            if path.name == "vocabulary.py" and path.parent.name == "ledger":
                continue
            for node in ast.parse(path.read_text("utf-8")).body:
                targets = node.targets if isinstance(node, ast.Assign) else []
                if isinstance(node, ast.AnnAssign):
                    targets = [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id in names:
                        offenders.append(f"{path.name}: {target.id}")
    assert not offenders, offenders


def test_every_rule_code_has_a_named_function() -> None:
    """``CHECKS[code]`` names the functions raising each code (S001 is the reader's own)."""
    from sandao.ledger.findings import RULES
    from sandao.ledger.rules import CHECKS

    assert set(CHECKS) >= set(RULES) - {"S001"}, set(RULES) - set(CHECKS)
    assert set(CHECKS) <= set(RULES)
    for code, functions in CHECKS.items():
        for func in functions:
            assert code.lower() in func.__name__, (code, func.__name__)


def test_bench_measurement_names_are_listed_for_the_lazy_parser() -> None:
    from sandao.bench import MEASUREMENT_NAMES
    from sandao.bench.harness import MEASUREMENTS

    assert tuple(MEASUREMENTS) == MEASUREMENT_NAMES


def test_the_command_line_does_not_import_the_bench_harness() -> None:
    import subprocess
    import sys

    code = "import sys; from sandao.cli import build_parser; build_parser(); print('sandao.bench.harness' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_every_package_is_listed_for_the_wheel() -> None:
    """A sub-package missing from pyproject's list works editable and breaks when installed."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    found = set()
    for name, folder in config["package-dir"].items():
        for init in (root / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(root / folder).parts
            found.add(".".join((name, *relative)))
    assert found <= listed, sorted(found - listed)


def test_no_test_imports_conftest() -> None:
    """Helpers come from modules (``testbooks``, ``fava_server``); conftest only holds fixtures."""
    tests = Path(__file__).resolve().parent
    offenders = [
        str(path.relative_to(tests))
        for path in tests.rglob("*.py")
        if "data" not in path.relative_to(tests).parts and "conftest" in _imports(path)
    ]
    assert not offenders, offenders


def _module_name(package: str, path: Path) -> str:
    root = Path(importlib.import_module(package).__path__[0])
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


#: Circles known and left to their owners (each a lazy import inside a function).
KNOWN_CIRCLES = frozenset({"sandao.ledger.certificates ↔ sandao.ledger.closing"})


def test_no_two_modules_import_each_other() -> None:
    """No import circle between two modules (reports/html and reports/options were one):
    a module that needs another's piece and is needed by it shares a third instead.  A
    package's ``__init__`` and its own submodules are one unit and not counted."""
    graph: dict[str, set[str]] = {}
    for package in (*FORBIDDEN, "sandao"):
        for path in _modules(package):
            graph[_module_name(package, path)] = _imports(path)
    circles = sorted(
        f"{a} ↔ {b}"
        for a, names in graph.items()
        for b in names & graph.keys()
        if a < b and a in graph.get(b, ()) and not (b.startswith(a + ".") or a.startswith(b + "."))
    )
    assert [c for c in circles if c not in KNOWN_CIRCLES] == [], circles


#: A function of the product is shorter than this many lines (Beancount's plugins and
#: beangulp's importers read as named steps; issue 23 counted 18 of 80 lines or more).
MAX_FUNCTION_LINES = 80
#: ``module:function`` → why it may be longer: data tables only (a list of rows, a
#: template of text), never logic.  Empty for now; an entry needs its reason.
LONG_DATA_TABLES: dict[str, str] = {}


def test_no_function_of_the_product_is_80_lines_or_more() -> None:
    """Every function and method, nested ones included, counted from ``def`` (decorators
    excluded) to its last line; the example books' import config is the user's file."""
    long = []
    for package in (*FORBIDDEN, "sandao"):
        for path in _modules(package):
            module = _module_name(package, path)
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines = node.end_lineno - node.lineno + 1
                    name = f"{module}:{node.name}"
                    if lines >= MAX_FUNCTION_LINES and name not in LONG_DATA_TABLES:
                        long.append(f"{name} ({lines} 行)")
    assert not long, f"函数应少于 {MAX_FUNCTION_LINES} 行，分成有名字的步骤：{sorted(long)}"
    assert all(reason.strip() for reason in LONG_DATA_TABLES.values())
