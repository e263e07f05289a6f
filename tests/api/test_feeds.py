"""Statement feeds: Atom, RSS and JSON Feed 1.1, filtered like the API, safe with hostile quotes."""

import datetime
import html
import re
import urllib.parse
from xml.etree import ElementTree

import feedparser
import jsonfeed
import pytest

from statements.models import Statement
from tests.api.problems import problem
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
    quote, said = re.split(r"<br\s*/?>", html.unescape(entry.summary))  # HTML: the quote as text, then when
    assert quote == sanna.quote and said == f"— Sanna Marin, {sanna.said_on.day} {sanna.said_on:%B %Y}"


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

    refused = client.get(path, {"stance": "welcomin"})
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json() == problem(
        400,
        {"stance": ["'welcomin' is not a stance; use one of welcoming, conditional, restrictive, neutral."]},
    )
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
    with django_assert_num_queries(2):  # an empty feed also asks when the data last changed
        client.get("/feeds/statements.atom", {"government": "TV"})


ATOM = "{http://www.w3.org/2005/Atom}"


def rfc_4287_problems(body: bytes) -> list[str]:
    """What RFC 4287 (§4.1.1, §4.1.2) requires of a feed and its entries, checked on the XML: one
    id (an absolute IRI), one title, one updated (a date-time); an author for every entry (or
    the feed); an entry link or content; a self link."""
    root = ElementTree.fromstring(body)
    problems = []

    def check(element, where: str) -> None:
        for name in ("id", "title", "updated"):
            if len(element.findall(f"{ATOM}{name}")) != 1:
                problems.append(f"{where}: needs exactly one atom:{name}")
        identifier = element.findtext(f"{ATOM}id") or ""
        if not urllib.parse.urlsplit(identifier).scheme:
            problems.append(f"{where}: atom:id {identifier!r} is not an absolute IRI")
        updated = element.findtext(f"{ATOM}updated") or ""
        try:
            datetime.datetime.fromisoformat(updated)
        except ValueError:
            problems.append(f"{where}: atom:updated {updated!r} is not a date-time")

    check(root, "feed")
    if not [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]:
        problems.append("feed: no self link")
    feed_author = root.find(f"{ATOM}author") is not None
    for number, entry in enumerate(root.findall(f"{ATOM}entry")):
        check(entry, f"entry {number}")
        if not feed_author and entry.find(f"{ATOM}author") is None:
            problems.append(f"entry {number}: no author")
        if entry.find(f"{ATOM}link") is None and entry.find(f"{ATOM}content") is None:
            problems.append(f"entry {number}: neither link nor content")
    return problems


@pytest.mark.parametrize(
    "query",
    [{}, {"government": "DE,FI", "stance": "restrictive"}, {"q": "asylum"}, {"government": "TV"}],
    ids=["all", "filtered", "search", "empty"],
)
def test_atom_feeds_meet_rfc_4287(seeded, client, staff_user, query):
    from statements import services

    statement = Statement.objects.get(government="US", said_on="2022-09-27")
    statement.stance = "conditional"
    services.statement_save(statement=statement, user=staff_user, expected_version=1, note="Recoded.")

    for path in ("/feeds/statements.atom", "/feeds/corrections.atom"):
        assert rfc_4287_problems(client.get(path, query).content) == [], path


def test_a_filtered_feed_is_its_own_feed(seeded, client):
    def feed(query):
        return feedparser.parse(client.get("/feeds/statements.atom", query).content).feed

    everything, restrictive = feed({}), feed({"government": "DE,FI", "stance": "restrictive", "utm_source": "x"})
    same = feed({"stance": "restrictive", "government": "fi,de"})  # another order and case: the same feed

    assert everything.id == "http://testserver/feeds/statements.atom"
    assert restrictive.id == "http://testserver/feeds/statements.atom?government=DE,FI&stance=restrictive"
    self_links = [link.href for link in restrictive.links if link.rel == "self"]
    assert self_links == [restrictive.id]
    assert (
        restrictive.title
        == "Statement tracker: what governments say about asylum: government DE, FI; stance restrictive"
    )
    assert everything.title != restrictive.title
    assert (same.id, same.title) == (restrictive.id, restrictive.title)


