"""Performance assessment (issue 24): scores against an independent reading of the scheme over generated data; a
scheme change never rewrites a signed assessment; a contest changes the grade only through its decision; who may
take each step; consequences once; the pages' query counts."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.errors import Conflict, PowerDenied, ValidationFailed
from accountability.models import Notification
from assessment import services
from assessment.models import Assessment, AssessmentConsequence, AssessmentEvent, Grade, Scheme, Status
from assessment.scoring import Period
from assessment.selectors import assessments_visible_to
from assessment.tasks import nightly_task
from cases.models import Case
from evaluation.models import PointEntry, Review, ReviewPlan, WeightRule
from tests.conftest import client_for, past_append_only_triggers
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

Q2 = Period("quarter", dt.date(2025, 4, 1), dt.date(2025, 6, 30))
POINTS = {"excellent": 100, "pass": 90, "flawed": 70, "fail": 40}


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


def _generate(world, seed: int = 7) -> None:
    """Cases, appeals, reviews and defect points for the court's four assessed officers, in and around Q2 2025."""
    rng = random.Random(seed)
    WeightRule.objects.create(case_type="civil", procedure="first_instance", weight=Decimal("1.2"))
    WeightRule.objects.create(case_type="criminal", weight=Decimal("1.5"))
    officers = [world.judge, world.judge2, world.chief, world.criminal_chief]
    plan = ReviewPlan.objects.create(
        name="重点评查",
        kind="focused",
        organisation=world.court,
        window_from=Q2.start,
        window_to=Q2.end,
        created_by=world.evaluator,
    )
    for officer in officers:
        count = rng.randint(4, 25) if officer.post == "none" else rng.randint(1, 6)
        for _ in range(count):
            filed = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 150))
            closed = filed + dt.timedelta(days=rng.randint(5, 200))
            case = CaseFactory(
                organisation=world.court,
                department=officer.department,
                lead_officer=officer,
                case_type=rng.choice(["civil", "civil", "criminal", "administrative"]),
                procedure="first_instance",
                filed_on=filed,
                closed_on=closed if closed <= dt.date(2025, 8, 1) else None,
                closing_method=rng.choice(["judgment", "ruling", "mediation"]),
                time_limit_days=rng.choice([0, 90, 180]),
                extension_days=rng.choice([0, 0, 30]),
                excluded_days=rng.choice([0, 0, 10]),
            )
            if case.closed_on and Q2.start <= case.closed_on <= Q2.end and rng.random() < 0.4:
                appeal_closed = case.closed_on + dt.timedelta(days=rng.randint(-20, 40))
                CaseFactory(
                    organisation=world.high,
                    case_type=case.case_type,
                    procedure="second_instance",
                    original_case=case,
                    filed_on=case.closed_on + dt.timedelta(days=rng.randint(1, 30)),
                    closed_on=max(appeal_closed, case.closed_on + dt.timedelta(days=31)),
                    outcome=rng.choice(["upheld", "amended", "remanded"]),
                )
            if case.closed_on and rng.random() < 0.35:
                grade = rng.choice(list(POINTS))
                finalised = case.closed_on + dt.timedelta(days=rng.randint(1, 30))
                review = Review.objects.create(
                    case=case,
                    officer=officer,
                    plan=plan if rng.random() < 0.5 else None,
                    status="finalised",
                    grade=grade,
                    finalised_at=_noon(finalised),
                )
                if grade in ("flawed", "fail"):
                    entry = PointEntry.objects.create(
                        officer=officer,
                        year=finalised.year,
                        review=review,
                        case=case,
                        points=Decimal(rng.choice(["1.0", "2.5", "4.0"])),
                        reason="瑕疵",
                    )
                    PointEntry.objects.filter(pk=entry.pk).update(created_at=_noon(finalised))


# --- the independent reading ---------------------------------------------------------------------------------------


