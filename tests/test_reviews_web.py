"""A review end to end in the browser: assign, grade, the officer's statement, finalise."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from evaluation.models import PointEntry, Review

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2025, 3, 10, 10, 0, tzinfo=dt.UTC)


def as_(officer) -> Client:
    client = Client()
    client.force_login(officer.user)
    return client


def test_review_in_the_browser(world):
    case = world.case(closed_on=dt.date(2024, 6, 1), closing_method="judgment")
    review = Review.objects.create(case=case, officer=world.judge, reason="当事人投诉")
    url = f"/evaluation/reviews/{review.public_id}/"
    with time_machine.travel(TODAY, tick=False):
        filing = as_(world.filing)
        page = filing.get(url).content.decode()
        assert "分配评查员" in page and "提交评查结论" not in page
        filing.post(url, {"step": "assign", "evaluator": "evaluator", "version": review.version})
        evaluator = as_(world.evaluator)
        assert "提交评查结论" in evaluator.get(url).content.decode()
        refused = evaluator.post(url, {"step": "grade", "grade": "flawed", "version": 2}, follow=True)  # no defect
        assert "瑕疵或不合格须列明瑕疵" in refused.content.decode()
        evaluator.post(
            url,
            {
                "step": "grade",
                "grade": "flawed",
                "defects": ["WS-04", "SD-01"],
                "summary": "文字和送达瑕疵",
                "version": 2,
            },
        )
        judge = as_(world.judge)
        page = judge.get(url).content.decode()
        assert "提交陈述" in page and 'id="review-grade">瑕疵<' in page
        judge.post(url, {"step": "respond", "statement": "送达回证已补入卷宗", "version": 3})
        assert "确认评查结果" not in judge.get(url).content.decode()  # the officer does not finalise
        done = filing.post(url, {"step": "finalise", "version": 4}, follow=True).content.decode()
        assert 'id="review-status">已定案<' in done
    assert sorted(PointEntry.objects.values_list("points", flat=True)) == [1, 1]
    listing = as_(world.judge).get("/evaluation/reviews/").content.decode()
    assert case.case_number in listing
    assert case.case_number not in as_(world.judge2).get("/evaluation/reviews/").content.decode()
    assert as_(world.judge2).get(url).status_code == 404
