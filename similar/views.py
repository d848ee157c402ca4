"""Similar-case search (类案检索) in the browser: search, pick the relevant results, note how each bears on
the case, and attach the report to the case (its trace records it)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accountability.choices import ActionType
from accountability.errors import DomainError
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


def _page(request: HttpRequest, *, data: QueryDict, case: Any = None, errors: dict | None = None,
          chosen: dict | None = None, status: int = 200) -> HttpResponse:  # fmt: skip
    officer = officer_for_user(request.user)
    query = data.get("q", "")
    if case is not None and "q" not in data:
        query = _default_query(case)
    filters = filters_from(data)
    result, search_error = None, None
    if query or "q" in data:
        try:
            result = similar_selectors.search(officer=officer, query=query, filters=filters)
        except DomainError as exc:
            search_error = exc.message
    may_report = bool(
        case is not None and officer is not None
        and power_decide(officer=officer, action_type=ActionType.SIMILAR_CASE_SEARCH, case=case).allowed
    )  # fmt: skip
    return render(
        request,
        "similar/search.html",
        {
            "query": query, "filters": filters, "result": result, "search_error": search_error, "case": case,
            "may_report": may_report, "levels": SourceLevel.choices, "case_types": CaseType.choices,
            "bearings": SearchBearing.choices, "errors": errors or {}, "chosen": chosen or {},
            "conclusion": data.get("conclusion", ""),
            "required": similar_selectors.report_required_reasons(case) if case is not None else [],
        },
        status=status,
    )  # fmt: skip


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """类案检索: open to every officer; with ``case`` the results can be attached to that case as a report."""
    case = case_or_404(request, request.GET["case"]) if request.GET.get("case") else None
    return _page(request, data=request.GET, case=case)


@login_required
def report_new(request: HttpRequest, public_id) -> HttpResponse:
    case = case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    if request.method != "POST" or officer is None:
        return redirect("similar:search")
    picked = [int(v) for v in request.POST.getlist("doc") if v.isdigit()]
    chosen = {pk: {"bearing": request.POST.get(f"bearing-{pk}", ""), "note": request.POST.get(f"note-{pk}", "")}
              for pk in picked}  # fmt: skip
    try:
        similar.report_attach(
            actor=officer, case=case, query=request.POST.get("q", ""), filters=filters_from(request.POST),
            items=[similar.ReportItem(document_id=pk, bearing=c["bearing"], note=c["note"]) for pk, c in chosen.items()],
            conclusion=request.POST.get("conclusion", ""),
        )  # fmt: skip
    except DomainError as exc:
        errors = dict(exc.details)
        errors.setdefault("general", [exc.message])
        return _page(request, data=request.POST, case=case, errors=errors, chosen=chosen,
                     status=403 if exc.http_status == 403 else 400)  # fmt: skip
    messages.success(request, _("The similar-case search report is attached to the case."))
    return redirect("cases:detail", public_id=case.public_id)