def _weight(case: Case, rules: list[WeightRule]) -> Fraction:
    best = None
    for rule in rules:
        if rule.case_type != case.case_type:
            continue
        if rule.procedure and rule.procedure != case.procedure or rule.cause and rule.cause != case.cause:
            continue
        rank = (2 if rule.procedure else 0) + (1 if rule.cause else 0)
        if best is None or rank > best[0]:
            best = (rank, rule.weight)
    return Fraction(best[1]) if best else Fraction(1)


def _raw(world, officer, start: dt.date, end: dt.date) -> dict[str, Fraction | None]:
    """Every value the court's schemes read, from the cases, reviews and points themselves."""
    rules = list(WeightRule.objects.all())
    mine = list(Case.objects.filter(lead_officer=officer))
    closed = [c for c in mine if c.closed_on and start <= c.closed_on <= end]
    limited = [c for c in closed if c.time_limit_days > 0]
    duration = {c.pk: (c.closed_on - c.filed_on).days - c.excluded_days for c in closed}
    within = [c for c in limited if duration[c.pk] <= c.time_limit_days + c.extension_days]
    appealable = [c for c in closed if c.procedure == "first_instance" and c.closing_method in ("judgment", "ruling")]
    appealed = [
        c
        for c in appealable
        if Case.objects.filter(original_case=c, procedure="second_instance", filed_on__lte=end).exists()
    ]
    seconds = [
        c
        for c in Case.objects.filter(procedure="second_instance", original_case__lead_officer=officer)
        if start <= c.closed_on <= end
    ]
    changed = [c for c in seconds if c.outcome in ("amended", "remanded")]
    reviews = [
        r
        for r in Review.objects.filter(officer=officer, status="finalised")
        if start <= timezone.localtime(r.finalised_at).date() <= end
    ]
    points = sum(
        (
            Fraction(e.points)
            for e in PointEntry.objects.filter(officer=officer)
            if start <= timezone.localtime(e.created_at).date() <= end
        ),
        Fraction(0),
    )
    reversals = [r for r in reviews if r.plan_id and r.plan.kind == "focused" and r.grade in ("flawed", "fail")]
    values: dict[str, Fraction | None] = {
        "weighted_closed": sum((_weight(c, rules) for c in closed), Fraction(0)),
        "within_limit_rate": Fraction(len(within), len(limited)) if limited else None,
        "avg_duration_days": Fraction(sum(duration.values()), len(closed)) if closed else None,
        "acceptance_rate": Fraction(len(appealable) - len(appealed), len(appealable)) if appealable else None,
        "appeal_amended_remanded_ratio": Fraction(len(changed), len(seconds)) if seconds else None,
        "review_grades": Fraction(sum(POINTS[r.grade] for r in reviews), len(reviews)) if reviews else None,
        "defect_points": points,
        "responsible_reversals": Fraction(len(reversals)),
        "interference_on_time": None,
        "sanctions": Fraction(0),
        "supervision_on_time": None,
    }
    if officer.post == "division_chief":
        peers = list(type(officer).objects.filter(department=officer.department, post="none", is_quota=True))
        counts = [
            sum(1 for c in Case.objects.filter(lead_officer=p) if c.closed_on and start <= c.closed_on <= end)
            for p in peers
        ]
        values["leader_caseload_ratio"] = (
            Fraction(len(closed)) / Fraction(sum(counts), len(counts)) if counts and sum(counts) else None
        )
    return values


def _cents(value: Fraction) -> Decimal:
    """Half up at two places, on the exact value: the tie 6.825 is 6.83."""
    scaled = value * 100
    return Decimal(int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)) / 100


