"""Discipline: a minimal lead (线索) register for now; proceedings build on it (issue 6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accountability.models import Officer, TimeStamped


class Lead(TimeStamped):
    class Source(models.TextChoices):
        DEFECT_POINTS = "defect_points", _("Defect-point threshold")
        REVERSED_CASE = "reversed_case", _("Amended or remanded case")
        COMPLAINT = "complaint", _("Complaint")
        INTERFERENCE = "interference", _("Interference record")
        SUPERVISION = "supervision", _("Supervision")
        INSPECTION = "inspection", _("Inspection")
        MANUAL = "manual", _("Entered by hand")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")

    officer = models.ForeignKey(Officer, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="leads")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    summary = models.TextField(_("summary"))
    # What raised it, e.g. {"consequence": 12} or {"review": 7}: leads are traceable to their origin.
    origin = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self) -> str:
        return f"{self.officer} {self.get_source_display()}"
