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

    def fake_open_server(app: Any, host: str = "", port: int = 0) -> None:
        calls.append({"app": app, "host": host, "port": port})

    monkeypatch.setattr(serve, "open_server", fake_open_server)
    monkeypatch.setattr(serve, "run_server", lambda server: None)
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


def _serve_dirs() -> set[str]:
    import tempfile

    return {p.name for p in Path(tempfile.gettempdir()).glob("sandao-fava-*")}


@pytest.mark.parametrize("second", [False, True], ids=["one SIGTERM", "two SIGTERMs"])
def test_sigterm_stops_the_server_within_5s(books: Path, second: bool) -> None:
    """``kill PID``: the server stops (no thread keeps the process alive), its report cache
    folder is removed, exit 143 — also when a second SIGTERM comes while it stops."""
    import signal
    import time
    import urllib.request

    before = _serve_dirs()
    with run_serve(books) as running:
        # a report built: the server has its private cache folder
        urllib.request.urlopen(running.url("extension/ReportPreview/"), timeout=30).read()
        process = running.process
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        if second:
            time.sleep(0.05)
            process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=5)
        assert time.monotonic() - started < 5
    assert code == 143
    log = (books.parent / f"serve-{running.base.rsplit(':', 1)[1]}.log").read_text("utf-8")
    assert "已终止" in log and "Traceback" not in log and "Alarm" not in log
    assert _serve_dirs() <= before


def test_busy_port_is_one_message_and_exit_2(books: Path) -> None:
    """A port in use: the port is named with how to choose another; nothing says 已启动."""
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "sandao.cli", "serve", str(books), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert run.returncode == 2
    assert "已启动" not in run.stdout and "Traceback" not in run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"端口 {port} 已被占用" in lines[0] and "--port" in lines[0]
