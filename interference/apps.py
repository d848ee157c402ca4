from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterferenceConfig(AppConfig):
    name = "interference"
    verbose_name = _("interference records")

    def ready(self) -> None:
        from accountability import chain
        from interference import (
            services,
            tasks,  # noqa: F401 - registers the Celery tasks (beat names them)
        )

        chain.register_checker("interference register", services.verify_records)
