"""Similar-case search (类案检索) in the browser: search, pick the relevant results, note how each bears on
the case, and attach the report to the case (its trace records it). A refusal is not caught here: both views
declare with ``renders_domain_errors`` how ``DomainErrorMiddleware`` shows it (the page again, saying why)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accountability.choices import ActionType
from accountability.errors import DomainError
from accountability.middleware import renders_domain_errors
from accountability.powers import power_decide
from accountability.selectors import officer_for_user
from cases.choices import CaseType
from cases.views import case_or_404
from similar import selectors as similar_selectors
from similar import services as similar
from similar import text as similar_text
from similar.choices import SearchBearing, SourceLevel


def filters_from(data: QueryDict) -> similar_selectors.SearchFilters:
    """The filters of a search form or query string; values out of range are ignored, not guessed."""
    levels = tuple(sorted({int(v) for v in data.getlist("level") if v.isdigit() and int(v) in SourceLevel.values}))
    case_type = data.get("case_type", "")
    return similar_selectors.SearchFilters(
        levels=levels,
        case_type=case_type if case_type in CaseType.values else "",
        cause=data.get("cause", "").strip()[:200],
        recent_only=data.get("recent") == "1",
        order="relevance" if data.get("order") == "relevance" else "level",
    )


def _default_query(case: Any) -> str:
    """What a judge would type first: the cause and the start of the disputed points."""
    return " ".join(part for part in (case.cause, case.disputed_points[:60]) if part)[: similar_text.MAX_QUERY_LENGTH]


def _page(
    request: HttpRequest,
    *,
    data: QueryDict,
    case: Any = None,
    errors: dict | None = None,
    chosen: dict | None = None,
    search_error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The search page; the search runs unless the query was refused (``search_error``, or ``errors["q"]``)."""
    officer = officer_for_user(request.user)
    query = data.get("q", "")
    if case is not None and "q" not in data:
        query = _default_query(case)
    filters = filters_from(data)
    result = None
    push = case is not None and data.get("push") == "1"  # 类案推送's cases, to cite in a report
    if push:
        result = similar_selectors.pushed(officer=officer, case=case)
    elif search_error is None and not (errors or {}).get("q") and (query or "q" in data):
        result = similar_selectors.search(officer=officer, query=query, filters=filters)
    may_report = bool(
        case is not None
        and officer is not None
        and power_decide(officer=officer, action_type=ActionType.SIMILAR_CASE_SEARCH, case=case).allowed
    )
    return render(
        request,
        "similar/search.html",
        {
            "query": query,
            "push": push,
            "filters": filters,
            "result": result,
            "search_error": search_error,
            "case": case,
            "may_report": may_report,
            "levels": SourceLevel.choices,
            "case_types": CaseType.choices,
            "bearings": SearchBearing.choices,
            "errors": errors or {},
            "chosen": chosen or {},
            "conclusion": data.get("conclusion", ""),
            "required": similar_selectors.report_required_reasons(case) if case is not None else [],
        },
        status=status,
    )


def _case_of_search(request: HttpRequest) -> Any:
    return case_or_404(request, request.GET["case"]) if request.GET.get("case") else None


def _search_refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A query that cannot be searched: the page again, saying why under the query field."""
    return _page(request, data=request.GET, case=_case_of_search(request), search_error=exc.message)


@login_required
@renders_domain_errors(_search_refused)
def search_page(request: HttpRequest) -> HttpResponse:
    """类案检索: open to every officer; with ``case`` the results can be attached to that case as a report."""
    return _page(request, data=request.GET, case=_case_of_search(request))


def _chosen(post: QueryDict) -> dict[int, dict[str, str]]:
    """The results ticked for the report, each with how it bears on the case and the note."""
    picked = [int(v) for v in post.getlist("doc") if v.isdigit()]
    return {pk: {"bearing": post.get(f"bearing-{pk}", ""), "note": post.get(f"note-{pk}", "")} for pk in picked}


def _report_refused(request: HttpRequest, exc: DomainError, public_id) -> HttpResponse:
    """A refused report: the search page again with the results, what was chosen and typed, and each problem
    (400; 403 when the power list refuses)."""
    problems = {field: listed for field, listed in exc.details.items() if isinstance(listed, list)}
    # "items" always present: in the template, a missing key would make ``errors.items`` the dict's method
    errors = {"items": [], **problems, "general": [exc.message]}
    return _page(
        request,
        data=request.POST,
        case=case_or_404(request, public_id),
        errors=errors,
        chosen=_chosen(request.POST),
        status=403 if exc.http_status == 403 else 400,
    )


@login_required
@renders_domain_errors(_report_refused)
def report_new(request: HttpRequest, public_id) -> HttpResponse:
    case = case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    if request.method != "POST" or officer is None:
        return redirect("similar:search")
    similar.report_attach(
        actor=officer,
        case=case,
        query=request.POST.get("q", ""),
        filters=filters_from(request.POST),
        items=[
            similar.ReportItem(document_id=pk, bearing=c["bearing"], note=c["note"])
            for pk, c in _chosen(request.POST).items()
        ],
        conclusion=request.POST.get("conclusion", ""),
    )
    messages.success(request, _("The similar-case search report is attached to the case."))
    return redirect("cases:detail", public_id=case.public_id)


@login_required
def report_print(request: HttpRequest, public_id, report_id) -> HttpResponse:
    """A search report as the printable 类案检索报告 for the case file: who searched, when, for what, the cases
    cited and how each bears on the case, the conclusion, and the trace entry it was recorded as."""
    case = case_or_404(request, public_id)
    report = get_object_or_404(
        case.search_reports.select_related("author", "action").prefetch_related("items"), public_id=report_id
    )
    levels = dict(SourceLevel.choices)
    return render(
        request,
        "similar/report_print.html",
        {
            "case": case,
            "report": report,
            "levels": [levels[v] for v in report.filters.get("levels", []) if v in levels],
            "case_type": CaseType(report.filters["case_type"]).label if report.filters.get("case_type") else "",
        },
    )
