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
        QUANZE_CHAIN_KEYS=f"k2026:{secrets.token_urlsafe(40)}",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_a_chain_key_is_warned(tmp_path):
    base = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "quanze.example.org"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **base)
    assert result.returncode != 0
    assert "accountability.W020" in result.stderr + result.stdout
    # from a secret file, two keys: the first is current, the second verifies what it sealed
    keys = tmp_path / "chain_keys"
    keys.write_text(f"k2026:{'n' * 40},k2025:{'o' * 40}\n")
    result = manage(
        "shell",
        "-c",
        "from accountability import chain; print(chain.current_key_id(), sorted(chain.keys()))",
        QUANZE_CHAIN_KEYS_FILE=str(keys),
        **base,
    )
    assert result.stdout.strip().splitlines()[-1] == "k2026 ['k2025', 'k2026']"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nokeyid", "QUANZE_CHAIN_KEYS: expected id:secret pairs separated by commas"),
        ("k1:short", "QUANZE_CHAIN_KEYS: the secret of 'k1' is shorter than 32 characters"),
        (f"k1:{'x' * 32},k1:{'y' * 32}", "QUANZE_CHAIN_KEYS: key id 'k1' given twice"),
    ],
)
def test_a_malformed_chain_key_stops_start_up(value, message):
    result = manage("check", DEBUG="true", QUANZE_CHAIN_KEYS=value)
    assert result.returncode != 0
    assert message in result.stderr


def test_sqlite_url_form_is_accepted(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.db import connection; print(connection.vendor)",
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3",
    )
    assert result.stdout.strip().splitlines()[-1] == "sqlite"
