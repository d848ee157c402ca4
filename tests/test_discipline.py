"""Discipline (DOMAIN.md §9): leads, the proceeding's state machine and chained trace, the committee's
composition, recusal and votes, the four opinions with exemptions, service and objection, decision and
sanctions (suspension and quota loss acting through the power list), review and appeal windows, and an
appeal that can never end harsher."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accountability.errors import Conflict, PowerDenied, ValidationFailed
from accountability.models import Notification
from accountability.powers import power_decide
from cases import services as case_services
from discipline import services
from discipline.choices import Exemption, Stage
from discipline.models import Committee, CommitteeMember, Lead, Proceeding, Sanction, Suspension
from discipline.selectors import proceeding_get_for_user, proceedings_visible_to
from tests.factories import make_officer

pytestmark = pytest.mark.django_db

EVERY_EXEMPTION = [services.Finding(code, False, "不适用：有证据证明") for code in Exemption.values]


@pytest.fixture
def panel(world):
    judges = [
        make_officer(
            f"cm{i}", roles=["judge", "committee_member"], organisation=world.high, is_quota=True, name=f"委员{i}"
        )
        for i in range(1, 4)
    ]
    committee = Committee.objects.create(organisation=world.high, name="上海市法官惩戒委员会")
    for member in [world.committee, *judges]:
        CommitteeMember.objects.create(committee=committee, officer=member)
    return committee, [world.committee, *judges]


def opened(world, **kwargs) -> Proceeding:
    lead = services.lead_register(
        actor=world.inspector,
        officer=world.judge,
        source="complaint",
        summary="当事人投诉违法审判",
        origin={"complaint": "2025-001"},
    )
    return services.lead_open(actor=world.inspector, lead=lead, allegation="涉嫌故意违反法定程序")


def referred(world, panel) -> Proceeding:
    committee, members = panel
    return services.proceeding_refer(
        actor=world.inspector, proceeding=opened(world), committee=committee, members=members, findings="调查核实报告"
    )


def heard(world, panel) -> Proceeding:
    proceeding = referred(world, panel)
    member = panel[1][1]
    services.notice_serve(
        actor=member,
        proceeding=proceeding,
        hearing_on=timezone.localdate() + dt.timedelta(days=7),
        notice="拟于听证会审议",
    )
    return services.hearing_record(actor=member, proceeding=proceeding, record="听证笔录")


def opinion(world, panel, verdict="gross_negligence") -> Proceeding:
    proceeding = heard(world, panel)
    for member in panel[1][1:]:
        services.vote_cast(actor=member, proceeding=proceeding, opinion=verdict, reason="同意")
    return services.opinion_give(
        actor=panel[1][1], proceeding=proceeding, reasons="存在重大过失", findings=EVERY_EXEMPTION
    )


def served(world, panel, verdict="gross_negligence") -> Proceeding:
    return services.opinion_serve(actor=panel[1][1], proceeding=opinion(world, panel, verdict))


def decided(world, panel, kind="demerit", measures=()) -> Proceeding:
    proceeding = served(world, panel)
    with time_machine.travel(timezone.now() + dt.timedelta(days=11)):
        services.finalise_unobjected()
        return services.decision_make(
            actor=world.president,
            proceeding=proceeding,
            order=services.SanctionOrder(kind, tuple(measures)),
            text="决定给予处分",
        )


def stage(proceeding: Proceeding) -> str:
    return Proceeding.objects.get(pk=proceeding.pk).stage


# --- leads -------------------------------------------------------------------------------------------


def test_the_same_lead_twice_is_one_lead_and_a_duplicate_can_be_merged(world):
    first = services.lead_register(
        actor=None, officer=world.judge, source="defect_points", summary="积分达到阈值", origin={"consequence": 1}
    )
    again = services.lead_register(
        actor=None, officer=world.judge, source="defect_points", summary="积分达到阈值", origin={"consequence": 1}
    )
    assert again.pk == first.pk and Lead.objects.count() == 1
    other = services.lead_register(actor=world.inspector, officer=world.judge, source="complaint", summary="投诉")
    services.lead_merge(actor=world.inspector, lead=other, into=first)
    other.refresh_from_db()
    assert (other.status, other.merged_into_id) == ("merged", first.pk)


def test_preliminary_review_dismisses_with_a_reason_or_opens(world):
    lead = services.lead_register(actor=world.inspector, officer=world.judge, source="complaint", summary="投诉")
    with pytest.raises(ValidationFailed):
        services.lead_dismiss(actor=world.inspector, lead=lead, reason=" ")
    services.lead_dismiss(actor=world.inspector, lead=lead, reason="投诉内容与事实不符")
    with pytest.raises(Conflict):
        services.lead_open(actor=world.inspector, lead=lead, allegation="x")
    with pytest.raises(PowerDenied):  # a judge cannot register leads
        services.lead_register(actor=world.judge2, officer=world.judge, source="complaint", summary="投诉")


def test_opening_starts_the_investigation_clock_and_a_chained_trace(world):
    proceeding = opened(world)
    assert proceeding.stage == Stage.INVESTIGATION
    assert proceeding.due_on == timezone.localdate() + dt.timedelta(days=90)
    assert list(proceeding.events.values_list("kind", flat=True)) == ["opened"]
    assert services.verify_events(proceeding) == []
    assert Notification.objects.filter(recipient=world.judge, link__contains=str(proceeding.public_id)).exists()


# --- transitions in order, and refusals that change nothing ---------------------------------------------


def test_a_step_out_of_order_is_refused_with_the_stage_and_nothing_changes(world, panel):
    proceeding = referred(world, panel)
    before = Proceeding.objects.get(pk=proceeding.pk)
    with pytest.raises(Conflict) as refused:  # a hearing before the notice
        services.hearing_record(actor=panel[1][1], proceeding=proceeding, record="笔录")
    assert refused.value.details == {"stage": "referred"}
    with pytest.raises(Conflict):  # a decision before the committee's opinion
        services.decision_make(
            actor=world.president, proceeding=proceeding, order=services.SanctionOrder("warning"), text="x"
        )
    with pytest.raises(PowerDenied):  # the officer cannot act as the committee
        services.notice_serve(
            actor=world.judge, proceeding=proceeding, hearing_on=timezone.localdate() + dt.timedelta(days=3), notice="x"
        )
    fresh = Proceeding.objects.get(pk=proceeding.pk)
    assert (fresh.version, fresh.trace_length, fresh.stage) == (before.version, before.trace_length, "referred")


def test_the_committee_must_be_at_least_half_judges_or_prosecutors(world, panel):
    committee, members = panel
    lay = [make_officer(f"lay{i}", roles=["committee_member"], organisation=world.high) for i in range(3)]
    for officer in lay:
        CommitteeMember.objects.create(committee=committee, officer=officer)
    with pytest.raises(ValidationFailed) as refused:
        services.proceeding_refer(
            actor=world.inspector,
            proceeding=opened(world),
            committee=committee,
            members=[*lay, members[1]],
            findings="报告",
        )
    assert "members" in refused.value.details
    assert stage(Proceeding.objects.get()) == "investigation"


def test_a_recused_member_cannot_vote_and_votes_decide_the_opinion(world, panel):
    proceeding = referred(world, panel)
    services.notice_serve(
        actor=panel[1][1], proceeding=proceeding, hearing_on=timezone.localdate() + dt.timedelta(days=5), notice="通知"
    )
    member = proceeding.members.get(officer=panel[1][3])
    request = services.recusal_request(actor=world.judge, proceeding=proceeding, member=member, reason="曾共事")
    with pytest.raises(PowerDenied):  # not by the member concerned
        services.recusal_decide(actor=panel[1][3], request=request, grant=True, reason="x")
    services.recusal_decide(actor=panel[1][1], request=request, grant=True, reason="存在利害关系")
    services.hearing_record(actor=panel[1][1], proceeding=proceeding, record="听证笔录")
    with pytest.raises(PowerDenied):
        services.vote_cast(actor=panel[1][3], proceeding=proceeding, opinion="intentional")
    services.vote_cast(actor=panel[1][1], proceeding=proceeding, opinion="ordinary_negligence")
    with pytest.raises(Conflict):  # one of three sitting members has voted
        services.opinion_give(actor=panel[1][1], proceeding=proceeding, reasons="r", findings=EVERY_EXEMPTION)
    services.vote_cast(actor=panel[1][2], proceeding=proceeding, opinion="ordinary_negligence")
    with pytest.raises(ValidationFailed):  # a breach needs every exemption considered
        services.opinion_give(actor=panel[1][1], proceeding=proceeding, reasons="r", findings=EVERY_EXEMPTION[:3])
    services.opinion_give(actor=panel[1][1], proceeding=proceeding, reasons="一般过失", findings=EVERY_EXEMPTION)
    fresh = Proceeding.objects.get(pk=proceeding.pk)
    assert (fresh.stage, fresh.opinion, fresh.exemptions.count()) == ("opinion", "ordinary_negligence", 7)


def test_no_decision_while_the_objection_window_is_open_then_objection_and_its_decision(world, panel):
    proceeding = served(world, panel)
    services.opinion_acknowledge(actor=world.judge, proceeding=proceeding)
    with pytest.raises(Conflict) as refused:
        services.decision_make(
            actor=world.president, proceeding=proceeding, order=services.SanctionOrder("warning"), text="x"
        )
    assert "objection" in str(refused.value.message).lower() or "异议" in str(refused.value.message)
    services.objection_file(actor=world.judge, proceeding=proceeding, text="认定事实错误")
    with pytest.raises(ValidationFailed):  # granted means milder
        services.objection_decide(
            actor=panel[1][1], proceeding=proceeding, grant=True, reason="r", opinion="intentional"
        )
    services.objection_decide(
        actor=panel[1][1], proceeding=proceeding, grant=True, reason="部分采纳", opinion="ordinary_negligence"
    )
    fresh = Proceeding.objects.get(pk=proceeding.pk)
    assert (fresh.stage, fresh.opinion) == ("opinion_final", "ordinary_negligence")


def test_an_objection_after_the_window_is_refused(world, panel):
    proceeding = served(world, panel)
    with time_machine.travel(timezone.now() + dt.timedelta(days=11)), pytest.raises(Conflict):
        services.objection_file(actor=world.judge, proceeding=proceeding, text="迟到的异议")


def test_no_sanction_after_an_opinion_of_no_breach(world, panel):
    proceeding = served(world, panel, verdict="no_breach")
    with time_machine.travel(timezone.now() + dt.timedelta(days=11)):
        services.finalise_unobjected()
        with pytest.raises(ValidationFailed):
            services.decision_make(
                actor=world.president, proceeding=proceeding, order=services.SanctionOrder("warning"), text="x"
            )
        services.decision_make(
            actor=world.president, proceeding=proceeding, order=services.SanctionOrder("none"), text="不予惩戒"
        )


# --- measures through the power list --------------------------------------------------------------------


def test_suspension_blocks_case_work_until_lifted(world):
    case = world.case()
    proceeding = opened(world)
    services.officer_suspend(actor=world.inspector, proceeding=proceeding, reason="不宜继续履职")
    refused = power_decide(officer=world.judge, action_type="hearing_held", case=case)
    assert not refused.allowed and refused.item.code == "JUD-X1"
    with pytest.raises(PowerDenied):
        case_services.case_log_action(actor=world.judge, case=case, action_type="hearing_held")
    services.officer_reinstate(actor=world.inspector, proceeding=proceeding, reason="调查完毕")
    assert power_decide(officer=world.judge, action_type="hearing_held", case=case).allowed


def test_loss_of_the_quota_seat_stops_signing(world, panel):
    case = world.case()
    assert power_decide(officer=world.judge, action_type="ruling_signed", case=case).allowed
    decided(world, panel, kind="demotion", measures=["quota_loss"])
    world.judge.refresh_from_db()
    assert not world.judge.is_quota
    assert not power_decide(officer=world.judge, action_type="ruling_signed", case=case).allowed
    sanction = Sanction.objects.get()
    assert (sanction.kind, sanction.months, sanction.in_force) == ("demotion", 24, True)


# --- review and appeal ------------------------------------------------------------------------------------


def test_review_keeps_the_sanction_and_can_only_soften_it(world, panel):
    proceeding = decided(world, panel, kind="demerit")
    services.review_request(actor=world.judge, proceeding=proceeding, reason="处分过重")
    assert Sanction.objects.get().in_force  # in force during review
    with pytest.raises(ValidationFailed):
        services.review_decide(
            actor=world.president,
            proceeding=proceeding,
            outcome="changed",
            reason="r",
            order=services.SanctionOrder("major_demerit"),
        )
    services.review_decide(
        actor=world.president,
        proceeding=proceeding,
        outcome="changed",
        reason="酌情减轻",
        order=services.SanctionOrder("warning"),
    )
    assert list(Sanction.objects.filter(superseded_by__isnull=True).values_list("kind", flat=True)) == ["warning"]


def test_an_appeal_after_its_window_is_refused_and_a_harsher_outcome_never_stands(world, panel):
    proceeding = decided(world, panel, kind="demerit", measures=["suspension"])
    assert Suspension.objects.filter(officer=world.judge, lifted_at__isnull=True).exists()
    decided_on = timezone.localdate(Proceeding.objects.get(pk=proceeding.pk).decided_at)
    with time_machine.travel(timezone.now() + dt.timedelta(days=11 + 31)), pytest.raises(Conflict) as late:
        services.appeal_lodge(actor=world.judge, proceeding=proceeding, reason="直接申诉")
    assert (decided_on + dt.timedelta(days=30)).isoformat() in late.value.message  # names the last day
    with time_machine.travel(timezone.now() + dt.timedelta(days=20)):
        services.appeal_lodge(actor=world.judge, proceeding=proceeding, reason="直接申诉")
    with pytest.raises(PowerDenied):  # the deciding court's own president cannot hear the appeal
        services.appeal_decide(actor=world.president, proceeding=proceeding, outcome="revoked", reason="r")
    before = Proceeding.objects.get(pk=proceeding.pk).trace_length
    with pytest.raises(ValidationFailed):
        services.appeal_decide(
            actor=world.high_president,
            proceeding=proceeding,
            outcome="changed",
            reason="r",
            order=services.SanctionOrder("dismissal", ("suspension",)),
        )
    assert Proceeding.objects.get(pk=proceeding.pk).trace_length == before
    services.appeal_extend(actor=world.high_president, proceeding=proceeding, reason="需补充调查")
    with pytest.raises(Conflict):
        services.appeal_extend(actor=world.high_president, proceeding=proceeding, reason="again")
    services.appeal_decide(
        actor=world.high_president,
        proceeding=proceeding,
        outcome="changed",
        reason="减轻",
        order=services.SanctionOrder("warning"),
    )
    fresh = Proceeding.objects.get(pk=proceeding.pk)
    assert fresh.stage == "closed" and services.verify_events(fresh) == []
    assert not Suspension.objects.filter(officer=world.judge, lifted_at__isnull=True).exists()


# --- visibility ------------------------------------------------------------------------------------------


def test_only_the_handlers_members_and_the_officer_see_a_proceeding(world, panel):
    proceeding = referred(world, panel)
    for who in (world.inspector, world.judge, *panel[1]):
        assert proceeding_get_for_user(who.user, public_id=proceeding.public_id) == proceeding
    for who in (world.judge2, world.chief, world.president, world.high_president, world.admin, world.evaluator):
        assert not proceedings_visible_to(who.user).exists()
    world.admin.user.is_superuser = True
    world.admin.user.save()
    assert not proceedings_visible_to(world.admin.user).exists()  # no superuser bypass


def test_deadline_reminders_and_overdue_alerts_are_sent_once(world, panel):
    proceeding = opened(world)
    with time_machine.travel(timezone.now() + dt.timedelta(days=88)):
        assert services.deadlines_check()["reminded"] == 1
        assert services.deadlines_check()["reminded"] == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=91)):
        assert services.deadlines_check()["overdue"] == 1
        assert services.deadlines_check()["overdue"] == 0
    assert Notification.objects.filter(recipient=world.inspector, message__contains=proceeding.number).count() == 2


# --- pages, documents and the API ------------------------------------------------------------------------


def test_pages_and_api_are_404_to_anyone_not_handling_or_concerned(world, panel, client):
    from tests.conftest import client_for

    proceeding = referred(world, panel)
    for officer in (world.judge2, world.president, world.chief):
        client.force_login(officer.user)
        assert client.get(f"/discipline/{proceeding.public_id}/").status_code == 404
        assert client.get(f"/discipline/{proceeding.public_id}/documents/notice/").status_code == 404
        api = client_for(officer)
        assert api.get(f"/api/proceedings/{proceeding.public_id}/").status_code == 404
        served = api.post(
            f"/api/proceedings/{proceeding.public_id}/acts/serve/", {"expected_version": 1}, format="json"
        )
        assert (served.status_code, served.json()["code"]) == (404, "not_found")
        assert api.get("/api/proceedings/").json()["results"] == []
    client.force_login(world.judge.user)
    page = client.get(f"/discipline/{proceeding.public_id}/").content.decode()
    assert proceeding.number in page and 'id="stage-clock"' in page and 'id="refer-form"' not in page


def test_the_officer_acknowledges_and_objects_in_the_browser_and_the_api(world, panel, client):
    from tests.conftest import client_for

    proceeding = served(world, panel)
    client.force_login(world.judge.user)
    page = client.get(f"/discipline/{proceeding.public_id}/").content.decode()
    assert 'id="acknowledge"' in page and "objection" in page.lower() or "异议" in page
    client.post(f"/discipline/{proceeding.public_id}/", {"act": "acknowledge", "expected_version": proceeding.version})
    acknowledged = Proceeding.objects.get(pk=proceeding.pk)
    assert acknowledged.acknowledged_at is not None
    api = client_for(world.judge)
    url = f"/api/proceedings/{proceeding.public_id}/acts"
    version = acknowledged.version
    refused = api.post(f"{url}/object/", {"text": "", "expected_version": version}, format="json")
    assert (refused.status_code, list(refused.json()["details"])) == (400, ["text"])
    made = api.post(f"{url}/object/", {"text": "事实认定有误", "expected_version": version}, format="json")
    assert (made.status_code, made.json()["stage"], made.json()["version"]) == (200, "objected", version + 1)
    assert made.json()["events"][-1]["kind"] == "objection_filed"
    wrong = client_for(panel[1][1]).post(
        f"{url}/decide/", {"kind": "warning", "text": "x", "expected_version": version + 1}, format="json"
    )
    assert (wrong.status_code, wrong.json()["code"]) == (403, "power_denied")


def test_documents_print_the_opinion_and_the_decision_in_chinese(world, panel, client):
    proceeding = decided(world, panel, kind="demerit")
    client.force_login(world.judge.user)
    opinion = client.get(f"/discipline/{proceeding.public_id}/documents/opinion/").content.decode()
    assert "审查意见书" in opinion and "存在重大过失" in opinion and "不适用" in opinion
    decision = client.get(f"/discipline/{proceeding.public_id}/documents/decision/").content.decode()
    assert "惩戒决定书" in decision and "记过" in decision and "12 个月" in decision and "复核" in decision
    early = opened(world)
    assert client.get(f"/discipline/{early.public_id}/documents/decision/").status_code == 404


def test_an_inspector_registers_reviews_and_opens_a_lead_in_the_browser(world, client):
    client.force_login(world.inspector.user)
    client.post("/discipline/leads/new/", {"officer_id": "judge", "source": "complaint", "summary": "投诉拖延"})
    lead = Lead.objects.get()
    assert lead.summary == "投诉拖延" and lead.registered_by == world.inspector
    response = client.post(f"/discipline/leads/{lead.public_id}/", {"act": "open", "allegation": "涉嫌拖延办案"})
    proceeding = Proceeding.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/discipline/{proceeding.public_id}/")
    client.force_login(world.judge2.user)
    assert client.get(f"/discipline/leads/{lead.public_id}/").status_code == 404


# --- leads from every source -----------------------------------------------------------------------------


def test_leads_arrive_from_reversals_reports_and_interference(world, today):
    from cases.models import Case
    from interference import services as interference
    from supervision import services as supervision
    from supervision.models import Situation

    original = world.case(closed_on=today - dt.timedelta(days=60), closing_method="judgment")
    appeal = world.case(
        procedure="second_instance", original_case=original, lead_officer=world.judge2, panel=[world.judge]
    )
    case_services.case_close(
        actor=world.judge2,
        case=Case.objects.get(pk=appeal.pk),
        closed_on=today,
        closing_method="judgment",
        outcome="remanded",
        check_nodes=False,  # about the lead, not the flow: no nodes logged, so no pre-closing check
    )
    reported = world.case()
    flag = supervision.flag_raise(
        actor=world.chief,
        case=reported,
        situation=Situation.objects.get(code="R-02"),
        reason="当事人投诉承办法官违法审判",
    )
    supervision.flag_decide(actor=world.president, flag=flag, confirm=True)
    interference.record_interference(
        actor=world.judge2,
        case=world.case(),
        source_kind="insider",
        person_name="孙庭长",
        person_officer=world.chief,
        occurred_at=timezone.now(),
        channel="in_person",
        content="询问案件进展",
        handling="告知依法办理",
    )
    sources = sorted(Lead.objects.values_list("source", "officer__officer_id"))
    assert sources == [("interference", "chief"), ("reversed_case", "judge"), ("supervision", "judge")]


# --- the whole way, and the clocks -------------------------------------------------------------------------


def test_the_full_path_from_lead_to_a_closed_appeal_with_every_right(world, panel, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    proceeding = referred(world, panel)
    member = proceeding.members.get(officer=panel[1][3])
    services.submission_add(
        actor=world.judge,
        proceeding=proceeding,
        text="本人陈述：已告知当事人权利",
        files=[SimpleUploadedFile("证据.pdf", b"%PDF-1.4 evidence", "application/pdf")],
    )
    request = services.recusal_request(actor=world.judge, proceeding=proceeding, member=member, reason="曾有矛盾")
    services.recusal_decide(actor=panel[1][1], request=request, grant=False, reason="理由不成立")
    services.notice_serve(
        actor=panel[1][1],
        proceeding=proceeding,
        hearing_on=timezone.localdate() + dt.timedelta(days=7),
        notice="听证通知",
    )
    services.hearing_record(actor=panel[1][1], proceeding=proceeding, record="听证笔录：当事人到场辩解")
    for m in panel[1][1:]:
        services.vote_cast(actor=m, proceeding=proceeding, opinion="gross_negligence")
    services.opinion_give(actor=panel[1][2], proceeding=proceeding, reasons="重大过失", findings=EVERY_EXEMPTION)
    services.opinion_serve(actor=panel[1][2], proceeding=proceeding)
    services.opinion_acknowledge(actor=world.judge, proceeding=proceeding)
    services.objection_file(actor=world.judge, proceeding=proceeding, text="异议")
    services.objection_decide(actor=panel[1][1], proceeding=proceeding, grant=False, reason="异议不成立")
    services.decision_make(
        actor=world.president,
        proceeding=proceeding,
        order=services.SanctionOrder("major_demerit"),
        text="给予记大过处分",
    )
    services.review_request(actor=world.judge, proceeding=proceeding, reason="申请复核")
    services.review_decide(actor=world.president, proceeding=proceeding, outcome="upheld", reason="维持")
    services.appeal_lodge(actor=world.judge, proceeding=proceeding, reason="申诉")
    services.appeal_decide(
        actor=world.high_president,
        proceeding=proceeding,
        outcome="changed",
        reason="改为记过",
        order=services.SanctionOrder("demerit"),
    )
    done = Proceeding.objects.get(pk=proceeding.pk)
    assert done.stage == "closed" and services.verify_events(done) == []
    kinds = list(done.events.values_list("kind", flat=True))
    assert kinds[:4] == ["opened", "referred", "statement_submitted", "recusal_requested"]
    assert kinds[-6:] == [
        "objection_decided",
        "decided",
        "review_requested",
        "review_decided",
        "appeal_lodged",
        "appeal_decided",
    ]
    evidence = done.submissions.get().files[0]
    assert evidence["name"] == "证据.pdf"
    from django.test import Client

    member, stranger = Client(), Client()
    member.force_login(panel[1][1].user)
    stranger.force_login(world.judge2.user)
    url = f"/discipline/{done.public_id}/evidence/{evidence['sha256']}/"
    download = member.get(url)
    assert b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
    assert (download["X-Content-Type-Options"], download["Cache-Control"]) == ("nosniff", "no-store")
    assert download["Content-Disposition"].startswith("attachment;")
    assert stranger.get(url).status_code == 404
    assert [(s.kind, s.in_force) for s in done.sanctions.order_by("pk")] == [
        ("major_demerit", False),
        ("demerit", True),
    ]


def test_each_clock_runs_out(world, panel):
    """Lapsed windows move on by themselves: an unobjected opinion becomes final, an unchallenged decision closes."""
    proceeding = served(world, panel)
    with time_machine.travel(timezone.now() + dt.timedelta(days=10)):
        assert services.deadlines_check()["finalised"] == 0  # the last day of the objection window
    with time_machine.travel(timezone.now() + dt.timedelta(days=11)):
        assert services.deadlines_check()["finalised"] == 1
        services.decision_make(
            actor=world.president, proceeding=proceeding, order=services.SanctionOrder("warning"), text="警告"
        )
    with time_machine.travel(timezone.now() + dt.timedelta(days=11 + 30)):
        assert services.deadlines_check()["closed"] == 0  # a review may still be asked today
        services.review_request(actor=world.judge, proceeding=proceeding, reason="复核")
    with time_machine.travel(timezone.now() + dt.timedelta(days=11 + 30 + 31)):
        counts = services.deadlines_check()
        assert counts["overdue"] == 1  # the review was not decided in 30 days: the deciders are told
        assert Notification.objects.filter(recipient=world.president, message__contains="已超期").exists()
    fresh = Proceeding.objects.get(pk=proceeding.pk)
    with time_machine.travel(timezone.now() + dt.timedelta(days=80)):
        services.review_decide(actor=world.president, proceeding=fresh, outcome="upheld", reason="维持")
    with time_machine.travel(timezone.now() + dt.timedelta(days=80 + 16)):
        assert services.deadlines_check()["closed"] == 1
        with pytest.raises(Conflict):
            services.appeal_lodge(actor=world.judge, proceeding=fresh, reason="太迟")
    assert Proceeding.objects.get(pk=proceeding.pk).stage == "closed"
