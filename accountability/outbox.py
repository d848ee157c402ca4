"""The transactional outbox (SECURITY.md reliability): a service that needs a task writes an ``OutboxMessage`` in
its own transaction; after commit the message is sent to Celery at once, and a relay (Celery beat every minute,
or ``manage.py relay_outbox``) sends whatever could not be sent, e.g. while Redis was down. Tasks are idempotent,
so a message sent twice (the relay racing the first attempt) does no harm.

A broker that accepts connections and never answers (issue 20, finding 4) costs a request at most the broker
timeouts of the settings (``CELERY_BROKER_TRANSPORT_OPTIONS``: 2 s to connect, 3 s a reply) and one attempt;
the send after commit never raises into the request (the message stays for the relay), and after a failure this
process leaves sending to the relay for ``BACKOFF_SECONDS``, so an outage costs one request a few seconds, not
every request."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from accountability.celery import app
from accountability.models import OutboxMessage

logger = logging.getLogger(__name__)
BATCH = 500
BACKOFF_SECONDS = 30
#: One attempt per send: a retry would double the wait on a hung broker, and the relay retries anyway. (Beat and
#: other publishers keep Celery's default retries, bounded by the same socket timeouts.)
NO_RETRY = {"max_retries": 0}
#: After a failed send, the monotonic time until which sends after commit are left to the relay (this process).
_backoff_until = 0.0


def enqueue(task: Any, *args: Any) -> OutboxMessage:
    """Ask for ``task(*args)`` as part of the current transaction; it is sent after commit (or by the relay).
    ``task`` is a Celery task or its registered name: a service names the task of its own app by name, so that
    the tasks module (which calls the services) and the services do not import each other."""
    message = OutboxMessage.objects.create(task=task if isinstance(task, str) else task.name, args=list(args))
    transaction.on_commit(lambda: _send_after_commit(message.pk), robust=True)
    return message


def _send_after_commit(pk: int) -> None:
    if app.conf.task_always_eager or time.monotonic() >= _backoff_until:
        _send([pk])


def _send(ids: list[int]) -> int:
    global _backoff_until
    sent = 0
    for message in OutboxMessage.objects.filter(pk__in=ids, sent_at__isnull=True).order_by("pk"):
        try:
            if app.conf.task_always_eager:
                _task(message.task).apply(args=message.args)
            else:
                app.send_task(message.task, args=message.args, retry_policy=NO_RETRY)
        except Exception as exc:  # noqa: BLE001 - any broker failure: keep the message for the relay
            OutboxMessage.objects.filter(pk=message.pk).update(attempts=message.attempts + 1, last_error=str(exc)[:300])
            logger.warning("outbox: %s not sent (%s); the relay will retry", message, exc)
            _backoff_until = time.monotonic() + BACKOFF_SECONDS
            break  # the broker is down: the rest would fail too
        OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), attempts=message.attempts + 1)
        _backoff_until = 0.0
        sent += 1
    return sent


def _task(name: str) -> Any:
    """The registered task of that name. Run eagerly, the apps' tasks modules may not be imported yet (a worker
    imports them when it starts): import them, as the worker would, before looking again."""
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def relay(*, limit: int = BATCH) -> int:
    """Send the unsent messages, oldest first. Returns how many were sent."""
    ids = list(OutboxMessage.objects.filter(sent_at__isnull=True).order_by("pk").values_list("pk", flat=True)[:limit])
    return _send(ids) if ids else 0
