from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accountability.choices import page_word


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
    # A procuratorate's bodies (the deliberation app holds their meetings).
    JOINT_MEETING = "joint_meeting", _("Prosecutors' joint meeting")
    PROCURATORIAL_COMMITTEE = "procuratorial_committee", _("Procuratorial committee")


#: The bodies a case may be referred to, by its organisation's kind (a court's never on a procuratorate's page).
REFERRAL_BODIES_BY_KIND = {
    "court": (ReferralBody.JUDGES_MEETING, ReferralBody.ADJUDICATION_COMMITTEE),
    "procuratorate": (ReferralBody.JOINT_MEETING, ReferralBody.PROCURATORIAL_COMMITTEE),
}


def referral_bodies(organisation_kind: str) -> list[tuple[str, str]]:
    """(value, label) of the bodies an organisation of this kind refers to, for a form."""
    return [(body.value, body.label) for body in REFERRAL_BODIES_BY_KIND.get(organisation_kind, ())]


def category_word(code: str, kind: str | None = None) -> str:
    """A four-category's label in the words of an organisation of ``kind`` (a procuratorate's 类案处理决定 and
    检察官, a court's 类案裁判 and 法官): the label's message looked up in the page words of the kind."""
    with translation.override("en"):
        message = str(FourCategory(code).label)
    return str(page_word(message, kind))
