"""Detection rules for four-category situations and risk points: one set of facts, two evaluators.

A situation's condition is the declarative JSON of ``accountability.conditions`` over the facts named
in ``FIELDS``. The same definition runs two ways, which must agree (the tests compare them):

* ``case_facts`` + ``conditions.evaluate``: one case, on an event (filing, an action), in one query;
* ``rule_queryset``: every case at once, compiled into one SQL query per rule (the scheduled sweep,
  the admin's simulation), never a loop over cases.

Time-based facts are measured against ``now`` (days since filing, share of the time limit used,
days since the last human action).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    SmallIntegerField,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Cast, Coalesce, ExtractYear, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accountability import conditions
from accountability.choices import OrganisationKind, OrganisationLevel
from accountability.sql import jit_off
from cases.choices import ActionSource, CaseType, Procedure
from cases.expressions import DaysSince
from cases.flows import flow_generation, flow_nodes_all, risk_nodes
from cases.models import Action, Case

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Field:
    """A fact a rule may test: its label for people and its SQL expression (``None``: a plain column)."""

    label: Any
    column: str | None = None
    expression: Callable[[dt.date], Any] | None = None


def _days_used(today: dt.date) -> Any:
    return DaysSince("filed_on", today) - F("excluded_days")


def _limit() -> Any:
    return F("time_limit_days") + F("extension_days")


def _case_year() -> Any:
    """The case's partition key (cases.partitions): naming it lets PostgreSQL visit one partition, not all."""
    return Cast(ExtractYear(OuterRef("filed_on")), SmallIntegerField())  # smallint = smallint: prunable


def _last_activity(today: dt.date) -> Any:
    """When a person last did something on the case (the system's own alerts do not count)."""
    return Subquery(
        Action.objects.filter(case=OuterRef("pk"), case_year=_case_year())
        .exclude(source=ActionSource.SYSTEM)
        .order_by("-seq")
        .values("occurred_at")[:1]
    )


