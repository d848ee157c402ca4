"""Performance assessment (业绩考核): schemes as data, each officer's quarterly and yearly assessment with its
explanation and chained record, and the consequences the grades open (DOMAIN.md; README, *Performance assessment*).

A scheme is never edited in place once it has been used: a change is a new version (``services.scheme_revise``),
and an assessment keeps the scheme version and the explanation it was computed with, so a signed assessment is
never rewritten."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accountability.chain import GENESIS_HASH
from accountability.choices import OrganisationKind
from accountability.models import Officer, Organisation, OwnedChainEvent, TimeStamped


class AssessedRole(models.TextChoices):
    """Whom a scheme assesses: officers who handle cases, or leaders (院庭长 / 检察长、部门负责人) who also do."""

    OFFICER = "officer", _("Officers handling cases")
    LEADER = "leader", _("Leaders handling cases")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", pgettext_lazy("assessment", "Excellent")
    COMPETENT = "competent", pgettext_lazy("assessment", "Competent")
    BASIC = "basic", pgettext_lazy("assessment", "Basically competent")
    INCOMPETENT = "incompetent", pgettext_lazy("assessment", "Incompetent")


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Scheme(TimeStamped):
    """One version of the assessment scheme of an organisation kind and role: its components (each with a weight
    and indicators, each indicator a formula over stored results with its cap and floor), the grade bands, the
    quota on 优秀 and the days an officer has to contest. ``components`` is validated by
    ``assessment.scoring.validate_components``."""

    organisation_kind = models.CharField(_("organisation kind"), max_length=16, choices=OrganisationKind.choices)
    role = models.CharField(_("assessed"), max_length=16, choices=AssessedRole.choices)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("in force"), default=True)
    components = models.JSONField(_("components"), default=list)
    excellent_from = models.DecimalField(_("excellent from (score)"), max_digits=6, decimal_places=2)
    competent_from = models.DecimalField(_("competent from (score)"), max_digits=6, decimal_places=2)
    basic_from = models.DecimalField(_("basically competent from (score)"), max_digits=6, decimal_places=2)
    excellent_quota_percent = models.PositiveIntegerField(_("quota on excellent (% of those assessed)"), default=20)
    contest_days = models.PositiveIntegerField(_("days to contest after signature"), default=10)
    note = models.CharField(_("source or note"), max_length=300, blank=True)

    class Meta:
        ordering = ["organisation_kind", "role", "-version"]
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        constraints = [
            models.UniqueConstraint(fields=["organisation_kind", "role", "version"], name="scheme_version"),
            models.UniqueConstraint(
                fields=["organisation_kind", "role"], condition=Q(is_active=True), name="scheme_one_in_force"
            ),
            models.CheckConstraint(
                condition=Q(excellent_from__gte=models.F("competent_from"), competent_from__gte=models.F("basic_from")),
                name="scheme_bands_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def band(self, score: Decimal) -> str:
        """The grade a score falls in (before the quota on 优秀)."""
        if score >= self.excellent_from:
            return Grade.EXCELLENT
        if score >= self.competent_from:
            return Grade.COMPETENT
        if score >= self.basic_from:
            return Grade.BASIC
        return Grade.INCOMPETENT


class Status(models.TextChoices):
    COMPUTED = "computed", _("Computed, awaiting proposal")
    PROPOSED = "proposed", _("Proposed, awaiting signature")
    SIGNED = "signed", _("Signed, open to contest")
    CONTESTED = "contested", _("Contested, awaiting decision")
    DECIDED = "decided", _("Contest decided")
    FINAL = "final", _("Final")


#: The states in which the numbers are frozen: the nightly computation never touches them.
FROZEN = (Status.PROPOSED, Status.SIGNED, Status.CONTESTED, Status.DECIDED, Status.FINAL)
#: The states in which the grade stands (the consequences read these).
SETTLED = (Status.DECIDED, Status.FINAL)


class Assessment(TimeStamped):
    """One officer's assessment for one period, computed through ``window_to`` (the running period nightly; the
    whole period once it is over). ``lines`` is the explanation: every component and indicator with the numbers it
    came from. ``grade`` changes after signature only through a contest's decision."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="assessments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "accountability.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    window_to = models.DateField(_("computed through"))
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.COMPUTED)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    band_grade = models.CharField(_("grade by score"), max_length=12, choices=Grade.choices)
    grade = models.CharField(pgettext_lazy("assessment", "grade"), max_length=12, choices=Grade.choices)
    quota_limited = models.BooleanField(_("held back by the quota on excellent"), default=False)
    lines = models.JSONField(default=list)
    computed_at = models.DateTimeField(_("computed at"))
    proposed_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    contest_due = models.DateField(_("contest by"), null=True, blank=True)
    contest_reasons = models.TextField(_("reasons for contesting"), blank=True)
    contested_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    trace_head = models.CharField(max_length=64, default=GENESIS_HASH, editable=False)
    trace_length = models.PositiveIntegerField(default=0, editable=False)
    trace_mac = models.CharField(max_length=96, blank=True, editable=False, default="")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-period_start", "period_kind", "officer_id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["officer", "period_kind", "period_start"], name="assessment_once"),
        ]
        indexes = [
            models.Index(fields=["organisation", "period_kind", "period_start"], name="assessment_org_period"),
            models.Index(fields=["status"], name="assessment_status"),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.period_kind} {self.period_start}"

    @property
    def is_running(self) -> bool:
        return self.window_to < self.period_end


