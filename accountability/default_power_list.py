"""The power and responsibility list (权责清单) shipped by default.

Loaded by a data migration; administrators edit it in the admin afterwards (each
change versioned). It covers every role and every action type, with the
negative list of DOMAIN.md §2: a leader may not change a panel's decision nor
sign a ruling on a case they did not hear, nor supervise an individual case
that is not a four-category case (法发〔2021〕30号); an assistant may not sign a
ruling; a clerk may not record deliberation; an evaluator may not review a case
they took part in.
"""

from __future__ import annotations

from typing import Any

RESPONSIBILITY = "《最高人民法院关于完善人民法院司法责任制的若干意见》（法发〔2015〕13号）"
PROCURATORIAL = "《最高人民检察院关于完善人民检察院司法责任制的若干意见》（高检发〔2015〕10号）"
FOUR_CATEGORY = "《最高人民法院关于进一步完善“四类案件”监督管理工作机制的指导意见》（法发〔2021〕30号）"
SIMILAR_CASES = "《最高人民法院关于统一法律适用加强类案检索的指导意见（试行）》（2020年）"
THREE_RULES = "防止干预司法“三个规定”"
JUDGES_LAW = "《中华人民共和国法官法》《中华人民共和国检察官法》"
REVIEW = "案件质量评查工作规定；评查人员回避原则"
METRICS = "最高人民法院审判质量管理指标体系；审判管理工作规定"
FILING = "《最高人民法院关于人民法院登记立案若干问题的规定》（法释〔2015〕8号）"
ASSIGNMENT = "《最高人民法院关于进一步全面落实司法责任制的实施意见》（法发〔2018〕23号）；随机分案为主、指定分案为辅"
RECUSAL = "《中华人民共和国民事诉讼法》第四十七条至第五十条；《中华人民共和国刑事诉讼法》第二十九条至第三十二条"
EXTENSION = "《中华人民共和国民事诉讼法》第一百五十二条；《中华人民共和国刑事诉讼法》第二百零八条、第二百四十三条；《中华人民共和国行政诉讼法》第八十一条"

OPEN = {"field": "case.is_open", "op": "eq", "value": True}
CLOSED = {"field": "case.is_open", "op": "eq", "value": False}
QUOTA = {"field": "actor.is_quota", "op": "eq", "value": True}
HEARS = {"field": "actor.participation", "op": "in", "value": ["lead", "panel"]}
LEADS = {"field": "actor.participation", "op": "eq", "value": "lead"}
NOT_HEARD = {"field": "actor.participation", "op": "not_in", "value": ["lead", "panel"]}
TOOK_PART = {"field": "actor.took_part", "op": "eq", "value": True}
SUSPENDED = {"field": "actor.suspended", "op": "eq", "value": True}
DISCIPLINE = "《中华人民共和国法官法》第四十六条至第五十一条；《中华人民共和国检察官法》；法官、检察官惩戒工作程序规定"
#: No pending or confirmed four-category flag on the case (``supervision.hooks.is_four_category``).
NOT_FOUR_CATEGORY = {"field": "case.is_four_category", "op": "eq", "value": False}
BOUNDS = "不得对非“四类案件”进行个案监督（法发〔2021〕30号）"
BOUNDS_BASIS = (
    f"{FOUR_CATEGORY}：院庭长个案监督限于“四类案件”，对其他案件只能通过审判管理方式进行全局监督管理；"
    f"{RESPONSIBILITY}第二十四条"
)
#: A leader's individual supervision acts, each refused off the four categories by its own negative item.
INDIVIDUAL_SUPERVISION = [
    ("N3", "supervision_comment", "提出书面监督意见"),
    ("N4", "progress_report_required", "要求报告案件进展和评议结果"),
    ("N5", "similar_search_required", "要求进行类案检索"),
    ("N6", "referred_to_committee", "提交专业法官会议或审判委员会讨论"),
    ("N7", "committee_outcome_recorded", "记录专业法官会议或审判委员会讨论意见"),
]
#: A similar-case search report is required (referral, leader's requirement, a situation that needs one)
#: and none is attached.
SEARCH_MISSING = {
    "all": [
        {"field": "case.requires_search_report", "op": "eq", "value": True},
        {"field": "case.has_search_report", "op": "eq", "value": False},
    ]
}


