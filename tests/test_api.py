"""The API: scoped reads (a matrix of who sees which case), writes through the services, one error body."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Action
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    """One case in each place: the civil division (judge leads), the criminal division, the other court."""
    return {
        "civil": world.case(),
        "criminal": world.case(department=world.criminal, lead_officer=world.judge2),
        "other": world.case(
            organisation=world.other_court, department=world.other_civil, lead_officer=world.other_judge
        ),
    }


# who -> which of the three cases they see (judge and judge2 sit on each other's panels)
VISIBILITY = {
    "judge": {"civil", "criminal"},
    "judge2": {"civil", "criminal"},
    "assistant": {"civil", "criminal"},
    "clerk": {"civil", "criminal"},
    "chief": {"civil"},  # by department
    "criminal_chief": {"criminal"},
    "president": {"civil", "criminal"},
    "high_president": {"civil", "criminal"},
    "filing": {"civil", "criminal"},
    "evaluator": {"civil", "criminal"},
    "inspector": {"civil", "criminal"},
    "admin": {"civil", "criminal"},
    "committee": set(),
    "other_judge": {"other"},
    "other_chief": {"other"},
}


@pytest.mark.parametrize("who", sorted(VISIBILITY))
def test_case_visibility_matrix(world, cases, who):
    client = client_for(getattr(world, who))
    listed = client.get("/api/cases/").json()["results"]
    assert {c["case_number"] for c in listed} == {cases[k].case_number for k in VISIBILITY[who]}
    for key, case in cases.items():
        response = client.get(f"/api/cases/{case.public_id}/")
        expected = 200 if key in VISIBILITY[who] else 404
        assert response.status_code == expected, (who, key)
        if expected == 404:
            assert response.json()["code"] == "not_found"
        else:
            assert response.json()["case_number"] == case.case_number
        trace = client.get(f"/api/cases/{case.public_id}/actions/")
        assert trace.status_code == expected


def test_missing_and_forbidden_look_the_same(world, cases):
    client = client_for(world.other_judge)
    forbidden = client.get(f"/api/cases/{cases['civil'].public_id}/")
    missing = client.get("/api/cases/00000000-0000-0000-0000-000000000000/")
    assert (forbidden.status_code, forbidden.json()) == (missing.status_code, missing.json())


def test_anonymous_gets_401(api, cases):
    response = api.get("/api/cases/")
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


def test_token_auth(world, cases, api):
    token = api.post("/api/auth/token/", {"username": "judge", "password": "Correct-Horse-42"}, format="json").json()[
        "token"
    ]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert {c["case_number"] for c in api.get("/api/cases/").json()["results"]} == {
        cases["civil"].case_number,
        cases["criminal"].case_number,
    }


def test_post_action_goes_through_the_service(world, cases):
    case = cases["civil"]
    response = client_for(world.judge).post(
        f"/api/cases/{case.public_id}/actions/", {"action_type": "hearing_held", "note": "开庭审理"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    stored = Action.objects.get(case=case, seq=body["seq"])
    assert (body["power_item_code"], body["actor_officer_id"], stored.source, stored.note) == (
        "JUD-02",
        "judge",
        "api",
        "开庭审理",
    )
    assert body["prev_hash"] == Action.objects.get(case=case, seq=stored.seq - 1).hash


def test_refused_action_is_403_with_the_item(world, cases):
    case = cases["civil"]
    before = case.actions.count()
    response = client_for(world.assistant).post(
        f"/api/cases/{case.public_id}/actions/", {"action_type": "ruling_signed"}, format="json"
    )
    assert response.status_code == 403
    body = response.json()
    assert (body["code"], body["details"]["item_code"], body["details"]["item_title"]) == (
        "power_denied",
        "AST-N1",
        "法官助理不得签署裁判文书",
    )
    assert case.actions.count() == before


def test_malformed_action_is_400_with_field_errors(world, cases):
    response = client_for(world.judge).post(
        f"/api/cases/{cases['civil'].public_id}/actions/",
        {"action_type": "dance", "occurred_at": "yesterday"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], sorted(body["details"])) == ("validation_failed", ["action_type", "occurred_at"])


def test_stale_version_is_409(world, cases):
    case = cases["civil"]
    response = client_for(world.judge).post(
        f"/api/cases/{case.public_id}/actions/",
        {"action_type": "note", "expected_version": case.version + 5},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "conflict")


def test_posting_to_an_invisible_case_is_404(world, cases):
    response = client_for(world.other_judge).post(
        f"/api/cases/{cases['civil'].public_id}/actions/", {"action_type": "note"}, format="json"
    )
    assert response.status_code == 404


def test_non_json_body_is_415(world, cases):
    response = client_for(world.judge).post(
        f"/api/cases/{cases['civil'].public_id}/actions/", "action_type=note", content_type="text/plain"
    )
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")


def test_organisations_and_officers_are_scoped(world):
    basic = client_for(world.judge)
    assert [o["code"] for o in basic.get("/api/organisations/").json()["results"]] == ["SH0101"]
    high = client_for(world.high_president)
    assert sorted(o["code"] for o in high.get("/api/organisations/").json()["results"]) == ["HIGH", "SH0101"]
    assert basic.get(f"/api/organisations/{world.other_court.code}/").status_code == 404
    officer_ids = {o["officer_id"] for o in basic.get("/api/officers/?page_size=200").json()["results"]}
    assert "other_judge" not in officer_ids and "judge" in officer_ids
    assert basic.get(f"/api/officers/{world.other_judge.public_id}/").status_code == 404


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/api/cases/", "/api/officers/", "/api/organisations/"])
def test_list_query_count_is_constant(world, url):
    client = client_for(world.president)
    world.case()
    one = _count_queries(client, url)
    world.case()
    world.case()
    three = _count_queries(client, url)
    assert one == three


def test_trace_query_count_is_constant(world):
    client = client_for(world.judge)
    case = world.case()
    from cases import services

    services.case_log_action(actor=world.judge, case=case, action_type="note")
    url = f"/api/cases/{case.public_id}/actions/"
    one = _count_queries(client, url)
    for _ in range(3):
        services.case_log_action(actor=world.judge, case=case, action_type="note")
    assert _count_queries(client, url) == one


def test_schema_and_docs_are_served(world):
    client = client_for(world.judge)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/cases/{id}/actions/" in schema.content
    docs = client.get("/api/docs/")
    assert b"swagger-ui" in docs.content


def test_mine_lists_only_cases_i_take_part_in(world, cases):
    listed = client_for(world.chief).get("/api/cases/?mine=true").json()["results"]
    assert listed == []  # the chief sees the division's cases, but takes part in none
    mine = client_for(world.clerk).get("/api/cases/?mine=true").json()["results"]
    assert {c["case_number"] for c in mine} == {cases["civil"].case_number, cases["criminal"].case_number}


def test_extension_request_and_decision_through_the_api(world, cases):
    case = cases["civil"]
    url = f"/api/cases/{case.public_id}/extension-requests/"
    bare = client_for(world.judge).post(
        f"/api/cases/{case.public_id}/actions/", {"action_type": "extension_requested"}, format="json"
    )
    assert (bare.status_code, list(bare.json()["details"])) == (400, ["action_type"])
    asked = client_for(world.judge).post(url, {"days": 30, "reason": "鉴定未完成"}, format="json")
    assert asked.status_code == 201
    request = asked.json()
    assert (request["status"], request["days"], request["approver"], request["version"]) == (
        "pending",
        30,
        "president",
        1,
    )
    decision = f"/api/case-requests/{request['id']}/decision/"
    refused = client_for(world.chief).post(decision, {"approve": True}, format="json")
    assert (refused.status_code, refused.json()["code"], refused.json()["details"]["approver"]) == (
        403,
        "power_denied",
        "president",
    )
    ok = client_for(world.president).post(decision, {"approve": True, "expected_version": 1}, format="json")
    assert (ok.status_code, ok.json()["status"], ok.json()["decided_by"], ok.json()["version"]) == (
        200,
        "approved",
        "president",
        2,
    )
    again = client_for(world.president).post(decision, {"approve": True}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    case.refresh_from_db()
    assert case.extension_days == 30
