"""Sign-in rules: lockout after 5 failed logins within 15 minutes (until an administrator unlocks),
a 12-hour absolute session limit on top of the 30-minute idle timeout, and an audit of it all.

Written here rather than with django-axes because the rule is a sliding 15-minute window with no
automatic cool-off, which axes does not express directly, and because the events must land in our
own append-only audit table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accountability.models import AccountLock, AuthEvent

FAILURE_LIMIT = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
SESSION_STARTED = "quanze_auth_started_at"


def _ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def is_locked(user: Any) -> bool:
    return bool(user and user.pk and AccountLock.objects.filter(user=user, unlocked_at__isnull=True).exists())


class LockAwareBackend(ModelBackend):
    """The model backend, refusing accounts under an open lock (login form and token endpoint alike)."""

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and not is_locked(user)


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": gettext_lazy(
            "This account is locked after repeated failed logins. Ask an administrator to unlock it."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        user = get_user_model().objects.filter(username=username).first() if username else None
        if user is not None and is_locked(user):
            user_login_failed.send(sender=__name__, credentials={"username": username}, request=self.request)
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        return super().clean()


@receiver(user_logged_in)
def _on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED] = timezone.now().timestamp()
    AuthEvent.objects.create(kind=AuthEvent.Kind.LOGIN, username=user.get_username(), user=user, source_ip=_ip(request))


@receiver(user_logged_out)
def _on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        AuthEvent.objects.create(
            kind=AuthEvent.Kind.LOGOUT, username=user.get_username(), user=user, source_ip=_ip(request)
        )


@receiver(user_login_failed)
def _on_failure(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    username = str(credentials.get("username") or "")[:150]
    user = get_user_model().objects.filter(username=username).first() if username else None
    AuthEvent.objects.create(kind=AuthEvent.Kind.LOGIN_FAILED, username=username, user=user, source_ip=_ip(request))
    if user is None or is_locked(user):
        return
    since = timezone.now() - FAILURE_WINDOW
    recent = AuthEvent.objects.filter(username=username, kind=AuthEvent.Kind.LOGIN_FAILED, at__gte=since).count()
    if recent >= FAILURE_LIMIT:
        try:
            with transaction.atomic():
                AccountLock.objects.create(user=user, reason=f"{recent} failed logins within 15 minutes")
        except IntegrityError:
            return  # locked meanwhile by a concurrent failure
        AuthEvent.objects.create(kind=AuthEvent.Kind.LOCKED, username=username, user=user, source_ip=_ip(request))


@transaction.atomic
def account_unlock(*, lock: AccountLock, by: Any) -> AccountLock:
    """An administrator lifts a lock (the failures stay in the audit)."""
    if lock.unlocked_at is None:
        lock.unlocked_at, lock.unlocked_by = timezone.now(), by
        lock.save(update_fields=["unlocked_at", "unlocked_by"])
        AuthEvent.objects.create(
            kind=AuthEvent.Kind.UNLOCKED,
            username=lock.user.get_username(),
            user=lock.user,
            detail={"by": by.get_username() if by else None},
        )
    return lock


class SessionLimitMiddleware:
    """End a session 12 hours after sign-in, however active it has been (the idle limit is the cookie's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            limit = settings.SESSION_ABSOLUTE_SECONDS
            if started is None or timezone.now().timestamp() - float(started) > limit:
                AuthEvent.objects.create(
                    kind=AuthEvent.Kind.SESSION_EXPIRED, username=user.get_username(), user=user, source_ip=_ip(request)
                )
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, _("Your session reached its time limit; please log in again."))
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
        return self.get_response(request)
