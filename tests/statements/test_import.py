"""Import: validate every line first, report every problem with its line, write all or nothing."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from statements.models import Government, Source, Speaker, Statement, Topic
from tests.conftest import SEED_FILE, import_text


def record(**overrides) -> dict:
    base = {
        "speaker": {"name": "Kaja Kallas", "kind": "person"},
        "role": "Prime Minister",
        "organization": "Government of Estonia",
        "government": "EE",
        "said_on": "2022-09-22",
        "date_precision": "day",
        "published_on": None,
        "quote": "Russians should stay and fight.",
        "language": "en",
        "is_translation": False,
        "stance": "restrictive",
        "topic": "russian-mobilisation-2022",
        "context": "",
        "sources": [{"url": "https://example.org/a", "publisher": "ERR"}],
    }
    base.update(overrides)
    return base


def jsonl(*records) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def test_new_governments_speakers_and_topics_are_created(db):
    text = jsonl(
        record(),
        record(
            speaker={"name": "Дмитрий Песков", "kind": "person", "wikidata_id": "Q2632869"},
            government="RU",
            topic="exit-bans-2022",
            language="ru",
            quote="Это не так.",
        ),
        record(speaker={"name": "Swiss Federal Council", "kind": "body"}, government="CH", quote="Q3"),
    )

    report = import_text(text)

    assert report.ok, report.errors
    assert report.created == 3
    assert set(Government.objects.values_list("code", flat=True)) == {"EE", "RU", "CH"}
    assert Government.objects.get(code="RU").name == "Russia"
    assert Topic.objects.get(slug="exit-bans-2022").title == "Exit bans 2022"
    peskov = Speaker.objects.get(wikidata_id="Q2632869")
    assert peskov.slug == "дмитрий-песков"
    assert Speaker.objects.get(name="Swiss Federal Council").kind == "body"
    assert Source.objects.count() == 3


def test_a_file_with_bad_lines_writes_nothing_and_names_every_line(db):
    text = jsonl(
        record(),
        "{not json",
        record(stance="supportive", government="XX"),
        record(speaker={"name": "", "kind": "robot"}, sources=[{"url": "javascript:alert(1)", "publisher": "x"}]),
        record(said_on="2022-02-30", date_precision="month"),
        record(extra="field", quote="Another quote"),
        [1, 2],
    )

    report = import_text(text)

    assert report.errors == [
        "line 2: json: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        "line 3: government: 'XX' is not an ISO 3166-1 alpha-2 code, EU or UN",
        "line 3: stance: 'supportive' is not one of welcoming, conditional, restrictive, neutral",
        "line 4: speaker.name: must not be empty",
        "line 4: speaker.kind: 'robot' is not one of person, body",
        "line 4: sources[0].url: 'javascript:alert(1)' is not an http(s) URL",
        "line 5: said_on: '2022-02-30' is not a real date",
        "line 6: extra: unknown key",
        "line 7: json: expected an object, got list",
    ]
    assert Statement.objects.count() == 0
    assert Government.objects.count() == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (record(government="us"), "government: 'us' is not an ISO 3166-1 alpha-2 code, EU or UN; did you mean 'US'?"),
        (record(government=["US"]), "government: ['US'] is not an ISO 3166-1 alpha-2 code, EU or UN"),
        (record(government={"code": "US"}), "government: {'code': 'US'} is not an ISO 3166-1 alpha-2 code"),
        (record(date_precision="month"), "said_on: a month-precision date must be the 1st of the month"),
        (record(said_on="22/09/2022"), "said_on: must be a date as YYYY-MM-DD, not '22/09/2022'"),
        (record(quote="nul \x00 byte"), "quote: contains a NUL character"),
        (record(quote=42), "quote: must be a string, not int"),
        (record(is_translation="false"), "is_translation: must be true or false, not 'false'"),
        (record(language="english"), "language: must be a BCP 47 tag such as en, de or pt-BR, not 'english'"),
        (record(topic="Russian Mobilisation"), "topic: must be a slug of lowercase letters, digits and hyphens"),
        (record(sources=[]), "sources: must be a non-empty list of sources"),
        (record(sources=[{"url": "https://x.org"}]), "sources[0].publisher: must be a string, not NoneType"),
        (record(sources=[{"url": "https://x.org", "publisher": "P", "via": 1}]), "sources[0].via: unknown key"),
        (record(speaker={"name": "A", "kind": "person", "wikidata_id": "64"}), "speaker.wikidata_id: must be Q"),
        (record(speaker={"name": "A", "kind": "person", "party": "X"}), "speaker.party: unknown key"),
        (record(status="archived"), "status: 'archived' is not one of draft, published, retracted"),
        ('{"quote": "a", "quote": "b"}', "json: duplicate key 'quote'"),
    ],
)
def test_each_problem_is_reported_with_field_and_line(db, line, message):
    report = import_text(jsonl(record(quote="fine"), line))

    assert any(error.startswith(f"line 2: {message}") for error in report.errors), report.errors
    assert Statement.objects.count() == 0


def test_missing_keys_are_each_reported(db):
    report = import_text(jsonl({"speaker": {"name": "A", "kind": "person"}}))

    assert "line 1: quote: is required" in report.errors
    assert "line 1: sources: is required" in report.errors
    assert len([e for e in report.errors if e.endswith("is required")]) == 11


def test_same_natural_key_twice_in_one_file_is_an_error(db):
    report = import_text(jsonl(record(), record(stance="neutral")))

    assert report.errors == ["line 2: quote: same speaker, said_on and quote as line 1 (natural key)"]


def test_existing_statement_with_other_content_is_a_conflict_unless_update(db):
    assert import_text(jsonl(record())).ok

    conflict = import_text(jsonl(record(stance="welcoming", context="new")))
    assert conflict.errors == [
        "line 1: conflict: statement 1 has the same speaker, said_on and quote but a different context, stance; "
        "use --update to replace it".replace("statement 1", f"statement {Statement.objects.get().pk}")
    ]
    assert Statement.objects.get().stance == "restrictive"

    updated = import_text(jsonl(record(stance="welcoming", context="new")), update=True)
    assert (updated.created, updated.updated) == (0, 1)
    assert Statement.objects.get().stance == "welcoming"


def test_update_replaces_sources(db):
    import_text(jsonl(record()))
    import_text(jsonl(record(sources=[{"url": "https://example.org/b", "publisher": "ERR News"}])), update=True)

    assert list(Source.objects.values_list("url", flat=True)) == ["https://example.org/b"]


def test_dry_run_writes_nothing(db):
    report = import_text(jsonl(record()), dry_run=True)

    assert report.ok and report.created == 1
    assert Statement.objects.count() == 0 and Government.objects.count() == 0


def test_speaker_recorded_as_body_cannot_be_imported_as_person(db):
    import_text(jsonl(record(speaker={"name": "Swiss Federal Council", "kind": "body"})))

    report = import_text(jsonl(record(speaker={"name": "Swiss Federal Council", "kind": "person"}, quote="Other")))

    assert report.errors == ["line 1: speaker.kind: 'Swiss Federal Council' is recorded as a body, not a person"]


def test_slug_collisions_get_a_suffix(db):
    import_text(jsonl(record(speaker={"name": "José Pérez", "kind": "person"})))
    import_text(jsonl(record(speaker={"name": "Jose Perez", "kind": "person"}, quote="other")))

    assert sorted(Speaker.objects.values_list("slug", flat=True)) == ["jose-perez", "jose-perez-2"]


def test_blank_lines_and_a_byte_order_mark_are_accepted(db):
    report = import_text("\ufeff" + jsonl(record()) + "\n   \n")

    assert report.ok and report.created == 1


def test_quotes_are_stored_verbatim(db):
    quote = "  “zeker” niet terug\u00a0— <b>te</b>\n willen sturen  "
    import_text(jsonl(record(quote=quote, language="nl")))

    assert Statement.objects.get().quote == quote


def test_command_reports_problems_and_exits_non_zero(db, tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text(jsonl(record(), record(stance="x"), "nope"), encoding="utf-8")

    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_statements", str(path))

    err = capsys.readouterr().err
    assert f"{path}: line 2: stance: 'x' is not one of" in err
    assert f"{path}: line 3: json:" in err
    assert Statement.objects.count() == 0


def test_command_rejects_invalid_utf8(db, tmp_path, capsys):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(jsonl(record()).encode() + '{"quote": "caf\xe9"}\n'.encode("latin-1"))

    with pytest.raises(CommandError):
        call_command("import_statements", str(path))

    assert "line 2: encoding: not valid UTF-8" in capsys.readouterr().err


def test_command_imports_and_is_idempotent(db, tmp_path, capsys):
    path = tmp_path / "good.jsonl"
    path.write_text(jsonl(record()), encoding="utf-8")

    call_command("import_statements", str(path))
    call_command("import_statements", str(path))

    out = capsys.readouterr().out
    assert "1 lines: 1 created, 0 updated, 0 unchanged" in out
    assert "1 lines: 0 created, 0 updated, 1 unchanged" in out
    assert Statement.objects.count() == 1


def test_command_dry_run(db, tmp_path, capsys):
    path = tmp_path / "good.jsonl"
    path.write_text(jsonl(record()), encoding="utf-8")

    call_command("import_statements", str(path), "--dry-run")

    assert "(dry run: nothing written)" in capsys.readouterr().out
    assert Statement.objects.count() == 0


def test_large_file_shows_progress_and_imports(db, tmp_path, capsys):
    first = datetime.date(2020, 1, 1)
    lines = (
        record(quote=f"Statement number {n}.", said_on=str(first + datetime.timedelta(days=n // 3)))
        for n in range(3000)
    )
    path = tmp_path / "large.jsonl"
    path.write_text(jsonl(*lines), encoding="utf-8")

    call_command("import_statements", str(path))

    captured = capsys.readouterr()
    assert "validating" in captured.err and "3000" in captured.err
    assert "3000 lines: 3000 created" in captured.out
    assert Statement.objects.count() == 3000 and Source.objects.count() == 3000


def test_near_duplicates_on_one_day_are_looked_for_at_bounded_cost(db, monkeypatch):
    """Every line by one speaker on one day that reads as one remark: each line names the first
    few it repeats and counts the rest, and is compared with the newest few only (the import stays
    linear in its lines whatever the file)."""
    from statements.services.imports import plan

    monkeypatch.setattr(plan, "SAME_DAY_COMPARED", 10)
    report = import_text(jsonl(*(record(quote=f"Statement number {n}.") for n in range(15))))

    assert report.ok, report.errors
    assert Statement.objects.count() == 15
    last = [notice for notice in report.notices if notice.startswith("line 15: ")]
    assert [notice.split("(")[0] for notice in last[:3]] == [
        f"line 15: quote: the same remark as line {n} " for n in (5, 6, 7)
    ]
    assert "and 7 more statements or lines" in last[3]
    assert "14 statements or lines by the same speaker on the same day; compared with the newest 10 only" in last[4]
    assert len(last) == 5
    # A line with fewer before it names them all and says nothing more.
    assert [notice.split(" (")[0] for notice in report.notices if notice.startswith("line 3: ")] == [
        "line 3: quote: the same remark as line 1",
        "line 3: quote: the same remark as line 2",
    ]


@pytest.mark.parametrize(
    "written",
    ["Micheál Martin ", "Micheál  Martin", "micheál martin", "Micheál Martin\u00a0"],
    ids=["trailing space", "double space", "case", "no-break space"],
)
def test_a_spelling_that_differs_only_in_spacing_case_or_punctuation_is_the_same_speaker(seeded, written):
    from statements.models import Speaker

    lines = [json.loads(text) for text in SEED_FILE.read_text(encoding="utf-8").splitlines()]
    line = next(record for record in lines if record["speaker"]["name"] == "Micheál Martin")
    line["speaker"]["name"], line["quote"] = written, "Another remark by the same man."

    report = import_text(json.dumps(line, ensure_ascii=False))

    assert report.ok, report.errors
    assert Speaker.objects.filter(name__icontains="Micheál").count() == 1
    assert f"{written!r} is taken to be the speaker 'Micheál Martin'" in report.notices[0]


def test_apostrophes_of_every_kind_are_one_speaker(db):
    first = {"name": "Dara O’Brien", "kind": "person"}
    lines = []
    for number, spelling in enumerate(["Dara O’Brien", "Dara O'Brien", "Dara Oʼ Brien".replace(" Brien", "Brien")]):
        record = json.loads(SEED_FILE.read_text(encoding="utf-8").splitlines()[0])
        record["speaker"] = dict(first, name=spelling)
        record["quote"] = f"Remark number {number}."
        lines.append(json.dumps(record, ensure_ascii=False))

    report = import_text("\n".join(lines))

    from statements.models import Speaker

    assert report.ok and Speaker.objects.filter(name__startswith="Dara").count() == 1
