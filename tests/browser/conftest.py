"""Browser tests: headless Chromium (Debian's package) driven by Playwright against a live server.

The live server's request threads keep their database connections (CONN_MAX_AGE); they are
ended when the session ends, or the test database could not be dropped.
"""

import os
import shutil

import pytest
from django.db import connection

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As the machine's probe starts it: without the background-networking flags, Chromium's own
# connections are refused by the closed network, many at a time.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium); CI installs it")
    for item in items:
        if item.path.parent.name == "browser":
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def end_live_server_sessions(django_db_setup, django_db_blocker):
    """After the last browser test (the live server lives for the session), before the test
    database is dropped."""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls of the test around
    # it are still synchronous, so Django's guard against ORM use in async code does not apply.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield instance
        instance.close()
