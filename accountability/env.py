"""Typed readers for settings from the environment.

Each helper fails loudly, naming the variable, when a value is present but
malformed, so a bad deployment stops at start-up instead of misbehaving later.
A ``NAME_FILE`` variable, when set, supplies the value from a file (for
secrets mounted by an orchestrator).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    file_var = os.environ.get(f"{name}_FILE")
    if file_var:
        try:
            return Path(file_var).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_var!r}: {exc}") from exc
    return os.environ.get(name)


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected true or false, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_keys(name: str) -> dict[str, bytes] | None:
    """Named secrets, ``"id1:secret1,id2:secret2"`` (the first is the current one), or None when unset. An id is
    1-16 letters, digits, ``_`` or ``-``; a secret at least 32 characters."""
    value = _raw(name)
    if value is None or not value.strip():
        return None
    keys: dict[str, bytes] = {}
    for item in value.split(","):
        key_id, sep, secret = item.strip().partition(":")
        if not sep or not key_id or len(key_id) > 16 or not all(c.isalnum() or c in "_-" for c in key_id):
            raise ImproperlyConfigured(f"{name}: expected id:secret pairs separated by commas")
        if len(secret) < 32:
            raise ImproperlyConfigured(f"{name}: the secret of {key_id!r} is shorter than 32 characters")
        if key_id in keys:
            raise ImproperlyConfigured(f"{name}: key id {key_id!r} given twice")
        keys[key_id] = secret.encode()
    return keys
