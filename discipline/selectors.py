"""Who may see which proceeding: object permissions (django-guardian), granted by the services to the
inspectors handling it, the committee members assigned, the deciders when it reaches them, and the officer
concerned. Anyone else gets the same 404 as for a proceeding that does not exist. No superuser bypass."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from accountability.errors import NotFound
from accountability.selectors import officer_for_user
from discipline.models import Lead, Proceeding


def proceedings_visible_to(user: Any) -> QuerySet[Proceeding]:
    if not getattr(user, "is_authenticated", False) or officer_for_user(user) is None:
        return Proceeding.objects.none()
    return get_objects_for_user(
        user, "discipline.view_proceeding", klass=Proceeding, accept_global_perms=False, with_superuser=False
    ).select_related("officer", "organisation")


def proceeding_get_for_user(user: Any, *, public_id: Any) -> Proceeding:
    proceeding = proceedings_visible_to(user).filter(public_id=public_id).first()
    if proceeding is None:
        raise NotFound("No such proceeding.")
    return proceeding


def my_proceedings(user: Any) -> QuerySet[Proceeding]:
    """The proceedings concerning the user themselves (their own view)."""
    officer = officer_for_user(user)
    if officer is None:
        return Proceeding.objects.none()
    return Proceeding.objects.filter(officer=officer).select_related("organisation")


def leads_visible_to(user: Any) -> QuerySet[Lead]:
    """The lead register: inspectors (and the case-management office, for their court) see the leads about the
    officers of their organisation and those below it. The officers concerned do not see a lead until it opens."""
    officer = officer_for_user(user)
    if officer is None or not {"inspector", "case_management"} & set(officer.role_codes):
        return Lead.objects.none()
    leads = Lead.objects.select_related("officer__organisation").exclude(officer=officer)
    if "inspector" in officer.role_codes:
        return leads.filter(officer__organisation__path__startswith=officer.organisation.path)
    return leads.filter(officer__organisation=officer.organisation)


def lead_get_for_user(user: Any, *, public_id: Any) -> Lead:
    lead = leads_visible_to(user).filter(public_id=public_id).first()
    if lead is None:
        raise NotFound("No such lead.")
    return lead
