"""Reads of deliberation bodies, scoped to who may see them. Minutes and individual opinions are confidential:
the body's members (any term), the organisation's leadership (president, vice presidents) and inspectors whose
organisation is the body's or above it; nobody else, and no other organisation. A forbidden meeting and a
missing one give the same 404; every read of one is written to the security audit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest

from accountability.audit import audit_read
from accountability.choices import RoleCode
from accountability.models import Officer
from accountability.selectors import officer_for_user
from cases.models import Attachment, Case
from deliberation.choices import MEETS_IN, FollowUpStatus, ItemStatus, MeetingStatus
from deliberation.models import AgendaItem, Body, FollowUp, Meeting, Membership, Opinion
from deliberation.services import next_speaker

LEADERSHIP = {RoleCode.PRESIDENT, RoleCode.VICE_PRESIDENT}


def _scope(officer: Officer) -> Q:
    roles = set(officer.role_codes)
    scope = Q(Exists(Membership.objects.filter(body=OuterRef("body"), officer=officer)))
    if roles & LEADERSHIP:
        scope |= Q(body__organisation_id=officer.organisation_id)
    if RoleCode.INSPECTOR in roles:
        scope |= Q(body__organisation__path__startswith=officer.organisation.path)
    return scope


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    officer = officer_for_user(user)
    if officer is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(_scope(officer)).select_related("body__organisation", "presiding__officer")


def meeting_get_for_request(request: HttpRequest, *, public_id: Any) -> Meeting:
    """The meeting with its agenda, attendance and opinions, if the user may read it (audited either way)."""
    meeting = (
        meetings_visible_to(request.user)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=AgendaItem.objects.select_related("case", "referral__referred_by").prefetch_related(
                    Prefetch("opinions", queryset=Opinion.objects.select_related("membership__officer")),
                    "recusals__membership__officer",
                ),
            ),
            "attendances__membership__officer",
        )
        .filter(public_id=public_id)
        .first()
    )
    audit_read(request, "deliberation meeting", public_id, allowed=meeting is not None)
    if meeting is None:
        raise Http404
    return meeting


def meeting_documents(meeting: Meeting) -> dict[int, list[Attachment]]:
    """The documents of each agenda item's case (every file attached to its trace, oldest first), by case id: the
    materials the members read before they speak. One query for the whole agenda."""
    documents: dict[int, list[Attachment]] = {}
    case_ids = {item.case_id for item in meeting.items.all()}
    rows = Attachment.objects.filter(action__case_id__in=case_ids).select_related("action")
    for attachment in rows.order_by("action__case_id", "action__seq", "pk"):
        documents.setdefault(attachment.action.case_id, []).append(attachment)
    return documents


def meeting_document_for_request(request: HttpRequest, *, meeting: Meeting, item_id: Any, attachment_id: Any):
    """One document of an agenda item's case, for a reader of the meeting (audited either way)."""
    item = next((i for i in meeting.items.all() if str(i.public_id) == str(item_id)), None)
    attachment = (
        Attachment.objects.filter(public_id=attachment_id, action__case_id=item.case_id).first() if item else None
    )
    audit_read(request, "deliberation material", attachment_id, allowed=attachment is not None)
    if attachment is None:
        raise Http404
    return attachment


def bodies_visible_to(user: Any) -> QuerySet[Body]:
    officer = officer_for_user(user)
    if officer is None:
        return Body.objects.none()
    return Body.objects.filter(organisation_id=officer.organisation_id, is_active=True).prefetch_related(
        Prefetch(
            "memberships", queryset=Membership.objects.select_related("officer").order_by("-is_presiding", "-rank")
        )
    )


def pending_items(body: Body) -> QuerySet[AgendaItem]:
    """Referred cases awaiting a meeting of ``body`` (a referral to the committee may meet in a specialised one)."""
    from_kinds = [kind for kind, meets in MEETS_IN.items() if body.kind in meets]
    items = AgendaItem.objects.filter(
        organisation_id=body.organisation_id, body_kind__in=from_kinds, status=ItemStatus.PENDING
    )
    if body.field:
        items = items.filter(case__case_type=body.field)
    return items.select_related("case", "referral__referred_by").order_by("created_at")


