"""``sandao serve`` options reach Fava: read-only, host, port, incognito, language."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from fava_server import PAGES, SLUG, Server, run_serve, write_books

from sandao.cli import main
from sandao.reports.web import serve


def refuses_writes(app: Any) -> bool:
    """Whether Fava's read-only guard answers a (harmless) PUT with 401."""
    response = app.test_client().put(f"/{SLUG}/api/format_source", json={"source": ""})
    return response.status_code == 401


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record what ``sandao serve`` would run instead of running the server."""
    calls: list[dict[str, Any]] = []

    def fake_run_server(app: Any, host: str = "", port: int = 0) -> None:
        calls.append({"app": app, "host": host, "port": port})

    monkeypatch.setattr(serve, "run_server", fake_run_server)
    return calls


def test_defaults_read_only_local_chinese(
    books: Path, started: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", str(books)]) == 0
    (call,) = started
    assert call["host"] == "127.0.0.1" and call["port"] == 5000
    app = call["app"]
    assert refuses_writes(app)
    assert app.config["INCOGNITO"] is False
    ledger = app.config["LEDGERS"][SLUG]
    assert ledger.fava_options.language == "zh"
    names = sorted(ext.name for ext in ledger.extensions.extension_details)
    assert names == sorted(PAGES)
    out = capsys.readouterr().out
    assert "只读" in out and "http://127.0.0.1:5000/" in out


def test_options_pass_through(
    books: Path, started: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["serve", str(books), "--port", "5123", "--host", "0.0.0.0"]
    assert main([*args, "--read-write", "--incognito"]) == 0
    (call,) = started
    assert (call["host"], call["port"]) == ("0.0.0.0", 5123)
    assert not refuses_writes(call["app"])
    assert call["app"].config["INCOGNITO"] is True
    out = capsys.readouterr()
    assert "可编辑" in out.out
    assert "0.0.0.0" in out.err  # a warning: other computers can reach the books


def test_missing_ledger_is_a_sentence(tmp_path: Path, started: list[dict[str, Any]]) -> None:
    assert main(["serve", str(tmp_path / "nope.beancount")]) != 0
    assert started == []


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on ``port`` (Linux ``/proc/net``)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                assert len(address) == width
                raw = bytes.fromhex(address)
                # /proc prints each 32-bit word in host (little-endian) order
                words = [raw[i : i + 4][::-1] for i in range(0, len(raw), 4)]
                family = socket.AF_INET if width == 8 else socket.AF_INET6
                found.add(socket.inet_ntop(family, b"".join(words)))
    return found


def test_server_listens_on_loopback_only(server: Server) -> None:
    port = int(server.base.rsplit(":", 1)[1])
    assert listening_addresses(port) == {"127.0.0.1"}


def test_read_write_serves_edits(tmp_path: Path) -> None:
    """The one way to edit: ``--read-write``; then Fava's editor saves (and nothing else)."""
    import urllib.request

    from testbooks import FAVA_BOOKS as BOOKS

    books = write_books(tmp_path / "county", BOOKS)
    with run_serve(books, "--read-write") as running:
        url = running.url(f"api/source?filename={books}")
        with urllib.request.urlopen(url) as response:
            current = json.load(response)["data"]
        body = json.dumps(
            {
                "file_path": str(books),
                "source": current["source"] + "; 审计批注\n",
                "sha256sum": current["sha256sum"],
            }
        ).encode()
        request = urllib.request.Request(running.url("api/source"), data=body, method="PUT")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request) as response:
            assert response.status == 200
    assert books.read_text(encoding="utf-8").endswith("; 审计批注\n")
