"""Evaluation: case weights now; metric results, reviews and defect points build on this app."""

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accountability.choices import OrganisationKind
from accountability.models import TimeStamped
from cases.choices import CaseType, Procedure


class WeightRule(TimeStamped):
    """Workload weight (案件权重) of a case type, optionally per procedure and cause (weights.csv).

    The most specific rule wins: type+procedure+cause, then type+procedure, then type.
    """

    case_type = models.CharField(_("case type"), max_length=16, choices=CaseType.choices)
    procedure = models.CharField(_("procedure"), max_length=16, choices=Procedure.choices, blank=True)
    cause = models.CharField(_("cause of action"), max_length=200, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=4)

    class Meta:
        ordering = ["case_type", "procedure", "cause"]
        verbose_name = _("case weight")
        verbose_name_plural = _("case weights")
        constraints = [
            models.UniqueConstraint(fields=["case_type", "procedure", "cause"], name="weightrule_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="weightrule_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.case_type}/{self.procedure or '*'}/{self.cause or '*'} = {self.weight}"


class MetricLevel(models.TextChoices):
    OFFICER = "officer", _("Officer")
    DEPARTMENT = "department", _("Department")
    ORGANISATION = "organisation", _("Organisation")


class MetricResult(models.Model):
    """One stored number: (window, level, subject, metric) → numerator, denominator, value (INTERCHANGE.md)."""

    window_from = models.DateField(_("from"))
    window_to = models.DateField(_("to"))
    level = models.CharField(_("level"), max_length=16, choices=MetricLevel.choices)
    subject = models.CharField(_("subject"), max_length=200)
    metric = models.CharField(_("metric"), max_length=48)
    numerator = models.DecimalField(_("numerator"), max_digits=32, decimal_places=10)
    denominator = models.DecimalField(_("denominator"), max_digits=32, decimal_places=10)
    value = models.DecimalField(_("value"), max_digits=32, decimal_places=10, null=True, blank=True)
    # The organisation the subject belongs to: the unit of the nightly fan-out and of dashboard scope.
    organisation = models.ForeignKey(
        "accountability.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["window_from", "window_to", "level", "subject", "metric"]
        verbose_name = _("metric result")
        verbose_name_plural = _("metric results")
        constraints = [
            models.UniqueConstraint(
                fields=["window_from", "window_to", "level", "subject", "metric"], name="metricresult_key"
            )
        ]
        indexes = [
            # an organisation's rows of some windows (the nightly task's stale rows, a court's dashboard): the
            # organisation first, so the plan is this index even on the statistics of an empty table, as a first
            # night's are (window first, PostgreSQL scanned the whole subject index: 12 ms a task at 1 M cases)
            models.Index(fields=["organisation", "window_from", "window_to"], name="metricresult_org_window"),
            # a subject's windows and trend (dashboards)
            models.Index(fields=["level", "subject", "window_to"], name="metricresult_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.window_from}..{self.window_to} {self.level}:{self.subject} {self.metric}={self.value}"


class MetricRange(TimeStamped):
    """参考区间: the band a metric's value should fall in (SPC practice: compare, never rank).

    Blank ``post``, ``organisation_level`` or ``organisation_kind`` means any; the most specific matching band applies
    (a procuratorate's 检察长 may have a band of his own, not a court president's).
    """

    metric = models.CharField(_("metric"), max_length=48)
    post = models.CharField(_("post"), max_length=16, blank=True)
    organisation_level = models.CharField(_("organisation level"), max_length=16, blank=True)
    organisation_kind = models.CharField(
        _("organisation kind"), max_length=16, choices=OrganisationKind.choices, blank=True, default="", db_default=""
    )
    low = models.DecimalField(_("lower bound"), max_digits=16, decimal_places=6, null=True, blank=True)
    high = models.DecimalField(_("upper bound"), max_digits=16, decimal_places=6, null=True, blank=True)
    note = models.CharField(_("source or note"), max_length=300, blank=True)

    class Meta:
        ordering = ["metric", "post", "organisation_level", "organisation_kind"]
        verbose_name = _("reference range")
        verbose_name_plural = _("reference ranges")
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "post", "organisation_level", "organisation_kind"], name="metricrange_unique_kind"
            ),
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(high__isnull=True) | Q(low__lte=models.F("high")),
                name="metricrange_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} [{self.low}, {self.high}]"

    def contains(self, value) -> bool | None:
        if value is None:
            return None
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


class MetricRun(models.Model):
    """One computation of metric windows over organisations: the nightly job or an on-demand recompute.

    Each (organisation) is an item; a task per item computes every window of the run for that
    organisation. Items record when they finished, so a run interrupted by a dead worker resumes
    by dispatching only what is left, and progress is done/total.
    """

    class Kind(models.TextChoices):
        NIGHTLY = "nightly", _("Nightly")
        ON_DEMAND = "on_demand", _("On demand")

    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    windows = models.JSONField(default=list)  # [[from, to], ...] as ISO dates
    requested_by = models.ForeignKey(
        "accountability.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.key} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)


class MetricRunItem(models.Model):
    """One task of a run: an organisation's local metrics, or (organisation empty) the cross-organisation ones."""

    run = models.ForeignKey(MetricRun, on_delete=models.CASCADE, related_name="items")
    organisation = models.ForeignKey(
        "accountability.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run_id", "organisation_id"]
        constraints = [models.UniqueConstraint(fields=["run", "organisation"], name="metricrunitem_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.organisation_id}"


# --- quality review (案件质量评查) and defect points --------------------------------------------


class DefectAspect(models.TextChoices):
    FILING = "filing", _("Filing")
    PROCEDURE = "procedure", _("Procedure")
    FACTS_AND_LAW = "facts_law", _("Facts and law")
    DOCUMENTS = "documents", _("Judicial documents")
    PAPERWORK = "paperwork", _("Case file and paperwork")
    TIME_LIMITS = "time_limits", _("Time limits")
    SERVICE = "service", _("Service of documents")
    ENFORCEMENT = "enforcement", _("Enforcement")


class DefectItem(TimeStamped):
    """One line of the defect catalogue (扣分项): aspect, description, points. Configurable, versioned."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    aspect = models.CharField(_("aspect"), max_length=16, choices=DefectAspect.choices)
    description = models.CharField(_("description"), max_length=300)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    is_active = models.BooleanField(_("active"), default=True)
    case_types = models.JSONField(
        _("case types"),
        default=list,
        blank=True,
        help_text=_("The case types this item applies to (criminal, civil, …); empty means every type."),
    )
    organisation_kinds = models.JSONField(
        _("organisation kinds"),
        default=list,
        blank=True,
        help_text=_(
            "The kinds of organisation whose cases this item applies to (court, procuratorate); empty means every kind."
        ),
    )
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("defect item")
        verbose_name_plural = _("defect catalogue")
        constraints = [models.CheckConstraint(condition=Q(points__gte=0), name="defectitem_points_nonnegative")]

    def __str__(self) -> str:
        return f"{self.code} {self.description} ({self.points})"

    def applies_to(self, case_type: str, organisation_kind: str | None = None) -> bool:
        """Whether the item may be listed on a case of this type at an organisation of this kind (a prosecutor's
        defect on a procuratorate's case, a judge's on a court's)."""
        kinds_ok = (
            not self.organisation_kinds or organisation_kind is None or organisation_kind in self.organisation_kinds
        )
        return kinds_ok and (not self.case_types or case_type in self.case_types)


class EvaluationPolicy(TimeStamped):
    """The numbers of the review process (one row): fail penalty, response period, default sample."""

    fail_penalty = models.DecimalField(
        _("points added for a fail grade"), max_digits=5, decimal_places=1, default=Decimal("10.0")
    )
    response_days = models.PositiveIntegerField(_("days the officer has to respond"), default=7)
    sample_percent = models.PositiveIntegerField(_("default sample (%)"), default=5)

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policy")

    def __str__(self) -> str:
        return f"fail +{self.fail_penalty}, {self.response_days} days"

    @classmethod
    def current(cls) -> "EvaluationPolicy":
        """The policy in force, read only: the row the data migration (0006) puts in place, changed in the admin.
        Without it (a database emptied by a test's flush) an unsaved instance with the defaults; never a write."""
        policy = cls.objects.order_by("pk").first()
        return policy if policy is not None else cls()


class Consequence(models.TextChoices):
    REMINDER = "reminder", _("Written reminder")
    TRAINING_RECALL = "training_recall", _("Recall for training")
    DISCIPLINE_LEAD = "discipline_lead", _("Discipline lead")


class PointThreshold(TimeStamped):
    """Crossing ``points`` (per officer per year, or on a single case) triggers ``consequence`` once. A threshold
    applies to the officers of one kind of organisation (a court's judges, a procuratorate's prosecutors), or to
    every kind when ``organisation_kind`` is blank."""

    class Basis(models.TextChoices):
        YEAR = "year", _("Per officer per calendar year")
        CASE = "case", _("On a single case")

    points = models.DecimalField(_("points"), max_digits=6, decimal_places=1)
    basis = models.CharField(_("basis"), max_length=8, choices=Basis.choices, default=Basis.YEAR)
    consequence = models.CharField(_("consequence"), max_length=20, choices=Consequence.choices)
    organisation_kind = models.CharField(
        _("organisation kind"),
        max_length=16,
        choices=OrganisationKind.choices,
        blank=True,
        default="",
        help_text=_("The officers of this kind of organisation; blank means every kind."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organisation_kind", "basis", "points"]
        verbose_name = _("point threshold")
        verbose_name_plural = _("point thresholds")
        constraints = [
            models.UniqueConstraint(
                fields=["basis", "points", "consequence", "organisation_kind"], name="threshold_unique_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.basis} ≥ {self.points}: {self.consequence}"


class ReviewKind(models.TextChoices):
    ROUTINE = "routine", _("Routine (sampled)")
    FOCUSED = "focused", _("Focused (amended or remanded, complaints)")
    SPECIAL = "special", _("Special campaign")


class ReviewPlan(TimeStamped):
    """A batch of reviews: routine sampling, focused (amended or remanded cases), or a special campaign."""

    Kind = ReviewKind

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    organisation = models.ForeignKey("accountability.Organisation", on_delete=models.PROTECT, related_name="+")
    window_from = models.DateField(_("closed from"))
    window_to = models.DateField(_("closed to"))
    sample_percent = models.PositiveIntegerField(_("sample of each officer's closed cases (%)"), default=0)
    sample_size = models.PositiveIntegerField(_("random sample of the period's closed cases (number)"), default=0)
    include_amended_remanded = models.BooleanField(_("all amended or remanded cases"), default=False)
    created_by = models.ForeignKey("accountability.Officer", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("review plan")
        verbose_name_plural = _("review plans")

    def __str__(self) -> str:
        return self.name


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    PASS = "pass", _("Pass")
    FLAWED = "flawed", _("Flawed")
    FAIL = "fail", _("Fail")


class Review(TimeStamped):
    """评查: one closed case reviewed by one evaluator, answered by its officer, then finalised."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an evaluator")
        ASSIGNED = "assigned", pgettext_lazy("review status", "Assigned")
        GRADED = "graded", _("Graded, open for the officer's response")
        RESPONDED = "responded", _("Officer responded")
        FINALISED = "finalised", _("Finalised")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(ReviewPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="reviews")
    officer = models.ForeignKey(
        "accountability.Officer", verbose_name=_("officer reviewed"), on_delete=models.PROTECT, related_name="reviews"
    )
    evaluator = models.ForeignKey(
        "accountability.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="reviews_made"
    )
    reason = models.CharField(_("why selected"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    summary = models.TextField(_("findings"), blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    response_due = models.DateField(_("response due"), null=True, blank=True)
    response = models.TextField(_("officer's statement (陈述)"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        "accountability.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [models.Index(fields=["officer", "status"], name="review_officer_status")]

    def __str__(self) -> str:
        return f"{self.case} ({self.get_status_display()})"

    @property
    def defect_points(self) -> Decimal:
        return sum((d.points for d in self.defects.all()), Decimal(0))


class ReviewDefect(models.Model):
    """A defect found in a review, with the catalogue item's points and revision as they stood then."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="defects")
    item = models.ForeignKey(DefectItem, on_delete=models.PROTECT, related_name="+")
    item_revision = models.PositiveIntegerField()
    points = models.DecimalField(max_digits=5, decimal_places=1)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["review_id", "item__code"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.points}"


class PointEntry(models.Model):
    """The defect-point ledger (瑕疵积分): append-only, one line per defect or penalty, per officer and year."""

    officer = models.ForeignKey("accountability.Officer", on_delete=models.PROTECT, related_name="point_entries")
    year = models.PositiveIntegerField()
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="point_entries")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=6, decimal_places=1)
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["officer_id", "year", "created_at"]
        indexes = [models.Index(fields=["officer", "year"], name="pointentry_officer_year")]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.year} +{self.points}"


class ConsequenceRecord(models.Model):
    """A consequence that a threshold created, exactly once per officer, year, threshold (and case)."""

    officer = models.ForeignKey("accountability.Officer", on_delete=models.PROTECT, related_name="consequences")
    year = models.PositiveIntegerField()
    threshold = models.ForeignKey(PointThreshold, on_delete=models.PROTECT, related_name="+")
    consequence = models.CharField(max_length=20, choices=Consequence.choices)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=7, decimal_places=1)
    lead = models.ForeignKey("discipline.Lead", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["officer_id", "year", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "year", "threshold"], condition=Q(case__isnull=True), name="consequence_once_a_year"
            ),
            models.UniqueConstraint(fields=["officer", "threshold", "case"], name="consequence_once_a_case"),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.year} {self.consequence}"
