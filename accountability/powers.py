"""The one place that decides "may this officer take this action on this case now?".

``power_decide`` reads the active power-list items for the officer's roles and
the action type, then:

1. a matching negative item (负面清单) refuses, and is named;
2. otherwise a matching positive item (正面清单) allows, and is named;
3. otherwise the action is refused: deny by default.

An item matches when its scope covers the case and its conditions hold on the
facts of the moment (``decision_facts``). Nothing else in the code base decides
this; services call it and record the deciding item and its revision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext as _

from accountability import conditions
from accountability.choices import ActionType, PowerEffect, PowerScope
from accountability.errors import PowerDenied
from accountability.models import Department, Officer, Organisation, PowerItem


class Case(Protocol):
    """What the decision needs of a case (``cases.models.Case``; the kernel imports nothing from above)."""

    pk: Any
    organisation: Organisation
    department_id: int | None

    def participation_of(self, officer: Officer) -> str | None: ...

    def power_facts(self, officer: Officer) -> dict[str, Any]: ...


#: A fact computed by an app above the kernel: (officer, case or None) → value. Registered in that app's
#: ``AppConfig.ready`` with ``power_fact_register``; evaluated only when a condition asks for it.
FactProvider = Callable[[Officer, Any], Any]
_ACTOR_FACTS: dict[str, FactProvider] = {}
_CASE_FACTS: dict[str, FactProvider] = {}

#: The kernel's own facts; ``fact_fields()`` adds the registered ones.
FACT_FIELDS = frozenset(
    {
        "actor.participation",
        "actor.took_part",
        "actor.post",
        "actor.is_quota",
        "actor.roles",
        "case.is_open",
        "case.case_type",
        "case.procedure",
        "case.extension_requests",
    }
)


def power_fact_register(name: str, provider: FactProvider, *, about: str) -> None:
    """Make ``name`` a fact power-list conditions may test. ``about`` is ``"actor"`` (asked on every
    decision) or ``"case"`` (asked only when the decision is about a case)."""
    registry = {"actor": _ACTOR_FACTS, "case": _CASE_FACTS}[about]
    known = {**_ACTOR_FACTS, **_CASE_FACTS}
    if name in FACT_FIELDS or known.get(name, provider) != provider:
        raise ValueError(f"power fact {name!r} is already defined")
    registry[name] = provider


@dataclass(frozen=True)
class _OneOf:
    """A fact computed together with others by one provider (one query for several facts)."""

    provider: Callable[[Officer, Any], Mapping[str, Any]]
    name: str

    def __call__(self, officer: Officer, case: Any) -> Any:  # alone (outside a decision)
        return self.provider(officer, case)[self.name]


def power_facts_register(
    names: Sequence[str], provider: Callable[[Officer, Any], Mapping[str, Any]], *, about: str
) -> None:
    """Make each of ``names`` a fact, all computed at once by ``provider`` (returning a value for every name) the
    first time a decision asks for any of them."""
    for name in names:
        power_fact_register(name, _OneOf(provider, name), about=about)


def fact_fields() -> frozenset[str]:
    """Every fact a condition may use (validated in the admin and the services)."""
    return FACT_FIELDS | _ACTOR_FACTS.keys() | _CASE_FACTS.keys()


@dataclass(frozen=True)
class PowerDecision:
    allowed: bool
    item: PowerItem | None
    reason: str
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def item_code(self) -> str | None:
        return self.item.code if self.item else None

    def as_details(self) -> dict[str, Any]:
        details: dict[str, Any] = {"action_type": self.facts.get("action_type")}
        if self.item is not None:
            details.update(
                item_code=self.item.code,
                item_title=self.item.title,
                item_revision=self.item.revision,
                legal_basis=self.item.legal_basis,
            )
        return details

    def raise_if_denied(self) -> None:
        if not self.allowed:
            raise PowerDenied(self.reason, details=self.as_details())


class Facts(dict):
    """The facts of one decision; a value given as a callable is computed on first use (costly facts,
    such as a query, are paid for only by the items whose conditions ask for them). A child shares its
    parent's facts, and their computed values, adding its own (e.g. the action type)."""

    def __init__(self, data: Any = (), *, parent: Facts | None = None) -> None:
        super().__init__(data)
        self._parent = parent

    def __getitem__(self, key: str) -> Any:
        if not dict.__contains__(self, key) and self._parent is not None:
            return self._parent[key]
        value = super().__getitem__(key)
        if callable(value):
            value = value()
            self[key] = value
        return value

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or (self._parent is not None and key in self._parent)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default  # noqa: SIM401 - dict.get would skip __getitem__

    def child(self, **extra: Any) -> Facts:
        return Facts(extra, parent=self)


