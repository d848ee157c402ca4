from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("performance assessment")

    def ready(self) -> None:
        from accountability import chain
        from assessment import services

        chain.register_checker("performance assessments", services.verify_all)
