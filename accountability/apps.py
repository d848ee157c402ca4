from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = _("accountability")

    def ready(self) -> None:
        from accountability import audit

        audit.connect()
