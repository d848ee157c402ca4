"""The admin edits the power list through the service: invalid conditions are refused with a message."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model

from accountability.models import PowerItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "Correct-Horse-42")
    client.force_login(user)
    return client


def _form(item: PowerItem, **overrides):
    data = {
        "code": item.code,
        "title": item.title,
        "role": item.role_id,
        "action_type": item.action_type,
        "scope": item.scope,
        "effect": item.effect,
        "legal_basis": item.legal_basis,
        "conditions": json.dumps(item.conditions),
        "is_active": "on",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_malformed_condition_is_refused_in_the_admin(admin_client):
    item = PowerItem.objects.get(code="JUD-02")
    bad = json.dumps({"field": "case.is_open", "op": "roughly", "value": True})
    response = admin_client.post(f"/admin/accountability/poweritem/{item.pk}/change/", _form(item, conditions=bad))
    assert response.status_code == 200
    assert "unknown operator &#x27;roughly&#x27;" in response.content.decode()
    item.refresh_from_db()
    assert item.revision == 1


def test_admin_change_is_versioned_with_who_changed_it(admin_client):
    item = PowerItem.objects.get(code="JUD-02")
    response = admin_client.post(f"/admin/accountability/poweritem/{item.pk}/change/", _form(item, title="主持庭审"))
    assert response.status_code == 302
    item.refresh_from_db()
    latest = item.revisions.order_by("-revision").first()
    assert (item.revision, latest.snapshot["title"], latest.changed_by.username) == (2, "主持庭审", "root")


def test_trace_cannot_be_edited_or_deleted_in_the_admin(admin_client, world):
    case = world.case()
    action = case.actions.first()
    page = admin_client.get(f"/admin/cases/action/{action.pk}/change/")
    assert page.status_code == 200
    assert 'name="note"' not in page.content.decode()  # read-only view
    assert admin_client.post(f"/admin/cases/action/{action.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/accountability/poweritem/1/delete/").status_code == 403


def test_editing_a_defect_item_bumps_its_revision_and_past_reviews_keep_theirs(admin_client, world):
    import datetime as dt

    from evaluation.models import DefectItem, Review
    from evaluation.reviews import review_assign, review_grade

    case = world.case(closed_on=dt.date(2024, 6, 1), closing_method="judgment")
    review = Review.objects.create(case=case, officer=world.judge)
    review = review_assign(actor=world.filing, review=review, evaluator=world.evaluator)
    item = DefectItem.objects.get(code="WS-04")
    shipped = item.revision  # 2: the procuratorate's migration marked the court's items as a court's
    review_grade(actor=world.evaluator, review=review, grade="flawed", defects=[(item, "")])
    response = admin_client.post(
        f"/admin/evaluation/defectitem/{item.pk}/change/",
        {"code": "WS-04", "aspect": "documents", "description": item.description, "points": "2", "is_active": "on"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    recorded = review.defects.get()
    assert (item.revision, item.points, recorded.item_revision, recorded.points) == (shipped + 1, 2, shipped, 1)
    assert item.organisation_kinds == ["court"]  # a field the form does not show is kept


def test_changing_a_threshold_in_the_admin_is_recorded(admin_client):
    from accountability.models import RuleChange
    from evaluation.models import PointThreshold

    threshold = PointThreshold.objects.get(points=12, basis="year", organisation_kind="court")
    response = admin_client.post(
        f"/admin/evaluation/pointthreshold/{threshold.pk}/change/",
        {"points": "15", "basis": "year", "consequence": "reminder", "organisation_kind": "court", "is_active": "on"},
    )
    assert response.status_code == 302
    change = RuleChange.objects.get()
    assert (change.table, change.action, change.snapshot["points"], change.changed_by.username) == (
        "evaluation.PointThreshold",
        "changed",
        "15",
        "root",
    )
    assert admin_client.get(f"/admin/evaluation/pointthreshold/{threshold.pk}/delete/").status_code == 403


def test_situation_admin_refuses_a_malformed_rule_simulates_and_records_revisions(db, world):
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from supervision.models import Situation, SituationRevision

    root = get_user_model().objects.create_superuser("rules-admin", "r@example.org", "x-Very-long-pass-1")
    client = Client()
    client.force_login(root)
    situation = Situation.objects.get(code="G-02")
    url = reverse("admin:supervision_situation_change", args=[situation.pk])
    form = {
        "code": "G-02",
        "family": "four_category",
        "category": "group",
        "title": situation.title,
        "description": situation.description,
        "kind": "automatic",
        "priority": 2,
        "is_active": "on",
        "condition": '{"field": "case.parties_count", "op": "greater", "value": 10}',
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "greater" in response.context["adminform"].form.errors["condition"][0]
    assert Situation.objects.get(pk=situation.pk).revision == 1
    form["condition"] = '{"field": "case.parties_count", "op": "gte", "value": 20}'
    assert client.post(url, form).status_code == 302
    assert Situation.objects.get(pk=situation.pk).revision == 2
    assert SituationRevision.objects.filter(situation=situation).count() == 2
    world.case(parties_count=25)
    world.case(parties_count=3)
    simulate = reverse("admin:supervision_situation_simulate", args=[situation.pk])
    assert client.get(simulate).context["result"]["count"] == 1
    draft = client.post(simulate, {"condition": '{"field": "case.parties_count", "op": "gte", "value": 1}'})
    assert draft.context["result"]["count"] == 2
    bad = client.post(simulate, {"condition": '{"field": "case.nope", "op": "gte", "value": 1}'})
    assert "case.nope" in bad.context["error"]
