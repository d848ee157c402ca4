from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcuratorateConfig(AppConfig):
    name = "procuratorate"
    verbose_name = _("procuratorate")

    def ready(self) -> None:
        from procuratorate import hooks

        hooks.connect()
