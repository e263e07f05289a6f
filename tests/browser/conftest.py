"""The live server's request threads keep their database connections (CONN_MAX_AGE); end them
when the browser tests finish, or the test database cannot be dropped at the end of the run."""

import pytest
from django.db import connection


@pytest.fixture(scope="module", autouse=True)
def end_live_server_sessions(django_db_blocker):
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
