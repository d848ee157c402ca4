"""Writes of the evaluation app: storing metric results (idempotent upserts by key)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accountability import outbox
from accountability.choices import ActionType
from accountability.errors import ValidationFailed
from accountability.models import Officer, Organisation
from accountability.powers import power_decide
from evaluation.metrics import CROSS_METRICS, LOCAL_METRICS, Row, Window, compute, extra_metrics
from evaluation.models import DefectItem, MetricResult, MetricRun, MetricRunItem

ProgressFn = Callable[[int, int, str], None]


def window_parse(*, start: dt.date | str, end: dt.date | str) -> Window:
    """A window from dates or ISO strings; a clear error when malformed or reversed."""
    try:
        start_date = start if isinstance(start, dt.date) else dt.date.fromisoformat(start)
        end_date = end if isinstance(end, dt.date) else dt.date.fromisoformat(end)
    except ValueError as exc:
        raise ValidationFailed(f"Dates are YYYY-MM-DD: {exc}", details={"window": [str(exc)]}) from exc
    if end_date < start_date:
        message = f"The window ends ({end_date}) before it starts ({start_date})."
        raise ValidationFailed(message, details={"to": [message]})
    return Window(start_date, end_date)


def _lock(key: str) -> None:
    """Serialise writers of one (window, organisation): an advisory lock on PostgreSQL, held to commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


@transaction.atomic
def metrics_store_for_organisation(
    *, windows: Window | list[Window], organisation: Organisation | None, cross: bool | None = None
) -> int:
    """Compute and upsert metric rows for the windows (all in one pass per statement); rows no longer
    produced go. Idempotent; returns the number of rows stored.

    With an organisation: the local metrics of its subjects (the nightly fan-out unit). With ``None``:
    the cross-organisation metrics (original, root) of every subject, computed once.
    ``cross=True`` with an organisation computes both for it alone (the on-demand recompute).
    """
    windows = [windows] if isinstance(windows, Window) else list(dict.fromkeys(windows))
    local = organisation is not None
    cross = organisation is None if cross is None else cross
    for window in windows:
        _lock(f"metrics:{window.start}:{window.end}:{organisation.pk if organisation else 'cross'}")
    now = timezone.now()
    rows = list(
        compute(
            windows,
            organisation_id=organisation.pk if organisation else None,
            organisation_kind=organisation.kind if organisation else None,
            local=local,
            cross=cross,
        )
    )
    metrics = (LOCAL_METRICS | set(extra_metrics()) if local else frozenset()) | (
        CROSS_METRICS if cross else frozenset()
    )
    keys = {(r.window.start, r.window.end, r.level, r.subject, r.metric) for r in rows}
    stored = MetricResult.objects.filter(_any_window(windows), metric__in=metrics)
    if organisation is not None:
        stored = stored.filter(organisation=organisation)
    gone = [
        pk
        for pk, *key in stored.values_list("pk", "window_from", "window_to", "level", "subject", "metric").iterator()
        if tuple(key) not in keys
    ]
    for chunk in range(0, len(gone), 5000):
        MetricResult.objects.filter(pk__in=gone[chunk : chunk + 5000]).delete()
    _upsert(rows, now)
    return len(rows)


_UPSERT_FIELDS = (
    "window_from",
    "window_to",
    "level",
    "subject",
    "metric",
    "numerator",
    "denominator",
    "value",
    "organisation_id",
    "computed_at",
)
_UPSERT = (
    "INSERT INTO evaluation_metricresult (window_from, window_to, level, subject, metric, numerator, denominator, "
    "value, organisation_id, computed_at) VALUES {values} "
    "ON CONFLICT (window_from, window_to, level, subject, metric) DO UPDATE SET numerator = EXCLUDED.numerator, "
    "denominator = EXCLUDED.denominator, value = EXCLUDED.value, organisation_id = EXCLUDED.organisation_id, "
    "computed_at = EXCLUDED.computed_at"
)