def _as(participation: str) -> dict[str, Any]:
    return {"field": "actor.participation", "op": "eq", "value": participation}


def _all(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"all": list(parts)}


# (code, role, action_type, scope, effect, title, legal_basis, conditions)
_HANDLER_ACTIONS = [
    ("hearing_scheduled", "排期开庭", _all(HEARS, OPEN)),
    ("hearing_held", "主持开庭审理", _all(HEARS, OPEN)),
    ("evidence_exchanged", "组织证据交换", _all(HEARS, OPEN)),
    ("suspended", "决定中止审理（扣除审限）", _all(LEADS, OPEN)),
    ("resumed", "决定恢复审理", _all(LEADS, OPEN)),
    ("extension_requested", "申请延长审限", _all(LEADS, OPEN)),
    ("deliberated", "参加合议、记录合议意见", _all(HEARS, OPEN)),
    ("ruling_drafted", "起草裁判文书", _all(HEARS, OPEN)),
    ("ruling_signed", "签署本人审理案件的裁判文书", _all(HEARS, OPEN, QUOTA)),
    ("served", "送达法律文书", _all(HEARS, OPEN)),
    ("closed", "承办人结案", _all(LEADS, OPEN, QUOTA)),
    ("similar_case_search", "开展类案检索", _all(HEARS, OPEN)),
    ("note", "在本人承办或参审案件中记录办案情况", HEARS),
    ("interference_recorded", "如实记录过问、干预案件情况", {}),
    # New items go last: codes are numbered by position, and a code, once issued, names its item for life.
    ("review_responded", "对本人承办案件的评查意见提出陈述", LEADS),
    ("four_category_flagged", "对本人承办或参审案件提出“四类案件”标识", _all(HEARS, OPEN)),
    ("progress_reported", "按院庭长要求报告案件进展和评议结果", _all(LEADS, OPEN)),
    # A case's life (DOMAIN.md §11): JUD/PRO-18 … 23.
    ("lead_change_requested", "说明理由申请变更承办人", _all(LEADS, OPEN)),
    ("participant_attached", "为本人承办案件指定法官助理、书记员", _all(LEADS, OPEN)),
    ("recusal_requested", "申请或者自行回避", _all(HEARS, OPEN)),
    ("pre_trial_meeting", "召开庭前会议", _all(HEARS, OPEN)),
    ("evidence_period_set", "指定举证期限", _all(HEARS, OPEN)),
    ("archived", "结案后将卷宗归档", _all(LEADS, CLOSED)),
]


def _handler_items(prefix: str, role: str, basis: str) -> list[tuple[Any, ...]]:
    return [
        (f"{prefix}-{index:02d}", role, action, "own", "allow", title, basis, cond)
        for index, (action, title, cond) in enumerate(_HANDLER_ACTIONS, start=1)
    ]


