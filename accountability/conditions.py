"""The one interpreter for declarative rule conditions (never ``eval``).

A condition is JSON:

* ``{}``: always true;
* a leaf ``{"field": "case.parties_count", "op": "gte", "value": 10}``;
* ``{"all": [cond, ...]}``, ``{"any": [cond, ...]}``, ``{"not": cond}``.

Operators: ``eq ne lt lte gt gte in not_in contains is_null``. ``validate``
checks a definition and names what is wrong and where; ``evaluate`` tests it
against a mapping of facts; ``matched_facts`` lists the facts a true condition
looked at, so a decision can say why it was made.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a is not None and a < b,
    "lte": lambda a, b: a is not None and a <= b,
    "gt": lambda a, b: a is not None and a > b,
    "gte": lambda a, b: a is not None and a >= b,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
    "contains": lambda a, b: a is not None and b in a,
    "is_null": lambda a, b: (a is None) == bool(b),
}
_ORDERED = {"lt", "lte", "gt", "gte"}
_LISTS = {"in", "not_in"}


def _coerce(value: Any) -> Any:
    """Compare numbers exactly: floats and numeric strings from JSON become Decimals."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    return value


def validate(condition: Any, *, fields: Collection[str] | None = None, path: str = "conditions") -> None:
    """Raise ``ValidationError`` naming the first malformed part of ``condition``."""
    if not isinstance(condition, dict):
        raise ValidationError(f"{path}: must be an object, got {type(condition).__name__}")
    if not condition:
        return
    keys = set(condition)
    for combinator in ("all", "any"):
        if combinator in keys:
            if keys != {combinator}:
                raise ValidationError(f"{path}: '{combinator}' cannot be mixed with {sorted(keys - {combinator})}")
            parts = condition[combinator]
            if not isinstance(parts, list) or not parts:
                raise ValidationError(f"{path}.{combinator}: must be a non-empty list")
            for index, part in enumerate(parts):
                validate(part, fields=fields, path=f"{path}.{combinator}[{index}]")
            return
    if "not" in keys:
        if keys != {"not"}:
            raise ValidationError(f"{path}: 'not' cannot be mixed with other keys")
        validate(condition["not"], fields=fields, path=f"{path}.not")
        return
    if keys != {"field", "op", "value"}:
        raise ValidationError(f"{path}: a leaf needs exactly 'field', 'op' and 'value' (got {sorted(keys)})")
    field, op, value = condition["field"], condition["op"], condition["value"]
    if not isinstance(field, str) or not field:
        raise ValidationError(f"{path}.field: must be a non-empty string")
    if fields is not None and field not in fields:
        raise ValidationError(f"{path}.field: unknown field {field!r}; known: {', '.join(sorted(fields))}")
    if op not in OPERATORS:
        raise ValidationError(f"{path}.op: unknown operator {op!r}; known: {', '.join(OPERATORS)}")
    if op in _LISTS and not isinstance(value, list):
        raise ValidationError(f"{path}.value: operator {op!r} needs a list")
    if op in _ORDERED and (isinstance(value, bool | list | dict) or value is None):
        raise ValidationError(f"{path}.value: operator {op!r} needs a number, date or string")
    if op == "is_null" and not isinstance(value, bool):
        raise ValidationError(f"{path}.value: operator 'is_null' needs true or false")


def evaluate(condition: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """True when ``facts`` satisfy ``condition``; a missing fact is ``None``."""
    if not condition:
        return True
    if "all" in condition:
        return all(evaluate(part, facts) for part in condition["all"])
    if "any" in condition:
        return any(evaluate(part, facts) for part in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], facts)
    op = condition["op"]
    actual = _coerce(facts.get(condition["field"]))
    expected = condition["value"]
    expected = [_coerce(v) for v in expected] if isinstance(expected, list) else _coerce(expected)
    try:
        return OPERATORS[op](actual, expected)
    except TypeError:
        return False  # incomparable values (e.g. a number against text) never match


def fields_of(condition: Mapping[str, Any]) -> list[str]:
    """Every field a condition mentions, in order, without repeats."""
    found: list[str] = []

    def walk(node: Mapping[str, Any]) -> None:
        if not node:
            return
        for combinator in ("all", "any"):
            if combinator in node:
                for part in node[combinator]:
                    walk(part)
                return
        if "not" in node:
            walk(node["not"])
            return
        if node["field"] not in found:
            found.append(node["field"])

    walk(condition)
    return found


def matched_facts(condition: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    """The facts a condition looked at, for recording why a decision was made."""
    return {field: facts.get(field) for field in fields_of(condition)}
