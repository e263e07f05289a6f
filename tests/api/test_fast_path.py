"""The statements list's fast path (statements/listing.py with api/shapes.py's projection) against
an independent reading of SPEC §5, written here from the models field by field: every field of
every kind of statement (nulls, three sources, Unicode, HTML) must come out as the SPEC says.
"""

import datetime

import pytest

from statements import listing, paging
from statements.listing import Projection, Selection, StatementPages
from statements.models import Statement
from statements.paging import ORDERINGS
from tests.factories import SourceFactory, SpeakerFactory, StatementFactory

LIST = "/api/v1/statements/"
IDS = Projection(select="s.id::text")  # pages of ids only: which rows, not what they look like


def instant(value: datetime.datetime) -> str:
    text = value.astimezone(datetime.UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def day(value):
    return value.isoformat() if value else None


def expected_json(statement: Statement) -> dict:
    """The SPEC's statement shape, from the model (not from the code under test)."""
    statement = Statement.objects.for_detail().get(pk=statement.pk)
    speaker = statement.speaker
    return {
        "id": statement.pk,
        "url": f"http://testserver/api/v1/statements/{statement.pk}/",
        "permalink": f"http://testserver/statements/{statement.pk}/",
        "speaker": {
            "slug": speaker.slug,
            "name": speaker.name,
            "kind": speaker.kind,
            "wikidata_id": speaker.wikidata_id,
        },
        "role": statement.role,
        "organization": statement.organization,
        "government": {"code": statement.government_id, "name": statement.government.name},
        "topic": {"slug": statement.topic.slug, "title": statement.topic.title},
        "said_on": day(statement.said_on),
        "date_precision": statement.date_precision,
        "published_on": day(statement.published_on),
        "quote": statement.quote,
        "language": statement.language,
        "is_translation": statement.is_translation,
        "stance": statement.stance,
        "context": statement.context,
        "sources": [
            {"url": s.url, "publisher": s.publisher, "archived_url": s.archived_url, "accessed_on": day(s.accessed_on)}
            for s in statement.sources.all()
        ],
        "translations": [
            {"language": t.language, "text": t.text, "by": t.by, "official": t.official, "source_url": t.source_url}
            for t in statement.translations.all()
        ],
        "status": statement.status,
        "created_at": instant(statement.created_at),
        "updated_at": instant(statement.updated_at),
    }


def expected_citation(statement: Statement) -> str:
    """SPEC §6: `Speaker, Role (Government), said_on. "Quote". Source publisher. Retrieved from <URL>.`"""
    said_on = {
        "month": statement.said_on.strftime("%B %Y"),
        "approximate": f"c. {statement.said_on.isoformat()}",
    }.get(statement.date_precision, statement.said_on.isoformat())
    first = statement.sources.order_by("position", "id").first()
    publisher = f" {first.publisher}." if first else ""
    return (
        f'{statement.speaker.name}, {statement.role} ({statement.government.name}), {said_on}. "{statement.quote}".'
        f"{publisher} Retrieved from http://testserver/statements/{statement.pk}/."
    )


@pytest.fixture
def varied(db):
    """Statements exercising every optional field: none, one or three sources, archived URLs and
    access dates, a publication date, a translation, a Wikidata id, HTML and non-Latin text."""
    plain = StatementFactory(sources=[])
    full = StatementFactory(
        speaker=SpeakerFactory(wikidata_id="Q42", kind="body"),
        published_on=datetime.date(2022, 9, 28),
        language="ru",
        is_translation=True,
        context='<script>alert("x")</script> & «контекст»',
        quote="Мы приветствуем\u2028всех — «welcome»",
        date_precision="month",
        said_on=datetime.date(2022, 9, 1),
    )
    for n in range(3):
        SourceFactory(
            statement=full,
            position=n,
            archived_url=f"https://web.archive.org/{n}" if n else None,
            accessed_on=datetime.date(2022, 10, n + 1) if n != 1 else None,
        )
    return [plain, full, StatementFactory()]


def test_list_rows_are_what_the_spec_says(varied, api):
    body = api.get(LIST, {"page_size": 200}).json()

    by_id = {row["id"]: row for row in body["results"]}
    assert set(by_id) == {s.pk for s in varied}
    for statement in varied:
        assert by_id[statement.pk] == expected_json(statement)


def test_detail_is_the_list_item_with_corrections_and_a_citation(varied, api, staff_user):
    from statements.services import statement_save

    corrected = varied[1]
    corrected.stance = "welcoming"
    statement_save(statement=corrected, user=staff_user, note="The stance was misread.")
    for statement in varied:
        statement = Statement.objects.get(pk=statement.pk)
        corrections = [
            {
                "date": c.created_at.astimezone(datetime.UTC).date().isoformat(),
                "corrected_at": instant(c.created_at),
                "kind": c.kind,
                "note": c.note,
                "fields": c.fields,
            }
            for c in statement.corrections.order_by("created_at", "id")
        ]
        expected = expected_json(statement) | {"corrections": corrections, "citation": expected_citation(statement)}
        assert api.get(f"{LIST}{statement.pk}/").json() == expected
    assert api.get(f"{LIST}{corrected.pk}/").json()["corrections"][0]["fields"] == ["stance"]


def test_tombstones_are_what_the_spec_says(db, api):
    since = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    retracted = StatementFactory(status="retracted")

    body = api.get(LIST, {"updated_since": since.isoformat()}).json()

    retracted.refresh_from_db()
    assert body["results"] == [{"id": retracted.pk, "status": "retracted", "updated_at": instant(retracted.updated_at)}]


def test_selection_means_the_same_through_the_orm_and_the_fast_path(db):
    """`condition()` (stats, embeds, JSON Lines export) and StatementPages select the same rows."""
    de, us = StatementFactory(government__code="DE"), StatementFactory(government__code="US", stance="welcoming")
    StatementFactory(government__code="DE", status="draft")
    selections = [
        Selection(),
        Selection(governments=("DE",)),
        Selection(governments=("DE", "US")),
        Selection(stances=("welcoming",)),
        Selection(speakers=(us.speaker_id,)),
        Selection(q="asylum"),
        Selection(q="nothing-matches-this"),
    ]
    for selection in selections:
        orm = set(Statement.objects.filter(selection.condition()).values_list("id", flat=True))
        fast = {row["id"] for row in StatementPages(selection, ORDERINGS["-said_on"], IDS).page(None, False, 100)}
        assert orm == fast, selection
    assert {row["id"] for row in StatementPages(Selection(), ORDERINGS["-said_on"], IDS).page(None, False, 100)} == {
        de.pk,
        us.pk,
    }


def test_ranked_search_ranks_the_newest_matches_and_counts_them_all(db, api, monkeypatch):
    monkeypatch.setattr(listing, "RANK_WINDOW", 3)
    old = [StatementFactory(quote="asylum asylum asylum asylum", said_on=datetime.date(2015, 1, d)) for d in (1, 2)]
    new = [StatementFactory(quote=f"asylum and {n}", said_on=datetime.date(2022, 1, n + 1)) for n in range(3)]

    body = api.get(LIST, {"q": "asylum"}).json()

    assert body["count"] == 5 and body["count_exact"] is True
    assert {row["id"] for row in body["results"]} == {s.pk for s in new}  # the 3 newest, ranked
    assert body["next"] is None
    by_date = api.get(LIST, {"q": "asylum", "ordering": "-said_on"}).json()
    assert {row["id"] for row in by_date["results"]} == {s.pk for s in old + new}


def test_search_words_reach_the_sql_safely(db, api):
    """The words are written into the SQL as a literal: quotes, backslashes and % stay text."""
    StatementFactory(quote="It's 100% asylum")
    for q in ["it's", "100%", "'; DROP TABLE statements_statement; --", "\\", '"it\'s 100"', "%s %(x)s"]:
        response = api.get(LIST, {"q": q})
        assert response.status_code == 200, (q, response.content)
    assert api.get(LIST, {"q": "it's 100%"}).json()["count"] == 1  # English: "it" and "s" are stop words
    assert Statement.objects.count() == 1


def test_a_cursor_from_another_release_is_a_400_not_a_500(db, api):
    StatementFactory()
    for values in (["not a date", 1], ["2022-01-01", "1"], ["2022-01-01"], [None, None]):
        cursor = paging.encode(paging.ORDERINGS["-said_on"], values)
        response = api.get(LIST, {"cursor": cursor})
        assert response.status_code == 400, values
        assert "cursor" in response.json()["errors"]


def test_search_counts_are_capped_lower(db, api, monkeypatch):
    monkeypatch.setattr(listing, "SEARCH_COUNT_LIMIT", 3)
    for n in range(5):
        StatementFactory(quote=f"asylum number {n}")

    for ordering in ("rank", "-said_on", "said_on"):
        body = api.get(LIST, {"q": "asylum", "ordering": ordering}).json()
        assert (body["count"], body["count_exact"]) == (3, False), ordering
    assert api.get(LIST).json()["count"] == 5  # no search: the usual cap
