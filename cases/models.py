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

from accountability.chain import GENESIS_HASH
from accountability.choices import Participation, action_type_choices
from accountability.models import AppendOnlyError, AppendOnlyModel, Department, Officer, Organisation, TimeStamped
from cases.choices import (
    ActionSource,
    Approver,
    AssignmentKind,
    CaseType,
    ClosingMethod,
    DesignationReason,
    Outcome,
    Procedure,
    RequestStatus,
    Track,
)

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
    # indexed with the organisation (case_dept_org, case_dept_filed), not alone
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    case_type = models.CharField(_("case type"), max_length=16, choices=CaseType.choices)
    procedure = models.CharField(_("procedure"), max_length=16, choices=Procedure.choices)
    cause = models.CharField(_("cause of action"), max_length=200, blank=True)
    parties = models.TextField(_("parties"), blank=True)
    filed_on = models.DateField(_("filed on"))
    time_limit_days = models.PositiveIntegerField(_("time limit (days)"), default=0)
    extension_days = models.PositiveIntegerField(_("approved extension (days)"), default=0)
    excluded_days = models.PositiveIntegerField(_("excluded days"), default=0)
    # indexed with the organisation (case_lead_org, case_lead_closed), not alone
    lead_officer = models.ForeignKey(
        Officer,
        verbose_name=_("lead officer"),
        null=True,
        blank=True,
        db_index=False,
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
    # The case's life (DOMAIN.md §11): its procedural track, the rule that set its time limit, its presiding judge.
    track = models.CharField(_("track"), max_length=16, choices=Track.choices, blank=True, default="", db_default="")
    procedure_rule = models.ForeignKey(
        "cases.ProcedureRule",
        verbose_name=_("procedure rule"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    procedure_rule_revision = models.PositiveIntegerField(null=True, blank=True, editable=False)
    presiding_officer = models.ForeignKey(
        Officer,
        verbose_name=_("presiding judge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="presided_cases",
    )
    archived_on = models.DateField(_("archived on"), null=True, blank=True)
    # Optimistic concurrency: every change of the case's own fields bumps it.
    version = models.PositiveIntegerField(default=1)
    # The head of the trace's hash chain and its length, updated under a row lock on every append.
    trace_head = models.CharField(max_length=64, default=GENESIS_HASH, editable=False)
    trace_length = models.PositiveIntegerField(default=0, editable=False)
    # The seal of (id, length, head) under the chain key (accountability.chain.seal_head): a head rewritten or
    # moved back over a removed tail without the key no longer matches it.
    trace_mac = models.CharField(max_length=96, blank=True, editable=False, db_default="")
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
            # a nightly metric task finds the cases of its officers and departments held in other organisations in
            # these indexes alone (``evaluation.metrics._ORGANISATION_CASES``)
            models.Index(fields=["lead_officer", "organisation"], name="case_lead_org"),
            models.Index(fields=["department", "organisation"], name="case_dept_org"),
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
        }


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
    (``accountability.chain.CASE_TRACE``), so any later edit of a stored row breaks
    the chain and ``verify_audit_chain`` finds it; ``mac`` seals the hash with a key
    held outside the database, so recomputing the hashes after an edit is found too.
    """

    # An action is named by (case, seq): no random-UUID index to maintain on 100 M rows.
    # Indexed through the (case, seq) unique constraint: no separate case_id index to maintain.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions", db_index=False)
    seq = models.PositiveIntegerField()
    # The year the case was filed: on PostgreSQL the table is partitioned by it (cases.partitions), so a case's
    # whole trace lives in one partition and (case, seq) stays unique across the table. Set by every writer.
    case_year = models.PositiveSmallIntegerField(_("case year"), editable=False)
    action_type = models.CharField(_("action type"), max_length=48, choices=action_type_choices)
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
    # "<key id>:" + HMAC of the hash under the chain key (accountability.chain.seal_link): recomputing the plain
    # hashes after an edit does not give the seal.
    mac = models.CharField(max_length=96, blank=True, db_default="")

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
    # the digest sealed with the chain key: a digest row recomputed by someone without the key does not match
    mac = models.CharField(max_length=96, blank=True, db_default="")

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


# --- a case's life (DOMAIN.md §11) ----------------------------------------------------------------------------


class LimitUnit(models.TextChoices):
    MONTHS = "months", _("calendar months")
    DAYS = "days", _("days")


class ProcedureRule(TimeStamped):
    """案件类型代字 and 审限 per case type, procedure and track: data, edited in the admin, each change a revision.

    A filed case takes its type code (the 民初 of （2026）沪0101民初133号) and its statutory time limit from the rule
    in force, and records which revision it was."""

    case_type = models.CharField(_("case type"), max_length=16, choices=CaseType.choices)
    procedure = models.CharField(_("procedure"), max_length=16, choices=Procedure.choices)
    track = models.CharField(_("track"), max_length=16, choices=Track.choices, blank=True)
    type_code = models.CharField(
        _("type code"), max_length=8, help_text=_("As in the case number, e.g. 民初, 民终, 刑初.")
    )
    limit_value = models.PositiveIntegerField(_("time limit"), help_text=_("0: no statutory time limit."))
    limit_unit = models.CharField(_("unit"), max_length=8, choices=LimitUnit.choices, default=LimitUnit.MONTHS)
    extension_value = models.PositiveIntegerField(_("extension"), default=0)
    extension_unit = models.CharField(
        _("extension unit"), max_length=8, choices=LimitUnit.choices, default=LimitUnit.MONTHS
    )
    extension_approver = models.CharField(
        _("extension approved by"), max_length=16, choices=Approver.choices, default=Approver.PRESIDENT
    )
    further_approver = models.CharField(
        _("further extension approved by"), max_length=16, choices=Approver.choices, default=Approver.NONE
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["case_type", "procedure", "track"]
        verbose_name = _("procedure rule (type code and time limit)")
        verbose_name_plural = _("procedure rules (type codes and time limits)")
        constraints = [
            models.UniqueConstraint(fields=["case_type", "procedure", "track"], name="procedurerule_unique"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.type_code} {self.get_case_type_display()} {self.get_procedure_display()} {self.get_track_display()}"
        )


class ProcedureRuleRevision(AppendOnlyModel):
    """Each version of a procedure rule, kept for life: a case names the revision that set its limit."""

    rule = models.ForeignKey(ProcedureRule, on_delete=models.PROTECT, related_name="revisions")
    revision = models.PositiveIntegerField()
    snapshot = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rule_id", "revision"]
        constraints = [models.UniqueConstraint(fields=["rule", "revision"], name="procedurerulerevision_unique")]

    def __str__(self) -> str:
        return f"{self.rule_id} r{self.revision}"


class CaseNumberSequence(models.Model):
    """The last sequence number given per court, type code and year: case numbers without gaps (案号连续)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    type_code = models.CharField(max_length=8)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "type_code"], name="casenumbersequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year} {self.type_code} {self.last}"


class FilingRefusal(AppendOnlyModel):
    """不予受理: a filing the court refused, kept on record with its reason (no case, so no trace of its own)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case_type = models.CharField(_("case type"), max_length=16, choices=CaseType.choices)
    procedure = models.CharField(_("procedure"), max_length=16, choices=Procedure.choices)
    cause = models.CharField(_("cause of action"), max_length=200, blank=True)
    parties = models.TextField(_("parties"))
    reason = models.TextField(_("reason"))
    refused_on = models.DateField(_("refused on"))
    refused_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    power_item_code = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-refused_on", "-id"]
        verbose_name = _("refused filing")
        verbose_name_plural = _("refused filings")

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.refused_on} {self.cause}"


class FlowNode(TimeStamped):
    """One node (流程节点) of the standard flow of a case type and procedure: data, edited in the admin.

    A node is reached when an action of one of its ``action_types`` is in the trace; its deadline counts from
    filing or from the node before it; a required node must be reached before the case may close, unless the case
    closes by one of the methods in ``waived_for``."""

    class From(models.TextChoices):
        FILING = "filing", _("Filing")
        PREVIOUS = "previous", _("The node before")

    case_type = models.CharField(_("case type"), max_length=16, choices=CaseType.choices)
    procedure = models.CharField(_("procedure"), max_length=16, choices=Procedure.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    action_types = models.JSONField(_("reached by"), default=list)
    deadline_days = models.PositiveIntegerField(_("deadline (days)"), null=True, blank=True)
    deadline_from = models.CharField(_("counted from"), max_length=16, choices=From.choices, default=From.FILING)
    required = models.BooleanField(_("required before closing"), default=True)
    #: Closing methods for which a required node is not required (撤诉、调解、移送 close without 开庭审理 or 合议).
    waived_for = models.JSONField(
        _("not required when closing by"),
        default=list,
        blank=True,
        help_text=_('A JSON list of closing methods, e.g. ["withdrawal", "mediation", "transfer"].'),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["case_type", "procedure", "position"]
        verbose_name = _("process node")
        verbose_name_plural = _("process nodes")
        constraints = [
            models.UniqueConstraint(fields=["case_type", "procedure", "code"], name="flownode_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.case_type}/{self.procedure} {self.position} {self.name}"


class AssignmentPolicy(TimeStamped):
    """How a court draws its cases: weighted by each judge's open caseload, or evenly."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="assignment_policy")
    weighted_by_caseload = models.BooleanField(_("weighted by open caseload"), default=False)

    class Meta:
        verbose_name = _("assignment policy")
        verbose_name_plural = _("assignment policies")

    def __str__(self) -> str:
        return f"{self.organisation_id} weighted={self.weighted_by_caseload}"


class AssignmentDraw(AppendOnlyModel):
    """The record of one assignment: who could be drawn, with which weights, the seed and the result, so an
    auditor can draw again and get the same judge (``cases.assignment.redraw``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="draws")
    kind = models.CharField(_("kind"), max_length=16, choices=AssignmentKind.choices)
    #: [[officer pk, weight], …] in the order the draw used
    candidates = models.JSONField(default=list)
    seed = models.CharField(max_length=64, blank=True)
    result = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=32, choices=DesignationReason.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    approved_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action_seq = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.result_id}"


class CaseRequest(TimeStamped):
    """A request on a case that another officer decides, once: an extension of the time limit (延长审限), a
    designated assignment or a change of the lead judge (变更承办人), a recusal (回避)."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", _("Extension of the time limit")
        DESIGNATION = "designation", _("Designated assignment")
        LEAD_CHANGE = "lead_change", _("Change of the lead judge")
        RECUSAL = "recusal", _("Recusal")
        CHIEF_DECISION = "chief_decision", _("Matter for the procurator-general")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    #: the officer the request is about: the new lead judge, or the judge asked to withdraw
    subject = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    days = models.PositiveIntegerField(_("days"), null=True, blank=True)
    reason_code = models.CharField(_("reason"), max_length=32, choices=DesignationReason.choices, blank=True)
    reason = models.TextField(_("reason"))
    #: who the rules name to decide it (a role at the case's court, or the court above)
    approver = models.CharField(_("decided by"), max_length=16, choices=Approver.choices, default=Approver.PRESIDENT)
    decided_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    #: an extension's days as approved (the approver may grant fewer than asked); None until approved
    granted_days = models.PositiveIntegerField(_("days granted"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("request on a case")
        verbose_name_plural = _("requests on cases")
        indexes = [models.Index(fields=["status", "kind"], name="caserequest_pending")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="caserequest_decided_once",
            ),
            # 延长审限: one request awaiting its decision per case at a time (``cases.extensions``)
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(kind="extension", status="pending"),
                name="caserequest_one_pending_extension",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.status}"
