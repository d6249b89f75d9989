"""``sandao bench`` at a tiny scale: the table, and the JSON summary as the last line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from sandao.bench import harness
from sandao.cli import main

TINY = ["--transactions", "1200", "--tasks", "12", "--quotas", "12", "--units", "3",
        "--communities", "6", "--repeat", "1"]  # fmt: skip


def _last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


@pytest.mark.slow
def test_bench_prints_table_and_last_line_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["bench", *TINY, "--workdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "裸加载" in out and "比值" in out
    summary = _last_json(out)
    assert {"scale", "figures", "ratios", "measurements", "skipped", "failed", "pass"} <= set(
        summary
    )
    assert summary["scale"]["transactions"] == 1200
    assert summary["failed"] == {}
    figures, ratios = summary["figures"], summary["ratios"]
    assert {"generate_s", "bare_load_s", "bare_load_rss_mb"} <= set(figures)
    assert set(summary["measurements"]) == set(harness.MEASUREMENTS)
    for name, status in summary["measurements"].items():  # each ran or says why not
        assert status == "ran" or summary["skipped"].get(name), name
    if "load" not in summary["skipped"]:
        assert figures["plugin_load_s"] > 0
        assert ratios["plugin_load_ratio"]["target"] == 1.10
    if "check" not in summary["skipped"]:
        assert {"bean_check_s", "sandao_check_s"} <= set(figures)
        assert ratios["check_ratio"]["target"] == 1.15
    for ratio in ratios.values():
        assert ratio["pass"] in (True, False, None)
        assert ratio["value"] > 0
    assert (tmp_path / "county" / "main.beancount").exists()  # --workdir keeps the books


def test_json_only_and_check_exit_code(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(harness.TARGETS, "plugin_load_ratio", 0.0)  # cannot be met
    code = main(["bench", *TINY, "--only", "load", "--json-only", "--check"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    if "load" in summary["skipped"]:
        pytest.skip("plugin not importable")
    assert summary["ratios"]["plugin_load_ratio"]["pass"] is False
    assert summary["pass"] is False and code == 1


def test_run_child_reads_time_and_peak_memory() -> None:
    run = harness.run_child([sys.executable, "-c", "x = bytearray(50_000_000); print('ok')"])
    assert run.returncode == 0 and run.stdout.strip() == "ok"
    assert run.maxrss_mb >= 45 and run.wall_s > 0


def test_unknown_county_size_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--transactions", "50", "--tasks", "500", "--json-only"]) == 1
    assert "transactions" in capsys.readouterr().err


def test_children_run_from_compiled_bytecode() -> None:
    """A machine that forbids writing bytecode must not make every child compile sandao's
    sources (an installed copy runs compiled, like Beancount's): the bench allows it and
    compiles once."""
    import importlib.util

    import sandao.ledger.analysis as analysis

    cached = Path(importlib.util.cache_from_source(analysis.__file__))
    cached.unlink(missing_ok=True)
    env = {"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}
    harness.compiled(env)
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert cached.exists()
