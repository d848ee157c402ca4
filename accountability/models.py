"""People and powers: organisations, departments, officers, roles, the power list (权责清单)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accountability import chain
from accountability.choices import (
    OrganisationKind,
    OrganisationLevel,
    Post,
    PowerEffect,
    PowerScope,
    RoleCode,
    action_type_choices,
    role_code_choices,
)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a trace record."""


class AppendOnlyModel(models.Model):
    """A row that is written once: saving it again or deleting it raises (a PostgreSQL trigger also refuses)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only: they cannot be deleted.")


class ChainHead(models.Model):
    """The head of a chain that is one for the whole system (the interference register, the audit, the sign-in
    events): its length, last hash and the seal over both. Every append locks it, so one chain's appends are
    serialised; a removed tail no longer matches the sealed length."""

    name = models.CharField(max_length=32, unique=True)
    length = models.PositiveBigIntegerField(default=0)
    head = models.CharField(max_length=64, default=chain.GENESIS_HASH)
    mac = models.CharField(max_length=96, blank=True)

    def __str__(self) -> str:
        return f"{self.name} #{self.length}"

    @classmethod
    def lock(cls, name: str) -> ChainHead:
        """The head, locked for this transaction (made on the first append)."""
        head, _created = cls.objects.select_for_update().get_or_create(name=name)
        return head

    def advance(self, kind: chain.Chain, link: str) -> None:
        self.length += 1
        self.head = link
        self.mac = kind.seal_head(self.name, self.length, link)
        self.save(update_fields=["length", "head", "mac"])


class OwnedChainEvent(AppendOnlyModel):
    """One step of a record chained per owner (a meeting's, an assessment's): the owner's service numbers it,
    links it to the previous step and seals it under the owner's lock; the owner keeps the head
    (``trace_head``, ``trace_length``, ``trace_mac``, checked by ``chain.verify_owned``). Subclasses add the owner,
    the kind and what else their chain covers."""

    seq = models.PositiveIntegerField()
    actor = models.ForeignKey(
        "accountability.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField()
    note = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    mac = models.CharField(max_length=96, blank=True, default="")

    class Meta:
        abstract = True


class ChainedEvent(AppendOnlyModel):
    """An append-only event chained as it is written (``CHAIN``): its sequence number, the previous event's hash,
    its own and the seal, set by ``save`` under the lock of the chain's head."""

    CHAIN: chain.Chain

    seq = models.PositiveBigIntegerField(unique=True, null=True, editable=False)
    # database defaults: a row inserted behind the application's back is in no chain and unsealed (reported)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False, db_default="")
    hash = models.CharField(max_length=64, blank=True, editable=False, db_default="")
    mac = models.CharField(max_length=96, blank=True, editable=False, db_default="")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            super().save(*args, **kwargs)  # refuses
            return
        ip = self._meta.get_field("source_ip")
        self.source_ip = ip.get_prep_value(self.source_ip)  # the spelling the database gives back
        self.detail = chain.normalise_payload(self.detail)
        with transaction.atomic():
            head = ChainHead.lock(self.CHAIN.name)
            self.seq, self.prev_hash = head.length + 1, head.head
            self.hash = self.CHAIN.hash(self.prev_hash, {name: getattr(self, name) for name in self.CHAIN.fields})
            self.mac = self.CHAIN.seal(self.hash)
            super().save(*args, **kwargs)
            head.advance(self.CHAIN, self.hash)


class Organisation(TimeStamped):
    """A court (法院) or procuratorate (检察院); organisations form a tree."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=OrganisationLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of primary keys, "/1/7/12/": subtree queries are one indexed prefix match.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    # 法院代字 in case numbers (最高人民法院关于人民法院案件案号的若干规定): the 沪0101 of （2026）沪0101民初133号.
    # Blank until an administrator sets it; a court without one cannot number (so cannot file) cases.
    case_code = models.CharField(
        _("case-number code"),
        max_length=16,
        blank=True,
        default="",
        db_default="",
        help_text=_("The court's code in case numbers, e.g. 沪0101 in （2026）沪0101民初133号."),
    )

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["case_code"], condition=~models.Q(case_code=""), name="organisation_unique_case_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Department(TimeStamped):
    """A division (庭) of a court or department (部) of a procuratorate."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="departments"
    )
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["organisation_id", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="department_unique_code")]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """One of the fixed roles; an officer may hold several."""

    code = models.CharField(_("code"), max_length=32, primary_key=True, choices=role_code_choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return str(RoleCode(self.code).label)


class Officer(TimeStamped):
    """干警: a person with a login, in one organisation and (usually) one department."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer")
    officer_id = models.CharField(_("officer id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="officers"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="officers")
    post = models.CharField(_("post"), max_length=16, choices=Post.choices, default=Post.NONE)
    is_quota = models.BooleanField(_("quota seat (员额)"), default=False)

    class Meta:
        ordering = ["organisation_id", "officer_id"]
        verbose_name = _("officer")
        verbose_name_plural = _("officers")

    def __str__(self) -> str:
        return f"{self.name} ({self.officer_id})"

    @property
    def role_codes(self) -> frozenset[str]:
        """The officer's role codes; uses prefetched roles when present (no query per officer)."""
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(role.code for role in self.roles.all())
            self._role_codes = cached
        return cached

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes.intersection(codes))


