"""Issue 20, finding 8: roles that open protected data (inspector, auditor, administrator, case-management office)
and staff / superuser status need a second administrator's approval and can never be granted to oneself — through
the service and through the admin alike."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from accountability.audit import AuditUserMiddleware
from accountability.errors import PowerDenied
from accountability.grants import GrantRefused, SelfGrant, role_grant_approve, role_grant_refuse, role_grant_request
from accountability.models import AuditEvent, Officer, RoleGrant
from tests.factories import make_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(world):
    """Two administrators with admin-site access (made at set-up, outside any request: the operator's door)."""
    made = []
    for officer_id in ("admin_a", "admin_b"):
        officer = make_officer(officer_id, roles=["administrator"], organisation=world.court)
        officer.user.is_staff = officer.user.is_superuser = True
        officer.user.save()
        made.append(officer)
    return made


def roles_of(officer: Officer) -> set[str]:
    return set(Officer.objects.get(pk=officer.pk).roles.values_list("code", flat=True))


def officer_form(officer: Officer, roles: list[str]) -> dict:
    return {
        "user": officer.user_id,
        "officer_id": officer.officer_id,
        "name": officer.name,
        "organisation": officer.organisation_id,
        "department": officer.department_id or "",
        "roles": roles,
        "post": officer.post,
        "is_quota": "on" if officer.is_quota else "",
    }


def admin_client(officer: Officer) -> Client:
    client = Client()
    client.force_login(officer.user)
    return client


def test_an_administrator_cannot_give_himself_the_inspector_role_in_the_admin(world, admins):
    me = admins[0]
    page = admin_client(me).post(
        f"/admin/accountability/officer/{me.pk}/change/", officer_form(me, ["administrator", "inspector"])
    )
    assert page.status_code == 200  # the form again, with the refusal
    assert "不得为自己授予" in page.content.decode()
    assert roles_of(me) == {"administrator"} and not RoleGrant.objects.exists()
    with pytest.raises(SelfGrant):
        role_grant_request(user=me.user, role="inspector", by=me.user)


def test_a_role_given_in_the_admin_waits_for_a_second_administrator(world, admins):
    first, second = admins
    judge = world.judge
    response = admin_client(first).post(
        f"/admin/accountability/officer/{judge.pk}/change/", officer_form(judge, ["judge", "inspector"])
    )
    assert response.status_code == 302
    assert roles_of(judge) == {"judge"}  # not yet
    grant = RoleGrant.objects.get(user=judge.user, role="inspector", status="pending")
    assert grant.requested_by == first.user
    approve = {"action": "approve", "_selected_action": [grant.pk]}
    admin_client(first).post("/admin/accountability/rolegrant/", approve)  # the one who asked cannot approve
    assert roles_of(judge) == {"judge"}
    grant.refresh_from_db()
    assert grant.status == "pending"
    admin_client(second).post("/admin/accountability/rolegrant/", approve)
    assert roles_of(judge) == {"judge", "inspector"}
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by) == ("approved", second.user)
    outcomes = AuditEvent.objects.filter(object_type="role_grant", object_id=str(grant.pk))
    assert sorted(outcomes.values_list("outcome", flat=True)) == ["approved", "requested"]


def test_the_service_refuses_self_grants_self_approval_and_non_administrators(world, admins):
    first, second = admins
    grant = role_grant_request(user=world.judge.user, role="auditor", by=first.user)
    with pytest.raises(SelfGrant):
        role_grant_approve(grant=grant, by=first.user)  # the asker
    with pytest.raises(PowerDenied):
        role_grant_approve(grant=grant, by=world.chief.user)  # not an administrator
    for_second = role_grant_request(user=second.user, role="inspector", by=first.user)
    with pytest.raises(SelfGrant):
        role_grant_approve(grant=for_second, by=second.user)  # the grantee
    role_grant_refuse(grant=for_second, by=world.admin.user)
    assert "inspector" not in roles_of(second)
    with pytest.raises(PowerDenied):
        role_grant_request(user=world.judge.user, role="case_management", by=world.judge2.user)
    assert "auditor" not in roles_of(world.judge)
    role_grant_approve(grant=grant, by=second.user)
    assert "auditor" in roles_of(world.judge)


def test_superuser_status_cannot_be_set_in_the_user_admin_and_is_granted_by_two(world, admins):
    first, second = admins
    judge_user = world.judge.user
    form = {
        "username": judge_user.username,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "first_name": "",
        "last_name": "",
        "email": "",
    }
    admin_client(first).post(f"/admin/auth/user/{judge_user.pk}/change/", form)
    judge_user.refresh_from_db()
    assert not judge_user.is_superuser and not judge_user.is_staff
    with pytest.raises(SelfGrant):
        role_grant_request(user=first.user, role="superuser", by=first.user)
    add = "/admin/accountability/rolegrant/add/"
    mine = admin_client(first).post(add, {"user": first.user_id, "role": "superuser", "reason": ""})
    assert mine.status_code == 200 and "不得为自己授予" in mine.content.decode()  # refused on the form
    asked = admin_client(first).post(add, {"user": judge_user.pk, "role": "superuser", "reason": "值班管理员"})
    assert asked.status_code == 302
    grant = RoleGrant.objects.get(user=judge_user, role="superuser", status="pending", requested_by=first.user)
    listing = admin_client(second).get("/admin/accountability/rolegrant/")
    assert listing.status_code == 200 and "超级用户" in listing.content.decode()
    judge_user.refresh_from_db()
    assert not judge_user.is_superuser  # not before the second administrator
    admin_client(second).post("/admin/accountability/rolegrant/", {"action": "approve", "_selected_action": [grant.pk]})
    judge_user.refresh_from_db()
    assert judge_user.is_superuser and judge_user.is_staff


def test_no_other_door_writes_a_protected_role_while_serving_a_request(world, admins, rf):
    request = rf.get("/")
    request.user = admins[0].user

    def sneak(_request):
        world.judge.roles.add("inspector")

    with pytest.raises(GrantRefused), transaction.atomic():
        AuditUserMiddleware(sneak)(request)
    assert "inspector" not in roles_of(world.judge)
    users = get_user_model()

    def promote(_request):
        user = users.objects.get(pk=world.judge.user_id)
        user.is_superuser = True
        user.save()

    with pytest.raises(GrantRefused), transaction.atomic():
        AuditUserMiddleware(promote)(request)
    assert not users.objects.get(pk=world.judge.user_id).is_superuser
