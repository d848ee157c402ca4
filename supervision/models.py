"""Four-category supervision (四类案件) and risk points: the rule library, flags, leaders' tasks and referrals."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accountability.models import AppendOnlyModel, Officer, Organisation, TimeStamped
from cases.models import Case
from supervision.choices import (
    OPEN_FLAG_STATUSES,
    AlertFamily,
    FlagStatus,
    FourCategory,
    ReferralBody,
    TaskKind,
    TaskStatus,
)


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
        help_text=_(
            "While a flag of this situation is pending or confirmed, the ruling cannot be signed "
            "until a similar-case search report is attached."
        ),
    )
    #: the kinds of organisation whose cases the situation is about (a court's 审限 or 法官, a procuratorate's
    #: 办案期限 or 检察官); empty: every kind
    organisation_kinds = models.JSONField(
        _("organisation kinds"),
        default=list,
        blank=True,
        help_text=_("The kinds of organisation whose cases this situation applies to; empty means every kind."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        db_table = "cases_situation"  # moved from cases without copying the table
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

    def applies_to(self, organisation_kind: str) -> bool:
        return not self.organisation_kinds or organisation_kind in self.organisation_kinds

    def kind_filter(self) -> Q:
        """The cases of the situation's organisation kinds (every case when it names none)."""
        return Q(organisation__kind__in=self.organisation_kinds) if self.organisation_kinds else Q()

    @property
    def rule(self) -> dict[str, Any]:
        """The condition one case's facts are tested against: the situation's own, on cases of its organisation
        kinds (the sweep filters by ``kind_filter`` instead; the facts recorded are the condition's own)."""
        if not self.organisation_kinds:
            return self.condition
        kinds = {"field": "case.organisation_kind", "op": "in", "value": list(self.organisation_kinds)}
        return {"all": [kinds, self.condition]} if self.condition else {"all": [kinds]}


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
        db_table = "cases_situationrevision"  # moved from cases without copying the table
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
    #: The case's organisation, kept on the flag (a case never changes organisation) so that an organisation's open
    #: flags are one range of an index (``flag_open_by_organisation``): a court's alerts panel no longer visits its
    #: cases' flags one by one across the table (issue 23). Set from the case when not given.
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
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
        db_table = "cases_flag"  # moved from cases without copying the table
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["act_by"], name="flag_pending_act_by", condition=Q(status="pending")),
            # an organisation's open flags by situation, with what the alerts panel counts: an index-only range
            models.Index(
                fields=["organisation", "situation"],
                include=["status", "escalation_level"],
                name="flag_open_by_organisation",
                condition=Q(status__in=OPEN_FLAG_STATUSES),
            ),
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.organisation_id is None and self.case_id is not None:
            self.organisation_id = self.case.organisation_id
        super().save(*args, **kwargs)


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
        db_table = "cases_supervisiontask"  # moved from cases without copying the table
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
        db_table = "cases_referral"  # moved from cases without copying the table
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.case} → {self.body}"


class SweepRun(models.Model):
    """One sweep of the automatic rules over every organisation's cases, fanned out as one task per organisation
    (``SweepRunItem``): the first sweep over an existing database (the backfill) writes hundreds of thousands of
    flags, and the chains are per case, so organisations do not contend and workers divide the work.

    Every item measures the rules against the run's ``now``, so a retried or resumed item finds what the first
    attempt would have; an item records when it finished, so a run interrupted by a dead worker resumes by
    dispatching only what is left, and progress is done/total."""

    key = models.CharField(max_length=100, unique=True)
    now = models.DateTimeField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    raised = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("rule sweep")
        verbose_name_plural = _("rule sweeps")

    def __str__(self) -> str:
        return f"{self.key} {self.done}/{self.total}"


class SweepRunItem(models.Model):
    """One organisation's part of a sweep: every active automatic rule over its cases, and the flags it raised."""

    run = models.ForeignKey(SweepRun, on_delete=models.CASCADE, related_name="items")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)
    #: flags raised, by situation code
    raised = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["run_id", "organisation_id"]
        constraints = [models.UniqueConstraint(fields=["run", "organisation"], name="sweeprunitem_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.organisation_id}"
