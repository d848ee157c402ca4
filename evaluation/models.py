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
