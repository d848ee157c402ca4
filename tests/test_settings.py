"""Settings come from the environment and fail loudly, naming the variable; production passes check --deploy."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    base["DJANGO_SETTINGS_MODULE"] = "accountability.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG: expected true or false, got 'maybe'"),
        ({"DEBUG": "false"}, "SECRET_KEY: must be set when DEBUG is off"),
        ({"DEBUG": "true", "DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL: cannot parse 'nosuchdb://x'"),
        ({"DEBUG": "true", "DB_CONN_MAX_AGE": "forever"}, "DB_CONN_MAX_AGE: expected a whole number, got 'forever'"),
    ],
)
def test_bad_settings_stop_start_up_naming_the_variable(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_secret_from_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("x" * 60)
    result = manage(
        "shell", "-c", "from django.conf import settings; print(len(settings.SECRET_KEY))", SECRET_KEY_FILE=str(secret)
    )
    assert result.stdout.strip().splitlines()[-1] == "60"


def test_production_settings_pass_check_deploy():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="quanze.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_sqlite_url_form_is_accepted(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.db import connection; print(connection.vendor)",
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3",
    )
    assert result.stdout.strip().splitlines()[-1] == "sqlite"
