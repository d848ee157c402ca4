"""What the benchmarks that go through HTTP share: the bench server (gunicorn, 2 sync workers, as deployed) and
a closed-loop load of N concurrent keep-alive clients, with the same figures for every bench."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: one request of a client: (method, path, headers, body) for the client's n-th request
Request = Callable[[int, int], tuple[str, str, dict[str, str], str | None]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2) -> Iterator[tuple[int, tempfile._TemporaryFileWrapper]]:
    """The app on gunicorn (``workers`` sync workers) on a free port, until the block ends; yields the port and
    the server's log (read it when a run had errors)."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "accountability.wsgi:application", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )  # fmt: skip
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            time.sleep(1.0)
            yield port, log
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)


def load(port: int, clients: int, seconds: float, request: Request, *, expect: int) -> dict[str, float]:
    """``clients`` threads, each on its own keep-alive connection, sending ``request(client, n)`` back to back for
    ``seconds``: requests, errors (a status other than ``expect``), throughput, p50 and p95."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.monotonic() < stop:
            method, path, headers, body = request(index, n)
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies[index].append(time.perf_counter() - started)
            if response.status != expect:
                errors[index] += 1
            n += 1
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    flat = sorted(x for xs in latencies for x in xs)
    return {
        "requests": len(flat),
        "errors": sum(errors),
        "throughput_rps": round(len(flat) / elapsed, 1),
        "p50_ms": round(statistics.median(flat) * 1000, 1),
        "p95_ms": round(flat[int(len(flat) * 0.95) - 1] * 1000, 1),
    }


@contextlib.contextmanager
def celery_workers(database_url: str, redis_url: str, count: int, name: str) -> Iterator[dict[str, str]]:
    """``count`` real Celery workers (one task at a time each, as deployed) on ``database_url`` and the bench's own
    Redis database (emptied first: no tasks of an earlier run), until the block ends; yields their environment,
    for the process that dispatches the work."""
    import redis  # noqa: PLC0415 - only the benchmarks with workers need it

    redis.Redis.from_url(redis_url).flushdb()
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "true", "REDIS_URL": redis_url}
    env["DJANGO_SETTINGS_MODULE"] = "accountability.settings"
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "accountability",
                "worker",
                "--concurrency",
                "1",
                "--pool",
                "solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}{index}@%h",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for index in range(count)
    ]
    try:
        yield env
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
