"""Requests on a case that another officer decides once (CaseRequest): the kinds the system knows, who decides them
and the inbox of those awaiting a decision (/cases/requests/).

Each kind registers a ``RequestKind`` in ``CasesConfig.ready`` (``cases.hooks``): its decision service, the power-list
action type of the decision and, when the power list's scopes are not the whole story (an extension decided by the
court above), its own rule for whose inbox a request lands in. The inbox and the decision form then show every
registered kind without knowing it: a new kind is one ``request_kind_register`` call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from accountability.choices import PowerEffect, PowerScope
from accountability.errors import NotFound, ValidationFailed
from accountability.models import Officer, PowerItem
from cases.choices import RequestStatus
from cases.models import Case, CaseRequest
from cases.selectors import cases_visible_to

#: ``decide(*, actor, request, approve, note, expected_version, source, extra)``: the kind's decision service;
#: ``extra`` holds the kind's own fields of the decision form (``RequestKind.extra_fields``), as posted.
Decide = Callable[..., CaseRequest]


@dataclass(frozen=True)
class RequestKind:
    kind: str
    #: the power-list action type of the decision: whose scope it is, and whether to offer the buttons
    decision_type: str
    decide: Decide
    #: which pending requests of this kind land in the officer's inbox (a condition on CaseRequest); by default
    #: ``power_scope_condition(officer, decision_type)``
    scope: Callable[[Officer], Q] | None = None
    #: names of further fields the decision form carries for this kind (e.g. an extension's days)
    extra_fields: tuple[str, ...] = ()
    #: a partial with those fields, rendered inside the decision form
    form_template: str = ""
    #: the kinds of organisation whose officers ask for it (empty: every kind)
    organisation_kinds: tuple[str, ...] = ()
    #: its label's message, for the words of another kind of organisation (``page_word``); empty: the label as is
    word: str = ""


_KINDS: dict[str, RequestKind] = {}


def request_kind_register(kind: RequestKind) -> None:
    _KINDS[kind.kind] = kind


def request_kinds() -> dict[str, RequestKind]:
    return dict(_KINDS)


def _scope_q(scope: str, officer: Officer) -> Q:
    """The cases a scope covers for the officer, as a condition on CaseRequest (``accountability.powers._in_scope``)."""
    if scope == PowerScope.ORGANISATION:
        return Q(case__organisation_id=officer.organisation_id)
    if scope == PowerScope.SUBORDINATE:
        return Q(case__organisation__path__startswith=officer.organisation.path)
    if scope == PowerScope.DEPARTMENT and officer.department_id is not None:
        return Q(case__department_id=officer.department_id)
    if scope == PowerScope.OWN:
        return Q(case__lead_officer=officer) | Q(case__participants__officer=officer)
    return Q(pk__in=[])


def power_scope_condition(officer: Officer, action_type: str) -> Q:
    """Requests on the cases that the officer's positive power-list items for ``action_type`` cover (one query).
    Conditions (the case is open, …) are asked when the officer decides."""
    condition = Q(pk__in=[])
    scopes = (
        PowerItem.objects.filter(
            is_active=True, effect=PowerEffect.ALLOW, role_id__in=officer.role_codes, action_type=action_type
        )
        .order_by("scope")
        .values_list("scope", flat=True)
        .distinct()
    )
    for scope in scopes:
        condition |= _scope_q(scope, officer)
    return condition


def deciders_of(case: Case, decision_type: str) -> QuerySet[Officer]:
    """The officers whose positive power-list items for ``decision_type`` cover the case (to tell them a request
    awaits them): by role and scope, as ``accountability.powers`` reads the items; conditions are asked when one
    decides."""
    ancestors = [int(pk) for pk in case.organisation.path.strip("/").split("/") if pk]
    condition = Q(pk__in=[])
    for role, scope in PowerItem.objects.filter(
        is_active=True, effect=PowerEffect.ALLOW, action_type=decision_type
    ).values_list("role_id", "scope"):
        if scope == PowerScope.ORGANISATION:
            condition |= Q(roles__code=role, organisation_id=case.organisation_id)
        elif scope == PowerScope.SUBORDINATE:
            condition |= Q(roles__code=role, organisation_id__in=ancestors)
        elif scope == PowerScope.DEPARTMENT and case.department_id is not None:
            condition |= Q(roles__code=role, department_id=case.department_id)
    return Officer.objects.filter(condition, user__is_active=True).distinct()


def requests_to_decide(officer: Officer, *, kind: str | None = None) -> QuerySet[CaseRequest]:
    """Pending requests of the registered kinds that land in the officer's inbox (each kind's ``scope``, by default
    ``power_scope_condition`` of its decision), oldest first."""
    condition = Q(pk__in=[])
    for entry in _KINDS.values():
        if kind is None or entry.kind == kind:
            scope = entry.scope(officer) if entry.scope else power_scope_condition(officer, entry.decision_type)
            condition |= Q(kind=entry.kind) & scope
    pending = CaseRequest.objects.filter(status=RequestStatus.PENDING).filter(condition)
    # an own-cases scope joins the participants: select by pk, one row per request
    return (
        CaseRequest.objects.filter(pk__in=pending.values("pk"))
        .select_related("case", "case__organisation", "case__lead_officer", "requested_by", "subject")
        .order_by("created_at", "pk")
    )


def requests_to_decide_counts(officer: Officer) -> dict[str, int]:
    """How many requests of each registered kind await the officer's decision (one query)."""
    counts = dict(requests_to_decide(officer).order_by().values_list("kind").annotate(n=Count("pk")))
    return {kind: counts.get(kind, 0) for kind in _KINDS}


def case_request_get_for_user(user: Any, *, public_id: Any) -> CaseRequest:
    """A request on a case the user may see, or NotFound (the same for missing and forbidden)."""
    found = (
        CaseRequest.objects.filter(public_id=public_id, case__in=cases_visible_to(user))
        .select_related("case", "requested_by", "subject")
        .first()
    )
    if found is None:
        raise NotFound(_("No such request."))
    return found


def case_request_decide(
    *,
    actor: Officer,
    request: CaseRequest,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
    source: str,
    extra: Mapping[str, Any] | None = None,
) -> CaseRequest:
    """Decide a request through the service of its kind (which checks the power list and decides once)."""
    entry = _KINDS.get(request.kind)
    if entry is None:
        message = _("Requests of this kind are not decided here.")
        raise ValidationFailed(message, details={"kind": [message]})
    return entry.decide(
        actor=actor,
        request=request,
        approve=approve,
        note=note,
        expected_version=expected_version,
        source=source,
        extra={name: (extra or {}).get(name) for name in entry.extra_fields},
    )
