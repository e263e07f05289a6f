"""Statements list and detail: the public contract, paging, sync tombstones, HTTP behaviour."""

import pytest
from django.utils import timezone

from statements.models import Statement
from tests.api.problems import problem
from tests.factories import GovernmentFactory, StatementFactory

LIST = "/api/v1/statements/"
WHITE_HOUSE_QUOTES = {
    "2022-09-23": "So I don’t have anything to preview for you, as it relates to your question, Zeke, about what we "
    "would offer. But, you know, we’ll say this: What we’re seeing — what we’re seeing in Russia, especially with the "
    "protests, and what we’re seeing with Russians leaving their country is that this is an unpopular war.",
    "2022-09-26": "So, anyone seeking refuge for persecution, regas- — regardless of their nationality, may apply for "
    "asylum in the United States and have their claim adjucated [adjudicated] on a case-by-case basis. That’s where — "
    "that’s how we see our role here and our part in this.",
    "2022-09-27": "You know, we believe that, regardless of their nationality, they may apply for asylum in the United "
    "States and have their claim adjudicated on a case-by-case basis. So, as far as that, we welcome any folks who are "
    "seeking asylum — and they should do that.",
}


def expected_statement(statement: Statement) -> dict:
    """The whole public shape of one statement, built independently of the serializer."""
    return {
        "id": statement.pk,
        "url": f"http://testserver/api/v1/statements/{statement.pk}/",
        "permalink": f"http://testserver/statements/{statement.pk}/",
        "speaker": {
            "slug": statement.speaker.slug,
            "name": statement.speaker.name,
            "kind": statement.speaker.kind,
            "wikidata_id": statement.speaker.wikidata_id,
        },
        "role": statement.role,
        "organization": statement.organization,
        "government": {"code": statement.government.code, "name": statement.government.name},
        "topic": {"slug": statement.topic.slug, "title": statement.topic.title},
        "said_on": statement.said_on.isoformat(),
        "date_precision": statement.date_precision,
        "published_on": statement.published_on.isoformat() if statement.published_on else None,
        "quote": statement.quote,
        "language": statement.language,
        "is_translation": statement.is_translation,
        "stance": statement.stance,
        "context": statement.context,
        "sources": [
            {"url": s.url, "publisher": s.publisher, "archived_url": s.archived_url, "accessed_on": None}
            for s in statement.sources.all()
        ],
        "translations": [
            {"language": t.language, "text": t.text, "by": t.by, "official": t.official, "source_url": t.source_url}
            for t in statement.translations.all()
        ],
        "status": statement.status,
        "created_at": statement.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": statement.updated_at.isoformat().replace("+00:00", "Z"),
    }


def test_white_house_remarks_in_date_order_whole_body(seeded, api):
    response = api.get(LIST, {"government": "US", "ordering": "said_on"})

    assert response.status_code == 200
    statements = list(Statement.objects.filter(government="US").order_by("said_on").for_api())
    assert response.json() == {
        "count": 3,
        "count_exact": True,
        "next": None,
        "previous": None,
        "results": [expected_statement(s) for s in statements],
    }
    body = response.json()["results"]
    assert {row["said_on"]: row["quote"] for row in body} == WHITE_HOUSE_QUOTES
    assert [row["stance"] for row in body] == ["neutral", "conditional", "welcoming"]
    assert body[0]["government"] == {"code": "US", "name": "United States"}
    assert body[0]["speaker"]["slug"] == "karine-jean-pierre"
    assert body[0]["role"] == "White House Press Secretary"


def test_detail_whole_body_with_citation(seeded, api):
    statement = Statement.objects.for_api().get(government="US", said_on="2022-09-27")

    response = api.get(f"{LIST}{statement.pk}/")

    assert response.status_code == 200
    assert response.json() == expected_statement(statement) | {
        "corrections": [],
        "citation": (
            "Karine Jean-Pierre, White House Press Secretary (United States), 2022-09-27. "
            f'"{WHITE_HOUSE_QUOTES["2022-09-27"]}". '
            "The White House (official transcript, bidenwhitehouse.archives.gov). "
            f"Retrieved from http://testserver/statements/{statement.pk}/."
        ),
    }


def test_default_order_is_newest_first_with_id_tiebreak(seeded, api):
    body = api.get(LIST, {"page_size": 200}).json()

    keys = [(row["said_on"], row["id"]) for row in body["results"]]
    assert body["count"] == 44 and len(keys) == 44
    assert keys == sorted(keys, reverse=True)


def test_search_finds_the_phrase_ranked(seeded, api):
    body = api.get(LIST, {"q": '"case-by-case basis"'}).json()

    dates = {row["said_on"] for row in body["results"] if row["government"]["code"] == "US"}
    assert "2022-09-26" in dates
    assert all("case-by-case basis" in row["quote"] + row["context"] for row in body["results"])


def test_search_supports_exclusion_and_or(seeded, api):
    with_welcome = api.get(LIST, {"q": "welcome"}).json()["count"]
    without_germany = api.get(LIST, {"q": "welcome -germany"}).json()
    either = api.get(LIST, {"q": "deserters or welcome"}).json()["count"]

    assert with_welcome > without_germany["count"] > 0
    assert all("germany" not in (r["quote"] + r["context"]).lower() for r in without_germany["results"])
    assert either >= with_welcome


