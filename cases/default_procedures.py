"""The procedure rules (案件类型代字 and 审限) and the standard process flows shipped by default.

Loaded by a data migration (the nodes' ``waived_for`` by a later one); administrators edit them in the admin afterwards (each change of a rule is a
revision). The limits follow the statutes as in force in 2026 (each row names its article); where a statute
sets no cap on an extension, ``extension_value`` is 0 and the approver decides the days.
"""

from __future__ import annotations

from typing import Any

CIVIL = "《中华人民共和国民事诉讼法》（2023年修正）"
CRIMINAL = "《中华人民共和国刑事诉讼法》（2018年修正）"
ADMINISTRATIVE = "《中华人民共和国行政诉讼法》（2017年修正）"
ENFORCEMENT = "《最高人民法院关于人民法院办理执行案件若干期限的规定》（法发〔2006〕35号）"
COMPENSATION = "《中华人民共和国国家赔偿法》（2012年修正）"

RULE_FIELDS = (
    "case_type",
    "procedure",
    "track",
    "type_code",
    "limit_value",
    "limit_unit",
    "extension_value",
    "extension_unit",
    "extension_approver",
    "further_approver",
    "legal_basis",
)
# fmt: off
RULES = [
    ("civil", "first_instance", "ordinary", "民初", 6, "months", 6, "months", "president", "higher_court", f"{CIVIL}第一百五十二条"),
    ("civil", "first_instance", "summary", "民初", 3, "months", 1, "months", "president", "none", f"{CIVIL}第一百六十四条"),
    ("civil", "first_instance", "small_claims", "民初", 2, "months", 1, "months", "president", "none", f"{CIVIL}第一百六十八条"),
    ("civil", "second_instance", "", "民终", 3, "months", 0, "months", "president", "none", f"{CIVIL}第一百八十三条（对判决的上诉）"),
    ("civil", "retrial", "", "民再", 6, "months", 6, "months", "president", "higher_court", f"{CIVIL}第二百一十八条（依第一审程序审理）"),
    ("criminal", "first_instance", "ordinary", "刑初", 2, "months", 1, "months", "president", "higher_court", f"{CRIMINAL}第二百零八条（至迟不超过三个月）"),
    ("criminal", "first_instance", "summary", "刑初", 20, "days", 25, "days", "president", "none", f"{CRIMINAL}第二百二十条"),
    ("criminal", "second_instance", "", "刑终", 2, "months", 2, "months", "higher_court", "none", f"{CRIMINAL}第二百四十三条"),
    ("criminal", "retrial", "", "刑再", 3, "months", 3, "months", "president", "none", f"{CRIMINAL}第二百五十八条"),
    ("administrative", "first_instance", "ordinary", "行初", 6, "months", 0, "months", "higher_court", "none", f"{ADMINISTRATIVE}第八十一条"),
    ("administrative", "first_instance", "summary", "行初", 45, "days", 0, "days", "none", "none", f"{ADMINISTRATIVE}第八十三条"),
    ("administrative", "second_instance", "", "行终", 3, "months", 0, "months", "higher_court", "none", f"{ADMINISTRATIVE}第八十八条"),
    ("administrative", "retrial", "", "行再", 6, "months", 0, "months", "higher_court", "none", f"{ADMINISTRATIVE}第九十二条（依原审程序审理）"),
    ("enforcement", "enforcement", "", "执", 6, "months", 0, "months", "president", "none", f"{ENFORCEMENT}第一条"),
    ("compensation", "first_instance", "", "法委赔", 3, "months", 3, "months", "president", "none", f"{COMPENSATION}第二十八条"),
]
# fmt: on

