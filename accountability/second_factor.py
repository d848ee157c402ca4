"""A second factor (TOTP, RFC 6238, through django-otp) for the people whose accounts can do the most harm:
leaders, the case-management office, evaluators, committee members, inspectors, administrators and auditors
(CJIS IA-2(1), ASVS V2.7–2.8).

* After the password, such a user is sent to ``/2fa/`` until the session is verified: enrolment the first time
  (a secret shown as text and as a QR code, confirmed by a code, then ten single-use recovery codes shown
  once), a code from the app or a recovery code afterwards.
* A code is accepted once (django-otp keeps the last time step used); wrong codes are throttled, the delay
  doubling with each failure.
* Changing the second factor, or the password (``/account/password/``), asks for the password and a current
  code again (``reauthenticate``).
* API tokens cannot carry a verified second factor: these roles' tokens are refused (403
  ``second_factor_required``, whether or not the factor is set up); they use the API through a verified session.

``QUANZE_REQUIRE_2FA`` is on unless DEBUG; the test settings turn it off and the tests of this module on.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key
from rest_framework.permissions import BasePermission

from accountability.audit import audit
from accountability.choices import RoleCode
from accountability.models import AuditEvent

ROLES = frozenset(
    {
        RoleCode.PRESIDENT,
        RoleCode.VICE_PRESIDENT,
        RoleCode.DIVISION_CHIEF,
        RoleCode.CASE_MANAGEMENT,  # the whole register and every case of the court (issue 20, finding 9)
        RoleCode.EVALUATOR,
        RoleCode.COMMITTEE_MEMBER,
        RoleCode.INSPECTOR,
        RoleCode.ADMINISTRATOR,
        RoleCode.AUDITOR,
    }
)
RECOVERY_CODES = 10
#: The session's key of the secret shown on the enrolment page until a code confirms it.
ENROL_KEY = "second_factor_enrol_key"
#: Paths a user waiting for the second factor may still open.
OPEN_PATHS = ("/2fa/", "/logout/", "/i18n/", "/static/", "/favicon.ico")


def needs_second_factor(user: Any) -> bool:
    if not settings.QUANZE_REQUIRE_2FA or not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    officer = getattr(user, "officer", None)
    return officer is not None and bool(ROLES & set(officer.role_codes))


def verified(user: Any) -> bool:
    return bool(getattr(user, "is_verified", lambda: False)())


class SecondFactorMiddleware:
    """After django-otp's middleware: a user who needs the second factor reaches nothing but ``/2fa/`` until the
    session is verified (an API call through such a session gets a 403 saying so)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if not path.startswith(OPEN_PATHS) and needs_second_factor(request.user) and not verified(request.user):
            if path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "second_factor_required",
                        "message": str(_("Verify your second factor in the browser first.")),
                    },
                    status=403,
                )
            return redirect(f"{reverse('second-factor')}?next={request.get_full_path()}")
        return self.get_response(request)


class SecondFactorVerified(BasePermission):
    """The API's side: token-authenticated calls of these roles are refused (a token carries no second factor)."""

    message = gettext_lazy("This account needs a verified second factor; use the API through a verified session.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return not needs_second_factor(request.user) or verified(request.user)


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=16, strip=True)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if ok and target.startswith("/") else reverse("home")


