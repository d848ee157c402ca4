"""A procuratorate's procedures (DOMAIN.md §13): their type codes and time limits, process nodes, closing methods and
the decision each closing rests on. Data: installed by this app's migration 0002 (and the tests' reference data),
edited in the admin afterwards like the courts' rules (``cases.ProcedureRule``, ``cases.FlowNode``).

Sources, as in force in 2026: 《中华人民共和国刑事诉讼法》（2018年修正） arts. 91, 172, 175, 177, 228, 230, 254;
《人民检察院刑事诉讼规则》（高检发释字〔2019〕4号）; 《人民检察院民事诉讼监督规则》 and 《人民检察院行政诉讼监督规则》
（2021年）; 《中华人民共和国行政诉讼法》第二十五条第四款 and 《人民检察院公益诉讼办案规则》（2021年）. Where the law sets the
procuratorate no limit (a protest under trial supervision, public-interest work), the limit is 0 and the nodes carry
the deadlines the law does set (the organ's two months to answer a procuratorial suggestion).
"""

from __future__ import annotations

from typing import Any

CRIMINAL = "《中华人民共和国刑事诉讼法》（2018年修正）"
RULES_CRIMINAL = "《人民检察院刑事诉讼规则》（高检发释字〔2019〕4号）"
RULES_CIVIL = "《人民检察院民事诉讼监督规则》（2021年）"
RULES_ADMIN = "《人民检察院行政诉讼监督规则》（2021年）"
RULES_PIL = "《人民检察院公益诉讼办案规则》（2021年）；《中华人民共和国行政诉讼法》第二十五条第四款"

#: At most this many returns for supplementary investigation (刑事诉讼法第一百七十五条第三款: 补充侦查以二次为限); the
#: power list's negative item PRO-RN1 holds the same number as data.
MAX_RETURNS = 2
#: Days the investigating organ has for each supplementary investigation (一个月以内补充侦查完毕).
RETURN_DAYS = 30

# (case_type, procedure, track, type_code, limit, unit, extension, unit, approver, further approver, legal basis)
# fmt: off
RULES = [
    ("criminal", "arrest_review", "detained", "刑捕受", 7, "days", 0, "days", "none", "none", f"{CRIMINAL}第九十一条第三款（已被拘留的犯罪嫌疑人，七日以内作出是否批准逮捕的决定）"),
    ("criminal", "arrest_review", "not_detained", "刑捕受", 15, "days", 5, "days", "president", "none", f"{RULES_CRIMINAL}（未被拘留的，十五日以内决定，重大、复杂的不超过二十日）"),
    ("criminal", "prosecution", "ordinary", "刑诉受", 1, "months", 15, "days", "president", "none", f"{CRIMINAL}第一百七十二条（一个月，重大、复杂的案件可以延长十五日）；第一百七十五条（退回补充侦查以二次为限，重新计算审查起诉期限）"),
    ("criminal", "prosecution", "fast_track", "刑诉受", 10, "days", 5, "days", "president", "none", f"{CRIMINAL}第一百七十二条（认罪认罚适用速裁程序的，十日以内；可能判处有期徒刑超过一年的，可以延长至十五日）"),
    ("criminal", "protest", "appellate", "刑抗", 10, "days", 0, "days", "none", "none", f"{CRIMINAL}第二百二十八条、第二百三十条（抗诉期限十日）"),
    ("criminal", "protest", "supervisory", "刑监抗", 0, "days", 0, "days", "none", "none", f"{CRIMINAL}第二百五十四条第三款（审判监督程序抗诉，法律未规定审查期限）"),
    ("civil", "supervision", "", "民监受", 3, "months", 0, "days", "none", "none", f"{RULES_CIVIL}（三个月内审查终结并作出决定）"),
    ("administrative", "supervision", "", "行监受", 3, "months", 0, "days", "none", "none", f"{RULES_ADMIN}（三个月内审查终结并作出决定）"),
    ("public_interest", "pil_pre_suit", "", "公益立", 0, "days", 0, "days", "none", "none", f"{RULES_PIL}（诉前程序：行政机关应当在收到检察建议书之日起两个月内依法履职并书面回复）"),
    ("public_interest", "pil_suit", "", "公益诉", 0, "days", 0, "days", "none", "none", RULES_PIL),
]
# fmt: on

