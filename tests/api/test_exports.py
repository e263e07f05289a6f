"""Exports: CSV and the interchange format, streamed, filtered, lossless."""

import csv
import datetime
import io
import json

from django.http import StreamingHttpResponse

from statements.models import Government, Source, Speaker, Statement, Topic
from tests.api.problems import problem
from tests.conftest import import_text, searched
from tests.factories import StatementFactory


def body(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def test_csv_export_of_the_us_remarks(seeded, client):
    response = client.get("/api/v1/statements/export.csv", {"government": "US"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="statements.csv"'
    rows = list(csv.DictReader(io.StringIO(body(response))))
    assert [(r["said_on"], r["stance"]) for r in rows] == [
        ("2022-09-23", "neutral"),
        ("2022-09-26", "conditional"),
        ("2022-09-27", "welcoming"),
    ]
    last = Statement.objects.get(government="US", said_on="2022-09-27")
    assert rows[2]["quote"] == last.quote and rows[2]["speaker_name"] == "Karine Jean-Pierre"
    assert rows[2]["permalink"] == f"http://testserver/statements/{last.pk}/"
    assert rows[2]["source_urls"] == last.sources.get().url
    source = last.sources.get()
    assert json.loads(rows[2]["sources"]) == [
        {
            "url": source.url,
            "publisher": source.publisher,
            "archived_url": source.archived_url,
            "accessed_on": source.accessed_on and source.accessed_on.isoformat(),
        }
    ]


def test_csv_sources_are_unambiguous_whatever_a_publisher_is_called(db, client):
    statement = StatementFactory(sources=[])
    printed = [
        ("https://a.example/1", "Reuters | Yahoo News", "https://web.archive.org/1", datetime.date(2022, 9, 28)),
        ("https://b.example/2", 'The "Times", London', None, None),
    ]
    for position, (url, publisher, archived, accessed) in enumerate(printed):
        Source.objects.create(
            statement=statement, url=url, publisher=publisher, archived_url=archived, accessed_on=accessed,
            position=position,
        )  # fmt: skip

    (row,) = csv.DictReader(io.StringIO(body(client.get("/api/v1/statements/export.csv"))))

    assert row["source_urls"].split(" | ") == [url for url, *_ in printed]
    assert [tuple(s.values()) for s in json.loads(row["sources"])] == [
        (url, publisher, archived, accessed and accessed.isoformat()) for url, publisher, archived, accessed in printed
    ]


def test_jsonl_export_reimports_losslessly(seeded, client):
    exported = body(client.get("/api/v1/statements/export.jsonl"))
    before = sorted(Statement.objects.values_list("speaker__name", "said_on", "quote", "stance", "government_id"))

    Source.objects.all().delete()
    Statement.objects.all().delete()
    Speaker.objects.all().delete()
    Government.objects.all().delete()
    Topic.objects.all().delete()
    report = import_text(exported)

    assert report.ok and report.created == 44
    after = sorted(Statement.objects.values_list("speaker__name", "said_on", "quote", "stance", "government_id"))
    assert after == before


def test_exports_take_every_filter_and_never_drafts(seeded, client):
    StatementFactory(status="draft", quote="zqx draft")
    params = {"stance": "restrictive", "said_after": "2022-09-21", "said_before": "2022-09-30", "q": "visa"}

    rows = list(csv.DictReader(io.StringIO(body(client.get("/api/v1/statements/export.csv", params)))))
    lines = body(client.get("/api/v1/statements/export.jsonl", params)).splitlines()

    expected = searched(Statement.objects.published(), "visa").filter(stance="restrictive")
    expected = expected.filter(said_on__range=("2022-09-21", "2022-09-30"))
    assert len(rows) == len(lines) == expected.count() > 0
    assert "zqx" not in body(client.get("/api/v1/statements/export.csv"))


def test_export_errors_are_json_400s(seeded, client):
    assert client.get("/api/v1/statements/export.csv", {"stanse": "x"}).status_code == 400
    assert client.get("/api/v1/statements/export.jsonl", {"government": "XX"}).json() == problem(
        400, {"government": ["'XX' is not a government code (ISO 3166-1 alpha-2, EU or UN)."]}
    )
    assert client.get("/api/v1/statements/export.csv", {"page_size": "10"}).status_code == 400


def test_exports_read_in_chunks_with_constant_queries(db, client, django_assert_max_num_queries):
    for n in range(30):
        StatementFactory(quote=f"Row {n}")
    response = client.get("/api/v1/statements/export.csv")

    with django_assert_max_num_queries(4):  # one cursor, and sources once per chunk
        rows = body(response).splitlines()
    assert len(rows) == 31


def test_exports_run_under_their_own_statement_timeout(db):
    """Not the web's 2 s: a large export for a slow client takes minutes. For the export's own
    transaction only (SET LOCAL)."""

    from statements import listing

    with listing.exporting("default") as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == listing.EXPORT_STATEMENT_TIMEOUT


def test_jsonl_lines_built_by_postgresql_are_the_interchange_records(seeded, client):
    """The export's lines (PostgreSQL's JSON) say exactly what the Python renderer of the format
    (`manage.py export_statements`) says, key order included, for awkward strings too:
    backslashes, quotes, control characters, line and paragraph separators, optional keys."""
    import json

    from statements.interchange import dumps, statement_to_record

    awkward = StatementFactory(
        quote='A \\ back\\slash, "quotes", a tab\t, a bell \x07, \u2028 and \u2029, and ünïcödé',
        context="line\nbreak\r\n",
        speaker__wikidata_id="Q42",
    )
    source = awkward.sources.first() or Source.objects.create(
        statement=awkward, url="https://example.org/a", publisher="P", position=0
    )
    Source.objects.filter(pk=source.pk).update(archived_url="https://archive.example.org/a", accessed_on="2022-09-30")

    lines = body(client.get("/api/v1/statements/export.jsonl")).splitlines(keepends=True)
    expected = [dumps(statement_to_record(s)) + "\n" for s in Statement.objects.published().for_export()]

    assert len(lines) == len(expected) > 40
    assert [json.loads(line) for line in lines] == [json.loads(line) for line in expected]
    assert [list(json.loads(line)) for line in lines] == [list(json.loads(line)) for line in expected]
    mine = next(line for line in lines if f'"id":{awkward.pk},' in line)
    assert "\u2028" not in mine and "\\u2028" in mine and "\u2029" not in mine
    assert json.loads(mine)["speaker"]["wikidata_id"] == "Q42"
    assert json.loads(mine)["sources"][0]["accessed_on"] == "2022-09-30"