@dataclass
class MemberDesk:
    """A member's page: the meetings of the bodies they sit on, the opinions it is their turn to give, the
    minutes awaiting their signature, and (for leaders) follow-ups of resolutions."""

    upcoming: list[Meeting]
    my_turn: list[AgendaItem]
    to_sign: list[Meeting]
    past: list[Meeting]
    follow_ups: list[FollowUp]


def member_desk(user: Any) -> MemberDesk:
    officer = officer_for_user(user)
    if officer is None:
        return MemberDesk([], [], [], [], [])
    mine = Meeting.objects.filter(attendances__membership__officer=officer).select_related("body", "presiding__officer")
    upcoming = list(
        mine.filter(status__in=[MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION]).order_by("scheduled_for")
    )
    my_turn = []
    for meeting in upcoming:
        if meeting.status != MeetingStatus.IN_SESSION:
            continue
        for item in meeting.items.filter(status=ItemStatus.ON_AGENDA).select_related("case").order_by("position"):
            turn = next_speaker(item)
            if turn is not None and turn.officer_id == officer.pk:
                item.meeting = meeting
                my_turn.append(item)
    to_sign = list(
        mine.filter(
            status=MeetingStatus.CONCLUDED,
            attendances__membership__officer=officer,
            attendances__present=True,
            attendances__signed_at__isnull=True,
        ).distinct()
    )
    past = list(meetings_visible_to(user).filter(status__in=[MeetingStatus.CONCLUDED, MeetingStatus.SIGNED])[:20])
    follow_ups = list(follow_ups_visible_to(user).filter(status=FollowUpStatus.OPEN)[:50])
    return MemberDesk(upcoming, my_turn, to_sign, past, follow_ups)


def follow_ups_visible_to(user: Any) -> QuerySet[FollowUp]:
    """Follow-ups of binding resolutions: for those who may see the meeting, and the case's lead officer."""
    officer = officer_for_user(user)
    if officer is None:
        return FollowUp.objects.none()
    visible = meetings_visible_to(user).values("pk")
    return (
        FollowUp.objects.filter(Q(item__meeting__in=visible) | Q(item__case__lead_officer=officer))
        .select_related("item__case", "item__meeting__body")
        .order_by("due_on", "pk")
    )


@dataclass
class Responsibility:
    """Who answers for a resolution (the members who voted for it): what a discipline inspector reads."""

    item: AgendaItem
    voted_for: list[Officer]


def responsibility_for_case(user: Any, case: Case) -> list[Responsibility]:
    """The resolved items on a case whose meeting the user may read, each with those who voted for it."""
    visible = meetings_visible_to(user).values("pk")
    items = (
        AgendaItem.objects.filter(case=case, status=ItemStatus.RESOLVED, meeting__in=visible)
        .select_related("meeting__body")
        .prefetch_related(Prefetch("opinions", queryset=Opinion.objects.select_related("membership__officer")))
    )
    return [
        Responsibility(item, [o.membership.officer for o in item.opinions.all() if o.vote == "for"]) for item in items
    ]


def case_items(case: Case) -> list[AgendaItem]:
    """A case's referrals before deliberation bodies, for the case page (what was decided, never who said what)."""
    return list(
        AgendaItem.objects.filter(case=case).select_related("meeting__body", "follow_up").order_by("created_at")
    )


def has_deliberation_work(officer: Officer) -> bool:
    """Whether the top bar offers the deliberation page: a member of a body, or someone who reads its meetings."""
    if set(officer.role_codes) & (LEADERSHIP | {RoleCode.INSPECTOR, RoleCode.CASE_MANAGEMENT, RoleCode.DIVISION_CHIEF}):
        return True
    return Membership.objects.filter(officer=officer).exists()