def _expected(scheme: Scheme, values: dict[str, Fraction | None], fraction: Fraction) -> tuple[Decimal, dict]:
    """The scheme read as its README says: each indicator's formula, held within floor and cap, rounded; weighted
    means of indicators and of components, rounded."""
    scores: dict[str, Decimal] = {}
    components = []
    for component in scheme.components:
        pairs = []
        for indicator in component["indicators"]:
            key = indicator.get("metric") or indicator["source"]
            x = values[key]
            if x is None:
                score = Fraction(Decimal(str(indicator["missing"])))
            else:
                if indicator["formula"] == "ratio_to_norm":
                    norm = Fraction(Decimal(str(indicator["norm"]))) * (fraction if indicator.get("prorate") else 1)
                    raw = 100 * x / norm
                else:
                    raw = Fraction(Decimal(str(indicator["base"]))) + Fraction(Decimal(str(indicator["slope"]))) * x
                score = min(
                    max(raw, Fraction(Decimal(str(indicator["floor"])))), Fraction(Decimal(str(indicator["cap"])))
                )
            scores[f"{component['code']}/{indicator['code']}"] = _cents(score)
            pairs.append((Fraction(Decimal(str(indicator["weight"]))), Fraction(_cents(score))))
        component_score = _cents(sum(w * s for w, s in pairs) / sum(w for w, _ in pairs))
        scores[component["code"]] = component_score
        components.append((Fraction(Decimal(str(component["weight"]))), Fraction(component_score)))
    total = _cents(sum(w * s for w, s in components) / sum(w for w, _ in components))
    return total, scores


def _computed(assessment: Assessment) -> dict[str, Decimal]:
    scores = {}
    for component in assessment.lines:
        scores[component["code"]] = Decimal(component["score"])
        for line in component["indicators"]:
            scores[f"{component['code']}/{line['code']}"] = Decimal(line["score"])
    return scores


@pytest.mark.parametrize("seed", [7, 11])
def test_every_score_matches_an_independent_reading_of_the_scheme(world, seed):
    _generate(world, seed)
    for through in (dt.date(2025, 5, 20), Q2.end):  # the running quarter, then the whole of it
        written = services.assessments_compute(organisation=world.court, period=Q2, through=through)
        assessed = {world.judge.pk, world.judge2.pk, world.chief.pk, world.criminal_chief.pk}
        assert written == len(assessed)  # the president is assessed above; no one else handles cases here
        fraction = Fraction((through - Q2.start).days + 1, 365)  # a yearly norm, scaled to the days computed
        excellent = 0
        for assessment in Assessment.objects.filter(period_start=Q2.start).select_related("officer", "scheme"):
            assert assessment.officer_id in assessed
            role = "officer" if assessment.officer.post == "none" else "leader"
            scheme = Scheme.objects.get(organisation_kind="court", role=role, is_active=True)
            assert assessment.scheme == scheme
            total, expected = _expected(scheme, _raw(world, assessment.officer, Q2.start, through), fraction)
            assert _computed(assessment) == expected, assessment.officer.officer_id
            assert assessment.score == total
            assert assessment.band_grade == scheme.band(total)
            assert assessment.window_to == through
            excellent += assessment.grade == Grade.EXCELLENT
        assert excellent <= 2  # one per role at most: 20 % of two, rounded down, at least one


def test_the_quota_holds_back_the_lower_excellent_scores(world):
    _generate(world)
    for scheme in Scheme.objects.filter(organisation_kind="court"):
        services.scheme_revise(scheme=scheme, changes={"excellent_from": 0, "competent_from": 0, "basic_from": 0})
    services.assessments_compute(organisation=world.court, period=Q2)
    officers = sorted(Assessment.objects.filter(scheme__role="officer"), key=lambda a: (-a.score, a.officer.officer_id))
    assert [a.grade for a in officers] == [Grade.EXCELLENT, Grade.COMPETENT]
    assert [a.quota_limited for a in officers] == [False, True]
    assert all(a.band_grade == Grade.EXCELLENT for a in officers)


def _signed(world) -> Assessment:
    _generate(world)
    services.assessments_compute(organisation=world.court, period=Q2)
    assessment = Assessment.objects.get(officer=world.judge, period_start=Q2.start)
    services.assessment_propose(actor=world.chief, assessment=assessment, note="按计算结果")
    return services.assessment_sign(actor=world.president, assessment=assessment)


