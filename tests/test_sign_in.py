"""Sign-in rules: lockout after 5 failures within 15 minutes until an administrator unlocks, the
30-minute idle and 12-hour absolute session limits, and the audit of each event."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from accountability.auth import account_unlock
from accountability.models import AccountLock, AuthEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def attempt(client: Client, password: str):
    return client.post("/", {"username": "judge", "password": password})


def test_five_failures_within_15_minutes_lock_until_an_administrator_unlocks(world, admin_user):
    client = Client()
    for minute in range(5):
        with time_machine.travel(T0 + dt.timedelta(minutes=minute * 3), tick=False):
            attempt(client, "wrong")
    lock = AccountLock.objects.get(user=world.judge.user)
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):  # no cool-off: still locked
        response = attempt(client, PASSWORD)
        assert "该账号因多次登录失败已被锁定" in response.content.decode()
        assert "_auth_user_id" not in client.session
        token = Client().post(
            "/api/auth/token/", {"username": "judge", "password": PASSWORD}, content_type="application/json"
        )
        assert token.status_code == 401  # the API refuses the locked account too
        assert token.json()["code"] == "invalid_credentials"
        assert "token" not in token.json()
        account_unlock(lock=lock, by=admin_user)
        assert attempt(client, PASSWORD).status_code == 302
    kinds = list(AuthEvent.objects.filter(username="judge").order_by("at", "pk").values_list("kind", flat=True))
    assert kinds[:6] == ["login_failed"] * 5 + ["locked"]
    assert kinds[-2:] == ["unlocked", "login"]


def test_failures_spread_over_more_than_15_minutes_do_not_lock(world):
    client = Client()
    for minute in (0, 5, 10, 14, 16):  # the first has left the window when the fifth comes
        with time_machine.travel(T0 + dt.timedelta(minutes=minute), tick=False):
            attempt(client, "wrong")
    assert not AccountLock.objects.exists()


def test_idle_timeout_after_30_minutes(world):
    client = Client()
    with time_machine.travel(T0, tick=False):
        attempt(client, PASSWORD)
    with time_machine.travel(T0 + dt.timedelta(minutes=29), tick=False):
        assert client.get("/home/").status_code == 200
    with time_machine.travel(T0 + dt.timedelta(minutes=29 + 31), tick=False):
        assert client.get("/home/").status_code == 302


def test_absolute_limit_after_12_hours_even_when_active(world):
    client = Client()
    with time_machine.travel(T0, tick=False):
        attempt(client, PASSWORD)
    for step in range(1, 36):  # active every 20 minutes for 11h40
        with time_machine.travel(T0 + dt.timedelta(minutes=20 * step), tick=False):
            assert client.get("/home/").status_code == 200
    with time_machine.travel(T0 + dt.timedelta(hours=12, minutes=1), tick=False):
        response = client.get("/home/")
    assert (response.status_code, response.url) == (302, "/?next=/home/")
    assert AuthEvent.objects.filter(kind="session_expired", username="judge").count() == 1


def test_logout_is_recorded(world):
    client = Client()
    attempt(client, PASSWORD)
    client.post("/logout/")
    assert list(AuthEvent.objects.filter(username="judge").order_by("pk").values_list("kind", flat=True)) == [
        "login",
        "logout",
    ]


@pytest.mark.postgres
def test_the_sign_in_audit_is_append_only_on_postgres(world):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    Client().post("/", {"username": "judge", "password": "wrong"})
    event = AuthEvent.objects.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accountability_authevent SET username = 'someone' WHERE id = %s", [event.pk])
