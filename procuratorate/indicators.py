"""The procuratorate's indicators (DOMAIN.md §13; README, *Procuratorate indicators*), computed like the others: one
SQL statement per level and window set, GROUP BY the case's own subject (the lead prosecutor, the department, the
procuratorate), stored nightly by the same job, drilled down the same way. 案-件比 is the existing
``case_proceeding_ratio`` (its proceedings already count 退回补充侦查).

A window counts the cases *closed* (审结) in it. One case is one suspect (the case registry holds no per-person
rows), so 诉前羁押率 and 认罪认罚从宽制度适用率 count cases where the SPP counts persons.

| metric | numerator | denominator |
| --- | --- | --- |
| ``prosecution_within_limit_rate`` 审查起诉期限内办结率 | 审查起诉 closed with (closed − filed − excluded days) ≤ limit + extension | 审查起诉 closed, with a limit |
| ``pretrial_detention_rate`` 诉前羁押率 | prosecuted (提起公诉) with the suspect in custody | prosecuted |
| ``non_arrest_rate`` 不捕率 | 审查逮捕 closed by 不批准逮捕 | 审查逮捕 closed by 批准逮捕 or 不批准逮捕 |
| ``non_prosecution_rate`` 不诉率 | 审查起诉 closed by any 不起诉 | closed by 提起公诉 or any 不起诉 |
| ``plea_leniency_rate`` 认罪认罚从宽制度适用率 | of those, 认罪认罚 recorded | 审查起诉 closed by 提起公诉 or any 不起诉 |
| ``sentencing_adoption_rate`` 量刑建议采纳率 | recommendation adopted | recommendation made and the court's answer known |
| ``supplementary_return_rate`` 退回补充侦查率 | 审查起诉 closed that were returned at least once | 审查起诉 closed |
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from evaluation.metrics import (
    MetricProvider,
    Row,
    Window,
    days_between,
    fetch,
    make_row,
    subject_filter_sql,
    subject_sql,
)

NON_PROSECUTION = "('np_statutory', 'np_discretionary', 'np_doubt', 'np_conditional')"
DECIDED = "('prosecuted', 'np_statutory', 'np_discretionary', 'np_doubt', 'np_conditional')"

#: (metric, label, numerator SQL, denominator SQL) over the cases ``c`` closed in the window, with the facts ``f``.
INDICATORS: list[tuple[str, Any, str, str]] = [
    (
        "prosecution_within_limit_rate",
        _("Reviews for prosecution closed within the time limit"),
        "c.procedure = 'prosecution' AND c.time_limit_days > 0 AND {duration} <= c.time_limit_days + c.extension_days",
        "c.procedure = 'prosecution' AND c.time_limit_days > 0",
    ),
    (
        "pretrial_detention_rate",
        _("Pre-trial detention rate"),
        "c.procedure = 'prosecution' AND c.closing_method = 'prosecuted' AND f.detained",
        "c.procedure = 'prosecution' AND c.closing_method = 'prosecuted'",
    ),
    (
        "non_arrest_rate",
        _("Non-arrest rate"),
        "c.procedure = 'arrest_review' AND c.closing_method = 'arrest_refused'",
        "c.procedure = 'arrest_review' AND c.closing_method IN ('arrest_approved', 'arrest_refused')",
    ),
    (
        "non_prosecution_rate",
        _("Non-prosecution rate"),
        f"c.procedure = 'prosecution' AND c.closing_method IN {NON_PROSECUTION}",
        f"c.procedure = 'prosecution' AND c.closing_method IN {DECIDED}",
    ),
    (
        "plea_leniency_rate",
        _("Plea leniency rate"),
        f"c.procedure = 'prosecution' AND c.closing_method IN {DECIDED} AND f.plea_leniency",
        f"c.procedure = 'prosecution' AND c.closing_method IN {DECIDED}",
    ),
    (
        "sentencing_adoption_rate",
        _("Sentencing recommendations adopted"),
        "c.procedure = 'prosecution' AND f.sentencing_recommended AND f.sentencing_adopted",
        "c.procedure = 'prosecution' AND f.sentencing_recommended AND f.sentencing_adopted IS NOT NULL",
    ),
    (
        "supplementary_return_rate",
        _("Supplementary investigation return rate"),
        "c.procedure = 'prosecution' AND EXISTS (SELECT 1 FROM cases_action a WHERE a.case_id = c.id "
        "AND a.action_type = 'returned_for_supplementary_investigation')",
        "c.procedure = 'prosecution'",
    ),
]
METRICS = tuple(metric for metric, *_ in INDICATORS)
PROCEDURES = "('arrest_review', 'prosecution')"


def _sql(level: str, limited: bool, windows: int) -> str:
    subject, org, joins = subject_sql(level, "c")
    where = f"AND {subject_filter_sql(level, 'c')}" if limited else ""
    duration = f"({days_between('c.closed_on', 'c.filed_on')} - c.excluded_days)"
    columns = []
    for i in range(windows):
        closed = f"c.closed_on >= %(start_{i})s AND c.closed_on <= %(end_{i})s"
        for _metric, _label, numerator, denominator in INDICATORS:
            columns.append(f"SUM(CASE WHEN {closed} AND {numerator.format(duration=duration)} THEN 1 ELSE 0 END)")
            columns.append(f"SUM(CASE WHEN {closed} AND {denominator} THEN 1 ELSE 0 END)")
    # fixed text of this module and the kernel's subject SQL only; every value is a parameter
    return f"""
SELECT {subject} AS subject, MIN({org}) AS org_id, {", ".join(columns)}
FROM cases_case c {joins}
LEFT JOIN procuratorate_prosecutionfacts f ON f.case_id = c.id
WHERE c.procedure IN {PROCEDURES} AND c.closed_on >= %(first)s AND c.closed_on <= %(last)s {where}
GROUP BY {subject}
"""  # noqa: S608


def rows(level: str, windows: list[Window], params: dict[str, Any], limited: bool) -> Iterator[Row]:
    width = 2 * len(INDICATORS)
    for row in fetch(_sql(level, limited, len(windows)), params):
        subject, org_id = row[0], row[1]
        for i, window in enumerate(windows):
            values = row[2 + i * width : 2 + (i + 1) * width]
            for index, metric in enumerate(METRICS):
                numerator, denominator = values[2 * index], values[2 * index + 1]
                if denominator:
                    yield make_row(window, level, subject, org_id, metric, numerator, denominator)


PROVIDER = MetricProvider(
    name="procuratorate",
    labels={metric: label for metric, label, _n, _d in INDICATORS},
    kinds=dict.fromkeys(METRICS, "rate"),
    rows=rows,
    shown_for=frozenset({"procuratorate"}),
)
