"""The quote check across languages (SPEC §9): a printed English rendering of a German remark,
worded by another outlet than the one whose rendering the tracker holds, finds the German
original through that rendering; a text in a language the tracker holds nothing in says so."""

import pytest

from statements.models import Translation
from tests.factories import StatementFactory

CHECK = "/api/v1/statements/check/"
DW = "https://www.dw.com/en/germany-to-accept-refugees-from-ukraine-regardless-of-nationality/a-61030647"
ORIGINAL = (
    "Für uns ist völlig klar: Wir wollen Leben retten. Das hängt nicht vom Pass ab. Der allergrößte Teil der "
    "Geflüchteten sind Ukrainerinnen und Ukrainer."
)
RENDERING = (
    "We want to save lives. That doesn't depend on the passport. The vast majority of those who have fled are "
    "Ukrainian nationals."
)
# How another outlet (tagesschau's English copy, as reprinted) worded the same remark.
PRINTED = "We want to save lives. It doesn't depend on the passport."


@pytest.fixture
def faeser(db):
    statement = StatementFactory(quote=ORIGINAL, language="de", said_on="2022-03-06", speaker__name="Nancy Faeser")
    Translation.objects.create(statement=statement, language="en", text=RENDERING, by="DW", source_url=DW)
    StatementFactory(quote="We want to save lives at sea, whatever the passport of those in danger.")
    return statement


def test_an_english_rendering_finds_the_german_original_and_names_the_rendering(faeser, api):
    body = api.get(CHECK, {"text": PRINTED}).json()

    best = body["matches"][0]
    assert body["verdict"] == best["verdict"] == "minor"
    assert best["statement"]["id"] == faeser.pk
    assert best["statement"]["quote"] == ORIGINAL  # the original beside the diff
    assert best["matched"] == {"language": "en", "by": "DW", "official": False, "source_url": DW, "text": RENDERING}
    assert best["excerpt"] is True
    assert best["diff"] == [
        {"op": "equal", "text": "We want to save lives"},
        {"op": "replace", "printed": "It", "original": "That"},
        {"op": "equal", "text": "doesn't depend on the passport"},
    ]


def test_the_original_words_match_the_original_itself(faeser, api):
    body = api.get(CHECK, {"text": "Wir wollen Leben retten. Das hängt nicht vom Pass ab."}).json()

    assert body["verdict"] == "verbatim"
    assert body["matches"][0]["statement"]["id"] == faeser.pk and body["matches"][0]["matched"] is None


def test_a_language_nothing_is_held_in_is_no_match_with_its_reason(faeser, api):
    finnish = "Haluamme pelastaa ihmishenkiä, eikä se riipu passista lainkaan tässä tilanteessa."

    body = api.get(CHECK, {"text": finnish}).json()

    assert body["verdict"] == "no_match"
    assert body["reason"] == "no rendering in fi"
    assert "reason" not in api.get(CHECK, {"text": "Nobody said these words about the weather today."}).json()


def test_the_check_page_says_which_rendering_and_shows_the_original(faeser, client):
    html = client.get("/check/", {"text": PRINTED}).content.decode()

    assert "Compared with the English rendering of the quote (Translation: DW); the original, in German:" in html
    assert html.index("the original, in German") < html.index(ORIGINAL)
