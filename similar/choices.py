from django.db import models
from django.utils.translation import gettext_lazy as _


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
