"""How the procuratorate joins the lower layers (connected in ``ProcuratorateConfig.ready``): its procedures'
closing methods, the facts its power-list items ask, the request kind for the procurator-general's decisions, the
check that a closing rests on a decision on file, and its section of the case page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accountability.choices import (
    ActionType,
    OrganisationKind,
    RoleCode,
    action_words_register,
    page_words_register,
    role_words_register,
)
from accountability.models import Officer
from accountability.powers import power_fact_register
from cases import events as case_events
from cases.choices import closing_methods_register, kind_procedures_register
from cases.models import Case, CaseRequest
from cases.panels import CasePanel, case_panel_register
from cases.requests import RequestKind, request_kind_register
from evaluation.metrics import metric_provider_register
from procuratorate import indicators, services, views
from procuratorate.default_procedures import CLOSING_METHODS, PROCEDURES


def _organisation_kind(officer: Officer, case: Case) -> str:
    return case.organisation.kind


def _returns(officer: Officer, case: Case) -> int:
    return services.supplementary_returns(case) if case.pk else 0


def _awaiting(officer: Officer, case: Case) -> bool:
    return services.awaiting_resubmission(case) if case.pk else False


#: The procuratorate's words for the shared roles (DOMAIN.md §1).
ROLE_WORDS = {
    RoleCode.PRESIDENT: _("Procurator-general"),
    RoleCode.VICE_PRESIDENT: _("Deputy procurator-general"),
    RoleCode.DIVISION_CHIEF: _("Department head"),
    RoleCode.ASSISTANT: _("Prosecutor assistant"),
    RoleCode.CASE_MANAGEMENT: _("Case management department"),
    RoleCode.COMMITTEE_MEMBER: _("Prosecutors' discipline committee member"),
}

#: The procuratorate's words for the shared action types a prosecutor records (the acts of PRO-01…23).
ACTION_WORDS = {
    ActionType.HEARING_SCHEDULED: _("Preparing to appear in court"),
    ActionType.HEARING_HELD: _("Appeared in court to support the prosecution"),
    ActionType.EVIDENCE_EXCHANGED: _("Evidence reviewed and opinions heard"),
    ActionType.SUSPENDED: _("Review suspended"),
    ActionType.RESUMED: _("Review resumed"),
    ActionType.DELIBERATED: _("Review opinion given"),
    ActionType.RULING_DRAFTED: _("Review report and procuratorial documents drafted"),
    ActionType.RULING_SIGNED: _("Procuratorial document issued"),
    ActionType.PRE_TRIAL_MEETING: _("Attended the court's pre-trial meeting"),
    ActionType.EVIDENCE_PERIOD_SET: _("Parties asked for further materials"),
}


#: The case page's words at a procuratorate (``{% word %}`` in the cases templates): 办案期限, not 审限; a
#: prosecutor's 办案组 led by the 主办检察官, not a panel and its presiding judge; the 检察长 decides.
PAGE_WORDS = {
    # the four categories' labels (supervision.choices.category_word)
    "May conflict with similar-case rulings": _("May conflict with similar-case decisions"),
    "Judge reported for unlawful conduct": _("Prosecutor reported for unlawful conduct"),
    "Time limit": _("Handling time limit"),
    "limit": _("handling limit"),
    "Extension of the time limit": _("Extension of the handling time limit"),
    "Ask for an extension": _("Ask for an extension of the handling time limit"),
    "Assignment and panel": _("Assignment and case team"),
    "Lead judge": _("Prosecutor in charge"),
    "lead judge": _("prosecutor in charge"),
    "Panel": _("Case team"),
    "Presiding judge": _("Leading prosecutor"),
    "presiding judge": _("leading prosecutor"),
    "Ask to change the lead judge": _("Ask to change the prosecutor in charge"),
    "New lead judge": _("New prosecutor in charge"),
    "Attach an assistant or a clerk": _("Attach a prosecutor's assistant or a clerk"),
    "Submit to the president": _("Submit to the procurator-general"),
    "Judge": _("Prosecutor"),
    "Judge named": _("Prosecutor named"),
    "Judge to designate": _("Prosecutor to designate"),
    "Form the panel": _("Form the case team"),
    "Form the panel again": _("Form the case team again"),
    "sole judge": _("sole prosecutor"),
    "Panel and team": _("Case team and support staff"),
    "Attach the assistant": _("Attach the prosecutor's assistant"),
    "Time limits at 80 percent or past": _("Handling time limits at 80 percent or past"),
    "Time limit ≥ 80 percent used": _("Handling time limit ≥ 80 percent used"),
    "Overdue": _("Past the handling time limit"),
    "Change of the lead judge": _("Change of the prosecutor in charge"),
    "Most days used": _("Most of the handling time limit used"),
    "No statutory limit": _("No statutory handling time limit"),
    "Court president": _("Procurator-general of this procuratorate"),
    "judge or prosecutor": _("prosecutor member"),
    "Extension": _("Extension of the handling time limit"),
    "Closed within its time limit": _("Closed within its handling time limit"),
    "No statutory time limit recorded.": _("No statutory handling time limit recorded."),
    "The time limit of this kind of case cannot be extended.": _(
        "The handling time limit of this kind of case cannot be extended."
    ),
    "The time limit has been extended as far as the law allows.": _(
        "The handling time limit has been extended as far as the law allows."
    ),
    "Members (the lead judge among them; an odd number, at least three, or the lead judge alone on the summary "
    "track)": _("Members (the prosecutor in charge among them)"),
    "Four-category cases and risk alerts in your scope, most urgent first. Supervise in the open: every act below "
    "is written into the case's trace. You cannot change the panel's decision or sign its ruling.": _(
        "Major cases and risk alerts in your scope, most urgent first. Supervise in the open: every act below is "
        "written into the case's trace. You cannot change the prosecutor's decision within his authority or sign "
        "his documents for him."
    ),
    "Refer to the judges' meeting or the adjudication committee": _(
        "Refer to the prosecutors' joint meeting or the procuratorial committee"
    ),
    "No time limit is near its end.": _("No handling time limit is near its end."),
    "Tasks from leaders": _("Tasks from the procurator-general or the department head"),
    "No task from a leader.": _("No task from the procurator-general or the department head."),
    "Log hearings, deliberations, service and rulings on your cases; each action is checked against the power list.": _(
        "Log reviews, returns for supplementary investigation, appearances in court and documents on your cases; "
        "each action is checked against the power list."
    ),
}


def connect() -> None:
    page_words_register(OrganisationKind.PROCURATORATE, PAGE_WORDS)
    role_words_register(OrganisationKind.PROCURATORATE, ROLE_WORDS)
    action_words_register(OrganisationKind.PROCURATORATE, ACTION_WORDS)
    metric_provider_register(indicators.PROVIDER)
    for procedure, methods in CLOSING_METHODS.items():
        closing_methods_register(procedure, methods)
    kind_procedures_register(OrganisationKind.PROCURATORATE, PROCEDURES)
    power_fact_register("case.organisation_kind", _organisation_kind, about="case")
    power_fact_register("case.supplementary_returns", _returns, about="case")
    power_fact_register("case.awaiting_resubmission", _awaiting, about="case")
    case_events.case_closing.connect(services.on_case_closing, dispatch_uid="procuratorate.on_case_closing")
    request_kind_register(
        RequestKind(
            kind=CaseRequest.Kind.CHIEF_DECISION,
            # every procurator-general and deputy may decline in writing: the inbox is theirs; approving asks the
            # item of the matter itself when they decide
            decision_type=ActionType.CHIEF_DECISION_REFUSED,
            decide=services.chief_decision_decide,
            form_template="procuratorate/_request_chief_fields.html",
            organisation_kinds=(OrganisationKind.PROCURATORATE,),
        )
    )
    case_panel_register(
        CasePanel(
            name="procuratorate.decisions",
            template="procuratorate/_case_panel.html",
            order=12,
            action_types=views.PANEL_ACTION_TYPES,
            context=views.case_panel,
        )
    )
