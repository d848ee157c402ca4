"""Quality review end to end, its refusals, and defect points crossing thresholds exactly once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from accountability.errors import Conflict, NotFound, PowerDenied, ValidationFailed
from accountability.models import Notification
from cases.models import Action, CaseParticipant
from discipline.models import Lead
from evaluation.metrics import Window
from evaluation.models import ConsequenceRecord, DefectItem, EvaluationPolicy, PointEntry, Review
from evaluation.reviews import (
    review_add_case,
    review_assign,
    review_finalise,
    review_grade,
    review_plan_create,
    review_respond,
)

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2025, 3, 10, 10, 0, tzinfo=dt.UTC)


def closed_case(world, **kwargs):
    kwargs.setdefault("closed_on", dt.date(2024, 6, 1))
    kwargs.setdefault("closing_method", "judgment")
    return world.case(**kwargs)


def item(code):
    return DefectItem.objects.get(code=code)


@pytest.fixture
def graded(world):
    """A review of judge's closed case, graded 'flawed' with two defects (3 + 1 points)."""
    with time_machine.travel(TODAY, tick=False):
        case = closed_case(world)
        review = review_add_case(actor=world.filing, case=case, reason="当事人投诉")
        review = review_assign(actor=world.filing, review=review, evaluator=world.evaluator)
        review = review_grade(
            actor=world.evaluator,
            review=review,
            grade="flawed",
            defects=[(item("WS-01"), "主文表述有歧义"), (item("SD-01"), "")],
            summary="文书存在瑕疵",
        )
    return review


def test_full_path_with_response(world, graded):
    case = graded.case
    assert (graded.status, graded.response_due, graded.officer) == ("graded", dt.date(2025, 3, 17), world.judge)
    with time_machine.travel(TODAY + dt.timedelta(days=3), tick=False):
        review = review_respond(actor=world.judge, review=graded, statement="主文表述系笔误，已裁定补正")
        with pytest.raises(PowerDenied):  # the evaluator may not finalise their own grading
            review_finalise(actor=world.evaluator, review=review)
        review = review_finalise(actor=world.filing, review=review)
    assert review.status == "finalised"
    entries = sorted(PointEntry.objects.filter(officer=world.judge).values_list("year", "points", "reason"))
    assert entries == [
        (2025, Decimal("1.0"), "SD-01 缺少送达回证或送达记录"),
        (2025, Decimal("3.0"), "WS-01 裁判文书主文表述错误或有歧义"),
    ]
    trace = list(Action.objects.filter(case=case).order_by("seq").values_list("action_type", "power_item_code"))
    assert trace[-4:] == [
        ("review_assigned", "CMO-07"),
        ("quality_review", "EVA-01"),
        ("review_responded", "JUD-15"),
        ("review_finalised", "CMO-08"),
    ]
    assert Notification.objects.filter(recipient=world.judge).count() == 2  # graded, finalised


def test_finalising_waits_for_the_response_period(world, graded):
    with time_machine.travel(TODAY + dt.timedelta(days=7), tick=False), pytest.raises(Conflict):
        review_finalise(actor=world.filing, review=graded)
    with time_machine.travel(TODAY + dt.timedelta(days=8), tick=False):
        with pytest.raises(ValidationFailed):  # too late to respond
            review_respond(actor=world.judge, review=graded, statement="迟到的陈述")
        assert review_finalise(actor=world.filing, review=graded).status == "finalised"


def test_a_finalised_review_takes_no_more_points(world, graded):
    with time_machine.travel(TODAY + dt.timedelta(days=8), tick=False):
        review = review_finalise(actor=world.filing, review=graded)
        with pytest.raises(Conflict):
            review_grade(actor=world.evaluator, review=review, grade="fail", defects=[(item("SF-01"), "")])
        with pytest.raises(Conflict):
            review_finalise(actor=world.filing, review=review)
    assert PointEntry.objects.count() == 2


def test_an_open_case_is_not_reviewed(world):
    with pytest.raises(ValidationFailed) as excinfo:
        review_add_case(actor=world.filing, case=world.case(), reason="x")
    assert list(excinfo.value.details) == ["case"]


