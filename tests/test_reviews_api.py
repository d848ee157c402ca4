"""Reviews through the API: the same services, scoped reads, the performance file."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from evaluation.models import Review
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2025, 3, 10, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def review(world):
    case = world.case(closed_on=dt.date(2024, 6, 1), closing_method="judgment")
    return Review.objects.create(case=case, officer=world.judge, reason="抽查")


def test_review_path_through_the_api(world, review):
    url = f"/api/reviews/{review.public_id}/"
    with time_machine.travel(TODAY, tick=False):
        filing = client_for(world.filing)
        assigned = filing.post(url + "assign/", {"evaluator": "evaluator"}, format="json")
        assert (assigned.status_code, assigned.json()["status"]) == (200, "assigned")
        evaluator = client_for(world.evaluator)
        bad = evaluator.post(url + "grade/", {"grade": "flawed", "defects": [{"code": "NOPE"}]}, format="json")
        assert (bad.status_code, list(bad.json()["details"])) == (400, ["defects"])
        graded = evaluator.post(
            url + "grade/",
            {"grade": "flawed", "defects": [{"code": "WS-04", "note": "错别字"}], "summary": "文字错误"},
            format="json",
        )
        body = graded.json()
        assert (graded.status_code, body["grade"], body["defects"][0]["code"], body["defects"][0]["points"]) == (
            200,
            "flawed",
            "WS-04",
            "1.0",
        )
        judge = client_for(world.judge)
        responded = judge.post(
            url + "respond/", {"statement": "已更正", "expected_version": body["version"]}, format="json"
        )
        assert responded.json()["status"] == "responded"
        stale = filing.post(url + "finalise/", {"expected_version": body["version"]}, format="json")
        assert (stale.status_code, stale.json()["code"]) == (409, "conflict")
        final = filing.post(url + "finalise/", {}, format="json")
        assert final.json()["status"] == "finalised"
        performance = judge.get(f"/api/performance/{world.judge.public_id}/?year=2025").json()
    assert performance["points"]["total"] == 1.0
    assert [(r["case_number"], r["grade"]) for r in performance["reviews"]] == [(review.case.case_number, "flawed")]


def test_review_visibility(world, review):
    review.evaluator = world.evaluator
    review.save()
    url = f"/api/reviews/{review.public_id}/"
    for who, expected in [
        ("judge", 200),
        ("evaluator", 200),
        ("filing", 200),
        ("president", 200),
        ("chief", 200),
        ("judge2", 404),
        ("criminal_chief", 404),
        ("other_judge", 404),
        ("committee", 404),
    ]:
        assert client_for(getattr(world, who)).get(url).status_code == expected, who
    listed = client_for(world.judge2).get("/api/reviews/").json()["results"]
    assert listed == []


def test_the_assignee_cannot_be_a_participant_through_the_api(world, review):
    from cases.models import CaseParticipant

    CaseParticipant.objects.create(case=review.case, officer=world.evaluator, role="clerk")
    response = client_for(world.filing).post(
        f"/api/reviews/{review.public_id}/assign/", {"evaluator": "evaluator"}, format="json"
    )
    assert (response.status_code, response.json()["details"]["item_code"]) == (403, "EVA-N1")


def test_plan_through_the_api(world):
    for day in (1, 2, 3):
        world.case(closed_on=dt.date(2024, 6, day), closing_method="judgment")
    response = client_for(world.filing).post(
        "/api/review-plans/",
        {
            "name": "2024年常规评查",
            "kind": "routine",
            "organisation": "SH0101",
            "closed_from": "2024-01-01",
            "closed_to": "2024-12-31",
            "sample_percent": 50,
        },
        format="json",
    )
    assert (response.status_code, response.json()["reviews"]) == (201, 2)  # ceil(3 × 50 %)
    reversed_window = client_for(world.filing).post(
        "/api/review-plans/",
        {
            "name": "x",
            "kind": "routine",
            "organisation": "SH0101",
            "closed_from": "2024-12-31",
            "closed_to": "2024-01-01",
            "sample_percent": 5,
        },
        format="json",
    )
    assert (reversed_window.status_code, list(reversed_window.json()["details"])) == (400, ["closed_to"])
    judge = client_for(world.judge).post(
        "/api/review-plans/",
        {
            "name": "x",
            "kind": "routine",
            "organisation": "SH0101",
            "closed_from": "2024-01-01",
            "closed_to": "2024-12-31",
            "sample_percent": 5,
        },
        format="json",
    )
    assert judge.status_code == 403


def test_performance_file_scope(world):
    url = f"/api/performance/{world.judge.public_id}/"
    assert client_for(world.judge).get(url).status_code == 200
    assert client_for(world.chief).get(url).status_code == 200
    assert client_for(world.president).get(url).status_code == 200
    assert client_for(world.judge2).get(url).status_code == 404
    assert client_for(world.other_chief).get(url).status_code == 404
    assert client_for(world.judge).get(url + "?year=abc").status_code == 400


def test_review_list_query_count_is_constant(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.filing)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/reviews/").status_code == 200
        return len(ctx.captured_queries)

    Review.objects.create(
        case=world.case(closed_on=dt.date(2024, 6, 1), closing_method="judgment"), officer=world.judge
    )
    one = count()
    for _ in range(2):
        Review.objects.create(
            case=world.case(closed_on=dt.date(2024, 6, 1), closing_method="judgment"), officer=world.judge
        )
    assert count() == one