# PostgreSQL: the rows as ten arrays, one statement of ten parameters whatever the number of rows (a VALUES list of
# 2,000 rows took the server longer to parse than to insert: 0.10 s instead of 0.13–0.18 s for an organisation's
# ~780 rows at 1 M cases).
_UPSERT_ARRAYS = (
    "INSERT INTO evaluation_metricresult (window_from, window_to, level, subject, metric, numerator, denominator, "
    "value, organisation_id, computed_at) SELECT *, %s FROM unnest(%s::date[], %s::date[], %s::varchar[], "
    "%s::varchar[], %s::varchar[], %s::numeric[], %s::numeric[], %s::numeric[], %s::integer[]) "
    "ON CONFLICT (window_from, window_to, level, subject, metric) DO UPDATE SET numerator = EXCLUDED.numerator, "
    "denominator = EXCLUDED.denominator, value = EXCLUDED.value, organisation_id = EXCLUDED.organisation_id, "
    "computed_at = EXCLUDED.computed_at"
)


def _upsert(rows: list[Row], now: dt.datetime) -> None:
    """Insert or update the rows by key, as ``bulk_create(update_conflicts=True)`` would, with the values adapted
    once: the nightly run writes ~150 k rows, and preparing them field by field through the model cost as much as
    the insert. PostgreSQL takes them as arrays, other databases as a VALUES list per batch."""
    if connection.vendor == "postgresql":
        if rows:
            columns = zip(
                *(
                    (r.window.start, r.window.end, r.level, r.subject, r.metric, r.numerator, r.denominator)
                    + (r.value, r.organisation_id)
                    for r in rows
                ),
                strict=True,
            )
            with connection.cursor() as cursor:
                cursor.execute(_UPSERT_ARRAYS, [now, *(list(column) for column in columns)])
        return
    ops = connection.ops
    field = MetricResult._meta.get_field("numerator")
    places, digits = field.decimal_places, field.max_digits
    computed_at = ops.adapt_datetimefield_value(now)
    dates: dict[dt.date, Any] = {}

    def day(value: dt.date) -> Any:
        if value not in dates:
            dates[value] = ops.adapt_datefield_value(value)
        return dates[value]

    batch = ops.bulk_batch_size(list(_UPSERT_FIELDS), rows) if rows else 1
    batch = max(1, min(batch, 2000))
    placeholder = "(" + ", ".join(["%s"] * len(_UPSERT_FIELDS)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params: list[Any] = []
            for r in chunk:
                params += [
                    day(r.window.start),
                    day(r.window.end),
                    r.level,
                    r.subject,
                    r.metric,
                    ops.adapt_decimalfield_value(r.numerator, digits, places),
                    ops.adapt_decimalfield_value(r.denominator, digits, places),
                    ops.adapt_decimalfield_value(r.value, digits, places),
                    r.organisation_id,
                    computed_at,
                ]
            # fixed text and placeholders only; every value is a parameter
            cursor.execute(_UPSERT.format(values=", ".join([placeholder] * len(chunk))), params)  # noqa: S608


def _any_window(windows: list[Window]) -> Q:
    condition = Q(pk__in=[])
    for w in windows:
        condition |= Q(window_from=w.start, window_to=w.end)
    return condition


def metrics_store(*, window: Window, progress: ProgressFn | None = None) -> int:
    """Every organisation's local metrics, then the cross-organisation ones, exactly as the nightly
    fan-out does (one transaction each)."""
    units: list[Organisation | None] = [*Organisation.objects.order_by("path"), None]
    stored = 0
    for index, organisation in enumerate(units, start=1):
        stored += metrics_store_for_organisation(windows=[window], organisation=organisation)
        if progress:
            progress(index, len(units), organisation.code if organisation else "cross-organisation")
    return stored


# --- runs: the nightly job and on-demand recomputes ------------------------------------------


def standard_windows(day: dt.date) -> list[Window]:
    """The windows the nightly job computes on ``day``: month, quarter and year to date, and the last
    12 months, each ending with the last complete day (``day`` − 1)."""
    last = day - dt.timedelta(days=1)
    quarter_start = dt.date(last.year, 3 * ((last.month - 1) // 3) + 1, 1)
    try:
        year_ago = last.replace(year=last.year - 1)
    except ValueError:  # 29 February
        year_ago = last.replace(year=last.year - 1, day=28)
    windows = [
        Window(last.replace(day=1), last),
        Window(quarter_start, last),
        Window(dt.date(last.year, 1, 1), last),
        Window(year_ago + dt.timedelta(days=1), last),
    ]
    return list(dict.fromkeys(windows))  # on 1 January the year to date is the last 12 months


@transaction.atomic
def metric_run_start(
    *,
    key: str,
    kind: str,
    windows: list[Window],
    organisations: list[Organisation | None],
    requested_by: Officer | None = None,
) -> MetricRun:
    """Create a run (or return the one with this key: a second start of the same night resumes it)."""
    run, created = MetricRun.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "windows": [[w.start.isoformat(), w.end.isoformat()] for w in windows],
            "requested_by": requested_by,
            "total": len(organisations),
        },
    )
    if created:
        MetricRunItem.objects.bulk_create([MetricRunItem(run=run, organisation=o) for o in organisations])
    return run


def metric_run_dispatch(run: MetricRun) -> int:
    """Queue one task per unfinished organisation, after commit. Returns how many were queued."""
    pending = list(run.items.filter(finished_at__isnull=True).values_list("organisation_id", flat=True))
    for organisation_id in pending:
        outbox.enqueue("evaluation.compute_run_item", run.pk, organisation_id)
    return len(pending)


@transaction.atomic
def metric_run_item_compute(*, run_id: int, organisation_id: int | None) -> int | None:
    """Compute every window of a run for one organisation; a finished item is skipped (idempotent).

    Returns the rows stored, or None when there was nothing to do.
    """
    item = (
        MetricRunItem.objects.select_for_update(of=("self",))
        .select_related("run", "organisation")
        .filter(run_id=run_id, organisation_id=organisation_id)
        .first()
    )
    if item is None or item.finished_at is not None:
        return None
    windows = [window_parse(start=start, end=end) for start, end in item.run.windows]
    # A nightly run computes cross-organisation metrics once, in its item without an organisation;
    # an on-demand recompute of one organisation computes everything of that organisation's subjects.
    cross = None if item.organisation is None else item.run.kind == MetricRun.Kind.ON_DEMAND
    rows = metrics_store_for_organisation(windows=windows, organisation=item.organisation, cross=cross)
    now = timezone.now()
    item.finished_at, item.rows = now, rows
    item.save(update_fields=["finished_at", "rows"])
    MetricRun.objects.filter(pk=run_id).update(done=F("done") + 1)
    MetricRun.objects.filter(pk=run_id, done__gte=F("total"), finished_at__isnull=True).update(finished_at=now)
    return rows


def metric_run_nightly(*, day: dt.date | None = None) -> MetricRun:
    day = day or timezone.localdate()
    with transaction.atomic():
        run = metric_run_start(
            key=f"nightly:{day.isoformat()}",
            kind=MetricRun.Kind.NIGHTLY,
            windows=standard_windows(day),
            organisations=[*Organisation.objects.order_by("path"), None],
        )
        metric_run_dispatch(run)
    return run


def metric_run_on_demand(*, actor: Officer, organisation: Organisation, window: Window) -> MetricRun:
    """Recompute one organisation's window now, as the power list allows (leaders, case management)."""
    power_decide(officer=actor, action_type=ActionType.METRICS_RECOMPUTED, organisation=organisation).raise_if_denied()
    with transaction.atomic():
        run = metric_run_start(
            key=f"on_demand:{uuid.uuid4()}",
            kind=MetricRun.Kind.ON_DEMAND,
            windows=[window],
            organisations=[organisation],
            requested_by=actor,
        )
        metric_run_dispatch(run)
    return run


@transaction.atomic
def defect_item_save(*, item: DefectItem) -> DefectItem:
    """Create or change a catalogue item; a change of substance bumps its revision (reviews keep theirs)."""
    try:
        item.full_clean(exclude=["revision"])
    except DjangoValidationError as exc:
        raise ValidationFailed("Invalid defect item.", details=exc.message_dict) from exc
    if item.pk is not None:
        current = DefectItem.objects.select_for_update().get(pk=item.pk)
        fields = ("aspect", "description", "points", "is_active")
        if any(getattr(current, f) != getattr(item, f) for f in fields):
            item.revision = current.revision + 1
    item.save()
    return item
