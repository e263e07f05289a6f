from django.apps import AppConfig


class WebConfig(AppConfig):
    """What people read (SPEC §6a): the public site's pages."""

    name = "web"
    default_auto_field = "django.db.models.BigAutoField"
