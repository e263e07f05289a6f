"""A quote's renderings in other languages (SPEC §4): in the format (validated first, round trip
byte for byte), in the database (its invariants), and in the API, feeds, CSV, page, embed and
JSON-LD a reader sees."""

import csv
import io
import json

import extruct
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from statements import services
from statements.interchange import parse_lines, read_lines
from statements.models import Correction, Government, Speaker, Statement, Topic, Translation
from statements.services.imports import statements_export_lines
from statements.services.restore import statements_restore
from tests.conftest import import_text
from tests.factories import StatementFactory

REUTERS = "https://www.reuters.com/world/europe/germany-welcome-russian-deserters-2022-09-22/"
LINE = {
    "speaker": {"name": "Olaf Scholz", "kind": "person", "wikidata_id": "Q61053"},
    "role": "Chancellor",
    "organization": "Federal Chancellery",
    "government": "DE",
    "said_on": "2022-09-28",
    "date_precision": "day",
    "published_on": None,
    "quote": "Ich bin dafür, diesen Menschen Schutz anzubieten",
    "language": "de",
    "is_translation": False,
    "stance": "welcoming",
    "topic": "russian-mobilisation-2022",
    "context": "",
    "sources": [{"url": "https://www.noz.de/interview", "publisher": "Neue Osnabrücker Zeitung"}],
    "translations": [
        {
            "language": "en",
            "text": "I am in favour of offering these people protection",
            "by": "Reuters",
            "official": False,
            "source_url": REUTERS,
        },
        {"language": "fr", "text": "Je suis pour leur offrir une protection", "by": "the tracker's editors"},
    ],
}


def line(**changes) -> str:
    return json.dumps({**LINE, **changes}, ensure_ascii=False)


def imported(**changes) -> Statement:
    report = import_text(line(**changes))
    assert report.ok, report.errors
    return Statement.objects.get(quote=LINE["quote"])


def exported() -> str:
    return "".join(statements_export_lines(Statement.objects.all()))


def test_export_then_restore_is_byte_for_byte(db):
    imported()
    first = exported()
    assert json.loads(first)["translations"] == [
        {**LINE["translations"][0]},
        {**LINE["translations"][1], "official": False, "source_url": None},
    ]
    Correction.objects.all().delete()
    Statement.objects.all().delete()  # its renderings go with it
    Speaker.objects.all().delete()
    Government.objects.all().delete()
    Topic.objects.all().delete()

    parsed = parse_lines(read_lines(first.encode().splitlines(keepends=True)))
    report = statements_restore(parsed=parsed, source_label="test.jsonl")

    assert report.ok, report.errors
    assert exported() == first
    assert Translation.objects.count() == 2


@pytest.mark.parametrize(
    ("rendering", "error"),
    [
        (
            {"language": "en", "text": "I am in favour"},
            "line 1: translations[0].by: is required: who made the rendering (a wire, a paper, a government, "
            "or the tracker's editors)",
        ),
        ({"language": "en", "text": "I am in favour", "by": "  "}, "line 1: translations[0].by: must not be empty"),
        (
            {"language": "de-AT", "text": "Ich bin dafür", "by": "APA"},
            "line 1: translations[0].language: 'de-AT' is the quote's own language: the quote is the record",
        ),
        (
            {"language": "en", "text": "x y z", "by": "AP", "source_url": "ftp://x"},
            "line 1: translations[0].source_url: 'ftp://x' is not an http(s) URL",
        ),
        ({"language": "en", "text": "x", "by": "AP", "date": 1}, "line 1: translations[0].date: unknown key"),
    ],
)
def test_a_bad_rendering_is_refused_naming_it_and_nothing_is_written(db, rendering, error):
    report = import_text(line(translations=[rendering]))

    assert report.errors == [error]
    assert not Statement.objects.exists()


def test_one_rendering_per_language(db):
    twice = [LINE["translations"][0], {**LINE["translations"][0], "by": "AP"}]

    assert import_text(line(translations=twice)).errors == [
        "line 1: translations[1].language: 'en' is also the language of translations[0]: one rendering per language"
    ]


