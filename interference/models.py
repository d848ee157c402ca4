"""Records of interference (防止干预司法"三个规定"): append-only, chained, kept out of the case's trace."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accountability.models import AppendOnlyModel, Department, Officer, Organisation
from cases.models import Case
from interference.choices import InterferenceChannel, InterferenceSource


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
    # the hash sealed with the chain key (accountability.chain.seal_link); the register's head is ChainHead
    mac = models.CharField(max_length=96, blank=True, db_default="")
    #: the canonical form the hash was computed in (``accountability.chain``): 1 for records written before the
    #: one chain module, 2 since; each is verified in its own form
    hash_form = models.PositiveSmallIntegerField(default=2, editable=False)

    class Meta:
        db_table = "cases_interferencerecord"  # moved from cases without copying the table
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
        db_table = "cases_interferenceattachment"  # moved from cases without copying the table
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
        db_table = "cases_interferencereport"  # moved from cases without copying the table
        ordering = ["-year", "-quarter", "department_id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "quarter"], name="interferencereport_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="interferencereport_quarter"),
        ]
        verbose_name = _("quarterly interference report")
        verbose_name_plural = _("quarterly interference reports")

    def __str__(self) -> str:
        return f"{self.department_id} {self.year}Q{self.quarter}"
