from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def percent(value: Decimal | None) -> str:
    """A share as a percentage with one decimal: 0.8534 → 85.3%."""
    if value is None:
        return "—"
    return f"{Decimal(value) * 100:.1f}%"
