"""Writes of the evaluation app: storing metric results (idempotent upserts by key)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from accountability.errors import ValidationFailed
from accountability.models import Organisation
from evaluation.metrics import Window, compute
from evaluation.models import MetricResult

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
def metrics_store_for_organisation(*, window: Window, organisation: Organisation) -> int:
    """Compute and upsert every metric row of one organisation's subjects; rows no longer produced go.

    Idempotent: running it twice leaves the same rows. Returns the number of rows stored.
    """
    _lock(f"metrics:{window.start}:{window.end}:{organisation.pk}")
    now = timezone.now()
    rows = [
        MetricResult(
            window_from=window.start,
            window_to=window.end,
            level=row.level,
            subject=row.subject,
            metric=row.metric,
            numerator=row.numerator,
            denominator=row.denominator,
            value=row.value,
            organisation_id=row.organisation_id,
            computed_at=now,
        )
        for row in compute(window, organisation_id=organisation.pk)
    ]
    keys = {(r.level, r.subject, r.metric) for r in rows}
    stored = MetricResult.objects.filter(window_from=window.start, window_to=window.end, organisation=organisation)
    gone = [pk for pk, *key in stored.values_list("pk", "level", "subject", "metric") if tuple(key) not in keys]
    if gone:
        MetricResult.objects.filter(pk__in=gone).delete()
    MetricResult.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["window_from", "window_to", "level", "subject", "metric"],
        update_fields=["numerator", "denominator", "value", "organisation", "computed_at"],
    )
    return len(rows)


def metrics_store(*, window: Window, progress: ProgressFn | None = None) -> int:
    """Every organisation in turn, exactly as the nightly fan-out does (one transaction each)."""
    organisations = list(Organisation.objects.order_by("path"))
    stored = 0
    for index, organisation in enumerate(organisations, start=1):
        stored += metrics_store_for_organisation(window=window, organisation=organisation)
        if progress:
            progress(index, len(organisations), organisation.code)
    return stored
