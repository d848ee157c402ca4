"""Issue 23: what logging an action costs, and the benchmark's same-work floor (``cases.bench_views``)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient, APIRequestFactory

from cases import services
from cases.audit import verify_chains
from cases.bench_views import ChainedAppendView
from cases.models import Action


def _token_client(officer) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=officer.user).key}")
    return client


def _post_counted(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, {"action_type": "note", "note": "开庭前阅卷"}, format="json")
    assert response.status_code == 201, response.content
    return len(ctx.captured_queries)


def test_logging_an_action_costs_the_same_queries_however_long_the_trace(world):
    case = world.case()
    client = _token_client(world.judge)
    url = f"/api/cases/{case.public_id}/actions/"
    first = _post_counted(client, url)
    for _ in range(20):
        services.case_log_action(actor=world.judge, case=case, action_type="note")
    assert _post_counted(client, url) == first
    # token, account lock, officer with its role codes, visibility, lock, power list, the standing facts
    # (suspended and dismissed in one statement), the append (insert and head in one statement), and the savepoint
    # pair of the test's transaction; the team is not read when the actor leads the case (elsewhere the role codes
    # and the append take a statement more each)
    assert first <= (10 if connection.vendor == "postgresql" else 12)
    case.refresh_from_db()
    newest = Action.objects.get(case=case, seq=case.trace_length)
    assert (newest.note, newest.power_item_code, newest.hash) == ("开庭前阅卷", "JUD-13", case.trace_head)
    assert verify_chains(case_number=case.case_number) == []


def test_an_officer_outside_the_case_still_cannot_log_on_it(world):
    case = world.case()
    response = _token_client(world.other_judge).post(
        f"/api/cases/{case.public_id}/actions/", {"action_type": "note"}, format="json"
    )
    assert response.status_code == 404
    assert not Action.objects.filter(case=case, action_type="note").exists()


def _floor(user, case, note: str):
    request = APIRequestFactory().post(
        f"/bench/cases/{case.public_id}/chained-append/",
        {"note": note},
        format="json",
        HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}",
    )
    return ChainedAppendView.as_view()(request, id=str(case.public_id))


#: the floor is written for PostgreSQL (one statement locks the row and reads the head), as deployed
POSTGRES = pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench floor's statements are PostgreSQL's")


@POSTGRES
def test_the_floor_appends_the_same_chained_row_under_the_same_lock(world):
    case = world.case()
    services.case_log_action(actor=world.judge, case=case, action_type="note", note="服务")
    with CaptureQueriesContext(connection) as ctx:
        response = _floor(world.judge.user, case, "基准")
    assert response.status_code == 201
    statements = [q["sql"] for q in ctx.captured_queries]
    assert any("FOR UPDATE OF c" in sql for sql in statements)
    assert sum("INSERT INTO cases_action" in sql for sql in statements) == 1
    services.case_log_action(actor=world.judge, case=case, action_type="note", note="服务")
    case.refresh_from_db()
    notes = list(Action.objects.filter(case=case).order_by("seq").values_list("note", flat=True))
    assert notes[-3:] == ["服务", "基准", "服务"]
    assert verify_chains(case_number=case.case_number) == []  # the floor's row is a true link of the chain


@POSTGRES
def test_the_floor_needs_a_token_and_an_officer(world):
    case = world.case()
    anonymous = APIRequestFactory().post(f"/bench/cases/{case.public_id}/chained-append/", {}, format="json")
    assert ChainedAppendView.as_view()(anonymous, id=str(case.public_id)).status_code in (401, 403)
    login = get_user_model().objects.create_user("no_officer", password="x" * 20)  # a login that is no officer
    assert _floor(login, case, "x").status_code == 404
    assert Action.objects.filter(case=case, note="x").count() == 0


def test_the_floor_is_not_mounted_in_a_real_deployment(world):
    case = world.case()
    with pytest.raises(Resolver404):
        resolve(f"/bench/cases/{case.public_id}/chained-append/")
