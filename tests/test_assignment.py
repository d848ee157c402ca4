"""Assignment (分案): the random draw among the eligible judges, reproducible from its record and even (chi-square);
designated assignment, a change of the lead judge and recusal, each decided once by whom the rules name; the panel;
assistants and clerks; the pages and the API, and who may and who may not."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accountability.errors import Conflict, PowerDenied, ValidationFailed
from accountability.models import Notification, PowerItem
from cases import assignment
from cases.audit import verify_chains
from cases.models import Action, AssignmentDraw, AssignmentPolicy, Case, CaseParticipant, CaseRequest
from discipline import services as discipline
from tests.conftest import client_for
from tests.factories import CaseFactory, make_officer

pytestmark = pytest.mark.django_db
CHI2_4DF_999 = 18.467  # the 0.999 quantile of the chi-square distribution with 4 degrees of freedom


def unassigned(world, **kwargs) -> Case:
    kwargs.setdefault("organisation", world.court)
    kwargs.setdefault("department", world.civil)
    return CaseFactory(**kwargs)


def fresh(case: Case) -> Case:
    return Case.objects.select_related("lead_officer", "presiding_officer").get(pk=case.pk)


def state(case: Case) -> tuple:
    """What a refused write must leave exactly as it was."""
    row = Case.objects.get(pk=case.pk)
    return (
        row.lead_officer_id,
        row.presiding_officer_id,
        row.version,
        row.trace_length,
        row.trace_head,
        sorted(CaseParticipant.objects.filter(case=case).values_list("officer_id", "role")),
        list(CaseRequest.objects.filter(case=case).order_by("pk").values_list("status", "version", "decided_by")),
        AssignmentDraw.objects.filter(case=case).count(),
        Notification.objects.count(),
    )


def actions(case: Case) -> list[str]:
    return list(Action.objects.filter(case=case).order_by("seq").values_list("action_type", flat=True))


def suspend(world, officer) -> None:
    lead = discipline.lead_register(actor=None, officer=officer, source="manual", summary="线索")
    proceeding = discipline.lead_open(actor=world.inspector, lead=lead, allegation="调查")
    discipline.officer_suspend(actor=world.inspector, proceeding=proceeding, reason="暂停履职")


# --- the draw ----------------------------------------------------------------------------------------------------


def test_the_draw_only_picks_quota_judges_of_the_department_who_may_work_and_did_not_hear_the_original(world):
    o = make_officer
    court, civil = world.court, world.civil
    o("nonquota", roles=["judge"], organisation=court, department=civil, is_quota=False)
    gone = o("gone", roles=["judge"], organisation=court, department=civil, is_quota=True)
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])
    suspended = o("suspended", roles=["judge"], organisation=court, department=civil, is_quota=True)
    suspend(world, suspended)
    o("criminal_judge", roles=["judge"], organisation=court, department=world.criminal, is_quota=True)
    o("civil_assistant", roles=["assistant"], organisation=court, department=civil, is_quota=True)
    eligible = [world.judge, world.judge2, world.chief]  # in pk order: the draw's stable order

    case = unassigned(world)
    candidates, weighted = assignment.assignment_candidates(case=case)
    assert ([(c.officer_id, w) for c, w in candidates], weighted) == ([(x.officer_id, 1.0) for x in eligible], False)

    # a remanded case (发回重审): whoever heard the original, and the case before it, is left out
    first = world.case(lead_officer=world.judge, panel=[world.chief], assistants=[], clerks=[])
    appeal = world.case(lead_officer=world.judge2, panel=[], assistants=[], clerks=[], original_case=first)
    retrial = unassigned(world, original_case=appeal)
    assert assignment.assignment_candidates(case=retrial) == ([], False)
    newcomer = o("newcomer", roles=["judge"], organisation=court, department=civil, is_quota=True)
    assert [c for c, _w in assignment.assignment_candidates(case=retrial)[0]] == [newcomer]

    draw = assignment.case_assign_random(actor=world.filing, case=case, expected_version=case.version)
    case = fresh(case)
    assert case.lead_officer in [*eligible, newcomer] and case.lead_officer == draw.result
    assert (case.version, draw.kind, draw.seed == "", len(draw.seed)) == (2, "random", False, 32)
    assert draw.candidates == [[x.pk, 1.0] for x in [*eligible, newcomer]]
    assigned = case.actions.get(action_type="assigned")
    assert (assigned.power_item_code, assigned.actor, draw.action_seq) == ("CMO-02", world.filing, assigned.seq)
    assert assigned.payload == {
        "draw": str(draw.public_id),
        "kind": "random",
        "seed": draw.seed,
        "weighted": False,
        "candidates": [[x.officer_id, 1.0] for x in [*eligible, newcomer]],
        "result": draw.result.officer_id,
    }
    told = Notification.objects.filter(recipient=draw.result).values_list("message", flat=True)
    assert list(told) == [f"您被随机确定为案件{case.case_number}的承办法官。"]
    assert verify_chains() == []


def test_each_draw_is_reproduced_from_its_record_and_from_its_trace_for_fifty_draws(world):
    results = Counter()
    for _ in range(50):
        case = unassigned(world)
        draw = assignment.case_assign_random(actor=world.filing, case=case, expected_version=1)
        check = assignment.draw_verify(draw)
        assert (assignment.redraw(draw), check.reproducible, check.matches_trace) == (draw.result_id, True, True)
        results[draw.result_id] += 1
    assert len(results) > 1  # three candidates, fifty draws: not always the same judge
    assert verify_chains() == []


def test_a_rewritten_record_no_longer_reproduces(world):
    case = unassigned(world)
    draw = assignment.case_assign_random(actor=world.filing, case=case, expected_version=1)
    others = [pk for pk, _w in draw.candidates if pk != draw.result_id]
    # the same seed with the candidates reordered, as if the record had been edited
    tampered = AssignmentDraw(
        case=case, kind="random", seed=draw.seed, candidates=[[others[0], 1.0]], result_id=draw.result_id
    )
    tampered.public_id, tampered.action_seq = draw.public_id, draw.action_seq
    check = assignment.draw_verify(tampered)
    assert (check.reproducible, check.matches_trace) == (False, False)


def chi_square(observed: Counter, expected: dict) -> float:
    return sum((observed[k] - e) ** 2 / e for k, e in expected.items())


def test_ten_thousand_draws_over_five_equal_judges_spread_evenly():
    candidates = [[pk, 1.0] for pk in (11, 12, 13, 14, 15)]
    observed = Counter(assignment.draw_from(candidates, assignment.seed_new()) for _ in range(10_000))
    assert set(observed) == {11, 12, 13, 14, 15}
    assert chi_square(observed, dict.fromkeys(observed, 2000)) < CHI2_4DF_999


def test_weighted_draws_follow_the_weights():
    loads = {21: 0, 22: 1, 23: 3, 24: 0, 25: 4}
    candidates = [[pk, round(1 / (1 + n), 6)] for pk, n in loads.items()]
    total = sum(w for _pk, w in candidates)
    observed = Counter(assignment.draw_from(candidates, assignment.seed_new()) for _ in range(10_000))
    expected = {pk: 10_000 * w / total for pk, w in candidates}
    assert chi_square(observed, expected) < CHI2_4DF_999
    for pk, w in candidates:
        assert abs(observed[pk] / 10_000 - w / total) < 0.02


def test_the_same_seed_gives_the_same_judge_whatever_the_labels():
    seed = "0123456789abcdef0123456789abcdef"
    by_pk = assignment.draw_from([[1, 1.0], [2, 0.5], [3, 0.25]], seed)
    by_id = assignment.draw_from([["a", 1.0], ["b", 0.5], ["c", 0.25]], seed)
    assert {1: "a", 2: "b", 3: "c"}[by_pk] == by_id
    assert by_pk == random.Random(seed).choices([1, 2, 3], weights=[1.0, 0.5, 0.25], k=1)[0]  # noqa: S311


def test_a_court_that_weighs_by_caseload_records_one_over_one_plus_open_cases(world):
    AssignmentPolicy.objects.create(organisation=world.court, weighted_by_caseload=True)
    for _ in range(3):
        world.case(lead_officer=world.judge, panel=[], assistants=[], clerks=[])
    world.case(lead_officer=world.judge2, panel=[], assistants=[], clerks=[])
    world.case(lead_officer=world.judge2, panel=[], assistants=[], clerks=[], closed_on=dt.date(2024, 3, 1))
    case = unassigned(world)
    draw = assignment.case_assign_random(actor=world.filing, case=case, expected_version=1)
    assert draw.candidates == [[world.judge.pk, 0.25], [world.judge2.pk, 0.5], [world.chief.pk, 1.0]]
    assert case.actions.get(action_type="assigned").payload["weighted"] is True
    assert assignment.draw_verify(draw).reproducible is True


def test_a_random_draw_is_refused_on_an_assigned_case_a_stale_form_or_by_a_judge(world):
    case = world.case()
    before = state(case)
    with pytest.raises(Conflict):
        assignment.case_assign_random(actor=world.filing, case=case, expected_version=case.version)
    other = unassigned(world)
    with pytest.raises(Conflict):
        assignment.case_assign_random(actor=world.filing, case=other, expected_version=7)
    with pytest.raises(PowerDenied):
        assignment.case_assign_random(actor=world.judge, case=other, expected_version=1)
    with pytest.raises(PowerDenied):  # another court's chief
        assignment.case_assign_random(actor=world.other_chief, case=other, expected_version=1)
    assert state(case) == before and state(other)[:5] == (None, None, 1, 0, fresh(other).trace_head)


# --- designated assignment ---------------------------------------------------------------------------------------


def test_a_designation_needs_an_allowed_reason_and_a_leaders_approval_once(world):
    case = unassigned(world)
    with pytest.raises(ValidationFailed) as bad:
        assignment.assignment_designate_request(
            actor=world.filing, case=case, officer=world.judge2, reason_code="friendship", reason="熟悉"
        )
    assert list(bad.value.details) == ["reason_code"]
    with pytest.raises(ValidationFailed) as empty:
        assignment.assignment_designate_request(
            actor=world.filing, case=case, officer=world.judge2, reason_code="related_case", reason=" "
        )
    assert list(empty.value.details) == ["reason"]
    with pytest.raises(ValidationFailed) as not_quota:
        assignment.assignment_designate_request(
            actor=world.filing, case=case, officer=world.assistant, reason_code="related_case", reason="关联案件"
        )
    assert list(not_quota.value.details) == ["officer"]

    request = assignment.assignment_designate_request(
        actor=world.filing,
        case=case,
        officer=world.judge2,
        reason_code="related_case",
        reason="与（2024）沪0101民初1号系关联案件",
        expected_version=1,
    )
    assert (fresh(case).lead_officer, request.status, request.subject) == (None, "pending", world.judge2)
    asked = case.actions.get(action_type="assignment_designated")
    assert (asked.power_item_code, asked.payload) == (
        "CMO-13",
        {"request": str(request.public_id), "status": "pending", "officer": "judge2", "reason_code": "related_case"},
    )
    assert Notification.objects.filter(recipient=world.chief).count() == 1
    with pytest.raises(Conflict):  # no random draw while the designation waits
        assignment.case_assign_random(actor=world.filing, case=case, expected_version=1)

    before = state(case)
    for who, error in ((world.judge, PowerDenied), (world.filing, PowerDenied), (world.criminal_chief, PowerDenied)):
        with pytest.raises(error):
            assignment.assignment_designate_decide(actor=who, request=request, approve=True, expected_version=1)
    with pytest.raises(ValidationFailed) as no_reason:
        assignment.assignment_designate_decide(actor=world.chief, request=request, approve=False, expected_version=1)
    assert list(no_reason.value.details) == ["note"]
    with pytest.raises(Conflict):
        assignment.assignment_designate_decide(actor=world.chief, request=request, approve=True, expected_version=5)
    assert state(case) == before

    assignment.assignment_designate_decide(actor=world.chief, request=request, approve=True, expected_version=1)
    case = fresh(case)
    draw = AssignmentDraw.objects.get(case=case)
    assert (case.lead_officer, case.version) == (world.judge2, 2)
    assert (draw.kind, draw.reason, draw.approved_by, draw.seed, draw.candidates) == (
        "designated",
        "related_case",
        world.chief,
        "",
        [],
    )
    assert actions(case) == ["assignment_designated", "assignment_designated", "assigned"]
    decided = case.actions.filter(action_type="assignment_designated").last()
    assert (decided.power_item_code, decided.payload["status"]) == ("CHF-18", "approved")
    assert assignment.draw_verify(draw) == assignment.DrawCheck(None, None, True)

    before = state(case)
    with pytest.raises(Conflict):  # decided once
        assignment.assignment_designate_decide(actor=world.president, request=request, approve=False, note="不同意")
    assert state(case) == before
    assert verify_chains() == []


def test_a_refused_designation_leaves_the_case_to_the_draw(world):
    case = unassigned(world)
    request = assignment.assignment_designate_request(
        actor=world.filing, case=case, officer=world.judge, reason_code="specialised", reason="专业审判"
    )
    assignment.assignment_designate_decide(
        actor=world.president, request=request, approve=False, note="不符合指定分案情形", expected_version=1
    )
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_note) == (
        "refused",
        world.president,
        "不符合指定分案情形",
    )
    assert fresh(case).lead_officer is None
    told = list(Notification.objects.filter(recipient=world.filing).values_list("message", flat=True))
    assert told == [f"指定分案（案件{case.case_number}）未获批准：不符合指定分案情形"]
    assignment.case_assign_random(actor=world.filing, case=case, expected_version=1)
    assert actions(case) == ["assignment_designated", "assignment_designated", "assigned"]


# --- change of the lead judge ------------------------------------------------------------------------------------


def test_a_change_of_the_lead_judge_is_asked_by_the_lead_and_approved_by_a_leader(world):
    case = world.case()  # judge leads, judge2 on the panel
    assignment.panel_form(
        actor=world.chief,
        case=case,
        members=[world.judge, world.judge2, world.chief],
        presiding=world.judge,
        expected_version=case.version,
    )
    case = fresh(case)
    with pytest.raises(PowerDenied):  # only the lead asks
        assignment.lead_change_request(actor=world.judge2, case=case, new_lead=world.judge2, reason="r")
    with pytest.raises(ValidationFailed) as same:
        assignment.lead_change_request(actor=world.judge, case=case, new_lead=world.judge, reason="r")
    assert list(same.value.details) == ["new_lead"]
    request = assignment.lead_change_request(
        actor=world.judge, case=case, new_lead=world.judge2, reason="承办人长期病休", expected_version=case.version
    )
    with pytest.raises(Conflict):
        assignment.lead_change_request(actor=world.judge, case=case, new_lead=world.chief, reason="again")
    with pytest.raises(PowerDenied):  # a judge cannot approve
        assignment.lead_change_decide(actor=world.judge2, request=request, approve=True)
    assignment.lead_change_decide(actor=world.chief, request=request, approve=True, expected_version=1)
    case = fresh(case)
    assert case.lead_officer == world.judge2
    # judge2 left a panel seat, which the former lead keeps: the panel keeps its three judges and its presiding judge
    assert assignment.panel_state(case).problems == []
    assert sorted(
        CaseParticipant.objects.filter(case=case, role="panel").values_list("officer__officer_id", flat=True)
    ) == [
        "chief",
        "judge",
    ]
    assert case.presiding_officer == world.judge
    changed = case.actions.get(action_type="lead_changed")
    draw = AssignmentDraw.objects.get(case=case, kind="change")
    assert (changed.power_item_code, changed.payload) == (
        "CHF-19",
        {
            "request": str(request.public_id),
            "status": "approved",
            "from": "judge",
            "to": "judge2",
            "draw": str(draw.public_id),
        },
    )
    assert (draw.result, draw.approved_by, draw.note) == (world.judge2, world.chief, "承办人长期病休")
    assert verify_chains() == []


# --- the panel ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "presiding", "field"),
    [
        (["judge", "judge2"], "judge", "members"),  # even
        (["judge2", "chief", "president"], "chief", "members"),  # the lead is missing
        (["judge", "judge2", "judge2"], "judge", "members"),  # twice
        (["judge", "judge2", "chief"], "president", "presiding"),  # not a member
        (["judge", "judge2", "assistant"], "judge", "members"),  # not a quota judge
        (["judge", "judge2", "other_judge"], "judge", "members"),  # another court
    ],
)
def test_a_panel_that_breaks_a_rule_is_refused_naming_the_field(world, names, presiding, field):
    case = world.case()
    before = state(case)
    with pytest.raises(ValidationFailed) as refused:
        assignment.panel_form(
            actor=world.chief,
            case=case,
            members=[getattr(world, n) for n in names],
            presiding=getattr(world, presiding),
            expected_version=case.version,
        )
    assert list(refused.value.details) == [field]
    assert state(case) == before


def test_a_panel_of_three_with_its_presiding_judge_and_a_sole_judge_on_the_summary_track(world):
    case = world.case()
    with pytest.raises(PowerDenied):  # a clerk cannot form a panel
        assignment.panel_form(
            actor=world.clerk, case=case, members=[world.judge], presiding=world.judge, expected_version=case.version
        )
    assignment.panel_form(
        actor=world.president,
        case=case,
        members=[world.judge, world.judge2, world.president],
        presiding=world.president,
        expected_version=case.version,
    )
    case = fresh(case)
    assert case.presiding_officer == world.president
    formed = case.actions.get(action_type="panel_formed")
    assert (formed.power_item_code, formed.payload) == (
        "PRE-20",
        {
            "members": ["judge", "judge2", "president"],
            "presiding": "president",
            "sole_judge": False,
            "before": {"members": ["judge", "judge2"], "presiding": None},
        },
    )
    summary = world.case(track="summary", panel=[])
    with pytest.raises(ValidationFailed) as three:
        assignment.panel_form(
            actor=world.chief,
            case=summary,
            members=[world.judge, world.judge2, world.chief],
            presiding=world.judge,
            expected_version=summary.version,
        )
    assert list(three.value.details) == ["members"]
    assignment.panel_form(
        actor=world.chief, case=summary, members=[world.judge], presiding=world.judge, expected_version=summary.version
    )
    assert assignment.panel_state(fresh(summary)).problems == []


# --- assistants and clerks ---------------------------------------------------------------------------------------


def test_the_lead_judge_attaches_an_assistant_and_a_clerk(world):
    case = world.case(assistants=[], clerks=[])
    with pytest.raises(PowerDenied):  # a panel member is not the lead
        assignment.participant_attach(actor=world.judge2, case=case, officer=world.assistant, role="assistant")
    with pytest.raises(ValidationFailed) as wrong:
        assignment.participant_attach(actor=world.judge, case=case, officer=world.clerk, role="assistant")
    assert list(wrong.value.details) == ["officer"]
    assignment.participant_attach(
        actor=world.judge, case=case, officer=world.assistant, role="assistant", expected_version=case.version
    )
    assignment.participant_attach(actor=world.judge, case=case, officer=world.clerk, role="clerk")
    with pytest.raises(Conflict):
        assignment.participant_attach(actor=world.judge, case=case, officer=world.clerk, role="clerk")
    attached = case.actions.filter(action_type="participant_attached").order_by("seq")
    code = PowerItem.objects.get(role_id="judge", action_type="participant_attached").code
    assert [(a.power_item_code, a.payload) for a in attached] == [
        (code, {"officer": "assistant", "role": "assistant"}),
        (code, {"officer": "clerk", "role": "clerk"}),
    ]
    assert fresh(case).participation_of(world.clerk) == "clerk"


# --- recusal -----------------------------------------------------------------------------------------------------


def test_a_panel_member_withdraws_and_the_president_decides(world):
    case = world.case()
    assignment.panel_form(
        actor=world.chief,
        case=case,
        members=[world.judge, world.judge2, world.chief],
        presiding=world.judge2,
        expected_version=case.version,
    )
    with pytest.raises(ValidationFailed) as other:  # a member asks only for their own recusal
        assignment.recusal_request(actor=world.judge2, case=case, subject=world.chief, reason="r")
    assert list(other.value.details) == ["subject"]
    request = assignment.recusal_request(actor=world.judge2, case=case, subject=world.judge2, reason="与当事人系同学")
    assert case.actions.get(action_type="recusal_requested").payload == {
        "request": str(request.public_id),
        "status": "pending",
        "subject": "judge2",
        "by": "self",
    }
    with pytest.raises(PowerDenied):  # the division chief does not decide recusals (PRE-21)
        assignment.recusal_decide(actor=world.chief, request=request, approve=True)
    assignment.recusal_decide(actor=world.president, request=request, approve=True, expected_version=1)
    case = fresh(case)
    assert (case.lead_officer, case.presiding_officer, case.participation_of(world.judge2)) == (world.judge, None, None)
    assert assignment.panel_state(case).problems == [
        "合议庭现有2名法官：请重新组成奇数人数的合议庭。",
        "合议庭尚无审判长。",
    ]
    decided = case.actions.get(action_type="recusal_decided")
    assert (decided.power_item_code, decided.payload["removed"]) == ("PRE-21", ["panel"])
    assert verify_chains() == []


def test_the_lead_judges_recusal_on_a_partys_application_draws_the_case_again_without_them(world):
    case = world.case(panel=[], assistants=[], clerks=[])
    request = assignment.recusal_request(
        actor=world.judge, case=case, subject=world.judge, reason="当事人申请：承办法官系原告近亲属"
    )
    assignment.recusal_decide(actor=world.president, request=request, approve=True, expected_version=1)
    case = fresh(case)
    assert case.lead_officer in (world.judge2, world.chief)
    draw = AssignmentDraw.objects.get(case=case)
    assert draw.candidates == [[world.judge2.pk, 1.0], [world.chief.pk, 1.0]]
    assert assignment.draw_verify(draw).reproducible is True
    assert actions(case)[-3:] == ["recusal_requested", "recusal_decided", "assigned"]
    redrawn = case.actions.get(action_type="assigned", seq=draw.action_seq)
    assert (redrawn.power_item_code, redrawn.payload["recusal"]) == ("PRE-21", str(request.public_id))
    assert verify_chains() == []


def test_a_refused_recusal_needs_a_reason_and_a_president_never_decides_his_own(world):
    case = world.case()
    assignment.panel_form(
        actor=world.chief,
        case=case,
        members=[world.judge, world.judge2, world.president],
        presiding=world.president,
        expected_version=case.version,
    )
    own = assignment.recusal_request(actor=world.president, case=case, subject=world.president, reason="曾为代理人")
    before = state(case)
    with pytest.raises(PowerDenied):
        assignment.recusal_decide(actor=world.president, request=own, approve=True)
    assert state(case) == before
    request = assignment.recusal_request(actor=world.judge, case=case, subject=world.judge2, reason="当事人申请")
    assert case.actions.filter(action_type="recusal_requested").last().payload["by"] == "party_application"
    with pytest.raises(ValidationFailed):
        assignment.recusal_decide(actor=world.president, request=request, approve=False)
    assignment.recusal_decide(actor=world.president, request=request, approve=False, note="申请理由不成立")
    assert fresh(case).participation_of(world.judge2) == "panel"


# --- the pages ---------------------------------------------------------------------------------------------------


def page(officer, url):
    client = client_for(officer)
    return client, client.get(url)


def test_the_case_page_offers_the_draw_and_the_draw_record_says_it_reproduces(world):
    case = unassigned(world)
    client, shown = page(world.filing, reverse("cases:detail", args=[case.public_id]))
    body = shown.content.decode()
    assert 'id="assign-random-form"' in body and "随机分案" in body and 'id="designation-form"' in body
    response = client.post(
        reverse("cases:assign-random", args=[case.public_id]),
        {"version": "1", "next": reverse("cases:detail", args=[case.public_id])},
    )
    assert response.status_code == 302
    draw = AssignmentDraw.objects.get(case=case)
    record = client.get(reverse("cases:draw", args=[case.public_id, draw.public_id])).content.decode()
    assert '<dd id="draw-reproducible"><span class="ok">是</span></dd>' in record
    assert f'<code id="draw-seed">{draw.seed}</code>' in record
    assert '<dd id="draw-count">3</dd>' in record
    assert "可复现" in record and "33.3%" in record
    # the judge drawn sees himself as the lead, no draw any more, and the forms the lead judge has
    _judge, judge_page = page(draw.result, reverse("cases:detail", args=[case.public_id]))
    body = judge_page.content.decode()
    assert f'<dd id="assignment-lead">{draw.result.name}</dd>' in body
    assert [
        form in body for form in ('id="assign-random-form"', 'id="lead-change-form"', 'id="attach-clerk-form"')
    ] == [
        False,
        True,
        True,
    ]
    assert ('id="panel-form"' in body) == (draw.result == world.chief)  # a leader forms the panel


def test_another_courts_president_gets_404_everywhere(world):
    case = unassigned(world)
    draw = assignment.case_assign_random(actor=world.filing, case=case, expected_version=1)
    outsider = make_officer(
        "other_president", roles=["judge", "president"], organisation=world.other_court, is_quota=True
    )
    client = client_for(outsider)
    request = assignment.recusal_request(actor=draw.result, case=case, subject=draw.result, reason="回避")
    before = state(case)
    for url in (
        reverse("cases:draw", args=[case.public_id, draw.public_id]),
        reverse("cases:assign-random", args=[case.public_id]),
        reverse("cases:panel-form", args=[case.public_id]),
        reverse("cases:request-decide", args=[request.public_id]),
    ):
        assert client.post(url, {"version": "2", "decision": "approve"}).status_code == 404
    api = client_for(outsider)
    assert (
        api.post(f"/api/case-requests/{request.public_id}/decision/", {"approve": True}, format="json").status_code
        == 404
    )
    assert api.post(f"/api/cases/{case.public_id}/panel/", {}, format="json").status_code == 404
    assert state(case) == before


def test_a_refusal_on_the_page_is_a_message_and_changes_nothing(world):
    case = world.case()
    client = client_for(world.clerk)
    before = state(case)
    detail = reverse("cases:detail", args=[case.public_id])
    response = client.post(
        reverse("cases:panel-form", args=[case.public_id]),
        {"version": str(case.version), "members": [world.judge.pk], "presiding": world.judge.pk, "next": detail},
        follow=True,
    )
    assert response.redirect_chain == [(detail, 302)]
    assert "权责清单中没有事项允许您以现有角色在本案中进行此操作。" in response.content.decode()
    assert state(case) == before


def test_the_requests_inbox_shows_each_leader_what_they_decide_and_decides_it(world):
    case = world.case()
    change = assignment.lead_change_request(actor=world.judge, case=case, new_lead=world.judge2, reason="工作调整")
    recusal = assignment.recusal_request(actor=world.judge2, case=case, subject=world.judge2, reason="回避")
    inbox = reverse("cases:requests")
    _c, chief_page = page(world.chief, inbox)
    _p, president_page = page(world.president, inbox)
    _j, judge_page = page(world.judge, inbox)
    _o, other_page = page(world.criminal_chief, inbox)
    assert (f"request-{change.public_id}" in chief_page.content.decode()) is True
    assert (f"request-{recusal.public_id}" in chief_page.content.decode()) is False
    assert [f"request-{r.public_id}" in president_page.content.decode() for r in (change, recusal)] == [True, True]
    assert "待您审批的事项" in judge_page.content.decode() and "没有待您审批的事项" in judge_page.content.decode()
    assert f"request-{change.public_id}" not in other_page.content.decode()

    client = client_for(world.president)
    response = client.post(
        reverse("cases:request-decide", args=[recusal.public_id]),
        {"decision": "approve", "version": "1", "note": "", "next": inbox},
    )
    assert response.status_code == 302 and response["Location"] == inbox
    recusal.refresh_from_db()
    assert (recusal.status, recusal.decided_by) == ("approved", world.president)


def test_the_inbox_costs_the_same_queries_for_one_request_and_for_three(world):
    def requests_for(n):
        for _ in range(n):
            case = unassigned(world)
            assignment.assignment_designate_request(
                actor=world.filing, case=case, officer=world.judge, reason_code="specialised", reason="专业"
            )

    client = client_for(world.chief)
    requests_for(1)
    client.get(reverse("cases:requests"))  # warm the session and the caches
    with CaptureQueriesContext(connection) as one:
        first = client.get(reverse("cases:requests"))
    requests_for(2)
    with CaptureQueriesContext(connection) as three:
        second = client.get(reverse("cases:requests"))
    assert first.content.decode().count('name="decision" value="approve"') == 1
    assert second.content.decode().count('name="decision" value="approve"') == 3
    assert len(three) == len(one)


# --- the API -----------------------------------------------------------------------------------------------------


def test_the_api_draws_designates_decides_once_and_lists_what_awaits(world):
    case = unassigned(world)
    filing = client_for(world.filing)
    stale = filing.post(f"/api/cases/{case.public_id}/assignment/random/", {"expected_version": 9}, format="json")
    assert (stale.status_code, stale.json()["code"]) == (409, "conflict")
    drawn = filing.post(f"/api/cases/{case.public_id}/assignment/random/", {"expected_version": 1}, format="json")
    assert drawn.status_code == 201
    body = drawn.json()
    draw = AssignmentDraw.objects.get(case=case)
    assert body["id"] == str(draw.public_id)
    assert (body["kind"], body["seed"], body["result"]["officer_id"], body["reproducible"], body["case_version"]) == (
        "random",
        draw.seed,
        draw.result.officer_id,
        True,
        2,
    )
    assert [c["officer_id"] for c in body["candidates"]] == ["judge", "judge2", "chief"]

    other = unassigned(world)
    asked = filing.post(
        f"/api/cases/{other.public_id}/designation-requests/",
        {"officer": "judge", "reason_code": "major_sensitive", "reason": "重大敏感案件", "expected_version": 1},
        format="json",
    )
    assert asked.status_code == 201
    request_id = asked.json()["id"]
    assert (asked.json()["kind"], asked.json()["subject"], asked.json()["status"]) == (
        "designation",
        "judge",
        "pending",
    )
    unknown = filing.post(
        f"/api/cases/{other.public_id}/designation-requests/",
        {"officer": "nobody", "reason_code": "major_sensitive", "reason": "x", "expected_version": 1},
        format="json",
    )
    assert (unknown.status_code, list(unknown.json()["details"])) == (400, ["officer"])

    listed = client_for(world.chief).get("/api/case-requests/?status=pending&to_decide=true").json()
    assert [r["id"] for r in listed["results"]] == [request_id]
    assert client_for(world.other_chief).get("/api/case-requests/?status=pending").json()["results"] == []

    refused = filing.post(f"/api/case-requests/{request_id}/decision/", {"approve": True}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "power_denied")  # not a leader, and the requester
    chief = client_for(world.chief)
    approved = chief.post(
        f"/api/case-requests/{request_id}/decision/", {"approve": True, "expected_version": 1}, format="json"
    )
    assert (approved.status_code, approved.json()["status"], fresh(other).lead_officer) == (
        200,
        "approved",
        world.judge,
    )
    again = chief.post(f"/api/case-requests/{request_id}/decision/", {"approve": False, "note": "x"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    assert verify_chains() == []


def test_the_api_forms_the_panel_attaches_and_asks_for_changes_and_recusals(world):
    case = world.case(assistants=[])
    clerk = client_for(world.clerk)
    denied = clerk.post(
        f"/api/cases/{case.public_id}/panel/",
        {"members": ["judge"], "presiding": "judge", "expected_version": case.version},
        format="json",
    )
    assert (denied.status_code, denied.json()["code"]) == (403, "power_denied")
    chief = client_for(world.chief)
    even = chief.post(
        f"/api/cases/{case.public_id}/panel/",
        {"members": ["judge", "judge2"], "presiding": "judge", "expected_version": case.version},
        format="json",
    )
    assert (even.status_code, list(even.json()["details"])) == (400, ["members"])
    formed = chief.post(
        f"/api/cases/{case.public_id}/panel/",
        {"members": ["judge", "judge2", "chief"], "presiding": "chief", "expected_version": case.version},
        format="json",
    )
    assert formed.status_code == 200
    assert formed.json() == {
        "case": str(case.public_id),
        "case_version": case.version + 1,
        "lead": "judge",
        "presiding": "chief",
        "members": [
            {"officer_id": "judge", "name": "王法官"},
            {"officer_id": "judge2", "name": "李法官"},
            {"officer_id": "chief", "name": "孙庭长"},
        ],
    }
    lead = client_for(world.judge)
    attached = lead.post(
        f"/api/cases/{case.public_id}/participants/",
        {"officer": "assistant", "role": "assistant", "expected_version": case.version + 1},
        format="json",
    )
    assert (attached.status_code, attached.json()) == (
        201,
        {"officer_id": "assistant", "name": "赵助理", "role": "assistant", "case_version": case.version + 2},
    )
    change = lead.post(
        f"/api/cases/{case.public_id}/lead-change-requests/",
        {"new_lead": "judge2", "reason": "调整", "expected_version": case.version + 2},
        format="json",
    )
    recusal = lead.post(
        f"/api/cases/{case.public_id}/recusal-requests/",
        {"subject": "judge2", "reason": "当事人申请", "expected_version": case.version + 2},
        format="json",
    )
    assert (change.status_code, change.json()["kind"], recusal.status_code, recusal.json()["kind"]) == (
        201,
        "lead_change",
        201,
        "recusal",
    )
    schema = client_for(world.chief).get("/api/schema/?format=json").json()["paths"]
    for path in (
        "/api/cases/{id}/assignment/random/",
        "/api/cases/{id}/designation-requests/",
        "/api/cases/{id}/lead-change-requests/",
        "/api/cases/{id}/panel/",
        "/api/cases/{id}/participants/",
        "/api/cases/{id}/recusal-requests/",
        "/api/case-requests/",
    ):
        assert "post" in schema[path] or "get" in schema[path], path


def test_the_requests_list_costs_the_same_queries_for_one_and_three(world):
    client = client_for(world.chief)

    def ask(n):
        for _ in range(n):
            case = unassigned(world)
            assignment.assignment_designate_request(
                actor=world.filing, case=case, officer=world.judge, reason_code="specialised", reason="专业"
            )

    ask(1)
    client.get("/api/case-requests/?status=pending")
    with CaptureQueriesContext(connection) as one:
        first = client.get("/api/case-requests/?status=pending").json()
    ask(2)
    with CaptureQueriesContext(connection) as three:
        second = client.get("/api/case-requests/?status=pending").json()
    assert (len(first["results"]), len(second["results"])) == (1, 3)
    assert len(three) == len(one)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("filing", 201),
        ("chief", 201),
        ("president", 201),
        ("criminal_chief", 404),  # another division's case: not in sight
        ("evaluator", 403),  # sees the court's cases, may not assign
        ("judge", 404),
        ("other_chief", 404),
    ],
)
def test_who_may_draw_through_the_api(world, who, status):
    case = unassigned(world)
    response = client_for(getattr(world, who)).post(
        f"/api/cases/{case.public_id}/assignment/random/", {"expected_version": 1}, format="json"
    )
    assert (response.status_code, AssignmentDraw.objects.filter(case=case).count()) == (
        status,
        1 if status == 201 else 0,
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("chief", 200), ("president", 200), ("judge", 403), ("clerk", 403), ("filing", 403), ("other_chief", 404)],
)
def test_who_may_form_the_panel_through_the_api(world, who, status):
    case = world.case()
    response = client_for(getattr(world, who)).post(
        f"/api/cases/{case.public_id}/panel/",
        {"members": ["judge", "judge2", "chief"], "presiding": "judge", "expected_version": case.version},
        format="json",
    )
    assert (response.status_code, fresh(case).presiding_officer_id) == (
        status,
        world.judge.pk if status == 200 else None,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_parallel_draws_of_one_case_give_one_judge_and_ten_decisions_one_approval(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    case = unassigned(world)
    other = unassigned(world)
    request = assignment.assignment_designate_request(
        actor=world.filing, case=other, officer=world.judge, reason_code="specialised", reason="专业"
    )
    outcomes: dict[str, list[str]] = {"draw": [], "decide": []}

    def run(kind: str, barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            if kind == "draw":
                assignment.case_assign_random(actor=world.filing, case=case, expected_version=None)
            else:
                assignment.assignment_designate_decide(actor=world.chief, request=request, approve=True)
            outcomes[kind].append("ok")
        except Conflict:
            outcomes[kind].append("conflict")
        finally:
            connection.close()

    for kind in ("draw", "decide"):
        barrier = threading.Barrier(10)
        threads = [threading.Thread(target=run, args=(kind, barrier)) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes[kind]) == ["conflict"] * 9 + ["ok"]
    assert AssignmentDraw.objects.filter(case=case).count() == 1
    assert AssignmentDraw.objects.filter(case=other).count() == 1
    assert actions(case) == ["assigned"] and actions(other).count("assigned") == 1
    assert verify_chains() == []
