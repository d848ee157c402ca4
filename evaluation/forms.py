from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accountability.models import Officer, Organisation
from evaluation.models import ReviewKind


class RecomputeForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The window cannot end before it starts."))
        return data


class ReviewPlanForm(forms.Form):
    """A review plan from the browser: a sample (a percentage or a number of cases), the amended or remanded
    cases, cases picked by number; optionally an evaluator to assign at once."""

    name = forms.CharField(label=_("Plan name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of review"), choices=ReviewKind.choices)
    start = forms.DateField(label=_("Cases closed from"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Cases closed to"), widget=forms.DateInput(attrs={"type": "date"}))
    sample_percent = forms.IntegerField(
        label=_("Sample: % of each officer's closed cases"), min_value=0, max_value=100, required=False
    )
    sample_size = forms.IntegerField(
        label=_("Sample: number of the period's closed cases"), min_value=0, required=False
    )
    include_amended_remanded = forms.BooleanField(
        label=_("All cases of the period amended or remanded on appeal or retrial"), required=False
    )
    case_numbers = forms.CharField(
        label=_("Cases picked by number (one a line)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    evaluator = forms.ModelChoiceField(
        label=_("Assign to evaluator"),
        queryset=Officer.objects.none(),
        required=False,
        empty_label=_("Assign later"),
        to_field_name="officer_id",
    )

    def __init__(self, *args, evaluators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = evaluators
        self.fields["evaluator"].label_from_instance = lambda o: f"{o.name}（{o.officer_id}）"

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The window cannot end before it starts."))
        return data

    def numbers(self) -> list[str]:
        text = self.cleaned_data.get("case_numbers") or ""
        return [n for n in re.split(r"[\s,，、;；]+", text) if n]
