"""The security audit (CJIS AU-2/AU-3): reads of proceedings and interference records, refused ones too;
account, role and admin changes with who made them; append-only; readable by auditors only."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accountability.models import AppendOnlyError, AuditEvent
from accountability.powers import power_decide
from tests.factories import PASSWORD, make_officer

pytestmark = pytest.mark.django_db


def _proceeding(world):
    from discipline import services

    lead = services.lead_register(actor=world.inspector, officer=world.judge, source="complaint", summary="投诉")
    return services.lead_open(actor=world.inspector, lead=lead, allegation="涉嫌违反法定程序")


def test_every_read_of_a_proceeding_is_audited_refused_ones_too(world, client):
    proceeding = _proceeding(world)
    client.force_login(world.judge.user)
    client.get(f"/discipline/{proceeding.public_id}/", REMOTE_ADDR="10.1.2.3")
    client.force_login(world.judge2.user)
    assert client.get(f"/discipline/{proceeding.public_id}/").status_code == 404
    reads = list(AuditEvent.objects.filter(kind="read", object_id=str(proceeding.public_id)).order_by("pk"))
    assert [(e.username, e.outcome) for e in reads] == [("judge", "allowed"), ("judge2", "refused")]
    assert reads[0].source_ip == "10.1.2.3" and reads[0].at.tzinfo is not None
    granted = AuditEvent.objects.get(kind="permission", object_id=str(proceeding.public_id))
    assert set(granted.detail["to"]) == {"inspector", "judge"}


def test_reading_an_interference_record_is_audited(world, client):
    from interference import services as interference

    record = interference.record_interference(
        actor=world.judge,
        case=world.case(),
        source_kind="party",
        person_name="张某",
        occurred_at=timezone.now(),
        channel="phone",
        content="询问进展",
        handling="告知依法办理",
    )
    client.force_login(world.inspector.user)
    client.get(f"/cases/interference/{record.public_id}/")
    client.get("/cases/interference/export.xlsx")
    events = AuditEvent.objects.filter(object_type="interference_record", username="inspector")
    assert {e.object_id for e in events} >= {str(record.public_id), "export"}


def test_account_role_and_admin_changes_are_audited(world, client):
    from accountability.services import officer_save

    officer_save(officer=world.judge2, roles=["judge", "division_chief"])
    roles = AuditEvent.objects.filter(kind="permission", object_type="officer_roles", object_id="judge2")
    assert any(e.detail["roles"] == ["division_chief"] and e.detail["action"] == "add" for e in roles)
    user = world.judge2.user
    user.is_active = False
    user.save()
    account = AuditEvent.objects.filter(kind="account", object_id="judge2").latest("pk")
    assert account.detail == {"is_active": [True, False]}
    user.set_password("another-long-password-2026")
    user.save()
    assert AuditEvent.objects.filter(kind="account", object_id="judge2").latest("pk").detail == {"password": "changed"}
    world.admin.user.is_staff = world.admin.user.is_superuser = True
    world.admin.user.save()
    client.force_login(world.admin.user)
    response = client.post(
        "/admin/discipline/committee/add/",
        {
            "organisation": world.high.pk,
            "name": "惩戒委员会",
            "committeemember_set-TOTAL_FORMS": "0",
            "committeemember_set-INITIAL_FORMS": "0",
            "committeemember_set-MIN_NUM_FORMS": "0",
            "committeemember_set-MAX_NUM_FORMS": "1000",
        },
        REMOTE_ADDR="10.9.9.9",
    )
    assert response.status_code == 302
    privileged = AuditEvent.objects.get(kind="privileged")
    assert (privileged.username, privileged.object_type, privileged.detail["object"]) == (
        "sysadmin",
        "admin:committee",
        "惩戒委员会",
    )


def test_the_audit_is_append_only(world):
    event = AuditEvent.objects.create(kind="read", object_type="x", object_id="1", outcome="allowed")
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    if connection.vendor == "postgresql":
        from django.db import DatabaseError, transaction

        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(outcome="refused")


def test_only_auditors_read_the_audit_and_they_cannot_work_cases(world, client):
    auditor = make_officer("auditor1", roles=["auditor"], organisation=world.high)
    _proceeding(world)
    client.force_login(world.president.user)
    assert client.get("/audit/").status_code == 404
    client.force_login(auditor.user)
    page = client.get("/audit/", {"kind": "permission"})
    assert page.status_code == 200 and "proceeding" in page.content.decode()
    refused = power_decide(officer=auditor, action_type="note", case=world.case())
    assert not refused.allowed and refused.item.code == "AUD-N1"
    assert dt.timedelta(days=365)  # retention: nothing deletes audit rows (append-only, no purge task)


def test_a_disabled_or_dormant_account_loses_its_session_and_its_token(world, client):
    import time_machine
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from accountability.services import accounts_disable_dormant

    client.force_login(world.judge.user)
    assert client.get("/cases/").status_code == 200
    token = Token.objects.create(user=world.judge2.user)
    world.judge.user.is_active = False
    world.judge.user.save()
    assert client.get("/cases/").status_code == 302  # the session no longer authenticates
    world.judge2.user.last_login = timezone.now()
    world.judge2.user.save()
    with time_machine.travel(timezone.now() + dt.timedelta(days=91)):
        disabled = accounts_disable_dormant()
    assert "judge2" in disabled and "judge" not in disabled  # judge was already disabled
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/cases/").status_code == 401
    assert AuditEvent.objects.filter(kind="account", object_id="judge2", detail={"is_active": [True, False]}).exists()


def test_retention_a_year_on_every_scheduled_task_has_run_and_no_audit_record_is_gone(world, client, settings):
    """CJIS AU-11: audit records are kept at least a year. Nothing in the system purges them: run every task of
    the beat schedule more than a year later, and every audit, sign-in and trace record is still there."""
    from accountability.celery import app
    from accountability.models import AuthEvent
    from cases.models import Action

    client.post("/", {"username": "judge", "password": "wrong"})
    client.post("/", {"username": "judge", "password": PASSWORD})
    _proceeding(world)
    world.case()
    counts = (AuditEvent.objects.count(), AuthEvent.objects.count(), Action.objects.count())
    assert all(counts)
    with time_machine.travel(timezone.now() + dt.timedelta(days=400), tick=False):
        app.loader.import_default_modules()
        for entry in settings.CELERY_BEAT_SCHEDULE.values():
            app.tasks[entry["task"]].apply().get()
    assert (AuditEvent.objects.count(), AuthEvent.objects.count(), Action.objects.count()) >= counts
