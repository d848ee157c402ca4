"""A procuratorate's own four-category situations and risk points, in its words: the courts' (法发〔2021〕30号)
that speak of 法官, 裁判, 审限 or 再审 are a court's only (``supervision.default_situations.COURT_ONLY``). They follow
the same four categories for the supervision of a prosecutor's case by the procurator-general and department heads
(《关于加强司法权力运行监督管理的意见》（2015）, the authorisation tables' 检察长监督管理 items), and the same time
rules over a procuratorate's own 办案期限. Installed by this app's migration 0006, edited in the admin afterwards."""

from __future__ import annotations

from typing import Any

from supervision.default_situations import OPEN

LIMIT_NEAR = {
    "all": [
        OPEN,
        {"field": "case.limit_percent_used", "op": "gte", "value": 80},
        {"field": "case.days_over_limit", "op": "lte", "value": 0},
    ]
}
LIMIT_OVER = {"all": [OPEN, {"field": "case.days_over_limit", "op": "gt", "value": 0}]}

# (code, family, category, kind, priority, title, description, condition)
SITUATIONS: list[tuple[Any, ...]] = [
    (
        "PC-01",
        "four_category",
        "conflict",
        "manual",
        2,
        "拟作出的处理决定与本院或者上级检察院类案处理决定可能发生冲突的案件",
        "类案检索发现处理尺度不一",
        {},
    ),
    (
        "PC-02",
        "four_category",
        "conflict",
        "manual",
        2,
        "检察官联席会议意见与承办检察官意见不一致的案件",
        "承办检察官不采纳联席会议意见",
        {},
    ),
    ("PR-01", "four_category", "reported", "manual", 1, "有关单位或者个人反映检察官有违法办案行为的案件", "", {}),
    (
        "PR-02",
        "four_category",
        "reported",
        "manual",
        1,
        "当事人、辩护人、诉讼代理人投诉承办检察官违法办案的案件",
        "来信来访、12309检察服务热线投诉",
        {},
    ),
    (
        "PR-03",
        "four_category",
        "reported",
        "manual",
        1,
        "纪检监察机关、上级检察院转交违法办案线索的案件",
        "转交线索",
        {},
    ),
    (
        "PRP-01",
        "risk_point",
        "",
        "automatic",
        3,
        "办案期限已使用80%以上（尚未超期）",
        "临近办案期限，督促按期办结",
        LIMIT_NEAR,
    ),
    ("PRP-02", "risk_point", "", "automatic", 1, "超过办案期限未结", "已超过法定办案期限（含延长）", LIMIT_OVER),
]
