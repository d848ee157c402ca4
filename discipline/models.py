"""Discipline (惩戒, DOMAIN.md §9): leads, proceedings and their chained trace, the committee, rights,
decisions, sanctions, review and appeal. Every write goes through ``discipline.services``."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from accountability.chain import GENESIS_HASH
from accountability.models import AppendOnlyModel, Officer, Organisation, TimeStamped
from discipline.choices import (
    Decision,
    Exemption,
    LeadSource,
    LeadStatus,
    Opinion,
    OpinionGround,
    Outcome,
    PersonnelMeasure,
    SanctionKind,
    Stage,
)

#: What each kind of proceeding event is called on the page.
EVENT_LABELS = {
    "opened": _("Proceeding opened"),
    "suspended": _("Suspended from duty"),
    "reinstated": _("Suspension lifted"),
    "referred": _("Referred to the committee"),
    "closed_without_referral": _("Closed without referral"),
    "notice_served": _("Notice served"),
    "recusal_requested": _("Recusal requested"),
    "recusal_decided": _("Recusal decided"),
    "hearing_held": pgettext_lazy("discipline", "Hearing held"),
    "vote_cast": _("Vote cast"),
    "opinion_given": _("Opinion given"),
    "opinion_served": _("Opinion served"),
    "opinion_acknowledged": _("Opinion acknowledged by the officer"),
    "objection_filed": _("Objection filed"),
    "objection_decided": _("Objection decided"),
    "opinion_final": _("Opinion final"),
    "decided": _("Decided"),
    "review_requested": _("Review requested"),
    "review_decided": _("Review decided"),
    "appeal_lodged": _("Appeal lodged"),
    "appeal_extended": _("Appeal time extended"),
    "appeal_decided": _("Appeal decided"),
    "closed": _("Closed"),
    "statement_submitted": _("Statement submitted"),
}


class Lead(TimeStamped):
    """A lead (线索) about an officer: registered, then dismissed with a reason or opened as a proceeding;
    a duplicate is merged into the lead it repeats."""

    Source = LeadSource
    Status = LeadStatus

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    officer = models.ForeignKey(Officer, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="leads")
    source = models.CharField(_("source"), max_length=20, choices=LeadSource.choices)
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.REGISTERED)
    summary = models.TextField(_("summary"))
    # What raised it, e.g. {"consequence": 12} or {"case": "(2025)…"}: leads are traceable to their origin.
    origin = models.JSONField(default=dict, blank=True)
    registered_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")
    reviewed_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [models.Index(fields=["officer", "status"], name="lead_officer_status")]

    def __str__(self) -> str:
        return f"{self.officer} {self.get_source_display()}"


class Committee(TimeStamped):
    """A discipline committee (惩戒委员会), usually at the provincial high court or procuratorate."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(Officer, through="CommitteeMember", related_name="committees")

    class Meta:
        verbose_name = _("discipline committee")
        verbose_name_plural = _("discipline committees")

    def __str__(self) -> str:
        return self.name


class CommitteeMember(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["committee", "officer"], name="committeemember_unique")]

    def __str__(self) -> str:
        return f"{self.committee}: {self.officer}"


