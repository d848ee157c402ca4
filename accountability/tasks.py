"""Celery tasks of the spine: thin, they call services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils.translation import gettext as _

from accountability.models import Notification
from accountability.outbox import relay
from accountability.services import accounts_disable_dormant


@shared_task(name="accountability.email_notifications", acks_late=True)
def email_notifications(ids: list[int]) -> int:
    """E-mail the given notifications to recipients who have an address. Sending twice is harmless."""
    rows = Notification.objects.filter(pk__in=ids).select_related("recipient__user")
    messages = [
        (
            _("Quanze: %(message)s") % {"message": n.message[:60]},
            f"{n.message}\n\n{n.link}",
            settings.DEFAULT_FROM_EMAIL,
            [n.recipient.user.email],
        )
        for n in rows
        if n.recipient.user.email
    ]
    return send_mass_mail(messages, fail_silently=False) if messages else 0


@shared_task(name="accountability.disable_dormant_accounts", acks_late=True)
def disable_dormant_accounts() -> int:
    return len(accounts_disable_dormant())


@shared_task(name="accountability.relay_outbox")
def relay_outbox() -> int:
    return relay()
