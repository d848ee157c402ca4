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


class FourCategory(models.TextChoices):
    """The four categories of 法发〔2021〕30号: fixed codes; their situations are data."""

    MAJOR = "major", _("Major, difficult, complex or sensitive")
    GROUP = "group", _("Group dispute or wide public attention")
    CONFLICT = "conflict", _("May conflict with similar-case rulings")
    REPORTED = "reported", _("Judge reported for unlawful conduct")


class FlagStatus(models.TextChoices):
    PENDING = "pending", _("Pre-flagged, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


OPEN_FLAG_STATUSES = (FlagStatus.PENDING, FlagStatus.CONFIRMED)


class AlertFamily(models.TextChoices):
    """Same rule machinery, same inbox: four-category situations and risk points (风险点)."""

    FOUR_CATEGORY = "four_category", _("Four-category case")
    RISK_POINT = "risk_point", _("Risk point")


class TaskKind(models.TextChoices):
    PROGRESS_REPORT = "progress_report", _("Report progress and deliberation")
    SIMILAR_SEARCH = "similar_search", _("Carry out a similar-case search")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class ReferralBody(models.TextChoices):
    JUDGES_MEETING = "judges_meeting", _("Professional judges' meeting")
    ADJUDICATION_COMMITTEE = "adjudication_committee", _("Adjudication committee")


class InterferenceChannel(models.TextChoices):
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Telephone")
    IN_PERSON = "in_person", _("In person")
    ON_BEHALF = "on_behalf", _("On behalf of an organisation")
    MESSAGE = "message", _("Text or online message")
    OTHER = "other", _("Other")


class InterferenceSource(models.TextChoices):
    """Who asked (三个规定): leading cadres, people inside the judicial organs, parties and others."""

    LEADING_CADRE = "leading_cadre", _("Leading cadre")
    INSIDER = "insider", _("Person inside the court or procuratorate")
    PARTY = "party", _("Party")
    LAWYER = "lawyer", _("Lawyer")
    INTERMEDIARY = "intermediary", _("Intermediary")
    OTHER = "other", _("Other")


class SourceLevel(models.IntegerChoices):
    """Where a similar case comes from, in the SPC's search order (法发〔2020〕24号 第四条)."""

    GUIDING = 1, _("Guiding case")
    SPC_TYPICAL = 2, _("SPC typical case")
    PROVINCIAL = 3, _("Provincial reference case")
    HIGHER = 4, _("Ruling of a higher court")
    OWN = 5, _("Ruling of this court")


class SearchBearing(models.TextChoices):
    """How a similar case bears on the case at hand."""

    FOLLOWED = "followed", _("Followed: same issue, same rule")
    DISTINGUISHED = "distinguished", _("Distinguished: the facts differ")
    REFERENCE = "reference", _("For reference")
    CONFLICTING = "conflicting", _("Conflicts with other similar rulings")