def test_an_evaluator_who_took_part_is_refused(world):
    case = closed_case(world)
    CaseParticipant.objects.create(case=case, officer=world.evaluator, role="assistant")
    review = review_add_case(actor=world.filing, case=case, reason="抽查")
    with pytest.raises(PowerDenied) as excinfo:
        review_assign(actor=world.filing, review=review, evaluator=world.evaluator)
    assert excinfo.value.details["item_code"] == "EVA-N1"
    assert Review.objects.get(pk=review.pk).status == "pending"


def test_an_evaluator_who_acted_on_the_case_is_refused(world):
    case = world.case()
    from cases import services

    evaluator_as_chief = world.chief  # give the chief the evaluator role: the chief assigned this case
    evaluator_as_chief.roles.add("evaluator")
    evaluator_as_chief._role_codes = None
    del evaluator_as_chief._role_codes
    services.case_close(  # about the reviewer, not the flow: no nodes logged, so no pre-closing check
        actor=world.judge, case=case, closed_on=dt.date(2024, 6, 1), closing_method="judgment", check_nodes=False
    )
    review = review_add_case(actor=world.filing, case=case, reason="抽查")
    with pytest.raises(PowerDenied) as excinfo:
        review_assign(actor=world.filing, review=review, evaluator=evaluator_as_chief)
    assert excinfo.value.details["item_code"] == "EVA-N1"


def test_only_the_assigned_evaluator_grades_and_only_the_officer_responds(world, graded):
    fresh = review_add_case(actor=world.filing, case=closed_case(world), reason="x")
    fresh = review_assign(actor=world.filing, review=fresh, evaluator=world.evaluator)
    with pytest.raises(NotFound):
        review_grade(actor=world.filing, review=fresh, grade="pass")
    with pytest.raises(NotFound):
        review_respond(actor=world.judge2, review=graded, statement="not mine")


@pytest.mark.parametrize(
    ("grade", "defects", "field"),
    [("flawed", [], "defects"), ("excellent", ["SD-01"], "defects"), ("superb", [], "grade")],
)
def test_grading_rules(world, grade, defects, field):
    review = review_add_case(actor=world.filing, case=closed_case(world), reason="x")
    review = review_assign(actor=world.filing, review=review, evaluator=world.evaluator)
    with pytest.raises(ValidationFailed) as excinfo:
        review_grade(actor=world.evaluator, review=review, grade=grade, defects=[(item(c), "") for c in defects])
    assert list(excinfo.value.details) == [field]
    assert Review.objects.get(pk=review.pk).status == "assigned"


def test_stale_version_is_a_conflict(world, graded):
    with pytest.raises(Conflict):
        review_respond(actor=world.judge, review=graded, statement="x", expected_version=graded.version - 1)


def _finalise_fail(world, defects, when):
    with time_machine.travel(when, tick=False):
        review = review_add_case(actor=world.filing, case=closed_case(world), reason="x")
        review = review_assign(actor=world.filing, review=review, evaluator=world.evaluator)
        review = review_grade(
            actor=world.evaluator, review=review, grade="fail", defects=[(item(c), "") for c in defects]
        )
    with time_machine.travel(when + dt.timedelta(days=8), tick=False):
        return review_finalise(actor=world.filing, review=review)


def test_thresholds_fire_once_each_and_raise_a_lead(world):
    # fail: 10 penalty + SF-01 (4) = 14 → reminder (12)
    _finalise_fail(world, ["SF-01"], TODAY)
    assert list(ConsequenceRecord.objects.values_list("consequence", "points")) == [("reminder", Decimal("14.0"))]
    # +10 + 4 + 4 (SF-02) → 32 → training recall (24); the reminder is not repeated
    _finalise_fail(world, ["SF-01", "SF-02"], TODAY + dt.timedelta(days=20))
    assert sorted(ConsequenceRecord.objects.values_list("consequence", flat=True)) == ["reminder", "training_recall"]
    # +14 → 46 → discipline lead (36), with a Lead registered for the discipline committee
    _finalise_fail(world, ["SF-01"], TODAY + dt.timedelta(days=40))
    record = ConsequenceRecord.objects.get(consequence="discipline_lead")
    assert (record.points, record.lead.source, record.lead.officer) == (Decimal("46.0"), "defect_points", world.judge)
    assert Lead.objects.count() == 1
    assert list(
        Notification.objects.filter(recipient=world.judge, message__contains="阈值")
        .order_by("pk")
        .values_list("message", flat=True)
    ) == [
        "书面提醒：您的瑕疵积分已达 14 分（阈值 12 分）。",
        "召回培训：您的瑕疵积分已达 32 分（阈值 24 分）。",
        "移送惩戒线索：您的瑕疵积分已达 46 分（阈值 36 分）。",
    ]


