"""Revalidation (If-None-Match) answered from the data version: 304s that cost one query, and
never a stale 304 after a write by any path."""

import pytest
from django.db import connection

from statements.models import DataVersion, Statement
from tests.factories import StatementFactory

LIST = "/api/v1/statements/"


@pytest.fixture
def statement(db):
    return StatementFactory(government__code="DE")


def revalidate(api, path, etag, **headers):
    return api.get(path, HTTP_IF_NONE_MATCH=etag, **headers)


def test_a_confirmed_etag_is_answered_304_with_one_query(statement, api, django_assert_num_queries):
    first = api.get(LIST)
    assert revalidate(api, LIST, first["ETag"]).status_code == 304  # renders, confirms the tag

    with django_assert_num_queries(1):  # the data version; no statements read
        again = revalidate(api, LIST, first["ETag"])

    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize(
    "write",
    [
        lambda s: Statement.objects.filter(pk=s.pk).update(stance="welcoming"),  # a queryset update
        lambda s: s.sources.update(publisher="Another publisher"),  # another table
        lambda s: s.speaker.__class__.objects.filter(pk=s.speaker_id).update(name="Renamed"),
        lambda s: connection.cursor().execute("UPDATE statements_government SET name = 'Deutschland'"),  # raw SQL
    ],
    ids=["statement", "source", "speaker", "raw-sql"],
)
def test_any_write_ends_the_shortcut(statement, api, write):
    first = api.get(LIST)
    revalidate(api, LIST, first["ETag"])
    before = DataVersion.current()

    write(statement)

    assert DataVersion.current() != before
    response = revalidate(api, LIST, first["ETag"])
    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]


def test_confirmations_are_per_url_host_and_format(statement, api):
    first = api.get(LIST)
    revalidate(api, LIST, first["ETag"])

    # The same tag for another URL or host is not confirmed by it (and does not match: 200).
    assert revalidate(api, LIST + "?government=US", first["ETag"]).status_code == 200
    assert revalidate(api, LIST, first["ETag"], HTTP_HOST="localhost").status_code == 200


def test_a_stale_or_foreign_etag_renders(statement, api):
    for header in ['"nonsense"', "*", 'W/"x", "y"', '"' + "a" * 5000 + '"']:
        response = revalidate(api, LIST, header)
        assert response.status_code in (200, 304), header
    assert revalidate(api, LIST, '"nonsense"').status_code == 200


def test_streamed_exports_are_not_confirmed(statement, api):
    first = api.get("/api/v1/statements/export.csv")
    assert first.status_code == 200
    response = revalidate(api, "/api/v1/statements/export.csv", '"anything"')
    assert response.status_code == 200
    b"".join(response.streaming_content)


def test_the_version_moves_on_with_every_write_statement(statement):
    before = DataVersion.current()
    StatementFactory()
    assert DataVersion.current() != before


def test_a_paged_list_keeps_its_etag_over_time(db, api, monkeypatch):
    """Cursors carry no timestamp: the same page has the same `next` link, hence the same ETag,
    a second (or a day) later. Timestamped cursors changed every list's ETag every second."""
    import time

    for _ in range(3):
        StatementFactory()
    first = api.get(LIST, {"page_size": 1})
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 86_400)

    later = api.get(LIST, {"page_size": 1})

    assert later.json()["next"] == first.json()["next"]
    assert later["ETag"] == first["ETag"]
    assert api.get(LIST, {"page_size": 1}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
