from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterferenceConfig(AppConfig):
    name = "interference"
    verbose_name = _("interference records")
