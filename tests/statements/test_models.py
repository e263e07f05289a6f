"""Each invariant is a database constraint: full_clean() and a raw write both refuse it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from statements.models import Government, Source, Speaker, Statement
from tests.conftest import searched
from tests.factories import GovernmentFactory, SpeakerFactory, StatementFactory, TopicFactory

BAD_STATEMENT_VALUES = {
    "stance": {"stance": "supportive"},
    "status": {"status": "archived"},
    "date_precision": {"date_precision": "year"},
    "blank quote": {"quote": "   "},
    "empty quote": {"quote": ""},
    "blank role": {"role": " "},
    "blank organization": {"organization": ""},
    "language": {"language": "English"},
    "month not on the 1st": {"date_precision": "month", "said_on": datetime.date(2022, 11, 20)},
}


@pytest.fixture
def refs(db):
    return {"speaker": SpeakerFactory(), "government": GovernmentFactory(code="DE"), "topic": TopicFactory()}


def _statement(refs, **overrides):
    values = {
        "role": "Minister",
        "organization": "Government",
        "said_on": datetime.date(2022, 9, 27),
        "quote": "A quote.",
        "language": "en",
        "stance": "welcoming",
        "status": "published",
        **refs,
        **overrides,
    }
    return Statement(**values)


@pytest.mark.parametrize("overrides", BAD_STATEMENT_VALUES.values(), ids=BAD_STATEMENT_VALUES.keys())
def test_statement_constraint_refuses_bad_value(refs, overrides):
    statement = _statement(refs, **overrides)

    with pytest.raises(ValidationError):
        statement.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.bulk_create([statement])


def test_month_precision_on_the_first_is_accepted(refs):
    statement = _statement(refs, date_precision="month", said_on=datetime.date(2022, 11, 1))

    statement.full_clean()
    statement.save()


def test_natural_key_is_unique(refs):
    _statement(refs).save()
    duplicate = _statement(refs, stance="neutral", context="other context")

    with pytest.raises(ValidationError, match="already has a statement"):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_natural_key_allows_long_quotes(refs):
    long_quote = "word " * 5000  # beyond a B-tree entry: the key hashes the quote
    _statement(refs, quote=long_quote).save()

    with pytest.raises(IntegrityError), transaction.atomic():
        _statement(refs, quote=long_quote).save()


@pytest.mark.parametrize("wikidata_id", ["64", "Q", "Q0123", "q64", "Q64x"])
def test_speaker_wikidata_id_shape(db, wikidata_id):
    speaker = Speaker(name="Olaf Scholz", slug="olaf-scholz", kind="person", wikidata_id=wikidata_id)

    with pytest.raises(ValidationError):
        speaker.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        speaker.save()


def test_speaker_kind_must_be_person_or_body(db):
    speaker = Speaker(name="X", slug="x", kind="robot")

    with pytest.raises(ValidationError):
        speaker.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        speaker.save()


@pytest.mark.parametrize("code", ["XX", "ZZ", "de", "E"])
def test_government_code_must_be_iso_or_eu_un(db, code):
    government = Government(code=code, name="Nowhere", kind="state")

    with pytest.raises(ValidationError):
        government.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        government.save()


@pytest.mark.parametrize("code", ["EU", "UN", "US", "KZ"])
def test_government_code_accepts_iso_and_reserved(db, code):
    Government(code=code, name="Somewhere", kind="state").full_clean()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "example.org"])
def test_source_url_must_be_http(db, url):
    statement = StatementFactory()
    source = Source(statement=statement, url=url, publisher="P")

    with pytest.raises(ValidationError):
        source.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        source.save()


def test_deleting_a_referenced_row_is_refused(db):
    statement = StatementFactory()

    for row in (statement.speaker, statement.government, statement.topic):
        with pytest.raises(IntegrityError), transaction.atomic():
            row.delete()


def test_search_vector_is_maintained_by_the_database(db):
    statement = StatementFactory(quote="Deserters can obtain protection", context="Interview with FAS")

    assert searched(Statement.objects, "deserters").get() == statement
    assert searched(Statement.objects, "FAS").get() == statement
    Statement.objects.filter(pk=statement.pk).update(quote="Something else")
    assert not searched(Statement.objects, "deserters").exists()
