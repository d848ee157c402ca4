"""System checks of the deployment (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def chain_key_check(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """The chains' seals are only as good as a key held outside the database and apart from SECRET_KEY."""
    if "derived" in settings.QUANZE_CHAIN_KEYS:
        return [
            Warning(
                "No chain key is configured: the hash chains are sealed with a key derived from SECRET_KEY.",
                hint="Set QUANZE_CHAIN_KEYS (or QUANZE_CHAIN_KEYS_FILE) to 'id:secret' with a random secret of "
                "at least 32 characters, kept outside the database; see the README's security section.",
                id="accountability.W020",
            )
        ]
    return []
