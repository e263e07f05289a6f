"""The quote check (SPEC §9) through the API, on the real seeds: the founding misquote, the
transcript's own words, stripped diacritics, real printed variants, remarks the tracker does not
hold, gaps, numbers, filters, errors and conditional GET."""

import json
import unicodedata

import pytest

from statements.models import Statement
from tests.conftest import ROOT, import_seeds
from tests.factories import StatementFactory

CHECK = "/api/v1/statements/check/"
FOUNDING_MISQUOTE = "We welcome all people seeking asylum"
TRANSCRIPT = "we welcome any folks who are seeking asylum — and they should do that"
DEV_CASES = ROOT.parent / "shared" / "data" / "quote-check-dev.jsonl"
REMARKS_NOT_HELD = json.loads((ROOT / "tests" / "data" / "remarks-not-held.json").read_text())


@pytest.fixture
def seeds(db):
    import_seeds()


def check(api, text: str, **params):
    response = api.get(CHECK, {"text": text, **params})
    assert response.status_code == 200, response.content
    return response.json()


def founding_statement() -> Statement:
    return Statement.objects.get(speaker__name="Karine Jean-Pierre", said_on="2022-09-27")


def test_the_founding_misquote_is_altered_and_shows_what_was_said(seeds, api):
    body = check(api, FOUNDING_MISQUOTE)

    assert body["verdict"] == "altered"
    best = body["matches"][0]
    assert best["statement"]["id"] == founding_statement().pk
    assert best["statement"]["said_on"] == "2022-09-27"
    assert best["verdict"] == "altered" and best["excerpt"] is True
    assert best["diff"] == [
        {"op": "equal", "text": "we welcome"},
        {"op": "replace", "printed": "all people", "original": "any folks who are"},
        {"op": "equal", "text": "seeking asylum"},
    ]
    assert 0 < best["score"] < 1 and best["score"] >= body["threshold"]
    assert all(m["score"] <= best["score"] for m in body["matches"])


def test_the_transcript_s_own_sentence_is_verbatim_and_an_excerpt(seeds, api):
    body = check(api, TRANSCRIPT)

    best = body["matches"][0]
    assert body["verdict"] == "verbatim"
    assert (best["statement"]["id"], best["verdict"], best["excerpt"], best["score"]) == (
        founding_statement().pk,
        "verbatim",
        True,
        1.0,
    )
    assert best["diff"] == [{"op": "equal", "text": TRANSCRIPT}]  # the original's spelling, dash and all


