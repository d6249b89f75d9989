"""``sandao serve`` over HTTP: read-only refusal, GET-only endpoints, filters, options."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote

import pytest
from beancount import loader
from beancount.core import data
from fava_server import PAGES, SLUG, Server, file_hashes, write_books
from testbooks import FAVA_BOOKS as BOOKS

from sandao import runtime
from sandao.cli import build_parser
from sandao.reports.web.serve import (
    DEFAULT_HOST,
    EXTENSION_MODULE,
    create_serve_app,
    serve_entries,
)


def status(url: str, method: str = "GET", body: bytes | None = None) -> int:
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_cli_defaults_to_local_read_only() -> None:
    args = build_parser().parse_args(["serve", "main.beancount"])
    assert args.host == DEFAULT_HOST == "127.0.0.1"
    assert args.read_write is False and args.incognito is False


def test_read_only_refuses_writes(server: Server) -> None:
    source = server.books / "main.beancount"
    before = file_hashes(server.books)
    body = json.dumps(
        {"file_path": str(source), "source": "; overwritten\n", "sha256sum": ""}
    ).encode()
    for method in ("PUT", "POST"):
        assert status(server.url("api/source"), method, body) == 401
        assert status(server.url("api/add_entries"), method, b'{"entries": []}') == 401
        for endpoint in ("extension/TaskBoard/tasks", "extension/ReportPreview/file"):
            assert status(server.url(endpoint), method, b"{}") == 401
    assert status(server.url("api/source_slice?entry_hash=x"), "DELETE") == 401
    after = file_hashes(server.books)
    assert {k: v for k, v in after.items() if k.endswith(".beancount")} == {
        k: v for k, v in before.items() if k.endswith(".beancount")
    }


def test_get_pages_answer(server: Server) -> None:
    for page in (
        "extension/TaskBoard/",
        "extension/BudgetExecution/",
        "extension/RuleFindings/",
        "extension/ReportPreview/",
        "income_statement/",
    ):
        assert status(server.url(page)) == 200, page


def test_tasks_endpoint_honours_filters(server: Server) -> None:
    def tasks(query: str) -> dict[str, dict]:
        with urllib.request.urlopen(server.url("extension/TaskBoard/tasks" + query)) as resp:
            return {row["task"]: row for row in json.load(resp)}

    everything = tasks("")
    assert sorted(everything) == ["T2025-007", "T2025-008", "T2025-009"]
    assert everything["T2025-007"]["received"] == "50000.00"
    assert everything["T2025-008"]["status"] == "逾期未拨付"
    assert tasks("?time=2024") == {}
    assert sorted(tasks("?account=C102")) == ["T2025-009"]
    assert tasks("?time=2025-03")["T2025-009"]["received"] == "0.00"


def test_extension_endpoints_are_get_only_even_read_write(books: Path) -> None:
    app = create_serve_app(books, read_only=False, load=True)
    client = app.test_client()
    base = f"/{SLUG}/extension/TaskBoard/tasks"
    assert client.get(base).status_code == 200
    for method in ("post", "put", "delete"):
        assert getattr(client, method)(base).status_code in (404, 405)


def test_incognito_hides_numbers(books: Path) -> None:
    app = create_serve_app(books, incognito=True, load=True)
    client = app.test_client()
    page = client.get(f"/{SLUG}/extension/TaskBoard/").get_data(as_text=True)
    assert "T2025-007" in page  # ids stay readable, as in Fava's incognito mode
    assert "50,000.00" not in page and "XX,XXX.XX" in page
    rows = {r["task"]: r for r in client.get(f"/{SLUG}/extension/TaskBoard/tasks").get_json()}
    assert rows["T2025-007"]["received"] == "XXXXX.XX"
    assert client.get(f"/{SLUG}/extension/ReportPreview/file?year=2025&name=x").status_code == 403


def test_serve_adds_extension_language_start_page_and_task_notes_once() -> None:
    entries, _, _ = loader.load_string(BOOKS)
    added = serve_entries(entries)
    customs = [
        (e.type, [v.value for v in e.values])
        for e in added
        if isinstance(e, data.Custom) and e.type.startswith("fava")
    ]
    assert customs == [
        ("fava-extension", [EXTENSION_MODULE]),
        ("fava-option", ["language", "zh"]),
        ("fava-option", ["default-page", "extension/TaskBoard/"]),
    ]
    # A note per task carries its link and points at the declaration's line.
    notes = {next(iter(n.links)): n for n in added if isinstance(n, data.Note)}
    assert sorted(notes) == ["T2025-007", "T2025-008", "T2025-009"]
    note = notes["T2025-007"]
    declaration = next(
        e for e in entries if isinstance(e, data.Custom) and e.values[0].value == "T2025-007"
    )
    assert note.meta["lineno"] == declaration.meta["lineno"] and note.date == declaration.date
    assert note.account == "Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委"
    assert "平安示范社区建设" in note.comment and "县委政法委" in note.comment
    assert "拨付期限 2025-03-31" in note.comment and "50,000.00" in note.comment
    declared = BOOKS + (
        f'2024-01-01 custom "fava-extension" "{EXTENSION_MODULE}"\n'
        '2024-01-01 custom "fava-option" "language" "en"\n'
        '2024-01-01 custom "fava-option" "default-page" "journal/"\n'
    )
    entries, _, _ = loader.load_string(declared)
    assert len(serve_entries(entries)) == len(entries) + len(notes)


def test_serve_opens_on_the_task_board(books: Path) -> None:
    client = create_serve_app(books, load=True).test_client()
    assert client.get("/").location.endswith("/extension/TaskBoard/")


def test_journal_metadata_keys_in_chinese(books: Path) -> None:
    client = create_serve_app(books, load=True).test_client()
    html = client.get(f"/{SLUG}/api/journal_page?page=1&order=desc").get_json()["data"]["journal"]
    assert "<dt>指标:</dt>" in html and "<dt>拨付期限:</dt>" in html
    assert ">指标<" in html  # the badge: the label's first characters, not "qu"
    assert "<dt>quota:</dt>" not in html and ">qu<" not in html


def test_task_page(books: Path) -> None:
    client = create_serve_app(books, load=True).test_client()
    page = client.get(f"/{SLUG}/extension/TaskBoard/?task=T2025-007").get_data(as_text=True)
    assert "T2025-007　平安示范社区建设" in page and "X政法发〔2025〕12号" in page
    for section in ("declaration", "transfers", "spending", "findings"):
        assert f'id="sd-task-{section}"' in page
    assert "平安示范社区建设经费" in page and "平安社区宣传品" in page
    # Each transfer and spending row opens its entry in the journal of the task's link.
    assert page.count("#context-") == 2 and "filter=%5ET2025-007" in page
    missing = client.get(f"/{SLUG}/extension/TaskBoard/?task=T2099-001").get_data(as_text=True)
    assert "账簿中没有声明任务 T2099-001" in missing


def test_page_script_mode(books: Path) -> None:
    for read_only in (True, False):
        client = create_serve_app(books, read_only=read_only, load=True).test_client()
        mode = client.get(f"/{SLUG}/extension/TaskBoard/mode").get_json()
        assert mode["read_only"] is read_only
        assert mode["pages"][0][0] == "TaskBoard" and mode["group"] == "资金台账"
        script = client.get(f"/{SLUG}/extension_js_module/TaskBoard.js")
        assert script.status_code == 200 and b"sd-task-page" in script.data


def test_books_declaring_the_extension_load_it_once(tmp_path: Path) -> None:
    text = BOOKS + f'2024-01-01 custom "fava-extension" "{EXTENSION_MODULE}"\n'
    app = create_serve_app(write_books(tmp_path, text), load=True)
    ledger = app.config["LEDGERS"][SLUG]
    assert not ledger.extensions.errors
    names = [ext.name for ext in ledger.extensions.extension_details]
    assert sorted(names) == sorted(PAGES)
    assert ledger.fava_options.language == "zh"


def test_analysis_once_per_load(books: Path, monkeypatch) -> None:
    """One rule pass per Fava load: the pages take the plugin's own run, then drop it."""
    from sandao.ledger import analysis as ledger_analysis
    from sandao.ledger import plugin
    from sandao.reports.web.fava.state import state_for

    runs: list[object] = []
    original = ledger_analysis.analyse

    def counted(*args, **kwargs):
        result = original(*args, **kwargs)
        runs.append(result)
        return result

    monkeypatch.setattr(ledger_analysis, "analyse", counted)
    monkeypatch.setattr(plugin, "analyse", counted, raising=False)
    app = create_serve_app(books, load=True)
    ledger = app.config["LEDGERS"][SLUG]
    state = state_for(ledger)
    first = state.analysis
    assert runs == [first]  # the plugin's run, not a second one
    assert not [o for o, _ in runtime._RECENT if o is ledger.options]
    client = app.test_client()
    for page in ("TaskBoard", "BudgetExecution", "RuleFindings"):
        assert client.get(f"/{SLUG}/extension/{page}/").status_code == 200
    assert state.analysis is first and len(runs) == 1
    ledger.load_file()
    assert state.analysis is not first and runs == [first, state.analysis]
    assert not [o for o, _ in runtime._RECENT if o is ledger.options]


