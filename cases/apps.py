from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("cases")

    def ready(self) -> None:
        from cases import hooks

        hooks.connect()
