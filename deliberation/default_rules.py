"""The referral rules and power-list items deliberation ships with (installed by its data migration, edited in the
admin afterwards).

Sources: 《最高人民法院关于完善人民法院专业法官会议工作机制的指导意见》（法发〔2021〕2号）第八条 — a case to be
decided by the adjudication committee is first discussed by the professional judges' meeting, unless (among
others) the president decides to submit it directly; 《最高人民法院关于健全完善人民法院审判委员会工作机制的意见》
（法发〔2019〕20号） — quorum of more than half, members speak in order with the presiding member last, the
resolution binds the panel, its execution is followed up (督办); 《人民检察院检察委员会工作规则》（2019年）and
《人民检察院检察官联席会议工作规定》 — a matter goes to the joint meeting before the procuratorial committee."""

from __future__ import annotations

from typing import Any

JUDGES_MEETING_BASIS = "《最高人民法院关于完善人民法院专业法官会议工作机制的指导意见》（法发〔2021〕2号）"
COMMITTEE_BASIS = "《最高人民法院关于健全完善人民法院审判委员会工作机制的意见》（法发〔2019〕20号）"
PROCURATORATE_BASIS = "《人民检察院检察委员会工作规则》（2019年）；《人民检察院检察官联席会议工作规定》"

LEADERS = ["president", "vice_president", "division_chief"]
#: who may refer under a rule (empty: whoever the power list lets refer; the panel refers its own case)
REFERRER_ROLES = {"DR-C1": LEADERS, "DR-P2": LEADERS}
FOUR_CATEGORIES = ["major", "group", "conflict", "reported"]
#: the matters a rule admits (four categories with an open flag, lifecycle events in the trace); a rule not named
#: here admits any matter (the panel's own request to the judges' meeting). A leader refers a four-category case
#: (法发〔2021〕30号第七条: 院庭长可以决定将案件提交专业法官会议、审判委员会讨论); a court narrows a rule to some
#: categories, or widens it to a lifecycle event, by editing it.
MATTERS: dict[str, tuple[list[str], list[str]]] = {
    "DR-C1": (FOUR_CATEGORIES, []),
    "DR-P2": (FOUR_CATEGORIES, []),
}
SUPERVISION_BASIS = "《最高人民法院关于完善人民法院审判权力运行和监督管理机制的意见》（法发〔2021〕30号）第七条"
#: (code, organisation kind, referred to, must first be discussed by, roles that may refer directly, title, basis)
REFERRAL_RULES: list[tuple[str, str, str, str, list[str], str, str]] = [
    ("DR-J1", "court", "judges_meeting", "", [], "提交专业法官会议讨论，为合议庭提供咨询意见", JUDGES_MEETING_BASIS),
    (
        "DR-C1",
        "court",
        "adjudication_committee",
        "judges_meeting",
        ["president"],
        "四类案件，院庭长可以提请审判委员会讨论决定；应当先由专业法官会议讨论，院长决定的可以直接提交",
        f"{SUPERVISION_BASIS}；{JUDGES_MEETING_BASIS}第八条；{COMMITTEE_BASIS}",
    ),
    (
        "DR-P1",
        "procuratorate",
        "joint_meeting",
        "",
        [],
        "提交检察官联席会议讨论，为承办检察官提供参考意见",
        PROCURATORATE_BASIS,
    ),
    (
        "DR-P2",
        "procuratorate",
        "procuratorial_committee",
        "joint_meeting",
        [],
        "四类案件，检察长、部门负责人提请检察委员会讨论的，应当先经检察官联席会议讨论",
        PROCURATORATE_BASIS,
    ),
]

