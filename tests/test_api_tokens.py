"""Issue 20, finding 7: an API token does not outlive the credentials behind it: it is revoked when the password
changes, when an administrator locks the account and when the account is disabled; and it expires after
``QUANZE_API_TOKEN_DAYS`` (default 30) with a structured 401."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accountability.auth import account_lock, account_unlock
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Plum-Orchard-Lantern-73"


def api_with(token: Token | str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {getattr(token, 'key', token)}")
    return api


def issue(username: str = "judge", password: str = PASSWORD) -> str:
    response = APIClient().post("/api/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_a_password_change_revokes_the_token(world, client):
    key = issue()
    assert api_with(key).get("/api/cases/").status_code == 200
    client.post("/", {"username": "judge", "password": PASSWORD})
    done = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    refused = api_with(key).get("/api/cases/")
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_failed"
    assert not Token.objects.filter(key=key).exists()
    # any other door too (an administrator's reset, a command)
    second = issue(password=NEW_PASSWORD)
    world.judge.user.set_password(PASSWORD)
    world.judge.user.save()
    assert api_with(second).get("/api/cases/").status_code == 401


def test_an_administrators_lock_revokes_the_token_and_refuses_a_new_one(world, admin_user):
    key = issue()
    lock = account_lock(user=world.judge.user, by=admin_user, reason="suspected compromise")
    assert not Token.objects.filter(user=world.judge.user).exists()
    assert api_with(key).get("/api/cases/").status_code == 401
    refused = APIClient().post("/api/auth/token/", {"username": "judge", "password": PASSWORD}, format="json")
    assert refused.status_code == 401 and "token" not in refused.json()
    account_unlock(lock=lock, by=admin_user)
    assert api_with(issue()).get("/api/cases/").status_code == 200


def test_a_token_that_survived_a_lock_is_still_refused(world, admin_user):
    token = Token.objects.create(user=world.judge.user)
    account_lock(user=world.judge.user, by=admin_user, reason="x")
    Token.objects.create(key=token.key, user=world.judge.user)  # as if restored from a backup
    refused = api_with(token).get("/api/cases/")
    assert refused.status_code == 401 and refused.json()["code"] == "account_locked"


def test_disabling_the_account_deletes_its_token(world):
    token = Token.objects.create(user=world.judge.user)
    world.judge.user.is_active = False
    world.judge.user.save()
    assert not Token.objects.filter(pk=token.pk).exists()
    world.judge.user.is_active = True
    world.judge.user.save()
    assert api_with(token).get("/api/cases/").status_code == 401  # re-enabling does not bring it back


def test_a_token_expires_after_its_lifetime_with_a_structured_401(world):
    assert settings.QUANZE_API_TOKEN_DAYS == 30
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        key = issue()
    with time_machine.travel(now + dt.timedelta(days=29, hours=23), tick=False):
        assert api_with(key).get("/api/cases/").status_code == 200
        assert issue() == key  # the same token while it is valid
    with time_machine.travel(now + dt.timedelta(days=30, minutes=1), tick=False):
        expired = api_with(key).get("/api/cases/")
        assert expired.status_code == 401 and expired["WWW-Authenticate"] == "Token"
        assert expired.json() == {
            "code": "token_expired",
            "message": "API 令牌已过期，请通过 /api/auth/token/ 重新申请。",
        }
        fresh = issue()
        assert fresh != key and api_with(fresh).get("/api/cases/").status_code == 200


def test_the_lifetime_is_a_setting(world, settings):
    settings.QUANZE_API_TOKEN_DAYS = 7
    token = Token.objects.create(user=world.judge.user)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8), tick=False):
        assert api_with(token).get("/api/cases/").json()["code"] == "token_expired"