class PowerItem(TimeStamped):
    """One line of the power and responsibility list.

    Positive items (``allow``) say what a role may do in a scope, negative items
    (``deny``) what it must not do. ``conditions`` is a declarative condition
    (see ``accountability.conditions``) over the facts of the decision. Every
    change bumps ``revision`` and is kept in ``PowerItemRevision``.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="power_items")
    action_type = models.CharField(_("action type"), max_length=48, choices=action_type_choices)
    scope = models.CharField(_("scope"), max_length=16, choices=PowerScope.choices)
    effect = models.CharField(_("effect"), max_length=8, choices=PowerEffect.choices)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("power-list item")
        verbose_name_plural = _("power list (权责清单)")
        indexes = [models.Index(fields=["action_type", "role", "is_active"], name="poweritem_lookup")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class PowerItemRevision(models.Model):
    """An append-only snapshot of a power item as it stood at one revision."""

    item = models.ForeignKey(PowerItem, on_delete=models.PROTECT, related_name="revisions")
    revision = models.PositiveIntegerField()
    snapshot = models.JSONField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["item_id", "revision"]
        constraints = [models.UniqueConstraint(fields=["item", "revision"], name="poweritemrevision_unique")]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.revision}"


class Notification(models.Model):
    """An in-app message to an officer (the bell of the supervision work builds on it)."""

    recipient = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="notifications")
    message = models.CharField(_("message"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message


class AuthEvent(ChainedEvent):
    """Sign-in audit (CJIS AU-2/AU-3): logins, failures, logouts, locks; UTC to the microsecond. Chained and
    sealed (``accountability.chain.SIGN_IN``)."""

    CHAIN = chain.SIGN_IN

    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        LOCKED = "locked", _("Account locked")
        UNLOCKED = "unlocked", _("Account unlocked")
        SESSION_EXPIRED = "session_expired", _("Session ended at its time limit")

    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    username = models.CharField(_("username"), max_length=150, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_ip = models.GenericIPAddressField(_("source address"), null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, editable=False, db_index=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        indexes = [models.Index(fields=["username", "kind", "at"], name="authevent_recent")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"


class AuditEvent(ChainedEvent):
    """Security audit (CJIS AU-2/AU-3, beside the sign-in events): reads of interference records and discipline
    proceedings (allowed or refused), account and permission changes, privileged acts. UTC to the microsecond,
    who, from where, on what, with what outcome. Append-only; never purged (retention is at least a year).
    Chained and sealed (``accountability.chain.AUDIT``)."""

    CHAIN = chain.AUDIT

    class Kind(models.TextChoices):
        READ = "read", _("Read of protected data")
        ACCOUNT = "account", _("Account change")
        PERMISSION = "permission", _("Permission change")
        PRIVILEGED = "privileged", _("Privileged act")

    at = models.DateTimeField(_("at"), default=timezone.now, editable=False, db_index=True)
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    source_ip = models.GenericIPAddressField(_("source address"), null=True, blank=True)
    object_type = models.CharField(_("object"), max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12)  # allowed, refused, changed
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="auditevent_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username} {self.object_type}:{self.object_id}"


class OutboxMessage(models.Model):
    """A task to run, written in the same transaction as the change that asks for it (the transactional outbox):
    if the broker is down the change is still recorded at once, and the relay sends the task when it is back."""

    task = models.CharField(max_length=100)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["created_at"], name="outbox_unsent", condition=models.Q(sent_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.task}{self.args} {'sent' if self.sent_at else 'pending'}"


class AccountLock(models.Model):
    """A lock; only an administrator lifts it (CJIS AC-7). Repeated failed logins lock the account *from the source
    address they came from* (``source_ip``): others' failures never lock the officer out of his own workstation nor
    end his sessions. A lock without a source (an administrator's) shuts the whole account: sessions and tokens."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="locks")
    source_ip = models.GenericIPAddressField(_("source address"), null=True, blank=True)
    locked_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200)
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-locked_at"]
        verbose_name = _("account lock")
        verbose_name_plural = _("account locks")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(unlocked_at__isnull=True, source_ip__isnull=True),
                name="one_open_account_lock",
            ),
            models.UniqueConstraint(
                fields=["user", "source_ip"],
                condition=models.Q(unlocked_at__isnull=True, source_ip__isnull=False),
                name="one_open_source_lock",
            ),
        ]

    def __str__(self) -> str:
        where = f" from {self.source_ip}" if self.source_ip else ""
        return f"{self.user} locked{where} {self.locked_at:%Y-%m-%d %H:%M}"


class RoleGrant(models.Model):
    """A request to give someone a role that opens protected data (inspector, auditor, administrator,
    case-management office) or staff / superuser status. It takes effect only when a second administrator
    approves it, and nobody may request or approve a grant to himself (``accountability.grants``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("grantee"), on_delete=models.PROTECT, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=32)  # a role code, or "staff" / "superuser"
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"], condition=models.Q(status="pending"), name="one_pending_grant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ← {self.role} ({self.status})"


class RuleChange(AppendOnlyModel):
    """Every change of a rule table made in the admin (thresholds, reference ranges, weights, policy):
    what it became, who changed it and when. Power items and defect items also keep revisions."""

    table = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    action = models.CharField(max_length=10)  # created / changed
    snapshot = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at"]
        verbose_name = _("rule change")
        verbose_name_plural = _("rule changes")
        indexes = [models.Index(fields=["table", "object_id"], name="rulechange_object")]

    def __str__(self) -> str:
        return f"{self.table}#{self.object_id} {self.action}"
