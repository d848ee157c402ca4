"""Issue 20, finding 6: an anonymous caller who knows a login name must not end the officer's session nor deny him
his own sign-in from his own workstation, while the attacker still meets CJIS AC-7 (five failures in 15 minutes
lock further attempts from him)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from rest_framework.authtoken.models import Token

from accountability.auth import account_unlock
from accountability.models import AccountLock, AuthEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
WORKSTATION = "10.1.2.3"
ATTACKER = "203.0.113.66"


def sign_in(client: Client, password: str, username: str = "president"):
    return client.post("/", {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_five_anonymous_failures_neither_end_the_presidents_session_nor_lock_him_out_of_his_workstation(world):
    president = Client(REMOTE_ADDR=WORKSTATION)
    with time_machine.travel(T0, tick=False):
        assert sign_in(president, PASSWORD).status_code == 302
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for second in range(6):
        with time_machine.travel(T0 + dt.timedelta(minutes=1, seconds=second * 10), tick=False):
            sign_in(attacker, "guess")
    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False):
        page = president.get("/home/")
        assert page.status_code == 200 and page.wsgi_request.user == world.president.user  # the session lives on
        again = Client(REMOTE_ADDR=WORKSTATION)
        assert sign_in(again, PASSWORD).status_code == 302 and signed_in(again)  # and his workstation signs in
    token = Token.objects.create(user=world.judge.user)
    judge_attacker = Client(REMOTE_ADDR=ATTACKER)
    for _attempt in range(5):
        sign_in(judge_attacker, "guess", username="judge")
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/cases/").status_code == 200  # nor do others' failures cost the judge his API token


def test_the_attackers_address_is_locked_after_five_failures_in_15_minutes_until_an_administrator_unlocks(
    world, admin_user
):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for minute in range(5):
        with time_machine.travel(T0 + dt.timedelta(minutes=minute * 3), tick=False):
            sign_in(attacker, "guess")
    lock = AccountLock.objects.get(user=world.president.user)
    assert lock.source_ip == ATTACKER
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):  # no cool-off for the attacker
        refused = sign_in(attacker, PASSWORD)  # even the right password
        assert "该账号因多次登录失败已被锁定" in refused.content.decode() and not signed_in(attacker)
        token = Client(REMOTE_ADDR=ATTACKER).post(
            "/api/auth/token/", {"username": "president", "password": PASSWORD}, content_type="application/json"
        )
        assert token.status_code == 401 and "token" not in token.json()
        assert sign_in(Client(REMOTE_ADDR=WORKSTATION), PASSWORD).status_code == 302  # another address may
        account_unlock(lock=lock, by=admin_user)
        assert sign_in(attacker, PASSWORD).status_code == 302
    events = AuthEvent.objects.filter(username="president", source_ip=ATTACKER).order_by("at", "pk")
    kinds = list(events.values_list("kind", flat=True))
    assert kinds[:6] == ["login_failed"] * 5 + ["locked"]
    refused_events = events.filter(kind="login_failed", detail__refused="locked")
    assert refused_events.count() == 2  # the form's and the token endpoint's, recorded but not counted


def test_a_guesser_spread_over_many_addresses_is_slowed_but_the_officers_workstation_is_not(world):
    with time_machine.travel(T0 - dt.timedelta(days=3), tick=False):
        sign_in(Client(REMOTE_ADDR=WORKSTATION), PASSWORD)  # his workstation: he signed in from it before
    for n in range(7):  # seven addresses, one guess each, ten seconds apart
        with time_machine.travel(T0 + dt.timedelta(seconds=10 * n), tick=False):
            sign_in(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), "guess")
    assert not AccountLock.objects.exists()  # no address reached five
    assert not AuthEvent.objects.filter(detail__has_key="refused").exists()  # each came after its delay
    # seven failures: the next unknown address waits 2 ** (7 - 5) = 4 s after the last failure (at T0 + 60 s)
    with time_machine.travel(T0 + dt.timedelta(seconds=62), tick=False):
        early = Client(REMOTE_ADDR="198.51.100.200")
        response = sign_in(early, PASSWORD)  # refused before the password is looked at
        assert not signed_in(early) and "请稍候一分钟再试" in response.content.decode()
        assert AuthEvent.objects.filter(source_ip="198.51.100.200", detail__refused="delayed").count() == 1
        mine = Client(REMOTE_ADDR=WORKSTATION)
        assert sign_in(mine, PASSWORD).status_code == 302 and signed_in(mine)  # his workstation does not wait
    with time_machine.travel(T0 + dt.timedelta(seconds=65), tick=False):
        late = Client(REMOTE_ADDR="198.51.100.200")
        assert sign_in(late, PASSWORD).status_code == 302 and signed_in(late)  # the delay has passed
