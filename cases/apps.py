from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("cases")

    def ready(self) -> None:
        from accountability import chain
        from cases import audit, hooks

        chain.register_checker("case traces and daily digests", audit.check_all)

        hooks.connect()