def test_a_scheme_change_leaves_signed_assessments_untouched(world):
    signed = _signed(world)
    before = Assessment.objects.values().get(pk=signed.pk)
    other_before = Assessment.objects.get(officer=world.judge2, period_start=Q2.start)
    old = Scheme.objects.get(organisation_kind="court", role="officer", is_active=True)
    components = old.components
    components[0]["weight"] = 80  # workload weighs far more now
    new = services.scheme_revise(scheme=old, changes={"components": components, "excellent_from": 95})
    assert new.version == old.version + 1 and new.is_active
    old.refresh_from_db()
    assert not old.is_active and old.components[0]["weight"] != 80  # the old version stays as it was
    services.assessments_compute(organisation=world.court, period=Q2)
    assert Assessment.objects.values().get(pk=signed.pk) == before  # untouched: scheme, lines, score, grade
    other = Assessment.objects.get(officer=world.judge2, period_start=Q2.start)
    assert other.scheme == new and other.lines[0]["weight"] == "80"
    assert other.score != other_before.score or other.lines != other_before.lines
    with pytest.raises(ValidationFailed):
        services.scheme_revise(scheme=new, changes={"components": [{"code": "x", "label": "x", "weight": 1}]})


def test_a_contest_changes_the_grade_only_through_its_decision(world):
    assessment = _signed(world)
    grade = assessment.grade
    assert Notification.objects.filter(recipient=world.judge, link__contains=str(assessment.public_id)).exists()
    with pytest.raises(PowerDenied):
        services.assessment_contest(actor=world.judge2, assessment=assessment, reasons="不服")
    with pytest.raises(ValidationFailed):
        services.assessment_contest(actor=world.judge, assessment=assessment, reasons="  ")
    contested = services.assessment_contest(actor=world.judge, assessment=assessment, reasons="评查等次有误")
    assert contested.status == Status.CONTESTED and contested.grade == grade  # contesting changes nothing
    new_grade = Grade.INCOMPETENT if grade != Grade.INCOMPETENT else Grade.COMPETENT
    with pytest.raises(PowerDenied):  # the proposer does not decide
        services.assessment_decide(actor=world.chief, assessment=contested, grade=new_grade, reasons="维持")
    with pytest.raises(ValidationFailed):
        services.assessment_decide(actor=world.president, assessment=contested, grade="gold", reasons="改")
    decided = services.assessment_decide(
        actor=world.president, assessment=contested, grade=new_grade, reasons="复核改定"
    )
    assert decided.grade == new_grade and decided.status == Status.DECIDED
    kinds = list(AssessmentEvent.objects.filter(assessment=decided).order_by("seq").values_list("kind", flat=True))
    assert kinds == ["proposed", "signed", "contested", "decided"]
    assert services.verify(decided) == []
    with pytest.raises(Conflict):
        services.assessment_contest(actor=world.judge, assessment=decided, reasons="再次")
    # the table refuses a rewrite; with its trigger off (the database's owner), the chain still finds it
    with past_append_only_triggers():
        AssessmentEvent.objects.filter(assessment=decided, seq=3).update(note="改写")
    assert services.verify(decided) != []