# (code, name, action types that reach it, deadline in days or None, counted from, required)
_FIRST_INSTANCE = [
    ("filed", "立案", ["filed"], None, "filing", True),
    ("assigned", "分案", ["assigned", "assignment_designated"], 3, "filing", True),
    ("service", "送达起诉状副本", ["served"], 5, "filing", True),
    ("evidence", "举证期限", ["evidence_period_set", "evidence_exchanged"], 30, "filing", False),
    ("pretrial", "庭前会议", ["pre_trial_meeting"], None, "filing", False),
    ("hearing", "开庭审理", ["hearing_held"], 90, "filing", True),
    ("deliberation", "合议", ["deliberated"], 10, "previous", True),
    ("signing", "裁判文书签署", ["ruling_signed"], 10, "previous", True),
    ("delivery", "裁判文书送达", ["served"], 10, "previous", True),
    ("closed", "结案", ["closed"], None, "filing", True),
    ("archived", "归档", ["archived"], 90, "previous", True),
]
_SECOND_INSTANCE = [
    ("filed", "立案", ["filed"], None, "filing", True),
    ("assigned", "分案", ["assigned", "assignment_designated"], 3, "filing", True),
    ("service", "送达上诉状副本", ["served"], 5, "filing", True),
    ("hearing", "开庭审理或者径行裁判", ["hearing_held", "deliberated"], 45, "filing", False),
    ("deliberation", "合议", ["deliberated"], 10, "previous", True),
    ("signing", "裁判文书签署", ["ruling_signed"], 10, "previous", True),
    ("delivery", "裁判文书送达", ["served"], 10, "previous", True),
    ("closed", "结案", ["closed"], None, "filing", True),
    ("archived", "归档", ["archived"], 90, "previous", True),
]
_ENFORCEMENT = [
    ("filed", "立案", ["filed"], None, "filing", True),
    ("assigned", "分案", ["assigned", "assignment_designated"], 3, "filing", True),
    ("notice", "发出执行通知书", ["served"], 10, "filing", True),
    ("closed", "结案", ["closed"], None, "filing", True),
    ("archived", "归档", ["archived"], 90, "previous", True),
]
FLOWS = {
    (case_type, procedure): nodes
    for case_type in ("civil", "criminal", "administrative", "compensation")
    for procedure, nodes in (
        ("first_instance", _FIRST_INSTANCE),
        ("second_instance", _SECOND_INSTANCE),
        ("retrial", _FIRST_INSTANCE),
    )
}
FLOWS[("enforcement", "enforcement")] = _ENFORCEMENT

# The closing methods for which a required node is not required (``FlowNode.waived_for``), by procedure and node code.
# A case withdrawn (撤诉), mediated (调解, before trial too) or transferred (移送) is commonly closed without a hearing
# or a deliberation; the ruling that allows the withdrawal or the 调解书 is still signed and served, so 裁判文书签署
# and 裁判文书送达 stay required. A second instance may be decided without a hearing anyway (that node is optional);
# an appeal withdrawn (撤回上诉) or mediated closes without the deliberation.
_WITHOUT_TRIAL = ["withdrawal", "mediation", "transfer"]
WAIVED: dict[str, dict[str, list[str]]] = {
    "first_instance": {"hearing": _WITHOUT_TRIAL, "deliberation": _WITHOUT_TRIAL},
    "retrial": {"hearing": _WITHOUT_TRIAL, "deliberation": _WITHOUT_TRIAL},
    "second_instance": {"deliberation": ["withdrawal", "mediation"]},
}


def waived_for(procedure: str, code: str) -> list[str]:
    """The default ``waived_for`` of a node (a new list each time)."""
    return list(WAIVED.get(procedure, {}).get(code, []))


def install_waivers(node_model: Any) -> int:
    """Set the default ``waived_for`` on the default nodes that exist (cases' migration 0022); returns the rows
    changed."""
    changed = 0
    for case_type, procedure in FLOWS:
        for code, methods in WAIVED.get(procedure, {}).items():
            changed += node_model.objects.filter(case_type=case_type, procedure=procedure, code=code).update(
                waived_for=list(methods)
            )
    return changed


def rule_rows() -> list[dict[str, Any]]:
    return [dict(zip(RULE_FIELDS, row, strict=True)) for row in RULES]


def install(rule_model: Any, revision_model: Any, node_model: Any) -> int:
    """Create the default rules and nodes not there yet (rules by type, procedure and track; nodes by code), each
    rule at revision 1. Used by migrations and by the tests' reference data."""
    created = 0
    for data in rule_rows():
        key = {name: data[name] for name in ("case_type", "procedure", "track")}
        if rule_model.objects.filter(**key).exists():
            continue
        rule = rule_model.objects.create(revision=1, is_active=True, **data)
        revision_model.objects.create(rule=rule, revision=1, snapshot={**data, "revision": 1, "is_active": True})
        created += 1
    # The historical model of migration 0018 has no ``waived_for`` yet: 0022 sets it on the rows 0018 created.
    waivers = any(field.name == "waived_for" for field in node_model._meta.get_fields())
    for (case_type, procedure), nodes in FLOWS.items():
        for position, (code, name, action_types, days, counted_from, required) in enumerate(nodes, start=1):
            defaults = {
                "position": position,
                "name": name,
                "action_types": action_types,
                "deadline_days": days,
                "deadline_from": counted_from,
                "required": required,
            }
            if waivers:
                defaults["waived_for"] = waived_for(procedure, code)
            node_model.objects.get_or_create(case_type=case_type, procedure=procedure, code=code, defaults=defaults)
    return created
