"""Read-only means read-only: every writing route of Fava and of the extension refuses.

The routes come from the app's own URL map, so an endpoint a later Fava adds is
covered too.  Each request is one that would write in ``--read-write`` mode (a real
file path, a real entry hash, an upload); in read-only mode each gets 401 and every
file of the books stays byte-identical.  Every GET route, Fava's and the
extension's, is then requested too: none changes a file.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fava_server import PAGES, SLUG, file_hashes, write_books
from testbooks import FAVA_BOOKS as BOOKS

from sandao.reports.web.serve import create_serve_app

WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")
#: Fava's report pages (``/<bfile>/<report_name>/``).
REPORTS = (
    "income_statement",
    "balance_sheet",
    "trial_balance",
    "journal",
    "query",
    "holdings",
    "commodities",
    "documents",
    "events",
    "statistics",
    "editor",
    "errors",
    "import",
    "options",
    "help",
)
ACCOUNT = "Assets:C101-城东社区服务中心:1002-银行存款"


@pytest.fixture
def county(tmp_path: Path) -> Path:
    books = write_books(tmp_path / "county", BOOKS)
    (tmp_path / "county" / "documents").mkdir()
    (tmp_path / "county" / "receipt.pdf").write_bytes(b"%PDF-1.4 receipt")
    return books


def _app(books: Path, read_only: bool) -> Any:
    app = create_serve_app(books, read_only=read_only, load=True)
    app.config["TESTING"] = True
    return app


def write_requests(app: Any, books: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, url, request kwargs) for every non-GET route, each one a real edit."""
    ledger = app.config["LEDGERS"][SLUG]
    entry = next(e for e in ledger.all_entries if getattr(e, "narration", "") == "平安社区宣传品")
    from fava.beans.funcs import hash_entry

    entry_hash = hash_entry(entry)
    source = books.read_text(encoding="utf-8")
    import hashlib

    sha = hashlib.sha256(books.read_bytes()).hexdigest()
    receipt = str(books.parent / "receipt.pdf")
    bodies: dict[str, dict[str, Any]] = {
        "source": {"json": {"file_path": str(books), "source": "; gone\n", "sha256sum": sha}},
        "source_slice": {
            "json": {"entry_hash": entry_hash, "source": "; gone\n", "sha256sum": sha},
            "query_string": {"entry_hash": entry_hash, "sha256sum": sha},
        },
        "format_source": {"json": {"source": source}},
        "add_entries": {
            "json": {
                "entries": [
                    {
                        "t": "Note",
                        "date": "2025-05-01",
                        "account": ACCOUNT,
                        "comment": "x",
                        "meta": {},
                    }
                ]
            }
        },
        "attach_document": {"json": {"filename": receipt, "entry_hash": entry_hash}},
        "move": {"query_string": {"account": ACCOUNT, "new_name": "r.pdf", "filename": receipt}},
        "document": {"query_string": {"filename": receipt}},
        "add_document": {
            "data": {"file": (io.BytesIO(b"x"), "x.pdf"), "account": ACCOUNT, "hash": entry_hash}
        },
        "upload_import_file": {"data": {"file": (io.BytesIO(b"a,b\n"), "x.csv")}},
    }
    requests = []
    for rule in app.url_map.iter_rules():
        methods = sorted(set(rule.methods or ()) & set(WRITE_METHODS))
        if not methods:
            continue
        if rule.endpoint == "extension_endpoint":
            for ext in PAGES:
                for endpoint in ("tasks", "file", "anything"):
                    url = f"/{SLUG}/extension/{ext}/{endpoint}"
                    requests.extend((m, url, {"json": {}}) for m in WRITE_METHODS)
            continue
        assert rule.rule.startswith("/<bfile>/api/"), rule.rule
        name = rule.rule.rsplit("/", 1)[1]
        assert name in bodies, f"no test body for Fava's writing endpoint {rule.rule}"
        for method in methods:
            kwargs = {k: v for k, v in bodies[name].items()}
            if "data" in kwargs:  # file objects are consumed by one request
                kwargs["data"] = {
                    k: (io.BytesIO(v[0].getvalue()), v[1]) if isinstance(v, tuple) else v
                    for k, v in kwargs["data"].items()
                }
            requests.append((method, f"/{SLUG}/api/{name}", kwargs))
    return requests


def test_every_writing_route_refuses(county: Path) -> None:
    app = _app(county, read_only=True)
    client = app.test_client()
    before = file_hashes(county.parent)
    requests = write_requests(app, county)
    names = {url.rsplit("/", 1)[1] for _, url, _ in requests}
    assert {"source", "add_entries", "upload_import_file", "source_slice", "tasks"} <= names
    for method, url, kwargs in requests:
        response = client.open(url, method=method, **kwargs)
        assert response.status_code == 401, (method, url, response.status_code)
    assert file_hashes(county.parent) == before


def test_the_same_requests_would_write(county: Path) -> None:
    """The refused requests are real edits: with ``--read-write`` Fava performs them."""
    app = _app(county, read_only=False)
    client = app.test_client()
    before = county.read_bytes()
    done = {}
    for method, url, kwargs in write_requests(app, county):
        name = url.rsplit("/", 1)[1]
        if name in ("add_entries", "upload_import_file") and method == "PUT":
            done[name] = client.open(url, method=method, **kwargs).status_code
    assert done["add_entries"] == 200
    assert county.read_bytes() != before
    # the extension's endpoints are GET-only in every mode
    for ext in PAGES:
        response = client.put(f"/{SLUG}/extension/{ext}/tasks", json={})
        assert response.status_code in (404, 405)


def get_urls(app: Any) -> list[str]:
    """One URL per GET route (every report, every extension page and endpoint)."""
    year_file = "extension/ReportPreview/file?year=2025&name=index.html"
    urls = [
        "/",
        f"/{SLUG}/",
        f"/jump?{json.dumps('x')}",
        f"/{SLUG}/{year_file}",
        f"/{SLUG}/extension/TaskBoard/tasks",
        f"/{SLUG}/extension/TaskBoard/tasks?time=2025-Q1&account=C102",
        f"/{SLUG}/download-journal/",
        f"/{SLUG}/download-query/query_result.csv?query_string=SELECT%20account",
        f"/{SLUG}/help/",
        f"/{SLUG}/document/?filename=receipt.pdf",
        f"/{SLUG}/account/{ACCOUNT}/",
        f"/{SLUG}/holdings/by_account/",
    ]
    urls += [f"/{SLUG}/{report}/" for report in REPORTS]
    urls += [f"/{SLUG}/extension/{ext}/" for ext in PAGES]
    urls += [f"/{SLUG}/extension/{ext}/?time=2025-04&account=C101" for ext in PAGES]
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/<bfile>/api/") and "GET" in (rule.methods or ()):
            urls.append(f"/{SLUG}/api/{rule.rule.rsplit('/', 1)[1]}")
    return urls


@pytest.mark.parametrize("read_only", [True, False])
def test_no_get_changes_a_file(county: Path, read_only: bool) -> None:
    app = _app(county, read_only=read_only)
    client = app.test_client()
    before = file_hashes(county.parent)
    for url in get_urls(app):
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
    assert file_hashes(county.parent) == before