class Proceeding(TimeStamped):
    """A disciplinary proceeding against one officer, a state machine over ``Stage``. Transitions are only
    called by the services, which check the power list, the windows and the rights, and record each step."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=40, unique=True)
    lead = models.OneToOneField(Lead, on_delete=models.PROTECT, related_name="proceeding")
    officer = models.ForeignKey(
        Officer, verbose_name=_("officer concerned"), on_delete=models.PROTECT, related_name="proceedings"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("deciding organisation"), on_delete=models.PROTECT, related_name="+"
    )
    committee = models.ForeignKey(Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    stage = FSMField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.INVESTIGATION, protected=True)
    stage_started_at = models.DateTimeField()
    due_on = models.DateField(_("due on"), null=True, blank=True)
    reminded_stage = models.CharField(max_length=20, blank=True)
    overdue_stage = models.CharField(max_length=20, blank=True)
    allegation = models.TextField(_("allegation"))
    hearing_on = models.DateField(_("hearing date"), null=True, blank=True)
    notice = models.TextField(_("notice"), blank=True)
    hearing_record = models.TextField(_("hearing record"), blank=True)
    opinion = models.CharField(_("opinion"), max_length=24, choices=Opinion.choices, blank=True)
    opinion_reasons = models.TextField(_("reasons for the opinion"), blank=True)
    opinion_served_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    decision_text = models.TextField(_("decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    trace_head = models.CharField(max_length=64, default=GENESIS_HASH, editable=False)
    trace_length = models.PositiveIntegerField(default=0, editable=False)
    # the seal of (id, length, head) under the chain key (accountability.chain.seal_head)
    trace_mac = models.CharField(max_length=96, blank=True, editable=False, db_default="")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("disciplinary proceeding")
        verbose_name_plural = _("disciplinary proceedings")
        indexes = [models.Index(fields=["stage", "due_on"], name="proceeding_stage_due")]

    def __str__(self) -> str:
        return self.number

    # --- the state machine (the services call these; each is one arrow of DOMAIN.md §9) ---

    @transition(field=stage, source=Stage.INVESTIGATION, target=Stage.REFERRED)
    def refer(self) -> None: ...

    @transition(field=stage, source=Stage.REFERRED, target=Stage.NOTIFIED)
    def notify(self) -> None: ...

    @transition(field=stage, source=Stage.NOTIFIED, target=Stage.HEARD)
    def hear(self) -> None: ...

    @transition(field=stage, source=Stage.HEARD, target=Stage.OPINION)
    def give_opinion(self) -> None: ...

    @transition(field=stage, source=Stage.OPINION, target=Stage.SERVED)
    def serve(self) -> None: ...

    @transition(field=stage, source=Stage.SERVED, target=Stage.OBJECTED)
    def object(self) -> None: ...

    @transition(field=stage, source=[Stage.SERVED, Stage.OBJECTED], target=Stage.OPINION_FINAL)
    def finalise_opinion(self) -> None: ...

    @transition(field=stage, source=Stage.OPINION_FINAL, target=Stage.DECIDED)
    def decide(self) -> None: ...

    @transition(field=stage, source=Stage.DECIDED, target=Stage.REVIEW)
    def request_review(self) -> None: ...

    @transition(field=stage, source=Stage.REVIEW, target=Stage.REVIEWED)
    def decide_review(self) -> None: ...

    @transition(field=stage, source=[Stage.DECIDED, Stage.REVIEWED], target=Stage.APPEAL)
    def appeal(self) -> None: ...

    @transition(
        field=stage, source=[Stage.INVESTIGATION, Stage.DECIDED, Stage.REVIEWED, Stage.APPEAL], target=Stage.CLOSED
    )
    def close(self) -> None: ...


class ProceedingEvent(AppendOnlyModel):
    """One step of a proceeding, chained like a case's trace (SHA-256 over the previous hash and this row)."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    stage = models.CharField(max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    note = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    power_item_code = models.CharField(max_length=32, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    #: the hash sealed with the chain key (accountability.chain.seal_link)
    mac = models.CharField(max_length=96, blank=True, db_default="")
    #: the canonical form the hash was computed in (``accountability.chain``): 1 for events written before the
    #: one chain module, 2 since; each is verified in its own form
    hash_form = models.PositiveSmallIntegerField(default=2, editable=False)

    class Meta:
        ordering = ["proceeding", "seq"]
        constraints = [models.UniqueConstraint(fields=["proceeding", "seq"], name="proceedingevent_seq")]

    def __str__(self) -> str:
        return f"{self.proceeding_id}#{self.seq} {self.kind}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.kind, self.kind))


