"""The default assessment schemes (court and procuratorate; officers and leaders), the consequence rule and the
power-list items of the assessment, installed by migration 0002 and changed afterwards as a new scheme version
(admin, or ``services.scheme_revise``). The weights follow the reform reports' four parts — 办案数量、质量、效率、
效果 — with the leaders' own caseload and supervision record and the integrity record beside them; the numbers
are a starting point each organisation confirms, not a national standard.

Sources: 《最高人民法院关于加强和完善法官考核工作的指导意见》（法发〔2021〕8号）(考核内容包括审判执行工作实绩、
职业道德、专业水平、工作能力、审判作风；考核结果分为优秀、称职、基本称职、不称职四个等次；连续两年不称职的退出员额);
《检察官考核工作指引》（2020）; 《人民法院法官员额退出办法（试行）》.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

GUIDANCE = "《最高人民法院关于加强和完善法官考核工作的指导意见》（法发〔2021〕8号）；《检察官考核工作指引》"


def _i(code: str, label: str, source: str, formula: str, weight: int = 1, **params: Any) -> dict[str, Any]:
    return {"code": code, "label": label, "source": source, "formula": formula, "weight": weight, **params}


def _rate(code: str, label: str, metric: str, weight: int = 1) -> dict[str, Any]:
    return _i(code, label, "metric", "linear", weight, metric=metric, base=0, slope=100, cap=100, floor=0, missing=100)


def _quality(extra: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "code": "quality",
        "label": "办案质量",
        "weight": 30,
        "indicators": [
            _i(
                "review_grades",
                "案件评查等次",
                "review_grades",
                "linear",
                2,
                base=0,
                slope=1,
                cap=100,
                floor=0,
                missing=90,
            ),
            _i(
                "defect_points",
                "瑕疵积分",
                "defect_points",
                "linear",
                1,
                base=100,
                slope=-5,
                cap=100,
                floor=0,
                missing=100,
            ),
            _i(
                "responsible_reversals",
                "经评查认定有责的改判发回案件",
                "responsible_reversals",
                "linear",
                1,
                base=100,
                slope=-20,
                cap=100,
                floor=0,
                missing=100,
            ),
            *extra,
        ],
    }


def _workload(norm: int, weight: int) -> dict[str, Any]:
    return {
        "code": "workload",
        "label": "办案数量",
        "weight": weight,
        "indicators": [
            _i(
                "weighted_closed",
                "结案权重数（对照岗位定额）",
                "metric",
                "ratio_to_norm",
                metric="weighted_closed",
                norm=norm,
                prorate=True,
                cap=120,
                floor=0,
                missing=0,
            )
        ],
    }


def _integrity() -> dict[str, Any]:
    return {
        "code": "integrity",
        "label": "廉洁自律",
        "weight": 10,
        "indicators": [
            _i(
                "interference_on_time",
                "过问案件情况及时记录",
                "interference_on_time",
                "linear",
                days=3,
                base=0,
                slope=100,
                cap=100,
                floor=0,
                missing=100,
            ),
            _i("sanctions", "惩戒处理", "sanctions", "linear", base=100, slope=-50, cap=100, floor=0, missing=100),
        ],
    }


def _duration() -> dict[str, Any]:
    return _i(
        "avg_duration_days", "平均办案天数", "metric", "linear", metric="avg_duration_days", base=130, slope=-0.5,
        cap=100, floor=40, missing=100,
    )  # fmt: skip


def _supervision_on_time() -> dict[str, Any]:
    return _i(
        "supervision_on_time", "监督管理按时履责", "supervision_on_time", "linear", base=0, slope=100, cap=100,
        floor=0, missing=100,
    )  # fmt: skip


def _components(
    role: str,
    *,
    leader_workload_weight: int,
    quality: list[dict[str, Any]],
    within_limit: dict[str, Any],
    effect: dict[str, Any],
    leadership_weight: int,
    leadership: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """One kind's scheme for a role: workload, quality, efficiency, effect and integrity for everyone; a leader's
    quality weighs more and a leadership component comes second."""
    leader = role == "leader"
    components = [
        _workload(40 if leader else 120, leader_workload_weight if leader else 30),
        _quality(quality),
        {
            "code": "efficiency",
            "label": "办案效率",
            "weight": 15 if leader else 20,
            "indicators": [within_limit, _duration()],
        },
        {"code": "effect", "label": "办案效果", "weight": 10, "indicators": [effect]},
        _integrity(),
    ]
    if leader:
        components[1]["weight"] = 25
        components.insert(
            1,
            {
                "code": "leadership",
                "label": "领导履职",
                "weight": leadership_weight,
                "indicators": [*leadership, _supervision_on_time()],
            },
        )
    return components


def court(role: str) -> list[dict[str, Any]]:
    return _components(
        role,
        leader_workload_weight=20,
        quality=[
            _i(
                "appeal_changed",
                "二审改判发回率",
                "metric",
                "linear",
                metric="appeal_amended_remanded_ratio",
                base=100,
                slope=-200,
                cap=100,
                floor=0,
                missing=100,
            )  # fmt: skip
        ],
        within_limit=_rate("within_limit_rate", "审限内结案率", "within_limit_rate", 2),
        effect=_i(
            "acceptance_rate",
            "服判息诉率",
            "metric",
            "linear",
            metric="acceptance_rate",
            base=0,
            slope=110,
            cap=100,
            floor=0,
            missing=100,
        ),  # fmt: skip
        leadership_weight=20,
        leadership=[
            _i(
                "leader_caseload",
                "院庭长办案比（对照办案量要求）",
                "metric",
                "ratio_to_norm",
                metric="leader_caseload_ratio",
                norm=Decimal("0.5"),
                cap=100,
                floor=0,
                missing=0,
            )  # fmt: skip
        ],
    )


def procuratorate(role: str) -> list[dict[str, Any]]:
    return _components(
        role,
        leader_workload_weight=25,
        quality=[],
        within_limit=_rate("prosecution_within_limit_rate", "审查起诉期限内办结率", "prosecution_within_limit_rate", 2),
        effect=_i(
            "case_proceeding_ratio",
            "案-件比",
            "metric",
            "linear",
            metric="case_proceeding_ratio",
            base=140,
            slope=-40,
            cap=100,
            floor=0,
            missing=100,
        ),  # fmt: skip
        leadership_weight=15,
        leadership=[],
    )


def _plain(value: Any) -> Any:
    """JSON-ready: Decimals as strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


