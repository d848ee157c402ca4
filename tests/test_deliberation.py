"""Deliberation bodies: referral rules (the judges' meeting before the committee), quorum, recusal, the speaking
order, the vote and resolution, the panel's departure, the follow-up, signed minutes on a verified chain, and who
may read the minutes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accountability.errors import Conflict, PowerDenied
from accountability.models import AuditEvent, Notification, Officer, Organisation
from cases import services as cases
from cases.models import Case
from deliberation import selectors, services
from deliberation.models import AgendaItem, Body, FollowUp, Meeting, MeetingEvent, Membership
from supervision import services as supervision
from supervision.models import Referral, Situation
from tests.conftest import client_for, past_append_only_triggers
from tests.factories import DepartmentFactory, OrganisationFactory, make_officer

START = dt.date(2024, 1, 1)


@dataclass
class Bodies:
    meeting: Body
    committee: Body
    m1: Officer
    m2: Officer


def _member(body: Body, officer: Officer, rank: int, presiding: bool = False) -> Membership:
    return Membership.objects.create(body=body, officer=officer, rank=rank, is_presiding=presiding, term_start=START)


@pytest.fixture
def bodies(world) -> Bodies:
    o = world
    m1 = make_officer("m1", roles=["judge"], organisation=o.court, department=o.civil, is_quota=True, name="甲法官")
    m2 = make_officer("m2", roles=["judge"], organisation=o.court, department=o.civil, is_quota=True, name="乙法官")
    meeting = Body.objects.create(organisation=o.court, kind="judges_meeting", field="civil", name="民事专业法官会议")
    for officer, rank in ((m1, 1), (m2, 1), (o.judge2, 1)):
        _member(meeting, officer, rank)
    _member(meeting, o.chief, 3, presiding=True)
    committee = Body.objects.create(
        organisation=o.court, kind="adjudication_committee", name="审判委员会", majority_quorum=True
    )
    _member(committee, m1, 1)
    _member(committee, o.judge2, 1)  # on the case's panel: recused
    _member(committee, o.criminal_chief, 3)
    _member(committee, o.chief, 3)
    _member(committee, o.president, 5, presiding=True)
    return Bodies(meeting, committee, m1, m2)


def _flagged(world) -> Case:
    case = world.case()
    supervision.flag_raise(
        actor=world.judge, case=case, situation=Situation.objects.get(code="M-02"), reason="法律适用分歧较大"
    )
    return case


def _convene(actor, body: Body, case: Case) -> Meeting:
    item = AgendaItem.objects.get(case=case, status="pending")
    return services.meeting_convene(actor=actor, body=body, scheduled_for=timezone.now(), items=[item])


def _speak_all(item: AgendaItem, votes: dict[int, str]) -> None:
    for member in services.speakers(item):
        services.opinion_give(actor=member.officer, item=item, text="意见", vote=votes.get(member.officer_id, "for"))


def _judges_meeting(world, bodies: Bodies, case: Case) -> AgendaItem:
    supervision.referral_create(actor=world.chief, case=case, body="judges_meeting", reason="违约金标准分歧")
    meeting = _convene(world.chief, bodies.meeting, case)
    services.meeting_open(
        actor=world.chief, meeting=meeting, present=[bodies.m1.pk, bodies.m2.pk, world.judge2.pk, world.chief.pk]
    )
    item = meeting.items.get()
    _speak_all(item, {})
    return services.item_resolve(actor=world.chief, item=item, resolution="建议按合同约定计算违约金")


def test_the_default_rules_send_a_case_to_the_judges_meeting_before_the_committee(world):
    from deliberation.models import ReferralRule

    rules = {r.code: (r.body_kind, r.requires_prior, r.direct_roles) for r in ReferralRule.objects.all()}
    assert rules["DR-C1"] == ("adjudication_committee", "judges_meeting", ["president"])
    assert rules["DR-P2"] == ("procuratorial_committee", "joint_meeting", [])


def test_a_committee_referral_that_skipped_the_judges_meeting_is_refused_naming_the_rule(world, bodies):
    case = _flagged(world)
    with pytest.raises(PowerDenied) as refused:
        supervision.referral_create(actor=world.chief, case=case, body="adjudication_committee", reason="重大分歧")
    assert refused.value.details["item_code"] == "DR-C1"
    assert "DR-C1" in str(refused.value.message)
    assert "专业法官会议" in str(refused.value.message) or "judges' meeting" in str(refused.value.message)
    assert Referral.objects.filter(case=case).count() == 0
    assert list(case.actions.values_list("action_type", flat=True)).count("referred_to_committee") == 0


def test_after_the_judges_meeting_the_chief_may_refer_to_the_committee(world, bodies):
    case = _flagged(world)
    _judges_meeting(world, bodies, case)
    referral = supervision.referral_create(
        actor=world.chief, case=case, body="adjudication_committee", reason="仍有分歧"
    )
    assert (referral.agenda_item.body_kind, referral.agenda_item.status) == ("adjudication_committee", "pending")


def test_a_referral_rule_admits_only_the_four_categories_it_names(world, bodies):
    """DR-C1 admits the four categories; a court that narrows it to major cases has a group-dispute case refused,
    naming the rule and what it admits, and a major case admitted."""
    from deliberation.models import ReferralRule

    assert ReferralRule.objects.get(code="DR-C1").categories == ["major", "group", "conflict", "reported"]
    ReferralRule.objects.filter(code="DR-C1").update(categories=["major"])
    case = world.case()
    supervision.flag_raise(
        actor=world.judge, case=case, situation=Situation.objects.get(code="G-06"), reason="舆论持续关注"
    )
    _judges_meeting(world, bodies, case)
    with pytest.raises(PowerDenied) as refused:
        supervision.referral_create(actor=world.chief, case=case, body="adjudication_committee", reason="重大")
    assert (refused.value.details["item_code"], refused.value.details["categories"]) == ("DR-C1", ["major"])
    assert "不属于该规则受理的事项（重大、疑难、复杂、敏感" in str(refused.value.message)
    assert Referral.objects.filter(case=case, body="adjudication_committee").count() == 0

    supervision.flag_raise(
        actor=world.judge, case=case, situation=Situation.objects.get(code="M-02"), reason="法律适用分歧较大"
    )
    referral = supervision.referral_create(actor=world.chief, case=case, body="adjudication_committee", reason="重大")
    assert "DR-C1" in referral.agenda_item.materials


def test_a_referral_rule_may_admit_a_case_by_a_lifecycle_event_in_its_trace(world, bodies):
    """A court that sends cases to the judges' meeting only after the hearing: the panel's request before the
    hearing is refused naming DR-J1; once the hearing is in the trace it is admitted."""
    from deliberation.models import ReferralRule

    ReferralRule.objects.filter(code="DR-J1").update(event_types=["hearing_held"])
    case = world.case()
    with pytest.raises(PowerDenied) as refused:
        supervision.referral_create(actor=world.judge, case=case, body="judges_meeting", reason="违约金标准")
    assert (refused.value.details["item_code"], refused.value.details["event_types"]) == ("DR-J1", ["hearing_held"])
    assert "开庭审理" in str(refused.value.message) or "Hearing held" in str(refused.value.message)
    cases.case_log_action(actor=world.judge, case=case, action_type="hearing_held")
    referral = supervision.referral_create(actor=world.judge, case=case, body="judges_meeting", reason="违约金标准")
    assert referral.agenda_item.body_kind == "judges_meeting"


def test_a_dismissed_flag_is_no_longer_a_four_category_matter(world, bodies):
    case = _flagged(world)
    flag = case.flags.get()
    supervision.flag_decide(actor=world.chief, flag=flag, confirm=False, reason="不属于四类案件")
    with pytest.raises(PowerDenied) as refused:
        supervision.referral_create(actor=world.chief, case=case, body="adjudication_committee", reason="重大")
    assert "四类案件" in str(refused.value.message)
    assert Referral.objects.filter(case=case).count() == 0


def test_a_committee_resolution_needs_more_than_half_of_all_members_not_of_those_voting(world, bodies):
    """Five members, three present: two for and one against is a majority of those voting but not of all members,
    so the resolution is not adopted and binds nobody; three for would be."""
    case = _flagged(world)
    supervision.referral_create(actor=world.president, case=case, body="adjudication_committee", reason="院长决定")
    meeting = _convene(world.president, bodies.committee, case)
    services.meeting_open(
        actor=world.president, meeting=meeting, present=[world.president.pk, bodies.m1.pk, world.chief.pk]
    )
    item = meeting.items.get()
    _speak_all(item, {bodies.m1.pk: "against"})
    item = services.item_resolve(actor=world.president, item=item, resolution="未形成决定，另行讨论")
    assert (item.votes_for, item.votes_against, item.adopted, item.binding) == (2, 1, False, False)
    assert FollowUp.objects.filter(item=item).count() == 0
    assert case.actions.get(seq=item.resolution_seq).payload["adopted"] is False


def test_the_president_may_refer_straight_to_the_committee_by_the_rule_s_exception(world, bodies):
    case = _flagged(world)
    referral = supervision.referral_create(
        actor=world.president, case=case, body="adjudication_committee", reason="院长决定"
    )
    assert referral.agenda_item.status == "pending"


def test_a_committee_without_more_than_half_its_members_present_cannot_open(world, bodies):
    case = _flagged(world)
    supervision.referral_create(actor=world.president, case=case, body="adjudication_committee", reason="院长决定")
    meeting = _convene(world.president, bodies.committee, case)
    with pytest.raises(Conflict) as refused:
        services.meeting_open(actor=world.president, meeting=meeting, present=[world.president.pk, bodies.m1.pk])
    assert refused.value.details == {"present": 2, "members": 5, "needed": 3}
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"
    services.meeting_open(
        actor=world.president, meeting=meeting, present=[world.president.pk, bodies.m1.pk, world.chief.pk]
    )
    meeting.refresh_from_db()
    assert meeting.status == "in_session"


def test_a_member_who_took_part_in_the_case_is_recused_and_cannot_give_an_opinion(world, bodies):
    case = _flagged(world)
    supervision.referral_create(actor=world.president, case=case, body="adjudication_committee", reason="院长决定")
    meeting = _convene(world.president, bodies.committee, case)
    present = [world.president.pk, bodies.m1.pk, world.judge2.pk, world.chief.pk, world.criminal_chief.pk]
    services.meeting_open(actor=world.president, meeting=meeting, present=present)
    item = meeting.items.get()
    assert [r.membership.officer_id for r in item.recusals.all()] == [world.judge2.pk]
    with pytest.raises(PowerDenied):
        services.opinion_give(actor=world.judge2, item=item, text="我参与了合议", vote="for")
    assert world.judge2.pk not in [m.officer_id for m in services.speakers(item)]


def test_opinions_are_given_lower_rank_first_and_the_presiding_member_last(world, bodies):
    case = _flagged(world)
    supervision.referral_create(actor=world.president, case=case, body="adjudication_committee", reason="院长决定")
    meeting = _convene(world.president, bodies.committee, case)
    present = [world.president.pk, bodies.m1.pk, world.chief.pk, world.criminal_chief.pk]
    services.meeting_open(actor=world.president, meeting=meeting, present=present)
    item = meeting.items.get()
    with pytest.raises(Conflict) as refused:
        services.opinion_give(actor=world.president, item=item, text="先说", vote="for")
    assert refused.value.details == {"next_speaker": bodies.m1.pk}
    with pytest.raises(Conflict):
        services.opinion_give(actor=world.chief, item=item, text="先说", vote="for")
    with pytest.raises(Conflict):
        services.item_resolve(actor=world.president, item=item, resolution="过早")
    _speak_all(item, {world.criminal_chief.pk: "against"})
    spoken = list(item.opinions.order_by("position").values_list("membership__officer_id", "position"))
    assert [officer for officer, _ in spoken][0] == bodies.m1.pk
    assert [officer for officer, _ in spoken][-1] == world.president.pk
    assert sorted([officer for officer, _ in spoken][1:3]) == sorted([world.chief.pk, world.criminal_chief.pk])
    assert [position for _, position in spoken] == [1, 2, 3, 4]


def test_the_journey_judges_meeting_then_committee_binding_resolution_follow_up_and_signed_minutes(world, bodies):
    case = _flagged(world)
    advisory = _judges_meeting(world, bodies, case)
    assert (advisory.adopted, advisory.binding) == (True, False)
    assert FollowUp.objects.filter(item=advisory).count() == 0
    services.departure_record(actor=world.judge, item=advisory, reason="合同约定的违约金明显过高，依法调整")
    with pytest.raises(PowerDenied):  # only the panel records a departure
        services.departure_record(actor=bodies.m1, item=advisory, reason="x")

    supervision.referral_create(actor=world.chief, case=case, body="adjudication_committee", reason="仍有分歧")
    meeting = _convene(world.president, bodies.committee, case)
    present = [world.president.pk, bodies.m1.pk, world.judge2.pk, world.chief.pk, world.criminal_chief.pk]
    services.meeting_open(actor=world.president, meeting=meeting, present=present)
    item = meeting.items.get()
    _speak_all(item, {world.criminal_chief.pk: "against"})
    item = services.item_resolve(actor=world.president, item=item, resolution="维持合议庭多数意见")
    assert (item.adopted, item.binding, item.votes_for, item.votes_against) == (True, True, 3, 1)
    action = case.actions.get(seq=item.resolution_seq)
    assert action.action_type == "committee_outcome_recorded"
    assert sorted(action.payload["voted_for"]) == sorted([bodies.m1.pk, world.chief.pk, world.president.pk])
    with pytest.raises(Conflict):  # binding: no departure
        services.departure_record(actor=world.judge, item=item, reason="不同意")
    assert Referral.objects.get(pk=item.referral_id).outcome == "维持合议庭多数意见"

    follow_up = item.follow_up
    with pytest.raises(Conflict):  # no ruling signed yet
        services.follow_up_complete(actor=world.filing, follow_up=follow_up, note="已执行")
    assert services.follow_ups_alert_overdue(today=follow_up.due_on + dt.timedelta(days=1)) == 1
    assert services.follow_ups_alert_overdue(today=follow_up.due_on + dt.timedelta(days=2)) == 0  # once
    assert Notification.objects.filter(recipient=world.filing, message__contains=case.case_number).exists()

    services.meeting_conclude(actor=world.president, meeting=meeting)
    for officer_id in present:
        services.minutes_sign(actor=Officer.objects.get(pk=officer_id), meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == "signed"
    assert list(meeting.events.order_by("seq").values_list("kind", flat=True))[-5:] == ["signed"] * 5
    assert services.meeting_verify(meeting) == []
    assert cases.trace_verify(case) == [] if hasattr(cases, "trace_verify") else True

    responsible = selectors.responsibility_for_case(world.inspector.user, case)
    binding = [r for r in responsible if r.item.binding]
    assert sorted(o.pk for o in binding[0].voted_for) == sorted([bodies.m1.pk, world.chief.pk, world.president.pk])


def test_an_edited_opinion_breaks_the_meeting_chain(world, bodies):
    case = _flagged(world)
    item = _judges_meeting(world, bodies, case)
    event = MeetingEvent.objects.filter(meeting=item.meeting, kind="opinion").first()
    with past_append_only_triggers(), connection.cursor() as cursor:
        cursor.execute("UPDATE deliberation_meetingevent SET note = '改写' WHERE id = %s", [event.pk])
    assert [p for p in services.meeting_verify(item.meeting) if f"#{event.seq}" in p]


def test_minutes_are_read_by_members_leadership_and_inspectors_in_scope_only_and_each_read_is_audited(
    world, bodies, client
):
    case = _flagged(world)
    item = _judges_meeting(world, bodies, case)
    url = reverse("deliberation:meeting", args=[item.meeting.public_id])
    high_inspector = make_officer("high_inspector", roles=["inspector"], organisation=world.high, name="高院督察")
    readers = {
        "member": (bodies.m1, 200),
        "presiding": (world.chief, 200),
        "president": (world.president, 200),
        "inspector": (world.inspector, 200),
        "inspector above": (high_inspector, 200),
        "lead judge, not a member": (world.judge, 404),
        "assistant": (world.assistant, 404),
        "other court's chief": (world.other_chief, 404),
        "evaluator": (world.evaluator, 404),
    }
    seen = {}
    for who, (officer, _) in readers.items():
        client.force_login(officer.user)
        before = AuditEvent.objects.filter(object_type="deliberation meeting").count()
        response = client.get(url)
        after = AuditEvent.objects.filter(object_type="deliberation meeting").count()
        seen[who] = response.status_code
        assert after == before + 1, who
        if response.status_code == 200:
            assert "违约金标准分歧" in response.content.decode()
    assert seen == {who: status for who, (_, status) in readers.items()}
    refused = AuditEvent.objects.filter(object_type="deliberation meeting", outcome="refused").count()
    assert refused == 4


def test_the_agenda_lists_the_case_s_documents_and_only_readers_of_the_meeting_download_them(
    world, bodies, client, settings, tmp_path
):
    """The materials are the case's own files: listed under each item of the meeting, downloaded through the
    meeting (a member who cannot see the case still reads its file), each read audited; someone who may not read
    the meeting gets 404, and a file of another case cannot be reached through this agenda."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    case = _flagged(world)
    cases.case_log_action(
        actor=world.judge,
        case=case,
        action_type="note",
        note="合议笔录",
        files=[SimpleUploadedFile("合议笔录.pdf", b"%PDF-1.4 deliberation", "application/pdf")],
    )
    other = world.case()
    cases.case_log_action(
        actor=world.judge,
        case=other,
        action_type="note",
        files=[SimpleUploadedFile("他案材料.pdf", b"%PDF-1.4 other", "application/pdf")],
    )
    item = _judges_meeting(world, bodies, case)
    document = case.actions.get(note="合议笔录").attachments.get()
    elsewhere = other.actions.get(action_type="note").attachments.get()
    url = reverse("deliberation:material", args=[item.meeting.public_id, item.public_id, document.public_id])

    client.force_login(bodies.m1.user)
    page = client.get(reverse("deliberation:meeting", args=[item.meeting.public_id])).content.decode()
    assert "案件材料" in page and "合议笔录.pdf" in page and url in page
    assert "他案材料.pdf" not in page
    response = client.get(url)
    assert (response.status_code, b"".join(response.streaming_content)) == (200, b"%PDF-1.4 deliberation")
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(object_type="deliberation material", object_id=str(document.public_id)).exists()
    foreign = reverse("deliberation:material", args=[item.meeting.public_id, item.public_id, elsewhere.public_id])
    assert client.get(foreign).status_code == 404
    read = client_for(bodies.m1).get(f"/api/deliberation/meetings/{item.meeting.public_id}/").json()
    [listed] = read["items"][0]["documents"]
    assert (listed["name"], listed["sha256"], listed["url"]) == ("合议笔录.pdf", document.sha256, url)

    client.force_login(world.assistant.user)
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(object_type="deliberation meeting", outcome="refused").count() == 1