def test_who_may_take_each_step(world):
    _generate(world)
    services.assessments_compute(organisation=world.court, period=Q2, through=dt.date(2025, 5, 1))
    running = Assessment.objects.get(officer=world.judge, period_start=Q2.start)
    with pytest.raises(Conflict):  # the period is not over
        services.assessment_propose(actor=world.chief, assessment=running)
    services.assessments_compute(organisation=world.court, period=Q2)
    judge = Assessment.objects.get(officer=world.judge, period_start=Q2.start)
    chief = Assessment.objects.get(officer=world.chief, period_start=Q2.start)
    for actor in (world.judge2, world.criminal_chief, world.other_chief, world.evaluator):
        with pytest.raises(PowerDenied):
            services.assessment_propose(actor=actor, assessment=judge)
    with pytest.raises(PowerDenied):  # a leader's assessment is proposed by the head or a deputy
        services.assessment_propose(actor=world.criminal_chief, assessment=chief)
    with pytest.raises(Conflict):  # not proposed yet
        services.assessment_sign(actor=world.president, assessment=judge)
    services.assessment_propose(actor=world.chief, assessment=judge)
    services.assessment_propose(actor=world.president, assessment=chief)
    for actor in (world.chief, world.judge, world.high_president):
        with pytest.raises(PowerDenied):
            services.assessment_sign(actor=actor, assessment=judge)
    signed = services.assessment_sign(actor=world.president, assessment=judge)
    Assessment.objects.filter(pk=signed.pk).update(contest_due=dt.date.today() - dt.timedelta(days=1))
    signed.refresh_from_db()
    with pytest.raises(ValidationFailed):  # too late
        services.assessment_contest(actor=world.judge, assessment=signed, reasons="迟到的异议")
    assert services.finalise_lapsed() == 1
    signed.refresh_from_db()
    assert signed.status == Status.FINAL
    # what each can read
    assert set(assessments_visible_to(world.judge.user).values_list("officer_id", flat=True)) == {world.judge.pk}
    assert world.judge2.pk in set(assessments_visible_to(world.chief.user).values_list("officer_id", flat=True))
    assert not assessments_visible_to(world.other_chief.user).exists()
    president_sees = set(assessments_visible_to(world.president.user).values_list("officer_id", flat=True))
    assert world.judge2.pk not in president_sees  # not proposed: no name for the president
    assert {world.judge.pk, world.chief.pk} <= president_sees


def test_two_years_incompetent_open_a_quota_exit_review_once(world):
    scheme = Scheme.objects.get(organisation_kind="court", role="officer", is_active=True)
    years = []
    for year in (2024, 2025):
        years.append(
            Assessment.objects.create(
                officer=world.judge,
                organisation=world.court,
                department=world.civil,
                period_kind="year",
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                window_to=dt.date(year, 12, 31),
                scheme=scheme,
                status=Status.PROPOSED,
                score=Decimal("50"),
                band_grade=Grade.INCOMPETENT,
                grade=Grade.INCOMPETENT,
                computed_at=timezone.now(),
                proposed_by=world.chief,
            )
        )
    first = services.assessment_sign(actor=world.president, assessment=years[0])
    Assessment.objects.filter(pk=first.pk).update(contest_due=dt.date(2020, 1, 1))
    services.finalise_lapsed()
    assert not AssessmentConsequence.objects.exists()  # one year is not two
    second = services.assessment_sign(actor=world.president, assessment=years[1])
    services.assessment_contest(actor=world.judge, assessment=second, reasons="不服")
    assert not AssessmentConsequence.objects.exists()  # not settled while contested
    services.assessment_decide(actor=world.president, assessment=second, grade=Grade.INCOMPETENT, reasons="维持")
    consequence = AssessmentConsequence.objects.get()
    assert (consequence.officer, consequence.year, consequence.consequence) == (world.judge, 2025, "quota_exit_review")
    assert Notification.objects.filter(recipient=world.judge, message__contains="2").count() >= 1
    services.consequences_apply(Assessment.objects.get(pk=second.pk))  # again: still one
    assert AssessmentConsequence.objects.count() == 1


