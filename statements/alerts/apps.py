from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """E-mail alerts (SPEC §11): saved searches, the addresses following them, what is due and
    what was mailed; a consumer of the event log and its worker tasks."""

    name = "statements.alerts"
    label = "alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from statements.alerts.fanout import items_for
        from statements.events import register_consumer

        register_consumer(CONSUMER, items_for)


CONSUMER = "alerts"
