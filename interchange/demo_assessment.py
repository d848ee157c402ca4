"""The demo's performance assessments (业绩考核): every organisation's last whole quarter and its running quarter and
year, computed as the nightly job computes them. At 黄浦区法院 chief1 has proposed the last quarter's grades of 民一庭
and president1 has signed them (judge1 may still contest; another judge has contested, awaiting a decision); at
黄浦区检察院 prohead1 has proposed 第一检察部's and procurator1 has signed them. The running quarter is open.

The demo has far fewer cases than a real court, so before computing it revises each kind's schemes (version 2, as
an organisation changes its scheme) with a workload norm fitted to the demo: the median officer's weighted cases
closed in the last quarter, times four; a leader's a third of it."""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import Decimal

from django.utils import timezone

from accountability.models import Officer, Organisation
from assessment import services
from assessment.models import Assessment, Scheme, Status
from assessment.scoring import Period
from evaluation.models import MetricResult


def _propose_and_sign(organisation: str, proposer: str, signer: str, period: Period) -> list[Assessment]:
    chief = Officer.objects.get(user__username=proposer)
    head = Officer.objects.get(user__username=signer)
    signed = []
    for assessment in Assessment.objects.filter(
        organisation__code=organisation,
        department_id=chief.department_id,
        period_kind=period.kind,
        period_start=period.start,
        status=Status.COMPUTED,
        scheme__role="officer",
    ).order_by("officer__officer_id"):
        services.assessment_propose(actor=chief, assessment=assessment, note="按考核方案计算结果提出")
        signed.append(services.assessment_sign(actor=head, assessment=assessment))
    return signed


def _fit_norms(last: Period) -> None:
    """Version 2 of each scheme with the demo's workload norm (see the module's note), from the last quarter's
    stored metrics (the computation of that quarter stored them)."""
    for kind in ("court", "procuratorate"):
        values = MetricResult.objects.filter(
            level="officer",
            metric="weighted_closed",
            window_from=last.start,
            window_to=last.end,
            organisation__kind=kind,
            subject__in=Officer.objects.filter(post="none", is_quota=True).values("officer_id"),
        ).values_list("value", flat=True)
        values = [4 * v for v in values if v]  # a quarter's, as a year's
        if not values:
            continue
        median = max(Decimal(1), Decimal(statistics.median(values)).quantize(Decimal(1)))
        for scheme in Scheme.objects.filter(organisation_kind=kind, is_active=True):
            norm = median if scheme.role == "officer" else max(Decimal(1), (median / 3).quantize(Decimal(1)))
            components = scheme.components
            for component in components:
                for indicator in component["indicators"]:
                    if indicator["code"] == "weighted_closed":
                        indicator["norm"] = str(norm)
            services.scheme_revise(
                scheme=scheme,
                changes={"components": components, "note": f"演示数据：岗位定额按演示案件量设为{norm}件（年）"},
            )


def load(today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    running = Period.containing("quarter", yesterday)
    last = Period.containing("quarter", running.start - dt.timedelta(days=1))
    for organisation in Organisation.objects.order_by("path"):
        services.assessments_compute(organisation=organisation, period=last)
    _fit_norms(last)
    written = 0
    for organisation in Organisation.objects.order_by("path"):
        written += services.assessments_compute(organisation=organisation, period=last)
        written += services.assessments_compute(organisation=organisation, period=running, through=yesterday)
        written += services.assessments_compute(
            organisation=organisation, period=Period.containing("year", yesterday), through=yesterday
        )
    court = _propose_and_sign("SH0101", "chief1", "president1", last)
    _propose_and_sign("SHJ0101", "prohead1", "procurator1", last)
    colleague = next((a for a in court if a.officer.user.username != "judge1"), None)
    if colleague is not None:
        services.assessment_contest(
            actor=colleague.officer, assessment=colleague, reasons="本季度参加专项工作，办案定额应按在岗天数折算。"
        )
    return written
