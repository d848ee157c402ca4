"""``{% category_word flag.situation.category kind %}``: a four-category's label in the words of the organisation it
is about (``supervision.choices.category_word``)."""

from django import template

from supervision.choices import category_word as _category_word

register = template.Library()


@register.simple_tag
def category_word(code: str, kind: str | None = None) -> str:
    return _category_word(code, kind)