# fmt: off
def _leader_items(prefix: str, role: str, supervision_scope: str, case_scope: str) -> list[tuple[Any, ...]]:
    return [
        (f"{prefix}-01", role, "assigned", case_scope, "allow", "分案、调整承办人和合议庭", RESPONSIBILITY, OPEN),
        (f"{prefix}-02", role, "extension_approved", case_scope, "allow", "审批延长审限申请", RESPONSIBILITY, OPEN),
        (f"{prefix}-03", role, "extension_refused", case_scope, "allow", "不批准延长审限申请并说明理由", RESPONSIBILITY, OPEN),
        (f"{prefix}-04", role, "supervision_comment", supervision_scope, "allow", "对四类案件在案卷内留痕提出书面监督意见", FOUR_CATEGORY, OPEN),
        (f"{prefix}-05", role, "progress_report_required", supervision_scope, "allow", "要求合议庭报告案件进展和评议结果", FOUR_CATEGORY, OPEN),
        (f"{prefix}-06", role, "similar_search_required", supervision_scope, "allow", "要求进行类案检索", SIMILAR_CASES, OPEN),
        (f"{prefix}-07", role, "referred_to_committee", supervision_scope, "allow", "提交专业法官会议或审判委员会讨论", FOUR_CATEGORY, OPEN),
        (f"{prefix}-08", role, "note", case_scope, "allow", "在管理范围内案件中记录管理事项", RESPONSIBILITY, {}),
        (f"{prefix}-09", role, "interference_recorded", "own", "allow", "如实记录过问、干预案件情况", THREE_RULES, {}),
        (f"{prefix}-10", role, "metrics_recomputed", supervision_scope, "allow", "重新计算管理范围内的质效指标", METRICS, {}),
        (f"{prefix}-11", role, "review_planned", supervision_scope, "allow", "决定对管理范围内已结案件开展评查", REVIEW, {}),
        (f"{prefix}-12", role, "four_category_flagged", supervision_scope, "allow", "对管理范围内案件提出“四类案件”标识", FOUR_CATEGORY, OPEN),
        (f"{prefix}-13", role, "four_category_confirmed", supervision_scope, "allow", "确认“四类案件”标识", FOUR_CATEGORY, OPEN),
        (f"{prefix}-14", role, "four_category_dismissed", supervision_scope, "allow", "说明理由后撤销“四类案件”预标识", FOUR_CATEGORY, OPEN),
        (f"{prefix}-N1", role, "panel_decision_changed", "subordinate", "deny", "不得改变合议庭评议意见", FOUR_CATEGORY, {}),
        (f"{prefix}-N2", role, "ruling_signed", "subordinate", "deny", "不得签发未参加审理案件的裁判文书", RESPONSIBILITY, NOT_HEARD),
        (f"{prefix}-15", role, "committee_outcome_recorded", supervision_scope, "allow", "记录专业法官会议或审判委员会讨论意见", FOUR_CATEGORY, {}),
        (f"{prefix}-16", role, "interference_recorded", "subordinate", "allow", "如实记录本人收到的过问、干预案件情况", THREE_RULES, {}),
        (f"{prefix}-17", role, "interference_report_filed", case_scope, "allow", "报送部门过问、干预案件情况季度报告（含零报告）", THREE_RULES, {}),
        # Individual supervision is confined to the four categories (DOMAIN.md §4, §11): elsewhere only management
        # as a whole (time limits, statistics, the inbox of alerts), never an act on the case.
        *[(f"{prefix}-{code}", role, action, "subordinate", "deny", f"{BOUNDS}：{what}", BOUNDS_BASIS, NOT_FOUR_CATEGORY)
          for code, action, what in INDIVIDUAL_SUPERVISION],
    ]


