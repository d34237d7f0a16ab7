from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = _("Sharing and access requests")

    def ready(self) -> None:
        from .retention import register as register_retention

        register_retention()
