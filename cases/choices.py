from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseType(models.TextChoices):
    CRIMINAL = "criminal", _("Criminal")
    CIVIL = "civil", _("Civil")
    ADMINISTRATIVE = "administrative", _("Administrative")
    ENFORCEMENT = "enforcement", _("Enforcement")
    COMPENSATION = "compensation", _("State compensation")
    PUBLIC_INTEREST = "public_interest", _("Public interest litigation")


class Procedure(models.TextChoices):
    FIRST_INSTANCE = "first_instance", _("First instance")
    SECOND_INSTANCE = "second_instance", _("Second instance")
    RETRIAL = "retrial", _("Retrial")
    ENFORCEMENT = "enforcement", _("Enforcement")


class ClosingMethod(models.TextChoices):
    JUDGMENT = "judgment", _("Judgment")
    RULING = "ruling", _("Ruling")
    MEDIATION = "mediation", _("Mediation")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    TRANSFER = "transfer", _("Transfer")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    AMENDED = "amended", _("Amended")
    REMANDED = "remanded", _("Remanded")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MEDIATED = "mediated", _("Mediated")
    OTHER = "other", _("Other")


#: Procedures whose closed cases carry an outcome.
OUTCOME_PROCEDURES = frozenset({Procedure.SECOND_INSTANCE, Procedure.RETRIAL})


class ActionSource(models.TextChoices):
    WEB = "web", _("Browser")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    SYSTEM = "system", _("System")
