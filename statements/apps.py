"""App configuration for the statements domain."""

from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = "Statements"

    def ready(self):
        from statements.events import register_consumer
        from tracker import http_cache

        # Every change of the public record purges the HTTP cache's copies of it (through the queue).
        register_consumer(http_cache.CONSUMER, http_cache.purge_on_events)
