from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = _("Sharing and access requests")

    def ready(self) -> None:
        from providers.recipients import register_recipient_source
        from pupils.jobs import register_result_links, register_worker_start

        from .access import pdf, tasks
        from .registers.recipients import disclosure_log_recipients
        from .retention import register as register_retention

        register_retention()
        # The privacy notice names the organisations in the disclosure log.
        register_recipient_source(disclosure_log_recipients)
        register_result_links(tasks.PRODUCE_JOB, tasks.result_links)
        register_worker_start(pdf.start_warm_worker)
