"""A query cut by the 2 s statement_timeout is a 503 with a clear message, never a 500."""

from django.db import connection

from tests.api.problems import problem
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
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == problem(
        503,
        {"detail": ["The query took longer than the 2 s limit. Narrow it with filters (a date range, governments)."]},
    )


def test_a_cancelled_query_on_a_page_is_a_503_page(db, monkeypatch):
    """The quote check's page once answered Django's "Server Error (500)" for a text that hit
    the statement timeout: a 503 page in the site's layout now, with Retry-After."""
    from django.test import Client

    from statements import quotecheck

    StatementFactory()

    def slow_check(*args, **kwargs):
        with connection.cursor() as cursor:  # a real query that PostgreSQL cancels
            cursor.execute("SELECT pg_sleep(1)")
        raise AssertionError("statement_timeout should have cancelled the query")

    monkeypatch.setattr(quotecheck, "check_quote", slow_check)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 20")

    response = Client(raise_request_exception=False).get("/check/", {"text": "we welcome all people"})

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    content = response.content.decode()
    assert "Temporarily unavailable" in content and 'class="skip"' in content
    assert "took longer than the 2 seconds" in content
