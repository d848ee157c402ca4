from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimilarConfig(AppConfig):
    name = "similar"
    verbose_name = _("similar-case search")

    def ready(self) -> None:
        from similar import hooks

        hooks.connect()
