"""Export writes the interchange format; export → import into an empty database is lossless."""

import json

import pytest
from django.core.management import CommandError, call_command

from statements import services
from statements.interchange import dumps
from statements.models import Correction, Government, Speaker, Statement, Topic
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


RESTORE_KEYS = ("id", "status", "corrections", "created_at", "updated_at", "version")


def seed_view(line: str) -> str:
    """An exported line without what only a restore reads (ids, status, corrections, times, versions, slugs)."""
    record = json.loads(line)
    for key in RESTORE_KEYS:
        record.pop(key)
    record["speaker"].pop("slug")
    return dumps(record)


def test_export_of_the_seed_data_is_the_seed_file(seeded, tmp_path):
    out = tmp_path / "export.jsonl"

    call_command("export_statements", str(out))

    exported = sorted(seed_view(line) for line in out.read_text(encoding="utf-8").splitlines())
    assert exported == sorted(SEED_FILE.read_text(encoding="utf-8").splitlines())
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert next(iter(first)) == "id" and list(first)[-5:] == list(RESTORE_KEYS[1:])


def test_export_then_import_into_an_empty_database_reproduces_the_data(db, tmp_path, staff_user):
    StatementFactory(status="draft", published_on="2022-10-01", context="ctx", language="de", is_translation=True)
    retracted = StatementFactory(date_precision="month", said_on="2022-11-01")
    services.statement_retract(statement_id=retracted.pk, user=staff_user, reason="The source withdrew it.")
    SourceFactory(statement=retracted, position=1, archived_url="https://web.archive.org/x", accessed_on="2023-01-02")
    StatementFactory(speaker__wikidata_id="Q567", speaker__kind="body")
    before = snapshot()
    out = tmp_path / "export.jsonl"
    call_command("export_statements", str(out))

    Correction.objects.all().delete()
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


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--government", "XX"], "--government: 'XX' is not a government code"),
        (["--speaker", "nobody-at-all"], "--speaker: Unknown speaker: 'nobody-at-all'."),
        (["--stance", "supportive"], "--stance: 'supportive' is not a stance"),
        (["--said-after", "2022-13-01"], "--said-after: Enter a valid date."),
        (["--status", "archived"], "--status: 'archived' is not a status"),
    ],
)
def test_export_filters_are_validated_like_the_api(seeded, options, message):
    with pytest.raises(CommandError) as refused:
        call_command("export_statements", *options)

    assert message in str(refused.value)


def test_export_takes_lowercase_codes_and_draft_only_speakers(seeded, capsys):
    draft = StatementFactory(status="draft", speaker__slug="only-drafts")

    call_command("export_statements", "--government", "de,fi")
    assert {json.loads(line)["government"] for line in capsys.readouterr().out.splitlines()} == {"DE", "FI"}
    call_command("export_statements", "--speaker", "only-drafts")
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [draft.pk]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{}", "json: expected a list of speakers"),
        ('[{"name": "A", "kind": "person"}]', "speakers[0]: speaker.slug: is required"),
        ('[{"name": "A", "kind": "robot", "slug": "a"}]', "speakers[0]: speaker.kind: "),
        ('[{"name": "A", "kind": "person", "slug": "a", "age": 3}]', "speakers[0]: speaker.age: unknown key"),
        ('[{"name": "A", "kind": "person", "slug": "a"}, {"name": "B", "kind": "person", "slug": "a"}]', "given twice"),
        ('[{"name": "Someone else", "kind": "person", "slug": "held"}]', "'held' is 'Held Speaker' (person)"),
    ],
)
def test_a_speakers_file_is_validated_whole_and_writes_nothing_when_bad(db, text, message):
    from statements.models import Speaker
    from statements.services.speakers import speakers_import

    Speaker.objects.create(name="Held Speaker", kind="person", slug="held")
    text = text.replace("]", ', {"name": "Fine", "kind": "body", "slug": "fine"}]') if text != "{}" else text

    report = speakers_import(text)

    assert not report.ok and any(message in error for error in report.errors), report.errors
    assert not Speaker.objects.filter(slug="fine").exists()


def test_export_then_import_speakers_creates_the_missing_and_keeps_the_rest(db, tmp_path):
    from statements.models import Speaker
    from statements.services.speakers import speakers_import

    Speaker.objects.create(name="Ylva Johansson", kind="person", wikidata_id="Q263043", slug="ylva-johansson")
    Speaker.objects.create(name="UNHCR", kind="body", slug="unhcr")
    out = tmp_path / "speakers.json"
    call_command("export_speakers", str(out))
    Speaker.objects.filter(slug="unhcr").delete()

    report = speakers_import(out.read_text(encoding="utf-8"))

    assert report.ok and report.created == ["unhcr"] and report.unchanged == 1
    assert json.loads(out.read_text(encoding="utf-8")) == [
        {"name": "UNHCR", "kind": "body", "slug": "unhcr"},
        {"name": "Ylva Johansson", "kind": "person", "wikidata_id": "Q263043", "slug": "ylva-johansson"},
    ]
