"""Quality review from planning to finalising: the catalogue matches the case type, the review links to its
case, someone other than the evaluator finalises, and the case-management office plans reviews in the browser."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from accountability.errors import PowerDenied, ValidationFailed
from cases.models import CaseParticipant
from evaluation.metrics import Window
from evaluation.models import DefectItem, Review
from evaluation.models import ReviewPlan as ReviewPlanModel
from evaluation.reviews import review_add_case, review_assign, review_grade, review_plan_create, review_respond
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


WINDOW = Window(dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def test_a_plan_samples_a_number_of_cases_picks_by_number_and_assigns_the_evaluator(world):
    """n of the period's closed cases, reproducibly; a pick typed with half-width brackets; the evaluator gets
    every case except the one he took part in, which stays pending."""
    cases = [closed_case(world, closed_on=dt.date(2024, 3, day)) for day in range(1, 7)]
    outside = closed_case(world, closed_on=dt.date(2025, 2, 1))
    CaseParticipant.objects.create(case=cases[0], officer=world.evaluator, role="assistant")
    typed = outside.case_number.replace("（", "(").replace("）", ")")
    with time_machine.travel(TODAY, tick=False):
        plan = review_plan_create(
            actor=world.filing,
            name="2024年度抽查",
            kind="routine",
            organisation=world.court,
            window=WINDOW,
            sample_size=3,
            case_numbers=[typed, cases[0].case_number],
            evaluator=world.evaluator,
        )
    reviews = {r.case_id: r for r in plan.reviews.all()}
    assert plan.sample_size == 3 and outside.pk in reviews and cases[0].pk in reviews
    sampled = [r for r in reviews.values() if r.reason == "随机抽查（3件）"]
    assert len(reviews) in (4, 5) and len(sampled) == len(reviews) - 2
    assert reviews[outside.pk].reason == "审判管理办公室指定评查"
    assert reviews[cases[0].pk].status == "pending" and reviews[cases[0].pk].evaluator is None
    others = [r for pk, r in reviews.items() if pk != cases[0].pk]
    assert {(r.status, r.evaluator_id) for r in others} == {("assigned", world.evaluator.pk)}


def test_a_plan_refuses_unknown_or_open_cases_and_a_judge_may_not_plan(world):
    open_case = world.case()
    with pytest.raises(ValidationFailed) as refused:
        review_plan_create(
            actor=world.filing,
            name="指定评查",
            kind="focused",
            organisation=world.court,
            window=WINDOW,
            case_numbers=["（2024）沪0101民初99999号", open_case.case_number],
        )
    text = str(refused.value)
    assert "本院没有案号为（2024）沪0101民初99999号的案件" in text and "尚未结案" in text
    with pytest.raises(ValidationFailed, match="二选一"):
        review_plan_create(
            actor=world.filing,
            name="x",
            kind="routine",
            organisation=world.court,
            window=WINDOW,
            sample_size=2,
            sample_percent=5,
        )
    with pytest.raises(PowerDenied):
        review_plan_create(
            actor=world.judge, name="x", kind="routine", organisation=world.court, window=WINDOW, sample_size=2
        )
    assert not Review.objects.exists()


def test_planning_in_the_browser(world):
    cases = [closed_case(world, closed_on=dt.date(2024, 4, day)) for day in range(1, 5)]
    with time_machine.travel(TODAY, tick=False):
        office = as_(world.filing)
        listing = office.get("/evaluation/reviews/").content.decode()
        assert 'id="plan-reviews"' in listing and "制定评查计划" in listing
        assert 'id="plan-reviews"' not in as_(world.judge).get("/evaluation/reviews/").content.decode()
        assert as_(world.judge).get("/evaluation/reviews/plan/").status_code == 404
        form = office.get("/evaluation/reviews/plan/").content.decode()
        assert "随机抽查：期间内已结案件的件数" in form and "冯评查（evaluator）" in form
        done = office.post(
            "/evaluation/reviews/plan/",
            {
                "name": "2024年第二季度抽查",
                "kind": "routine",
                "start": "2024-01-01",
                "end": "2024-12-31",
                "sample_size": "2",
                "case_numbers": cases[3].case_number,
                "evaluator": "evaluator",
            },
            follow=True,
        ).content.decode()
    plan = ReviewPlanModel.objects.get(name="2024年第二季度抽查")
    assert plan.created_by == world.filing and plan.sample_size == 2
    count = plan.reviews.count()
    assert count in (2, 3) and set(plan.reviews.values_list("status", flat=True)) == {"assigned"}
    assert f"评查计划“2024年第二季度抽查”：选取{count}件，已分配{count}件，0件待分配评查员。" in done
    assert cases[3].case_number in done and "2024年第二季度抽查" in done


def test_the_planning_page_shows_a_refusal_in_words(world):
    page = as_(world.filing).post(
        "/evaluation/reviews/plan/",
        {
            "name": "指定评查",
            "kind": "focused",
            "start": "2024-01-01",
            "end": "2024-12-31",
            "case_numbers": "（2024）沪0101民初99999号",
        },
        follow=True,
    )
    text = page.content.decode()
    assert "本院没有案号为（2024）沪0101民初99999号的案件。" in text and "创建评查计划" in text
    assert not ReviewPlanModel.objects.exists()
