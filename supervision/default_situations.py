"""The default rule library: situations of the four categories (法发〔2021〕30号, 第二条) and risk points.

Courts refine these locally (Jiangsu: 24 situations, Hunan: 17, Shijiazhuang: 23 with 229 rules); this set
follows the SPC text: manual situations where only people can judge (national interest, first of its
kind, a complaint), automatic ones where case facts decide (many parties, large amounts, causes), and
the time-based risk points of DOMAIN.md §4. Loaded by a data migration; edited in the admin afterwards,
each change a new revision. Thresholds are defaults that a court sets for itself.
"""

from __future__ import annotations

from typing import Any

OPEN = {"field": "case.is_open", "op": "eq", "value": True}


def _all(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"all": [OPEN, *parts]}


def _leaf(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": f"case.{field}", "op": op, "value": value}


SERIOUS_CRIMES = [
    "故意杀人罪",
    "绑架罪",
    "抢劫罪",
    "强奸罪",
    "放火罪",
    "爆炸罪",
    "投放危险物质罪",
    "走私、贩卖、运输、制造毒品罪",
    "组织、领导、参加黑社会性质组织罪",
]
PUBLIC_FUNDS_CRIMES = ["非法吸收公众存款罪", "集资诈骗罪", "组织、领导传销活动罪", "非法经营罪"]
SECURITY_CAUSES = [
    "危害国家安全罪",
    "间谍罪",
    "煽动民族仇恨、民族歧视罪",
    "组织、利用会道门、邪教组织、利用迷信破坏法律实施罪",
]
LABOUR_CAUSES = ["追索劳动报酬纠纷", "劳动争议", "劳动合同纠纷", "建设工程施工合同纠纷"]

# (code, family, category, kind, priority, title, description, condition)
SITUATIONS: list[tuple[Any, ...]] = [
    # 1. 重大、疑难、复杂、敏感
    (
        "M-01",
        "four_category",
        "major",
        "manual",
        1,
        "涉及国家利益、社会公共利益，或者重大、疑难、复杂、敏感的案件",
        "法发〔2021〕30号第二条第一项",
        {},
    ),
    (
        "M-02",
        "four_category",
        "major",
        "manual",
        2,
        "对事实认定或者法律适用存在较大争议的案件",
        "合议庭或者承办法官认为事实认定、法律适用存在重大分歧",
        {},
    ),
    (
        "M-03",
        "four_category",
        "major",
        "manual",
        2,
        "具有首案效应的新类型案件",
        "首例、新类型案件，裁判可能产生示范效应",
        {},
    ),
    (
        "M-04",
        "four_category",
        "major",
        "manual",
        2,
        "具有普遍法律适用指导意义的案件",
        "裁判规则可能对同类案件具有指导意义",
        {},
    ),
    (
        "M-05",
        "four_category",
        "major",
        "automatic",
        1,
        "涉及国家安全、外交、民族、宗教等敏感问题的案件",
        "案由涉及国家安全、民族、宗教",
        _all(_leaf("cause", "in", SECURITY_CAUSES)),
    ),
    (
        "M-06",
        "four_category",
        "major",
        "automatic",
        2,
        "诉讼标的额特别巨大的案件（一亿元以上）",
        "标的额达到本院确定的重大案件标准",
        _all(_leaf("claim_amount", "gte", 100000000)),
    ),
    (
        "M-07",
        "four_category",
        "major",
        "automatic",
        1,
        "可能判处无期徒刑以上刑罚的严重刑事案件",
        "严重暴力、毒品、涉黑犯罪",
        _all(_leaf("case_type", "eq", "criminal"), _leaf("cause", "in", SERIOUS_CRIMES)),
    ),
    (
        "M-08",
        "four_category",
        "major",
        "automatic",
        2,
        "以县级以上人民政府为被告的行政案件",
        "行政案件当事人中有人民政府",
        _all(_leaf("case_type", "eq", "administrative"), _leaf("parties", "contains", "人民政府")),
    ),
    (
        "M-09",
        "four_category",
        "major",
        "automatic",
        2,
        "再审案件（本院或者上级法院裁定再审）",
        "审判监督程序案件",
        _all(_leaf("procedure", "eq", "retrial")),
    ),
    (
        "M-10",
        "four_category",
        "major",
        "manual",
        2,
        "检察机关抗诉或者提出检察建议的案件",
        "依法应当加强监督管理的抗诉案件",
        {},
    ),
    # 2. 群体性纠纷、社会广泛关注
    (
        "G-01",
        "four_category",
        "group",
        "manual",
        1,
        "涉及群体性纠纷或者引发社会广泛关注，可能影响社会稳定的案件",
        "法发〔2021〕30号第二条第二项",
        {},
    ),
    (
        "G-02",
        "four_category",
        "group",
        "automatic",
        2,
        "当事人人数众多（十人以上）的案件",
        "一方当事人人数众多",
        _all(_leaf("parties_count", "gte", 10)),
    ),
    (
        "G-03",
        "four_category",
        "group",
        "automatic",
        1,
        "涉众型经济犯罪案件（非法集资、传销等）",
        "被害人众多，可能引发群体性事件",
        _all(_leaf("case_type", "eq", "criminal"), _leaf("cause", "in", PUBLIC_FUNDS_CRIMES)),
    ),
    (
        "G-04",
        "four_category",
        "group",
        "automatic",
        2,
        "涉及农民工工资、劳动报酬的群体性纠纷（五人以上）",
        "欠薪类群体纠纷",
        _all(_leaf("cause", "in", LABOUR_CAUSES), _leaf("parties_count", "gte", 5)),
    ),
    ("G-05", "four_category", "group", "manual", 2, "可能引发批量诉讼或者系列案件的案件", "同类诉讼可能批量涌入", {}),
    ("G-06", "four_category", "group", "manual", 1, "舆论高度关注、可能激化矛盾的案件", "媒体、网络舆情持续关注", {}),
    (
        "G-07",
        "four_category",
        "group",
        "manual",
        2,
        "对行业发展或者特定群体有较大影响的案件",
        "裁判可能影响行业或群体利益",
        {},
    ),
    (
        "G-08",
        "four_category",
        "group",
        "automatic",
        2,
        "公益诉讼案件",
        "涉及社会公共利益",
        _all(_leaf("case_type", "eq", "public_interest")),
    ),
    # 3. 与类案裁判可能冲突
    (
        "C-01",
        "four_category",
        "conflict",
        "manual",
        1,
        "与本院或者上级法院的类案裁判可能发生冲突的案件",
        "法发〔2021〕30号第二条第三项",
        {},
    ),
    (
        "C-02",
        "four_category",
        "conflict",
        "manual",
        2,
        "拟作出的裁判与类案检索结果不一致的案件",
        "类案检索发现裁判尺度不一",
        {},
    ),
    (
        "C-03",
        "four_category",
        "conflict",
        "manual",
        2,
        "合议庭意见与专业法官会议意见不一致的案件",
        "需提交审判委员会统一裁判尺度",
        {},
    ),
    # 4. 反映法官违法审判
    (
        "R-01",
        "four_category",
        "reported",
        "manual",
        1,
        "有关单位或者个人反映法官有违法审判行为的案件",
        "法发〔2021〕30号第二条第四项",
        {},
    ),
    (
        "R-02",
        "four_category",
        "reported",
        "manual",
        1,
        "当事人、诉讼代理人投诉承办法官违法审判的案件",
        "来信来访、12368热线投诉",
        {},
    ),
    ("R-03", "four_category", "reported", "manual", 1, "纪检监察机关、上级法院转交违法审判线索的案件", "转交线索", {}),
    # Risk points (风险点): the same machinery, the same inbox.
    (
        "RP-01",
        "risk_point",
        "",
        "automatic",
        3,
        "审限已使用80%以上（尚未超限）",
        "临近审限，督促按期结案",
        _all(_leaf("limit_percent_used", "gte", 80), _leaf("days_over_limit", "lte", 0)),
    ),
    (
        "RP-02",
        "risk_point",
        "",
        "automatic",
        1,
        "超审限未结",
        "已超过法定审限（含批准延长）",
        _all(_leaf("days_over_limit", "gt", 0)),
    ),
    (
        "RP-03",
        "risk_point",
        "",
        "automatic",
        2,
        "立案超过十二个月未结（长期未结案件）",
        "长期未结案件清理",
        _all(_leaf("days_pending", "gt", 365)),
    ),
    (
        "RP-04",
        "risk_point",
        "",
        "automatic",
        2,
        "九十日以上无办案节点（“冷案”）",
        "案件长期无人推进",
        _all(_leaf("days_since_activity", "gte", 90)),
    ),
    (
        "RP-05",
        "risk_point",
        "",
        "automatic",
        2,
        "两次以上申请延长审限",
        "反复延长审限，需院庭长关注",
        _all(_leaf("extension_requests", "gte", 2)),
    ),
    (
        "RP-06",
        "risk_point",
        "",
        "automatic",
        2,
        "流程节点超期",
        "必经流程节点（分案、送达、开庭等）已过期限仍未完成",
        _all(_leaf("nodes_overdue", "gte", 1)),
    ),
]

FIELDS = ("code", "family", "category", "kind", "priority", "title", "description", "condition")

#: Situations written in a court's words about a court's work (审限, 法官, 裁判, 再审, 抗诉 received): a court's only.
#: A procuratorate has its own (``procuratorate.default_situations``); the rest apply to every kind.
COURT_ONLY = ("M-09", "M-10", "C-01", "C-02", "C-03", "R-01", "R-02", "R-03", "RP-01", "RP-02", "RP-05")


def _snapshot(situation: Any) -> dict[str, Any]:
    names = (*FIELDS[1:], "requires_similar_search", "organisation_kinds", "is_active")
    return {"code": situation.code, **{name: getattr(situation, name) for name in names}}


def set_kinds(situation_model: Any, revision_model: Any, codes: Any, kinds: list[str]) -> int:
    """Give the named situations their organisation kinds (those a court has not set), each a new revision."""
    changed = 0
    for situation in situation_model.objects.filter(code__in=codes, organisation_kinds=[]):
        situation.organisation_kinds = kinds
        situation.revision += 1
        situation.save()
        revision_model.objects.create(situation=situation, revision=situation.revision, snapshot=_snapshot(situation))
        changed += 1
    return changed


def install_rows(situation_model: Any, revision_model: Any, rows: list[tuple[Any, ...]], kinds: list[str]) -> int:
    """Create the situations of ``rows`` (in ``FIELDS`` order) not there yet, for ``kinds``, at revision 1."""
    created = 0
    for row in rows:
        data = dict(zip(FIELDS, row, strict=True))
        if situation_model.objects.filter(code=data["code"]).exists():
            continue
        situation = situation_model.objects.create(revision=1, is_active=True, organisation_kinds=kinds, **data)
        revision_model.objects.create(situation=situation, revision=1, snapshot=_snapshot(situation))
        created += 1
    return created


#: Situations whose flag makes a similar-case search report a condition of signing the ruling (类案检索意见
#: 第二条: no clear or unified rule, first of its kind, guiding significance, conflicting rulings).
SEARCH_REQUIRED = frozenset({"M-02", "M-03", "M-04", "C-01", "C-02"})


def require_searches(situation_model: Any, revision_model: Any) -> int:
    """Mark the ``SEARCH_REQUIRED`` situations, each change a new revision with its snapshot. Used by migrations."""
    changed = 0
    for situation in situation_model.objects.filter(code__in=SEARCH_REQUIRED, requires_similar_search=False):
        situation.requires_similar_search = True
        situation.revision += 1
        situation.save()
        snapshot = {name: getattr(situation, name) for name in (*FIELDS[1:], "requires_similar_search", "is_active")}
        revision_model.objects.create(
            situation=situation, revision=situation.revision, snapshot={"code": situation.code, **snapshot}
        )
        changed += 1
    return changed


def install_new(situation_model: Any, revision_model: Any, codes: list[str]) -> int:
    """Create the named default situations that are not there yet, at revision 1; those that are stay as the court
    set them. Used by migrations that add a situation."""
    created = 0
    for row in SITUATIONS:
        data = dict(zip(FIELDS, row, strict=True))
        code = data.pop("code")
        if code not in codes or situation_model.objects.filter(code=code).exists():
            continue
        situation = situation_model.objects.create(code=code, revision=1, is_active=True, **data)
        revision_model.objects.create(
            situation=situation, revision=1, snapshot={"code": code, **data, "is_active": True}
        )
        created += 1
    return created


def install(situation_model: Any, revision_model: Any) -> int:
    """Create the default situations not there yet (by code); refresh the four first ones, each with its
    revision recorded. Used by migrations."""
    created = 0
    for row in SITUATIONS:
        data = dict(zip(FIELDS, row, strict=True))
        code = data.pop("code")
        situation = situation_model.objects.filter(code=code).first()
        if situation is None:
            situation = situation_model.objects.create(code=code, revision=1, is_active=True, **data)
            created += 1
        else:
            for name, value in data.items():
                setattr(situation, name, value)
            situation.save()
        if not revision_model.objects.filter(situation=situation, revision=situation.revision).exists():
            revision_model.objects.create(
                situation=situation,
                revision=situation.revision,
                snapshot={"code": code, **data, "is_active": situation.is_active},
            )
    return created
