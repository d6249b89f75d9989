"""Requests a hostile or careless browser sends: never a 500, HEAD allowed when read-only.

* an account filter that is not a regular expression (``?account=(``) — Fava's own
  pages answer 200 (its ``Match`` falls back to equality); so do the fund pages;
* ``HEAD`` is a read: read-only mode answers it like GET (Fava's guard gave 401);
* one ``charset`` in every Content-Type the extension sets;
* incognito hides the amounts inside the findings' messages too.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from sandao.reports.web.serve import create_serve_app

PAGES = ("TaskBoard", "BudgetExecution", "RuleFindings", "ReportPreview")
FILTERS = ("(", "[", "*", "Assets:(", "\\", "C101)|(", "a{99999999999}")


def _client(books: Path, **options: bool):
    app = create_serve_app(books, load=True, **options)
    app.config["TESTING"] = True
    slug = next(iter(app.config["LEDGERS"].ledgers_by_slug))
    return app.test_client(), f"/{quote(slug)}"


@pytest.fixture(scope="module")
def served(books: Path):
    return _client(books)


@pytest.mark.parametrize("value", FILTERS)
def test_bad_account_filter_is_not_a_server_error(served, value: str) -> None:
    client, base = served
    fava = client.get(f"{base}/income_statement/?account={quote(value)}")
    for page in PAGES:
        response = client.get(f"{base}/extension/{page}/?account={quote(value)}")
        assert response.status_code == fava.status_code == 200, (page, value)
    tasks = client.get(f"{base}/extension/TaskBoard/tasks?account={quote(value)}")
    assert tasks.status_code == 200


def test_head_is_a_read_in_read_only_mode(books: Path) -> None:
    client, base = _client(books, read_only=True)
    for path in (f"{base}/income_statement/", f"{base}/extension/TaskBoard/"):
        assert client.head(path).status_code == 200
        assert client.post(path).status_code == 401


def test_one_charset_per_content_type(served) -> None:
    client, base = served
    response = client.get(f"{base}/extension/TaskBoard/tasks")
    assert response.headers["Content-Type"].count("charset") == 1
    for page in PAGES:
        header = client.get(f"{base}/extension/{page}/").headers["Content-Type"]
        assert header.count("charset") == 1, header


def test_incognito_hides_amounts_in_findings(books: Path) -> None:
    client, base = _client(books, incognito=True)
    page = client.get(f"{base}/extension/RuleFindings/").get_data(as_text=True)
    cells = re.findall(r'<td class="sd-message">(.*?)</td>', page, re.S)
    assert cells, "the test books have findings"
    assert not [c for c in cells if re.search(r"\d\.\d\d", c)]
    plain, base = _client(books)
    shown = plain.get(f"{base}/extension/RuleFindings/").get_data(as_text=True)
    assert re.search(r'<td class="sd-message">[^<]*\d\.\d\d', shown)


#: Values a red team puts in paths and query strings.
HOSTILE = ("/etc/passwd", "../../../../etc/passwd", "\x00", "(", "2025-13-45", "<script>", "9" * 40)
#: Query keys Fava and the fund pages read (and some they do not).
QUERY_KEYS = (
    "filename", "time", "account", "filter", "conversion", "interval", "query_string",
    "entry_hash", "key", "name", "year", "page", "importer", "unit", "task", "as_of", "r",
)  # fmt: skip
#: The red team's findings, each once more by name.
KNOWN = (
    "/api/source?filename=/etc/passwd",
    "/api/source?filename=",
    "/document/?filename=%00",
    "/statement/?entry_hash=x&key=y",
    "/download-journal/?time=/etc/passwd",
    "/download-query/query_result.csv?query_string=(",
)


def _path(rule, value: str, slug: str) -> str:
    """The rule's path with every variable part set to ``value`` (the ledger's slug kept)."""
    path = rule.rule
    for name in rule.arguments:
        shown = slug if name == "bfile" else quote(value, safe="")
        path = re.sub(rf"<(?:[^<>]*:)?{name}(?:\([^)]*\))?>", shown, path)
    return path


def test_every_route_answers_hostile_input_without_500(books: Path) -> None:
    """Every GET route of Fava and the fund pages, every variable part and query key hostile:
    4xx (or 200/3xx), never 500."""
    app = create_serve_app(books, load=True)
    client = app.test_client()
    slug = quote(next(iter(app.config["LEDGERS"].ledgers_by_slug)))
    failures = []
    for base_path in KNOWN:
        response = client.get(f"/{slug}{base_path}")
        if response.status_code >= 500:
            failures.append((response.status_code, base_path))
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"]
    assert len(rules) > 30
    for rule in rules:
        for value in HOSTILE:
            query = "&".join(f"{key}={quote(value)}" for key in QUERY_KEYS)
            for url in (f"{_path(rule, value, slug)}?{query}", f"{_path(rule, 'x', slug)}?{query}"):
                response = client.get(url)
                if response.status_code >= 500:
                    failures.append((response.status_code, url[:160]))
    assert failures == []
    refused = client.get(f"/{slug}/api/source?filename=/etc/passwd")
    assert refused.status_code == 400 and "non-source file" in refused.get_data(as_text=True)
