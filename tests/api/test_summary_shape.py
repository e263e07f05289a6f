"""The short form of a statement is api/shapes.py's SUMMARY wherever it is written: its SQL (matrix
cells, quote-check candidates), shapes.summary() over a position step's StatementSummary or a model
instance (positions, compare, timelines), and StatementSummarySerializer (the OpenAPI schema)."""

import datetime

import orjson
import pytest
from django.db import connection
from django.test import RequestFactory

from api import shapes
from api.links import StatementUrls
from api.serializers import SpeakerSummarySerializer, StatementSummarySerializer
from statements.models import Statement
from statements.positions import positions_as_of
from tests.factories import StatementFactory

NAMES = [f.name for f in shapes.SUMMARY.fields]
SPEAKER_NAMES = [f.name for f in next(f for f in shapes.SUMMARY.fields if f.name == "speaker").shape.fields]


@pytest.fixture
def urls():
    return StatementUrls(RequestFactory().get("/"))


@pytest.fixture
def statements(db):
    """Every precision, and text that JSON must escape."""
    return [
        StatementFactory(
            said_on=datetime.date(2022, 9, 22),
            date_precision="day",
            quote='Said "this" \\ \u2028 \x1f\x7f </script> ü.',
        ),
        StatementFactory(said_on=datetime.date(2022, 9, 23), date_precision="approximate", role="Minister, “acting”"),
        StatementFactory(said_on=datetime.date(2022, 9, 1), date_precision="month", stance="welcoming"),
    ]


def sql_summary(statement_id: int, urls: StatementUrls) -> bytes:
    select = shapes._with_links(shapes.SUMMARY.json_sql(), urls.api_prefix, urls.page_prefix)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM statements_statement AS s {shapes.JOINS} WHERE s.id = %s", [statement_id])
        return cursor.fetchone()[0].encode()


def test_python_and_sql_write_the_same_summary(statements, urls):
    for statement in statements:
        from_sql = sql_summary(statement.pk, urls)
        model = Statement.objects.select_related("speaker").get(pk=statement.pk)
        step = next(p for p in positions_as_of(topic=statement.topic, as_of=statement.said_on) if p.statement).statement
        assert step.pk == statement.pk
        for written in (shapes.summary(model, urls), shapes.summary(step, urls)):
            assert list(written) == NAMES and list(written["speaker"]) == SPEAKER_NAMES
            assert orjson.loads(from_sql) == written
            # PostgreSQL's text is what the API's renderer (orjson) writes, byte for byte: a projection
            # could be spliced into a response unparsed.
            assert from_sql == orjson.dumps(written)


def test_the_schema_serializer_is_the_summary_shape(statements, urls):
    assert list(StatementSummarySerializer().fields) == NAMES
    assert list(SpeakerSummarySerializer().fields) == SPEAKER_NAMES
    written = shapes.summary(statements[0], urls)
    assert StatementSummarySerializer(written).data == written
