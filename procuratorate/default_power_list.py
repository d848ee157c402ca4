"""The procuratorate's power list (检察官权力清单), written from its authorisation table: what a quota prosecutor
(员额检察官) decides alone, what the procurator-general (检察长) — or a deputy (副检察长) by the chief's delegation —
decides in writing, put on file (书面作出并入卷), and what an assistant (检察官助理) may do. Installed by this app's
migration 0002; edited in the admin afterwards (every change a revision).

Sources (public; each item names its own):
* 《最高人民检察院关于完善人民检察院司法责任制的若干意见》（高检发〔2015〕10号）: 检察官依授权独立决定，检察长（分管副检察长）
  对检察官的决定有权变更，变更应当书面作出并入卷; the split between 检察长决定事项 and 检察官决定事项.
* 《人民检察院刑事诉讼规则》（高检发释字〔2019〕4号）第四条: 办案事项由检察官、检察长、检察委员会在各自职权范围内决定；重大办案
  事项由检察长决定；其他办案事项检察长可以委托检察官决定. The matters it reserves to the chief in its chapters on
  不起诉、抗诉 and 撤回起诉 are the chief's items here; 批准逮捕、提起公诉、退回补充侦查 are delegated to the prosecutor,
  不批准逮捕 too except in a major, difficult, complex or sensitive case (a flagged one), which goes to the chief.
* 《中华人民共和国刑事诉讼法》第一百七十五条第三款 (补充侦查以二次为限) for the negative item on a third return.
* 《中华人民共和国检察官法》（2019年修订）第七条 (检察官的职责) and 《人民检察院检察官助理管理办法》 for the assistant.
* The PRO-01…23 titles follow the same table: the acts of a prosecutor, not of a judge (the codes stay: a code, once
  issued, names its item for life; the titles are a new revision).
"""

from __future__ import annotations

from typing import Any

RESPONSIBILITY = "《最高人民检察院关于完善人民检察院司法责任制的若干意见》（高检发〔2015〕10号）"
RULES = "《人民检察院刑事诉讼规则》（高检发释字〔2019〕4号）第四条"
CPL_175 = "《中华人民共和国刑事诉讼法》第一百七十五条第三款（补充侦查以二次为限）"
PROSECUTORS_LAW = "《中华人民共和国检察官法》（2019年修订）第七条；《人民检察院检察官助理管理办法》"
WRITTEN = f"{RESPONSIBILITY}：检察长（分管副检察长）的决定应当以书面形式作出，归入案件卷宗"

OPEN = {"field": "case.is_open", "op": "eq", "value": True}
QUOTA = {"field": "actor.is_quota", "op": "eq", "value": True}
LEADS = {"field": "actor.participation", "op": "eq", "value": "lead"}
IN_PROCURATORATE = {"field": "case.organisation_kind", "op": "eq", "value": "procuratorate"}
MAJOR = {"field": "case.is_four_category", "op": "eq", "value": True}
TWO_RETURNS = {"field": "case.supplementary_returns", "op": "gte", "value": 2}
AWAITING = {"field": "case.awaiting_resubmission", "op": "eq", "value": True}
#: A procurator-general or deputy holding a quota seat is a prosecutor too (入额必办案): the prosecutor's negative items
#: on the chief's matters are not theirs.
NOT_CHIEF = {
    "not": {
        "any": [
            {"field": "actor.roles", "op": "contains", "value": "president"},
            {"field": "actor.roles", "op": "contains", "value": "vice_president"},
        ]
    }
}
REVIEW_FOR_PROSECUTION = {"field": "case.procedure", "op": "eq", "value": "prosecution"}


def _all(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"all": list(parts)}


#: The chief's matters: (action type, what the chief decides).
CHIEF_MATTERS = [
    ("non_prosecution_decided", "决定不起诉（法定、酌定、存疑、附条件不起诉）"),
    ("protest_decided", "决定提出抗诉（二审抗诉、审判监督程序抗诉、民事行政抗诉）"),
    ("prosecution_withdrawn", "决定撤回起诉"),
    ("pil_suit_decided", "决定提起公益诉讼"),
    ("procuratorial_suggestion", "决定制发检察建议（诉前检察建议、再审检察建议）"),
    ("arrest_not_approved", "对重大、疑难、复杂、敏感案件决定不批准逮捕"),
    ("arrest_approved", "决定批准逮捕（检察长可以自行决定授权检察官的事项）"),
    ("prosecution_decided", "决定提起公诉（检察长可以自行决定授权检察官的事项）"),
    ("chief_decision_refused", "不同意检察官报请的事项，书面说明理由"),
]