def _extension_requests(today: dt.date) -> Any:
    counted = (
        Action.objects.filter(case=OuterRef("pk"), case_year=_case_year(), action_type="extension_requested")
        .order_by()
        .values("case")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _nodes_overdue(today: dt.date) -> Any:
    """The number of required process nodes past their deadline and not reached (``cases.flows.risk_nodes``: the
    nodes whose deadline counts from filing, other than 结案, whose deadline is the time limit that 超审限 watches).

    Built from the flows' data: per case type and procedure, one ``CASE`` branch adding, for each such node, 1 when
    filed_on + deadline is before today and no action of the node's types is in the trace (an indexed EXISTS on the
    case's partition). Nodes counted from the node before them are not in it: their order in the trace is shown on
    the case page (``cases.flows.case_flow``), not counted here. Counting them too (first action of the node before,
    an action of the node's types after it) was tried and measured on PostgreSQL: with 50,000 generated cases
    (12,671 open, 500,000 actions) the sweep query ran past 155 s, against 15.8 s for this form."""
    branches = []
    for (case_type, procedure), _nodes in sorted(flow_nodes_all().items()):
        terms = [
            CaseWhen(
                When(
                    ~Exists(
                        Action.objects.filter(
                            case=OuterRef("pk"), case_year=_case_year(), action_type__in=list(node.action_types)
                        )
                    )
                    & Q(filed_on__lt=today - dt.timedelta(days=node.deadline_days or 0)),
                    then=Value(1),
                ),
                default=Value(0),
                output_field=IntegerField(),
            )
            for node in risk_nodes(case_type, procedure)
        ]
        if terms:
            total = terms[0]
            for term in terms[1:]:
                total = total + term
            branches.append(When(Q(case_type=case_type, procedure=procedure), then=total))
    if not branches:
        return Value(0, output_field=IntegerField())
    return CaseWhen(*branches, default=Value(0), output_field=IntegerField())


FIELDS: dict[str, Field] = {
    "case.case_type": Field(_("case type"), column="case_type"),
    "case.procedure": Field(_("procedure"), column="procedure"),
    "case.cause": Field(_("cause of action"), column="cause"),
    "case.parties": Field(_("parties"), column="parties"),
    "case.parties_count": Field(_("number of parties"), column="parties_count"),
    "case.claim_amount": Field(_("claim amount (yuan)"), column="claim_amount"),
    "case.organisation_level": Field(_("court level"), column="organisation__level"),
    "case.organisation_kind": Field(_("organisation kind"), column="organisation__kind"),
    "case.is_open": Field(
        _("pending"), expression=lambda today: ExpressionWrapper(Q(closed_on__isnull=True), BooleanField())
    ),
    "case.has_original_case": Field(
        _("has an original case"),
        expression=lambda today: ExpressionWrapper(Q(original_case__isnull=False), BooleanField()),
    ),
    "case.days_pending": Field(_("days since filing"), expression=lambda today: DaysSince("filed_on", today)),
    "case.limit_percent_used": Field(
        _("percent of the time limit used"),
        expression=lambda today: ExpressionWrapper(
            _days_used(today) * 100 / NullIf(_limit(), 0), output_field=IntegerField()
        ),
    ),
    "case.days_over_limit": Field(
        _("days over the time limit"),
        expression=lambda today: CaseWhen(
            When(Q(time_limit_days__gt=0) | Q(extension_days__gt=0), then=_days_used(today) - _limit()),
            default=None,
            output_field=IntegerField(),
        ),
    ),
    "case.days_since_activity": Field(_("days since the last action"), expression=_last_activity),
    "case.extension_requests": Field(_("extension requests"), expression=_extension_requests),
    "case.nodes_overdue": Field(_("process nodes overdue"), expression=_nodes_overdue),
}
#: Facts built from the process flows' data: the compiled one-case query is kept per version of that data.
_FLOW_FIELDS = {"case.nodes_overdue"}
#: Facts measured in whole days since an instant: compiled into comparisons of the instant itself.
_INSTANT_FIELDS = {"case.days_since_activity"}


def register_field(name: str, label: Any, expression: Callable[[dt.date], Any]) -> None:
    """Make ``name`` a fact the situations' rules may test, from an app above supervision (e.g. similar's
    ``case.outcome_deviates``): ``expression(today)`` is its SQL expression over a case. Called once, from the
    app's ``ready``; registering the same name again for another expression is refused."""
    if not name.startswith("case.") or name.count(".") != 1:
        raise ValueError(f"rule fact {name!r}: a name of the form case.<fact>")
    if not callable(expression):
        raise ValueError(f"rule fact {name!r}: the expression must be a function of today")
    known = FIELDS.get(name)
    if known is not None and known.expression is not expression:
        raise ValueError(f"rule fact {name!r} is already defined")
    FIELDS[name] = Field(label, expression=expression)


def _alias(field: str) -> str:
    return "rule_" + field.replace(".", "_")


def validate(condition: Any, *, automatic: bool) -> None:
    """Refuse a malformed condition, naming what is wrong; an automatic rule needs a condition."""
    conditions.validate(condition, fields=FIELDS)
    if automatic and not condition:
        raise ValidationError(_("An automatic rule needs a condition; a rule without one is raised by people."))
    for field in conditions.fields_of(condition):
        if field in _INSTANT_FIELDS:
            for leaf in _leaves(condition):
                if leaf["field"] == field and leaf["op"] not in ("lt", "lte", "gt", "gte", "eq", "is_null"):
                    raise ValidationError(f"{field}: only lt, lte, gt, gte, eq and is_null apply to it")


def _leaves(condition: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if not condition:
        return []
    for combinator in ("all", "any"):
        if combinator in condition:
            return [leaf for part in condition[combinator] for leaf in _leaves(part)]
    if "not" in condition:
        return _leaves(condition["not"])
    return [condition]


# --- one case ------------------------------------------------------------------------------------


def annotated_cases(fields: list[str], *, now: dt.datetime) -> QuerySet[Case]:
    """Cases annotated with the facts ``fields`` need (and only those)."""
    today = timezone.localdate(now)
    annotations = {
        _alias(name): FIELDS[name].expression(today) for name in fields if FIELDS[name].expression is not None
    }
    return Case.objects.annotate(**annotations) if annotations else Case.objects.all()


def _fact_value(name: str, row: Mapping[str, Any], now: dt.datetime) -> Any:
    field = FIELDS[name]
    value = row[_alias(name)] if field.expression is not None else row[field.column]
    if name in _INSTANT_FIELDS:
        return None if value is None else (now - value) // DAY
    return value


def facts_from_row(fields: list[str], row: Mapping[str, Any], *, now: dt.datetime) -> dict[str, Any]:
    return {name: _fact_value(name, row, now) for name in fields}


def _columns(fields: list[str]) -> list[str]:
    return [_alias(n) if FIELDS[n].expression is not None else FIELDS[n].column for n in fields]


def fields_used(situations: Any) -> list[str]:
    """The facts the situations' conditions test, in ``FIELDS`` order (so equal sets share a cached query)."""
    used = {field for situation in situations for field in conditions.fields_of(situation.rule)}
    return [name for name in FIELDS if name in used]


#: A primary key no case has: it marks where the case's id goes in the cached one-case query.
_CASE_ID_MARK = -7_340_211_993


@functools.lru_cache(maxsize=32)
def _one_case_query(
    fields: tuple[str, ...], today: dt.date, using: str, flows: int = 0
) -> tuple[Any, str, tuple[Any, ...], int, list[str]]:
    """The one-case facts query, compiled once per set of facts and day (compiling costs more than running it), and
    per version of the process flows (``flows``) when a fact is built from them."""
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))  # only ``today`` reaches the SQL
    queryset = (
        annotated_cases(list(fields), now=now).filter(pk=_CASE_ID_MARK).order_by().values(*_columns(list(fields)))
    )
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    marks = [i for i, p in enumerate(params) if p == _CASE_ID_MARK]
    if len(marks) != 1:  # pragma: no cover - a change in Django's compiler would show here
        raise RuntimeError("the one-case facts query did not compile as expected")
    columns = [alias for _expression, _sql, alias in compiler.select]  # the SELECT's order
    return compiler, sql, tuple(params), marks[0], columns


