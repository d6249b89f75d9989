"""Names of the 政府收支分类 codes the disclosure tables print, and the derived classes.

The books carry codes; the public tables need 类/款/项 names next to them.  Function
names are not in the books, so the common ones of county community spending are kept
here (an unknown code prints as its number).  Economic names come first from the
books' own account names (``30227-委托业务费``), then from this table.
"""

from __future__ import annotations

#: 支出功能分类科目 (function classification): 类 (3 digits), 款 (5), 项 (7).
FUNCTION_NAMES: dict[str, str] = {
    "201": "一般公共服务支出",
    "20132": "组织事务",
    "2013299": "其他组织事务支出",
    "20133": "宣传事务",
    "2013399": "其他宣传事务支出",
    "20138": "市场监督管理事务",
    "2013899": "其他市场监督管理事务",
    "204": "公共安全支出",
    "20401": "武装警察部队",
    "2040199": "其他武装警察部队支出",
    "20406": "司法",
    "2040699": "其他司法支出",
    "20499": "其他公共安全支出",
    "2049999": "其他公共安全支出",
    "205": "教育支出",
    "207": "文化旅游体育与传媒支出",
    "20701": "文化和旅游",
    "2070199": "其他文化和旅游支出",
    "2070109": "群众文化",
    "20703": "体育",
    "2070308": "群众体育",
    "208": "社会保障和就业支出",
    "20801": "人力资源和社会保障管理事务",
    "2080199": "其他人力资源和社会保障管理事务支出",
    "20802": "民政管理事务",
    "2080299": "其他民政管理事务支出",
    "2080208": "基层政权建设",
    "20807": "就业补助",
    "2080799": "其他就业补助支出",
    "20810": "社会福利",
    "2081001": "儿童福利",
    "2081002": "老年福利",
    "2081099": "其他社会福利支出",
    "20828": "退役军人管理事务",
    "2082804": "拥军优属",
    "2082899": "其他退役军人事务管理支出",
    "210": "卫生健康支出",
    "21004": "公共卫生",
    "2100499": "其他公共卫生支出",
    "212": "城乡社区支出",
    "21201": "城乡社区管理事务",
    "2120101": "行政运行",
    "2120102": "一般行政管理事务",
    "2120103": "机关服务",
    "2120104": "城管执法",
    "2120105": "工程建设标准规范编制与监管",
    "2120199": "其他城乡社区管理事务支出",
    "21203": "城乡社区公共设施",
    "2120399": "其他城乡社区公共设施支出",
    "21208": "国有土地使用权出让收入安排的支出",
    "2120899": "其他国有土地使用权出让收入安排的支出",
    "21205": "城乡社区环境卫生",
    "2120501": "城乡社区环境卫生",
    "213": "农林水支出",
    "21301": "农业农村",
    "2130199": "其他农业农村支出",
    "21302": "林业和草原",
    "2130299": "其他林业和草原支出",
    "224": "灾害防治及应急管理支出",
    "22401": "应急管理事务",
    "2240199": "其他应急管理支出",
}

#: 部门预算支出经济分类科目 (economic classification): 类 (3 digits), 款 (5).
ECONOMIC_NAMES: dict[str, str] = {
    "301": "工资福利支出",
    "30101": "基本工资",
    "30102": "津贴补贴",
    "30103": "奖金",
    "30107": "绩效工资",
    "30108": "机关事业单位基本养老保险缴费",
    "30112": "其他社会保障缴费",
    "30113": "住房公积金",
    "30199": "其他工资福利支出",
    "302": "商品和服务支出",
    "30201": "办公费",
    "30202": "印刷费",
    "30205": "水费",
    "30206": "电费",
    "30207": "邮电费",
    "30211": "差旅费",
    "30212": "因公出国（境）费用",
    "30213": "维修（护）费",
    "30215": "会议费",
    "30216": "培训费",
    "30217": "公务接待费",
    "30226": "劳务费",
    "30227": "委托业务费",
    "30228": "工会经费",
    "30231": "公务用车运行维护费",
    "30239": "其他交通费用",
    "30299": "其他商品和服务支出",
    "303": "对个人和家庭的补助",
    "30305": "生活补助",
    "30399": "其他对个人和家庭的补助",
    "310": "资本性支出",
    "31001": "房屋建筑物购建",
    "31002": "办公设备购置",
    "31003": "专用设备购置",
    "31005": "基础设施建设",
    "31013": "公务用车购置",
    "31099": "其他资本性支出",
}

#: Derived classes (ledger-language.md): stream → 基本支出 / 项目支出.
BASIC = "基本支出"
PROJECT = "项目支出"
STREAM_CLASS: dict[str, str] = {"运转": BASIC, "建设": PROJECT, "职能": PROJECT}

PERSONNEL = "人员经费"
OPERATING = "公用经费"
CAPITAL = "资本性支出"


#: 三公经费: label → economic codes.
THREE_PUBLIC: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("因公出国（境）费", ("30212",)),
    ("公务用车购置费", ("31013",)),
    ("公务用车运行维护费", ("30231",)),
    ("公务接待费", ("30217",)),
)


def stream_class(stream: str | None) -> str:
    """基本支出 for 运转, 项目支出 for 建设/职能 (and anything unresolved)."""
    return STREAM_CLASS.get(stream or "", PROJECT)


def economic_class(economic: str | None) -> str:
    """人员经费 (301, 303), 公用经费 (302), 资本性支出 (310) or 其他."""
    head = (economic or "")[:3]
    if head in ("301", "303"):
        return PERSONNEL
    if head == "302":
        return OPERATING
    if head == "310":
        return CAPITAL
    return "其他"


def function_name(code: str | None) -> str:
    if not code:
        return "未分类"
    return FUNCTION_NAMES.get(code, "")


def economic_name(code: str | None, known: dict[str, str] | None = None) -> str:
    if not code:
        return "未细化"
    if known and code in known:
        return known[code]
    return ECONOMIC_NAMES.get(code, "")
