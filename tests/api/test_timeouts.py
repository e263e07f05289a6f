"""A query cut by the 2 s statement_timeout is a 503 with a clear message, never a 500."""

from django.db import connection

from tests.factories import StatementFactory


def test_a_cancelled_query_is_a_503(db, api, monkeypatch):
    StatementFactory()

    def slow_count(self, limit):
        with connection.cursor() as cursor:  # a real query that PostgreSQL cancels
            cursor.execute("SELECT pg_sleep(1)")
        raise AssertionError("statement_timeout should have cancelled the query")

    monkeypatch.setattr("statements.listing.StatementPages.count", slow_count)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 20")  # for this test's transaction only

    response = api.get("/api/v1/statements/")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.json() == {
        "errors": {
            "detail": ["The query took longer than the 2 s limit. Narrow it with filters (a date range, governments)."]
        }
    }
