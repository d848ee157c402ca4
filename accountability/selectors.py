"""Reads of people and organisations, scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef, Q, QuerySet

from accountability.models import Officer, Organisation


def officer_for_user(user: Any) -> Officer | None:
    """The officer behind a login, with what power decisions need loaded; None for other accounts."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_quanze_officer", False)
    if cached is not False:
        return cached
    queryset = Officer.objects.select_related("organisation", "department", "user").filter(user=user)
    roles = Officer.roles.through.objects.values_list("role_id", flat=True)
    if connection.vendor == "postgresql":  # the role codes in the same statement (every request pays for this)
        officer = queryset.annotate(role_code_list=ArraySubquery(roles.filter(officer_id=OuterRef("pk")))).first()
        if officer is not None:
            officer._role_codes = frozenset(officer.role_code_list)
    else:  # the role codes alone, without the prefetch machinery
        officer = queryset.first()
        if officer is not None:
            officer._role_codes = frozenset(roles.filter(officer_id=officer.pk))
    user._quanze_officer = officer
    return officer


def organisations_visible_to(user: Any) -> QuerySet[Organisation]:
    """An officer sees their own organisation and its subordinates; a superuser sees all."""
    queryset = Organisation.objects.select_related("parent")
    if getattr(user, "is_superuser", False):
        return queryset
    officer = officer_for_user(user)
    if officer is None:
        return queryset.none()
    return queryset.filter(path__startswith=officer.organisation.path)


def officers_visible_to(user: Any) -> QuerySet[Officer]:
    queryset = Officer.objects.select_related("organisation", "department").prefetch_related("roles")
    if getattr(user, "is_superuser", False):
        return queryset
    officer = officer_for_user(user)
    if officer is None:
        return queryset.none()
    return queryset.filter(organisation__path__startswith=officer.organisation.path)


#: How many officers a picker offers for what was typed.
PICKER_LIMIT = 10


def officers_nameable_by(user: Any) -> QuerySet[Officer]:
    """The officers one may name in a form (a lead's subject, the person who asked about a case): those one sees
    (one's organisation and those below) and those of the organisations above, whose leaders are the ones most
    often named. The service that acts on the name still decides whether it may."""
    officer = officer_for_user(user)
    queryset = Officer.objects.select_related("organisation", "department")
    if getattr(user, "is_superuser", False):
        return queryset
    if officer is None:
        return queryset.none()
    path = officer.organisation.path
    above = [path[: i + 1] for i in range(1, len(path) - 1) if path[i] == "/"]  # "/1/7/12/" → "/1/", "/1/7/"
    return queryset.filter(Q(organisation__path__startswith=path) | Q(organisation__path__in=above))


def officers_matching(user: Any, text: str) -> list[Officer]:
    """The picker's suggestions: officers one may name whose name contains, or whose number starts with, the text."""
    text = text.strip()
    if not text:
        return []
    matching = officers_nameable_by(user).filter(Q(name__icontains=text) | Q(officer_id__istartswith=text))
    return list(matching.order_by("name", "officer_id")[:PICKER_LIMIT])


def officer_named(user: Any, text: str) -> Officer | None:
    """The officer a picker's field names: by number (as before), or by a name only one officer one may name has."""
    text = text.strip()
    if not text:
        return None
    by_number = Officer.objects.filter(officer_id=text).first()
    if by_number is not None:
        return by_number
    named = list(officers_nameable_by(user).filter(name=text)[:2])
    return named[0] if len(named) == 1 else None
