"""GET /api/v1/events/ and /feeds/events.atom: the event log, oldest first, paged by event id,
each event with the statement as the API's detail showed it at that moment. Events are recorded
at commit, so these tests commit (transaction=True)."""

import feedparser
import pytest

from statements import services
from statements.events import Event
from statements.models import Statement

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def log(seeded, staff_user):
    """The seed data's events, then a correction and a retraction of one US statement."""
    statement = Statement.objects.get(government="US", said_on="2022-09-26")
    statement.stance = "restrictive"
    services.statement_save(statement=statement, user=staff_user, note="Stance recoded after review.")
    services.statement_retract(statement_id=statement.pk, user=staff_user, reason="Withdrawn.")
    return statement


def test_one_event_is_the_statement_as_the_detail_showed_it(log, api):
    published = Event.objects.filter(statement=log, type="statement.corrected").get()
    detail_then = published.images  # what the detail showed is rebuilt from these

    body = api.get(f"/api/v1/events/{published.pk}/").json()

    assert list(body) == ["id", "type", "occurred_at", "statement"]
    assert body["id"] == published.pk and body["type"] == "statement.corrected"
    assert body["occurred_at"].endswith("Z")
    statement = body["statement"]
    assert statement["id"] == log.pk and statement["status"] == "published"
    assert statement["stance"] == "restrictive" == detail_then["statement"]["stance"]
    assert [c["note"] for c in statement["corrections"]] == ["Stance recoded after review."]
    assert statement["url"] == f"http://testserver/api/v1/statements/{log.pk}/"
    assert statement["citation"].endswith(f"Retrieved from http://testserver/statements/{log.pk}/.")


def test_the_detail_of_a_statement_and_its_latest_event_are_the_same_json(seeded, api, staff_user):
    statement = Statement.objects.get(government="US", said_on="2022-09-27")
    event = Event.objects.filter(statement=statement).get()

    assert (
        api.get(f"/api/v1/events/{event.pk}/").json()["statement"]
        == api.get(f"/api/v1/statements/{statement.pk}/").json()
    )


def test_a_retraction_carries_the_tombstone_and_earlier_events_keep_the_statement(log, api):
    events = api.get("/api/v1/events/", {"government": "US", "said_after": "2022-09-26", "said_before": "2022-09-26"})

    assert events.status_code == 200
    rows = events.json()["results"]
    assert [e["type"] for e in rows] == ["statement.published", "statement.corrected", "statement.retracted"]
    assert rows[0]["statement"]["stance"] != "restrictive" and rows[1]["statement"]["stance"] == "restrictive"
    tombstone = rows[2]["statement"]
    assert list(tombstone) == ["id", "status", "updated_at"] and tombstone["status"] == "retracted"


def test_paging_by_event_id_replays_the_whole_log_in_order(log, api):
    seen, url = [], "/api/v1/events/?page_size=7"
    while url:
        page = api.get(url).json()
        seen += [e["id"] for e in page["results"]]
        url = page["next"]

    assert seen == list(Event.objects.order_by("id").values_list("id", flat=True))
    last = seen[-1]
    tail = api.get("/api/v1/events/", {"after": last}).json()
    assert tail["results"] == [] and tail["next"] is None
    middle = api.get("/api/v1/events/", {"after": seen[9], "page_size": 3}).json()
    assert [e["id"] for e in middle["results"]] == seen[10:13]
    assert f"before={seen[10]}" in middle["previous"]
    back = api.get(middle["previous"]).json()
    assert [e["id"] for e in back["results"]] == seen[7:10]


def test_type_and_statement_filters(log, api):
    retracted = api.get("/api/v1/events/", {"type": "statement.retracted"}).json()
    german = api.get("/api/v1/events/", {"government": "DE", "type": "statement.published,statement.corrected"})

    assert [e["statement"]["id"] for e in retracted["results"]] == [log.pk]
    assert retracted["count"] == 1 and retracted["count_exact"] is True
    assert german.json()["results"] and all(
        e["statement"]["government"]["code"] == "DE" for e in german.json()["results"]
    )


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"type": "statement.deleted"}, "type"),
        ({"after": "-1"}, "after"),
        ({"after": "ten"}, "after"),
        ({"before": "0"}, "before"),
        ({"stance": "welcomin"}, "stance"),
        ({"government": "XX"}, "government"),
        ({"cursor": "abc"}, "cursor"),
        ({"page_size": "0"}, "page_size"),
        ({"aftr": "3"}, "aftr"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(log, api, query, parameter):
    response = api.get("/api/v1/events/", query)

    assert response.status_code == 400
    assert parameter in response.json()["errors"]


def test_a_missing_event_is_a_404(db, api):
    assert api.get("/api/v1/events/999999/").status_code == 404


def test_the_list_issues_the_same_queries_for_one_event_and_fifty(log, api, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert len(api.get("/api/v1/events/", {"page_size": 1}).json()["results"]) == 1
    with django_assert_num_queries(2):
        assert len(api.get("/api/v1/events/", {"page_size": 50}).json()["results"]) == 46


def test_the_atom_feed_is_the_log_newest_first(log, client):
    response = client.get("/feeds/events.atom", {"government": "US", "utm_source": "newsletter"})

    feed = feedparser.parse(response.content)
    assert response.status_code == 200 and not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Statement tracker: the event log: government US"
    assert feed.feed.links[0].href.startswith("http://testserver/")
    first = feed.entries[0]
    assert first.title == f"Retracted: statement {log.pk}"
    assert first.id.startswith("http://testserver/api/v1/events/")
    assert first.link == f"http://testserver/statements/{log.pk}/"
    assert feed.entries[1].title.startswith("Corrected: Karine Jean-Pierre (United States): restrictive")
    assert [e.updated_parsed for e in feed.entries] == sorted((e.updated_parsed for e in feed.entries), reverse=True)


def test_the_atom_feed_refuses_a_bad_filter_value(db, client):
    response = client.get("/feeds/events.atom", {"type": "statement.nope"})

    assert response.status_code == 400 and "type" in response.json()["errors"]


def test_an_event_keeps_the_quote_s_renderings_as_the_detail_shows_them(seeded, api):
    statement = Statement.objects.get(speaker__name="Olaf Scholz", said_on="2022-09-28")  # with an English rendering
    event = Event.objects.filter(statement=statement).get()

    detail = api.get(f"/api/v1/statements/{statement.pk}/").json()
    assert detail["translations"][0]["by"] == "Censor.NET"
    assert api.get(f"/api/v1/events/{event.pk}/").json()["statement"] == detail
