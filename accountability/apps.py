from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = _("accountability")

    def ready(self) -> None:
        from accountability import audit, checks, grants, tokens  # noqa: F401 - checks registers the system checks

        audit.connect()
        grants.connect()
        tokens.connect()
