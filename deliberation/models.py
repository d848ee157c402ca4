"""Deliberation bodies (DOMAIN.md §4): each court's professional judges' meetings (专业法官会议, per field) and
adjudication committee (审判委员会, with its specialised committees), each procuratorate's prosecutors' joint meeting
(检察官联席会议) and procuratorial committee (检察委员会); their members by term; the referral rules; meetings with
their agenda, attendance, recusals, opinions in speaking order, votes, resolutions, chained record and signed
minutes; the panel's departure from an advisory opinion and the follow-up (督办) of a binding resolution.

A referral is still ``supervision.Referral`` (its table, its API and pages): each referral becomes one agenda item
here, and the resolution fills its outcome."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accountability.chain import GENESIS_HASH
from accountability.choices import OrganisationKind
from accountability.models import Officer, Organisation, OwnedChainEvent, TimeStamped
from cases.models import Case
from deliberation.choices import BodyKind, Field, FollowUpStatus, ItemStatus, MeetingStatus, Vote
from supervision.models import Referral


class Body(TimeStamped):
    """One deliberation body of one organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="deliberation_bodies")
    kind = models.CharField(_("kind"), max_length=32, choices=BodyKind.choices)
    field = models.CharField(_("field"), max_length=16, choices=Field.choices, blank=True, default="")
    name = models.CharField(_("name"), max_length=200)
    #: at least this many members present (a judges' meeting: three, by the 2021 guidance)
    min_present = models.PositiveSmallIntegerField(_("at least present"), default=3)
    #: more than half of the members in term must be present (a committee: 过半数出席)
    majority_quorum = models.BooleanField(_("more than half must attend"), default=False)
    #: days the panel has to reflect a binding resolution in its ruling (督办)
    follow_up_days = models.PositiveSmallIntegerField(_("days to reflect a resolution"), default=15)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organisation_id", "kind", "field"]
        verbose_name = _("deliberation body")
        verbose_name_plural = _("deliberation bodies")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "field"], name="deliberation_body_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStamped):
    """A member of a body for a term. ``rank`` orders speaking: lower ranks speak first, the presiding member
    last."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="memberships")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="deliberation_memberships")
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=1, help_text=_("Members of lower rank speak first; the presiding member speaks last.")
    )
    is_presiding = models.BooleanField(_("presiding member"), default=False)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    class Meta:
        ordering = ["body_id", "rank", "pk"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["body", "officer", "term_start"], name="deliberation_member_term"),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")), name="member_term_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.officer}"


class ReferralRule(TimeStamped):
    """Which referrals a body of a kind takes (rules as data). ``categories`` and ``event_types`` say which
    matters (a four-category case, a lifecycle event in the case's trace; neither: any matter); ``referrer_roles``
    who may refer; ``requires_prior`` names the body kind that must have discussed the case first (前置过滤);
    ``direct_roles`` may refer straight to it (e.g. the president's decision, 院长决定直接提交)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=300)
    organisation_kind = models.CharField(_("organisation kind"), max_length=16, choices=OrganisationKind.choices)
    body_kind = models.CharField(_("referred to"), max_length=32, choices=BodyKind.choices)
    requires_prior = models.CharField(
        _("must first be discussed by"), max_length=32, choices=BodyKind.choices, blank=True, default=""
    )
    direct_roles = models.JSONField(_("roles that may refer directly"), default=list, blank=True)
    #: who may make a referral under this rule (empty: whoever the power list lets refer); a panel refers its own
    #: case to the judges' meeting, only leaders to the committee
    referrer_roles = models.JSONField(_("roles that may refer under this rule"), default=list, blank=True)
    #: the matters the rule admits: a case of one of these four categories (an open flag), or a case whose trace
    #: holds one of these lifecycle events; both empty: any matter (the panel's own request, a leader's referral)
    categories = models.JSONField(_("four categories the rule admits"), default=list, blank=True)
    event_types = models.JSONField(_("lifecycle events the rule admits"), default=list, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organisation_kind", "code"]
        verbose_name = _("referral rule")
        verbose_name_plural = _("referral rules")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Meeting(TimeStamped):
    """One sitting of a body, with its chained record (``MeetingEvent``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    scheduled_for = models.DateTimeField(_("scheduled for"))
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    convened_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    presiding = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    trace_head = models.CharField(max_length=64, default=GENESIS_HASH, editable=False)
    trace_length = models.PositiveIntegerField(default=0, editable=False)
    trace_mac = models.CharField(max_length=96, blank=True, editable=False, default="")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-scheduled_for", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.body} {self.scheduled_for:%Y-%m-%d}"


class MeetingEvent(OwnedChainEvent):
    """One step of a meeting, chained (``accountability.chain.MEETING``)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32)

    class Meta:
        ordering = ["meeting", "seq"]
        constraints = [models.UniqueConstraint(fields=["meeting", "seq"], name="meetingevent_seq")]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.seq} {self.kind}"


class Attendance(TimeStamped):
    """A member's attendance at a meeting (every member in term is listed when it opens)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendances")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="attendances")
    present = models.BooleanField(_("present"), default=False)
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed the minutes at"), null=True, blank=True)

    class Meta:
        ordering = ["meeting_id", "membership__rank", "membership_id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "membership"], name="attendance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.membership_id} {self.present}"


class AgendaItem(TimeStamped):
    """A referred case before a body: pending until put on a meeting's agenda, then resolved there."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="agenda_item")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="agenda_items")
    body_kind = models.CharField(_("referred to"), max_length=32, choices=BodyKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField(_("position on the agenda"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    proposal = models.TextField(_("question put to the meeting"))
    materials = models.TextField(_("materials"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    adopted = models.BooleanField(_("adopted by a majority"), null=True, blank=True)
    binding = models.BooleanField(_("binding on the panel"), default=False)
    votes_for = models.PositiveSmallIntegerField(default=0)
    votes_against = models.PositiveSmallIntegerField(default=0)
    votes_abstain = models.PositiveSmallIntegerField(default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)
    #: the resolution's action in the case's trace (its ``seq``; the action table is partitioned, so no foreign key)
    resolution_seq = models.PositiveIntegerField(null=True, blank=True)
    departure_reason = models.TextField(_("why the panel departs from the opinion"), blank=True)
    departed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["meeting_id", "position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return f"{self.case} → {self.body_kind}"


class Recusal(TimeStamped):
    """A member who may not deliberate on an item (took part in the case, or declared a conflict)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="recusals")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["item_id", "membership_id"]
        constraints = [models.UniqueConstraint(fields=["item", "membership"], name="recusal_unique")]


class Opinion(TimeStamped):
    """A member's opinion and vote on an item, given in the recorded speaking order (``position``)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="opinions")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="opinions")
    position = models.PositiveSmallIntegerField(_("speaking order"))
    text = models.TextField(_("member's opinion"))
    vote = models.CharField(_("vote"), max_length=8, choices=Vote.choices)

    class Meta:
        ordering = ["item_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "membership"], name="opinion_once"),
            models.UniqueConstraint(fields=["item", "position"], name="opinion_position"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}#{self.position} {self.vote}"


class FollowUp(TimeStamped):
    """督办: a binding resolution followed up until the panel's ruling reflects it."""

    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="follow_up")
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("how the ruling reflects it"), blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["due_on"], name="followup_open_due", condition=Q(status="open"))]
        verbose_name = _("follow-up of a resolution")
        verbose_name_plural = _("follow-ups of resolutions")
