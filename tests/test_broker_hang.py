"""Issue 20, findings 4 and 10: a broker that accepts connections and never answers must not hold the request
that logs an action (it did for 120 s, then a 500 although the action was saved); the outbox keeps the task
and the relay sends it later. And a task lost with a killed worker comes back within the visibility timeout,
which must exceed the longest task."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from kombu import pools as kombu_pools
from rest_framework.test import APIClient

from accountability import outbox
from accountability.celery import app
from accountability.models import OutboxMessage

#: The longest task measured (BENCHMARKS.md): the first supervision sweep ever, 969 s at 2 M cases.
LONGEST_TASK_SECONDS = 969
#: "A few seconds": the most a request may wait on a broker that never answers.
REQUEST_BOUND_SECONDS = 10


class SilentBroker:
    """A TCP server that accepts every connection and never sends a byte (a hung Redis)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _address = self.server.accept()
            except OSError:
                return  # closed
            self.held.append(connection)

    def close(self) -> None:
        self.server.close()
        for connection in self.held:
            connection.close()


def _reset_broker_connections() -> None:
    """Fresh broker connections: the app's pool and kombu's shared ones (celery takes its producer pool from
    ``kombu.pools``, keyed by the broker's address, so closing only the app's leaves a closed one to be reused)."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    kombu_pools.reset()


@pytest.fixture
def hung_broker() -> Iterator[SilentBroker]:
    """The app as configured by the settings (timeouts and all), its broker URL pointing at a silent server."""
    broker = SilentBroker()
    previous = app.conf.broker_url, app.conf.task_always_eager
    _reset_broker_connections()
    app.conf.broker_url = f"redis://127.0.0.1:{broker.port}/0"
    app.conf.task_always_eager = False
    try:
        yield broker
    finally:
        _reset_broker_connections()
        app.conf.broker_url, app.conf.task_always_eager = previous
        outbox._backoff_until = 0.0  # no test after this one inherits the back-off
        broker.close()


@pytest.mark.django_db
def test_a_send_to_a_hung_broker_gives_up_within_seconds_and_the_relay_sends_it_later(
    world, hung_broker, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue("accountability.relay_outbox")
    elapsed = time.monotonic() - started
    print(f"send after commit to a silent broker: {elapsed:.2f} s")
    assert elapsed < REQUEST_BOUND_SECONDS, f"the send waited {elapsed:.1f} s on a broker that never answers"
    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    assert hung_broker.held  # it did reach the silent server
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        second = outbox.enqueue("accountability.relay_outbox")
    assert time.monotonic() - started < 1  # the outage is known: left to the relay without waiting again
    second.refresh_from_db()
    assert second.sent_at is None and second.attempts == 0
    app.conf.task_always_eager = True  # the broker is back (here: in-process)
    assert outbox.relay() == 2
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_logging_an_action_with_a_hung_broker_answers_at_once_and_keeps_the_task(world, hung_broker):
    """End to end, with real commits (the task is sent after commit, inside the request)."""
    case = world.case(parties_count=15)
    api = APIClient()
    api.force_authenticate(world.judge.user)
    started = time.monotonic()
    response = api.post(
        f"/api/cases/{case.public_id}/extension-requests/", {"days": 30, "reason": "鉴定未完成"}, format="json"
    )
    elapsed = time.monotonic() - started
    print(f"logging an action with a silent broker: {elapsed:.2f} s")
    assert response.status_code == 201, response.content
    assert elapsed < REQUEST_BOUND_SECONDS, f"the request waited {elapsed:.1f} s on a broker that never answers"
    assert case.actions.filter(action_type="extension_requested").count() == 1  # saved once
    waiting = OutboxMessage.objects.get(task="supervision.detect_case", args=[case.pk])
    assert waiting.sent_at is None and waiting.last_error  # the relay will send it


def test_the_broker_timeouts_and_the_visibility_timeout_are_set():
    options = app.conf.broker_transport_options
    assert options["socket_connect_timeout"] <= 3 and options["socket_timeout"] <= 3
    assert app.conf.broker_connection_timeout <= 3
    # a task held by a SIGKILLed worker comes back after this; it must outlast the longest task, and be well under
    # Kombu's default hour
    assert LONGEST_TASK_SECONDS < options["visibility_timeout"] < 3600
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == 1800
