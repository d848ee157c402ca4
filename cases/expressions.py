"""Date arithmetic the ORM does not have portably: whole days between a date column and a date."""

from __future__ import annotations

import datetime as dt

from django.db.models import DateField, F, Func, IntegerField, Value


class DaysSince(Func):
    """Whole days from a date column to ``day`` (positive when the column is earlier)."""

    output_field = IntegerField()

    def __init__(self, column: str, day: dt.date) -> None:
        super().__init__(Value(day, output_field=DateField()), F(column))

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


class DaysBetween(DaysSince):
    """Whole days from one date column to another (``end − start``)."""

    def __init__(self, end: str, start: str) -> None:  # noqa: D107
        Func.__init__(self, F(end), F(start))