def test_example_county() -> None:
    """The bundled example county: every task of the analysis is on the board."""
    from sandao.ledger.scaffold import example_main
    from sandao.reports.web.fava.state import state_for

    main = Path(example_main())
    assert main.is_file(), main
    app = create_serve_app(main, load=True)
    client = app.test_client()
    slug = unquote(client.get("/").location.strip("/").split("/")[0])
    analysis = state_for(app.config["LEDGERS"][slug]).analysis
    assert analysis is not None and analysis.funding
    page = client.get(f"/{slug}/extension/TaskBoard/").get_data(as_text=True)
    for task in analysis.funding:
        assert f'data-task="{task}"' in page
    for name in ("BudgetExecution", "RuleFindings"):
        assert client.get(f"/{slug}/extension/{name}/").status_code == 200


def test_plain_fava_with_declared_extension(tmp_path: Path) -> None:
    """Books that declare the extension show the pages in a plain ``fava`` run too."""
    from fava.application import create_app

    text = BOOKS + (
        f'2024-01-01 custom "fava-extension" "{EXTENSION_MODULE}"\n'
        '2024-01-01 custom "fava-option" "language" "zh"\n'
    )
    books = write_books(tmp_path, text)
    app = create_app([str(books)], load=True, read_only=True)
    client = app.test_client()
    page = client.get(f"/{SLUG}/extension/TaskBoard/").get_data(as_text=True)
    assert 'data-task="T2025-007"' in page and "50,000.00" in page
    assert client.put(f"/{SLUG}/api/source", json={}).status_code == 401
    journal = client.get(f"/{SLUG}/api/journal_page?page=1&order=desc").get_json()["data"]
    assert "<dt>指标:</dt>" in journal["journal"]  # the labels need no serve
    assert client.get(f"/{SLUG}/extension/TaskBoard/mode").get_json()["read_only"] is True


@pytest.mark.parametrize(
    "damage",
    [
        b'include "missing/*.beancount"\n',
        b"\xff\xfe not utf-8 \x00\n2025-13-45 open Assets:X\n",
        b'plugin "sandao.ledger" "{broken"\n',
    ],
    ids=["missing-include", "binary-garbage", "broken-plugin-config"],
)
def test_damaged_books_still_serve(tmp_path: Path, damage: bytes) -> None:
    books = write_books(tmp_path, BOOKS)
    books.write_bytes(books.read_bytes() + damage)
    app = create_serve_app(books, load=True)
    client = app.test_client()
    for page in PAGES:
        response = client.get(f"/{SLUG}/extension/{page}/")
        assert response.status_code == 200, page
        assert 'id="sd-load-errors"' in response.get_data(as_text=True), page
    assert client.get(f"/{SLUG}/errors/").status_code == 200
