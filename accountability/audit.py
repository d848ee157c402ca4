"""Writing the security audit (``AuditEvent``): one helper for every door (pages, API, signals, services)."""

from __future__ import annotations

import contextvars
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.http import HttpRequest

from accountability import chain
from accountability.models import AuditEvent, AuthEvent, ChainHead, Officer


def _ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def audit(
    *,
    kind: str,
    object_type: str,
    object_id: Any = "",
    outcome: str,
    request: HttpRequest | None = None,
    user: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one event; the user is the request's unless given (a signal or a task names its own)."""
    user = user if user is not None else getattr(request, "user", None)
    authenticated = getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        kind=kind,
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        source_ip=_ip(request),
        object_type=object_type,
        object_id=str(object_id)[:64],
        outcome=outcome,
        detail=detail or {},
    )


def audit_read(request: HttpRequest, object_type: str, object_id: Any, *, allowed: bool) -> None:
    audit(
        kind=AuditEvent.Kind.READ,
        object_type=object_type,
        object_id=object_id,
        outcome="allowed" if allowed else "refused",
        request=request,
    )


# --- account, permission and privileged changes, whichever door they come through -------------------

_WATCHED_USER_FIELDS = ("is_active", "is_staff", "is_superuser", "password", "username")


def _user_pre_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        instance._audit_before = None
        return
    before = sender.objects.filter(pk=instance.pk).values(*_WATCHED_USER_FIELDS).first()
    instance._audit_before = before


def _user_post_save(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    before = getattr(instance, "_audit_before", None)
    if created:
        changed = {"created": True, "is_staff": instance.is_staff, "is_superuser": instance.is_superuser}
    elif before is None:
        return
    else:
        changed = {
            name: [before[name], getattr(instance, name)]
            for name in _WATCHED_USER_FIELDS
            if name != "password" and before[name] != getattr(instance, name)
        }
        if before["password"] != instance.password:
            changed["password"] = "changed"  # noqa: S105 - a marker that it changed, never the hash
        update_fields = kwargs.get("update_fields")
        if not changed or (update_fields and set(update_fields) <= {"last_login"}):
            return
    audit(
        kind=AuditEvent.Kind.ACCOUNT,
        object_type="user",
        object_id=instance.get_username(),
        outcome="changed",
        user=_current_user(),
        request=_request.get(),
        detail=changed,
    )


def _roles_changed(sender: Any, instance: Any, action: str, pk_set: Any, **kwargs: Any) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    audit(
        kind=AuditEvent.Kind.PERMISSION,
        object_type="officer_roles",
        object_id=getattr(instance, "officer_id", ""),
        outcome="changed",
        user=_current_user(),
        request=_request.get(),
        detail={"action": action.removeprefix("post_"), "roles": sorted(pk_set or [])},
    )


def _admin_logged(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """Every change made in the admin is a privileged act."""
    if created:
        audit(
            kind=AuditEvent.Kind.PRIVILEGED,
            object_type=f"admin:{instance.content_type.model}",
            object_id=instance.object_id or "",
            outcome="changed",
            user=instance.user,
            request=_request.get(),
            detail={"action": instance.get_action_flag_display(), "object": instance.object_repr[:200]},
        )


def _current_user() -> Any:
    """The user of the request being served, if any (the request is remembered by ``AuditUserMiddleware``)."""
    request = _request.get()
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("quanze_audit_request", default=None)


class AuditUserMiddleware:
    """Remembers the request being served, so that model signals can say who changed an account (the user is
    looked up only when a change is audited)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def connect() -> None:
    user = get_user_model()
    pre_save.connect(_user_pre_save, sender=user, dispatch_uid="audit_user_pre")
    post_save.connect(_user_post_save, sender=user, dispatch_uid="audit_user_post")
    m2m_changed.connect(_roles_changed, sender=Officer.roles.through, dispatch_uid="audit_roles")
    post_save.connect(_admin_logged, sender=LogEntry, dispatch_uid="audit_admin")
    chain.register_checker("audit and sign-in events", verify_event_chains)


# --- the audit's own chains ---------------------------------------------------------------------------------


def verify_event_chains() -> list[str]:
    """The audit and the sign-in events, each one chain under its sealed head (``ChainHead``): an edited,
    removed or inserted event, a rewrite without the key, a removed tail, an event no chain holds."""
    problems: list[str] = []
    for model in (AuditEvent, AuthEvent):
        kind = model.CHAIN
        head = ChainHead.objects.filter(name=kind.name).values("length", "head", "mac").first()
        if head is None:  # nothing was ever chained: there must be no event
            head = {"length": 0, "head": chain.GENESIS_HASH, "mac": ""}
        rows = model.objects.filter(seq__isnull=False).order_by("seq").values(*kind.columns())
        broken = chain.verify(
            kind, rows.iterator(), head=head["head"], length=head["length"], scope=kind.name, head_mac=head["mac"]
        )
        problems += [f"{kind.name} {f'#{link.seq}' if link.seq else '(head)'}: {link.problem}" for link in broken]
        if unchained := model.objects.filter(seq__isnull=True).count():
            problems.append(f"{kind.name}: {unchained} event(s) in no chain (written behind the application's back)")
    return problems