def case_facts(case_id: int, *, now: dt.datetime | None = None, fields: list[str] | None = None) -> dict[str, Any]:
    """The facts of one case (all, or those named), in one query computed by the same SQL as the sweep."""
    now = now or timezone.now()
    names = tuple(fields) if fields is not None else tuple(FIELDS)
    flows = flow_generation() if _FLOW_FIELDS.intersection(names) else 0
    compiler, sql, params, mark, columns = _one_case_query(
        names, timezone.localdate(now), router.db_for_read(Case), flows
    )
    params = params[:mark] + (case_id,) + params[mark + 1 :]
    with connections[compiler.using].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if not found:
        raise Case.DoesNotExist(case_id)
    row = dict(zip(columns, next(iter(compiler.results_iter(results=[found]))), strict=True))
    return facts_from_row(list(names), row, now=now)


def jsonable(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Facts as JSON for a flag's record (amounts exact, as strings)."""
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in facts.items()}


# --- all cases at once ---------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def _instant_leaf(alias: str, op: str, days: Any, now: dt.datetime) -> Q:
    """``floor((now - t) / day) OP days`` as a comparison of ``t`` itself (an index-friendly form)."""
    if op == "is_null":
        return Q(**{f"{alias}__isnull": bool(days)})
    days = int(days)
    before = {"gte": now - days * DAY, "gt": now - (days + 1) * DAY}
    after = {"lt": now - days * DAY, "lte": now - (days + 1) * DAY}
    if op in before:
        return Q(**{f"{alias}__lte": before[op]})
    if op in after:
        return Q(**{f"{alias}__gt": after[op]})
    if op == "eq":
        return Q(**{f"{alias}__lte": now - days * DAY, f"{alias}__gt": now - (days + 1) * DAY})
    raise ValidationError(f"{op} does not apply to a count of days since an instant")