def test_the_database_keeps_the_rules_whatever_writes(db):
    statement = StatementFactory(language="de")
    nameless = Translation(statement=statement, language="en", text="We welcome them", by="  ")
    with pytest.raises(ValidationError, match="Name who made the rendering"):
        nameless.full_clean()
    for bad in (
        {"by": ""},
        {"language": "de"},  # the quote's own language (a trigger: a CHECK cannot see the statement)
        {"language": "EN"},
        {"source_url": "javascript:alert(1)"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Translation.objects.create(**{"statement": statement, "language": "en", "text": "x", "by": "AP", **bad})
    Translation.objects.create(statement=statement, language="en", text="We welcome them", by="AP")
    with pytest.raises(IntegrityError), transaction.atomic():
        Translation.objects.create(statement=statement, language="en", text="Welcome", by="Reuters")
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.filter(pk=statement.pk).update(language="en-GB")  # its rendering's language


def test_an_update_that_changes_a_published_rendering_is_a_public_correction(db):
    statement = imported()
    changed = [{**LINE["translations"][0], "text": "I am for offering these people protection"}]

    report = import_text(line(translations=changed), update=True)

    assert report.ok and report.updated == 1, report.errors
    (correction,) = statement.corrections.all()
    assert correction.fields == ["translations"]
    assert [t.text for t in statement.translations.all()] == ["I am for offering these people protection"]
    assert Translation.history.filter(history_type="-").count() == 2


def test_api_detail_list_csv_and_feed_show_renderings(db, api, client):
    statement = imported()
    expected = [
        {**LINE["translations"][0]},
        {**LINE["translations"][1], "official": False, "source_url": None},
    ]

    assert api.get(f"/api/v1/statements/{statement.pk}/").json()["translations"] == expected
    assert api.get("/api/v1/statements/").json()["results"][0]["translations"] == expected
    rows = list(
        csv.DictReader(io.StringIO(b"".join(client.get("/api/v1/statements/export.csv").streaming_content).decode()))
    )
    assert (rows[0]["translation_languages"], rows[0]["translation_en"], rows[0]["translation_en_by"]) == (
        "en | fr",
        LINE["translations"][0]["text"],
        "Reuters",
    )
    feed = client.get("/feeds/statements.atom").content.decode()
    assert "Translation: Reuters. “I am in favour of offering these people protection”" in feed
    item = client.get("/feeds/statements.json").json()["items"][0]
    assert item["_tracker"]["translations"] == expected


def test_page_and_embed_show_the_original_first_and_the_english_beside_it(db, client):
    statement = imported()
    url = f"http://testserver/statements/{statement.pk}/"

    html = client.get(f"/statements/{statement.pk}/").content.decode()

    original, english = html.index(LINE["quote"]), html.index(LINE["translations"][0]["text"])
    assert original < english
    assert f'<a href="{REUTERS}" rel="noopener noreferrer">Translation: Reuters</a>' in html
    assert "Unofficial translation by the tracker&#x27;s editors" in html  # the French one, below
    assert "Original, in German" in html
    card = client.get(f"/embed/statements/{statement.pk}/").content.decode()
    assert card.index(LINE["quote"]) < card.index("Translation: Reuters")
    data = extruct.extract(html, base_url=url, syntaxes=["json-ld"], uniform=True)
    (quotation,) = [item for item in data["json-ld"] if item.get("@type") == "Quotation"]
    assert quotation["inLanguage"] == "de"
    assert quotation["workTranslation"][0] == {
        "@type": "Quotation",
        "text": LINE["translations"][0]["text"],
        "inLanguage": "en",
        "translator": {"@type": "Organization", "name": "Reuters"},
        "translationOfWork": {"@id": url},
        "isBasedOn": REUTERS,
    }


def test_a_quote_without_english_says_so(db, client):
    statement = imported(translations=[])

    html = client.get(f"/statements/{statement.pk}/").content.decode()

    assert "No English rendering yet." in html
    english = StatementFactory(language="en")
    assert "No English rendering yet." not in client.get(f"/statements/{english.pk}/").content.decode()


def test_admin_changes_to_a_published_rendering_need_a_correction_note(db, staff_user):
    statement = imported()
    rendering = statement.translations.get(language="en")
    rendering.text = "I am in favour of offering protection to these people"
    with pytest.raises(services.CorrectionRequired):
        services.translations_corrected(statement=statement, user=staff_user, note="")

    correction = services.translations_corrected(statement=statement, user=staff_user, note="Reuters' wording.")

    assert correction.fields == ["translations"] and correction.note == "Reuters' wording."
