"""Similar-case search (类案检索): segmentation, the search index, the search itself, search reports, and
the situations where a report is a condition of signing the ruling (DOMAIN.md §6).

* Text is segmented by jieba with the legal-terms dictionary shipped in ``similar/data/legal_terms.txt``.
  Documents are indexed in search mode (whole terms and their parts), queries in precise mode.
* Documents are decided cases of a court and reference cases (guiding, SPC typical, provincial). A judge
  searches the reference cases valid for their court, and the rulings of their court and the courts above it.
* On PostgreSQL, a generated ``tsvector`` over the tokens with a GIN index (``cases/0012``) finds and ranks;
  on SQLite (the laptop default) the same filters with a token match and a ranking computed here.
* Results come in the SPC's order (法发〔2020〕24号): source level, then the last three years first, then
  relevance; or by relevance alone. Every term must match; when none does, any term may, and the result
  says so.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.db import connections, router, transaction
from django.db.models import BooleanField, Exists, F, FloatField, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models import Case as CaseWhen
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import ActionType
from accountability.errors import NotFound, ValidationFailed
from accountability.models import Officer, Organisation
from accountability.powers import power_decide
from cases import events as case_events
from cases.choices import ActionSource
from cases.models import Case
from cases.selectors import case_get_for_user
from cases.services import case_lock_for_update, trace_append
from similar.choices import SearchBearing, SourceLevel
from similar.models import ReferenceCase, SearchDocument, SearchReport, SearchReportItem
from supervision.choices import OPEN_FLAG_STATUSES, TaskKind
from supervision.models import Flag, Referral, SupervisionTask

DATA = Path(__file__).resolve().parent / "data"
DICTIONARY = DATA / "legal_terms.txt"
SYNONYMS = DATA / "legal_synonyms.txt"
#: The sample reference cases the demo loads (guiding and typical cases written for the demo).
SAMPLE_REFERENCES = DATA / "reference_cases.csv"
MAX_QUERY_LENGTH = 200
MAX_TERMS = 16
RESULT_LIMIT = 50
VECTOR = '"cases_searchdocument"."vector"'  # PostgreSQL only: the generated tsvector (migration cases/0012)
RECENT_YEARS = 3
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "为",
        "对",
        "被",
        "将",
        "把",
        "等",
        "于",
        "以",
        "其",
        "之",
        "该",
        "此",
        "并",
        "但",
        "而",
        "也",
        "又",
        "就",
        "都",
        "由",
        "向",
        "从",
        "因",
        "后",
        "前",
        "中",
        "上",
        "下",
        "一案",
        "某",
        "某某",
        "本案",
        "一审",
        "二审",
        "案件",
        "问题",
        "关于",
        "如何",
        "是否",
        "应否",
        "能否",
        "可以",
        "应当",
    ]
)
_TERM = re.compile(r"^[^\W_]+$")  # letters and digits only: safe inside a tsquery, meaningful as a term


# --- segmentation ----------------------------------------------------------------------------------


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    # jieba reads every line as a word: hand it the dictionary without its comment lines (in memory, so
    # that no file is left open)
    lines = [ln for ln in DICTIONARY.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    tokenizer.load_userdict(io.BytesIO("\n".join(lines).encode("utf-8")))
    return tokenizer


def _keep(token: str) -> bool:
    token = token.strip()
    return (
        bool(token)
        and _TERM.match(token) is not None
        and token not in STOPWORDS
        and (len(token) > 1 or token.isascii())
    )


def segment(text: str) -> list[str]:
    """Precise-mode segmentation: the words of a text, punctuation and stopwords left out."""
    return [t for t in _jieba().lcut(text or "") if _keep(t)]


def index_tokens(text: str) -> list[str]:
    """Segmentation for the index: each word and every dictionary word inside it (``机动车交通事故责任纠纷``
    is found by ``交通事故`` and ``机动车`` too; jieba's own search mode stops at three characters)."""
    tokenizer = _jieba()
    tokens: list[str] = []
    for word in tokenizer.lcut(text or ""):
        tokens.append(word)
        for size in range(2, len(word)):
            for start in range(len(word) - size + 1):
                part = word[start : start + size]
                if tokenizer.FREQ.get(part):
                    tokens.append(part)
    return [t for t in tokens if _keep(t)]


def query_terms(query: str) -> list[str]:
    """The distinct terms of a query, in order, at most ``MAX_TERMS``."""
    terms: list[str] = []
    for token in segment(query):
        if token.lower() not in terms:
            terms.append(token.lower())
    return terms[:MAX_TERMS]


@cache
def _synonyms() -> dict[str, tuple[str, ...]]:
    """Each word of ``legal_synonyms.txt`` with the words that count as it (a line: the word, then those)."""
    found: dict[str, tuple[str, ...]] = {}
    for line in SYNONYMS.read_text(encoding="utf-8").splitlines():
        words = [w.lower() for w in line.split() if _keep(w)] if not line.startswith("#") else []
        if len(words) > 1:
            found[words[0]] = tuple(dict.fromkeys([*found.get(words[0], ()), *words[1:]]))
    return found


def term_groups(terms: list[str]) -> list[tuple[str, ...]]:
    """Each term with its synonyms: a document matches a group when it has any word of it."""
    return [(term, *(w for w in _synonyms().get(term, ()) if w != term)) for term in terms]


# --- the index -------------------------------------------------------------------------------------


def _case_text(case: Case) -> str:
    # the cause counts twice: it names the kind of dispute, which a similar case shares
    return "\n".join([case.cause, case.cause, case.disputed_points, case.facts_summary, case.ruling_summary])


def _reference_text(reference: ReferenceCase) -> str:
    return "\n".join([
        reference.title, reference.cause, reference.cause, reference.keywords, reference.key_points,
        reference.disputed_points, reference.facts_summary, reference.ruling_summary,
    ])  # fmt: skip


def _tokens(text: str) -> str:
    return " " + " ".join(t.lower() for t in index_tokens(text)) + " "


def has_text(case: Case) -> bool:
    return bool(case.facts_summary or case.disputed_points or case.ruling_summary)


def index_cases(case_ids: Iterable[int], *, chunk_size: int = 1000) -> int:
    """(Re)index these cases: a decided case with text is searchable; any other loses its document.
    Returns how many documents were written."""
    ids = list(case_ids)
    written = 0
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        cases = list(
            Case.objects.filter(pk__in=chunk).only(
                "pk", "organisation_id", "closed_on", "case_type", "cause", "facts_summary", "disputed_points",
                "ruling_summary",
            )
        )  # fmt: skip
        searchable = [c for c in cases if c.closed_on is not None and has_text(c)]
        with transaction.atomic():
            SearchDocument.objects.filter(case_id__in=chunk).delete()
            SearchDocument.objects.bulk_create(
                [
                    SearchDocument(
                        case=c,
                        organisation_id=c.organisation_id,
                        decided_on=c.closed_on,
                        case_type=c.case_type,
                        cause=c.cause,
                        tokens=_tokens(_case_text(c)),
                    )  # fmt: skip
                    for c in searchable
                ],
                batch_size=chunk_size,
            )
        written += len(searchable)
    return written


def index_reference(reference: ReferenceCase) -> SearchDocument:
    document, _created = SearchDocument.objects.update_or_create(
        reference=reference,
        defaults={
            "organisation_id": reference.issued_by_id if reference.level == SourceLevel.PROVINCIAL else None,
            "level": reference.level,
            "decided_on": reference.decided_on,
            "case_type": reference.case_type,
            "cause": reference.cause,
            "tokens": _tokens(_reference_text(reference)),
        },
    )
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
        cases += index_cases(ids[start : start + chunk_size], chunk_size=chunk_size)
        if progress:
            progress(min(start + chunk_size, len(ids)), len(ids))
    return {"references": references, "cases": cases}


def reference_save(*, reference: ReferenceCase) -> ReferenceCase:
    """Validate and save a reference case, and index it (the admin and the import use this)."""
    reference.full_clean()
    with transaction.atomic():
        reference.save()
        index_reference(reference)
    return reference


# --- search ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    document_id: int
    level: int
    label: str
    title: str
    court: str
    decided_on: dt.date | None
    case_type: str
    cause: str
    summary: str
    score: float
    recent: bool
    case_id: int | None = None
    case_public_id: str | None = None
    reference_id: int | None = None

    @property
    def level_label(self) -> str:
        return str(SourceLevel(self.level).label)


@dataclass
class SearchResult:
    query: str
    terms: list[str]
    hits: list[Hit] = field(default_factory=list)
    matched_all: bool = True
    limit: int = RESULT_LIMIT


@dataclass(frozen=True)
class SearchFilters:
    levels: tuple[int, ...] = ()
    case_type: str = ""
    cause: str = ""
    recent_only: bool = False
    order: str = "level"  # or "relevance"

    def as_dict(self) -> dict[str, Any]:
        return {"levels": list(self.levels), "case_type": self.case_type, "cause": self.cause,
                "recent_only": self.recent_only, "order": self.order}  # fmt: skip


def _own_and_higher(officer: Officer) -> list[int]:
    """The officer's court and every court above it (the materialised path)."""
    organisation: Organisation = officer.organisation
    return [int(part) for part in organisation.path.strip("/").split("/") if part] or [organisation.pk]


def validate_query(query: str) -> str:
    query = (query or "").strip()
    if not query:
        raise ValidationFailed(_("Enter what to search for."), details={"q": [_("Enter what to search for.")]})
    if len(query) > MAX_QUERY_LENGTH:
        message = _("The query is too long: at most %(n)d characters.") % {"n": MAX_QUERY_LENGTH}
        raise ValidationFailed(message, details={"q": [message]})
    if not query_terms(query):
        message = _("The query has no searchable words; use words of the case such as its cause or disputed points.")
        raise ValidationFailed(message, details={"q": [message]})
    return query


def _scoped(officer: Officer, filters: SearchFilters, today: dt.date) -> QuerySet[SearchDocument]:
    courts = _own_and_higher(officer)
    documents = SearchDocument.objects.filter(Q(organisation__isnull=True) | Q(organisation_id__in=courts))
    level = CaseWhen(
        When(level__isnull=False, then=F("level")),
        When(organisation_id=officer.organisation_id, then=Value(int(SourceLevel.OWN))),
        default=Value(int(SourceLevel.HIGHER)),
        output_field=IntegerField(),
    )
    recent_from = today.replace(year=today.year - RECENT_YEARS) if not (today.month == 2 and today.day == 29) else (
        today - dt.timedelta(days=365 * RECENT_YEARS + 1)
    )  # fmt: skip
    documents = documents.annotate(
        source_level=level,
        recent=CaseWhen(When(decided_on__gte=recent_from, then=Value(True)), default=Value(False),
                        output_field=BooleanField()),
    )  # fmt: skip
    if filters.levels:
        documents = documents.filter(source_level__in=filters.levels)
    if filters.case_type:
        documents = documents.filter(case_type=filters.case_type)
    if filters.cause:
        documents = documents.filter(cause__contains=filters.cause)
    if filters.recent_only:
        documents = documents.filter(decided_on__gte=recent_from)
    return documents


def _postgres_matches(documents: QuerySet[SearchDocument], groups: list[tuple[str, ...]], *, every: bool
                      ) -> QuerySet:  # fmt: skip
    tsquery = (" & " if every else " | ").join("(" + " | ".join(group) + ")" for group in groups)
    # The SQL text is constant (the generated column is unknown to the ORM); the query is a bound parameter,
    # built only from terms that are letters and digits (``_TERM``).
    return documents.filter(
        RawSQL(f"{VECTOR} @@ to_tsquery('simple', %s)", (tsquery,), output_field=BooleanField())  # noqa: S611
    ).annotate(
        score=RawSQL(f"ts_rank({VECTOR}, to_tsquery('simple', %s), 1)", (tsquery,),  # noqa: S611
                     output_field=FloatField())
    )  # fmt: skip


def _fallback_matches(documents: QuerySet[SearchDocument], groups: list[tuple[str, ...]], *, every: bool
                      ) -> QuerySet:  # fmt: skip
    condition = Q() if every else Q(pk__in=[])
    for group in groups:
        part = Q(pk__in=[])
        for word in group:
            part |= Q(tokens__contains=f" {word} ")
        condition = (condition & part) if every else (condition | part)
    return documents.filter(condition).annotate(score=Value(0.0, output_field=FloatField()))


def _fallback_score(tokens: str, groups: list[tuple[str, ...]]) -> float:
    """How often the query's words occur, damped by the document's length (like ts_rank's norm 1)."""
    words = tokens.split()
    hits = sum(words.count(word) for group in groups for word in group)
    return hits / (1 + math.log(len(words) + 1)) / 10


def _ordering(order: str) -> list[Any]:
    if order == "relevance":
        return [F("score").desc(), "source_level", F("decided_on").desc(nulls_last=True), "pk"]
    return ["source_level", F("recent").desc(), F("score").desc(), F("decided_on").desc(nulls_last=True), "pk"]


def search(*, officer: Officer, query: str, filters: SearchFilters | None = None, limit: int = RESULT_LIMIT,
           today: dt.date | None = None) -> SearchResult:  # fmt: skip
    """The similar cases an officer may find for a query, best first (a selector: the scope is here)."""
    filters = filters or SearchFilters()
    query = validate_query(query)
    terms = query_terms(query)
    today = today or timezone.localdate()
    documents = _scoped(officer, filters, today)
    postgres = full_text_search()
    result = SearchResult(query=query, terms=terms, limit=limit)
    groups = term_groups(terms)
    for every in (True, False) if len(terms) > 1 else (True,):
        order = filters.order if every else "relevance"  # some words only: the best matches first
        if postgres:
            rows = list(_postgres_matches(documents, groups, every=every).order_by(*_ordering(order))
                        .select_related("case__organisation", "reference")[:limit])  # fmt: skip
        else:
            rows = list(_fallback_matches(documents, groups, every=every).select_related("case__organisation",
                                                                                        "reference")[:5000])  # fmt: skip
            for row in rows:
                row.score = _fallback_score(row.tokens, groups)
            rows.sort(key=_sort_key(order))
            rows = rows[:limit]
        if rows:
            result.matched_all = every
            result.hits = [_hit(row) for row in rows]
            break
    return result


def full_text_search() -> bool:
    """PostgreSQL's full-text index when the documents live there; otherwise the portable token match."""
    return connections[router.db_for_read(SearchDocument)].vendor == "postgresql"


def _sort_key(order: str) -> Any:
    def key(row: SearchDocument) -> tuple[Any, ...]:
        decided = -(row.decided_on.toordinal() if row.decided_on else 0)
        if order == "relevance":
            return (-row.score, row.source_level, decided, row.pk)
        return (row.source_level, not row.recent, -row.score, decided, row.pk)

    return key


def _hit(row: SearchDocument) -> Hit:
    if row.reference_id:
        reference = row.reference
        return Hit(
            document_id=row.pk, level=row.source_level, label=reference.number, title=reference.title,
            court=reference.court, decided_on=reference.decided_on, case_type=reference.case_type,
            cause=reference.cause, summary=reference.key_points or reference.ruling_summary, score=row.score,
            recent=row.recent, reference_id=reference.pk,
        )  # fmt: skip
    case = row.case
    return Hit(
        document_id=row.pk, level=row.source_level, label=case.case_number, title=case.cause,
        court=case.organisation.name, decided_on=case.closed_on, case_type=case.case_type, cause=case.cause,
        summary=case.ruling_summary or case.disputed_points or case.facts_summary, score=row.score,
        recent=row.recent, case_id=case.pk, case_public_id=str(case.public_id),
    )  # fmt: skip


def documents_for_report(*, officer: Officer, document_ids: Sequence[int]) -> dict[int, Hit]:
    """The chosen results, re-read through the same scope as the search (nothing out of scope can be cited)."""
    rows = (
        _scoped(officer, SearchFilters(), timezone.localdate())
        .filter(pk__in=list(document_ids))
        .annotate(score=Value(0.0, output_field=FloatField()))
        .select_related("case__organisation", "reference")
    )
    return {row.pk: _hit(row) for row in rows}


# --- when a report is required ---------------------------------------------------------------------


def _requirements() -> dict[str, Exists]:
    """What makes a report a condition of signing, each as an EXISTS over the case: a referral to the judges'
    meeting or the committee, a leader's search task, an open flag of a situation that requires a search."""
    return {
        "referred": Exists(Referral.objects.filter(case=OuterRef("pk"))),
        "required": Exists(SupervisionTask.objects.filter(case=OuterRef("pk"), kind=TaskKind.SIMILAR_SEARCH)),
        "flagged": Exists(Flag.objects.filter(case=OuterRef("pk"), status__in=OPEN_FLAG_STATUSES,
                                              situation__requires_similar_search=True)),
    }  # fmt: skip


def report_required_reasons(case: Case) -> list[str]:
    """Why this case needs a similar-case search report before its ruling is signed (empty: it does not)."""
    found = Case.objects.filter(pk=case.pk).annotate(**_requirements()).values(*_requirements()).first()
    if found is None:
        return []
    reasons = []
    if found["referred"]:
        reasons.append(_("The case was referred to the professional judges' meeting or the adjudication committee."))
    if found["required"]:
        reasons.append(_("A leader required a similar-case search."))
    if found["flagged"]:
        situations = (
            Flag.objects.filter(case=case, status__in=OPEN_FLAG_STATUSES, situation__requires_similar_search=True)
            .values_list("situation__title", flat=True)
            .distinct()
        )
        reasons.extend(_("Flagged: %(situation)s") % {"situation": title} for title in situations)
    return reasons


def report_required(case: Case) -> bool:
    """One query: any of the requirements holds."""
    referred, required, flagged = _requirements().values()
    return Case.objects.filter(pk=case.pk).filter(referred | required | flagged).exists()


def has_report(case: Case) -> bool:
    return SearchReport.objects.filter(case=case).exists()


# --- reports ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportItem:
    document_id: int
    bearing: str
    note: str


def report_attach(*, actor: Officer, case: Case, query: str, filters: SearchFilters | None = None,
                  items: Sequence[ReportItem], conclusion: str, source: str = ActionSource.WEB) -> SearchReport:  # fmt: skip
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
        errors.setdefault("items", []).append(_("Some chosen results are not searchable by you: %(ids)s")
                                              % {"ids": ", ".join(map(str, missing))})  # fmt: skip
    if errors:
        raise ValidationFailed(_("The search report is incomplete."), details=errors)
    with transaction.atomic():
        case = case_lock_for_update(case, expected_version=None)
        decision = power_decide(officer=actor, action_type=ActionType.SIMILAR_CASE_SEARCH, case=case)
        decision.raise_if_denied()
        action = trace_append(
            case=case, action_type=ActionType.SIMILAR_CASE_SEARCH, actor=actor, source=source,
            note=_("Similar-case search report: %(query)s — %(conclusion)s") % {
                "query": query, "conclusion": conclusion[:500]},
            payload={
                "query": query, "filters": filters.as_dict(), "conclusion": conclusion,
                "items": [{"source": hits[i.document_id].level, "case": hits[i.document_id].label,
                           "bearing": i.bearing, "note": i.note.strip()} for i in items],
            },
            decision=decision,
        )  # fmt: skip
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
                )  # fmt: skip
                for position, i in enumerate(items, start=1)
            ]
        )
        case_events.action_recorded.send(sender=Case, case=case, action=action)
    return report


def reports_of(case: Case) -> list[SearchReport]:
    return list(SearchReport.objects.filter(case=case).select_related("author").prefetch_related("items"))


def report_get_for_user(*, user: Any, public_id: Any) -> SearchReport:
    """A report, if the user may see its case (the case selector decides); otherwise NotFound."""
    report = SearchReport.objects.select_related("case", "author").filter(public_id=public_id).first()
    if report is None:
        raise NotFound(_("No such report."))
    case_get_for_user(user, public_id=report.case.public_id)
    return report
