"""What discipline hooks into the layers below: event receivers, power facts, case-page panels and my-cases tabs;
connected in ``DisciplineConfig.ready``. The processes below that find leads (线索) tell
discipline by events; the power list asks it whether an officer is suspended or dismissed."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from accountability.models import Department, Officer
from accountability.powers import power_facts_register
from cases import events as case_events
from cases.choices import Outcome
from cases.models import Action, Case
from discipline.choices import LeadSource
from discipline.services import lead_register, officer_standing
from interference import events as interference_events
from interference.models import InterferenceRecord
from supervision import events as supervision_events
from supervision.choices import FlagStatus, FourCategory
from supervision.models import Flag


def on_case_closed(*, case: Case, action: Action, **kwargs: Any) -> None:
    """改判、发回: a case amended or remanded on appeal is a lead about the first-instance judge, for preliminary
    review, not a finding."""
    if case.outcome not in (Outcome.AMENDED, Outcome.REMANDED) or not case.original_case_id:
        return
    original = Case.objects.select_related("lead_officer").get(pk=case.original_case_id)
    if original.lead_officer_id:
        lead_register(
            actor=None,
            officer=original.lead_officer,
            source=LeadSource.REVERSED_CASE,
            origin={"case": case.case_number},
            summary=_("Case %(original)s was %(outcome)s on appeal in %(case)s.")
            % {"original": original.case_number, "outcome": Outcome(case.outcome).label, "case": case.case_number},
        )


def on_flag_decided(*, flag: Flag, case: Case, **kwargs: Any) -> None:
    """A confirmed report of unlawful judging (the fourth category) is a lead about the case's lead judge."""
    if flag.status != FlagStatus.CONFIRMED or flag.situation.category != FourCategory.REPORTED:
        return
    if case.lead_officer_id:
        lead_register(
            actor=None,
            officer=case.lead_officer,
            source=LeadSource.SUPERVISION,
            origin={"flag": str(flag.public_id)},
            summary=_("Confirmed on case %(case)s: %(situation)s")
            % {"case": case.case_number, "situation": flag.situation.title},
        )


def on_officer_named(*, record: InterferenceRecord, **kwargs: Any) -> None:
    """An officer who asked about a case: a lead for the inspectors (the origin names the record, not who
    recorded it)."""
    lead_register(
        actor=None,
        officer=record.person_officer,
        source=LeadSource.INTERFERENCE,
        origin={"interference_record": record.seq},
        summary=_("An interference record (no. %(seq)s) names this officer as having asked about a case.")
        % {"seq": record.seq},
    )


def on_report_missing(*, department: Department, year: int, quarter: int, **kwargs: Any) -> None:
    """A failure to report is a lead about the department's chief (once: the same origin is the same lead)."""
    for chief in Officer.objects.filter(department=department, roles__code="division_chief").distinct():
        lead_register(
            actor=None,
            officer=chief,
            source=LeadSource.INTERFERENCE,
            origin={"missing_report": f"{department.organisation.code}/{department.code}/{year}Q{quarter}"},
            summary=_("The quarterly interference report of %(dept)s for %(year)s Q%(q)s was not filed.")
            % {"dept": department.name, "year": year, "q": quarter},
        )


def connect() -> None:
    case_events.case_closed.connect(on_case_closed, dispatch_uid="discipline.on_case_closed")
    supervision_events.flag_decided.connect(on_flag_decided, dispatch_uid="discipline.on_flag_decided")
    interference_events.officer_named.connect(on_officer_named, dispatch_uid="discipline.on_officer_named")
    interference_events.report_missing.connect(on_report_missing, dispatch_uid="discipline.on_report_missing")
    power_facts_register(("actor.suspended", "actor.dismissed"), officer_standing, about="actor")
