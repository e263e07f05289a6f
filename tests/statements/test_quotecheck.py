"""The matcher's parts: words and gaps, the alignment, the verdicts, and its reuse by the admin's
duplicate warning and the import's near-duplicate notice (one way of deciding "same remark")."""

import json

import pytest
from django.db import connection

from statements.quotecheck import MATCH_THRESHOLD, align, same_remark, word_key, words_of
from tests.conftest import import_text
from tests.factories import StatementFactory


def test_words_are_compared_case_folded_without_diacritics_apostrophes_or_compatibility_forms():
    assert word_key("Niinistö") == word_key("NIINISTO") == "niinisto"
    assert word_key("don’t") == word_key("don't") == word_key("dont")
    assert word_key("ﬁnal") == "final"  # NFKC: the ligature
    assert word_key("Łódź") == "lodz" and word_key("Straße") == "strasse"


def test_words_keep_their_place_in_the_text_and_gaps_are_found():
    text = "We welcome — all [sic] people… seeking (inaudible) asylum. . . today"
    words = words_of(text)
    assert [w.key for w in words.words] == ["we", "welcome", "all", "people", "seeking", "asylum", "today"]
    assert words.gaps == {3, 4, 5, 6}
    assert words.spelled(0, 2) == "We welcome" and words.spelled(1, 3) == "welcome — all"


def test_the_database_normalises_quotes_as_the_matcher_does(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT statements_quote_key(%s)", ["Niinistö SAID: don’t ﬁnal Łódź"])
        (key,) = cursor.fetchone()
    assert key == "niinisto said: dont final lodz"


def test_the_score_weighs_words_by_their_letters():
    """Three short words shared with a quote do not make a match."""
    alignment = align(words_of("This is an unprecedented situation"), words_of("This is an answer to them"))
    assert alignment.score < MATCH_THRESHOLD and alignment.verdict == "unrelated"


def test_neighbouring_matches_stay_in_the_span_as_a_replacement():
    alignment = align(
        words_of("I have 2 overreaching obligations: first to keep people safe"),
        words_of("I have two overarching obligations: first, to keep people safe"),
    )
    ops = [op.as_json() for op in alignment.ops]
    assert ops[:2] == [
        {"op": "equal", "text": "I have"},
        {"op": "replace", "printed": "2 overreaching", "original": "two overarching"},
    ]
    assert alignment.verdict == "altered" and not alignment.excerpt  # a number's spelling differs


def test_a_gap_in_the_quote_forgives_printed_words_there():
    alignment = align(words_of("we will certainly help them"), words_of("we will [inaudible] help them"))
    assert alignment.verdict == "verbatim"
    assert [op.as_json() for op in alignment.ops if op.gap] == [{"op": "delete", "printed": "certainly", "gap": True}]


def test_same_remark_takes_an_excerpt_for_the_remark_and_another_remark_for_another():
    quote = "We welcome any folks who are seeking asylum, and they should do that."
    assert same_remark("we welcome any folks who are seeking asylum", quote) is not None
    assert same_remark(quote, "We will not let anyone in who has not been checked.") is None


def test_the_import_notices_a_near_duplicate_of_a_stored_statement_and_goes_on(db):
    stored = StatementFactory(quote="We welcome any folks who are seeking asylum, and they should do that.")
    line = {
        "speaker": {"name": stored.speaker.name, "kind": stored.speaker.kind},
        "role": stored.role,
        "organization": stored.organization,
        "government": stored.government_id,
        "topic": stored.topic.slug,
        "said_on": stored.said_on.isoformat(),
        "quote": "we welcome any folks who are seeking asylum — and they should do that",
        "date_precision": "day",
        "language": "en",
        "is_translation": False,
        "stance": "welcoming",
        "sources": [{"url": "https://example.org/transcript", "publisher": "Example"}],
    }
    unrelated = {**line, "quote": "Nobody will be turned away at our border today."}

    report = import_text("\n".join(json.dumps(record) for record in (line, unrelated)))

    assert report.ok and report.created == 2
    assert [n for n in report.notices if "same remark" in n] == [
        f"line 1: quote: the same remark as statement {stored.pk} (same speaker and day, score 1.00)? "
        "Imported as another statement."
    ]


@pytest.mark.parametrize("quote", ["<script>alert(1)</script> we welcome them all", "we & they <b>welcome</b> all"])
def test_hostile_quotes_come_back_as_text(db, client, quote):
    StatementFactory(quote=quote)
    page = client.get("/check/", {"text": quote})
    assert page.status_code == 200
    assert "<script>alert" not in page.content.decode() and "<b>welcome" not in page.content.decode()
    assert client.get("/api/v1/statements/check/", {"text": quote}).json()["matches"][0]["statement"]["quote"] == quote


def test_pairs_of_neighbouring_words_find_a_garbled_remark_among_quotes_that_share_its_words(db, monkeypatch):
    """Among a million statements the founding misquote's words are each in tens of thousands of
    quotes, and the word pass reads a capped share of them (here: 30 of 121): the remark is found
    by its pairs of neighbouring words ("we welcome", "seeking asylum"), which the others lack."""
    import importlib
    import itertools
    import random

    from api import shapes
    from statements.quotecheck import check_quote

    found = importlib.import_module("statements.quotecheck.candidates")  # the module (the name is also its function)

    rng = random.Random(7)
    first = StatementFactory(quote="Nothing to do with it.")
    same = {"speaker": first.speaker, "government": first.government, "topic": first.topic}
    printed = "We welcome all people seeking asylum"
    words = [*printed.lower().split(), "and", "they", "should", "apply", "here", "today"]
    print_pairs = set(itertools.pairwise(printed.lower().split()))
    made = 0
    while made < 120:  # every word of the print, none beside its neighbour in the print
        rng.shuffle(words)
        if not print_pairs.intersection(itertools.pairwise(words)):
            StatementFactory(quote=" ".join(words) + f", number {made}.", **same)
            made += 1
    remark = StatementFactory(
        quote="So, as far as that, we welcome any folks who are seeking asylum — and they should do that.", **same
    )
    found.forget_statistics()
    projection = shapes.check_projection("/api/", "/")

    monkeypatch.setattr(found, "PAIRS_NEEDED", 99)  # the word pass alone
    by_words = check_quote(printed, projection=projection, limit=3)
    assert remark.pk not in [match.statement_id for match in by_words.matches]

    monkeypatch.undo()
    both = check_quote(printed, projection=projection, limit=3)
    assert both.matches[0].statement_id == remark.pk and both.verdict == "altered"
