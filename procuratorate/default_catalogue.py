"""The prosecutors' defect catalogue (检察官办案瑕疵累计积分: review of arrest and prosecution decisions, 量刑建议, 法律文书,
羁押必要性, 认罪认罚 procedures, evidence review, time limits, the case file). Installed by this app's migration 0003,
edited in the admin afterwards. Its items apply to a procuratorate's cases only (``DefectItem.organisation_kinds``);
the shipped court items, written for judges (裁判文书, 庭审, 合议), are marked as a court's in the same migration, each
change a new revision of the item. The procuratorate's point thresholds are its own rows (``PointThreshold.
organisation_kind``), installed by migration 0005 with the courts' figures (12 / 24 / 36 a year, 30 on one case):
the SPP publishes no national figures, local rules differ, and each procuratorate sets its own in the admin without
touching a court's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

CRIMINAL = ["criminal"]
# (code, aspect, description, points, case types)
# fmt: off
ITEMS = [
    ("JC-01", "facts_law", "批准逮捕或者不批准逮捕决定错误", "4", CRIMINAL),
    ("JC-02", "facts_law", "起诉或者不起诉决定错误", "4", CRIMINAL),
    ("JC-03", "facts_law", "证据审查不全面，遗漏证据或者采信应当排除的非法证据", "3", CRIMINAL),
    ("JC-04", "facts_law", "量刑建议明显不当，未被采纳且无正当理由", "2", CRIMINAL),
    ("JC-05", "procedure", "适用认罪认罚从宽制度未依法告知权利、听取意见，或者认罪认罚具结书不规范", "2", CRIMINAL),
    ("JC-06", "procedure", "未依法开展羁押必要性审查", "3", CRIMINAL),
    ("JC-07", "procedure", "退回补充侦查未列明补充侦查提纲，或者超过二次", "3", CRIMINAL),
    ("JC-08", "procedure", "应当报请检察长决定的事项由检察官自行决定", "4", []),
    ("JC-09", "documents", "起诉书、不起诉决定书等检察法律文书认定事实、适用法律表述错误", "3", []),
    ("JC-10", "documents", "检察法律文书文字、格式错误", "1", []),
    ("JC-11", "time_limits", "超过审查逮捕、审查起诉期限办结", "3", CRIMINAL),
    ("JC-12", "time_limits", "羁押期限届满未依法变更强制措施（超期羁押）", "4", CRIMINAL),
    ("JC-13", "paperwork", "检察卷宗材料缺失，或者检察长书面决定未入卷", "2", []),
    ("JC-14", "service", "检察法律文书未依法送达", "1", []),
]
# fmt: on
PROCURATORATE = ["procuratorate"]
COURT = ["court"]


def install(item_model: Any) -> int:
    """Create the prosecutors' items not there yet; mark the court's shipped items (no kind yet) as a court's.
    Idempotent."""
    created = 0
    existing = set(item_model.objects.values_list("code", flat=True))
    for code, aspect, description, points, case_types in ITEMS:
        if code in existing:
            continue
        item_model.objects.create(
            code=code,
            aspect=aspect,
            description=description,
            points=points,
            case_types=list(case_types),
            organisation_kinds=PROCURATORATE,
            revision=1,
            is_active=True,
        )
        created += 1
    codes = [row[0] for row in ITEMS]
    for item in item_model.objects.exclude(code__in=codes).filter(organisation_kinds=[]):
        item.organisation_kinds = COURT
        item.revision += 1
        item.save(update_fields=["organisation_kinds", "revision"])
    return created


#: (points, basis, consequence): the procuratorate's own thresholds, starting at the courts' figures
THRESHOLDS = [
    ("12", "year", "reminder"),
    ("24", "year", "training_recall"),
    ("36", "year", "discipline_lead"),
    ("30", "case", "discipline_lead"),
]


def install_thresholds(threshold_model: Any) -> int:
    """The procuratorate's point thresholds not there yet."""
    created = 0
    for points, basis, consequence in THRESHOLDS:
        _threshold, made = threshold_model.objects.get_or_create(
            points=Decimal(points), basis=basis, consequence=consequence, organisation_kind="procuratorate"
        )
        created += made
    return created