def _chief_items(prefix: str, role: str, delegated: bool) -> list[tuple[Any, ...]]:
    by = "受检察长委托，" if delegated else ""
    return [
        (
            f"{prefix}-{index:02d}",
            role,
            action,
            "organisation",
            "allow",
            f"{by}{title}（书面作出并入卷）",
            WRITTEN,
            _all(IN_PROCURATORATE, OPEN),
        )
        for index, (action, title) in enumerate(CHIEF_MATTERS, start=1)
    ]


# (code, role, action_type, scope, effect, title, legal_basis, conditions)
# fmt: off
ITEMS: list[tuple[Any, ...]] = [
    # 员额检察官依授权独立决定
    ("PRO-P01", "prosecutor", "arrest_approved", "own", "allow", "审查逮捕案件决定批准逮捕", RULES, _all(LEADS, OPEN, QUOTA)),
    ("PRO-P02", "prosecutor", "arrest_not_approved", "own", "allow", "审查逮捕案件决定不批准逮捕（重大、疑难、复杂、敏感案件除外）", RULES, _all(LEADS, OPEN, QUOTA)),
    ("PRO-P03", "prosecutor", "prosecution_decided", "own", "allow", "审查起诉案件决定提起公诉、提出量刑建议", RULES, _all(LEADS, OPEN, QUOTA)),
    ("PRO-P04", "prosecutor", "investigation_resubmitted", "own", "allow", "受理补充侦查完毕重新移送的案件，重新计算审查起诉期限", CPL_175, _all(LEADS, OPEN)),
    ("PRO-P05", "prosecutor", "chief_decision_requested", "own", "allow", "对检察长决定事项提出处理意见，报请检察长决定", RULES, _all(LEADS, OPEN)),
    ("PRO-P06", "prosecutor", "prosecution_facts_recorded", "own", "allow", "记录羁押、认罪认罚、量刑建议及其采纳情况", RULES, _all(LEADS, OPEN)),
    # 检察官不得自行决定的事项（报请检察长决定）
    ("PRO-PN1", "prosecutor", "non_prosecution_decided", "subordinate", "deny", "不起诉由检察长决定，检察官不得自行决定，应当报请检察长决定", RULES, NOT_CHIEF),
    ("PRO-PN2", "prosecutor", "protest_decided", "subordinate", "deny", "抗诉由检察长决定，检察官不得自行决定，应当报请检察长决定", RULES, NOT_CHIEF),
    ("PRO-PN3", "prosecutor", "prosecution_withdrawn", "subordinate", "deny", "撤回起诉由检察长决定，检察官不得自行决定", RULES, NOT_CHIEF),
    ("PRO-PN4", "prosecutor", "pil_suit_decided", "subordinate", "deny", "提起公益诉讼由检察长决定，检察官不得自行决定", RULES, NOT_CHIEF),
    ("PRO-PN5", "prosecutor", "procuratorial_suggestion", "subordinate", "deny", "制发检察建议由检察长决定，检察官不得自行决定", RULES, NOT_CHIEF),
    ("PRO-PN6", "prosecutor", "arrest_not_approved", "subordinate", "deny", "重大、疑难、复杂、敏感案件不批准逮捕的，报请检察长决定", RULES, _all(MAJOR, NOT_CHIEF)),
    # 退回补充侦查以二次为限
    ("PRO-RN1", "prosecutor", "returned_for_supplementary_investigation", "subordinate", "deny", "退回补充侦查以二次为限，不得第三次退回", CPL_175, TWO_RETURNS),
    ("PRO-RN2", "prosecutor", "returned_for_supplementary_investigation", "subordinate", "deny", "补充侦查期间案件尚未重新移送，不得再次退回", CPL_175, AWAITING),
    ("PRO-RN3", "prosecutor", "returned_for_supplementary_investigation", "subordinate", "deny", "退回补充侦查只适用于审查起诉案件", CPL_175, {"not": REVIEW_FOR_PROSECUTION}),
    # 检察长、副检察长（受委托）
    *_chief_items("PGN", "president", delegated=False),
    *_chief_items("DPG", "vice_president", delegated=True),
    ("PGN-N1", "president", "panel_decision_changed", "subordinate", "deny", "检察长不得以口头或者其他不留痕的方式改变检察官的决定，改变决定应当书面作出并入卷", WRITTEN, IN_PROCURATORATE),
    ("DPG-N1", "vice_president", "panel_decision_changed", "subordinate", "deny", "副检察长不得以口头或者其他不留痕的方式改变检察官的决定", WRITTEN, IN_PROCURATORATE),
    ("CHF-PN1", "division_chief", "non_prosecution_decided", "subordinate", "deny", "部门负责人不得代替检察长决定不起诉、抗诉等检察长决定事项", RESPONSIBILITY, IN_PROCURATORATE),
    ("CHF-PN2", "division_chief", "protest_decided", "subordinate", "deny", "部门负责人不得代替检察长决定抗诉", RESPONSIBILITY, IN_PROCURATORATE),
    # 检察官助理：在检察官指导下办理辅助事务，不得作出决定
    ("AST-P01", "assistant", "prosecution_facts_recorded", "own", "allow", "在检察官指导下记录羁押、认罪认罚、量刑建议情况", PROSECUTORS_LAW, _all({"field": "actor.participation", "op": "eq", "value": "assistant"}, OPEN)),
    *[(f"AST-PN{index}", "assistant", action, "subordinate", "deny", f"检察官助理不得{what}", PROSECUTORS_LAW, {})
      for index, (action, what) in enumerate([
          ("arrest_approved", "作出批准逮捕决定"), ("arrest_not_approved", "作出不批准逮捕决定"),
          ("prosecution_decided", "作出起诉决定"), ("non_prosecution_decided", "作出不起诉决定"),
          ("returned_for_supplementary_investigation", "决定退回补充侦查"), ("chief_decision_requested", "报请检察长决定"),
      ], start=1)],
]
# fmt: on