def decision_facts(*, officer: Officer, case: Case | None) -> Facts:
    facts = Facts(
        {
            "actor.post": officer.post,
            "actor.is_quota": officer.is_quota,
            "actor.roles": sorted(officer.role_codes),
            "actor.participation": "none",
            "actor.took_part": False,
        }
    )
    computed: dict[Any, Mapping[str, Any]] = {}  # each provider of several facts, asked once per decision
    facts.update({name: _deferred(provider, officer, None, computed) for name, provider in _ACTOR_FACTS.items()})
    if case is not None:
        facts.update(case.power_facts(officer))
        facts.update({name: _deferred(provider, officer, case, computed) for name, provider in _CASE_FACTS.items()})
    return facts


def _deferred(
    provider: FactProvider, officer: Officer, case: Case | None, computed: dict[Any, Mapping[str, Any]]
) -> Callable[[], Any]:
    if not isinstance(provider, _OneOf):
        return lambda: provider(officer, case)

    def one_of() -> Any:
        if provider.provider not in computed:
            computed[provider.provider] = provider.provider(officer, case)
        return computed[provider.provider][provider.name]

    return one_of


def _in_scope(
    item: PowerItem,
    *,
    officer: Officer,
    case: Case | None,
    organisation: Organisation | None,
    department: Department | None = None,
) -> bool:
    if item.scope == PowerScope.OWN:
        return case is not None and case.participation_of(officer) is not None
    target_org = case.organisation if case is not None else organisation
    if target_org is None:
        return False
    if item.scope == PowerScope.ORGANISATION:
        return target_org.pk == officer.organisation_id
    if item.scope == PowerScope.DEPARTMENT:
        if officer.department_id is None:
            return False
        if case is not None:
            return case.department_id == officer.department_id
        return department is not None and department.pk == officer.department_id
    if item.scope == PowerScope.SUBORDINATE:
        return target_org.path.startswith(officer.organisation.path)
    return False


def power_decide(
    *,
    officer: Officer,
    action_type: str,
    case: Case | None = None,
    organisation: Organisation | None = None,
    department: Department | None = None,
) -> PowerDecision:
    """Decide one action now. ``case`` may be unsaved (filing); ``organisation`` (and ``department``, for
    department-scoped items) are for case-less actions."""
    return power_decide_many(
        officer=officer, action_types=[action_type], case=case, organisation=organisation, department=department
    )[action_type]


def power_decide_many(
    *,
    officer: Officer,
    action_types: list[str],
    case: Case | None = None,
    organisation: Organisation | None = None,
    department: Department | None = None,
) -> dict[str, PowerDecision]:
    """Decide several action types on the same case at once (one query): e.g. which actions to offer."""
    if not officer.user.is_active:
        facts = decision_facts(officer=officer, case=case)
        return {a: PowerDecision(False, None, _("This account is disabled."), facts) for a in action_types}
    by_type: dict[str, list[PowerItem]] = {a: [] for a in action_types}
    # ``any`` items (negative ones: no case work while suspended) join every action on a case
    wanted = [*action_types, ActionType.ANY] if case is not None else action_types
    items = PowerItem.objects.filter(is_active=True, action_type__in=wanted, role_id__in=officer.role_codes)
    for item in items.order_by("code"):
        for action_type in action_types if item.action_type == ActionType.ANY else [item.action_type]:
            by_type[action_type].append(item)
    shared = decision_facts(officer=officer, case=case)  # lazy facts are computed at most once
    decisions = {}
    for action_type in action_types:
        facts = shared.child(action_type=action_type)
        decisions[action_type] = _decide(
            by_type[action_type], facts, officer=officer, case=case, organisation=organisation, department=department
        )
    return decisions


def _decide(
    items: list[PowerItem],
    facts: Facts,
    *,
    officer: Officer,
    case: Case | None,
    organisation: Organisation | None,
    department: Department | None = None,
) -> PowerDecision:
    matching = [
        item
        for item in items
        if _in_scope(item, officer=officer, case=case, organisation=organisation, department=department)
        and conditions.evaluate(item.conditions, facts)
    ]
    for item in matching:
        if item.effect == PowerEffect.DENY:
            return PowerDecision(
                False, item, _("Refused by power-list item %(code)s: %(title)s") % _item_words(item), facts
            )
    for item in matching:
        if item.effect == PowerEffect.ALLOW:
            return PowerDecision(
                True, item, _("Allowed by power-list item %(code)s: %(title)s") % _item_words(item), facts
            )
    return PowerDecision(False, None, _("No power-list item allows this action for your roles on this case."), facts)


def _item_words(item: PowerItem) -> dict[str, str]:
    return {"code": item.code, "title": item.title}


def power_allowed_action_types(*, officer: Officer, case: Case, candidates: list[str]) -> list[str]:
    """The candidate action types the list allows this officer on this case now (for offering in a form)."""
    decisions = power_decide_many(officer=officer, action_types=list(candidates), case=case)
    return [action for action in candidates if decisions[action].allowed]