def test_a_procuratorate_routes_through_the_joint_meeting_before_the_committee(world):
    procuratorate = OrganisationFactory(
        code="SHP0101", name="上海市黄浦区人民检察院", kind="procuratorate", parent=None, case_code="沪黄检"
    )
    department = DepartmentFactory(organisation=procuratorate, code="JC1", name="第一检察部")
    chief = make_officer(
        "p_chief",
        roles=["prosecutor", "division_chief"],
        organisation=procuratorate,
        department=department,
        post="division_chief",
        name="检察部主任",
    )
    prosecutor = make_officer(
        "p1", roles=["prosecutor"], organisation=procuratorate, department=department, is_quota=True, name="检察官甲"
    )
    case = Case.objects.create(
        case_number="沪黄检刑诉〔2024〕1号",
        organisation=procuratorate,
        case_type="criminal",
        procedure="first_instance",
        filed_on=dt.date(2024, 1, 10),
        lead_officer=prosecutor,
        department=department,
    )
    supervision.flag_raise(actor=prosecutor, case=case, situation=Situation.objects.get(code="M-02"), reason="分歧")
    with pytest.raises(PowerDenied) as refused:
        supervision.referral_create(actor=chief, case=case, body="procuratorial_committee", reason="重大")
    assert refused.value.details["item_code"] == "DR-P2"
    with pytest.raises(Exception) as wrong_body:
        supervision.referral_create(actor=chief, case=case, body="adjudication_committee", reason="重大")
    assert wrong_body.value.details == {"body": [str(wrong_body.value.message)]}
    referral = supervision.referral_create(actor=chief, case=case, body="joint_meeting", reason="证据分歧")
    assert referral.agenda_item.body_kind == "joint_meeting"
    assert Organisation.objects.get(pk=procuratorate.pk).kind == "procuratorate"