def test_search_with_date_ordering(seeded, api):
    body = api.get(LIST, {"q": "asylum", "ordering": "-said_on"}).json()

    dates = [row["said_on"] for row in body["results"]]
    assert dates == sorted(dates, reverse=True) and len(dates) > 3


@pytest.mark.parametrize("ordering", ["-said_on", "said_on", "-updated_at", "updated_at", "rank"])
def test_cursor_paging_visits_every_row_once_both_ways(seeded, api, ordering):
    params = {"page_size": 7, "ordering": ordering} | (
        {"q": "asylum or russians or visa"} if ordering == "rank" else {}
    )
    first = api.get(LIST, params)
    total = first.json()["count"]
    pages, response = [first.json()], first
    while response.json()["next"]:
        assert 'rel="next"' in response["Link"]
        response = api.get(response.json()["next"])
        pages.append(response.json())
    forward = [row["id"] for page in pages for row in page["results"]]

    backward_pages = [pages[-1]]
    while backward_pages[-1]["previous"]:
        backward_pages.append(api.get(backward_pages[-1]["previous"]).json())
    backward = [row["id"] for page in reversed(backward_pages) for row in page["results"]]

    assert len(forward) == len(set(forward)) == total > 7
    assert backward == forward
    assert pages[0]["previous"] is None


def test_count_is_capped(seeded, api, monkeypatch):
    monkeypatch.setattr("api.pagination.KeysetPagination.count_limit", 10)

    body = api.get(LIST).json()

    assert (body["count"], body["count_exact"]) == (10, False)


def test_only_published_statements_are_visible(db, api):
    published = StatementFactory(quote="published words")
    draft = StatementFactory(status="draft", quote="secret draft words")
    retracted = StatementFactory(status="retracted", quote="withdrawn words")

    body = api.get(LIST).json()

    assert [row["id"] for row in body["results"]] == [published.pk]
    assert api.get(LIST, {"q": "secret"}).json()["count"] == 0
    assert api.get(f"{LIST}{draft.pk}/").status_code == 404
    assert api.get(f"{LIST}{retracted.pk}/").status_code == 404


def test_updated_since_returns_retractions_as_tombstones(db, api):
    since = timezone.now()
    published = StatementFactory()
    retracted = StatementFactory(status="retracted")
    StatementFactory(status="draft")

    body = api.get(LIST, {"updated_since": since.isoformat(), "ordering": "updated_at"}).json()

    assert [row["id"] for row in body["results"]] == [published.pk, retracted.pk]
    assert body["results"][1] == {
        "id": retracted.pk,
        "status": "retracted",
        # The same RFC 3339 form as every other datetime in the API ("Z" for UTC).
        "updated_at": retracted.updated_at.isoformat().replace("+00:00", "Z"),
    }
    later = api.get(LIST, {"updated_since": "2999-01-01T00:00:00Z"}).json()
    assert later["count"] == 0


def test_list_query_count_is_the_same_for_1_and_200_rows(db, api, django_assert_num_queries):
    StatementFactory()
    # The page (its statements' JSON, sources included, built by PostgreSQL), then the count.
    # Three before the read path was rewritten for issue 7 (the sources came separately).
    with django_assert_num_queries(2):
        assert len(api.get(LIST).json()["results"]) == 1

    government = GovernmentFactory()
    for _ in range(199):
        StatementFactory(government=government)
    with django_assert_num_queries(2):
        assert len(api.get(LIST, {"page_size": 200}).json()["results"]) == 200


def test_detail_query_count(seeded, api, django_assert_num_queries):
    pk = Statement.objects.first().pk
    with django_assert_num_queries(1):  # the statement's JSON: sources, corrections and citation included
        api.get(f"{LIST}{pk}/")


def test_conditional_get_and_cache_headers(seeded, api):
    response = api.get(LIST, {"government": "US"}, HTTP_ORIGIN="https://news.example")

    assert response["Cache-Control"] == "public, max-age=60"
    assert response["Last-Modified"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    again = api.get(LIST, {"government": "US"}, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    detail = api.get(response.json()["results"][0]["url"])
    assert api.get(detail.wsgi_request.path, HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_405(seeded, api, method):
    pk = Statement.objects.first().pk
    response = getattr(api, method)(f"{LIST}{pk}/" if method != "post" else LIST, {}, format="json")

    assert response.status_code == 405
    assert response.json() == problem(405, {"detail": [f'Method "{method.upper()}" not allowed.']})


def test_statement_page_is_the_permalink(seeded, client):
    statement = Statement.objects.get(government="US", said_on="2022-09-27")

    response = client.get(f"/statements/{statement.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "we welcome any folks who are seeking asylum — and they should do that." in html
    assert "Retrieved from http://testserver/statements/" in html
    assert response["X-Frame-Options"] == "DENY"
    assert "Access-Control-Allow-Origin" not in client.get(
        f"/statements/{statement.pk}/", HTTP_ORIGIN="https://x.example"
    )
