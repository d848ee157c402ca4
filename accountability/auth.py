"""Sign-in rules: locks after failed logins (CJIS AC-7) that an anonymous caller cannot turn against the officer,
a 12-hour absolute session limit on top of the 30-minute idle timeout, and an audit of it all.

Failed logins (issue 20, finding 6):

* **Per account and source address.** Five failed passwords for an account from one address within 15 minutes
  lock that account *from that address* until an administrator unlocks it: the attacker's address is locked
  (AC-7), the officer's own workstation is not.
* **A progressive delay per account.** Once the account has had five failures within 15 minutes (from any
  addresses), each further attempt from an address the officer has not signed in from (in the last 90 days)
  must wait 1, 2, 4 … up to 60 seconds after the previous failure; an attempt before then is refused without the
  password being checked. A guesser spread over many addresses gets at most one guess a minute; the officer's
  known workstation does not wait.
* **Nothing ends an open session or a token because of others' failures.** Only a lock without a source address
  (an administrator's, ``account_lock``) shuts the whole account: its sessions, its sign-ins, its API tokens.

Attempts refused by a lock or the delay are recorded as failed logins marked ``refused`` and do not count
towards further locks. Written here rather than with django-axes because the events must land in our own
append-only audit table, and the lock keys and the delay are ours.
"""

from __future__ import annotations

import datetime as dt
import math
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
DELAY_MAX_SECONDS = 60
KNOWN_SOURCE_DAYS = 90
#: The source recorded for a lock when a failure came without a request (a shell, a command).
UNKNOWN_SOURCE = "0.0.0.0"  # noqa: S104 - a marker, not an address bound to
SESSION_STARTED = "quanze_auth_started_at"
#: Set on the request by the backend when it refuses an attempt without checking the password.
REFUSED = "_quanze_sign_in_refused"


def _ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def is_locked(user: Any) -> bool:
    """The whole account is locked (an administrator's lock): no session, sign-in or token works."""
    return bool(
        user
        and user.pk
        and AccountLock.objects.filter(user=user, unlocked_at__isnull=True, source_ip__isnull=True).exists()
    )


def is_locked_from(user: Any, source: str | None) -> bool:
    """Sign-in to the account from this address is locked (five failures from it), or the whole account is."""
    return AccountLock.objects.filter(user=user, unlocked_at__isnull=True, source_ip__in=[source or UNKNOWN_SOURCE])[
        :1
    ].exists() or is_locked(user)


def _failures(username: str, **where: Any) -> Any:
    """Failed passwords (not refused attempts) for the account within the window."""
    since = timezone.now() - FAILURE_WINDOW
    return AuthEvent.objects.filter(
        username=username, kind=AuthEvent.Kind.LOGIN_FAILED, at__gte=since, **where
    ).exclude(detail__has_key="refused")


def is_known_source(user: Any, source: str | None) -> bool:
    """The officer signed in from this address within the last 90 days (his workstation)."""
    if not source:
        return False
    since = timezone.now() - dt.timedelta(days=KNOWN_SOURCE_DAYS)
    return AuthEvent.objects.filter(
        username=user.get_username(), kind=AuthEvent.Kind.LOGIN, at__gte=since, source_ip=source
    ).exists()


def wait_seconds(user: Any, source: str | None) -> int:
    """How long an attempt on this account from this address must still wait (0: it may go ahead)."""
    failures = _failures(user.get_username())
    count = failures.count()
    if count < FAILURE_LIMIT or is_known_source(user, source):
        return 0
    last = failures.order_by("-at").values_list("at", flat=True)[0]
    delay = min(2 ** (count - FAILURE_LIMIT), DELAY_MAX_SECONDS)
    remaining = delay - (timezone.now() - last).total_seconds()
    return math.ceil(remaining) if remaining > 0 else 0


def refusal(user: Any, request: HttpRequest | None) -> str | None:
    """Why an attempt on ``user`` from this request is refused before its password is checked, if it is."""
    source = _ip(request)
    if is_locked_from(user, source):
        return "locked"
    if wait_seconds(user, source):
        return "delayed"
    return None


class LockAwareBackend(ModelBackend):
    """The model backend with the lockout rules, for the login form, the token endpoint and re-authentication
    alike: an attempt refused by a lock or the delay fails without its password being checked. Sessions are
    refused only under a lock of the whole account (``user_can_authenticate`` also serves ``get_user``)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        user = get_user_model().objects.filter(username=username).first() if username else None
        if user is not None:
            why = refusal(user, request)
            if why is not None:
                if request is not None:
                    setattr(request, REFUSED, why)
                return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and not is_locked(user)


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": gettext_lazy(
            "This account is locked after repeated failed logins. Ask an administrator to unlock it."
        ),
        "delayed": gettext_lazy(
            "There have been several failed logins to this account. Wait a minute before trying again."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            why = getattr(self.request, REFUSED, None)
            if why in ("locked", "delayed"):
                raise forms.ValidationError(self.error_messages[why], code=why) from None
            raise


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
    source = _ip(request)
    refused = getattr(request, REFUSED, None) if request is not None else None
    AuthEvent.objects.create(
        kind=AuthEvent.Kind.LOGIN_FAILED,
        username=username,
        user=user,
        source_ip=source,
        detail={"refused": refused} if refused else {},
    )
    if user is None or refused:
        return
    recent = _failures(username, source_ip=source).count()
    if recent >= FAILURE_LIMIT and not is_locked_from(user, source):
        try:
            with transaction.atomic():
                AccountLock.objects.create(
                    user=user,
                    source_ip=source or UNKNOWN_SOURCE,
                    reason=f"{recent} failed logins from {source or 'an unknown address'} within 15 minutes",
                )
        except IntegrityError:
            return  # locked meanwhile by a concurrent failure
        AuthEvent.objects.create(
            kind=AuthEvent.Kind.LOCKED, username=username, user=user, source_ip=source, detail={"scope": "source"}
        )


@transaction.atomic
def account_lock(*, user: Any, by: Any, reason: str) -> AccountLock:
    """An administrator locks the whole account: its sessions stop authenticating, its sign-ins are refused from
    every address and its API tokens are revoked (``accountability.tokens``), until ``account_unlock``."""
    lock = AccountLock.objects.filter(user=user, unlocked_at__isnull=True, source_ip__isnull=True).first()
    if lock is None:
        lock = AccountLock.objects.create(user=user, reason=reason[:200])
        AuthEvent.objects.create(
            kind=AuthEvent.Kind.LOCKED,
            username=user.get_username(),
            user=user,
            detail={"scope": "account", "by": by.get_username() if by else None},
        )
    return lock


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
            source_ip=lock.source_ip if lock.source_ip != UNKNOWN_SOURCE else None,
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
