"""Similar-case search (类案检索): segmentation, the search index, the search itself, search reports, and
the situations where a report is a condition of signing the ruling (DOMAIN.md §6).

* Text is segmented by jieba with the legal-terms dictionary shipped in ``similar/data/legal_terms.txt``.
  Documents are indexed in search mode (whole terms and their parts), queries in precise mode.
* Documents are decided cases of a court and reference cases (guiding, SPC typical, provincial). A judge
  searches the reference cases valid for their court, and the rulings of their court and the courts above it.
* On PostgreSQL, a generated ``tsvector`` over the tokens (``cases/0012``), and an inverted index of its words
  (``similar_posting``, ``similar/0005``: (word, court, document) → the word's frequency, kept by a trigger as
  documents are written), from which a scoped search ranks reading only its words' postings in its courts; on
  SQLite (the laptop default) the same filters with a token match and a ranking computed here.
* Results come in the SPC's order (法发〔2020〕24号): source level, then the last three years first, then
  relevance; or by relevance alone. Every term must match; when none does, any term may, and the result
  says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability import outbox
from accountability.choices import ActionType
from accountability.errors import ValidationFailed
from accountability.models import Officer
from accountability.notifications import notify
from accountability.powers import power_decide
from cases import events as case_events
from cases.choices import ActionSource
from cases.models import Case
from cases.services import case_lock_for_update, trace_append
from similar.choices import SearchBearing, SourceLevel
from similar.models import (
    Deviation,
    DeviationRule,
    ReferenceCase,
    SearchDocument,
    SearchReport,
    SearchReportItem,
    SimilarPush,
    TermStatistic,
)
from similar.selectors import (
    SearchFilters,
    documents_for_report,
    rank,
    scope_of,
    scoped_to_court,
    validate_query,
)
from similar.text import case_text, document_tokens, has_text, push_text, query_analysis, reference_text

# --- the index's statistics (BM25) ----------------------------------------------------------------------

STATISTICS_UPSERT = (
    "INSERT INTO similar_termstatistic (term, documents, occurrences) VALUES {rows} ON CONFLICT (term) DO UPDATE "
    "SET documents = similar_termstatistic.documents + excluded.documents, "
    "occurrences = similar_termstatistic.occurrences + excluded.occurrences"
)


def statistics_change(*, added: Iterable[str] = (), removed: Iterable[str] = ()) -> None:
    """Count documents' tokens in (``added``) and out (``removed``) of the statistics, in the caller's
    transaction. Words are written in sorted order, so two indexing transactions never deadlock on them."""
    documents: Counter[str] = Counter()
    occurrences: Counter[str] = Counter()
    for sign, texts in ((1, added), (-1, removed)):
        for tokens in texts:
            words = tokens.split()
            occurrences[""] += sign * len(words)
            documents[""] += sign
            for word, n in Counter(words).items():
                documents[word] += sign
                occurrences[word] += sign * n
    changed = sorted(w for w in documents if documents[w] or occurrences[w])
    if not changed:
        return
    connection = connections[router.db_for_write(TermStatistic)]
    with connection.cursor() as cursor:
        for start in range(0, len(changed), 1000):
            words = changed[start : start + 1000]
            cursor.execute(
                STATISTICS_UPSERT.format(rows=", ".join(["(%s, %s, %s)"] * len(words))),
                [v for w in words for v in (w, documents[w], occurrences[w])],
            )
    TermStatistic.objects.filter(term__in=changed, documents__lte=0).exclude(term="").delete()


def statistics_rebuild() -> int:
    """Count the statistics anew from every document (after ``reindex_all``; also the repair if they drift).
    Returns the number of words."""
    with transaction.atomic():
        TermStatistic.objects.all().delete()
        batch: list[str] = []
        for tokens in SearchDocument.objects.values_list("tokens", flat=True).iterator(chunk_size=2000):
            batch.append(tokens)
            if len(batch) >= 2000:
                statistics_change(added=batch)
                batch = []
        statistics_change(added=batch)
    return TermStatistic.objects.exclude(term="").count()


def _document_length(tokens: str) -> int:
    return len(tokens.split())


def index_cases(case_ids: Iterable[int], *, chunk_size: int = 1000, push: bool = True) -> int:
    """(Re)index these cases: a decided case with text is searchable; any other loses its document. With
    ``push``, a case whose text changed since its 类案推送 was computed has it recomputed in the background.
    Returns how many documents were written."""
    ids = list(case_ids)
    written = 0
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        cases = list(
            Case.objects.filter(pk__in=chunk).only(
                "pk",
                "organisation_id",
                "closed_on",
                "case_type",
                "cause",
                "facts_summary",
                "disputed_points",
                "ruling_summary",
            )
        )
        searchable = [c for c in cases if c.closed_on is not None and has_text(c)]
        documents = [
            SearchDocument(
                case=c,
                organisation_id=c.organisation_id,
                decided_on=c.closed_on,
                case_type=c.case_type,
                cause=c.cause,
                tokens=(tokens := document_tokens(case_text(c))),
                length=_document_length(tokens),
            )
            for c in searchable
        ]
        with transaction.atomic():
            old = SearchDocument.objects.select_for_update().filter(case_id__in=chunk)
            removed = list(old.values_list("tokens", flat=True))
            SearchDocument.objects.filter(case_id__in=chunk).delete()
            SearchDocument.objects.bulk_create(documents, batch_size=chunk_size)
            statistics_change(added=[d.tokens for d in documents], removed=removed)
            if push:
                push_request(cases)
        written += len(searchable)
    return written


def index_reference(reference: ReferenceCase) -> SearchDocument:
    tokens = document_tokens(reference_text(reference))
    with transaction.atomic():
        removed = list(
            SearchDocument.objects.select_for_update().filter(reference=reference).values_list("tokens", flat=True)
        )
        document, _created = SearchDocument.objects.update_or_create(
            reference=reference,
            defaults={
                "organisation_id": reference.issued_by_id if reference.level == SourceLevel.PROVINCIAL else None,
                "level": reference.level,
                "decided_on": reference.decided_on,
                "case_type": reference.case_type,
                "cause": reference.cause,
                "tokens": tokens,
                "length": _document_length(tokens),
            },
        )
        statistics_change(added=[tokens], removed=removed)
    return document


def reindex_all(*, progress: Any = None, chunk_size: int = 2000) -> dict[str, int]:
    """Rebuild every document (after the dictionary changes): references, then decided cases with text."""
    references = 0
    for reference in ReferenceCase.objects.all().iterator():
        index_reference(reference)
        references += 1
    text = Q(facts_summary__gt="") | Q(disputed_points__gt="") | Q(ruling_summary__gt="")
    searchable = Case.objects.filter(text, closed_on__isnull=False)
    SearchDocument.objects.filter(case__isnull=False).exclude(case__in=searchable).delete()  # no longer searchable
    ids = list(searchable.order_by("pk").values_list("pk", flat=True))
    cases = 0
    for start in range(0, len(ids), chunk_size):
        cases += index_cases(ids[start : start + chunk_size], chunk_size=chunk_size, push=False)
        if progress:
            progress(min(start + chunk_size, len(ids)), len(ids))
    statistics_rebuild()  # the stale documents dropped above, and any drift: counted anew
    return {"references": references, "cases": cases}


#: The documents in court order: a scoped search reads a court's documents from a few pages instead of one row on
#: each of thousands (PostgreSQL's CLUSTER, on the organisation's btree index; it holds an exclusive lock while it
#: rewrites the table, so it runs after a reindex, off hours, not on every write).
CLUSTER_INDEX = """
SELECT indexname FROM pg_indexes
WHERE tablename = 'cases_searchdocument' AND indexdef LIKE '%%USING btree (organisation_id)'
ORDER BY indexname LIMIT 1
"""


def cluster_documents() -> bool:
    """Rewrite the documents table in court order (PostgreSQL only; False elsewhere, or without the index)."""
    connection = connections[router.db_for_write(SearchDocument)]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(CLUSTER_INDEX)
        found = cursor.fetchone()
        if found is None:
            return False
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # CLUSTER refuses a table with checks still deferred
        cursor.execute(f'CLUSTER cases_searchdocument USING "{found[0]}"')  # a name read from the catalogue
        cursor.execute("ANALYZE cases_searchdocument")
    return True


# --- 类案推送 --------------------------------------------------------------------------------------------

PUSH_SIZE = 10
PUSH_TASK = "similar.push_cases"


def _push_hash(case: Case) -> str:
    return hashlib.sha256(push_text(case).encode("utf-8")).hexdigest()


def push_request(cases: Sequence[Case]) -> list[int]:
    """Ask (through the outbox, in the caller's transaction) for the push of those cases whose text changed since
    it was computed; one task for them all. Returns their ids. A pending case is pushed to its judge; a decided
    one only while a 偏离预警 rule is active (the task then compares it), so that importing years of decided
    cases does not compute a push for each."""
    compare_decided = active_deviation_rule() is not None
    with_text = {c.pk: _push_hash(c) for c in cases if has_text(c) and (c.closed_on is None or compare_decided)}
    stored = dict(SimilarPush.objects.filter(case_id__in=list(with_text)).values_list("case_id", "text_hash"))
    changed = sorted(pk for pk, digest in with_text.items() if stored.get(pk) != digest)
    if changed:
        outbox.enqueue(PUSH_TASK, changed)
    return changed


def push_compute(case_ids: Iterable[int], *, today: dt.date | None = None) -> int:
    """Compute 类案推送 for these cases (the task): the ``PUSH_SIZE`` documents most similar to each case's whole
    text, among those its court may search, the case's own document left out. Idempotent: a case whose text is
    unchanged since its push was computed is skipped. Returns how many were computed."""
    today = today or timezone.localdate()
    computed = 0
    fields = ("pk", "organisation", "cause", "facts_summary", "disputed_points", "ruling_summary")
    for case in Case.objects.filter(pk__in=list(case_ids)).select_related("organisation").only(*fields):
        digest = _push_hash(case)
        if not has_text(case) or SimilarPush.objects.filter(case=case, text_hash=digest).exists():
            continue
        documents = scoped_to_court(case.organisation, SearchFilters(), today)
        # a decided case's own document is left out (the documents are then joined to the scored postings); a
        # pending case has none, and the scope's postings alone rank
        own = SearchDocument.objects.filter(case_id=case.pk).exists()
        if own:
            documents = documents.exclude(case_id=case.pk)
        scope = replace(scope_of(case.organisation), narrowed=own)
        rows, _groups = rank(documents, query_analysis(push_text(case)), limit=PUSH_SIZE, scope=scope)
        SimilarPush.objects.update_or_create(
            case=case,
            defaults={
                "text_hash": digest,
                "hits": [{"document": row.pk, "score": round(float(row.score), 4)} for row in rows],
                "computed_at": timezone.now(),
            },
        )
        computed += 1
    return computed


# --- 偏离预警 -------------------------------------------------------------------------------------------

DETECT_TASK = "supervision.detect_case"  # supervision's rules raise the alert (situation RP-SIM)


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` (0–100) percentile of the values, interpolated linearly between ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * share / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def outcome(case: Case, metric: str) -> float | None:
    """The outcome a rule compares, or None when the case has none."""
    if case.awarded_amount is None:
        return None
    if metric == DeviationRule.Metric.AWARDED_SHARE:
        if not case.claim_amount:
            return None
        return float(case.awarded_amount / case.claim_amount)
    return float(case.awarded_amount)


@dataclass(frozen=True)
class Comparison:
    value: float
    low: float
    high: float
    neighbours: int

    @property
    def outside(self) -> bool:
        return not (self.low <= self.value <= self.high)


def compare(case: Case, rule: DeviationRule, *, today: dt.date | None = None) -> Comparison | None:
    """The case's outcome against its ``rule.neighbours`` most similar decided cases of the same type that the
    court may search and that have the outcome; None when the case has no outcome or fewer than ``minimum``."""
    value = outcome(case, rule.metric)
    if value is None or not has_text(case):
        return None
    documents = (
        scoped_to_court(case.organisation, SearchFilters(), today or timezone.localdate())
        .filter(case__isnull=False, case__awarded_amount__isnull=False, case_type=case.case_type)
        .exclude(case_id=case.pk)
    )
    if rule.metric == DeviationRule.Metric.AWARDED_SHARE:
        documents = documents.filter(case__claim_amount__gt=0)
    scope = replace(scope_of(case.organisation), narrowed=True)  # only decided cases with the outcome
    rows, _groups = rank(documents, query_analysis(push_text(case)), limit=rule.neighbours, scope=scope)
    values = [v for v in (outcome(row.case, rule.metric) for row in rows) if v is not None]
    if len(values) < rule.minimum:
        return None
    return Comparison(
        value=value,
        low=percentile(values, rule.low_percentile),
        high=percentile(values, rule.high_percentile),
        neighbours=len(values),
    )


def active_deviation_rule() -> DeviationRule | None:
    return DeviationRule.objects.filter(is_active=True).order_by("code").first()


def deviation_compute(case_ids: Iterable[int], *, today: dt.date | None = None) -> int:
    """Compare the decided cases among these under the active rule (the task, after the push). A case newly
    outside its similar cases: the judge is told, and supervision's rules are asked to look at the case (the
    automatic situation RP-SIM raises the risk alert to the division chief). Returns how many are outside."""
    rule = active_deviation_rule()
    if rule is None:
        return 0
    outside = 0
    cases = Case.objects.filter(pk__in=list(case_ids), closed_on__isnull=False).select_related("organisation")
    for case in cases:
        found = compare(case, rule, today=today)
        before = Deviation.objects.filter(case=case, outside=True).exists()
        if found is None:
            Deviation.objects.filter(case=case).delete()
            continue
        with transaction.atomic():
            Deviation.objects.update_or_create(
                case=case,
                defaults={
                    "rule": rule,
                    "value": found.value,
                    "low": found.low,
                    "high": found.high,
                    "neighbours": found.neighbours,
                    "outside": found.outside,
                    "computed_at": timezone.now(),
                },
            )
            if found.outside and not before:
                outside += 1
                if case.lead_officer_id is not None:
                    notify(
                        officers=Officer.objects.filter(pk=case.lead_officer_id),
                        message=_(
                            "The ruling of case %(case)s lies outside its %(n)d most similar cases "
                            "(%(value).2f against %(low).2f–%(high).2f): %(rule)s"
                        )
                        % {
                            "case": case.case_number,
                            "n": found.neighbours,
                            "value": found.value,
                            "low": found.low,
                            "high": found.high,
                            "rule": rule.title,
                        },
                        link=reverse("cases:detail", kwargs={"public_id": case.public_id}),
                    )
                outbox.enqueue(DETECT_TASK, case.pk)
    return outside


def deviation_rule_activate(*, rule: DeviationRule, active: bool = True) -> DeviationRule:
    """Switch a deviation rule on (after its simulation) or off."""
    rule.is_active = active
    rule.full_clean()
    rule.save(update_fields=["is_active", "updated_at"])
    return rule


def deviation_simulate(rule: DeviationRule, *, limit: int = 500, today: dt.date | None = None) -> dict[str, Any]:
    """What the rule would do if it were active, on the ``limit`` most recently decided cases with the outcome:
    how many could be judged (enough similar cases), how many would be outside, and which. Writes nothing."""
    recent = (
        Case.objects.filter(closed_on__isnull=False, awarded_amount__isnull=False)
        .select_related("organisation")
        .order_by("-closed_on", "-pk")[:limit]
    )
    judged, flagged = 0, []
    for case in recent:
        found = compare(case, rule, today=today)
        if found is None:
            continue
        judged += 1
        if found.outside:
            flagged.append(
                {
                    "case_number": case.case_number,
                    "value": round(found.value, 4),
                    "low": round(found.low, 4),
                    "high": round(found.high, 4),
                    "neighbours": found.neighbours,
                }
            )
    return {"examined": len(recent), "judged": judged, "outside": len(flagged), "cases": flagged}


def reference_save(*, reference: ReferenceCase) -> ReferenceCase:
    """Validate and save a reference case, and index it (the admin and the import use this)."""
    reference.full_clean()
    with transaction.atomic():
        reference.save()
        index_reference(reference)
    return reference


# --- search ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportItem:
    document_id: int
    bearing: str
    note: str


def report_attach(
    *,
    actor: Officer,
    case: Case,
    query: str,
    filters: SearchFilters | None = None,
    items: Sequence[ReportItem],
    conclusion: str,
    source: str = ActionSource.WEB,
) -> SearchReport:
    """Attach a similar-case search report to the case: checked against the power list (the search is the
    ``similar_case_search`` action), each cited result re-read through the searcher's scope, all in the trace."""
    filters = filters or SearchFilters()
    errors: dict[str, list[str]] = {}
    try:
        query = validate_query(query)
    except ValidationFailed as exc:
        errors.update(exc.details)
    conclusion = (conclusion or "").strip()
    if not conclusion:
        errors["conclusion"] = [_("State the conclusion of the search: how the similar cases bear on this case.")]
    elif len(conclusion) > 10000:
        errors["conclusion"] = [_("The conclusion is too long (at most 10,000 characters).")]
    if not items:
        errors["items"] = [_("Choose at least one result and say how it bears on the case.")]
    seen: set[int] = set()
    for index, item in enumerate(items):
        if item.document_id in seen:
            errors.setdefault("items", []).append(_("Result %(n)d is chosen twice.") % {"n": index + 1})
        seen.add(item.document_id)
        if item.bearing not in SearchBearing.values:
            errors.setdefault("items", []).append(
                _("Result %(n)d: choose how it bears on the case.") % {"n": index + 1}
            )
        if not (item.note or "").strip():
            errors.setdefault("items", []).append(_("Result %(n)d: note how it bears on the case.") % {"n": index + 1})
        elif len(item.note) > 2000:
            errors.setdefault("items", []).append(_("Result %(n)d: the note is too long.") % {"n": index + 1})
    hits = documents_for_report(officer=actor, document_ids=[i.document_id for i in items])
    missing = [i.document_id for i in items if i.document_id not in hits]
    if missing:
        errors.setdefault("items", []).append(
            _("Some chosen results are not searchable by you: %(ids)s") % {"ids": ", ".join(map(str, missing))}
        )
    if errors:
        raise ValidationFailed(_("The search report is incomplete."), details=errors)
    with transaction.atomic():
        case = case_lock_for_update(case, expected_version=None)
        decision = power_decide(officer=actor, action_type=ActionType.SIMILAR_CASE_SEARCH, case=case)
        decision.raise_if_denied()
        action = trace_append(
            case=case,
            action_type=ActionType.SIMILAR_CASE_SEARCH,
            actor=actor,
            source=source,
            note=_("Similar-case search report: %(query)s — %(conclusion)s")
            % {"query": query, "conclusion": conclusion[:500]},
            payload={
                "query": query,
                "filters": filters.as_dict(),
                "conclusion": conclusion,
                "items": [
                    {
                        "source": hits[i.document_id].level,
                        "case": hits[i.document_id].label,
                        "bearing": i.bearing,
                        "note": i.note.strip(),
                    }
                    for i in items
                ],
            },
            decision=decision,
        )
        report = SearchReport.objects.create(
            case=case, author=actor, query=query, filters=filters.as_dict(), conclusion=conclusion, action=action
        )
        SearchReportItem.objects.bulk_create(
            [
                SearchReportItem(
                    report=report,
                    position=position,
                    source_case_id=hits[i.document_id].case_id,
                    reference_id=hits[i.document_id].reference_id,
                    level=hits[i.document_id].level,
                    label=f"{hits[i.document_id].label} {hits[i.document_id].title}"[:300],
                    bearing=i.bearing,
                    note=i.note.strip(),
                )
                for position, i in enumerate(items, start=1)
            ]
        )
        case_events.action_recorded.send(sender=Case, case=case, action=action)
    return report
