"""Fixtures for the alerts: a real SMTP server (aiosmtpd) and the settings that send to it."""

import pytest

from tests.alerts.smtp import SmtpServer


@pytest.fixture
def smtp(settings):
    """An SMTP server on a free port; Django's e-mail backend sends to it."""
    server = SmtpServer().start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10},
        }
    }
    settings.SITE_URL = "https://tracker.test"
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fresh_sign_up_counts():
    """Sign-ups are counted in the cache (per address and per client): each test starts at 0."""
    from django.core.cache import cache

    cache.clear()
