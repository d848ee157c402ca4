"""The demo's deliberation bodies: each demo court's professional judges' meetings (civil, criminal) and adjudication
committee (with a criminal specialised committee), the procuratorate's joint meeting and procuratorial committee;
members by rank with their presiding member; and at 黄浦区法院, meetings in every state, made through the services:
a referral awaiting a meeting, a judges' meeting convened, one whose minutes await signatures, a committee in
session where it is chief1's turn to speak, and a committee whose binding resolution is followed up and overdue."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accountability.models import Officer, Organisation
from cases.models import Case
from cases.services import case_log_action
from deliberation import services as deliberation
from deliberation.models import AgendaItem, Body, FollowUp, Meeting, Membership
from supervision.models import Situation
from supervision.services import flag_raise, referral_create

TERM_START = dt.date(2023, 1, 1)
RANK = {"president": 5, "vice_president": 4, "division_chief": 3}


def _rank(officer: Officer) -> int:
    return max((RANK.get(code, 1) for code in officer.role_codes), default=1)


def _body(organisation: Organisation, kind: str, field: str, name: str, members: list[Officer], **extra) -> Body:
    body, _created = Body.objects.get_or_create(
        organisation=organisation, kind=kind, field=field, defaults={"name": name, **extra}
    )
    if not body.memberships.exists() and members:
        presiding = max(members, key=lambda o: (_rank(o), -o.pk))
        for officer in members:
            Membership.objects.create(
                body=body,
                officer=officer,
                rank=_rank(officer),
                is_presiding=officer.pk == presiding.pk,
                term_start=TERM_START,
            )
    return body


def seed_bodies() -> None:
    """Bodies and members for every demo court and procuratorate that has officers to sit on them."""
    for organisation in Organisation.objects.filter(kind="court").order_by("code"):
        judges = list(
            Officer.objects.filter(organisation=organisation, roles="judge", is_quota=True)
            .prefetch_related("roles")
            .select_related("department")
            .order_by("officer_id")
        )
        leaders = [o for o in judges if _rank(o) >= 4]
        if len(judges) < 3:
            continue
        for field, codes, label in (("civil", ("MS",), "民事"), ("criminal", ("XS",), "刑事")):
            in_field = [o for o in judges if o.department and o.department.code.startswith(codes)]
            chiefs = [o for o in in_field if _rank(o) == 3]
            members = (chiefs[:1] + [o for o in in_field if _rank(o) == 1][:5]) if chiefs else []
            if len(members) >= 3:
                _body(organisation, "judges_meeting", field, f"{label}专业法官会议", members, min_present=3)
        chiefs = [o for o in judges if _rank(o) == 3]
        seniors = [o for o in judges if _rank(o) == 1][:2]
        committee = leaders + chiefs + seniors
        if len(committee) >= 3:
            _body(organisation, "adjudication_committee", "", "审判委员会", committee, majority_quorum=True)
            criminal = [o for o in committee if _rank(o) >= 4 or (o.department and o.department.code.startswith("XS"))]
            if len(criminal) >= 3:
                _body(
                    organisation,
                    "specialised_committee",
                    "criminal",
                    "刑事审判专业委员会",
                    criminal,
                    majority_quorum=True,
                )
    for organisation in Organisation.objects.filter(kind="procuratorate").order_by("code"):
        people = list(
            Officer.objects.filter(organisation=organisation, roles__code__in=["prosecutor", "president"])
            .distinct()
            .prefetch_related("roles")
            .order_by("officer_id")
        )
        if len(people) < 3:
            continue
        _body(organisation, "joint_meeting", "", "检察官联席会议", people[:7], min_present=3)
        _body(organisation, "procuratorial_committee", "", "检察委员会", people[:9], majority_quorum=True)


#: a one-page PDF, as a scanned record would be
DELIBERATION_RECORD = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _flagged_cases(court: Organisation, count: int) -> list[Case]:
    """Open civil cases of 民一庭 (judge1's first) without a referral yet, each flagged by its lead judge (法律适用
    分歧) unless a four-category flag is open on it already (a risk point's alert is not one)."""
    cases = list(
        Case.objects.filter(
            organisation=court,
            department__code="MS1",
            case_type="civil",
            closed_on__isnull=True,
            lead_officer__isnull=False,
        )
        .exclude(referrals__isnull=False)
        .select_related("lead_officer")
        .order_by("-filed_on")[:200]
    )
    cases.sort(key=lambda c: (c.lead_officer.officer_id != "judge1", -c.filed_on.toordinal()))
    cases = cases[:count]
    situation = Situation.objects.get(code="M-02")
    for case in cases:
        if not case.flags.filter(status__in=["pending", "confirmed"], situation__family="four_category").exists():
            flag_raise(actor=case.lead_officer, case=case, situation=situation, reason="合议庭对法律适用存在较大分歧")
    return cases


def _hold(meeting: Meeting, *, resolution: str, against: set[int] = frozenset()) -> None:
    presiding = meeting.presiding.officer
    present = [a.membership.officer_id for a in meeting.attendances.select_related("membership")]
    deliberation.meeting_open(actor=presiding, meeting=meeting, present=present)
    for item in meeting.items.all():
        for member in deliberation.speakers(item):
            vote = "against" if member.officer_id in against else "for"
            deliberation.opinion_give(
                actor=member.officer,
                item=item,
                text="同意承办法官意见，违约金应结合实际损失予以调整" if vote == "for" else "应按合同约定支持违约金",
                vote=vote,
            )
        deliberation.item_resolve(actor=presiding, item=item, resolution=resolution)
    deliberation.meeting_conclude(actor=presiding, meeting=Meeting.objects.get(pk=meeting.pk))


def _convene(convener: Officer, body: Body, case: Case, when: dt.datetime) -> Meeting:
    item = AgendaItem.objects.get(case=case, status="pending")
    return deliberation.meeting_convene(actor=convener, body=body, scheduled_for=when, items=[item])


def load() -> None:
    """Seed the bodies, then at 黄浦区法院 one meeting in every state (through the services, so traced)."""
    seed_bodies()
    court = Organisation.objects.get(code="SH0101")
    meeting_body = Body.objects.filter(organisation=court, kind="judges_meeting", field="civil").first()
    committee = Body.objects.filter(organisation=court, kind="adjudication_committee").first()
    if meeting_body is None or committee is None:
        return
    chief, president = Officer.objects.get(officer_id="chief1"), Officer.objects.get(officer_id="president1")
    cases = _flagged_cases(court, 4)
    if len(cases) < 4:
        return
    now = timezone.now()
    waiting, convened, advisory, binding = cases
    # 1. a referral awaiting a meeting (chief1 and the case-management office see it on the convene form)
    referral_create(actor=chief, case=waiting, body="judges_meeting", reason="类似案件违约金调整标准不一，提请讨论")
    # 2. a judges' meeting convened for next week
    referral_create(actor=chief, case=convened, body="judges_meeting", reason="格式条款效力认定存在分歧")
    _convene(chief, meeting_body, convened, now + dt.timedelta(days=7))
    # 3. judges' meeting held, judge1 departs from its advisory opinion; then the committee, in session: chief1's turn
    referral_create(actor=chief, case=advisory, body="judges_meeting", reason="违约金是否过高存在分歧")
    held = _convene(chief, meeting_body, advisory, now - dt.timedelta(days=10))
    _hold(held, resolution="多数意见：违约金按实际损失的百分之一百三十调整")
    for attendance in held.attendances.filter(present=True).select_related("membership__officer")[:2]:
        deliberation.minutes_sign(actor=attendance.membership.officer, meeting=held)
    item = AgendaItem.objects.get(meeting=held)
    deliberation.departure_record(
        actor=advisory.lead_officer, item=item, reason="本案合同系双方协商订立，违约金未明显过高，不予调整"
    )
    # the panel's record of its deliberation: the committee's members read it under the agenda item
    case_log_action(
        actor=advisory.lead_officer,
        case=advisory,
        action_type="deliberated",
        note="合议庭评议：维持原约定违约金",
        files=[SimpleUploadedFile("合议庭评议笔录.pdf", DELIBERATION_RECORD, "application/pdf")],
    )
    referral_create(actor=chief, case=advisory, body="adjudication_committee", reason="合议庭与专业法官会议意见不一致")
    sitting = _convene(president, committee, advisory, now - dt.timedelta(hours=1))
    present = [a.membership.officer_id for a in sitting.attendances.select_related("membership")]
    deliberation.meeting_open(actor=president, meeting=sitting, present=present)
    on_agenda = AgendaItem.objects.get(meeting=sitting)
    for member in deliberation.speakers(on_agenda):
        if member.officer_id in (chief.pk, president.pk):
            break  # chief1's turn (or, if he sat on the panel and withdrew, president1's): their desk lists it
        deliberation.opinion_give(actor=member.officer, item=on_agenda, text="同意合议庭意见", vote="for")
    # 4. a committee meeting signed by everyone, its binding resolution followed up and overdue
    referral_create(
        actor=president, case=binding, body="adjudication_committee", reason="院长决定直接提交审判委员会讨论"
    )
    decided = _convene(president, committee, binding, now - dt.timedelta(days=30))
    _hold(decided, resolution="决定：驳回原告关于惩罚性赔偿的诉讼请求")
    for attendance in decided.attendances.filter(present=True).select_related("membership__officer"):
        deliberation.minutes_sign(actor=attendance.membership.officer, meeting=decided)
    # the resolution was made a month ago in the story: its follow-up date has passed
    FollowUp.objects.filter(item__meeting=decided).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    deliberation.follow_ups_alert_overdue()