def test_an_empty_feed_keeps_its_updated_so_it_revalidates(seeded, client):
    first = client.get("/feeds/statements.atom", {"government": "TV"})
    again = client.get("/feeds/statements.atom", {"government": "TV"})

    assert feedparser.parse(first.content).entries == []
    assert first.content == again.content
    assert (
        client.get("/feeds/statements.atom", {"government": "TV"}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    )


def test_entries_say_when_the_remark_was_made(db, client):
    StatementFactory(said_on=datetime.date(2022, 9, 22), date_precision="approximate", quote="About then.")
    StatementFactory(said_on=datetime.date(2022, 11, 1), date_precision="month", quote="That month.")

    atom = feedparser.parse(client.get("/feeds/statements.atom").content)
    items = client.get("/feeds/statements.json").json()["items"]

    assert [re.split(r"<br\s*/?>— ", html.unescape(e.summary))[1].split(", ")[-1] for e in atom.entries] == [
        "November 2022",
        "c. 22 September 2022",
    ]
    assert [(i["_tracker"]["said_on"], i["_tracker"]["date_precision"]) for i in items] == [
        ("2022-11-01", "month"),
        ("2022-09-22", "approximate"),
    ]
    assert all(e.published and e.updated for e in atom.entries)  # and when the tracker published it


def test_json_feeds_meet_json_feed_1_1(seeded, client):
    """JSON Feed 1.1: version, title and items are required; each item an id (a string), content
    (text or HTML) and RFC 3339 dates; URLs absolute; and jsonfeed-util (a JSON Feed 1.1 parser
    nobody here wrote) reads it back."""
    response = client.get("/feeds/statements.json", {"government": "DE"})
    body = response.json()

    assert body["version"] == "https://jsonfeed.org/version/1.1" and body["title"] and isinstance(body["items"], list)
    for key in ("home_page_url", "feed_url"):
        assert urllib.parse.urlsplit(body[key]).scheme == "http"
    for item in body["items"]:
        assert isinstance(item["id"], str) and (item.get("content_text") or item.get("content_html"))
        for key in ("date_published", "date_modified"):
            datetime.datetime.fromisoformat(item[key])
        assert all(key.startswith("_") or key in JSON_FEED_ITEM_KEYS for key in item), item.keys()
    parsed = jsonfeed.Feed.parse_string(response.content.decode())
    assert parsed.title == body["title"] and len(parsed.items) == len(body["items"]) > 0
    assert [item.id for item in parsed.items] == [item["id"] for item in body["items"]]


JSON_FEED_ITEM_KEYS = {
    "id", "url", "external_url", "title", "content_html", "content_text", "summary", "image", "banner_image",
    "date_published", "date_modified", "authors", "tags", "language", "attachments",
}  # fmt: skip


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("query", [{}, {"topic": "russian-mobilisation-2022"}], ids=["all", "filtered"])
def test_a_back_dated_remark_published_today_is_the_first_entry(client, staff_user, query):
    """Feeds follow the public record, not the calendar of remarks: a March 2022 remark written up
    long ago as a draft and published today comes first, saying when it was made (with its
    precision); a retraction brings its entry back with the reason and without the quote."""
    from statements import services
    from tests.conftest import import_seeds

    remark = StatementFactory(
        status="draft",
        topic__slug="russian-mobilisation-2022",
        said_on=datetime.date(2022, 3, 1),
        date_precision="month",
        quote="A remark from March 2022, published only now.",
        speaker__name="Early Speaker",
    )
    import_seeds()  # later ids, later remarks, all published before it
    services.statement_publish(statement_id=remark.pk, user=staff_user)
    permalink = f"http://testserver/statements/{remark.pk}/"

    for path in ("/feeds/statements.atom", "/feeds/statements.rss"):
        feed = feedparser.parse(client.get(path, query).content)
        assert not feed.bozo, feed.bozo_exception
        first = feed.entries[0]
        assert first.link == permalink, path
        assert first.title == f"Early Speaker ({remark.government.name}): restrictive"
        assert html.unescape(first.summary).endswith("— Early Speaker, March 2022"), first.summary
        said = [e for e in feed.entries if e.link != permalink]
        assert said and all(
            re.search(r"— .+, (c\. )?(\d{1,2} )?[A-Z][a-z]+ \d{4}", html.unescape(e.summary)) for e in said
        )
    items = client.get("/feeds/statements.json", query).json()["items"]
    assert items[0]["id"] == permalink
    assert (items[0]["_tracker"]["said_on"], items[0]["_tracker"]["date_precision"]) == ("2022-03-01", "month")

    older = Statement.objects.filter(topic__slug="russian-mobilisation-2022").exclude(pk=remark.pk).order_by("id")[0]
    services.statement_retract(statement_id=older.pk, user=staff_user, reason="The ministry withdrew the transcript.")
    atom = feedparser.parse(client.get("/feeds/statements.atom", query).content)
    first = atom.entries[0]
    assert first.link == f"http://testserver/statements/{older.pk}/"
    assert first.title.startswith("Retracted: ")
    assert "Retracted on " in first.summary and "The ministry withdrew the transcript." in first.summary
    assert older.quote not in html.unescape(first.summary)
    assert atom.entries[1].link == permalink