DEFAULT_ITEMS: list[tuple[Any, ...]] = [
    *_handler_items("JUD", "judge", RESPONSIBILITY),
    *_handler_items("PRO", "prosecutor", PROCURATORIAL),
    ("PRO-R1", "prosecutor", "returned_for_supplementary_investigation", "own", "allow", "决定退回补充侦查", PROCURATORIAL, _all(LEADS, OPEN, QUOTA)),
    ("AST-01", "assistant", "evidence_exchanged", "own", "allow", "组织证据交换", RESPONSIBILITY, _all(_as("assistant"), OPEN)),
    ("AST-02", "assistant", "hearing_scheduled", "own", "allow", "安排庭审排期", RESPONSIBILITY, _all(_as("assistant"), OPEN)),
    ("AST-03", "assistant", "ruling_drafted", "own", "allow", "协助起草裁判文书", RESPONSIBILITY, _all(_as("assistant"), OPEN)),
    ("AST-04", "assistant", "similar_case_search", "own", "allow", "协助开展类案检索", SIMILAR_CASES, _all(_as("assistant"), OPEN)),
    ("AST-05", "assistant", "served", "own", "allow", "送达法律文书", RESPONSIBILITY, _all(_as("assistant"), OPEN)),
    ("AST-06", "assistant", "note", "own", "allow", "记录辅助事务", RESPONSIBILITY, _as("assistant")),
    ("AST-07", "assistant", "interference_recorded", "own", "allow", "如实记录过问、干预案件情况", THREE_RULES, {}),
    ("AST-N1", "assistant", "ruling_signed", "subordinate", "deny", "法官助理不得签署裁判文书", JUDGES_LAW, {}),
    ("AST-N2", "assistant", "deliberated", "subordinate", "deny", "法官助理不得参加合议表决", JUDGES_LAW, {}),
    ("CLK-01", "clerk", "served", "own", "allow", "记录送达法律文书", RESPONSIBILITY, _all(_as("clerk"), OPEN)),
    ("CLK-02", "clerk", "hearing_held", "own", "allow", "记录庭审情况（庭审笔录）", RESPONSIBILITY, _all(_as("clerk"), OPEN)),
    ("CLK-03", "clerk", "note", "own", "allow", "记录书记事务", RESPONSIBILITY, _as("clerk")),
    ("CLK-04", "clerk", "interference_recorded", "own", "allow", "如实记录过问、干预案件情况", THREE_RULES, {}),
    ("CLK-N1", "clerk", "deliberated", "subordinate", "deny", "书记员不得记录合议评议意见", RESPONSIBILITY, {}),
    ("CLK-N2", "clerk", "ruling_signed", "subordinate", "deny", "书记员不得签署裁判文书", JUDGES_LAW, {}),
    *_leader_items("CHF", "division_chief", "department", "department"),
    *_leader_items("PRE", "president", "subordinate", "organisation"),
    *_leader_items("VPR", "vice_president", "organisation", "organisation"),
    ("CMO-01", "case_management", "filed", "organisation", "allow", "登记立案", RESPONSIBILITY, {}),
    ("CMO-02", "case_management", "assigned", "organisation", "allow", "随机分案、指定分案", RESPONSIBILITY, OPEN),
    ("CMO-03", "case_management", "note", "organisation", "allow", "记录审判管理事项", RESPONSIBILITY, {}),
    ("CMO-04", "case_management", "interference_recorded", "own", "allow", "如实记录过问、干预案件情况", THREE_RULES, {}),
    ("CMO-05", "case_management", "metrics_recomputed", "organisation", "allow", "重新计算本院质效指标", METRICS, {}),
    ("CMO-06", "case_management", "review_planned", "organisation", "allow", "制定评查计划、选取评查案件", REVIEW, {}),
    ("CMO-07", "case_management", "review_assigned", "organisation", "allow", "分配评查任务", REVIEW, CLOSED),
    ("CMO-08", "case_management", "review_finalised", "organisation", "allow", "评查结果审核定案", REVIEW, CLOSED),
    ("CMO-09", "case_management", "four_category_flagged", "organisation", "allow", "立案时提出“四类案件”预标识", FOUR_CATEGORY, OPEN),
    ("CMO-N1", "case_management", "ruling_signed", "subordinate", "deny", "审判管理部门不得签署裁判文书", RESPONSIBILITY, NOT_HEARD),
    ("EVA-01", "evaluator", "quality_review", "subordinate", "allow", "对已结案件开展质量评查", REVIEW, CLOSED),
    ("EVA-02", "evaluator", "interference_recorded", "own", "allow", "如实记录过问、干预案件情况", THREE_RULES, {}),
    ("EVA-N1", "evaluator", "quality_review", "subordinate", "deny", "不得评查本人参与办理的案件", REVIEW, TOOK_PART),
    ("COM-01", "committee_member", "interference_recorded", "own", "allow", "如实记录过问、干预案件情况", THREE_RULES, {}),
    ("COM-N1", "committee_member", "panel_decision_changed", "subordinate", "deny", "惩戒委员会委员不得干预案件裁判", JUDGES_LAW, {}),
    ("INS-01", "inspector", "interference_recorded", "own", "allow", "如实记录过问、干预案件情况", THREE_RULES, {}),
    ("INS-N1", "inspector", "panel_decision_changed", "subordinate", "deny", "督察人员不得干预案件裁判", THREE_RULES, {}),
    ("ADM-01", "administrator", "imported_change", "subordinate", "allow", "导入外部办案系统数据（变更留痕）", RESPONSIBILITY, {}),
    ("ADM-02", "administrator", "metrics_recomputed", "subordinate", "allow", "重新计算质效指标（运维）", METRICS, {}),
    ("ADM-N1", "administrator", "ruling_signed", "subordinate", "deny", "系统管理员不得签署裁判文书", RESPONSIBILITY, {}),
    ("ADM-N2", "administrator", "panel_decision_changed", "subordinate", "deny", "系统管理员不得改变合议庭评议意见", RESPONSIBILITY, {}),
    # Anyone may be asked about a case they do not handle: the record is about the request, not the case work.
    ("JUD-I1", "judge", "interference_recorded", "organisation", "allow", "如实记录本人收到的过问、干预本院案件情况", THREE_RULES, {}),
    ("PRO-I1", "prosecutor", "interference_recorded", "organisation", "allow", "如实记录本人收到的过问、干预本院案件情况", THREE_RULES, {}),
    ("AST-I1", "assistant", "interference_recorded", "organisation", "allow", "如实记录本人收到的过问、干预本院案件情况", THREE_RULES, {}),
    ("CLK-I1", "clerk", "interference_recorded", "organisation", "allow", "如实记录本人收到的过问、干预本院案件情况", THREE_RULES, {}),
    ("CMO-I1", "case_management", "interference_recorded", "subordinate", "allow", "如实记录本人收到的过问、干预案件情况", THREE_RULES, {}),
    ("EVA-I1", "evaluator", "interference_recorded", "subordinate", "allow", "如实记录本人收到的过问、干预案件情况", THREE_RULES, {}),
    ("COM-I1", "committee_member", "interference_recorded", "subordinate", "allow", "如实记录本人收到的过问、干预案件情况", THREE_RULES, {}),
    ("INS-I1", "inspector", "interference_recorded", "subordinate", "allow", "如实记录本人收到的过问、干预案件情况", THREE_RULES, {}),
    ("CMO-10", "case_management", "interference_report_filed", "organisation", "allow", "代部门报送过问、干预案件情况季度报告", THREE_RULES, {}),
    ("CMO-11", "case_management", "committee_outcome_recorded", "organisation", "allow", "记录审判委员会讨论决定", FOUR_CATEGORY, {}),
    ("ADM-N3", "administrator", "risk_alert_raised", "subordinate", "deny", "风险提示由系统按规则生成，不得人工录入", RESPONSIBILITY, {}),
    ("JUD-S1", "judge", "ruling_signed", "subordinate", "deny", "应当进行类案检索的案件，未附类案检索报告不得签署裁判文书", SIMILAR_CASES, SEARCH_MISSING),
    ("PRO-S1", "prosecutor", "ruling_signed", "subordinate", "deny", "应当进行类案检索的案件，未附类案检索报告不得签发法律文书", SIMILAR_CASES, SEARCH_MISSING),
    # Discipline (DOMAIN.md §9): who may act on a proceeding. The officer concerned acts by right, not by this list.
    ("INS-D1", "inspector", "discipline_lead", "subordinate", "allow", "登记惩戒线索，初步核实后予以了结或者立案调查", DISCIPLINE, {}),
    ("INS-D2", "inspector", "discipline_investigation", "subordinate", "allow", "调查核实；决定暂停履职及解除；提请惩戒委员会审议", DISCIPLINE, {}),
    ("CMO-D1", "case_management", "discipline_lead", "organisation", "allow", "移送惩戒线索（投诉、改判发回案件）", DISCIPLINE, {}),
    ("COM-D1", "committee_member", "discipline_committee", "subordinate", "allow", "惩戒委员会：通知、听证、表决、审查意见、送达，决定回避和异议", DISCIPLINE, {}),
    ("PRE-D1", "president", "discipline_decision", "organisation", "allow", "根据惩戒委员会意见作出惩戒决定和复核决定", DISCIPLINE, {}),
    ("PRE-D2", "president", "discipline_appeal_decision", "subordinate", "allow", "受理并决定下级单位干警的申诉", DISCIPLINE, {}),
    # Suspended from duty (暂停履职、停职): no case work of any kind until it is lifted.
    *[(f"{prefix}-X1", role, "any", "subordinate", "deny", "暂停履职或者停职期间不得办理案件", DISCIPLINE, SUSPENDED)
      for prefix, role in (("JUD", "judge"), ("PRO", "prosecutor"), ("AST", "assistant"), ("CLK", "clerk"),
                           ("CHF", "division_chief"), ("PRE", "president"), ("VPR", "vice_president"),
                           ("CMO", "case_management"))],
    ("AUD-N1", "auditor", "any", "subordinate", "deny", "安全审计员只查阅审计记录，不得办理案件", RESPONSIBILITY, {}),
    ("ADM-N4", "administrator", "alert_escalated", "subordinate", "deny", "督办升级由系统按时限生成，不得人工录入", FOUR_CATEGORY, {}),
    # A case's life (DOMAIN.md §11): filing, assignment, panel, recusal, archiving, appeals.
    ("FIL-01", "filing_officer", "filed", "organisation", "allow", "登记立案：对符合法律规定的起诉、自诉和申请一律接收诉状，当场登记立案", FILING, {}),
    ("FIL-02", "filing_officer", "filing_refused", "organisation", "allow", "对不符合法律规定的起诉裁定不予受理并登记在案", FILING, {}),
    ("FIL-03", "filing_officer", "assigned", "organisation", "allow", "立案后随机分案", ASSIGNMENT, OPEN),
    ("FIL-04", "filing_officer", "assignment_designated", "organisation", "allow", "按规定情形提出指定分案，报院庭长审批", ASSIGNMENT, OPEN),
    ("FIL-05", "filing_officer", "interference_recorded", "organisation", "allow", "如实记录本人收到的过问、干预案件情况", THREE_RULES, {}),
    ("FIL-N1", "filing_officer", "ruling_signed", "subordinate", "deny", "立案人员不得签署裁判文书", RESPONSIBILITY, {}),
    ("CMO-12", "case_management", "filing_refused", "organisation", "allow", "对不符合法律规定的起诉裁定不予受理并登记在案", FILING, {}),
    ("CMO-13", "case_management", "assignment_designated", "organisation", "allow", "按规定情形提出指定分案，报院庭长审批", ASSIGNMENT, OPEN),
    ("CMO-14", "case_management", "archived", "organisation", "allow", "督促结案案件按期归档", RESPONSIBILITY, CLOSED),
    *[(f"{prefix}-{number}", role, action, scope, "allow", title, basis, OPEN)
      for prefix, role, scope in (("CHF", "division_chief", "department"), ("PRE", "president", "organisation"),
                                  ("VPR", "vice_president", "organisation"))
      for number, action, title, basis in (
          ("18", "assignment_designated", "审批指定分案", ASSIGNMENT),
          ("19", "lead_changed", "审批变更承办人", ASSIGNMENT),
          ("20", "panel_formed", "确定合议庭组成人员和审判长", ASSIGNMENT),
      )],
    ("PRE-21", "president", "recusal_decided", "organisation", "allow", "决定审判人员、书记员等的回避", RECUSAL, OPEN),
    ("AST-08", "assistant", "evidence_period_set", "own", "allow", "组织举证、指定举证期限", RESPONSIBILITY, _all(_as("assistant"), OPEN)),
    ("AST-09", "assistant", "pre_trial_meeting", "own", "allow", "组织庭前会议", RESPONSIBILITY, _all(_as("assistant"), OPEN)),
    ("CLK-05", "clerk", "archived", "own", "allow", "整理卷宗、结案归档", RESPONSIBILITY, _all(_as("clerk"), CLOSED)),
    ("ADM-N5", "administrator", "appeal_outcome_recorded", "subordinate", "deny", "二审、再审结果由系统回写原审案件，不得人工录入", RESPONSIBILITY, {}),
    # Extensions the law gives to the court above (还需要延长的，报请上级人民法院批准): the president of the court
    # directly above decides; ``cases.extensions`` checks that the decider is the approver the procedure rule names.
    ("PRE-22", "president", "extension_approved", "subordinate", "allow", "审批下级法院报请的延长审限申请", EXTENSION, OPEN),
    ("PRE-23", "president", "extension_refused", "subordinate", "allow", "不批准下级法院报请的延长审限申请并说明理由", EXTENSION, OPEN),
]
# fmt: on

FIELDS = ("code", "role", "action_type", "scope", "effect", "title", "legal_basis", "conditions")


def default_items() -> list[dict[str, Any]]:
    return [dict(zip(FIELDS, row, strict=True)) for row in DEFAULT_ITEMS]


def install(power_item_model: Any, revision_model: Any) -> int:
    """Create the default items that do not exist yet (by code), each at revision 1. Used by migrations."""
    created = 0
    existing = set(power_item_model.objects.values_list("code", flat=True))
    # a role added by a later migration gets its items when that migration installs them
    roles = set(power_item_model._meta.get_field("role").related_model.objects.values_list("pk", flat=True))
    for data in default_items():
        if data["code"] in existing or data["role"] not in roles:
            continue
        role = data.pop("role")
        item = power_item_model.objects.create(role_id=role, revision=1, is_active=True, **data)
        snapshot = {**data, "role": role, "revision": 1, "is_active": True}
        revision_model.objects.create(item=item, revision=1, snapshot=snapshot, reason="default list")
        created += 1
    return created
