"""Search that understands words: each statement stemmed in its own language by PostgreSQL's
text-search configurations, the search matched and highlighted the same way (statements/search.py)."""

import pytest
from django.db import connection

from statements.models import Statement
from statements.search import CONFIGS, EVERY_CONFIG, FALLBACK, config_for
from tests.conftest import searched
from tests.factories import StatementFactory

LIST = "/api/v1/statements/"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_database_maps_every_language_as_the_code_does(db):
    """statements_search_config (SQL, read by the migration) and CONFIGS (Python) agree, and every
    configuration named exists in this PostgreSQL."""
    tags = [*CONFIGS, *(f"{tag}-XX" for tag in CONFIGS), "EN", "pt-BR", "pl", "uk", "cs", "zh-Hant", "x"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tag, statements_search_config(tag)::text FROM unnest(%s::text[]) AS tag", [tags])
        mapped = dict(cursor.fetchall())
        cursor.execute("SELECT cfgname FROM pg_ts_config")
        existing = {name for (name,) in cursor.fetchall()}
    assert mapped == {tag: config_for(tag) for tag in tags}
    assert mapped["pl"] == mapped["uk"] == FALLBACK and mapped["pt-BR"] == "portuguese"
    assert set(EVERY_CONFIG) <= existing


@pytest.fixture
def multilingual(db):
    return {
        "en": StatementFactory(language="en", quote="We will welcome refugees fleeing the war."),
        "en-one": StatementFactory(language="en", quote="Every refugee deserves a hearing."),
        "de": StatementFactory(language="de", quote="Deutschland nimmt Flüchtlinge auf."),
        "de-one": StatementFactory(language="de", quote="Ein Flüchtling bat um Schutz."),
        "fr": StatementFactory(language="fr", quote="Nous accueillerons les réfugiés."),
        "pl": StatementFactory(language="pl", quote="Polska przyjmie uchodźców."),
    }


def test_a_word_finds_its_other_forms_in_each_language(multilingual, api):
    m = multilingual
    assert ids(api.get(LIST, {"q": "refugee"})) == {m["en"].pk, m["en-one"].pk}
    assert ids(api.get(LIST, {"q": "refugees"})) == {m["en"].pk, m["en-one"].pk}
    assert ids(api.get(LIST, {"q": "Flüchtling"})) == {m["de"].pk, m["de-one"].pk}
    assert ids(api.get(LIST, {"q": "réfugié"})) == {m["fr"].pk}
    assert ids(api.get(LIST, {"q": "welcoming"})) == {m["en"].pk}  # welcome, welcoming, welcomed
    # Polish has no PostgreSQL stemmer: exact words (lowercased), as before.
    assert ids(api.get(LIST, {"q": "uchodźców"})) == {m["pl"].pk}
    assert ids(api.get(LIST, {"q": "uchodźca"})) == set()


def test_phrases_exclusion_and_or_are_stemmed_too(multilingual, api):
    m = multilingual
    assert ids(api.get(LIST, {"q": '"welcoming refugee"'})) == {m["en"].pk}
    assert ids(api.get(LIST, {"q": "refugee -wars"})) == {m["en-one"].pk}
    assert ids(api.get(LIST, {"q": "refugee or Flüchtlinge"})) == {
        m["en"].pk,
        m["en-one"].pk,
        m["de"].pk,
        m["de-one"].pk,
    }
    assert ids(api.get(LIST, {"q": "refugees", "language": "de"})) == set()
    assert ids(api.get(LIST, {"q": "Flüchtling", "language": "de,en"})) == {m["de"].pk, m["de-one"].pk}


@pytest.mark.parametrize("q", ["refugee", "Flüchtlinge", "welcome -war", '"the war"', "hearing or Schutz", "the"])
def test_search_agrees_with_djangos_own_full_text_search(multilingual, api, q):
    """Each statement matched by the query in its own language's configuration, read
    independently through django.contrib.postgres (tests/conftest.py: searched)."""
    assert ids(api.get(LIST, {"q": q})) == set(searched(Statement.objects.published(), q).values_list("pk", flat=True))


def test_the_list_page_marks_the_words_as_they_matched(multilingual, client):
    page = client.get("/statements/", {"q": "refugee Flüchtling"}).content.decode()
    assert ids_on(page) == set()  # all words must match: no statement holds both

    page = client.get("/statements/", {"q": "refugee"}).content.decode()
    assert "<mark>refugees</mark>" in page and "<mark>refugee</mark>" in page

    page = client.get("/statements/", {"q": "Flüchtling"}).content.decode()
    assert "<mark>Flüchtlinge</mark>" in page and "<mark>Flüchtling</mark>" in page


def ids_on(page: str) -> set[str]:
    import re

    return set(re.findall(r'href="http://testserver/statements/(\d+)/"', page))
