"""``sandao bench``: generate a synthetic county and measure against the speed targets.

Prints a table (Chinese / English labels) and, as the last line, a JSON object of
the figures and the ratios with their targets; ``--check`` exits 1 when a ratio
misses its target or a measurement fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sandao.bench import MEASUREMENT_NAMES
from sandao.cli_helpers import UserError


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``bench`` sub-command."""
    parser = subparsers.add_parser(
        "bench",
        help="性能基准：生成合成县账簿并测量 (benchmark on a synthetic county)",
        description=(
            "生成一个合成县账簿（固定种子），在全新子进程中测量裸 Beancount 加载与带插件加载、"
            "bean-check 与 sandao check 等，打印表格，最后一行为 JSON。"
        ),
    )
    parser.add_argument("--transactions", type=int, default=100_000, help="交易笔数 (100000)")
    parser.add_argument("--tasks", type=int, default=None, help="任务数（默认每百笔交易 1 个）")
    parser.add_argument("--quotas", type=int, default=None, help="指标数（默认每千笔交易 3 个）")
    parser.add_argument("--units", type=int, default=20, help="单位数 (20)")
    parser.add_argument("--communities", type=int, default=80, help="社区数 (80)")
    parser.add_argument("--years", type=int, default=2, help="预算年度数 (2)")
    parser.add_argument("--seed", type=int, default=0, help="随机种子 (0)")
    parser.add_argument("--repeat", type=int, default=3, help="每项重复次数，取最好 (3)")
    parser.add_argument("--workdir", type=Path, default=None, help="工作目录（保留生成的账簿）")
    parser.add_argument(
        "--only",
        action="append",
        choices=list(MEASUREMENT_NAMES),
        default=None,
        help="只运行指定测量（可多次）",
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="单个子进程超时秒数")
    parser.add_argument("--check", action="store_true", help="有比值未达标时退出码为 1")
    parser.add_argument("--json-only", action="store_true", help="只打印 JSON 一行")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; exit 1 under ``--check`` when a target is missed."""
    from sandao.bench.harness import BenchConfig, render_table, run_bench, summary_json

    config = BenchConfig(
        transactions=args.transactions,
        tasks=args.tasks,
        quotas=args.quotas,
        units=args.units,
        communities=args.communities,
        years=args.years,
        seed=args.seed,
        repeat=args.repeat,
        workdir=args.workdir,
        only=tuple(args.only or ()),
        timeout=args.timeout,
    )

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        result = run_bench(config, log=None if args.json_only else log)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    if not args.json_only:
        print(render_table(result))
    print(json.dumps(summary_json(result), ensure_ascii=False, sort_keys=False))
    return 1 if args.check and not result.passed else 0
