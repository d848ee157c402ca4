"""The demo's deliberation bodies: both bodies with members at the demo court, and a meeting in every state."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accountability.models import Officer
from deliberation import selectors, services
from deliberation.models import AgendaItem, Body, FollowUp, Meeting

pytestmark = pytest.mark.django_db


def test_the_demo_has_both_bodies_with_members_and_a_meeting_in_every_state(
    settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--cases-per-court", "60")
    court_bodies = Body.objects.filter(organisation__code="SH0101")
    kinds = set(court_bodies.values_list("kind", "field"))
    assert {("judges_meeting", "civil"), ("adjudication_committee", "")} <= kinds
    for body in court_bodies:
        assert body.memberships.filter(is_presiding=True).count() == 1, body.name
    assert set(Meeting.objects.values_list("status", flat=True)) == {"scheduled", "in_session", "concluded", "signed"}
    assert AgendaItem.objects.filter(status="pending").exists()
    assert FollowUp.objects.filter(status="open", overdue_notified_at__isnull=False).exists()
    assert AgendaItem.objects.exclude(departure_reason="").exists()
    assert services.verify_all() == []
    # someone at the demo court has an opinion to give on their page
    turns = [
        selectors.member_desk(Officer.objects.get(officer_id=login).user).my_turn for login in ("chief1", "president1")
    ]
    assert any(turns)
