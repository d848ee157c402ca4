"""Discipline vocabulary (DOMAIN.md §9): stages, opinions, exemptions, sanctions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LeadSource(models.TextChoices):
    DEFECT_POINTS = "defect_points", _("Defect-point threshold")
    REVERSED_CASE = "reversed_case", _("Amended or remanded case")
    COMPLAINT = "complaint", _("Complaint")
    INTERFERENCE = "interference", _("Interference record")
    SUPERVISION = "supervision", _("Supervision")
    INSPECTION = "inspection", _("Inspection")
    MANUAL = "manual", _("Entered by hand")


class LeadStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    DISMISSED = "dismissed", _("Dismissed after preliminary review")
    OPENED = "opened", _("Proceeding opened")
    MERGED = "merged", _("Merged into another lead")


class Stage(models.TextChoices):
    """The proceeding's stages, in order (a lead's preliminary review comes before the first)."""

    INVESTIGATION = "investigation", _("Investigation")
    REFERRED = "referred", _("Referred to the discipline committee")
    NOTIFIED = "notified", _("Officer notified")
    HEARD = "heard", pgettext_lazy("discipline", "Hearing held")  # 听证, not a trial's 开庭审理
    OPINION = "opinion", _("Committee opinion given")
    SERVED = "served", _("Opinion served")
    OBJECTED = "objected", _("Objection to the committee")
    OPINION_FINAL = "opinion_final", _("Opinion final")
    DECIDED = "decided", _("Decided by the organisation")
    REVIEW = "review", _("Review requested")
    REVIEWED = "reviewed", _("Review decided")
    APPEAL = "appeal", _("Appeal lodged")
    CLOSED = "closed", _("Closed")


class Opinion(models.TextChoices):
    """The committee's opinion: one of four (法官法第四十九条)."""

    INTENTIONAL = "intentional", _("Intentional breach of duty")
    GROSS_NEGLIGENCE = "gross_negligence", _("Gross negligence")
    ORDINARY_NEGLIGENCE = "ordinary_negligence", _("Ordinary negligence")
    NO_BREACH = "no_breach", _("No breach of duty")


class OpinionGround(models.TextChoices):
    """What a sanction rule (``discipline.models.SanctionRule``) is keyed by: the committee's opinion, or, whatever
    the opinion, an exemption the committee found to apply (免责: the officer is not held responsible)."""

    INTENTIONAL = "intentional", _("Intentional breach of duty")
    GROSS_NEGLIGENCE = "gross_negligence", _("Gross negligence")
    ORDINARY_NEGLIGENCE = "ordinary_negligence", _("Ordinary negligence")
    NO_BREACH = "no_breach", _("No breach of duty")
    EXEMPTED = "exempted", _("Exempted from responsibility")


class Exemption(models.TextChoices):
    """Grounds on which a wrong result is not the officer's fault (2015 SPC opinion art. 28; 容错)."""

    LAW_UNDERSTANDING = "law_understanding", _("A different understanding of the law, reasonably explainable")
    DISPUTED_FACTS = "disputed_facts", _("Disputed facts, reasonably explainable under the rules of evidence")
    NEW_EVIDENCE = "new_evidence", _("New evidence after the judgment")
    LAW_CHANGE = "law_change", _("A change of law or policy")
    PARTY_CONDUCT = "party_conduct", _("The party's own conduct or an objective change of facts")
    DOCUMENT_REVOKED = "document_revoked", _("The underlying document was revoked")
    PROPER_PERFORMANCE = "proper_performance", _("Other proper performance of duty")


class SanctionKind(models.TextChoices):
    """Sanctions and measures, with their severity (an appeal may never end harsher) and default months."""

    NONE = "none", _("No sanction")
    SELF_CRITICISM = "self_criticism", _("Written self-criticism ordered")
    ADMONISHMENT = "admonishment", _("Admonishment talk")
    CRITICISM = "criticism", _("Public criticism")
    WARNING = "warning", _("Warning")
    DEMERIT = "demerit", _("Demerit")
    MAJOR_DEMERIT = "major_demerit", _("Major demerit")
    DEMOTION = "demotion", _("Demotion")
    REMOVAL = "removal", _("Removal from post")
    DISMISSAL = "dismissal", _("Dismissal")


#: Severity order (higher is harsher) and the period of each sanction in months (DOMAIN.md §9).
SEVERITY = {kind: rank for rank, kind in enumerate(SanctionKind.values)}
SANCTION_MONTHS = {"warning": 6, "demerit": 12, "major_demerit": 18, "demotion": 24, "removal": 24}


class PersonnelMeasure(models.TextChoices):
    SUSPENSION = "suspension", _("Suspension from duty")
    DEFERRED_PROMOTION = "deferred_promotion", _("Deferred promotion")
    QUOTA_LOSS = "quota_loss", _("Loss of the quota seat")


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    CHANGED = "changed", _("Changed")
    REVOKED = "revoked", _("Revoked")


class Decision(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
