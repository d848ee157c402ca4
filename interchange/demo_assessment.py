"""The demo's performance assessments (业绩考核): every organisation's last whole quarter and its running quarter and
year, computed as the nightly job computes them. At 黄浦区法院 chief1 has proposed the last quarter's grades of 民一庭
and president1 has signed them (judge1 may still contest; another judge has contested, awaiting a decision); at
黄浦区检察院 prohead1 has proposed 第一检察部's and procurator1 has signed them. The running quarter is open."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accountability.models import Officer, Organisation
from assessment import services
from assessment.models import Assessment, Status
from assessment.scoring import Period


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


def load(today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    running = Period.containing("quarter", yesterday)
    last = Period.containing("quarter", running.start - dt.timedelta(days=1))
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
