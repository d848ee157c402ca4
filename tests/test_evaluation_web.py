"""On-demand recompute in the browser: who may, what a bad window says, the progress page."""

from __future__ import annotations

import pytest
from django.test import Client

from evaluation.models import MetricResult, MetricRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def president_client(world, client: Client) -> Client:
    client.force_login(world.president.user)
    return client


def test_president_recomputes_and_sees_the_finished_run(world, president_client, django_capture_on_commit_callbacks):
    world.case()
    page = president_client.get("/evaluation/recompute/").content.decode()
    assert "重新计算指标" in page and world.court.name in page and world.other_court.name not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = president_client.post(
            "/evaluation/recompute/", {"organisation": world.court.pk, "start": "2024-01-01", "end": "2024-12-31"}
        )
    run = MetricRun.objects.get()
    assert response.url == f"/evaluation/runs/{run.pk}/"
    html = president_client.get(response.url).content.decode()
    assert 'id="run-percent">100%<' in html and 'id="run-done"' in html
    assert "hx-trigger" not in html  # finished: the page stops polling
    assert MetricResult.objects.filter(subject="judge", metric="filed_count").get().value == 1


def test_progress_fragment_polls_while_running(world, president_client):
    run = MetricRun.objects.create(key="k", kind="on_demand", total=4, done=1, requested_by=world.president)
    html = president_client.get(f"/evaluation/runs/{run.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in html and 'id="run-percent">25%<' in html
    assert '<progress max="4" value="1"' in html


def test_reversed_window_is_a_field_error(world, president_client):
    response = president_client.post(
        "/evaluation/recompute/", {"organisation": world.court.pk, "start": "2024-12-31", "end": "2024-01-01"}
    )
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert MetricRun.objects.count() == 0


def test_an_organisation_out_of_scope_is_not_offered(world, president_client):
    response = president_client.post(
        "/evaluation/recompute/", {"organisation": world.other_court.pk, "start": "2024-01-01", "end": "2024-12-31"}
    )
    assert response.status_code == 200
    assert MetricRun.objects.count() == 0


def test_a_judge_has_no_recompute_page_and_cannot_follow_others_runs(world, client: Client):
    run = MetricRun.objects.create(key="k", kind="on_demand", total=1, requested_by=world.president)
    client.force_login(world.judge.user)
    assert client.get("/evaluation/recompute/").status_code == 404
    assert client.get(f"/evaluation/runs/{run.pk}/").status_code == 404
    assert client.get(f"/evaluation/runs/{run.pk}/progress/").status_code == 404