# (code, name, action types that reach it, deadline in days or None, counted from, required, waived for)
ARREST_REVIEW = [
    ("filed", "受理审查逮捕", ["filed"], None, "filing", True, []),
    ("assigned", "分案", ["assigned", "assignment_designated"], 1, "filing", True, []),
    (
        "decision",
        "作出是否批准逮捕的决定",
        ["arrest_approved", "arrest_not_approved"],
        None,
        "filing",
        False,  # the prosecutor's own decision is recorded with the closing; ``on_case_closing`` requires one
        ["transfer", "other"],
    ),
    ("served", "送达决定书、通知执行", ["served"], 1, "previous", False, []),
    ("closed", "审结", ["closed"], None, "filing", True, []),
    ("archived", "归档", ["archived"], 90, "previous", True, []),
]
PROSECUTION = [
    ("filed", "受理审查起诉", ["filed"], None, "filing", True, []),
    ("assigned", "分案", ["assigned", "assignment_designated"], 3, "filing", True, []),
    ("rights", "告知犯罪嫌疑人有权委托辩护人", ["served"], 3, "filing", True, ["transfer", "other"]),
    ("returned", "退回补充侦查（以二次为限）", ["returned_for_supplementary_investigation"], None, "filing", False, []),
    ("resubmitted", "补充侦查完毕重新移送", ["investigation_resubmitted"], RETURN_DAYS, "previous", False, []),
    (
        "decision",
        "作出起诉或者不起诉决定",
        ["prosecution_decided", "non_prosecution_decided"],
        None,
        "filing",
        False,  # the prosecutor's own decision is recorded with the closing; ``on_case_closing`` requires one
        ["transfer", "other"],
    ),
    ("closed", "审结", ["closed"], None, "filing", True, []),
    ("archived", "归档", ["archived"], 90, "previous", True, []),
]
PROTEST = [
    ("filed", "受理（收到判决、裁定或者申诉）", ["filed"], None, "filing", True, []),
    ("assigned", "分案", ["assigned", "assignment_designated"], 1, "filing", True, []),
    ("decision", "检察长决定提出抗诉", ["protest_decided"], None, "filing", True, ["not_protested"]),
    ("served", "提交抗诉书、抄送", ["served"], 3, "previous", False, []),
    ("closed", "审结", ["closed"], None, "filing", True, []),
    ("archived", "归档", ["archived"], 90, "previous", True, []),
]
SUPERVISION = [
    ("filed", "受理监督申请", ["filed"], None, "filing", True, []),
    ("assigned", "分案", ["assigned", "assignment_designated"], 3, "filing", True, []),
    (
        "decision",
        "作出抗诉或者检察建议的决定",
        ["protest_decided", "procuratorial_suggestion"],
        None,
        "filing",
        True,
        ["review_ended"],
    ),
    ("closed", "审查终结", ["closed"], None, "filing", True, []),
    ("archived", "归档", ["archived"], 90, "previous", True, []),
]
PIL_PRE_SUIT = [
    ("filed", "公益诉讼立案", ["filed"], None, "filing", True, []),
    ("assigned", "分案", ["assigned", "assignment_designated"], 3, "filing", True, []),
    ("suggestion", "制发诉前检察建议", ["procuratorial_suggestion"], None, "filing", True, ["review_ended"]),
    ("reply", "跟进行政机关书面回复（两个月）", ["note"], 60, "previous", False, []),
    ("closed", "审结", ["closed"], None, "filing", True, []),
    ("archived", "归档", ["archived"], 90, "previous", True, []),
]
PIL_SUIT = [
    ("filed", "立案（诉前程序后仍未履职）", ["filed"], None, "filing", True, []),
    ("assigned", "分案", ["assigned", "assignment_designated"], 3, "filing", True, []),
    ("decision", "检察长决定提起公益诉讼", ["pil_suit_decided"], None, "filing", True, ["review_ended"]),
    ("closed", "审结", ["closed"], None, "filing", True, []),
    ("archived", "归档", ["archived"], 90, "previous", True, []),
]
FLOWS: dict[tuple[str, str], list[tuple[Any, ...]]] = {
    ("criminal", "arrest_review"): ARREST_REVIEW,
    ("criminal", "prosecution"): PROSECUTION,
    ("criminal", "protest"): PROTEST,
    ("civil", "supervision"): SUPERVISION,
    ("administrative", "supervision"): SUPERVISION,
    ("public_interest", "pil_pre_suit"): PIL_PRE_SUIT,
    ("public_interest", "pil_suit"): PIL_SUIT,
}

