"""The second factor (TOTP) for leaders and other powerful roles: enrolment with recovery codes, a code used
once, throttling, re-authentication before changing it, the API refusing unverified sessions and tokens."""

from __future__ import annotations

import base64
import re
import time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accountability.models import AuditEvent, AuthEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def second_factor_on(settings):
    settings.QUANZE_REQUIRE_2FA = True


def code_for(device: TOTPDevice, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at or time.time()
    return f"{totp.token():06d}"


def log_in(client, officer):
    response = client.post("/", {"username": officer.user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def shown_key(page) -> TOTPDevice:
    """The key the enrolment page shows as text, as the authenticator app would hold it (an unsaved device)."""
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.content.decode()).group(1)
    return TOTPDevice(key=base64.b32decode(secret + "=" * (-len(secret) % 8)).hex())


def enrol(client, officer) -> list[str]:
    log_in(client, officer)
    page = client.get("/2fa/")
    assert page.status_code == 200
    done = client.post("/2fa/", {"code": code_for(shown_key(page))})
    return re.findall(r"<li><code>([^<]+)</code></li>", done.content.decode())


def test_the_enrolment_page_writes_no_row_and_the_code_for_its_key_enrols(world, client):
    log_in(client, world.president)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/2fa/")
        again = client.get("/2fa/")  # a reload shows the same key
    assert (page.status_code, again.status_code) == (200, 200)
    assert [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")] == []
    assert (TOTPDevice.objects.count(), StaticDevice.objects.count()) == (0, 0)
    key = shown_key(page).key
    assert shown_key(again).key == key
    wrong = client.post("/2fa/", {"code": "000000"})
    assert wrong.status_code == 400 and shown_key(wrong).key == key
    assert list(TOTPDevice.objects.values_list("key", "confirmed")) == [(key, False)]  # made by the code sent
    with time_machine.travel(time.time() + 5, tick=False):  # past the one-second delay after a wrong code
        done = client.post("/2fa/", {"code": code_for(shown_key(page))})
    assert done.status_code == 200
    assert len(re.findall(r"<li><code>([^<]+)</code></li>", done.content.decode())) == 10
    assert list(TOTPDevice.objects.values_list("user", "key", "confirmed")) == [(world.president.user.pk, key, True)]
    assert client.get("/cases/").status_code == 200


def test_a_leader_is_held_at_the_second_factor_until_enrolled_and_a_judge_is_not(world, client):
    log_in(client, world.president)
    assert client.get("/cases/")["Location"].startswith("/2fa/")
    assert client.get("/api/cases/").status_code == 403
    judge = APIClient()
    judge.post("/", {"username": "judge", "password": PASSWORD})
    assert judge.get("/cases/").status_code == 200
    codes = enrol(client, world.president)
    assert len(codes) == 10
    assert client.get("/cases/").status_code == 200 and client.get("/api/cases/").status_code == 200
    assert AuditEvent.objects.filter(object_type="second_factor", outcome="enrolled", username="president").exists()


def test_after_enrolment_each_login_needs_a_code_used_only_once(world, client):
    enrol(client, world.chief)
    client.post("/logout/")
    device = TOTPDevice.objects.get(user=world.chief.user, confirmed=True)
    with time_machine.travel(time.time() + 90, tick=False):
        log_in(client, world.chief)
        assert client.get("/cases/").status_code == 302
        code = code_for(device)
        assert client.post("/2fa/", {"code": code}).status_code == 302
        assert client.get("/cases/").status_code == 200
        client.post("/logout/")
        log_in(client, world.chief)
        refused = client.post("/2fa/", {"code": code})  # the same code again: refused
        assert refused.status_code == 400 and client.get("/cases/").status_code == 302


def test_wrong_codes_are_throttled_and_a_recovery_code_works_once(world, client):
    codes = enrol(client, world.inspector)
    client.post("/logout/")
    device = TOTPDevice.objects.get(user=world.inspector.user, confirmed=True)
    with time_machine.travel(time.time() + 90, tick=False):
        log_in(client, world.inspector)
        for _ in range(3):
            assert client.post("/2fa/", {"code": "000000"}).status_code == 400
        device.refresh_from_db()
        assert device.throttling_failure_count >= 1  # the delay doubles with each failure; tries meanwhile do not count
        assert client.post("/2fa/", {"code": code_for(device)}).status_code == 400  # throttled: even a good code
    with time_machine.travel(time.time() + 600, tick=False):
        assert client.post("/2fa/", {"code": codes[0]}).status_code == 302  # a recovery code
        client.post("/logout/")
        log_in(client, world.inspector)
        assert client.post("/2fa/", {"code": codes[0]}).status_code == 400  # used up


def test_changing_the_second_factor_asks_for_the_password_and_a_code(world, client):
    enrol(client, world.evaluator)
    device = TOTPDevice.objects.get(user=world.evaluator.user, confirmed=True)
    with time_machine.travel(time.time() + 90, tick=False):
        wrong = client.post("/2fa/reset/", {"password": "not-it", "code": code_for(device)})
        assert wrong.status_code == 400 and TOTPDevice.objects.filter(user=world.evaluator.user).exists()
        done = client.post("/2fa/reset/", {"password": PASSWORD, "code": code_for(device)})
        assert (
            done.status_code == 302
            and not TOTPDevice.objects.filter(user=world.evaluator.user, confirmed=True).exists()
        )
    assert client.get("/cases/")["Location"].startswith("/2fa/")


def test_api_tokens_of_these_roles_are_refused(world):
    token = Token.objects.create(user=world.president.user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/cases/")
    assert response.status_code == 403
    judge = APIClient()
    judge.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.judge.user).key}")
    assert judge.get("/api/cases/").status_code == 200


NEW_PASSWORD = "Plum-Orchard-Lantern-73"


def test_changing_the_password_asks_for_the_current_one_and_ends_other_sessions(world, client):
    log_in(client, world.judge)
    elsewhere = APIClient()
    log_in(elsewhere, world.judge)
    assert elsewhere.get("/cases/").status_code == 200
    page = client.get("/account/password/")
    assert page.status_code == 200 and 'name="code"' not in page.content.decode()  # a judge has no second factor

    wrong = client.post(
        "/account/password/", {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert wrong.status_code == 400 and "old_password" in wrong.context["form"].errors
    world.judge.user.refresh_from_db()
    assert world.judge.user.check_password(PASSWORD)
    assert AuditEvent.objects.filter(object_type="reauthentication", outcome="refused", username="judge").exists()
    assert AuthEvent.objects.filter(username="judge", kind="login_failed").count() == 1  # counts towards the lockout

    weak = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert weak.status_code == 400 and "new_password2" in weak.context["form"].errors
    world.judge.user.refresh_from_db()
    assert world.judge.user.check_password(PASSWORD)

    done = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    world.judge.user.refresh_from_db()
    assert world.judge.user.check_password(NEW_PASSWORD)
    assert client.get("/cases/").status_code == 200  # this session goes on
    assert elsewhere.get("/cases/").status_code == 302  # the other one has ended
    assert AuditEvent.objects.filter(object_type="password", outcome="changed", username="judge").exists()


def test_with_a_second_factor_the_password_change_needs_a_current_code_too(world, client):
    enrol(client, world.chief)
    device = TOTPDevice.objects.get(user=world.chief.user, confirmed=True)
    with time_machine.travel(time.time() + 90, tick=False):
        assert 'name="code"' in client.get("/account/password/").content.decode()
        data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        missing = client.post("/account/password/", data)
        assert missing.status_code == 400 and "code" in missing.context["form"].errors
        code = code_for(device)
        assert client.post("/account/password/", {**data, "code": code}).status_code == 302
        world.chief.user.refresh_from_db()
        assert world.chief.user.check_password(NEW_PASSWORD)
        again = {"old_password": NEW_PASSWORD, "new_password1": PASSWORD + "x", "new_password2": PASSWORD + "x"}
        replay = client.post("/account/password/", {**again, "code": code})  # the same code: used up
        assert replay.status_code == 400 and "code" in replay.context["form"].errors


def test_case_management_officers_need_the_second_factor_and_their_tokens_are_refused(world, client):
    """Issue 20, finding 9: the case-management office sees the whole register and every case of the court."""
    filing = world.filing
    assert "case_management" in filing.role_codes
    log_in(client, filing)
    assert client.get("/cases/")["Location"].startswith("/2fa/")
    token = Token.objects.create(user=filing.user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    refused = api.get("/api/cases/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    enrol(client, filing)
    assert client.get("/cases/").status_code == 200  # a verified session works
    assert api.get("/api/cases/").status_code == 403  # the token still carries no second factor
    asked = APIClient().post("/api/auth/token/", {"username": "filing", "password": PASSWORD}, format="json")
    assert asked.status_code == 403 and asked.json()["code"] == "second_factor_required"  # and none is issued
    assert "token" not in asked.json()
