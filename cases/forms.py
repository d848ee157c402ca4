from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accountability.choices import ActionType


class LogActionForm(forms.Form):
    action_type = forms.ChoiceField(label=_("Action"))
    occurred_at = forms.DateTimeField(
        label=_("When (leave empty for now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(
        label=_("Details"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )
    corrects = forms.TypedChoiceField(label=_("Corrects"), required=False, coerce=int, empty_value=None)

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, allowed: list[str], actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_type"].choices = [(a, ActionType(a).label) for a in allowed]
        self.fields["corrects"].choices = [("", _("— not a correction —"))] + [
            (a.seq, f"#{a.seq} {a.get_action_type_display()} {a.occurred_at:%Y-%m-%d}") for a in actions
        ]


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    days = forms.IntegerField(label=_("Days granted"), required=False, min_value=1, max_value=3650)
    note = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "approve" and not data.get("days"):
            self.add_error("days", _("Give the number of days granted."))
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", _("Give the reason for refusing."))
        return data
