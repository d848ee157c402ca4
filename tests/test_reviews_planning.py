"""Quality review from planning to finalising: the catalogue matches the case type, the review links to its
case, someone other than the evaluator finalises, and the case-management office plans reviews in the browser."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from accountability.errors import ValidationFailed
from evaluation.models import DefectItem, Review
from evaluation.reviews import review_add_case, review_assign, review_grade, review_respond
from evaluation.selectors import defect_catalogue_for
from tests.factories import make_officer

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2025, 3, 10, 10, 0, tzinfo=dt.UTC)


def as_(officer) -> Client:
    client = Client()
    client.force_login(officer.user)
    return client


def closed_case(world, **kwargs):
    kwargs.setdefault("closed_on", dt.date(2024, 6, 1))
    kwargs.setdefault("closing_method", "judgment")
    return world.case(**kwargs)


def assigned(world, case):
    review = review_add_case(actor=world.filing, case=case, reason="当事人投诉")
    return review_assign(actor=world.filing, review=review, evaluator=world.evaluator)


def test_catalogue_follows_the_case_type():
    civil = {item.code for item in defect_catalogue_for("civil")}
    criminal = {item.code for item in defect_catalogue_for("criminal")}
    enforcement = {item.code for item in defect_catalogue_for("enforcement")}
    assert "SF-05" not in civil and "SX-03" not in civil and "ZX-01" not in civil
    assert {"SF-05", "SX-03"} <= criminal and "ZX-01" not in criminal
    assert "ZX-01" in enforcement and "SF-05" not in enforcement
    assert {"WS-04", "SD-01", "SX-01"} <= civil & criminal & enforcement


def test_a_civil_review_refuses_a_criminal_defect(world):
    with time_machine.travel(TODAY, tick=False):
        review = assigned(world, closed_case(world, case_type="civil"))
        with pytest.raises(ValidationFailed) as refused:
            review_grade(
                actor=world.evaluator,
                review=review,
                grade="flawed",
                defects=[(DefectItem.objects.get(code="SF-05"), "")],
            )
        assert "SF-05" in str(refused.value) and Review.objects.get(pk=review.pk).status == "assigned"


def test_the_review_page_offers_the_case_types_catalogue_and_links_to_the_case(world):
    with time_machine.travel(TODAY, tick=False):
        case = closed_case(world, case_type="civil")
        review = assigned(world, case)
        page = as_(world.evaluator).get(f"/evaluation/reviews/{review.public_id}/").content.decode()
    assert 'value="WS-04"' in page and 'value="SF-05"' not in page and 'value="SX-03"' not in page
    assert f'id="review-case" href="/cases/{case.public_id}/"' in page and "民事" in page


def test_finalising_belongs_to_someone_other_than_the_evaluator(world):
    """An office member who also evaluates sees why he may not finalise his own grading; a colleague finalises,
    once the officer answered; a president and the officer concerned get no 定案 section."""
    grader = make_officer("grader", roles=["evaluator", "case_management"], organisation=world.court, name="黄评查")
    with time_machine.travel(TODAY, tick=False):
        review = review_add_case(actor=world.filing, case=closed_case(world), reason="抽查")
        review = review_assign(actor=world.filing, review=review, evaluator=grader)
        review = review_grade(
            actor=grader, review=review, grade="flawed", defects=[(DefectItem.objects.get(code="SD-01"), "")]
        )
        url = f"/evaluation/reviews/{review.public_id}/"
        own = as_(grader).get(url).content.decode()
        assert "须由审判管理办公室的其他人员审核定案" in own and 'name="step" value="finalise"' not in own
        waiting = as_(world.filing).get(url).content.decode()
        assert "被评查人可在2025-03-17前提出陈述" in waiting and 'value="finalise"' not in waiting
        review_respond(actor=world.judge, review=review, statement="已补充送达回证")
        for outsider in (world.president, world.judge):
            page = as_(outsider).get(url).content.decode()
            assert 'value="finalise"' not in page and "finalise-note" not in page
        refused = as_(grader).post(url, {"step": "finalise", "version": 4}, follow=True).content.decode()
        assert "作出评查结论的评查员不得自行定案" in refused
        assert Review.objects.get(pk=review.pk).status == "responded"
        page = as_(world.filing).get(url).content.decode()
        assert 'id="finalise"' in page and "确认评查结果" in page
        done = as_(world.filing).post(url, {"step": "finalise", "version": 4}, follow=True).content.decode()
    assert 'id="review-status">已定案<' in done
    stored = Review.objects.get(pk=review.pk)
    assert (stored.status, stored.finalised_by) == ("finalised", world.filing)
