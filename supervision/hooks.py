"""What supervision hooks into the layers below: event receivers, power facts, case-page panels and my-cases tabs;
connected in ``SupervisionConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accountability import outbox
from accountability.choices import ActionType
from accountability.models import Officer
from accountability.powers import power_fact_register
from cases import events as case_events
from cases.models import Action, Case
from cases.panels import CasePanel, PanelRequest, case_panel_register
from cases.selectors import CaseFilter, case_filter_register
from supervision.choices import AlertFamily, TaskKind, referral_bodies
from supervision.models import Situation
from supervision.selectors import case_open_flags, case_referrals, flagged, four_category_flags, open_tasks
from supervision.services import DETECTION_TRIGGERS, tasks_complete
from supervision.tasks import detect_case


def on_action_recorded(*, case: Case, action: Action, **kwargs: Any) -> None:
    """Inside the writer's transaction: a similar-case search completes the search tasks it fulfils; an event
    that changes the rules' facts has Celery evaluate the automatic rules on the case again, after commit."""
    if action.action_type == ActionType.SIMILAR_CASE_SEARCH:
        tasks_complete(case=case, kind=TaskKind.SIMILAR_SEARCH, action=action)
    if action.action_type in DETECTION_TRIGGERS:
        outbox.enqueue(detect_case, case.pk)


def is_four_category(officer: Officer, case: Case) -> bool:
    """``case.is_four_category``: a four-category flag is pending or confirmed on the case."""
    return case.pk is not None and four_category_flags().filter(case=case).exists()


def alerts_panel(request: PanelRequest) -> dict[str, Any]:
    return {
        "flags": case_open_flags(request.case),
        "may_flag": request.allowed(ActionType.FOUR_CATEGORY_FLAGGED),
        "may_decide_flags": request.allowed(ActionType.FOUR_CATEGORY_CONFIRMED),
        "kind": request.case.organisation.kind,
        "situations": [
            situation
            for situation in Situation.objects.filter(is_active=True, family=AlertFamily.FOUR_CATEGORY).order_by(
                "category", "code"
            )
            if situation.applies_to(request.case.organisation.kind)
        ],
    }


def supervision_panel(request: PanelRequest) -> dict[str, Any]:
    return {
        "tasks": open_tasks(request.case),
        "referrals": case_referrals(request.case),
        "may_supervise": request.allowed(ActionType.SUPERVISION_COMMENT),
        "may_record_outcome": request.allowed(ActionType.COMMITTEE_OUTCOME_RECORDED),
        "bodies": referral_bodies(request.case.organisation.kind),
    }


def connect() -> None:
    case_events.action_recorded.connect(on_action_recorded, dispatch_uid="supervision.on_action_recorded")
    power_fact_register("case.is_four_category", is_four_category, about="case")
    case_filter_register(CaseFilter("four_category", _("Four-category"), 40, lambda today: Q(flagged())))
    case_panel_register(
        CasePanel(
            name="supervision.alerts",
            template="supervision/_case_alerts.html",
            order=20,
            action_types=(
                ActionType.FOUR_CATEGORY_FLAGGED,
                ActionType.FOUR_CATEGORY_CONFIRMED,
                ActionType.FOUR_CATEGORY_DISMISSED,
            ),
            context=alerts_panel,
        )
    )
    case_panel_register(
        CasePanel(
            name="supervision.acts",
            template="supervision/_case_supervision.html",
            order=40,
            action_types=(ActionType.SUPERVISION_COMMENT, ActionType.COMMITTEE_OUTCOME_RECORDED),
            context=supervision_panel,
        )
    )
