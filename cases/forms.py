from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accountability.choices import action_label


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

    def __init__(self, *args, allowed: list[str], actions, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.offer(allowed)
        self.corrections(actions)

    def corrections(self, actions) -> None:
        """The actions a correction may name: those the page shows (a posted form: the one it names)."""
        self.fields["corrects"].choices = [("", _("— not a correction —"))] + [
            (
                a.seq,
                f"#{a.seq} {action_label(a.action_type, self.kind)} {timezone.localtime(a.occurred_at):%Y-%m-%d %H:%M}",
            )
            for a in actions
        ]

    def offer(self, allowed: list[str]) -> None:
        """The action types offered, by display name (a posted form accepts every loggable type, so the service
        says why it refuses one; re-rendered, it offers only what the power list allows now)."""
        self.fields["action_type"].choices = [(a, action_label(a, self.kind)) for a in allowed]
