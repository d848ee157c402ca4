"""What the discipline API reads and returns: the proceeding as shown, and one input serializer per act.

Each act's serializer states its fields, their types and choices, and nothing else: who may act, in which stage
and within which window is the service's to decide (discipline/services.py), so the page and the API give the
same refusals. Every act carries ``expected_version``, the proceeding's ``version`` as the caller last read it. The fields are
named as the service's keyword arguments.
"""

from __future__ import annotations

from rest_framework import serializers

from accountability.models import Officer
from discipline.choices import Exemption, Opinion, Outcome, PersonnelMeasure, SanctionKind
from discipline.models import Committee, Proceeding, ProceedingEvent, ProceedingMember, RecusalRequest, Sanction

#: The longest text a service accepts in one field (``services._text``).
TEXT_LIMIT = 20000

# --- what the API returns ----------------------------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.officer_id", allow_null=True, default=None)

    class Meta:
        model = ProceedingEvent
        fields = ["seq", "kind", "stage", "actor", "occurred_at", "note", "payload", "power_item_code", "hash"]

    def to_representation(self, instance: ProceedingEvent) -> dict:
        data = super().to_representation(instance)
        if instance.kind == "vote_cast" and not self.context.get("named_votes", False):
            # who voted how is for the committee and the inspectors (discipline.selectors.sees_named_votes)
            data["actor"], data["payload"] = None, {}
        return data


class SanctionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sanction
        fields = ["kind", "measures", "months", "starts_on", "ends_on", "source", "in_force"]


class MemberSerializer(serializers.ModelSerializer):
    officer = serializers.CharField(source="officer.officer_id", help_text="The member's officer number.")

    class Meta:
        model = ProceedingMember
        fields = ["officer", "is_judicial", "recused"]


class RecusalSerializer(serializers.ModelSerializer):
    member = serializers.CharField(source="member.officer.officer_id", help_text="The member asked to step aside.")

    class Meta:
        model = RecusalRequest
        fields = ["member", "reason", "decision", "decision_reason"]


class ProceedingSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    officer = serializers.CharField(source="officer.officer_id")
    organisation = serializers.CharField(source="organisation.code")

    class Meta:
        model = Proceeding
        fields = [
            "id",
            "number",
            "officer",
            "organisation",
            "stage",
            "due_on",
            "allegation",
            "hearing_on",
            "opinion",
            "opinion_served_at",
            "acknowledged_at",
            "decided_at",
            "version",
        ]


class ProceedingDetailSerializer(ProceedingSerializer):
    members = MemberSerializer(many=True, read_only=True)
    recusals = RecusalSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    sanctions = SanctionSerializer(many=True, read_only=True)

    class Meta(ProceedingSerializer.Meta):
        fields = [
            *ProceedingSerializer.Meta.fields,
            "committee",
            "opinion_reasons",
            "decision_text",
            "members",
            "recusals",
            "events",
            "sanctions",
        ]


# --- what each act takes -------------------------------------------------------------------------------------


def _text(help_text: str, *, required: bool = True) -> serializers.CharField:
    if required:
        return serializers.CharField(max_length=TEXT_LIMIT, help_text=help_text)
    return serializers.CharField(
        max_length=TEXT_LIMIT, required=False, allow_blank=True, default="", help_text=help_text
    )


def _measures() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=PersonnelMeasure.choices),
        required=False,
        default=list,
        help_text="Personnel measures that go with the sanction.",
    )


class ActSerializer(serializers.Serializer):
    # What every act carries (each act's serializer has its own docstring: it is the schema's description).
    expected_version = serializers.IntegerField(
        min_value=1,
        help_text="The proceeding's `version` as last read. If it has changed since, the act is refused with 409 "
        "and nothing changes: read the proceeding again and decide again.",
    )


class SuspendActSerializer(ActSerializer):
    """Suspend the officer from duty while the proceeding runs."""

    reason = _text("Why the officer is suspended from duty (暂停履职) while the proceeding runs.")


class ReinstateActSerializer(ActSerializer):
    """Lift the officer's suspension from duty."""

    reason = _text("Why the suspension is lifted.")


class ReferActSerializer(ActSerializer):
    """Refer the investigation's findings to the discipline committee, with the members who will sit."""

    committee = serializers.PrimaryKeyRelatedField(
        queryset=Committee.objects.all(), help_text="The id of the discipline committee the proceeding goes to."
    )
    members = serializers.SlugRelatedField(
        many=True,
        slug_field="officer_id",
        queryset=Officer.objects.all(),
        help_text="Officer numbers of the committee members who will sit: at least three, at least half of them "
        "judges or prosecutors, all sitting on the committee.",
    )
    findings = _text("The findings of the investigation (调查核实).")