ABBR = {"president": "PS", "vice_president": "VP", "division_chief": "DC", "case_management": "CM"}
#: (code, role, action type, scope, effect, title, legal basis, conditions)
HEARS_OPEN = {
    "all": [
        {"field": "actor.participation", "op": "in", "value": ["lead", "panel"]},
        {"field": "case.is_open", "op": "eq", "value": True},
    ]
}
POWER_ITEMS: list[tuple[str, str, str, str, str, str, str, dict[str, Any]]] = [
    *[
        (
            f"DLB-{ABBR[role]}1",
            role,
            "meeting_convened",
            "organisation",
            "allow",
            "召集专业法官会议或审判委员会（检察官联席会议或检察委员会）会议",
            COMMITTEE_BASIS,
            {},
        )
        for role in ("president", "vice_president", "division_chief", "case_management")
    ],
    (
        "DLB-JG2",
        "judge",
        "departed_from_opinion",
        "own",
        "allow",
        "合议庭不采纳专业法官会议咨询意见的，在案卷中说明理由",
        JUDGES_MEETING_BASIS,
        HEARS_OPEN,
    ),
    (
        "DLB-PC2",
        "prosecutor",
        "departed_from_opinion",
        "own",
        "allow",
        "承办检察官不采纳检察官联席会议意见的，说明理由",
        PROCURATORATE_BASIS,
        HEARS_OPEN,
    ),
    *[
        (
            f"DLB-{ABBR[role]}3",
            role,
            "resolution_followed_up",
            "organisation",
            "allow",
            "督办审判委员会（检察委员会）决定的执行",
            COMMITTEE_BASIS,
            {},
        )
        for role in ("president", "vice_president", "case_management")
    ],
    (
        "DLB-JG4",
        "judge",
        "referred_to_committee",
        "own",
        "allow",
        "独任法官、合议庭提请专业法官会议讨论本人承办或参审的案件",
        JUDGES_MEETING_BASIS,
        HEARS_OPEN,
    ),
    (
        "DLB-PC4",
        "prosecutor",
        "referred_to_committee",
        "own",
        "allow",
        "承办检察官提请检察官联席会议讨论本人承办的案件",
        PROCURATORATE_BASIS,
        HEARS_OPEN,
    ),
]


def install_rules(rule_model: Any) -> int:
    """The default referral rules that do not exist yet (by code); who may refer under each, where the table has
    that column (migration 0004 added it)."""
    existing = set(rule_model.objects.values_list("code", flat=True))
    fields = {f.name for f in rule_model._meta.get_fields()}
    created = 0
    for code, kind, body, prior, direct, title, basis in REFERRAL_RULES:
        if code in existing:
            continue
        rule_model.objects.create(
            code=code,
            organisation_kind=kind,
            body_kind=body,
            requires_prior=prior,
            direct_roles=direct,
            title=title,
            legal_basis=basis,
            **({"referrer_roles": REFERRER_ROLES.get(code, [])} if "referrer_roles" in fields else {}),
            **(_matters(code) if "categories" in fields else {}),
        )
        created += 1
    return created


def _matters(code: str) -> dict[str, list[str]]:
    categories, events = MATTERS.get(code, ([], []))
    return {"categories": categories, "event_types": events}


def set_matters(rule_model: Any) -> None:
    """The matters the default rules admit, and their current titles (for rules installed before the columns
    existed; a rule a court has since given matters of its own keeps them)."""
    titles = {code: (title, basis) for code, _kind, _body, _prior, _direct, title, basis in REFERRAL_RULES}
    for code in MATTERS:
        rule_model.objects.filter(code=code, categories=[], event_types=[]).update(
            **_matters(code), title=titles[code][0], legal_basis=titles[code][1]
        )


def set_referrer_roles(rule_model: Any) -> None:
    """Who may refer under the default rules (for rules installed before the column existed)."""
    for code, roles in REFERRER_ROLES.items():
        rule_model.objects.filter(code=code, referrer_roles=[]).update(referrer_roles=roles)


def install_power_items(power_item_model: Any, revision_model: Any) -> int:
    """The deliberation items of the power list that do not exist yet (by code), each at revision 1."""
    existing = set(power_item_model.objects.values_list("code", flat=True))
    roles = set(power_item_model._meta.get_field("role").related_model.objects.values_list("pk", flat=True))
    created = 0
    for code, role, action, scope, effect, title, basis, conditions in POWER_ITEMS:
        if code in existing or role not in roles:
            continue
        data = {"code": code, "title": title, "action_type": action, "scope": scope, "effect": effect}
        data |= {"legal_basis": basis, "conditions": conditions}
        item = power_item_model.objects.create(role_id=role, revision=1, is_active=True, **data)
        snapshot = {**data, "role": role, "revision": 1, "is_active": True}
        revision_model.objects.create(item=item, revision=1, snapshot=snapshot, reason="default list")
        created += 1
    return created
