"""The statements list's fast path (statements/listing.py) against the serializer that documents it.

The list builds its JSON from plain rows; StatementSerializer is the schema. Every field of every
kind of statement must come out the same both ways.
"""

import datetime
import json

import pytest
from rest_framework.test import APIRequestFactory

from api.renderers import JSONRenderer
from api.serializers import StatementSerializer
from statements import listing
from statements.listing import ORDERINGS, Links, Selection, StatementPages
from statements.models import Statement
from tests.factories import SourceFactory, SpeakerFactory, StatementFactory

LIST = "/api/v1/statements/"
LINKS = Links(api="http://testserver/api/v1/statements/", page="http://testserver/statements/")


def serializer_json(statement: Statement) -> dict:
    request = APIRequestFactory().get(LIST)
    data = StatementSerializer(Statement.objects.for_api().get(pk=statement.pk), context={"request": request}).data
    return json.loads(JSONRenderer().render(data))


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


def test_list_rows_render_exactly_as_the_serializer(varied, api):
    body = api.get(LIST, {"page_size": 200}).json()

    by_id = {row["id"]: row for row in body["results"]}
    assert set(by_id) == {s.pk for s in varied}
    for statement in varied:
        assert by_id[statement.pk] == serializer_json(statement)


def test_detail_renders_exactly_as_the_serializer(varied, api, staff_user):
    from api.serializers import StatementDetailSerializer
    from statements.services import statement_save

    corrected = varied[1]
    corrected.stance = "welcoming"
    statement_save(statement=corrected, user=staff_user, note="The stance was misread.")
    for statement in varied:
        request = APIRequestFactory().get(f"{LIST}{statement.pk}/")
        instance = Statement.objects.for_detail().get(pk=statement.pk)
        data = StatementDetailSerializer(instance, context={"request": request}).data
        expected = json.loads(JSONRenderer().render(data))
        assert api.get(f"{LIST}{statement.pk}/").json() == expected
    assert expected["citation"]
    assert api.get(f"{LIST}{corrected.pk}/").json()["corrections"][0]["fields"] == ["stance"]


def test_tombstones_render_exactly_as_the_serializer(db, api):
    since = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    retracted = StatementFactory(status="retracted")

    body = api.get(LIST, {"updated_since": since.isoformat()}).json()

    assert body["results"] == [serializer_json(retracted)]


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
        fast = {row["id"] for row in StatementPages(selection, ORDERINGS["-said_on"], LINKS).page(None, False, 100)}
        assert orm == fast, selection
    assert {row["id"] for row in StatementPages(Selection(), ORDERINGS["-said_on"], LINKS).page(None, False, 100)} == {
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
    assert api.get(LIST, {"q": "it's"}).json()["count"] == 1
    assert Statement.objects.count() == 1


def test_a_cursor_from_another_release_is_a_400_not_a_500(db, api):
    from api.pagination import KeysetPagination

    StatementFactory()
    for values in (["not a date", 1], ["2022-01-01", "1"], ["2022-01-01"], [None, None]):
        cursor = KeysetPagination.sign({"o": "-said_on", "v": values, "r": 0})
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
