"""The honest date (api/dates.py): Python and PostgreSQL write it alike, every style and precision,
on the same rows; the citation in the API's detail is the SQL one."""

import datetime

import pytest
from django.db import connection

from api.dates import STYLES, honest_date, honest_date_sql
from tests.factories import StatementFactory

DAYS = [
    datetime.date(2022, 9, 22),
    datetime.date(2022, 5, 1),
    datetime.date(2021, 12, 9),
    datetime.date(2023, 1, 31),
    datetime.date(999, 7, 4),  # a year of three digits: padded alike
]


@pytest.fixture
def rows(db):
    """A statement for every day and precision (a month-precision date is the 1st)."""
    made = []
    for day in DAYS:
        for precision in ("day", "approximate", "month"):
            said_on = day.replace(day=1) if precision == "month" else day
            made.append(StatementFactory(said_on=said_on, date_precision=precision))
    return made


@pytest.mark.parametrize("style", sorted(STYLES))
def test_python_and_sql_write_the_same_honest_date(rows, style):
    written = honest_date_sql("s.said_on", "s.date_precision", style)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.id, s.said_on, s.date_precision, {written} FROM statements_statement AS s")
        found = cursor.fetchall()
    assert len(found) == len(DAYS) * 3
    for _, said_on, precision, text in sorted(found):
        assert text == honest_date(said_on, precision, style), (said_on, precision)
        assert text == honest_date(said_on.isoformat(), precision, style)  # ISO text from a JSON row


@pytest.mark.parametrize(
    ("said_on", "precision", "style", "text"),
    [
        (datetime.date(2022, 9, 22), "day", "short", "22 Sep 2022"),
        (datetime.date(2022, 9, 22), "approximate", "short", "c. 22 Sep 2022"),
        (datetime.date(2022, 9, 1), "month", "short", "Sep 2022"),
        (datetime.date(2022, 9, 5), "day", "long", "5 September 2022"),
        (datetime.date(2022, 9, 22), "approximate", "long", "c. 22 September 2022"),
        (datetime.date(2022, 9, 1), "month", "long", "September 2022"),
        (datetime.date(2022, 9, 22), "day", "citation", "2022-09-22"),
        (datetime.date(2022, 9, 22), "approximate", "citation", "c. 2022-09-22"),
        (datetime.date(2022, 9, 1), "month", "citation", "September 2022"),
        (datetime.date(2022, 9, 22), "approximate", "edtf", "2022-09-22~"),
        (datetime.date(2022, 11, 1), "month", "edtf", "2022-11"),
        (datetime.date(2022, 9, 22), "approximate", "html", "2022-09-22"),
        (datetime.date(2022, 11, 1), "month", "html", "2022-11"),
        (None, "day", "long", ""),
        ("", "month", "short", ""),
    ],
)
def test_each_style_reads_as_documented(said_on, precision, style, text):
    assert honest_date(said_on, precision, style) == text


def test_the_citation_of_the_detail_writes_the_date_as_the_citation_style(rows, api):
    for statement in rows:
        citation = api.get(f"/api/v1/statements/{statement.pk}/").json()["citation"]
        said = honest_date(statement.said_on, statement.date_precision, "citation")
        assert f"({statement.government.name}), {said}. " in citation
