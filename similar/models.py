"""Similar-case search (类案检索): reference cases, the search index and the judges' search reports."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accountability.models import AppendOnlyModel, Officer, Organisation, TimeStamped
from cases.choices import CaseType
from cases.models import Action, Case
from similar.choices import SearchBearing, SourceLevel


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
        db_table = "cases_referencecase"  # moved from cases without copying the table
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
    GIN index (migration ``cases/0012``), and a trigger keeps its words' postings (``similar_posting``, migration
    ``similar/0005``), which the search ranks from."""

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
    length = models.PositiveIntegerField(default=0)  # how many tokens: BM25's document length
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "cases_searchdocument"  # moved from cases without copying the table
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
        db_table = "cases_searchreport"  # moved from cases without copying the table
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
        db_table = "cases_searchreportitem"  # moved from cases without copying the table
        ordering = ["report", "position"]
        constraints = [models.UniqueConstraint(fields=["report", "position"], name="searchreportitem_position")]

    def __str__(self) -> str:
        return self.label


class TermStatistic(models.Model):
    """The index's own statistics for BM25, kept with the documents (``services.index_cases`` and
    ``index_reference`` add and remove a document's words in the same transaction): for each word, how many
    documents have it and how often it occurs. The row with the empty word holds the totals: the number of
    documents and of their tokens (so the average length)."""

    term = models.CharField(max_length=200, primary_key=True)
    documents = models.BigIntegerField(default=0)
    occurrences = models.BigIntegerField(default=0)

    class Meta:
        db_table = "similar_termstatistic"

    def __str__(self) -> str:
        return f"{self.term}: {self.documents}"


class SimilarPush(models.Model):
    """类案推送: the cases most similar to a case, computed in the background from its own text (cause, disputed
    points, facts: all of it, not a 200-character query) over what its court may search, and recomputed when
    that text changes (``text_hash``). The page reads the stored documents and re-scopes them to the viewer."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="similar_push")
    text_hash = models.CharField(max_length=64)
    #: [{"document": SearchDocument id, "score": BM25 score}], best first
    hits = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "similar_similarpush"

    def __str__(self) -> str:
        return f"push for case {self.case_id}"


class DeviationRule(TimeStamped):
    """偏离预警 as data: a decided case whose outcome lies outside the ``low_percentile``–``high_percentile`` band
    of its ``neighbours`` most similar decided cases (of the same case type, with the outcome recorded; at least
    ``minimum`` of them) is outside its similar cases. Simulate it (``manage.py simulate_deviation``) before
    making it active; while active, such a case gets a risk alert (supervision's situation ``RP-SIM``)."""

    class Metric(models.TextChoices):
        AWARDED_AMOUNT = "awarded_amount", _("amount awarded (yuan)")
        AWARDED_SHARE = "awarded_share", _("share of the claim awarded")

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    metric = models.CharField(_("outcome compared"), max_length=32, choices=Metric.choices)
    neighbours = models.PositiveSmallIntegerField(_("similar cases compared"), default=20)
    minimum = models.PositiveSmallIntegerField(_("fewest similar cases for a judgment"), default=8)
    low_percentile = models.PositiveSmallIntegerField(_("lower percentile"), default=5)
    high_percentile = models.PositiveSmallIntegerField(_("upper percentile"), default=95)
    is_active = models.BooleanField(_("active"), default=False)

    class Meta:
        db_table = "similar_deviationrule"
        ordering = ["code"]
        verbose_name = _("deviation warning rule")
        verbose_name_plural = _("deviation warning rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(low_percentile__lt=F("high_percentile"), high_percentile__lte=100),
                name="deviationrule_band",
            ),
            models.CheckConstraint(
                condition=Q(minimum__gte=3, neighbours__gte=F("minimum")), name="deviationrule_enough"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Deviation(models.Model):
    """The latest comparison of a decided case's outcome with its most similar cases under a rule."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="deviation")
    rule = models.ForeignKey(DeviationRule, on_delete=models.CASCADE, related_name="+")
    value = models.FloatField()
    low = models.FloatField()
    high = models.FloatField()
    neighbours = models.PositiveSmallIntegerField()
    outside = models.BooleanField(default=False, db_index=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "similar_deviation"

    def __str__(self) -> str:
        return f"deviation of case {self.case_id}"
