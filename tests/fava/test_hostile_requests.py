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
