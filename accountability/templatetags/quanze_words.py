"""``{% word "Time limit" case.organisation.kind %}``: a page's word in the words of the organisation it is about
(``accountability.choices.page_word``)."""

from django import template

from accountability.choices import action_label, page_word

register = template.Library()


@register.simple_tag
def word(message: str, kind: str | None = None) -> str:
    return str(page_word(message, kind))


@register.simple_tag
def action_word(code: str, kind: str | None = None) -> str:
    """``{% action_word action.action_type case.organisation.kind %}``: the action's word at that kind."""
    return str(action_label(code, kind))
