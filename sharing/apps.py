from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = _("Sharing and access requests")

    def ready(self) -> None:
        from pupils.jobs import register_result_links, register_worker_start

        from .access import pdf, tasks
        from .retention import register as register_retention

        register_retention()
        register_result_links(tasks.PRODUCE_JOB, tasks.result_links)
        register_worker_start(pdf.start_warm_worker)