def test_verify_audit_chain_walks_the_meetings_and_the_inspector_reads_who_answers_for_a_resolution(
    world, bodies, client
):
    from accountability import chain

    case = _flagged(world)
    item = _judges_meeting(world, bodies, case)
    assert chain.CHECKERS["deliberation meetings"]() == []
    client.force_login(world.inspector.user)
    page = client.get(reverse("deliberation:meeting", args=[item.meeting.public_id])).content.decode()
    assert "对决定负责的委员（投赞成票）: 甲法官 乙法官 孙庭长" in page
    client.force_login(world.judge.user)  # the lead judge sees the resolution on the case page, not the votes
    case_page = client.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert "建议按合同约定计算违约金" in case_page and "对决定负责的委员" not in case_page


def test_the_overdue_follow_up_task_alerts_once(world, bodies):
    from deliberation.tasks import follow_ups_overdue

    case = _flagged(world)
    supervision.referral_create(actor=world.president, case=case, body="adjudication_committee", reason="院长决定")
    meeting = _convene(world.president, bodies.committee, case)
    present = [world.president.pk, bodies.m1.pk, world.chief.pk]
    services.meeting_open(actor=world.president, meeting=meeting, present=present)
    item = meeting.items.get()
    _speak_all(item, {})
    services.item_resolve(actor=world.president, item=item, resolution="决定")
    FollowUp.objects.filter(item=item).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    assert follow_ups_overdue.delay().get() == 1
    assert follow_ups_overdue.delay().get() == 0
    lead = Notification.objects.filter(recipient=world.judge, message__startswith="已逾期").count()
    assert lead == 1


def test_the_panel_asks_its_judges_meeting_itself_but_only_leaders_refer_to_the_committee(world, bodies, client):
    case = world.case()  # not a four-category case: the panel may still ask its judges' meeting
    client.force_login(world.judge.user)
    page = client.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert "提请会议讨论" in page
    client.post(reverse("deliberation:request", args=[case.public_id]), {"reason": "违约金计算标准"})
    item = AgendaItem.objects.get(case=case)
    assert (item.body_kind, item.referral.referred_by_id) == ("judges_meeting", world.judge.pk)
    with pytest.raises(PowerDenied):  # an assistant has no such power
        supervision.referral_create(actor=world.assistant, case=case, body="judges_meeting", reason="x")
    with pytest.raises(PowerDenied) as refused:
        supervision.referral_create(actor=world.judge, case=case, body="adjudication_committee", reason="x")
    assert (refused.value.details["item_code"], refused.value.details["referrer_roles"]) == (
        "DR-C1",
        ["president", "vice_president", "division_chief"],
    )
    client.force_login(world.assistant.user)
    assert "提请会议讨论" not in client.get(reverse("cases:detail", args=[case.public_id])).content.decode()
