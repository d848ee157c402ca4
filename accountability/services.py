"""Writes for people and powers. The admin, imports and the demo all come through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from accountability import conditions
from accountability.errors import ValidationFailed
from accountability.grants import PROTECTED_ROLES, role_grant_request
from accountability.models import Department, Officer, Organisation, PowerItem, PowerItemRevision, Role
from accountability.powers import fact_fields

User = get_user_model()


def _clean(instance: Any, *, exclude: Iterable[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise ValidationFailed(_("Invalid input."), details=exc.message_dict) from exc


@transaction.atomic
def organisation_save(*, organisation: Organisation) -> Organisation:
    """Create or update an organisation, keeping the materialised paths of its subtree right."""
    parent = organisation.parent
    if parent is not None and organisation.pk is not None and parent.path.startswith(organisation.path or "\0"):
        raise ValidationFailed(
            _("An organisation cannot sit under itself or its own subordinate."),
            details={"parent": [_("This parent would make a cycle.")]},
        )
    _clean(organisation, exclude=["path"])
    old_path = organisation.path
    organisation.save()
    new_path = f"{parent.path if parent else '/'}{organisation.pk}/"
    if new_path != old_path:
        Organisation.objects.filter(pk=organisation.pk).update(path=new_path)
        organisation.path = new_path
        if old_path:
            for descendant in Organisation.objects.filter(path__startswith=old_path).exclude(pk=organisation.pk):
                descendant.path = new_path + descendant.path[len(old_path) :]
                descendant.save(update_fields=["path"])
    return organisation


@transaction.atomic
def department_save(*, department: Department) -> Department:
    _clean(department)
    department.save()
    return department


@transaction.atomic
def officer_save(
    *,
    officer: Officer,
    roles: Iterable[str],
    username: str | None = None,
    password: str | None = None,
    by: Any = None,
) -> Officer:
    """Create or update an officer and their login. A new login without a password cannot sign in.

    ``by``, the administrator making the change (the admin passes it): roles that open protected data which the
    officer does not hold yet are not given but asked for (``accountability.grants``), pending a second
    administrator; they are listed in ``officer.pending_grants``. Without ``by`` (the demo, imports, set-up) the
    roles are set as given."""
    role_codes = sorted(set(roles))
    held_protected = set(officer.roles.values_list("code", flat=True)) & PROTECTED_ROLES if officer.pk else set()
    unknown = [code for code in role_codes if not Role.objects.filter(code=code).exists()]
    if unknown:
        raise ValidationFailed(_("Unknown role."), details={"roles": [", ".join(unknown)]})
    if officer.department_id is not None and officer.department.organisation_id != officer.organisation_id:
        raise ValidationFailed(
            _("The department belongs to another organisation."),
            details={"department": [_("The department belongs to another organisation.")]},
        )
    if officer.user_id is None:
        user = User(username=username or officer.officer_id)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        officer.user = user
    elif password:
        officer.user.set_password(password)
        officer.user.save(update_fields=["password"])
    _clean(officer, exclude=["user"])
    officer.save()
    officer.pending_grants = []
    if by is not None:
        asked = set(role_codes) & PROTECTED_ROLES - held_protected
        role_codes = sorted(set(role_codes) - asked)
        officer.pending_grants = [role_grant_request(user=officer.user, role=code, by=by) for code in sorted(asked)]
    officer.roles.set(role_codes)
    officer._role_codes = frozenset(role_codes)
    return officer


def power_item_snapshot(item: PowerItem) -> dict[str, Any]:
    data = model_to_dict(item, exclude=["id"])
    data["role"] = item.role_id
    data["revision"] = item.revision
    return data


@transaction.atomic
def power_item_save(*, item: PowerItem, changed_by: Any = None, reason: str = "") -> PowerItem:
    """Create or change a power-list item: validate its conditions, bump its revision, keep the snapshot."""
    try:
        conditions.validate(item.conditions, fields=fact_fields())
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], details={"conditions": exc.messages}) from exc
    _clean(item, exclude=["revision"])
    if item.pk is not None:
        current = PowerItem.objects.select_for_update().get(pk=item.pk)
        if power_item_snapshot(current) | {"revision": 0} == power_item_snapshot(item) | {"revision": 0}:
            return current
        item.revision = current.revision + 1
    item.save()
    PowerItemRevision.objects.create(
        item=item,
        revision=item.revision,
        snapshot=power_item_snapshot(item),
        changed_by=changed_by if getattr(changed_by, "pk", None) else None,
        reason=reason,
    )
    return item


def accounts_disable_dormant(*, now: Any = None) -> list[str]:
    """CJIS AC-2(3): accounts unused for ``QUANZE_DORMANT_DAYS`` (90) are disabled; each change is in the audit.
    Never used accounts count from when they were made. Returns the usernames disabled."""
    import datetime as dt

    from django.conf import settings
    from django.db.models import Q
    from django.utils import timezone

    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.QUANZE_DORMANT_DAYS)
    dormant = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
    )
    disabled = []
    for user in dormant:
        user.is_active = False
        user.save(update_fields=["is_active"])  # the audit signal records it
        disabled.append(user.get_username())
    return disabled
