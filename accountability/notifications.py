"""The bell: in-app notifications, also e-mailed when the deployment turns e-mail on.

Every part of the system tells people things through ``notify``; the e-mail goes out after the
transaction commits (a rolled-back change sends nothing), through a Celery task and Django's mail
backend.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accountability import outbox
from accountability.models import Notification, Officer


def notify(*, officers: Iterable[Officer], message: str, link: str = "") -> list[Notification]:
    """One notification per distinct officer; e-mailed after commit when ``QUANZE_EMAIL_NOTIFICATIONS``."""
    recipients = {o.pk: o for o in officers}.values()
    created = Notification.objects.bulk_create(
        [Notification(recipient=o, message=message[:500], link=link[:300]) for o in recipients]
    )
    if settings.QUANZE_EMAIL_NOTIFICATIONS and created:
        ids = [n.pk for n in created if n.pk is not None]
        if ids:
            outbox.enqueue("accountability.email_notifications", ids)
    return created


def notifications_of(officer: Officer) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=officer).order_by("-created_at", "-pk")


def unread_count(officer: Officer) -> int:
    return Notification.objects.filter(recipient=officer, read_at__isnull=True).count()


def mark_read(*, officer: Officer, ids: Iterable[Any] | None = None) -> int:
    """Mark the officer's own notifications read (all unread ones when ``ids`` is None)."""
    queryset = Notification.objects.filter(recipient=officer, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())