#: The prosecutor's PRO-01…23 (``accountability.default_power_list``), titled from the procuratorate's table.
PRO_TITLES = {
    "PRO-01": "按人民法院通知做好出庭支持公诉准备",
    "PRO-02": "出席法庭支持公诉、依法履行法律监督职责",
    "PRO-03": "审查证据，听取犯罪嫌疑人、辩护人、被害人意见",
    "PRO-04": "依法中止审查（扣除审查期限）",
    "PRO-05": "恢复审查",
    "PRO-06": "报请延长审查期限",
    "PRO-07": "对本人承办案件提出审查意见",
    "PRO-08": "制作审查报告和检察法律文书",
    "PRO-09": "签发本人依授权决定事项的检察法律文书",
    "PRO-10": "送达检察法律文书",
    "PRO-11": "承办检察官审结案件",
    "PRO-12": "开展类案检索",
    "PRO-13": "在本人承办案件中记录办案情况",
    "PRO-14": "如实记录过问、干预案件情况",
    "PRO-15": "对本人承办案件的评查意见提出陈述",
    "PRO-16": "对本人承办案件提出重大、疑难、复杂、敏感案件标识",
    "PRO-17": "按检察长、部门负责人要求报告案件办理情况",
    "PRO-18": "说明理由申请变更承办检察官",
    "PRO-19": "为本人承办案件指定检察官助理、书记员",
    "PRO-20": "申请或者自行回避",
    "PRO-21": "参加人民法院召开的庭前会议",
    "PRO-22": "在民事、行政检察监督案件中要求当事人补充材料",
    "PRO-23": "结案后将检察卷宗归档",
}
PRO_BASIS = f"{RESPONSIBILITY}；{RULES}"
FIELDS = ("code", "role", "action_type", "scope", "effect", "title", "legal_basis", "conditions")


def items() -> list[dict[str, Any]]:
    return [dict(zip(FIELDS, row, strict=True)) for row in ITEMS]


def install(power_item_model: Any, revision_model: Any) -> int:
    """Create the items not there yet (by code) at revision 1, and give PRO-01…23 the procuratorate's titles as a
    new revision (once). Idempotent; used by the migration and the tests' reference data."""
    created = 0
    existing = set(power_item_model.objects.values_list("code", flat=True))
    for data in items():
        if data["code"] in existing:
            continue
        role = data.pop("role")
        item = power_item_model.objects.create(role_id=role, revision=1, is_active=True, **data)
        revision_model.objects.create(
            item=item,
            revision=1,
            snapshot={**data, "role": role, "revision": 1, "is_active": True},
            reason="检察院授权清单",
        )
        created += 1
    for item in power_item_model.objects.filter(code__in=PRO_TITLES):
        title = PRO_TITLES[item.code]
        if item.title == title:
            continue
        item.title = title
        item.legal_basis = PRO_BASIS
        item.revision += 1
        item.save(update_fields=["title", "legal_basis", "revision"])
        snapshot = {name: getattr(item, name) for name in FIELDS if name != "role"}
        revision_model.objects.create(
            item=item,
            revision=item.revision,
            snapshot={**snapshot, "role": item.role_id, "revision": item.revision, "is_active": item.is_active},
            reason="按检察院授权清单改写检察官权力事项（原文沿用法官事项表述）",
        )
    return created
