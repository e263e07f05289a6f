from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Signed pushes to newsroom systems (SPEC §10): subscriptions, deliveries, their worker tasks."""

    name = "statements.webhooks"
    label = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from statements.events import register_consumer
        from statements.webhooks.fanout import deliveries_for

        register_consumer(CONSUMER, deliveries_for)


CONSUMER = "webhooks"