class CloseActSerializer(ActSerializer):
    """Close the investigation without referral."""

    reason = _text("Why the investigation closes without referral.")


class NoticeActSerializer(ActSerializer):
    """Serve the notice and the hearing date on the officer."""

    hearing_on = serializers.DateField(help_text="The hearing date, after today.")
    notice = _text("The notice to the officer: what is alleged and their rights.")


class RecusalRequestActSerializer(ActSerializer):
    """The officer concerned asks that a sitting member step aside."""

    member = serializers.CharField(
        max_length=64, help_text="The officer number of the sitting member asked to step aside (回避)."
    )
    reason = _text("Why the member should step aside.")


class RecusalDecideActSerializer(ActSerializer):
    """Another member decides a pending recusal request."""

    member = serializers.CharField(
        max_length=64, help_text="The officer number of the member whose pending recusal request is decided."
    )
    grant = serializers.BooleanField(help_text="True: the member steps aside; false: the request is refused.")
    reason = _text("The reason for the decision.")


class HearActSerializer(ActSerializer):
    """Record the hearing."""

    record = _text("The record of the hearing (听证笔录).")


class VoteActSerializer(ActSerializer):
    """A sitting member's vote on the opinion."""

    opinion = serializers.ChoiceField(choices=Opinion.choices, help_text="The member's own vote: one of the four.")
    reason = _text("The reason for the vote.", required=False)


class FindingSerializer(serializers.Serializer):
    """One exemption considered, and whether it applies."""

    exemption = serializers.ChoiceField(choices=Exemption.choices, help_text="The exemption considered (容错).")
    applies = serializers.BooleanField(help_text="Whether it applies.")
    reasoning = _text("Why it does or does not apply.")


class OpinionActSerializer(ActSerializer):
    """The committee's opinion, with the exemptions considered."""

    reasons = _text("The reasons for the committee's opinion (the majority of the sitting members' votes).")
    findings = FindingSerializer(
        many=True,
        required=False,
        help_text="Each exemption considered, once. Unless the opinion is no breach, every exemption.",
    )


class ServeActSerializer(ActSerializer):
    """The written opinion is served on the officer (送达); the objection window starts."""


class AcknowledgeActSerializer(ActSerializer):
    """The officer confirms receipt of the opinion (签收)."""


class ObjectActSerializer(ActSerializer):
    """The officer concerned objects to the committee's opinion."""

    text = _text("The officer's objection to the committee's opinion (异议).")


class ObjectionDecideActSerializer(ActSerializer):
    """The committee decides the objection."""

    grant = serializers.BooleanField(help_text="True: the objection is granted and the opinion becomes milder.")
    reason = _text("The reason for the decision.")
    opinion = serializers.ChoiceField(
        choices=Opinion.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="The milder opinion, when the objection is granted.",
    )


class DecideActSerializer(ActSerializer):
    """The organisation's decision: a sanction (or none) and its measures."""

    kind = serializers.ChoiceField(choices=SanctionKind.choices, help_text="The sanction (or none).")
    measures = _measures()
    text = _text("The decision (惩戒决定).")


class ReviewRequestActSerializer(ActSerializer):
    """The officer concerned asks for review of the decision."""

    reason = _text("Why the officer asks for review (复核).")


class _OutcomeActSerializer(ActSerializer):
    # The shape of a review's and an appeal's decision; each act has its own subclass.
    outcome = serializers.ChoiceField(choices=Outcome.choices, help_text="Upheld, changed or revoked.")
    reason = _text("The reason for the outcome.")
    kind = serializers.ChoiceField(
        choices=SanctionKind.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="What the sanction becomes, when the outcome is changed: never harsher than before.",
    )
    measures = _measures()


class ReviewDecideActSerializer(_OutcomeActSerializer):
    """The deciding organisation decides the review."""


class AppealActSerializer(ActSerializer):
    """The officer concerned appeals to the organisation above."""

    reason = _text("Why the officer appeals (申诉) to the organisation above.")


class AppealExtendActSerializer(ActSerializer):
    """The organisation above takes longer to decide the appeal."""

    reason = _text("Why the appeal needs longer: the time to decide is extended once, by 30 days.")


class AppealDecideActSerializer(_OutcomeActSerializer):
    """The organisation above decides the appeal; the proceeding closes."""


class SubmitActSerializer(ActSerializer):
    """The officer concerned makes a statement, with evidence files."""

    text = _text("The officer's statement, evidence or defence (陈述、举证、辩解).")
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="Evidence files (multipart/form-data), under the case-work upload rules.",
    )
