"""Display names for the codes a performance file carries (its selector serves the API too, which keeps codes)."""

from __future__ import annotations

from django import template

from evaluation.models import Consequence, Grade, Review

register = template.Library()


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else (value or "")


@register.filter
def review_status_label(value: str) -> str:
    return _label(Review.Status, value)


@register.filter
def grade_label(value: str) -> str:
    return _label(Grade, value)


@register.filter
def consequence_label(value: str) -> str:
    return _label(Consequence, value)
