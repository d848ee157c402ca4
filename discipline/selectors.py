"""Who may see which proceeding: object permissions (django-guardian), granted by the services to the
inspectors handling it, the committee members assigned, the deciders when it reaches them, and the officer
concerned. Anyone else gets the same 404 as for a proceeding that does not exist. No superuser bypass."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from accountability.errors import NotFound
from accountability.selectors import officer_for_user
from discipline.choices import Outcome
from discipline.models import Challenge, Lead, Proceeding, Sanction


def proceedings_visible_to(user: Any) -> QuerySet[Proceeding]:
    if not getattr(user, "is_authenticated", False) or officer_for_user(user) is None:
        return Proceeding.objects.none()
    return get_objects_for_user(
        user, "discipline.view_proceeding", klass=Proceeding, accept_global_perms=False, with_superuser=False
    ).select_related("officer", "organisation")


def proceeding_get_for_user(user: Any, *, public_id: Any) -> Proceeding:
    proceeding = proceedings_visible_to(user).filter(public_id=public_id).first()
    if proceeding is None:
        raise NotFound("No such proceeding.")
    return proceeding


def my_proceedings(user: Any) -> QuerySet[Proceeding]:
    """The proceedings concerning the user themselves (their own view)."""
    officer = officer_for_user(user)
    if officer is None:
        return Proceeding.objects.none()
    return Proceeding.objects.filter(officer=officer).select_related("organisation")


def leads_visible_to(user: Any) -> QuerySet[Lead]:
    """The lead register: inspectors (and the case-management office, for their court) see the leads about the
    officers of their organisation and those below it. The officers concerned do not see a lead until it opens."""
    officer = officer_for_user(user)
    if officer is None or not {"inspector", "case_management"} & set(officer.role_codes):
        return Lead.objects.none()
    leads = Lead.objects.select_related("officer__organisation").exclude(officer=officer)
    if "inspector" in officer.role_codes:
        return leads.filter(officer__organisation__path__startswith=officer.organisation.path)
    return leads.filter(officer__organisation=officer.organisation)


def lead_get_for_user(user: Any, *, public_id: Any) -> Lead:
    lead = leads_visible_to(user).filter(public_id=public_id).first()
    if lead is None:
        raise NotFound("No such lead.")
    return lead


def sees_named_votes(user: Any, proceeding: Proceeding) -> bool:
    """Who voted how is for the committee members assigned and the inspectors; the officer concerned (and the
    deciders) see the opinion, its reasoning and the count of votes, not the names beside them."""
    officer = officer_for_user(user)
    if officer is None or officer.pk == proceeding.officer_id:
        return False
    if "inspector" in officer.role_codes:
        return True
    return proceeding.members.filter(officer=officer).exists()


@dataclass
class ProceedingRecord:
    """A proceeding as its documents state it: the recorded dates (the day each step happened, local time), the
    sanction first decided, each review or appeal outcome with its date, and the sanction in force at the end."""

    dates: dict[str, dt.date] = field(default_factory=dict)
    first: Sanction | None = None
    final: Sanction | None = None
    outcomes: list[Challenge] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """A review or an appeal changed or revoked the sanction first decided."""
        return any(c.outcome in (Outcome.CHANGED, Outcome.REVOKED) for c in self.outcomes)

    @property
    def final_on(self) -> dt.date | None:
        """The day the decision took its final form: the last review or appeal decided, else the decision."""
        decided = [timezone.localdate(c.decided_at) for c in self.outcomes if c.decided_at]
        return decided[-1] if decided else self.dates.get("decided")


def proceeding_record(proceeding: Proceeding) -> ProceedingRecord:
    """Read from the proceeding's trace and registers (three queries): the first day of each kind of event."""
    record = ProceedingRecord()
    for kind, occurred_at in proceeding.events.order_by("seq").values_list("kind", "occurred_at"):
        record.dates.setdefault(kind, timezone.localdate(occurred_at))
    sanctions = list(proceeding.sanctions.order_by("pk"))
    record.first = next((s for s in sanctions if s.source == "decision"), None)
    record.final = next((s for s in reversed(sanctions) if s.superseded_by_id is None), None)
    record.outcomes = list(proceeding.challenges.exclude(outcome="").order_by("decided_at", "pk"))
    return record
