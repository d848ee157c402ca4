"""API tokens that do not outlive the credentials behind them (issue 20, finding 7).

* A token is **revoked** (deleted) when its user's password changes, when the account is deactivated, and when an
  administrator locks the whole account (``accountability.auth.account_lock``), whichever door the change comes
  through (a page, the admin, a command, a task): the signals below watch the user and the lock rows.
  A lock of one source address after others' failed logins revokes nothing: that would let an anonymous caller
  cut an officer off (finding 6).
* A token has a **lifetime**, ``QUANZE_API_TOKEN_DAYS`` (default 30) from its creation; after it the token is
  refused with a 401 ``{"code": "token_expired", …}`` and ``/api/auth/token/`` issues a new one.
* Under a whole-account lock a token is refused even if it survived (``account_locked``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from accountability.auth import is_locked
from accountability.models import AccountLock


def lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.QUANZE_API_TOKEN_DAYS)


def is_expired(token: Token) -> bool:
    return token.created <= timezone.now() - lifetime()


def token_for(user: Any) -> Token:
    """The user's token for ``/api/auth/token/``: the current one, or a new one when it has expired."""
    token = Token.objects.filter(user=user).first()
    if token is not None and is_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def revoke(user: Any) -> int:
    return Token.objects.filter(user=user).delete()[0]


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token past its lifetime or of a locked account (401, structured)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if is_expired(token):
            raise AuthenticationFailed(
                gettext_lazy("The API token has expired; ask for a new one at /api/auth/token/."), code="token_expired"
            )
        if is_locked(user):
            raise AuthenticationFailed(gettext_lazy("This account is locked."), code="account_locked")
        return user, token


# --- revocation, whichever door the change comes through ------------------------------------------------

_WATCHED = ("password", "is_active")


def _user_pre_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or kwargs.get("raw") or (update_fields and not set(update_fields) & set(_WATCHED)):
        instance._token_before = None
        return
    instance._token_before = sender.objects.filter(pk=instance.pk).values(*_WATCHED).first()


def _user_post_save(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_token_before", None)
    if created or before is None:
        return
    if before["password"] != instance.password or (before["is_active"] and not instance.is_active):
        revoke(instance)


def _lock_saved(sender: Any, instance: AccountLock, created: bool, **kwargs: Any) -> None:
    if created and instance.source_ip is None and not kwargs.get("raw"):
        revoke(instance.user)


def connect() -> None:
    user = get_user_model()
    pre_save.connect(_user_pre_save, sender=user, dispatch_uid="tokens_user_pre")
    post_save.connect(_user_post_save, sender=user, dispatch_uid="tokens_user_post")
    post_save.connect(_lock_saved, sender=AccountLock, dispatch_uid="tokens_lock")
