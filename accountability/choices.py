"""Fixed vocabularies shared by every app (codes are the contract's; labels are for people)."""

from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    COURT = "court", _("Court")
    PROCURATORATE = "procuratorate", _("Procuratorate")


class OrganisationLevel(models.TextChoices):
    SUPREME = "supreme", _("Supreme")
    HIGH = "high", _("High")
    INTERMEDIATE = "intermediate", _("Intermediate")
    BASIC = "basic", _("Basic")


class RoleCode(models.TextChoices):
    JUDGE = "judge", _("Judge")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    ASSISTANT = "assistant", _("Judge/prosecutor assistant")
    CLERK = "clerk", _("Clerk")
    PRESIDENT = "president", _("President")
    VICE_PRESIDENT = "vice_president", _("Vice president")
    DIVISION_CHIEF = "division_chief", _("Division chief")
    CASE_MANAGEMENT = "case_management", _("Case-management office")
    EVALUATOR = "evaluator", _("Evaluator")
    COMMITTEE_MEMBER = "committee_member", _("Discipline committee member")
    INSPECTOR = "inspector", _("Inspector")
    ADMINISTRATOR = "administrator", _("Administrator")
    AUDITOR = "auditor", _("Security auditor")
    FILING_OFFICER = "filing_officer", _("Filing officer")


LEADER_ROLES = frozenset({RoleCode.PRESIDENT, RoleCode.VICE_PRESIDENT, RoleCode.DIVISION_CHIEF})
CASE_HANDLER_ROLES = frozenset({RoleCode.JUDGE, RoleCode.PROSECUTOR})


class Post(models.TextChoices):
    PRESIDENT = "president", _("President")
    VICE_PRESIDENT = "vice_president", _("Vice president")
    DIVISION_CHIEF = "division_chief", _("Division chief")
    NONE = "none", _("None")


class PowerScope(models.TextChoices):
    OWN = "own", _("Own cases")
    DEPARTMENT = "department", _("Department")
    ORGANISATION = "organisation", _("Organisation")
    SUBORDINATE = "subordinate", _("Organisation and subordinate organisations")


class PowerEffect(models.TextChoices):
    ALLOW = "allow", _("Positive list (may do)")
    DENY = "deny", _("Negative list (must not do)")


class Participation(models.TextChoices):
    LEAD = "lead", _("Lead officer")
    PANEL = "panel", _("Panel member")
    ASSISTANT = "assistant", _("Assistant")
    CLERK = "clerk", _("Clerk")