SCHEMES = [
    ("court", "officer", "法官业绩考核方案（员额法官）", court("officer")),
    ("court", "leader", "法官业绩考核方案（院庭长）", court("leader")),
    ("procuratorate", "officer", "检察官业绩考核方案（员额检察官）", procuratorate("officer")),
    ("procuratorate", "leader", "检察官业绩考核方案（检察长、部门负责人）", procuratorate("leader")),
]

ABBR = {"president": "P", "vice_president": "V", "division_chief": "C", "judge": "J", "prosecutor": "R"}
#: (role, action type, scope, title)
POWER_ITEMS = [
    ("division_chief", "assessment_proposed", "department", "提出本部门员额法官（检察官）业绩考核等次建议"),
    ("president", "assessment_proposed", "organisation", "提出本院领导干部及各部门员额人员业绩考核等次建议"),
    ("vice_president", "assessment_proposed", "organisation", "提出分管部门负责人业绩考核等次建议"),
    ("president", "assessment_signed", "organisation", "审定并签发本院业绩考核结果"),
    ("judge", "assessment_contested", "organisation", "对本人业绩考核结果提出异议（复核申请）"),
    ("prosecutor", "assessment_contested", "organisation", "对本人业绩考核结果提出异议（复核申请）"),
    ("president", "assessment_contest_decided", "organisation", "对业绩考核异议作出复核决定（提议人回避）"),
    ("vice_president", "assessment_contest_decided", "organisation", "对业绩考核异议作出复核决定（提议人回避）"),
]


def install(scheme_model: Any, rule_model: Any) -> int:
    """The four schemes at version 1 and the consequence rule, where none exists yet. Idempotent."""
    created = 0
    for kind, role, name, components in SCHEMES:
        if scheme_model.objects.filter(organisation_kind=kind, role=role).exists():
            continue
        scheme_model.objects.create(
            organisation_kind=kind,
            role=role,
            version=1,
            name=name,
            is_active=True,
            components=_plain(components),
            excellent_from=Decimal(90),
            competent_from=Decimal(75),
            basic_from=Decimal(60),
            excellent_quota_percent=20,
            contest_days=10,
            note=GUIDANCE,
        )
        created += 1
    if not rule_model.objects.exists():
        rule_model.objects.create(
            organisation_kind="",
            grade="incompetent",
            years=2,
            consequence="quota_exit_review",
            note="连续两年年度考核不称职的，启动员额退出程序（法发〔2021〕8号）",
        )
    return created


def install_power_items(power_item_model: Any, revision_model: Any) -> int:
    existing = set(power_item_model.objects.values_list("code", flat=True))
    roles = set(power_item_model._meta.get_field("role").related_model.objects.values_list("pk", flat=True))
    created = 0
    numbers: dict[str, int] = {}
    for role, action, scope, title in POWER_ITEMS:
        numbers[role] = numbers.get(role, 0) + 1
        code = f"ASM-{ABBR[role]}{numbers[role]}"
        if code in existing or role not in roles:
            continue
        data = {"code": code, "title": title, "action_type": action, "scope": scope, "effect": "allow"}
        data |= {"legal_basis": GUIDANCE, "conditions": {}}
        item = power_item_model.objects.create(role_id=role, revision=1, is_active=True, **data)
        revision_model.objects.create(
            item=item, revision=1, snapshot={**data, "role": role, "revision": 1, "is_active": True}, reason="业绩考核"
        )
        created += 1
    return created