def compile_condition(condition: Mapping[str, Any], *, now: dt.datetime) -> Q:
    """The condition as a ``Q`` over ``annotated_cases``, with the interpreter's semantics (a missing
    fact matches only ``ne``, ``not_in`` and ``is_null``)."""
    if not condition:
        return Q()
    if "all" in condition:
        result = Q()
        for part in condition["all"]:
            result &= compile_condition(part, now=now)
        return result
    if "any" in condition:
        result = Q(pk__in=[])
        for part in condition["any"]:
            result |= compile_condition(part, now=now)
        return result
    if "not" in condition:
        inner = compile_condition(condition["not"], now=now)
        return ~inner
    name, op, value = condition["field"], condition["op"], condition["value"]
    field = FIELDS[name]
    lookup = _alias(name) if field.expression is not None else field.column
    if name in _INSTANT_FIELDS:
        return _instant_leaf(lookup, op, value, now)
    is_null = Q(**{f"{lookup}__isnull": True})
    if op == "is_null":
        return is_null if value else ~is_null
    if op == "eq":
        return is_null if value is None else Q(**{lookup: _value(value)})
    if op == "ne":
        return ~is_null if value is None else (~Q(**{lookup: _value(value)}) & ~is_null) | is_null
    if op == "in":
        return Q(**{f"{lookup}__in": [_value(v) for v in value]})
    if op == "not_in":
        return (~Q(**{f"{lookup}__in": [_value(v) for v in value]}) & ~is_null) | is_null
    if op == "contains":
        return Q(**{f"{lookup}__contains": value})
    return Q(**{f"{lookup}__{op}": _value(value)})


def rule_queryset(condition: Mapping[str, Any], *, now: dt.datetime | None = None) -> QuerySet[Case]:
    """Every case the condition holds for, as one SQL query, annotated with the facts it looked at."""
    now = now or timezone.now()
    fields = conditions.fields_of(condition)
    return annotated_cases(fields, now=now).filter(compile_condition(condition, now=now))


def rule_matches(
    condition: Mapping[str, Any],
    queryset_filter: Q | None = None,
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
) -> list[tuple[int, dict[str, Any]]]:
    """(case id, facts looked at) for each matching case: the simulation and the sweep use it."""
    now = now or timezone.now()
    fields = conditions.fields_of(condition)
    queryset = rule_queryset(condition, now=now)
    if queryset_filter is not None:
        queryset = queryset.filter(queryset_filter)
    rows = queryset.order_by("pk").values("pk", *_columns(fields))
    if limit is not None:
        rows = rows[:limit]
    with transaction.atomic(using=rows.db, savepoint=False):  # a rule's query is not worth compiling (``jit_off``)
        jit_off(rows.db)
        return [(row["pk"], facts_from_row(fields, row, now=now)) for row in rows]


#: Facts whose values are codes of a choices class: shown by their display names.
_CHOICE_FACTS: dict[str, type[models.TextChoices]] = {
    "case.case_type": CaseType,
    "case.procedure": Procedure,
    "case.organisation_level": OrganisationLevel,
    "case.organisation_kind": OrganisationKind,
}


def _fact_words(name: str, value: Any) -> tuple[str, str]:
    """One fact as (label, value) for people: display names for codes, 是/否 for yes-or-no facts, a percent sign,
    amounts without trailing zeros, and days not yet over the time limit as the days left."""
    label = str(FIELDS[name].label) if name in FIELDS else name
    if value is None:
        return label, "—"
    if isinstance(value, bool):
        return label, str(_("Yes") if value else _("No"))
    if name in _CHOICE_FACTS and value in _CHOICE_FACTS[name].values:
        return label, str(_CHOICE_FACTS[name](value).label)
    if name == "case.days_over_limit" and isinstance(value, int) and value < 0:
        return str(_("days left in the time limit")), str(-value)
    if name == "case.limit_percent_used":
        return label, f"{value}%"
    if isinstance(value, Decimal):
        return label, f"{value.normalize():f}"
    if isinstance(value, (list, tuple)):
        return label, "、".join(str(v) for v in value)
    return label, str(value)


def explain(facts: Mapping[str, Any]) -> str:
    """The facts that matched, for people: "当事人人数: 12; 标的额（元）: 20000000"; a yes-or-no fact reads 是/否, never
    True/False, a code its display name, a negative count of days over the limit the days left."""
    return "; ".join("{}: {}".format(*_fact_words(name, value)) for name, value in facts.items())
