"""Reads of similar-case search: the search itself (scoped to what the officer may search, in the SPC order or by
relevance), the hits a report may cite, and whether a case needs a search report before its ruling is signed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connections, router
from django.db.models import BooleanField, Exists, F, FloatField, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models import Case as CaseWhen
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.errors import NotFound, ValidationFailed
from accountability.models import Officer, Organisation
from cases.models import Case
from cases.selectors import case_get_for_user
from similar import ranking
from similar.choices import SourceLevel
from similar.models import SearchDocument, SearchReport, SimilarPush, TermStatistic
from similar.text import MAX_QUERY_LENGTH, QueryTerm, query_analysis, query_terms
from supervision.choices import OPEN_FLAG_STATUSES, TaskKind
from supervision.models import Flag, Referral, SupervisionTask

RESULT_LIMIT = 50
RECENT_YEARS = 3


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
        return {
            "levels": list(self.levels),
            "case_type": self.case_type,
            "cause": self.cause,
            "recent_only": self.recent_only,
            "order": self.order,
        }


def _own_and_higher(organisation: Organisation) -> list[int]:
    """A court and every court above it (the materialised path)."""
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
    return scoped_to_court(officer.organisation, filters, today)


def _recent_from(today: dt.date) -> dt.date:
    return (
        today.replace(year=today.year - RECENT_YEARS)
        if not (today.month == 2 and today.day == 29)
        else (today - dt.timedelta(days=365 * RECENT_YEARS + 1))
    )


def scoped_to_court(organisation: Organisation, filters: SearchFilters, today: dt.date) -> QuerySet[SearchDocument]:
    """What a judge of this court may search: the reference cases valid for it, and the rulings of the court and
    of the courts above it (never another court's)."""
    courts = _own_and_higher(organisation)
    documents = SearchDocument.objects.filter(Q(organisation__isnull=True) | Q(organisation_id__in=courts))
    level = CaseWhen(
        When(level__isnull=False, then=F("level")),
        When(organisation_id=organisation.pk, then=Value(int(SourceLevel.OWN))),
        default=Value(int(SourceLevel.HIGHER)),
        output_field=IntegerField(),
    )
    recent_from = _recent_from(today)
    documents = documents.annotate(
        source_level=level,
        recent=CaseWhen(
            When(decided_on__gte=recent_from, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    )
    if filters.levels:
        documents = documents.filter(source_level__in=filters.levels)
    if filters.case_type:
        documents = documents.filter(case_type=filters.case_type)
    if filters.cause:
        documents = documents.filter(cause__contains=filters.cause)
    if filters.recent_only:
        documents = documents.filter(decided_on__gte=recent_from)
    return documents


#: BM25 over the postings of the query's words in the scope's courts: a group's term frequency is the sum of its
#: words' (synonyms), so the postings are summed by (document, group) first, then the groups by document
GROUPED = """
matched AS (
    SELECT p.document_id, a.g, sum(p.tf)::float8 AS tf, max(p.length) AS length, max(p.level) AS level,
           max(p.court) AS court, max(p.decided_on) AS decided_on
    FROM similar_posting p JOIN asked a ON p.term = a.word
    WHERE p.court = ANY(%s::bigint[])
    GROUP BY p.document_id, a.g
),
scored AS (
    SELECT m.document_id, sum({bm25}) AS score, count(*) FILTER (WHERE w.needed) AS matched,
           max(m.level) AS level, max(m.court) AS court, max(m.decided_on) AS decided_on
    FROM matched m JOIN weights w ON w.g = m.g
    GROUP BY m.document_id
)"""
#: the same when each group is one word, in one group (most queries): one aggregation, over the postings
SINGLE = """
scored AS (
    SELECT m.document_id, sum({bm25}) AS score, count(*) FILTER (WHERE w.needed) AS matched,
           max(m.level) AS level, max(m.court) AS court, max(m.decided_on) AS decided_on
    FROM similar_posting m JOIN asked a ON m.term = a.word JOIN weights w ON w.g = a.g
    WHERE m.court = ANY(%s::bigint[])
    GROUP BY m.document_id
)"""
BM25_SQL = "w.weight * m.tf * %s::float8 / (m.tf + %s::float8 * (1 - %s::float8 + %s::float8 * m.length / %s::float8))"
POSTINGS_SQL = """
WITH asked(word, g) AS (SELECT * FROM unnest(%s::text[], %s::int[])),
weights(weight, needed, g) AS (SELECT * FROM unnest(%s::float8[], %s::bool[]) WITH ORDINALITY),
{scored}
SELECT s.document_id, s.score * CASE WHEN s.matched = %s AND %s > 1 THEN %s::float8 ELSE 1 END, s.matched = %s
FROM scored s {join}
{where}
ORDER BY 2 DESC, {level}, {decided} DESC NULLS LAST, s.document_id
LIMIT %s
"""  # noqa: S608 - constant SQL text with the parts here; the values are bound parameters
#: the source level and date of a posting's document (``scoped_to_court``'s ``source_level``, from the posting)
POSTING_LEVEL = "CASE WHEN s.level IS NOT NULL THEN s.level WHEN s.court = %s THEN %s ELSE %s END"
#: a narrowed search (filters, a case left out): the documents' own query, joined to the scored postings
NARROWED_JOIN = "JOIN ({documents}) AS d ON d.id = s.document_id"


@dataclass(frozen=True)
class Scope:
    """Where a search looks, for the postings (PostgreSQL): the searching court, the courts whose postings it
    reads (its own, those above it, and 0: the reference cases of no court), and whether the documents it is
    given are fewer than those (a type or cause, a case left out: they are then joined to the scored postings). The
    source levels and the date a search is limited to are applied to the postings themselves (they carry both).
    """

    court: int
    courts: tuple[int, ...]
    narrowed: bool = False
    levels: tuple[int, ...] = ()
    recent_from: dt.date | None = None


def scope_of(organisation: Organisation, filters: SearchFilters | None = None, today: dt.date | None = None) -> Scope:
    """The scope of ``scoped_to_court(organisation, filters, today)``."""
    filters = filters or SearchFilters()
    return Scope(
        court=organisation.pk,
        courts=(0, *_own_and_higher(organisation)),
        narrowed=bool(filters.case_type or filters.cause),
        levels=tuple(filters.levels),
        recent_from=_recent_from(today or timezone.localdate()) if filters.recent_only else None,
    )


def statistics_for(words: Sequence[str]) -> ranking.Statistics:
    """The index's statistics for these words (one query): the number of documents, their average length, and
    how many documents have each word."""
    found = TermStatistic.objects.filter(term__in=["", *words]).values_list("term", "documents", "occurrences")
    rows = {term: (documents, occurrences) for term, documents, occurrences in found}
    documents, occurrences = rows.pop("", (0, 0))
    return ranking.Statistics(
        documents=max(documents, 1),
        average_length=(occurrences / documents) if documents > 0 else 1.0,
        frequencies={w: n for w, (n, _o) in rows.items()},
    )


def _postings_best(
    documents: QuerySet[SearchDocument],
    groups: list[ranking.Group],
    statistics: ranking.Statistics,
    scope: Scope,
    limit: int,
) -> list[tuple[int, float, bool]]:
    """The best ``limit`` documents (id, score, every word) by BM25 in SQL over the postings of the query's words
    in the scope's courts (``similar_posting``, migration ``similar/0005``: an index range a word and court), each
    document's term frequencies summed by group; ties by source level, then the most recent, then the id."""
    sql, params = postings_query(documents, groups, statistics, scope, limit)
    with connections[documents.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [(pk, float(score), bool(every)) for pk, score, every in cursor.fetchall()]


def postings_query(
    documents: QuerySet[SearchDocument],
    groups: list[ranking.Group],
    statistics: ranking.Statistics,
    scope: Scope,
    limit: int,
) -> tuple[str, list[Any]]:
    """The SQL of ``_postings_best`` and its parameters."""
    needed = ranking.asked(groups)
    words = [w for group in groups for w in group.words]
    numbers = [i for i, group in enumerate(groups, start=1) for _w in group.words]
    weights = [group.weight for group in groups]
    asked = sum(needed)
    k1, b = ranking.K1, ranking.B
    single = all(len(group.words) == 1 for group in groups) and len(set(words)) == len(words)
    params: list[Any] = [words, numbers, weights, needed]
    if single:
        params += [k1 + 1, k1, b, b, statistics.average_length or 1.0, list(scope.courts)]
    else:
        params += [list(scope.courts), k1 + 1, k1, b, b, statistics.average_length or 1.0]
    params += [asked, asked, ranking.ALL_WORDS_BOOST, asked]
    if scope.narrowed:
        inner, inner_params = (
            documents.values("id", "source_level", "decided_on").query.get_compiler(using=documents.db).as_sql()
        )
        join, level, decided = NARROWED_JOIN.format(documents=inner), "d.source_level", "d.decided_on"
        params += inner_params
        level_params: list[Any] = []
        where = ""
    else:
        join, level, decided = "", POSTING_LEVEL, "s.decided_on"
        level_params = [scope.court, int(SourceLevel.OWN), int(SourceLevel.HIGHER)]
        conditions = []
        if scope.levels:
            conditions.append(f"{POSTING_LEVEL} = ANY(%s::int[])")
            params += [*level_params, list(scope.levels)]
        if scope.recent_from:
            conditions.append("s.decided_on >= %s")
            params.append(scope.recent_from)
        where = "WHERE " + " AND ".join(conditions) if conditions else ""
    scored = (SINGLE if single else GROUPED).format(bm25=BM25_SQL)
    sql = POSTINGS_SQL.format(scored=scored, join=join, where=where, level=level, decided=decided)
    return sql, [*params, *level_params, limit]


def _fallback_matches(documents: QuerySet[SearchDocument], groups: list[ranking.Group]) -> QuerySet:
    condition = Q(pk__in=[])
    for group in groups:
        for word in group.words:
            condition |= Q(tokens__contains=f" {word} ")
    return documents.filter(condition)


def _sort_key(order: str) -> Any:
    def key(row: SearchDocument) -> tuple[Any, ...]:
        decided = -(row.decided_on.toordinal() if row.decided_on else 0)
        if order == "relevance":
            return (-row.score, row.source_level, decided, row.pk)
        return (not row.all_words, row.source_level, not row.recent, -row.score, decided, row.pk)

    return key


def rank(
    documents: QuerySet[SearchDocument],
    terms: Sequence[QueryTerm],
    *,
    order: str = "relevance",
    limit: int,
    scope: Scope,
) -> tuple[list[SearchDocument], list[ranking.Group]]:
    """The best ``limit`` of these documents for the query terms: BM25 over the index's statistics, every
    document with any word found, those with every word boosted, then ranked again with the words the best
    ten lend the query (``ranking.feedback_words``: a similar case need not share the judge's words); in the
    SPC tiers when ``order`` is ``level`` (applied to the best ``limit`` by relevance, so a guiding case that
    shares one common word with a long query does not come first). ``documents`` come from ``scoped_to_court``;
    ``scope`` says where they are (``scope_of``). Each row has ``score`` and ``all_words``."""
    statistics = statistics_for([w for term in terms for w in term.words])
    groups = ranking.groups_for(terms, statistics)
    if not groups:
        return [], groups
    query_weights = [term.weight for term in terms if not term.part]
    if full_text_search():
        best = _postings_best(documents, groups, statistics, scope, limit)
        lent = _lent(best, groups, query_weights, statistics)
        if lent:
            groups = [*groups, *lent]
            best = _postings_best(documents, groups, statistics, scope, limit)
        # Ranked on the postings alone; only the best ``limit`` are read with their cases.
        found = documents.filter(pk__in=[pk for pk, _score, _all in best]).select_related(
            "case__organisation", "reference"
        )
        by_pk = {row.pk: row for row in found}
        rows = []
        for pk, score, all_words in best:
            row = by_pk[pk]
            row.score, row.all_words = score, all_words
            rows.append(row)
    else:
        rows = _portable_ranked(documents, groups, statistics)
        their = statistics_for([w for row in rows[: ranking.FEEDBACK_DOCUMENTS] for w in row.tokens.split()])
        best = [(row.tokens.split(), row.score) for row in rows]
        lent = ranking.feedback_groups(ranking.feedback_words(best, groups, their), query_weights, their)
        if lent:
            groups = [*groups, *lent]
            rows = _portable_ranked(documents, groups, statistics_for([w for g in groups for w in g.words]))
        rows = rows[:limit]
    if order != "relevance":  # the SPC's tiers over the ranked results: every word first, then by source
        rows.sort(key=_sort_key(order))
    return rows, groups


def _lent(
    best: list[tuple[int, float, bool]],
    groups: list[ranking.Group],
    query_weights: list[float],
    statistics: ranking.Statistics,
) -> list[ranking.Group]:
    """The feedback groups of the best documents (their tokens read by primary key: ten rows)."""
    top = [row for row in best[: ranking.FEEDBACK_DOCUMENTS] if row[1] > 0]
    if len(top) < ranking.FEEDBACK_DOCUMENTS:  # nothing would be lent (``feedback_words``): not read
        return []
    tokens = dict(SearchDocument.objects.filter(pk__in=[pk for pk, _s, _a in top]).values_list("pk", "tokens"))
    best = [(tokens[pk].split(), score) for pk, score, _a in top if pk in tokens]
    their = statistics_for(list({w for words, _score in best for w in words}))  # one query: the words' df
    words = ranking.feedback_words(best, groups, their)
    return ranking.feedback_groups(words, query_weights, their)


def _portable_ranked(
    documents: QuerySet[SearchDocument], groups: list[ranking.Group], statistics: ranking.Statistics
) -> list[SearchDocument]:
    rows = list(_fallback_matches(documents, groups).select_related("case__organisation", "reference"))
    for row in rows:
        row.score, matched = ranking.score(row.tokens.split(), groups, statistics)
        row.all_words = matched >= sum(ranking.asked(groups))
    rows.sort(key=_sort_key("relevance"))
    return rows


def search(
    *,
    officer: Officer,
    query: str,
    filters: SearchFilters | None = None,
    limit: int = RESULT_LIMIT,
    today: dt.date | None = None,
) -> SearchResult:
    """The similar cases an officer may find for a query, best first (a selector: the scope is here)."""
    filters = filters or SearchFilters()
    query = validate_query(query)
    terms = query_analysis(query)
    today = today or timezone.localdate()
    documents = _scoped(officer, filters, today)
    result = SearchResult(query=query, terms=[t.word for t in terms if not t.part], limit=limit)
    scope = scope_of(officer.organisation, filters, today)
    rows, _groups = rank(documents, terms, order=filters.order, limit=limit, scope=scope)
    result.hits = [_hit(row) for row in rows]
    result.matched_all = bool(rows) and any(row.all_words for row in rows)
    return result


def full_text_search() -> bool:
    """PostgreSQL's full-text index when the documents live there; otherwise the portable token match."""
    return connections[router.db_for_read(SearchDocument)].vendor == "postgresql"


def _hit(row: SearchDocument) -> Hit:
    if row.reference_id:
        reference = row.reference
        return Hit(
            document_id=row.pk,
            level=row.source_level,
            label=reference.number,
            title=reference.title,
            court=reference.court,
            decided_on=reference.decided_on,
            case_type=reference.case_type,
            cause=reference.cause,
            summary=reference.key_points or reference.ruling_summary,
            score=row.score,
            recent=row.recent,
            reference_id=reference.pk,
        )
    case = row.case
    return Hit(
        document_id=row.pk,
        level=row.source_level,
        label=case.case_number,
        title=case.cause,
        court=case.organisation.name,
        decided_on=case.closed_on,
        case_type=case.case_type,
        cause=case.cause,
        summary=case.ruling_summary or case.disputed_points or case.facts_summary,
        score=row.score,
        recent=row.recent,
        case_id=case.pk,
        case_public_id=str(case.public_id),
    )


def pushed(*, officer: Officer | None, case: Case) -> SearchResult | None:
    """类案推送 for a case as the officer may see it: the stored most similar cases, re-read through the
    officer's scope, best first (two queries). None when nothing has been computed for the case yet."""
    push = SimilarPush.objects.filter(case=case).only("hits", "computed_at").first()
    if push is None:
        return None
    result = SearchResult(query="", terms=[], limit=RESULT_LIMIT)
    result.computed_at = push.computed_at  # type: ignore[attr-defined]
    if officer is None or not push.hits:
        return result
    scores = {item["document"]: item["score"] for item in push.hits}
    found = documents_for_report(officer=officer, document_ids=list(scores))
    result.hits = [replace(found[pk], score=scores[pk]) for pk in scores if pk in found]
    return result


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
        "flagged": Exists(
            Flag.objects.filter(
                case=OuterRef("pk"), status__in=OPEN_FLAG_STATUSES, situation__requires_similar_search=True
            )
        ),
    }


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


def reports_of(case: Case) -> list[SearchReport]:
    return list(SearchReport.objects.filter(case=case).select_related("author").prefetch_related("items"))


def report_get_for_user(*, user: Any, public_id: Any) -> SearchReport:
    """A report, if the user may see its case (the case selector decides); otherwise NotFound."""
    report = SearchReport.objects.select_related("case", "author").filter(public_id=public_id).first()
    if report is None:
        raise NotFound(_("No such report."))
    case_get_for_user(user, public_id=report.case.public_id)
    return report