def strip_diacritics(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def test_a_quote_printed_without_its_diacritics_matches_its_original(seeds, api):
    accented = [s for s in Statement.objects.published() if strip_diacritics(s.quote) != s.quote]
    assert len(accented) >= 10  # the seeds hold quotes in many languages
    for statement in accented:
        words = strip_diacritics(statement.quote).split()[:40]
        body = check(api, " ".join(words))
        assert body["matches"][0]["statement"]["id"] == statement.pk, statement.quote
        assert body["verdict"] in ("verbatim", "minor"), (statement.quote, body["matches"][0]["diff"])


def dev_cases():
    return [json.loads(line) for line in DEV_CASES.read_text().splitlines()]


def test_real_printed_variants_find_their_statement(seeds, api):
    for case in dev_cases():
        body = check(api, case["text"])
        if case["expect"] == "no_match":
            assert body["verdict"] == "no_match", (case["text"], body["matches"][:1])
            continue
        best = body["matches"][0]["statement"]
        expect = case["expect"]
        assert best["speaker"]["name"] == expect["speaker"] and best["said_on"] == expect["said_on"], case["text"]
        assert best["quote"].startswith(expect["quote_starts"])
        assert body["verdict"] != "no_match"


@pytest.mark.parametrize("remark", REMARKS_NOT_HELD, ids=lambda r: f"{r['language']}: {r['speaker']}")
def test_a_real_remark_the_tracker_does_not_hold_is_no_match(seeds, api, remark):
    body = check(api, remark["text"])

    assert body["verdict"] == "no_match"
    assert all(m["verdict"] == "unrelated" for m in body["matches"])


def test_an_ellipsis_is_a_gap_not_a_difference(seeds, api):
    statement = founding_statement()
    words = statement.quote.split()
    printed = " ".join(words[:6]) + " … " + " ".join(words[-8:])

    best = check(api, printed)["matches"][0]

    assert best["statement"]["id"] == statement.pk
    assert best["verdict"] == "verbatim" and best["excerpt"] is True
    gaps = [op for op in best["diff"] if op.get("gap")]
    assert len(gaps) == 1 and gaps[0]["op"] == "insert" and gaps[0]["original"].startswith(words[6])


def test_a_bracketed_insertion_is_a_gap(seeds, api):
    printed = "we welcome any folks who are seeking asylum [in the United States] — and they should do that"
    assert check(api, printed)["matches"][0]["verdict"] == "verbatim"


def test_one_changed_word_in_twenty_is_minor_but_a_changed_number_is_not(db, api):
    quote = (
        "We will take in 20,000 people from the region this year and we will make sure that every one of them "
        "has a fair hearing of their claim"
    )
    statement = StatementFactory(quote=quote)
    one_word = quote.replace("fair", "proper")
    number = quote.replace("20,000", "200,000")

    assert check(api, one_word)["matches"][0]["verdict"] == "minor"
    changed = check(api, number)["matches"][0]
    assert changed["statement"]["id"] == statement.pk and changed["verdict"] == "altered"
    assert {"op": "replace", "printed": "200,000", "original": "20,000"} in changed["diff"]


def test_only_published_statements_are_candidates(db, api):
    StatementFactory(status="draft", quote="A draft nobody may see yet, word for word.")
    assert check(api, "A draft nobody may see yet, word for word.")["verdict"] == "no_match"


def test_statement_filters_narrow_the_candidates(seeds, api):
    finnish = check(api, FOUNDING_MISQUOTE, government="FI", limit=10)
    assert all(m["statement"]["government"]["code"] == "FI" for m in finnish["matches"])
    assert finnish["verdict"] == "no_match"
    american = check(api, FOUNDING_MISQUOTE, government="US", said_after="2022-09-27", said_before="2022-09-27")
    assert american["matches"][0]["statement"]["id"] == founding_statement().pk


def test_limit_bounds_the_candidates(seeds, api):
    assert len(check(api, "asylum for Russians who flee", limit=1)["matches"]) <= 1
    assert len(check(api, "asylum for Russians who flee", limit=10)["matches"]) > 3


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "two words"}, "text"),
        ({"text": "… [] …"}, "text"),
        ({"text": "word " * 401}, "text"),
        ({"text": "we welcome folks\x00"}, "text"),
        ({"text": FOUNDING_MISQUOTE, "limit": "0"}, "limit"),
        ({"text": FOUNDING_MISQUOTE, "limit": "11"}, "limit"),
        ({"text": FOUNDING_MISQUOTE, "limit": "three"}, "limit"),
        ({"text": FOUNDING_MISQUOTE, "government": "XX"}, "government"),
        ({"text": FOUNDING_MISQUOTE, "txt": "x"}, "txt"),
    ],
)
def test_bad_requests_name_the_parameter(seeds, api, params, parameter):
    response = api.get(CHECK, params)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_the_check_costs_the_same_queries_whatever_it_finds(seeds, api, django_assert_max_num_queries):
    check(api, FOUNDING_MISQUOTE)  # the column statistics, loaded once per process
    for text in (FOUNDING_MISQUOTE, TRANSCRIPT, "zzqx yyqv wwqu nothing like it", " ".join(["asylum"] * 50)):
        with django_assert_max_num_queries(3):  # the words, probes of the uncommon ones, candidates
            check(api, text, limit=10)


def test_conditional_get_like_every_read(seeds, api):
    first = api.get(CHECK, {"text": FOUNDING_MISQUOTE})
    again = api.get(CHECK, {"text": FOUNDING_MISQUOTE}, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["Cache-Control"] == "public, max-age=60"
    assert again.status_code == 304
