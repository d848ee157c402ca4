"""The deliberation bodies through the API: convene, open, opinions in turn (out of turn: 409 naming the next
speaker), the resolution, and reads refused as 404 outside the circle of readers."""

from __future__ import annotations

from django.utils import timezone

from deliberation.models import AgendaItem, Meeting
from supervision import services as supervision
from tests.conftest import client_for
from tests.test_deliberation import _flagged, bodies  # noqa: F401 - the fixture


def test_a_committee_meeting_through_the_api(world, bodies):  # noqa: F811
    case = _flagged(world)
    supervision.referral_create(actor=world.president, case=case, body="adjudication_committee", reason="院长决定")
    item = AgendaItem.objects.get(case=case)
    president = client_for(world.president)

    refused = client_for(world.judge).post(
        "/api/deliberation/meetings/",
        {"body": bodies.committee.pk, "scheduled_for": timezone.now().isoformat(), "items": [str(item.public_id)]},
        format="json",
    )
    assert refused.status_code == 403
    bad = president.post("/api/deliberation/meetings/", {"body": bodies.committee.pk, "items": []}, format="json")
    assert (bad.status_code, sorted(bad.json()["details"])) == (400, ["items", "scheduled_for"])
    made = president.post(
        "/api/deliberation/meetings/",
        {"body": bodies.committee.pk, "scheduled_for": timezone.now().isoformat(), "items": [str(item.public_id)]},
        format="json",
    )
    assert made.status_code == 201
    meeting = Meeting.objects.get(public_id=made.json()["id"])
    base = f"/api/deliberation/meetings/{meeting.public_id}/"

    no_quorum = president.post(base + "open/", {"present": [world.president.pk]}, format="json")
    assert (no_quorum.status_code, no_quorum.json()["details"]["needed"]) == (409, 3)
    present = [world.president.pk, bodies.m1.pk, world.chief.pk, world.judge2.pk]
    opened = president.post(base + "open/", {"present": present}, format="json")
    assert opened.json()["status"] == "in_session"
    assert opened.json()["items"][0]["recused"] == [world.judge2.officer_id]

    out_of_turn = client_for(world.chief).post(
        base + f"items/{item.public_id}/opinion/", {"text": "先说", "vote": "for"}, format="json"
    )
    assert (out_of_turn.status_code, out_of_turn.json()["details"]) == (409, {"next_speaker": bodies.m1.pk})
    bad_vote = client_for(bodies.m1).post(
        base + f"items/{item.public_id}/opinion/", {"text": "意见", "vote": "maybe"}, format="json"
    )
    assert (bad_vote.status_code, list(bad_vote.json()["details"])) == (400, ["vote"])
    for officer in (bodies.m1, world.chief, world.president):
        given = client_for(officer).post(
            base + f"items/{item.public_id}/opinion/", {"text": "同意", "vote": "for"}, format="json"
        )
        assert given.status_code == 201, given.json()
    resolved = president.post(base + f"items/{item.public_id}/resolve/", {"resolution": "决定"}, format="json")
    assert (resolved.json()["binding"], resolved.json()["votes"]) == (True, {"for": 3, "against": 0, "abstain": 0})
    assert [o["officer"] for o in resolved.json()["opinions"]] == [
        bodies.m1.officer_id,
        world.chief.officer_id,
        world.president.officer_id,
    ]

    assert client_for(world.judge).get(base).status_code == 404
    assert client_for(world.other_chief).get(base).status_code == 404
    assert client_for(world.inspector).get(base).json()["chain_intact"] is True
    assert [m["id"] for m in client_for(world.judge).get("/api/deliberation/meetings/").json()] == []
    follow_ups = client_for(world.judge).get("/api/deliberation/follow-ups/").json()  # the lead judge's own case
    assert [(f["case"], f["status"]) for f in follow_ups] == [(case.case_number, "open")]


def test_the_meeting_list_costs_the_same_queries_for_one_meeting_or_three(world, bodies):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    president = client_for(world.president)

    def convene_one():
        case = _flagged(world)
        supervision.referral_create(actor=world.president, case=case, body="adjudication_committee", reason="决定")
        item = AgendaItem.objects.get(case=case)
        president.post(
            "/api/deliberation/meetings/",
            {"body": bodies.committee.pk, "scheduled_for": timezone.now().isoformat(), "items": [str(item.public_id)]},
            format="json",
        )

    counts = []
    for wanted in (1, 3):
        while Meeting.objects.count() < wanted:
            convene_one()
        with CaptureQueriesContext(connection) as queries:
            listed = president.get("/api/deliberation/meetings/").json()
        assert len(listed) == wanted
        counts.append(len(queries))
    assert counts[0] == counts[1]
