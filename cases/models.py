"""Cases and their trace: the append-only, hash-chained record of who did what."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accountability.choices import ActionType, Participation
from accountability.models import AppendOnlyError, AppendOnlyModel, Department, Officer, Organisation, TimeStamped
from cases.choices import (
    OPEN_FLAG_STATUSES,
    ActionSource,
    AlertFamily,
    CaseType,
    ClosingMethod,
    FlagStatus,
    FourCategory,
    InterferenceChannel,
    InterferenceSource,
    Outcome,
    Procedure,
    ReferralBody,
    SearchBearing,
    SourceLevel,
    TaskKind,
    TaskStatus,
)

GENESIS_HASH = "0" * 64
#: Reviewing a case is not taking part in it (the reviewer's own trace entries do not disqualify them).
REVIEW_ACTION_TYPES = ("review_planned", "review_assigned", "quality_review", "review_responded", "review_finalised")
_PARTICIPATION_RANK = {
    Participation.LEAD: 0,
    Participation.PANEL: 1,
    Participation.ASSISTANT: 2,
    Participation.CLERK: 3,
}


class ImportBatch(models.Model):
    """One run of ``import_data``: who ran it, on which files, with what result."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    directory = models.CharField(max_length=500)
    files = models.JSONField(default=dict)
    run_by = models.CharField(_("run by"), max_length=150)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"import {self.public_id} by {self.run_by}"


