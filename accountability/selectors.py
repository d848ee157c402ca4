"""Reads of people and organisations, scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accountability.models import Officer, Organisation


def officer_for_user(user: Any) -> Officer | None:
    """The officer behind a login, with what power decisions need loaded; None for other accounts."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_quanze_officer", False)
    if cached is not False:
        return cached
    officer = (
        Officer.objects.select_related("organisation", "department", "user")
        .prefetch_related("roles")
        .filter(user=user)
        .first()
    )
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