def _confirmed(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Enrol (the first time) or verify (afterwards)."""
    user = request.user
    if verified(user):
        return redirect(_next(request))
    device = _confirmed(user)
    form = CodeForm(request.POST or None)
    if device is None:
        pending = _shown(request)
        if request.method == "POST" and form.is_valid():
            pending, _created = TOTPDevice.objects.get_or_create(
                user=user, key=pending.key, confirmed=False, defaults={"name": pending.name}
            )  # the row is made by the first code sent for the key; it carries the throttle from then on
            if pending.verify_token(form.cleaned_data["code"]):
                codes = _enrol(request, pending)
                return render(
                    request, "accountability/second_factor_codes.html", {"codes": codes, "next": _next(request)}
                )
            form.add_error("code", _("The code does not match. Check the time on your phone and try the next code."))
        import segno

        uri = pending.config_url
        return render(
            request,
            "accountability/second_factor_enrol.html",
            {
                "form": form,
                "secret": _base32(pending.bin_key),
                "uri": uri,
                "qr": segno.make(uri, error="m").svg_data_uri(scale=4),
                "next": _next(request),
            },
            status=400 if form.errors else 200,
        )
    if request.method == "POST" and form.is_valid():
        matched = match_token(user, form.cleaned_data["code"])
        if matched is not None:
            otp_login(request, matched)
            audit(
                kind=AuditEvent.Kind.ACCOUNT,
                object_type="second_factor",
                object_id=user.get_username(),
                outcome="verified",
                request=request,
                detail={"device": matched.persistent_id.split("/")[0]},
            )
            return redirect(_next(request))
        audit(
            kind=AuditEvent.Kind.ACCOUNT,
            object_type="second_factor",
            object_id=user.get_username(),
            outcome="refused",
            request=request,
        )
        form.add_error(
            "code", _("The code is wrong, already used, or too many attempts were made: wait and try again.")
        )
    return render(
        request,
        "accountability/second_factor_verify.html",
        {"form": form, "next": _next(request)},
        status=400 if form.errors else 200,
    )


def _shown(request: HttpRequest) -> TOTPDevice:
    """The device the enrolment page shows, unsaved: its key lives in the session from the first view of the page
    (the same key on a reload) until the code that confirms it, so looking at the page writes no row."""
    key = request.session.get(ENROL_KEY)
    if key is None:
        key = request.session[ENROL_KEY] = default_key()
    return TOTPDevice(user=request.user, name="totp", key=key, confirmed=False)


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")


@transaction.atomic
def _enrol(request: HttpRequest, device: TOTPDevice) -> list[str]:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=request.user, confirmed=False).exclude(pk=device.pk).delete()  # older keys
    request.session.pop(ENROL_KEY, None)
    static, _created = StaticDevice.objects.get_or_create(user=request.user, name="recovery")
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    otp_login(request, device)
    audit(
        kind=AuditEvent.Kind.ACCOUNT,
        object_type="second_factor",
        object_id=request.user.get_username(),
        outcome="enrolled",
        request=request,
    )
    return codes


def reauthenticate(
    request: HttpRequest, form: forms.Form, *, knowledge_field: str = "password", possession_field: str = "code"
) -> bool:
    """Before a change to how someone signs in, they prove again who they are (ASVS 2.5.x, CJIS IA-11): the
    password (a wrong one counts towards the lockout, like a failed login) and, where they have a second
    factor, a current code, used up by this check. Errors go on the form's fields; False if any."""
    user = request.user
    again = authenticate(request, username=user.get_username(), password=form.cleaned_data[knowledge_field])
    if again is None or again.pk != user.pk:
        form.add_error(knowledge_field, _("The password is wrong."))
    elif possession_field in form.fields:  # present when the user has a second factor
        if not form.cleaned_data.get(possession_field):
            form.add_error(possession_field, _("Enter a current code from your authenticator app."))
        elif match_token(user, form.cleaned_data[possession_field]) is None:
            form.add_error(possession_field, _("The code is wrong or already used."))
    if form.errors:
        audit(
            kind=AuditEvent.Kind.ACCOUNT,
            object_type="reauthentication",
            object_id=user.get_username(),
            outcome="refused",
            request=request,
            detail={"fields": sorted(form.errors)},
        )
        return False
    return True


class ResetForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)
    code = forms.CharField(label=gettext_lazy("A current code"), max_length=16)


@login_required
def second_factor_reset(request: HttpRequest) -> HttpResponse:
    """Changing the second factor (a new phone): the password and a current code again, then enrol anew."""
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        if reauthenticate(request, form):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user).delete()
                StaticDevice.objects.filter(user=user).delete()
                audit(
                    kind=AuditEvent.Kind.ACCOUNT,
                    object_type="second_factor",
                    object_id=user.get_username(),
                    outcome="reset",
                    request=request,
                )
            request.session.pop("otp_device_id", None)
            return redirect("second-factor")
    return render(
        request, "accountability/second_factor_reset.html", {"form": form}, status=400 if form.errors else 200
    )


class PasswordChangeForm(SetPasswordForm):
    """The current password (and a current code, for those with a second factor), then the new one twice,
    checked by the password validators (length, likeness to the name, common and numeric passwords)."""

    old_password = forms.CharField(label=gettext_lazy("Current password"), strip=False, widget=forms.PasswordInput)
    code = forms.CharField(label=gettext_lazy("A current code"), max_length=16, required=False)
    field_order = ["old_password", "code", "new_password1", "new_password2"]


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """修改密码. Other sessions of the account end (the session hash changes); this one goes on."""
    form = PasswordChangeForm(request.user, request.POST or None)
    needs_code = _confirmed(request.user) is not None
    if not needs_code:
        del form.fields["code"]
    if request.method == "POST" and form.is_valid() and reauthenticate(request, form, knowledge_field="old_password"):
        with transaction.atomic():
            form.save()
            audit(
                kind=AuditEvent.Kind.ACCOUNT,
                object_type="password",
                object_id=request.user.get_username(),
                outcome="changed",
                request=request,
            )
        update_session_auth_hash(request, form.user)
        messages.success(request, _("Your password has been changed. Your other sessions have ended."))
        return redirect("home")
    return render(
        request,
        "accountability/password_change.html",
        {"form": form, "needs_code": needs_code},
        status=400 if form.errors else 200,
    )