class ProceedingMember(TimeStamped):
    """A committee member assigned to a proceeding; a granted recusal takes them off it."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="members")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    is_judicial = models.BooleanField(_("judge or prosecutor"))
    recused = models.BooleanField(default=False)

    class Meta:
        ordering = ["proceeding", "pk"]
        constraints = [models.UniqueConstraint(fields=["proceeding", "officer"], name="proceedingmember_unique")]

    def __str__(self) -> str:
        return f"{self.proceeding}: {self.officer}"


class RecusalRequest(TimeStamped):
    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="recusals")
    member = models.ForeignKey(ProceedingMember, on_delete=models.PROTECT, related_name="recusal_requests")
    reason = models.TextField(_("reason"))
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)


class Vote(TimeStamped):
    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey(ProceedingMember, on_delete=models.PROTECT, related_name="votes")
    opinion = models.CharField(_("opinion"), max_length=24, choices=Opinion.choices)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proceeding", "member"], name="vote_once")]


class ExemptionFinding(TimeStamped):
    """An exemption the committee considered for this proceeding, whether it applies, and why."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="exemptions")
    exemption = models.CharField(_("exemption"), max_length=24, choices=Exemption.choices)
    applies = models.BooleanField(_("applies"))
    reasoning = models.TextField(_("reasoning"))

    class Meta:
        ordering = ["proceeding", "pk"]
        constraints = [models.UniqueConstraint(fields=["proceeding", "exemption"], name="exemption_once")]


class Submission(AppendOnlyModel):
    """A statement, evidence or defence by the officer concerned (陈述、举证、辩解), with files."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="submissions")
    author = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("statement"))
    files = models.JSONField(default=list, blank=True)  # [{name, stored_name, sha256, size, type}]
    created_at = models.DateTimeField()


class Objection(TimeStamped):
    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField(_("objection"))
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)


class Sanction(TimeStamped):
    """The sanctions register: what was imposed, for how long, and whether a review or appeal replaced it."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="sanctions")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(_("sanction"), max_length=20, choices=SanctionKind.choices)
    measures = models.JSONField(_("personnel measures"), default=list, blank=True)
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    source = models.CharField(max_length=10)  # decision, review, appeal
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions register")

    @property
    def in_force(self) -> bool:
        return self.superseded_by_id is None

    @property
    def measure_labels(self) -> list[str]:
        return [str(PersonnelMeasure(m).label) for m in self.measures if m in PersonnelMeasure.values]


class Challenge(TimeStamped):
    """A request for review (复核) or an appeal (申诉) by the officer, and its decision."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("Review")
        APPEAL = "appeal", _("Appeal")

    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="challenges")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    direct = models.BooleanField(default=False)  # an appeal lodged without a review
    due_on = models.DateField(_("to be decided by"))
    extended = models.BooleanField(default=False)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proceeding", "pk"]


class Suspension(TimeStamped):
    """An officer suspended from duty (暂停履职 during investigation, or 停职 as a measure): while it is in
    force the power list refuses them every action on a case (``actor.suspended``)."""

    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="suspensions")
    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="suspensions")
    measure = models.CharField(max_length=20, choices=PersonnelMeasure.choices, default=PersonnelMeasure.SUSPENSION)
    reason = models.TextField(_("reason"))
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["officer"], name="suspension_active", condition=Q(lifted_at__isnull=True))]


class SanctionRule(TimeStamped):
    """What the deciding organisation may decide on each opinion of the committee (惩戒规则): the sanctions and
    the personnel measures it allows. Data, edited in the admin (each save in the rule-change log), seeded by
    ``discipline.default_rules``. A decision that exceeds the rule of its opinion is refused, naming both; when
    "no sanction" is not among the sanctions allowed, a sanction is required (应当给予处分)."""

    ground = models.CharField(_("opinion"), max_length=24, choices=OpinionGround.choices, unique=True)
    kinds = models.JSONField(_("sanctions allowed"), default=list, blank=True)
    measures = models.JSONField(_("personnel measures allowed"), default=list, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("sanction rule")
        verbose_name_plural = _("sanction rules")

    def __str__(self) -> str:
        return str(self.get_ground_display())

    @property
    def sanction_required(self) -> bool:
        return SanctionKind.NONE not in self.kinds

    @property
    def kind_labels(self) -> list[str]:
        return [str(SanctionKind(k).label) for k in SanctionKind.values if k in self.kinds]

    @property
    def measure_labels(self) -> list[str]:
        return [str(PersonnelMeasure(m).label) for m in PersonnelMeasure.values if m in self.measures]
