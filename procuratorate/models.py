"""What a procuratorate records beyond the shared case: the matter a prosecutor submits to the procurator-general
(检察长决定事项) and the facts its indicators need (custody, plea, sentencing recommendation)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseRequest


class ChiefMatter(models.Model):
    """The matter of a request to the procurator-general (``CaseRequest`` of kind ``chief_decision``): which
    decision is asked for (a power-list action type) and, when it ends the procedure, by which closing method."""

    request = models.OneToOneField(CaseRequest, on_delete=models.PROTECT, related_name="chief_matter")
    matter = models.CharField(_("matter"), max_length=48)
    closing_method = models.CharField(_("closing method"), max_length=16, blank=True)
    #: the trace position (``Action.seq``) of the written decision, once decided
    decision_seq = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("matter for the procurator-general")
        verbose_name_plural = _("matters for the procurator-general")

    def __str__(self) -> str:
        return f"{self.request_id} {self.matter} {self.closing_method}"


class ProsecutionFacts(models.Model):
    """The facts of a review for prosecution that the procuratorate's indicators count (README, *Procuratorate
    indicators*): recorded by the prosecutor (or the assistant) through ``prosecution_facts_record``, each change
    in the trace."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="prosecution_facts")
    detained = models.BooleanField(_("suspect in custody when the case was received"), default=False)
    plea_leniency = models.BooleanField(_("plea of guilt and acceptance of punishment (认罪认罚)"), default=False)
    sentencing_recommended = models.BooleanField(_("sentencing recommendation made"), default=False)
    sentencing_adopted = models.BooleanField(_("sentencing recommendation adopted by the court"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("facts of a review for prosecution")
        verbose_name_plural = _("facts of reviews for prosecution")

    def __str__(self) -> str:
        return f"{self.case_id}"