class ActionType(models.TextChoices):
    # The 17 types of INTERCHANGE.md's actions.csv, in its order.
    FILED = "filed", _("Filed")
    ASSIGNED = "assigned", _("Assigned")
    HEARING_SCHEDULED = "hearing_scheduled", _("Hearing scheduled")
    HEARING_HELD = "hearing_held", _("Hearing held")
    EVIDENCE_EXCHANGED = "evidence_exchanged", _("Evidence exchanged")
    SUSPENDED = "suspended", _("Suspended")
    RESUMED = "resumed", _("Resumed")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Extension approved")
    DELIBERATED = "deliberated", _("Deliberated")
    RULING_DRAFTED = "ruling_drafted", _("Ruling drafted")
    RULING_SIGNED = "ruling_signed", _("Ruling signed")
    SERVED = "served", _("Documents served")
    CLOSED = "closed", _("Closed")
    RETURNED_FOR_SUPPLEMENTARY_INVESTIGATION = (
        "returned_for_supplementary_investigation",
        _("Returned for supplementary investigation"),
    )
    # A procuratorate's decisions (DOMAIN.md §13): each is a power-list action type, so the procuratorate's
    # authorisation table says who decides it (a prosecutor alone, or the procurator-general in writing).
    INVESTIGATION_RESUBMITTED = "investigation_resubmitted", _("Resubmitted after supplementary investigation")
    CHIEF_DECISION_REQUESTED = "chief_decision_requested", _("Matter submitted to the procurator-general")
    CHIEF_DECISION_REFUSED = "chief_decision_refused", _("Procurator-general declined the submitted matter")
    ARREST_APPROVED = "arrest_approved", _("Arrest approved")
    ARREST_NOT_APPROVED = "arrest_not_approved", _("Arrest not approved")
    PROSECUTION_DECIDED = "prosecution_decided", _("Decision to prosecute")
    NON_PROSECUTION_DECIDED = "non_prosecution_decided", _("Decision not to prosecute")
    PROTEST_DECIDED = "protest_decided", _("Decision to lodge a protest")
    PROSECUTION_WITHDRAWN = "prosecution_withdrawn", _("Decision to withdraw the prosecution")
    PUBLIC_INTEREST_SUIT_DECIDED = "pil_suit_decided", _("Decision to bring a public interest suit")
    PROCURATORIAL_SUGGESTION = "procuratorial_suggestion", _("Procuratorial suggestion issued")
    PROSECUTION_FACTS_RECORDED = "prosecution_facts_recorded", _("Custody, plea and sentencing facts recorded")
    SIMILAR_CASE_SEARCH = "similar_case_search", _("Similar-case search")
    NOTE = "note", _("Note")
    # Types the system itself records.
    IMPORTED_CHANGE = "imported_change", _("Imported change")
    EXTENSION_REFUSED = "extension_refused", _("Extension refused")
    # Supervision (DOMAIN.md §4).
    SUPERVISION_COMMENT = "supervision_comment", _("Written supervision comment")
    PROGRESS_REPORT_REQUIRED = "progress_report_required", _("Progress report required")
    SIMILAR_SEARCH_REQUIRED = "similar_search_required", _("Similar-case search required")
    REFERRED_TO_COMMITTEE = "referred_to_committee", _("Referred to judges' meeting or committee")
    PANEL_DECISION_CHANGED = "panel_decision_changed", _("Panel decision changed")
    # Evaluation and integrity.
    QUALITY_REVIEW = "quality_review", _("Quality review")
    METRICS_RECOMPUTED = "metrics_recomputed", _("Metrics recomputed")
    REVIEW_PLANNED = "review_planned", _("Case selected for review")
    REVIEW_ASSIGNED = "review_assigned", _("Review assigned")
    REVIEW_RESPONDED = "review_responded", _("Officer responded to review")
    REVIEW_FINALISED = "review_finalised", _("Review finalised")
    # Four-category supervision (四类案件): pre-flag, then confirm or dismiss.
    FOUR_CATEGORY_FLAGGED = "four_category_flagged", _("Flagged as a four-category case")
    FOUR_CATEGORY_CONFIRMED = "four_category_confirmed", _("Four-category flag confirmed")
    FOUR_CATEGORY_DISMISSED = "four_category_dismissed", _("Four-category flag dismissed")
    INTERFERENCE_RECORDED = "interference_recorded", _("Interference recorded")
    # Supervision follow-up and alerts (DOMAIN.md §4).
    PROGRESS_REPORTED = "progress_reported", _("Progress reported to the supervising leader")
    COMMITTEE_OUTCOME_RECORDED = "committee_outcome_recorded", _("Outcome of the judges' meeting or committee")
    RISK_ALERT_RAISED = "risk_alert_raised", _("Risk alert raised")
    ALERT_ESCALATED = "alert_escalated", _("Alert escalated")
    INTERFERENCE_REPORT_FILED = "interference_report_filed", _("Quarterly interference report filed")
    # Discipline (DOMAIN.md §9): powers over proceedings, never actions on a case.
    DISCIPLINE_LEAD = "discipline_lead", _("Discipline lead registered or reviewed")
    DISCIPLINE_INVESTIGATION = "discipline_investigation", _("Discipline investigation: suspension, referral")
    DISCIPLINE_COMMITTEE = "discipline_committee", _("Discipline committee act")
    DISCIPLINE_DECISION = "discipline_decision", _("Discipline decision or review decision")
    DISCIPLINE_APPEAL_DECISION = "discipline_appeal_decision", _("Discipline appeal decision")
    # A case's life (DOMAIN.md §11): filing, assignment, process nodes, closing, archiving, appeals.
    FILING_REFUSED = "filing_refused", _("Filing refused")
    ASSIGNMENT_DESIGNATED = "assignment_designated", _("Designated assignment")
    LEAD_CHANGE_REQUESTED = "lead_change_requested", _("Change of the lead judge requested")
    LEAD_CHANGED = "lead_changed", _("Lead judge changed")
    PANEL_FORMED = "panel_formed", _("Panel formed")
    PARTICIPANT_ATTACHED = "participant_attached", _("Assistant or clerk attached")
    RECUSAL_REQUESTED = "recusal_requested", _("Recusal requested")
    RECUSAL_DECIDED = "recusal_decided", _("Recusal decided")
    PRE_TRIAL_MEETING = "pre_trial_meeting", _("Pre-trial meeting held")
    EVIDENCE_PERIOD_SET = "evidence_period_set", _("Period for evidence set")
    ARCHIVED = "archived", _("Archived")
    APPEAL_OUTCOME_RECORDED = "appeal_outcome_recorded", _("Outcome on appeal or retrial recorded")
    # Deliberation bodies (专业法官会议, 审判委员会, 检察官联席会议, 检察委员会).
    MEETING_CONVENED = "meeting_convened", _("Judges' meeting or committee convened")
    DEPARTED_FROM_OPINION = "departed_from_opinion", _("Panel departed from the meeting's advisory opinion")
    RESOLUTION_FOLLOWED_UP = "resolution_followed_up", _("Committee resolution followed up")
    # Performance assessment (业绩考核): proposal, signature, contest and its decision.
    ASSESSMENT_PROPOSED = "assessment_proposed", _("Assessment grade proposed")
    ASSESSMENT_SIGNED = "assessment_signed", _("Assessment signed")
    ASSESSMENT_CONTESTED = "assessment_contested", _("Assessment contested")
    ASSESSMENT_CONTEST_DECIDED = "assessment_contest_decided", _("Contest of an assessment decided")
    #: Matches every action on a case: for negative items such as "no case work while suspended".
    ANY = "any", _("Any action on a case")