#: The closing methods of each procedure (they replace the case type's: ``cases.choices.closing_methods_register``).
CLOSING_METHODS: dict[str, tuple[str, ...]] = {
    "arrest_review": ("arrest_approved", "arrest_refused", "transfer", "other"),
    "prosecution": (
        "prosecuted",
        "np_statutory",
        "np_discretionary",
        "np_doubt",
        "np_conditional",
        "transfer",
        "other",
    ),
    "protest": ("protested", "not_protested"),
    "supervision": ("protested", "suggestion", "review_ended"),
    "pil_pre_suit": ("suggestion", "review_ended"),
    "pil_suit": ("pil_filed", "review_ended"),
}
PROCEDURES = frozenset(CLOSING_METHODS)

#: The decision a closing rests on: the action type the power list is asked for (a prosecutor alone, or the
#: procurator-general in writing); without it on file the case does not close by that method.
CLOSING_DECISIONS: dict[str, str] = {
    "arrest_approved": "arrest_approved",
    "arrest_refused": "arrest_not_approved",
    "prosecuted": "prosecution_decided",
    "np_statutory": "non_prosecution_decided",
    "np_discretionary": "non_prosecution_decided",
    "np_doubt": "non_prosecution_decided",
    "np_conditional": "non_prosecution_decided",
    "protested": "protest_decided",
    "suggestion": "procuratorial_suggestion",
    "pil_filed": "pil_suit_decided",
}
#: Matters a prosecutor may submit to the procurator-general that end no procedure by themselves.
OTHER_MATTERS = ("prosecution_withdrawn",)
#: 存疑不起诉 needs a return first: after one return the evidence still insufficient, the procuratorate *may* decide not
#: to prosecute; after the second it *must* (刑事诉讼法第一百七十五条第四款; 《人民检察院刑事诉讼规则》 on 存疑不起诉).
DOUBT_NEEDS_RETURNS = 1

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


def install(rule_model: Any, revision_model: Any, node_model: Any) -> int:
    """Create the procuratorate's rules and nodes not there yet (idempotent), each rule at revision 1."""
    created = 0
    for row in RULES:
        data = dict(zip(RULE_FIELDS, row, strict=True))
        key = {name: data[name] for name in ("case_type", "procedure", "track")}
        if rule_model.objects.filter(**key).exists():
            continue
        rule = rule_model.objects.create(revision=1, is_active=True, **data)
        revision_model.objects.create(rule=rule, revision=1, snapshot={**data, "revision": 1, "is_active": True})
        created += 1
    for (case_type, procedure), nodes in FLOWS.items():
        for position, (code, name, types, days, counted_from, required, waived) in enumerate(nodes, start=1):
            node_model.objects.get_or_create(
                case_type=case_type,
                procedure=procedure,
                code=code,
                defaults={
                    "position": position,
                    "name": name,
                    "action_types": types,
                    "deadline_days": days,
                    "deadline_from": counted_from,
                    "required": required,
                    "waived_for": list(waived),
                },
            )
    return created
