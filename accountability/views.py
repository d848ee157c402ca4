"""Login, the bell and the security audit (the per-role home page is the dashboards app's: it reads every layer)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accountability import notifications as notifications_service
from accountability.auth import LoginForm
from accountability.choices import RoleCode
from accountability.models import AuditEvent, AuthEvent
from accountability.paging import keyset_page
from accountability.selectors import officer_for_user, officers_matching


class LoginView(auth_views.LoginView):
    template_name = "accountability/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm


@login_required
def officer_lookup(request: HttpRequest) -> HttpResponse:
    """A picker's suggestions as ``<option>``s for its ``<datalist>`` (htmx, as one types): ``?field=NAME`` says
    which parameter holds the text, since htmx sends the input under its own name."""
    field = request.GET.get("field", "q")
    return render(
        request,
        "accountability/_officer_options.html",
        {"officers": officers_matching(request.user, request.GET.get(field, "")[:50])},
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
    return render(
        request, "accountability/audit.html", {"page": page, "sign_ins": sign_ins, "kinds": AuditEvent.Kind.choices}
    )
