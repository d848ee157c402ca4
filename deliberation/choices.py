"""The vocabulary of deliberation bodies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BodyKind(models.TextChoices):
    """A body's kind. Its values for the two kinds a referral names are ``supervision.ReferralBody``'s own."""

    JUDGES_MEETING = "judges_meeting", _("Professional judges' meeting")
    ADJUDICATION_COMMITTEE = "adjudication_committee", _("Adjudication committee")
    SPECIALISED_COMMITTEE = "specialised_committee", _("Specialised committee of the adjudication committee")
    JOINT_MEETING = "joint_meeting", _("Prosecutors' joint meeting")
    PROCURATORIAL_COMMITTEE = "procuratorial_committee", _("Procuratorial committee")


#: The bodies whose opinion is advisory and which filter what reaches a committee (前置过滤).
FILTER_KINDS = frozenset({BodyKind.JUDGES_MEETING, BodyKind.JOINT_MEETING})
#: The bodies whose resolution binds the panel.
COMMITTEE_KINDS = frozenset(
    {BodyKind.ADJUDICATION_COMMITTEE, BodyKind.SPECIALISED_COMMITTEE, BodyKind.PROCURATORIAL_COMMITTEE}
)
#: The body a referral to a committee may meet in: the full committee or one of its specialised committees.
MEETS_IN = {
    BodyKind.ADJUDICATION_COMMITTEE: (BodyKind.ADJUDICATION_COMMITTEE, BodyKind.SPECIALISED_COMMITTEE),
    BodyKind.JUDGES_MEETING: (BodyKind.JUDGES_MEETING,),
    BodyKind.JOINT_MEETING: (BodyKind.JOINT_MEETING,),
    BodyKind.PROCURATORIAL_COMMITTEE: (BodyKind.PROCURATORIAL_COMMITTEE,),
}


class Field(models.TextChoices):
    GENERAL = "", _("All fields")
    CIVIL = "civil", _("Civil")
    CRIMINAL = "criminal", _("Criminal")
    ADMINISTRATIVE = "administrative", _("Administrative")
    ENFORCEMENT = "enforcement", _("Enforcement")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Convened, not yet opened")
    IN_SESSION = "in_session", _("In session")
    CONCLUDED = "concluded", _("Concluded, minutes awaiting signatures")
    SIGNED = "signed", _("Minutes signed by every member present")


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a meeting")
    ON_AGENDA = "on_agenda", _("On a meeting's agenda")
    RESOLVED = "resolved", _("Resolved")


class Vote(models.TextChoices):
    FOR = "for", _("For the proposal")
    AGAINST = "against", _("Against the proposal")
    ABSTAIN = "abstain", _("Abstains")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Being followed up")
    DONE = "done", _("Reflected in the ruling")
