"""A newcomer's first month, scripted from the README so the two cannot drift apart.

The README's 第一次使用 commands run in order with the venv's own ``sandao`` script (what
``. .venv/bin/activate`` puts first on PATH), then the worked month from the README goes
into the new books: it must check clean and equal what ``init`` wrote, commented out.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sandao.ledger.scaffold import FIRST_MONTH_BEGIN, FIRST_MONTH_END

README = Path(__file__).resolve().parents[2] / "README.md"
SANDAO = str(Path(sys.executable).with_name("sandao"))


def readme_block(name: str) -> str:
    """The fenced block between ``<!-- first-use:NAME -->`` and its closing marker."""
    text = README.read_text("utf-8")
    found = re.search(
        rf"<!-- first-use:{name} -->\n```\w*\n(.*?)```\n<!-- /first-use:{name} -->", text, re.S
    )
    assert found, f"README lacks the first-use:{name} block"
    return found.group(1)


def readme_commands() -> list[list[str]]:
    """The README's shell lines as argument lists (continuations joined)."""
    script = readme_block("commands").replace("\\\n", " ")
    return [shlex.split(line) for line in script.splitlines() if line.strip()]


def sandao(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SANDAO, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Path:
    """A folder after the README's commands: activate, init, check (each must succeed)."""
    work = tmp_path_factory.mktemp("newcomer")
    commands = readme_commands()
    assert commands[0][:2] == [".", ".venv/bin/activate"]
    ran = []
    for argv in commands[1:]:
        assert argv[0] == "sandao", argv
        result = sandao(work, *argv[1:])
        assert result.returncode == 0, (argv, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        ran.append(argv[1])
    assert ran == ["init", "check"]
    return work / "我的账簿"


def uncomment(text: str) -> str:
    return "".join(re.sub(r"^; ?", "", line, count=1) for line in text.splitlines(True))


def test_init_writes_the_readme_month_commented(books):
    year_file = (books / "2026.beancount").read_text("utf-8")
    block = year_file.split(FIRST_MONTH_BEGIN + "\n", 1)[1].split(FIRST_MONTH_END, 1)[0]
    assert uncomment(block) == readme_block("month")


def month_books(books: Path, tmp_path: Path) -> Path:
    """A copy of the new books with the README's month in force."""
    copy = tmp_path / "我的账簿"
    shutil.copytree(books, copy)
    (copy / "2026.beancount").write_text(readme_block("month"), "utf-8")
    return copy


def test_the_worked_month_checks_clean(books, tmp_path):
    month_books(books, tmp_path)
    result = sandao(tmp_path, "check", "我的账簿/main.beancount")
    assert result.returncode == 0, result.stdout
    assert "共 0 个错误、0 个警告；任务 1 个、指标 1 个" in result.stdout


#: A newcomer's mistakes in the README's month → the first finding ``check`` shows, a
#: phrase of its message and of its fix line (the did-you-mean), and how many it shows.
MISTAKES = [
    (
        "task-id typo",
        ('经费" ^T2026-001', '经费" ^T2026-01'),
        ("T002", "^T2026-01", "是否为 T2026-001？"),
    ),
    (
        "lower-case task id",
        ('经费" ^T2026-001', '经费" ^t2026-001'),
        ("T002", "^t2026-001", "是否为 T2026-001（任务编号须大写 T）？"),
    ),
    (
        "impossible due date",
        ("due: 2026-01-31", "due: 2026-02-30"),
        ("LexerError", "日期 2026-02-30 不存在，任务 T2026-001 的声明因此未能读入", "2026-02-30"),
    ),
    (
        "full-width colon from a Chinese IME",
        ('community: "SQ01"', 'community："SQ01"'),
        ("LexerError", "全角标点 「：」", "改成半角 「:」"),
    ),
    (
        "mistyped account",
        ("30206-电费 ", "30206-电废 "),
        (
            "ValidationError",
            "未开立（open）的科目",
            "是否为 Expenses:C101-城东社区服务中心:30206-电费？",
        ),
    ),
    (
        "mistyped quota",
        ('quota: "ZB26-0001"\n  Expenses', 'quota: "ZB26-001"\n  Expenses'),
        ("Q002", "ZB26-001", "是否为 ZB26-0001？"),
    ),
    (
        "task's unit mistyped",
        ('  unit: "C101"\n  due', '  unit: "C10"\n  due'),
        ("D002", "单位编码 C10 未声明", "是否为 C101？"),
    ),
    (
        "task's department mistyped",
        ('department: "D05"', 'department: "D5"'),
        ("D002", "部门编码 D5 未声明", "是否为 D05？"),
    ),
    (
        "task's community mistyped",
        ('community: "SQ01"', 'community: "SQ1"'),
        ("D002", "社区编码 SQ1 未声明", "是否为 SQ01？"),
    ),
    (
        "full-width comma in a transaction",
        ('经费" ^T2026-001', '经费"，^T2026-001'),
        ("LexerError", "全角标点 「，」", "改成半角 「,」"),
    ),
    (
        "no opening balance",
        ('"期初余额" "银行存款上年余额"', '"期初余额" "银行存款上年余额" #draft'),
        ("BalanceError", "余额断言不符", "补记期初"),
    ),
    (
        "amount without CNY",
        ("30206-电费                3421.50 CNY", "30206-电费                3421.50"),
        (
            "CategorizationError",
            "金额没写币种：分录 「Expenses:C101-城东社区服务中心:30206-电费 3421.50」",
            "如 3421.50 CNY",
        ),
    ),
    (
        "posting without its indent",
        (
            "  Expenses:C101-城东社区服务中心:30201-办公费",
            "Expenses:C101-城东社区服务中心:30201-办公费",
        ),
        ("ParserSyntaxError", "分录行（科目和金额）没有缩进", "在这一行的行首加两个空格"),
    ),
    (
        "date written the Chinese way",
        ("2026-01-28 *", "2026年1月28日 *"),
        ("ParserSyntaxError", "日期写成了「2026年1月28日」", "改为 2026-01-28"),
    ),
    (
        "transfer dated before its account's open",
        ('2026-01-25 * "县委政法委"', '2025-12-25 * "县委政法委"'),
        (
            "ValidationError",
            "交易日期 2025-12-25 早于科目 ",
            "核对这一笔的日期（应在 2026-01-01 或以后）",
        ),
    ),
    (
        "new account opened without metadata",
        ("30201-办公费               860.00", "30202-印刷费               860.00"),
        (
            "D001",
            "科目 Expenses:C101-城东社区服务中心:30202-印刷费 的 open 没有写 stream、function",
            'stream: "运转"、function: "2120101"',
        ),
        "2026-01-01 open Expenses:C101-城东社区服务中心:30202-印刷费 CNY\n\n"
        '2026-02-03 * "县文印社" "宣传单"\n'
        "  Expenses:C101-城东社区服务中心:30202-印刷费   100.00 CNY\n"
        "  Assets:C101-城东社区服务中心:1002-银行存款\n",
    ),
    (
        "department money booked to 4001",
        (
            "Income:C101-城东社区服务中心:4609-其他收入:D05-县委政法委",
            "Income:C101-城东社区服务中心:4001-财政拨款收入:YZ-运转经费",
        ),
        (
            "T007",
            "记在了 4001 财政拨款收入",
            "把收入科目改为 Income:C101-城东社区服务中心:4609-其他收入:D05-县委政法委",
        ),
    ),
    (
        "task amount without CNY",
        ('"平安示范社区建设" 50000.00 CNY', '"平安示范社区建设" 50000.00'),
        ("S001", "第3个值（金额）应为金额和币种", "按台账语言说明"),
    ),
]

#: What the plain ``check`` prints for some of the mistakes above besides the first message:
#: the heading the finding sits under, the folded line counting findings and codes.
SHOWN = {
    "task amount without CNY": (
        "单位 C101 城东社区服务中心\n  任务 T2026-001（声明格式有误，未能读入，见下）",
        "（由此引起的 3 条已折叠：T002 2 条、T004 1 条；",
    ),
    "new account opened without metadata": ("（由此引起的 1 条已折叠：D001 1 条；",),
    "transfer dated before its account's open": (
        "（由此引起的 2 条已折叠：T009 1 条、ValidationError 1 条；",
    ),
    "date written the Chinese way": (
        "（由此引起的 2 条已折叠：LexerError 1 条、BalanceError 1 条；",
    ),
}


@pytest.mark.parametrize(
    "name, change, expected, extra",
    [(*m[:3], m[3] if len(m) > 3 else "") for m in MISTAKES],
    ids=[m[0] for m in MISTAKES],
)
def test_each_mistake_shows_its_cause_first(books, tmp_path, name, change, expected, extra):
    copy = month_books(books, tmp_path)
    year_file = copy / "2026.beancount"
    text = year_file.read_text("utf-8")
    old, new = change
    assert text.count(old) == 1, old
    if "#draft" in new:  # the opening balance left out: drop that transaction
        start = text.index("2026-01-01 *")
        text = text[:start] + text[text.index("\n\n", start) + 2 :]
    else:
        text = text.replace(old, new)
    year_file.write_text(text + extra, "utf-8")
    shown = sandao(tmp_path, "check", "--json", "我的账簿/main.beancount")
    assert shown.returncode == 1
    records = [r for r in json.loads(shown.stdout) if not r["caused_by"]]
    code, message, fix = expected
    first = records[0]
    assert (first["code"], message in first["message"], fix in first["fix"]) == (code, True, True)
    # root cause first: nothing else is shown beside the cause but repeats of the same mistake
    assert {r["code"] for r in records} == {code}, records
    human = sandao(tmp_path, "check", "我的账簿/main.beancount")
    assert human.returncode == 1 and "Traceback" not in human.stderr
    assert f"改正：{first['fix']}" in human.stdout
    assert "无法确定的部门" not in human.stdout
    for phrase in SHOWN.get(name, ()):
        assert phrase in human.stdout, human.stdout


def unfunded_month(books: Path, tmp_path: Path, acks: str = "", plugin: str = "") -> Path:
    """The README's month without the department's transfer (T001 and T003), plus ``acks``."""
    copy = month_books(books, tmp_path)
    year_file = copy / "2026.beancount"
    text = year_file.read_text("utf-8")
    start = text.index('2026-01-25 * "县委政法委"')
    text = text[:start] + text[text.index("\n\n", start) + 2 :]
    text = text.replace("72350.40 CNY", "22350.40 CNY")  # the bank without the 50,000.00
    year_file.write_text(text + acks, "utf-8")
    if plugin:
        main_file = copy / "main.beancount"
        main_file.write_text(
            main_file.read_text("utf-8").replace('plugin "sandao.ledger"', plugin), "utf-8"
        )
    return copy


ACK_T001 = '2026-03-01 custom "ack" "T001" "T2026-001" "已发函催拨，政法委答复 3 月拨付"\n'
ACK_T003 = '2026-03-01 custom "ack" "T003" "T2026-001" "宣传栏先行垫付，经局长批准"\n'


def test_ack_marks_a_finding_acknowledged_not_failing(books, tmp_path):
    unfunded_month(books, tmp_path)
    before = json.loads(sandao(tmp_path, "check", "--json", "我的账簿/main.beancount").stdout)
    assert sorted(r["code"] for r in before) == ["T001", "T003"]

    unfunded_month(books, tmp_path / "one", ACK_T001)
    one = sandao(tmp_path / "one", "check", "--json", "我的账簿/main.beancount")
    severity = {r["code"]: (r["severity"], r["ack_reason"]) for r in json.loads(one.stdout)}
    assert one.returncode == 1  # T003 is still an error
    assert severity == {
        "T001": ("acknowledged", "已发函催拨，政法委答复 3 月拨付"),
        "T003": ("error", None),
    }

    unfunded_month(books, tmp_path / "both", ACK_T001 + ACK_T003)
    both = sandao(tmp_path / "both", "check", "我的账簿/main.beancount")
    assert both.returncode == 0, both.stdout
    # shown under 已确认 with the reason; the acks do not move the as-of date
    assert "已确认 2 条" in both.stdout and "确认理由：宣传栏先行垫付，经局长批准" in both.stdout
    assert "检查截至 2026-02-01" in both.stdout
    assert "共 0 个错误、0 个警告、2 个已确认" in both.stdout


def test_plugin_hands_acknowledged_findings_to_beancount_only_with_warnings(books, tmp_path):
    bean_check = str(Path(sys.executable).with_name("bean-check"))
    quiet = unfunded_month(books, tmp_path / "quiet", ACK_T001 + ACK_T003)
    result = subprocess.run([bean_check, str(quiet / "main.beancount")], capture_output=True)
    assert result.returncode == 0, result.stderr
    loud = unfunded_month(
        books,
        tmp_path / "loud",
        ACK_T001 + ACK_T003,
        plugin='plugin "sandao.ledger" "{\'warnings\': True}"',
    )
    result = subprocess.run(
        [bean_check, str(loud / "main.beancount")], capture_output=True, text=True
    )
    assert result.returncode == 1 and "[T001 已确认：已发函催拨" in result.stderr


@pytest.mark.parametrize(
    "ack, problem",
    [
        (
            '2026-03-01 custom "ack" "T001" "T2026-009" "编号写错"\n',
            "没有对应的检查发现：T001 T2026-009",
        ),
        ('2026-03-01 custom "ack" "T01" "T2026-001" "代码写错"\n', "是否为 T001？"),
        ('2026-03-01 custom "ack" "T001" "T2026-001"\n', "应为三个带引号的文本"),
    ],
    ids=["matches-nothing", "unknown-code", "no-reason"],
)
def test_unmatched_or_malformed_ack_is_s001(books, tmp_path, ack, problem):
    unfunded_month(books, tmp_path, ACK_T003 + ack)
    result = sandao(tmp_path, "check", "--json", "我的账簿/main.beancount")
    records = json.loads(result.stdout)
    s001 = [r for r in records if r["code"] == "S001"]
    assert result.returncode == 1 and len(s001) == 1 and problem in s001[0]["message"]


def test_reports_and_fava_still_show_an_acknowledged_finding_marked(books, tmp_path):
    from sandao.ledger import load
    from sandao.reports.tasks import task_table
    from sandao.reports.web.fava.pages import PageFilter, findings_board

    copy = unfunded_month(books, tmp_path, ACK_T001)
    analysis = load(copy / "main.beancount")
    tasks = task_table(analysis)
    assert tasks.loc[tasks["task"] == "T2026-001", "findings"].item() == "T001（已确认）, T003"
    board = findings_board(analysis, PageFilter())
    assert (board["errors"], board["warnings"], board["acknowledged"]) == (1, 0, 1)
    acknowledged = [f for g in board["groups"] for f in g.findings if f.code == "T001"]
    assert acknowledged[0].ack_reason == "已发函催拨，政法委答复 3 月拨付"