class Case(TimeStamped):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case_number = models.CharField(_("case number"), max_length=100, unique=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="cases"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    case_type = models.CharField(_("case type"), max_length=16, choices=CaseType.choices)
    procedure = models.CharField(_("procedure"), max_length=16, choices=Procedure.choices)
    cause = models.CharField(_("cause of action"), max_length=200, blank=True)
    parties = models.TextField(_("parties"), blank=True)
    filed_on = models.DateField(_("filed on"))
    time_limit_days = models.PositiveIntegerField(_("time limit (days)"), default=0)
    extension_days = models.PositiveIntegerField(_("approved extension (days)"), default=0)
    excluded_days = models.PositiveIntegerField(_("excluded days"), default=0)
    lead_officer = models.ForeignKey(
        Officer,
        verbose_name=_("lead officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_cases",
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_method = models.CharField(_("closing method"), max_length=16, choices=ClosingMethod.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    original_case = models.ForeignKey(
        "self",
        verbose_name=_("original case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived_cases",
    )
    parties_count = models.PositiveIntegerField(_("number of parties"), null=True, blank=True)
    claim_amount = models.DecimalField(_("claim amount (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True)
    awarded_amount = models.DecimalField(
        _("awarded amount (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    recovered_amount = models.DecimalField(
        _("recovered amount (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    # The case's text, for similar-case search (类案检索): optional columns of cases.csv, or written by the panel.
    facts_summary = models.TextField(_("facts summary"), blank=True, default="", db_default="")
    disputed_points = models.TextField(_("disputed points"), blank=True, default="", db_default="")
    ruling_summary = models.TextField(_("ruling summary"), blank=True, default="", db_default="")
    # Optimistic concurrency: every change of the case's own fields bumps it.
    version = models.PositiveIntegerField(default=1)
    # The head of the trace's hash chain and its length, updated under a row lock on every append.
    trace_head = models.CharField(max_length=64, default=GENESIS_HASH, editable=False)
    trace_length = models.PositiveIntegerField(default=0, editable=False)
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("filed_on")),
                name="case_closed_after_filed",
            ),
            models.CheckConstraint(
                condition=Q(claim_amount__isnull=True) | Q(claim_amount__gte=0), name="case_claim_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(awarded_amount__isnull=True) | Q(awarded_amount__gte=0), name="case_awarded_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(recovered_amount__isnull=True) | Q(recovered_amount__gte=0),
                name="case_recovered_nonnegative",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "filed_on"], name="case_org_filed"),
            models.Index(fields=["organisation", "closed_on"], name="case_org_closed"),
            models.Index(fields=["lead_officer", "closed_on"], name="case_lead_closed"),
            models.Index(fields=["department", "filed_on"], name="case_dept_filed"),
        ]

    def __str__(self) -> str:
        return self.case_number

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def time_limit_clock(self, today: dt.date | None = None) -> dict[str, int | None]:
        """审限 clock: days used (excluded days out, to closing or today), the limit in force, days left."""
        end = self.closed_on or today or timezone.localdate()
        used = (end - self.filed_on).days - self.excluded_days
        limit = self.time_limit_days + self.extension_days
        if not limit:
            return {"used": used, "limit": None, "left": None, "over": None, "percent": None}
        return {
            "used": used,
            "limit": limit,
            "left": max(0, limit - used),
            "over": max(0, used - limit),
            "percent": min(100, max(0, round(100 * used / limit))),
        }

    def participation_of(self, officer: Officer) -> str | None:
        """How ``officer`` takes part in this case (lead first), or None. Uses prefetched participants."""
        if self.lead_officer_id is not None and self.lead_officer_id == officer.pk:
            return Participation.LEAD
        if self.pk is None:
            return None
        found = [p.role for p in self.participants.all() if p.officer_id == officer.pk]
        return min(found, key=_PARTICIPATION_RANK.__getitem__) if found else None

    def power_facts(self, officer: Officer) -> dict[str, Any]:
        """The facts about this case that power-list conditions may test. A callable is computed only if a
        condition asks for it (``accountability.powers.Facts``)."""
        participation = self.participation_of(officer)
        return {
            "actor.participation": participation or "none",
            # took any part: on the team, or has any action in the trace (e.g. signed, supervised)
            "actor.took_part": (lambda: True)
            if participation
            else (
                lambda: (
                    self.pk is not None
                    and self.actions.filter(actor=officer).exclude(action_type__in=REVIEW_ACTION_TYPES).exists()
                )
            ),
            "case.is_open": self.is_open,
            "case.case_type": self.case_type,
            "case.procedure": self.procedure,
            "case.requires_search_report": lambda: self.pk is not None and _similar().report_required(self),
            "case.has_search_report": lambda: self.pk is not None and _similar().has_report(self),
        }


def _similar() -> Any:
    from cases import similar  # the search module builds on these models

    return similar


class CaseParticipant(models.Model):
    """A panel member (合议庭成员), assistant or clerk on a case; the lead is ``Case.lead_officer``."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="participants")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(
        max_length=16,
        choices=[(c.value, c.label) for c in Participation if c != Participation.LEAD],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "role", "officer_id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "officer", "role"], name="caseparticipant_unique"),
        ]
        indexes = [models.Index(fields=["officer", "case"], name="caseparticipant_officer")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.officer_id}:{self.role}"


class ActionQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Trace actions are append-only: they cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Trace actions are append-only: they cannot be deleted.")


class Action(AppendOnlyModel):
    """办案节点: one thing someone did on a case. Never edited, never deleted; corrections are new actions.

    ``hash`` = SHA-256 over ``prev_hash`` and the canonical JSON of the action
    (``cases.chain.canonical_action``), so any later edit of a stored row breaks
    the chain and ``verify_audit_chain`` finds it.
    """

    # An action is named by (case, seq): no random-UUID index to maintain on 100 M rows.
    # Indexed through the (case, seq) unique constraint: no separate case_id index to maintain.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions", db_index=False)
    seq = models.PositiveIntegerField()
    # The year the case was filed: on PostgreSQL the table is partitioned by it (cases.partitions), so a case's
    # whole trace lives in one partition and (case, seq) stays unique across the table. Set by every writer.
    case_year = models.PositiveSmallIntegerField(_("case year"), editable=False)
    action_type = models.CharField(_("action type"), max_length=48, choices=ActionType.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    actor = models.ForeignKey(
        Officer, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    source = models.CharField(_("source"), max_length=8, choices=ActionSource.choices)
    note = models.TextField(_("note"), blank=True)
    payload = models.JSONField(default=dict, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        db_index=False,  # a partial index below: corrections are rare
        db_constraint=False,  # a partitioned table has no unique index on id alone (cases.partitions)
    )
    power_item_code = models.CharField(_("power-list item"), max_length=32, blank=True)
    power_item_revision = models.PositiveIntegerField(null=True, blank=True)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # SHA-256 of INTERCHANGE.md's action identity (case, time, actor, type, note): makes re-imports idempotent.
    # Looked up per case through (case, seq), so it needs no index of its own.
    dedup_key = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["case_id", "seq"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="action_case_seq")]
        indexes = [
            models.Index(fields=["action_type", "occurred_at"], name="action_type_time"),
            models.Index(fields=["corrects"], name="action_corrects", condition=Q(corrects__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action_type}"


class ChainDigest(AppendOnlyModel):
    """A daily fold of every chain head into one hash, itself chained day to day.

    Exported and kept outside the system, it makes a wholesale rewrite of history
    detectable: the rewritten heads no longer fold to the stored digest.
    """

    day = models.DateField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    chains = models.PositiveIntegerField()
    actions = models.PositiveBigIntegerField()
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} {self.digest}"


class Attachment(AppendOnlyModel):
    """A document or evidence list attached to an action. Stored outside the web root under a generated
    name; its SHA-256 is in the action's payload, so the file is covered by the chain too."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No database constraint: the partitioned action table has no unique index on id alone (cases.partitions).
    # Actions are never deleted (a trigger refuses it) and an attachment is written with its action.
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="attachments", db_constraint=False)
    original_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action_id", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class Situation(TimeStamped):
    """A situation under one of the four categories (Jiangsu: 24, Hunan: 17), or a risk point (风险点):
    data, edited in the admin, each change a new revision (``SituationRevision``).

    Manual situations are raised by people; automatic ones carry a declarative condition over the facts
    of ``cases.rules.FIELDS``, evaluated on case events and swept set-wise on a schedule."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("Raised by a person")
        AUTOMATIC = "automatic", _("Detected by a rule")

    code = models.CharField(_("code"), max_length=32, unique=True)
    family = models.CharField(
        _("family"), max_length=16, choices=AlertFamily.choices, default=AlertFamily.FOUR_CATEGORY
    )
    category = models.CharField(_("category"), max_length=16, choices=FourCategory.choices, blank=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("explanation"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.MANUAL)
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    #: 1 is the most urgent; the inbox sorts by it after escalation and deadline.
    priority = models.PositiveSmallIntegerField(_("priority"), default=2)
    requires_similar_search = models.BooleanField(
        _("requires a similar-case search"),
        default=False,
        help_text=_("While a flag of this situation is pending or confirmed, the ruling cannot be signed "
                    "until a similar-case search report is attached."),
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["family", "category", "code"]
        verbose_name = _("four-category situation or risk point")
        verbose_name_plural = _("four-category situations and risk points")
        constraints = [
            models.CheckConstraint(
                condition=Q(family="risk_point", category="") | (Q(family="four_category") & ~Q(category="")),
                name="situation_category_matches_family",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_automatic(self) -> bool:
        return self.kind == self.Kind.AUTOMATIC


class SituationRevision(AppendOnlyModel):
    """Each version of a situation's definition, kept for life: a flag names the revision that raised it."""

    situation = models.ForeignKey(Situation, on_delete=models.PROTECT, related_name="revisions")
    revision = models.PositiveIntegerField()
    snapshot = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["situation_id", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["situation", "revision"], name="situationrevision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.situation_id} r{self.revision}"


class Flag(TimeStamped):
    """四类案件标识: a case flagged under a situation, pre-flagged then confirmed or dismissed by a leader."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="flags")
    situation = models.ForeignKey(Situation, on_delete=models.PROTECT, related_name="flags")
    situation_revision = models.PositiveIntegerField()
    status = models.CharField(_("status"), max_length=16, choices=FlagStatus.choices, default=FlagStatus.PENDING)
    reason = models.TextField(_("why"))
    facts = models.JSONField(default=dict, blank=True)
    raised_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    #: A pending flag must be acted on by then, or it escalates one level up (``escalation_level``).
    act_by = models.DateTimeField(_("act by"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["act_by"], name="flag_pending_act_by", condition=Q(status="pending")),
        ]
        verbose_name = _("four-category flag")
        verbose_name_plural = _("four-category flags")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "situation"],
                condition=Q(status__in=OPEN_FLAG_STATUSES),
                name="one_open_flag_per_situation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.situation.code} {self.status}"


class SupervisionTask(TimeStamped):
    """What a supervising leader asked of the panel: report progress, or search similar cases, by a date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="supervision_tasks")
    flag = models.ForeignKey(Flag, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(_("task"), max_length=24, choices=TaskKind.choices)
    required_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="tasks_required")
    assignee = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="tasks_assigned")
    instructions = models.TextField(_("instructions"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    response = models.TextField(_("report"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["due_on"], name="task_open_due", condition=Q(status="open")),
            models.Index(fields=["assignee", "status"], name="task_assignee"),
        ]
        verbose_name = _("supervision task")
        verbose_name_plural = _("supervision tasks")

    def __str__(self) -> str:
        return f"{self.case} {self.kind} {self.due_on}"


class Referral(TimeStamped):
    """A case referred to the professional judges' meeting or the adjudication committee, and its outcome."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    flag = models.ForeignKey(Flag, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    body = models.CharField(_("referred to"), max_length=32, choices=ReferralBody.choices)
    reason = models.TextField(_("reason"))
    referred_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_recorded_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.case} → {self.body}"


class InterferenceRecord(AppendOnlyModel):
    """过问、干预案件记录 (三个规定): permanent, chained like the trace, and kept out of the case's trace, so
    that nobody who may read the case (the person recorded, their superiors) learns who recorded it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    seq = models.PositiveBigIntegerField(unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    #: The recorder's department when they recorded: the quarterly report counts it there.
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorder = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    source_kind = models.CharField(_("who asked (kind)"), max_length=16, choices=InterferenceSource.choices)
    person_name = models.CharField(_("name"), max_length=100)
    person_employer = models.CharField(_("employer"), max_length=200, blank=True)
    person_post = models.CharField(_("post"), max_length=100, blank=True)
    relationship = models.CharField(_("relationship to the case or the recorder"), max_length=200, blank=True)
    #: When the person is an officer in the system: their chain of command never sees the record.
    person_officer = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(_("when"))
    channel = models.CharField(_("channel"), max_length=16, choices=InterferenceChannel.choices)
    content = models.TextField(_("what was asked"))
    handling = models.TextField(_("how it was handled"))
    recorded_at = models.DateTimeField(default=timezone.now)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["organisation", "occurred_at"], name="interference_org_time"),
            models.Index(fields=["department", "occurred_at"], name="interference_dept_time"),
        ]
        verbose_name = _("interference record")
        verbose_name_plural = _("interference records")

    def __str__(self) -> str:
        return f"#{self.seq} {self.case_id}"


class InterferenceAttachment(AppendOnlyModel):
    """A file kept with an interference record (same upload rules as case attachments)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record = models.ForeignKey(InterferenceRecord, on_delete=models.PROTECT, related_name="attachments")
    original_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["record_id", "pk"]

    def __str__(self) -> str:
        return self.original_name


class InterferenceReport(AppendOnlyModel):
    """A department's quarterly report on interference (季度报告), a nil report (零报告) when nothing happened."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    records = models.PositiveIntegerField(_("records in the quarter"))
    is_nil = models.BooleanField(_("nil report"))
    note = models.TextField(_("note"), blank=True)
    filed_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-quarter", "department_id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "quarter"], name="interferencereport_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="interferencereport_quarter"),
        ]
        verbose_name = _("quarterly interference report")
        verbose_name_plural = _("quarterly interference reports")

    def __str__(self) -> str:
        return f"{self.department_id} {self.year}Q{self.quarter}"


class ReferenceCase(TimeStamped):
    """A guiding case, an SPC typical case or a provincial reference case (参考性案例): loaded through the
    admin or ``import_reference_cases``; found by similar-case search before any ruling of a court."""

    level = models.PositiveSmallIntegerField(
        _("source"), choices=[(c.value, c.label) for c in SourceLevel if c <= SourceLevel.PROVINCIAL]
    )
    number = models.CharField(_("number"), max_length=100, unique=True, help_text=_("For example 指导案例24号."))
    title = models.CharField(_("title"), max_length=300)
    issued_by = models.ForeignKey(
        Organisation,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a provincial reference case, the high court that issued it: searched within its province."),
    )
    court = models.CharField(_("court of the ruling"), max_length=200, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    case_type = models.CharField(_("case type"), max_length=16, choices=CaseType.choices, blank=True)
    cause = models.CharField(_("cause of action"), max_length=200, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    key_points = models.TextField(_("key points of the ruling"), blank=True)
    facts_summary = models.TextField(_("facts summary"), blank=True)
    disputed_points = models.TextField(_("disputed points"), blank=True)
    ruling_summary = models.TextField(_("ruling summary"), blank=True)

    class Meta:
        ordering = ["level", "number"]
        verbose_name = _("reference case")
        verbose_name_plural = _("reference cases")
        constraints = [
            models.CheckConstraint(condition=Q(level__lte=SourceLevel.PROVINCIAL), name="referencecase_level"),
            models.CheckConstraint(
                condition=~Q(level=SourceLevel.PROVINCIAL) | Q(issued_by__isnull=False),
                name="referencecase_provincial_issuer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class SearchDocument(models.Model):
    """One searchable text: a decided case of a court, or a reference case. ``tokens`` is the text segmented
    by jieba (space-separated, padded with spaces); on PostgreSQL a generated ``tsvector`` column over it has a
    GIN index (migration ``cases/0012``)."""

    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="search_document")
    reference = models.OneToOneField(
        ReferenceCase, null=True, blank=True, on_delete=models.CASCADE, related_name="search_document"
    )
    # Where it may be found from: a case's court, a provincial case's issuer; none for national references.
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)  # references only: a case's is relative
    decided_on = models.DateField(null=True, blank=True)
    case_type = models.CharField(max_length=16, blank=True)
    cause = models.CharField(max_length=200, blank=True)
    tokens = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False, reference__isnull=True) | Q(case__isnull=True, reference__isnull=False),
                name="searchdocument_one_source",
            )
        ]

    def __str__(self) -> str:
        return f"search document {self.pk}"


class SearchReport(AppendOnlyModel):
    """A similar-case search report (类案检索报告) attached to a case: what was searched, the results the
    judge found relevant and how each bears on the case, and the conclusion. Permanent; a new search makes
    a new report. Its trace action is ``similar_case_search``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="search_reports")
    author = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    query = models.CharField(_("query"), max_length=200)
    filters = models.JSONField(default=dict, blank=True)
    conclusion = models.TextField(_("conclusion"))
    # No database constraint, as for attachments (cases.partitions).
    action = models.OneToOneField(Action, on_delete=models.PROTECT, related_name="search_report", db_constraint=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("similar-case search report")
        verbose_name_plural = _("similar-case search reports")

    def __str__(self) -> str:
        return f"{self.case} {self.query}"


class SearchReportItem(AppendOnlyModel):
    """A result the judge kept, as it stood when the report was made (the snapshot survives re-indexing)."""

    report = models.ForeignKey(SearchReport, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField()
    source_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reference = models.ForeignKey(ReferenceCase, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("source"), choices=SourceLevel.choices)
    label = models.CharField(_("case"), max_length=300)
    bearing = models.CharField(_("bearing"), max_length=16, choices=SearchBearing.choices)
    note = models.TextField(_("how it bears on the case"))

    class Meta:
        ordering = ["report", "position"]
        constraints = [models.UniqueConstraint(fields=["report", "position"], name="searchreportitem_position")]

    def __str__(self) -> str:
        return self.label
