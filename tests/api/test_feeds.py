"""Statement feeds: Atom, RSS and JSON Feed 1.1, filtered like the API, safe with hostile quotes."""

import html

import feedparser
import pytest

from statements.models import Statement
from tests.factories import StatementFactory

HOSTILE = '</script><img src=x onerror=alert(1)> "quotes" & \u202eevil\u202c javascript:alert(2)'


def test_a_filtered_atom_feed_has_exactly_the_matching_statements(seeded, client):
    response = client.get("/feeds/statements.atom", {"government": "DE,FI", "stance": "restrictive", "utm_source": "x"})

    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    expected = Statement.objects.published().filter(government__in=["DE", "FI"], stance="restrictive")
    assert {entry.link for entry in feed.entries} == {f"http://testserver/statements/{s.pk}/" for s in expected}
    assert len(feed.entries) == expected.count() > 0
    titles = {entry.title for entry in feed.entries}
    assert all(title.endswith(": restrictive") and (" (Finland)" in title or " (Germany)" in title) for title in titles)
    sanna = expected.get(speaker__name="Sanna Marin")
    entry = next(e for e in feed.entries if e.link.endswith(f"/statements/{sanna.pk}/"))
    assert entry.title == "Sanna Marin (Finland): restrictive"
    assert entry.author == "Sanna Marin"
    assert html.unescape(entry.summary) == sanna.quote  # the summary is HTML: the quote as text


def test_rss_feed_parses_and_matches(seeded, client):
    feed = feedparser.parse(client.get("/feeds/statements.rss", {"government": "US"}).content)

    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "rss20"
    assert [e.title for e in feed.entries] == [
        "Karine Jean-Pierre (United States): welcoming",
        "Karine Jean-Pierre (United States): conditional",
        "Karine Jean-Pierre (United States): neutral",
    ]


def test_json_feed_has_the_required_keys(seeded, client):
    body = client.get("/feeds/statements.json", {"government": "US"}).json()

    assert body["version"] == "https://jsonfeed.org/version/1.1"
    assert {"title", "items", "home_page_url", "feed_url"} <= set(body)
    item = body["items"][0]
    assert {"id", "url", "title", "content_text", "date_published", "date_modified", "authors"} <= set(item)
    assert item["title"] == "Karine Jean-Pierre (United States): welcoming"
    assert item["content_text"].endswith("we welcome any folks who are seeking asylum — and they should do that.")


def test_feeds_hold_the_latest_50(db, client):
    for n in range(55):
        StatementFactory(quote=f"Statement {n}")

    assert len(feedparser.parse(client.get("/feeds/statements.atom").content).entries) == 50
    assert len(client.get("/feeds/statements.json").json()["items"]) == 50


@pytest.mark.parametrize("path", ["/feeds/statements.atom", "/feeds/statements.rss", "/feeds/statements.json"])
def test_bad_filter_values_are_400_and_drafts_never_appear(db, client, path):
    StatementFactory(status="draft", quote="zqx draft words")

    assert client.get(path, {"stance": "welcomin"}).json() == {
        "errors": {"stance": ["'welcomin' is not a stance; use one of welcoming, conditional, restrictive, neutral."]}
    }
    assert client.get(path, {"said_after": "2022-02-30"}).status_code == 400
    assert b"zqx" not in client.get(path).content


@pytest.mark.parametrize("path", ["/feeds/statements.atom", "/feeds/statements.rss"])
def test_hostile_quotes_come_out_inert_in_xml_feeds(db, client, path):
    StatementFactory(quote=HOSTILE, speaker__name="<b>Evil</b> Name")

    response = client.get(path)

    body = response.content.decode()
    assert "<img" not in body and "<script" not in body.lower() and "<b>" not in body
    entry = feedparser.parse(response.content).entries[0]
    # Readers decode the XML, then read summaries as HTML: what they get is escaped text.
    assert "<img" not in entry.summary and "&lt;img" in entry.summary
    assert entry.title == "<b>Evil</b> Name (Country " + entry.title.split("(Country ")[1]


def test_hostile_quotes_are_plain_strings_in_json_feed(db, client):
    StatementFactory(quote=HOSTILE)

    response = client.get("/feeds/statements.json")

    assert response.json()["items"][0]["content_text"] == HOSTILE
    assert response["Content-Type"] == "application/feed+json"


def test_feeds_support_conditional_get_and_cors(seeded, client):
    first = client.get("/feeds/statements.atom", HTTP_ORIGIN="https://news.example")

    assert first["Access-Control-Allow-Origin"] == "*"
    assert first["Cache-Control"] == "public, max-age=60"
    assert client.get("/feeds/statements.atom", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get("/feeds/statements.atom", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_feed_query_count_does_not_grow(db, client, django_assert_num_queries):
    StatementFactory()
    with django_assert_num_queries(1):  # the entries' JSON, sources included
        client.get("/feeds/statements.atom")
    for n in range(60):
        StatementFactory(quote=f"More {n}")
    with django_assert_num_queries(1):
        client.get("/feeds/statements.atom")
