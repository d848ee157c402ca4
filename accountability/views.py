"""Login, logout and the per-role home page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accountability import notifications as notifications_service
from accountability.auth import LoginForm
from accountability.choices import LEADER_ROLES, RoleCode
from accountability.paging import keyset_page
from accountability.selectors import officer_for_user
from cases.selectors import cases_visible_to


class LoginView(auth_views.LoginView):
    template_name = "accountability/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    officer = officer_for_user(request.user)
    counts = cases_visible_to(request.user).aggregate(
        open=Count("pk", filter=Q(closed_on__isnull=True)),
        closed=Count("pk", filter=Q(closed_on__isnull=False)),
    )
    mine = None
    if officer is not None:
        mine = (
            cases_visible_to(request.user)
            .filter(lead_officer=officer)
            .aggregate(open=Count("pk", filter=Q(closed_on__isnull=True)), total=Count("pk"))
        )
    roles = sorted(officer.role_codes) if officer else []
    panels = {
        "handles_cases": bool(
            officer and officer.has_role(RoleCode.JUDGE, RoleCode.PROSECUTOR, RoleCode.ASSISTANT, RoleCode.CLERK)
        ),
        "leads": bool(officer and officer.has_role(*LEADER_ROLES)),
        "evaluates": bool(officer and officer.has_role(RoleCode.EVALUATOR)),
        "disciplines": bool(officer and officer.has_role(RoleCode.COMMITTEE_MEMBER, RoleCode.INSPECTOR)),
        "recomputes": bool(
            officer and officer.has_role(RoleCode.PRESIDENT, RoleCode.VICE_PRESIDENT, RoleCode.CASE_MANAGEMENT)
        ),
        "administers": bool(request.user.is_staff or (officer and officer.has_role(RoleCode.ADMINISTRATOR))),
    }
    return render(
        request,
        "accountability/home.html",
        {
            "officer": officer,
            "role_labels": [RoleCode(code).label for code in roles],
            "counts": counts,
            "mine": mine,
            "panels": panels,
        },
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The bell: my notifications, newest first; reading the page does not mark them, a button does."""
    officer = officer_for_user(request.user)
    if officer is None:
        raise Http404
    if request.method == "POST":
        ids = request.POST.getlist("id")
        notifications_service.mark_read(officer=officer, ids=ids or None)
        return redirect("notifications")
    page = keyset_page(
        request, notifications_service.notifications_of(officer), ordering=("-created_at", "-pk"), size=30
    )
    return render(request, "accountability/notifications.html", {"page": page})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The security audit, for auditors only (anyone else: 404): sign-in events and audit events, filtered."""
    from accountability.models import AuditEvent, AuthEvent

    officer = officer_for_user(request.user)
    if officer is None or not officer.has_role(RoleCode.AUDITOR):
        raise Http404
    events = AuditEvent.objects.all()
    if request.GET.get("kind") in AuditEvent.Kind.values:
        events = events.filter(kind=request.GET["kind"])
    if request.GET.get("user"):
        events = events.filter(username=request.GET["user"].strip())
    if request.GET.get("object"):
        events = events.filter(object_id=request.GET["object"].strip())
    page = keyset_page(request, events, ordering=("-at", "-pk"), size=50)
    sign_ins = AuthEvent.objects.order_by("-at")[:50]
    return render(request, "accountability/audit.html", {"page": page, "sign_ins": sign_ins,
                                                          "kinds": AuditEvent.Kind.choices})  # fmt: skip