def test_a_single_case_at_30_points_is_a_lead(world):
    _finalise_fail(world, ["SF-01", "SF-02", "SF-03", "CX-02", "CX-01"], TODAY)  # 10 + 20 = 30
    kinds = sorted(ConsequenceRecord.objects.values_list("consequence", "case_id"))
    case_id = Review.objects.get().case_id
    assert kinds == [("discipline_lead", case_id), ("reminder", None), ("training_recall", None)]
    assert Lead.objects.get().origin["case"] == Review.objects.get().case.case_number


def test_points_count_per_calendar_year(world):
    _finalise_fail(world, ["SD-01"], dt.datetime(2024, 12, 1, tzinfo=dt.UTC))  # 11 in 2024 (finalised 9 Dec)
    _finalise_fail(world, ["SD-01"], dt.datetime(2025, 1, 10, tzinfo=dt.UTC))  # 11 in 2025
    assert sorted(PointEntry.objects.values_list("year", flat=True).distinct()) == [2024, 2025]
    assert ConsequenceRecord.objects.count() == 0


def test_plan_samples_each_officer_and_takes_every_amended_case(world):
    originals = [closed_case(world, closed_on=dt.date(2024, 3, d)) for d in range(1, 11)]  # judge: 10 cases
    for d in range(1, 4):
        closed_case(world, lead_officer=world.judge2, closed_on=dt.date(2024, 4, d))  # judge2: 3 cases
    appeal = world.case(procedure="second_instance", original_case=originals[0], lead_officer=world.judge2)
    from cases.models import Case

    Case.objects.filter(pk=appeal.pk).update(closed_on=dt.date(2024, 9, 1), outcome="remanded", closing_method="ruling")
    plan = review_plan_create(
        actor=world.filing,
        name="2024年第三季度常规评查",
        kind="routine",
        organisation=world.court,
        window=Window(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        sample_percent=20,
        include_amended_remanded=True,
    )
    reviews = list(plan.reviews.values_list("officer__officer_id", "case_id", "reason"))
    judge_picks = [r for r in reviews if r[0] == "judge"]
    assert len([r for r in reviews if r[0] == "judge2"]) == 1  # ceil(4 × 20 %): three cases and the appeal
    assert originals[0].pk in {r[1] for r in judge_picks}
    assert 2 <= len(judge_picks) <= 3  # ceil(10 × 20 %) = 2 sampled, plus the remanded one if not sampled
    again = review_plan_create(
        actor=world.filing,
        name="重复",
        kind="routine",
        organisation=world.court,
        window=Window(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        sample_percent=20,
        include_amended_remanded=True,
    )
    assert not set(again.reviews.values_list("case_id", flat=True)) & {r[1] for r in reviews}  # no case twice


def test_plan_needs_power_and_a_source(world):
    window = Window(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    with pytest.raises(PowerDenied):
        review_plan_create(
            actor=world.judge, name="x", kind="routine", organisation=world.court, window=window, sample_percent=5
        )
    with pytest.raises(ValidationFailed):
        review_plan_create(actor=world.filing, name="x", kind="routine", organisation=world.court, window=window)


def test_the_policy_is_read_from_its_row_in_one_query(django_assert_num_queries):
    assert EvaluationPolicy.objects.count() == 1  # put in place by the data migration
    EvaluationPolicy.objects.update(fail_penalty=Decimal("12.5"), response_days=10, sample_percent=8)
    with django_assert_num_queries(1):  # one SELECT, no INSERT
        policy = EvaluationPolicy.current()
    values = (policy.pk, policy.fail_penalty, policy.response_days, policy.sample_percent)
    assert values == (EvaluationPolicy.objects.get().pk, Decimal("12.5"), 10, 8)


def test_without_a_row_the_policy_is_the_defaults_and_nothing_is_written(django_assert_num_queries):
    EvaluationPolicy.objects.all().delete()
    with django_assert_num_queries(1):
        policy = EvaluationPolicy.current()
    values = (policy.pk, policy.fail_penalty, policy.response_days, policy.sample_percent)
    assert values == (None, Decimal("10.0"), 7, 5)
    assert EvaluationPolicy.objects.count() == 0
