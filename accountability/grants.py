"""Granting what opens protected data takes two administrators (issue 20, finding 8; four-eyes, CJIS AC-5).

The roles that open protected data (``PROTECTED_ROLES``: inspector — every interference record; auditor — the
audit; administrator; case-management office — the whole register) and the ``staff`` / ``superuser`` flags are
never given directly by a person:

1. an administrator asks for the grant (``role_grant_request``): a pending ``RoleGrant``;
2. a *second* administrator approves it (``role_grant_approve``), and only then is the role or flag given.

Nobody can ask for, or approve, a grant to himself, and the one who asked cannot approve. Taking a role away is
immediate (it opens nothing). Every step is in the security audit.

The admin goes through these services (the officer form turns new protected roles into requests; the user form
shows the flags read-only), and a guard refuses any other write of a protected role or flag made while serving a
web request. Outside a request (the demo, ``manage.py`` imports, tests' set-up) the operator of the machine is
trusted, as he is with the database itself.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accountability.audit import _current_user, audit
from accountability.choices import RoleCode
from accountability.errors import Conflict, DomainError, PowerDenied, ValidationFailed
from accountability.models import AuditEvent, Officer, Role, RoleGrant

PROTECTED_ROLES = frozenset({RoleCode.INSPECTOR, RoleCode.AUDITOR, RoleCode.ADMINISTRATOR, RoleCode.CASE_MANAGEMENT})
#: Grantable user flags: the grant's role code → the user field it sets.
FLAGS = {"staff": "is_staff", "superuser": "is_superuser"}
FLAG_LABELS = {"staff": gettext_lazy("Staff (admin site access)"), "superuser": gettext_lazy("Superuser")}


class SelfGrant(PowerDenied):
    code = "self_grant"


class GrantRefused(DomainError):
    """A protected role or flag written outside the grant services while serving a request."""

    code = "grant_required"
    http_status = 403


def grantable_choices() -> list[tuple[str, Any]]:
    roles = [(code, RoleCode(code).label) for code in sorted(PROTECTED_ROLES)]
    return roles + list(FLAG_LABELS.items())


def is_administrator(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    officer = Officer.objects.filter(user=user).first()
    return user.is_superuser or (officer is not None and officer.has_role(RoleCode.ADMINISTRATOR))


def holds(user: Any, role: str) -> bool:
    if role in FLAGS:
        return bool(getattr(user, FLAGS[role]))
    return Officer.objects.filter(user=user, roles=role).exists()


def role_grant_check(*, user: Any, role: str, by: Any) -> None:
    """Why ``by`` may not ask for ``role`` for ``user`` (raises), for the services and the admin form alike."""
    if role not in PROTECTED_ROLES and role not in FLAGS:
        raise ValidationFailed(_("This role needs no approval."), details={"role": [_("This role needs no approval.")]})
    if not is_administrator(by):
        raise PowerDenied(_("Only an administrator may ask for this role to be granted."))
    if user.pk == by.pk:
        raise SelfGrant(_("Nobody may grant himself a role that opens protected data."))
    if role not in FLAGS and not Officer.objects.filter(user=user).exists():
        raise ValidationFailed(_("Only an officer can hold this role."), details={"user": [_("Not an officer.")]})
    if holds(user, role):
        raise Conflict(_("The account already holds this role."))


@transaction.atomic
def role_grant_request(*, user: Any, role: str, by: Any, reason: str = "") -> RoleGrant:
    """Ask for ``role`` (a protected role code, ``staff`` or ``superuser``) for ``user``; pending until a second
    administrator approves. Asking again while a request is pending returns that request."""
    role_grant_check(user=user, role=role, by=by)
    pending = RoleGrant.objects.filter(user=user, role=role, status=RoleGrant.Status.PENDING).first()
    if pending is not None:
        return pending
    grant = RoleGrant.objects.create(user=user, role=role, requested_by=by, reason=reason[:200])
    _audit(grant, "requested", by)
    return grant


def role_grants_for_officer(*, officer: Officer, roles: Iterable[str], by: Any) -> list[RoleGrant]:
    """The roles an administrator gave an officer in a form: the protected ones he does not hold yet become
    requests (raising on a grant to oneself); returns them."""
    held = set(officer.roles.values_list("code", flat=True))
    return [
        role_grant_request(user=officer.user, role=code, by=by) for code in sorted(set(roles) & PROTECTED_ROLES - held)
    ]


def _decidable(grant: RoleGrant, by: Any) -> RoleGrant:
    locked = RoleGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    if locked.status != RoleGrant.Status.PENDING:
        raise Conflict(_("This request has already been decided."))
    if not is_administrator(by):
        raise PowerDenied(_("Only an administrator may decide on a role grant."))
    if by.pk == locked.user_id:
        raise SelfGrant(_("Nobody may grant himself a role that opens protected data."))
    return locked


@transaction.atomic
def role_grant_approve(*, grant: RoleGrant, by: Any) -> RoleGrant:
    """A second administrator approves: the role or flag is given now."""
    grant = _decidable(grant, by)
    if by.pk == grant.requested_by_id:
        raise SelfGrant(_("A second administrator must approve: the one who asked cannot."))
    with granting():
        if grant.role in FLAGS:
            user = get_user_model().objects.select_for_update().get(pk=grant.user_id)
            setattr(user, FLAGS[grant.role], True)
            if grant.role == "superuser":
                user.is_staff = True
            user.save(update_fields=["is_staff", "is_superuser"])
        else:
            Officer.objects.get(user=grant.user).roles.add(Role.objects.get(code=grant.role))
    grant.status, grant.decided_by, grant.decided_at = RoleGrant.Status.APPROVED, by, timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at"])
    _audit(grant, "approved", by)
    return grant


@transaction.atomic
def role_grant_refuse(*, grant: RoleGrant, by: Any) -> RoleGrant:
    grant = _decidable(grant, by)
    grant.status, grant.decided_by, grant.decided_at = RoleGrant.Status.REFUSED, by, timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at"])
    _audit(grant, "refused", by)
    return grant


def _audit(grant: RoleGrant, outcome: str, by: Any) -> None:
    audit(
        kind=AuditEvent.Kind.PERMISSION,
        object_type="role_grant",
        object_id=grant.pk,
        outcome=outcome,
        user=by,
        detail={"grantee": grant.user.get_username(), "role": grant.role, "requested_by": grant.requested_by_id},
    )


# --- the guard: no other door while serving a request -------------------------------------------------

_granting: contextvars.ContextVar[bool] = contextvars.ContextVar("quanze_granting", default=False)


class granting:  # noqa: N801 - used as a context manager, like a function
    """The approval's write of the role or flag (the guard lets it through)."""

    def __enter__(self) -> None:
        self._token = _granting.set(True)

    def __exit__(self, *exc: Any) -> None:
        _granting.reset(self._token)


def _guarded() -> bool:
    return not _granting.get() and _current_user() is not None


def _roles_adding(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    if action != "pre_add" or not _guarded():
        return
    codes = {instance.pk} if reverse else set(pk_set or ())
    if codes & PROTECTED_ROLES:
        raise GrantRefused(_("This role opens protected data: it is granted only by a second administrator."))


def _user_flags(sender: Any, instance: Any, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if kwargs.get("raw") or (update_fields and not set(update_fields) & set(FLAGS.values())) or not _guarded():
        return
    before = sender.objects.filter(pk=instance.pk).values("is_staff", "is_superuser").first() if instance.pk else None
    for field in FLAGS.values():
        if getattr(instance, field) and not (before or {}).get(field):
            raise GrantRefused(_("Staff and superuser status are granted only by a second administrator."))


def connect() -> None:
    m2m_changed.connect(_roles_adding, sender=Officer.roles.through, dispatch_uid="grants_roles")
    pre_save.connect(_user_flags, sender=get_user_model(), dispatch_uid="grants_user_flags")