class AssessmentEvent(OwnedChainEvent):
    """One step of an assessment (computed when proposed, proposed, signed, contested, decided, final), chained
    (``assessment.services.ASSESSMENT``)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24)
    power_item_code = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["assessment", "seq"]
        constraints = [models.UniqueConstraint(fields=["assessment", "seq"], name="assessmentevent_seq")]

    def __str__(self) -> str:
        return f"{self.assessment_id}#{self.seq} {self.kind}"


class ConsequenceKind(models.TextChoices):
    QUOTA_EXIT_REVIEW = "quota_exit_review", _("Quota-exit review (员额退出)")
    TALK = "talk", _("Admonitory talk")


class ConsequenceRule(TimeStamped):
    """E.g. ``grade`` 不称职 in ``years`` consecutive settled yearly assessments opens ``consequence``, once."""

    organisation_kind = models.CharField(
        _("organisation kind"), max_length=16, choices=OrganisationKind.choices, blank=True
    )
    grade = models.CharField(pgettext_lazy("assessment", "grade"), max_length=12, choices=Grade.choices)
    years = models.PositiveIntegerField(_("consecutive years"), default=2)
    consequence = models.CharField(
        pgettext_lazy("assessment", "consequence"), max_length=24, choices=ConsequenceKind.choices
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("source or note"), max_length=300, blank=True)

    class Meta:
        ordering = ["grade", "years"]
        verbose_name = _("assessment consequence rule")
        verbose_name_plural = _("assessment consequence rules")

    def __str__(self) -> str:
        return f"{self.grade} × {self.years}: {self.consequence}"


class AssessmentConsequence(TimeStamped):
    """A consequence a rule opened (a quota-exit review referral): exactly once per officer, rule and year."""

    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="assessment_consequences")
    rule = models.ForeignKey(ConsequenceRule, on_delete=models.PROTECT, related_name="+")
    consequence = models.CharField(
        pgettext_lazy("assessment", "consequence"), max_length=24, choices=ConsequenceKind.choices
    )
    year = models.PositiveIntegerField(_("year"))
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="consequences")

    class Meta:
        ordering = ["-year", "officer_id"]
        constraints = [models.UniqueConstraint(fields=["officer", "rule", "year"], name="assessmentconsequence_once")]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.year} {self.consequence}"
