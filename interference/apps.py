from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterferenceConfig(AppConfig):
    name = "interference"
    verbose_name = _("interference records")

    def ready(self) -> None:
        from interference import tasks  # noqa: F401 - registers the Celery tasks (beat names them)
