"""An independent, literal Python reading of INTERCHANGE.md's metric table, for checking the SQL.

Deliberately naive: loops over plain dicts, one formula per metric, no shared code with
``evaluation.metrics``. Rows follow the same emission rule: count metrics for every subject that has
a case at that level; other metrics when numerator or denominator is non-zero.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _subject(case: dict[str, Any], level: str) -> str | None:
    if level == "officer":
        return case["lead_officer_id"]
    if level == "department":
        return f"{case['organisation_code']}/{case['department_code']}" if case["department_code"] else None
    return case["organisation_code"]


def _weight(case: dict[str, Any], weights: list[dict[str, Any]]) -> Fraction:
    best = None
    best_rank = -1
    for w in weights:
        if w["case_type"] != case["case_type"]:
            continue
        if w["procedure"] and w["procedure"] != case["procedure"]:
            continue
        if w["cause"] and w["cause"] != (case["cause"] or ""):
            continue
        rank = {(True, True): 3, (True, False): 2, (False, True): 1, (False, False): 0}[
            (bool(w["procedure"]), bool(w["cause"]))
        ]
        if rank > best_rank:
            best, best_rank = Fraction(str(w["weight"])), rank
    return best if best is not None else Fraction(1)


def reference(
    *,
    cases: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    officers: list[dict[str, Any]],
    weights: list[dict[str, Any]],
    start: dt.date,
    end: dt.date,
) -> dict[tuple[str, str, str], tuple[Fraction, Fraction, Fraction | None]]:
    by_number = {c["case_number"]: c for c in cases}

    def filed_in(c):
        return start <= c["filed_on"] <= end

    def closed_in(c):
        return c["closed_on"] is not None and start <= c["closed_on"] <= end

    def pending_at(c, day):
        return c["filed_on"] <= day and (c["closed_on"] is None or c["closed_on"] > day)

    def duration(c):
        return (c["closed_on"] - c["filed_on"]).days - c["excluded_days"]

    def root(c):
        seen = 0
        while c["original_case_number"] is not None:
            c = by_number[c["original_case_number"]]
            seen += 1
            assert seen < 100
        return c

    out: dict[tuple[str, str, str], tuple[Fraction, Fraction, Fraction | None]] = {}

    def put(level, subject, metric, num, den, always=False):
        num, den = Fraction(num), Fraction(den)
        if always or num != 0 or den != 0:
            out[(level, subject, metric)] = (num, den, None if den == 0 else num / den)

    for level in ("officer", "department", "organisation"):
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for c in cases:
            s = _subject(c, level)
            if s is not None:
                groups[s].append(c)
        for s, mine in groups.items():
            filed = [c for c in mine if filed_in(c)]
            closed = [c for c in mine if closed_in(c)]
            pending_end = [c for c in mine if pending_at(c, end)]
            pending_before = [c for c in mine if pending_at(c, start - dt.timedelta(days=1))]
            limited = [c for c in closed if c["time_limit_days"] > 0]
            appealable = [
                c
                for c in closed
                if c["procedure"] == "first_instance" and c["closing_method"] in ("judgment", "ruling")
            ]
            appealed = [
                c
                for c in appealable
                if any(
                    a["procedure"] == "second_instance"
                    and a["original_case_number"] == c["case_number"]
                    and a["filed_on"] <= end
                    for a in cases
                )
            ]
            enforcement = [c for c in closed if c["procedure"] == "enforcement"]
            put(level, s, "filed_count", len(filed), 1, True)
            put(level, s, "closed_count", len(closed), 1, True)
            put(level, s, "pending_count", len(pending_end), 1, True)
            put(level, s, "clearance_ratio", len(closed), len(filed))
            put(level, s, "closure_rate", len(closed), len(pending_before) + len(filed))
            put(
                level,
                s,
                "within_limit_rate",
                sum(1 for c in limited if duration(c) <= c["time_limit_days"] + c["extension_days"]),
                len(limited),
            )
            put(level, s, "avg_duration_days", sum(duration(c) for c in closed), len(closed))
            put(level, s, "extension_rate", sum(1 for c in closed if c["extension_days"] > 0), len(closed))
            put(
                level,
                s,
                "pending_over_12m_ratio",
                sum(1 for c in pending_end if (end - c["filed_on"]).days > 365),
                len(pending_end),
            )
            put(level, s, "appeal_rate", len(appealed), len(appealable))
            put(level, s, "acceptance_rate", len(appealable) - len(appealed), len(appealable))
            put(
                level,
                s,
                "enforcement_recovery_rate",
                sum(Fraction(str(c["recovered_amount"] or 0)) for c in enforcement),
                sum(Fraction(str(c["awarded_amount"] or 0)) for c in enforcement),
            )
            put(level, s, "weighted_closed", sum((_weight(c, weights) for c in closed), Fraction(0)), 1, True)

        for procedure, metric in (
            ("second_instance", "appeal_amended_remanded_ratio"),
            ("retrial", "retrial_amended_remanded_ratio"),
        ):
            tallies: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for c in cases:
                if c["procedure"] != procedure or not closed_in(c) or c["original_case_number"] is None:
                    continue
                s = _subject(by_number[c["original_case_number"]], level)
                if s is None:
                    continue
                tallies[s][1] += 1
                tallies[s][0] += c["outcome"] in ("amended", "remanded")
            for s, (num, den) in tallies.items():
                put(level, s, metric, num, den)

        proceeding: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for c in cases:
            if filed_in(c):
                s = _subject(root(c), level)
                if s is not None:
                    proceeding[s][0] += 1
                    if c["procedure"] == "first_instance" and c["original_case_number"] is None:
                        proceeding[s][1] += 1
        for a in actions:
            day = a["occurred_at"].astimezone(SHANGHAI).date()
            if (
                a["action_type"] in ("extension_approved", "returned_for_supplementary_investigation")
                and start <= day <= end
            ):
                s = _subject(root(by_number[a["case_number"]]), level)
                if s is not None:
                    proceeding[s][0] += 1
        for s, (num, den) in proceeding.items():
            put(level, s, "case_proceeding_ratio", num, den)

    closed_by = defaultdict(int)
    for c in cases:
        if closed_in(c) and c["lead_officer_id"]:
            closed_by[c["lead_officer_id"]] += 1
    for o in officers:
        if o["post"] == "none" or not o["is_quota"]:
            continue
        if o["post"] == "division_chief":
            peers = [
                p
                for p in officers
                if p["post"] == "none"
                and p["is_quota"]
                and p["department_code"] == o["department_code"]
                and p["organisation_code"] == o["organisation_code"]
                and o["department_code"]
            ]
        else:
            peers = [
                p
                for p in officers
                if p["post"] == "none" and p["is_quota"] and p["organisation_code"] == o["organisation_code"]
            ]
        num = Fraction(closed_by[o["officer_id"]])
        if not peers:
            out[("officer", o["officer_id"], "leader_caseload_ratio")] = (num, Fraction(0), None)
            continue
        mean = Fraction(sum(closed_by[p["officer_id"]] for p in peers), len(peers))
        out[("officer", o["officer_id"], "leader_caseload_ratio")] = (num, mean, None if mean == 0 else num / mean)
    return out
