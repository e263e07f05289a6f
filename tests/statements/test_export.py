"""Export writes the interchange format; export → import into an empty database is lossless."""

import json

from django.core.management import call_command

from statements.models import Government, Speaker, Statement, Topic
from tests.conftest import SEED_FILE, import_text
from tests.factories import SourceFactory, StatementFactory

COMPARED_FIELDS = [
    "speaker__name",
    "speaker__kind",
    "speaker__wikidata_id",
    "government_id",
    "topic__slug",
    "role",
    "organization",
    "said_on",
    "date_precision",
    "published_on",
    "quote",
    "language",
    "is_translation",
    "stance",
    "context",
    "status",
]


def snapshot() -> list:
    rows = []
    for statement in Statement.objects.for_export():
        values = Statement.objects.filter(pk=statement.pk).values(*COMPARED_FIELDS).get()
        values["sources"] = [
            (s.url, s.publisher, s.archived_url, s.accessed_on, s.position) for s in statement.sources.all()
        ]
        rows.append(values)
    return rows


def test_export_of_the_seed_data_is_the_seed_file(seeded, tmp_path):
    out = tmp_path / "export.jsonl"

    call_command("export_statements", str(out))

    exported = sorted(out.read_text(encoding="utf-8").splitlines())
    assert exported == sorted(SEED_FILE.read_text(encoding="utf-8").splitlines())


def test_export_then_import_into_an_empty_database_reproduces_the_data(db, tmp_path):
    StatementFactory(status="draft", published_on="2022-10-01", context="ctx", language="de", is_translation=True)
    retracted = StatementFactory(status="retracted", date_precision="month", said_on="2022-11-01")
    SourceFactory(statement=retracted, position=1, archived_url="https://web.archive.org/x", accessed_on="2023-01-02")
    StatementFactory(speaker__wikidata_id="Q567", speaker__kind="body")
    before = snapshot()
    out = tmp_path / "export.jsonl"
    call_command("export_statements", str(out))

    Statement.objects.all().delete()
    Speaker.objects.all().delete()
    Government.objects.all().delete()
    Topic.objects.all().delete()
    report = import_text(out.read_text(encoding="utf-8"))

    assert report.ok, report.errors
    assert snapshot() == before


def test_export_filters(seeded, capsys):
    call_command("export_statements", "--government", "DE,FI", "--stance", "restrictive")

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines and {line["government"] for line in lines} <= {"DE", "FI"}
    assert {line["stance"] for line in lines} == {"restrictive"}
    assert len(lines) == Statement.objects.filter(government__in=["DE", "FI"], stance="restrictive").count()