def test_the_api_steps_and_their_refusals(world):
    _generate(world)
    services.assessments_compute(organisation=world.court, period=Q2)
    assessment = Assessment.objects.get(officer=world.judge, period_start=Q2.start)
    url = reverse("api-assessment-step", args=[assessment.public_id, "propose"])
    assert client_for(world.judge2).post(url, {}, format="json").status_code == 404  # not visible to a colleague
    response = client_for(world.judge).post(url, {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "power_denied"
    response = client_for(world.chief).post(url, {"expected_version": 99}, format="json")
    assert response.status_code == 409
    response = client_for(world.chief).post(url, {"note": "建议"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "proposed"
    again = client_for(world.chief).post(url, {}, format="json")
    assert again.status_code == 409 and again.json()["details"]["status"] == ["proposed"] or again.status_code == 409
    sign = reverse("api-assessment-step", args=[assessment.public_id, "sign"])
    assert client_for(world.president).post(sign, {}, format="json").json()["status"] == "signed"
    contest = reverse("api-assessment-step", args=[assessment.public_id, "contest"])
    response = client_for(world.judge).post(contest, {"reasons": ""}, format="json")
    assert response.status_code == 400 and "reasons" in response.json()["details"]
    decide = reverse("api-assessment-step", args=[assessment.public_id, "decide"])
    assert client_for(world.judge).post(contest, {"reasons": "有误"}, format="json").status_code == 200
    response = client_for(world.president).post(decide, {"reasons": "改"}, format="json")
    assert response.status_code == 400 and "grade" in response.json()["details"]
    response = client_for(world.president).post(decide, {"grade": "basic", "reasons": "改定"}, format="json")
    body = response.json()
    assert body["grade"] == "basic" and [e["kind"] for e in body["events"]] == [
        "proposed",
        "signed",
        "contested",
        "decided",
    ]
    listed = client_for(world.judge).get(reverse("api-assessments")).json()
    assert {row["officer_id"] for row in listed} == {"judge"}


def test_pages_keep_their_query_counts(world, client, django_assert_max_num_queries):
    _generate(world)
    services.assessments_compute(organisation=world.court, period=Q2)
    for assessment in Assessment.objects.filter(scheme__role="officer"):
        services.assessment_propose(actor=world.chief, assessment=assessment)
    client.force_login(world.president.user)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("assessment:distribution"))
    assert page.status_code == 200
    text = page.content.decode()
    assert world.judge.name in text  # awaiting his signature: named
    assert world.chief.name not in text.split('id="named"')[0].split("</nav>")[-1]  # counts only above
    with django_assert_max_num_queries(25):
        assert client.get(reverse("assessment:index")).status_code == 200
    export = client.get(reverse("assessment:export") + f"?period={Q2.key}")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(world.judge.user)
    mine = Assessment.objects.get(officer=world.judge, period_start=Q2.start)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("assessment:detail", args=[mine.public_id]))
    assert "dashboards/cases/" in page.content.decode()  # the officer drills into the cases behind a number
    client.force_login(world.judge2.user)
    assert client.get(reverse("assessment:detail", args=[mine.public_id])).status_code == 404


def test_the_nightly_task_computes_the_running_periods(world, django_capture_on_commit_callbacks):
    _generate(world)
    with django_capture_on_commit_callbacks(execute=True):
        assert nightly_task(day="2025-05-21") == 3  # three organisations, one task each (run in-process here)
    running = Assessment.objects.filter(organisation=world.court, window_to=dt.date(2025, 5, 20))
    assert {a.period_kind for a in running} == {"quarter", "year"}
    assert running.count() == 8
    with django_capture_on_commit_callbacks(execute=True):
        assert nightly_task(day="2025-05-21") == 0  # delivered twice: nothing more is queued


def test_a_scheme_changed_in_the_admin_is_a_new_version(admin_client, world):
    scheme = Scheme.objects.get(organisation_kind="court", role="officer", is_active=True)
    url = reverse("admin:assessment_scheme_change", args=[scheme.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data["components"] = json.dumps(scheme.components, ensure_ascii=False)
    data["excellent_from"] = "92"
    response = admin_client.post(url, {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.excellent_from == 90 and not scheme.is_active  # the version edited stays as it was
    new = Scheme.objects.get(organisation_kind="court", role="officer", is_active=True)
    assert (new.version, new.excellent_from) == (scheme.version + 1, 92)
