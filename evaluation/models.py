"""Evaluation: case weights now; metric results, reviews and defect points build on this app."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
            models.Index(fields=["window_from", "window_to", "organisation"], name="metricresult_window_org"),
        ]

    def __str__(self) -> str:
        return f"{self.window_from}..{self.window_to} {self.level}:{self.subject} {self.metric}={self.value}"


class MetricRange(TimeStamped):
    """参考区间: the band a metric's value should fall in (SPC practice: compare, never rank).

    Blank ``post`` or ``organisation_level`` means any; the most specific matching band applies.
    """

    metric = models.CharField(_("metric"), max_length=48)
    post = models.CharField(_("post"), max_length=16, blank=True)
    organisation_level = models.CharField(_("organisation level"), max_length=16, blank=True)
    low = models.DecimalField(_("lower bound"), max_digits=16, decimal_places=6, null=True, blank=True)
    high = models.DecimalField(_("upper bound"), max_digits=16, decimal_places=6, null=True, blank=True)
    note = models.CharField(_("source or note"), max_length=300, blank=True)

    class Meta:
        ordering = ["metric", "post", "organisation_level"]
        verbose_name = _("reference range")
        verbose_name_plural = _("reference ranges")
        constraints = [
            models.UniqueConstraint(fields=["metric", "post", "organisation_level"], name="metricrange_unique"),
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
    run = models.ForeignKey(MetricRun, on_delete=models.CASCADE, related_name="items")
    organisation = models.ForeignKey("accountability.Organisation", on_delete=models.PROTECT, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run_id", "organisation_id"]
        constraints = [models.UniqueConstraint(fields=["run", "organisation"], name="metricrunitem_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.organisation_id}"
