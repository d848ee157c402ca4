"""What similar hooks into the layers below: event receivers, power facts, case-page panels and my-cases tabs;
connected in ``SimilarConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from accountability.choices import ActionType
from accountability.models import Officer
from accountability.powers import power_fact_register
from cases import events as case_events
from cases.models import Action, Case
from cases.panels import CasePanel, PanelRequest, case_panel_register
from similar.models import Deviation
from similar.selectors import has_report, pushed, report_required, report_required_reasons, reports_of
from similar.services import index_cases
from supervision import rules as supervision_rules


def on_case_closed(*, case: Case, action: Action, **kwargs: Any) -> None:
    """A decided case with text becomes searchable as it closes."""
    index_cases([case.pk])


def requires_search_report(officer: Officer, case: Case) -> bool:
    return case.pk is not None and report_required(case)


def has_search_report(officer: Officer, case: Case) -> bool:
    return case.pk is not None and has_report(case)


def search_panel(request: PanelRequest) -> dict[str, Any]:
    return {
        "may_search": request.allowed(ActionType.SIMILAR_CASE_SEARCH),
        "search_required": report_required_reasons(request.case),
        "search_reports": reports_of(request.case),
    }


def push_panel(request: PanelRequest) -> dict[str, Any]:
    """类案推送: the stored most similar cases, as the viewer may see them (two reads, nothing computed here)."""
    return {
        "push": pushed(officer=request.officer, case=request.case),
        "may_search": request.allowed(ActionType.SIMILAR_CASE_SEARCH),
    }


def outcome_deviates(today: Any) -> Exists:
    """Supervision's rule fact ``case.outcome_deviates``: the case's outcome lies outside its similar cases."""
    return Exists(Deviation.objects.filter(case=OuterRef("pk"), outside=True))


def connect() -> None:
    # A fact supervision's rules may test (situation RP-SIM)
    supervision_rules.register_field("case.outcome_deviates", _("ruling outside its similar cases"), outcome_deviates)
    case_events.case_closed.connect(on_case_closed, dispatch_uid="similar.on_case_closed")
    power_fact_register("case.requires_search_report", requires_search_report, about="case")
    power_fact_register("case.has_search_report", has_search_report, about="case")
    case_panel_register(
        CasePanel(
            name="similar.reports",
            template="similar/_case_similar.html",
            order=30,
            action_types=(ActionType.SIMILAR_CASE_SEARCH,),
            context=search_panel,
        )
    )
    case_panel_register(
        CasePanel(
            name="similar.push",
            template="similar/_case_push.html",
            order=31,
            action_types=(ActionType.SIMILAR_CASE_SEARCH,),
            context=push_panel,
        )
    )
