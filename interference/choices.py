from django.db import models
from django.utils.translation import gettext_lazy as _


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
