from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisciplineConfig(AppConfig):
    name = "discipline"
    verbose_name = _("discipline")

    def ready(self) -> None:
        from accountability import chain
        from discipline import hooks, services

        chain.register_checker("discipline proceedings", services.verify_all)

        hooks.connect()