def role_code_choices() -> list[tuple[str, str]]:
    """``choices=role_code_choices`` on the role's code: a new role writes no migration re-listing every role."""
    return RoleCode.choices


def action_type_choices() -> list[tuple[str, str]]:
    """``choices=action_type_choices`` on a field holding an ``ActionType`` (the power list's items, a case's
    actions): Django 5 keeps a callable in the migration by reference, so adding a type to ``ActionType`` no
    longer writes a migration that re-lists every type. Validation and forms still see the current members."""
    return ActionType.choices


#: The action types an import file may carry (INTERCHANGE.md).
IMPORTABLE_ACTION_TYPES = frozenset(
    [
        "filed",
        "assigned",
        "hearing_scheduled",
        "hearing_held",
        "evidence_exchanged",
        "suspended",
        "resumed",
        "extension_requested",
        "extension_approved",
        "deliberated",
        "ruling_drafted",
        "ruling_signed",
        "served",
        "closed",
        "returned_for_supplementary_investigation",
        "similar_case_search",
        "note",
    ]
)


#: Role words by organisation kind (DOMAIN.md §1): a court's 院长 is a procuratorate's 检察长. The court's words are the
#: kernel's; the app that owns another kind registers its own (``role_words_register`` in its ``AppConfig.ready``). A
#: role with no word of its kind keeps its own label.
_ROLE_WORDS: dict[str, dict[str, Any]] = {
    OrganisationKind.COURT: {
        RoleCode.ASSISTANT: _("Judge assistant"),
        RoleCode.DIVISION_CHIEF: _("Division chief of a court"),
        RoleCode.CASE_MANAGEMENT: _("Trial management office"),
        RoleCode.COMMITTEE_MEMBER: _("Judges' discipline committee member"),
    }
}


def role_words_register(kind: str, words: dict[str, Any]) -> None:
    _ROLE_WORDS.setdefault(kind, {}).update(words)


def role_label(code: str, kind: str | None = None) -> Any:
    """The role's word at an organisation of ``kind`` (its own label without a kind or a word)."""
    return _ROLE_WORDS.get(kind or "", {}).get(code) or RoleCode(code).label


#: Action words by organisation kind: the same power-list action type is a court's 开庭审理 and a procuratorate's
#: 出席法庭支持公诉. Registered like the role words; an action with no word of its kind keeps its own label.
_ACTION_WORDS: dict[str, dict[str, Any]] = {}


def action_words_register(kind: str, words: dict[str, Any]) -> None:
    _ACTION_WORDS.setdefault(kind, {}).update(words)


def action_label(code: str, kind: str | None = None) -> Any:
    """The action type's word at an organisation of ``kind`` (its own label without a kind or a word)."""
    return _ACTION_WORDS.get(kind or "", {}).get(code) or ActionType(code).label


#: The interface's words by organisation kind, keyed by the court's English message: a court's 审限 is a
#: procuratorate's 办案期限, its 合议庭 a procuratorate's 办案组. Pages say ``{% word "Time limit" kind %}``
#: (``accountability.templatetags.quanze_words``); a message with no word of the kind is translated as usual.
_PAGE_WORDS: dict[str, dict[str, Any]] = {
    OrganisationKind.COURT: {"judge or prosecutor": _("judge member")},  # a committee member from the bench
}


def page_words_register(kind: str, words: dict[str, Any]) -> None:
    _PAGE_WORDS.setdefault(kind, {}).update(words)


def page_word(message: str, kind: str | None = None) -> Any:
    """``message`` in the words of an organisation of ``kind``: its registered word, or the message translated."""
    return _PAGE_WORDS.get(kind or "", {}).get(message) or gettext(message)
