"""Shared fixtures: the real seed data, an API client, a staff user."""

import threading
import time
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from statements.interchange import parse_lines, read_lines
from statements.services import statements_import

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "seeds" / "statements-2022.jsonl"
# Every seed file, in the order `./dev serve` imports them (seeds/statement-files.txt, the order
# they were added): the ids it gives.
SEED_FILES = [
    ROOT / "seeds" / name
    for name in (ROOT / "seeds" / "statement-files.txt").read_text(encoding="utf-8").splitlines()
    if name.strip() and not name.startswith("#")
]


TOPICS_FILE = ROOT / "seeds" / "topics.json"


def import_topics():
    from statements.services.topics import topics_import

    report = topics_import(TOPICS_FILE.read_text(encoding="utf-8"))
    assert report.ok, report.errors
    return report


def import_seeds() -> None:
    """What `./dev serve` loads: the topics' descriptions, then every statement file in order."""
    import_topics()
    for path in SEED_FILES:
        report = import_file(path)
        assert report.ok, report.errors


def import_file(path: Path, **kwargs):
    with path.open("rb") as stream:
        parsed = parse_lines(read_lines(stream))
    return statements_import(parsed=parsed, source_label=path.name, **kwargs)


def import_text(text: str, **kwargs):
    parsed = parse_lines(read_lines(text.encode().splitlines(keepends=True)))
    return statements_import(parsed=parsed, source_label="test.jsonl", **kwargs)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Web requests get a 2 s statement timeout; creating and dropping test databases can take
    longer on a loaded machine. Tests use 30 s (the 503 test sets its own, tighter limit)."""
    from django.db import connections

    for alias in connections:
        connections[alias].settings_dict["OPTIONS"]["options"] = "-c statement_timeout=30000"


@pytest.fixture
def seeded(db):
    import_topics()
    report = import_file(SEED_FILE)
    assert report.ok, report.errors
    return report


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-test-password")


@pytest.fixture
def admin_app(django_app):
    """`admin_app(user)`: a WebTest app logged in as `user`, with cookies of its own (two editors are
    two apps, like two browsers). Its forms are the HTML the admin rendered, submitted as a browser would."""
    from django_webtest import DjangoTestApp

    def app_for(user):
        app = DjangoTestApp()
        app.set_user(user)
        app.user = user
        return app

    return app_for


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    """Tests make many requests from one address; the rate-limit tests set their own limit."""
    settings.API_RATE_LIMIT = "1000000/minute"


def searched(queryset, text: str):
    """An independent reading of `q` for tests to compare with: Django's own full-text search
    (websearch syntax) over the same stored vector, each statement matched by the query in its
    own language's configuration (statements.search.config_for)."""
    from django.contrib.postgres.search import SearchQuery
    from django.db.models import Q

    from statements.search import config_for

    matches = Q(pk__in=[])
    for language in queryset.order_by().values_list("language", flat=True).distinct():
        query = SearchQuery(text, config=config_for(language), search_type="websearch")
        matches |= Q(language=language, search_vector=query)
    return queryset.filter(matches)


def database_url(name: str) -> str:
    """A URL for database `name` on the server the tests use (Unix socket or TCP)."""
    from django.db import connection

    connection.ensure_connection()
    info = connection.connection.info
    if info.host.startswith("/"):
        return f"postgresql://{info.user}@/{name}?host={info.host}&port={info.port}"
    return f"postgresql://{info.user}@{info.host}:{info.port}/{name}"


# Tiers by folder and file (pyproject.toml lists the markers): what a test needs decides its tier,
# so a new test file lands in the right one without remembering to mark it.
TIER_BY_FOLDER = {"browser": "browser", "deploy": "deploy"}
TIER_BY_FILE = {"test_fuzz.py": "fuzz", "test_worker.py": "deploy", "test_alerts_worker.py": "deploy"}
# What depends on the PostgreSQL server itself: the domain's triggers, constraints, SQL functions
# and imports (tests/statements/), query plans, the SQL read paths, dumps and restores.
PG_SERVER_FOLDERS = {"statements"}
PG_SERVER_FILES = {
    "test_query_plans.py",
    "test_positions.py",
    "test_matrix.py",
    "test_stats.py",
    "test_check.py",
    "test_timeouts.py",
    "test_fast_path.py",
    "test_statements.py",
    "test_sync.py",
    "test_backup_restore.py",
    "test_write_paths.py",
    "test_seeds.py",
    "test_embedded_db.py",
}


def pytest_collection_modifyitems(config, items):
    tests_root = ROOT / "tests"
    for item in items:
        parts = item.path.relative_to(tests_root).parts
        folders, name = set(parts[:-1]), parts[-1]
        for folder, marker in TIER_BY_FOLDER.items():
            if folder in folders:
                item.add_marker(marker)
        if name in TIER_BY_FILE:
            item.add_marker(TIER_BY_FILE[name])
        if name in PG_SERVER_FILES or PG_SERVER_FOLDERS & folders:
            item.add_marker("pg_server")


def eventually(predicate, timeout: float = 30, what: str = "the condition"):
    """Wait until `predicate()` is truthy (checked every 50 ms) and return it; fail at the deadline."""
    pause = threading.Event()
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        pause.wait(0.05)


@pytest.fixture(autouse=True)
def fresh_quote_check_statistics():
    """The quote check keeps PostgreSQL's word statistics and the languages held for minutes per
    process: each test reads its own database's, never an earlier test's."""
    from statements.quotecheck.candidates import forget_statistics
    from statements.quotecheck.languages import forget_languages

    forget_statistics()
    forget_languages()
