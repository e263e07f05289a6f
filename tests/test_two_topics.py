"""Everything works with several topics, on the real seeds: positions and timelines per topic,
compare on a statement's own topic, a government's latest stance per topic, a speaker's roles
across topics, stats by topic, feeds, embeds and exports by topic, the pages and their switcher."""

import csv
import io
import json

import feedparser
import pytest

from statements.models import Statement
from tests.conftest import import_seeds

RUSSIANS, UKRAINIANS = "russian-mobilisation-2022", "ukrainian-refugees-2022"


@pytest.fixture
def both(db):
    import_seeds()


def published(topic: str):
    return Statement.objects.published().filter(topic__slug=topic)


def test_positions_and_timelines_are_per_topic(both, api):
    ukrainians = api.get("/api/v1/positions/", {"topic": UKRAINIANS, "as_of": "2022-03-31"}).json()
    russians = api.get("/api/v1/positions/", {"topic": RUSSIANS, "as_of": "2022-03-31"}).json()

    assert ukrainians["topic"]["slug"] == UKRAINIANS
    codes = {p["government"]["code"] for p in ukrainians["positions"]}
    assert codes == set(published(UKRAINIANS).filter(said_on__lte="2022-03-31").values_list("government_id", flat=True))
    assert {p["government"]["code"] for p in russians["positions"]} == {"GB"}  # only the UK, before the mobilisation
    timeline = api.get("/api/v1/positions/timeline/", {"topic": UKRAINIANS, "government": "DE"}).json()
    ids = {c["statement"]["id"] for g in timeline["governments"] for c in g["changes"]}
    assert ids and ids <= set(published(UKRAINIANS).values_list("id", flat=True))


def test_a_statement_is_compared_on_its_own_topic(both, api):
    remark = published(UKRAINIANS).filter(government="DE").order_by("said_on").first()

    body = api.get(f"/api/v1/statements/{remark.pk}/compare/").json()

    assert body["topic"]["slug"] == UKRAINIANS and body["as_of"] == remark.said_on.isoformat()
    compared = {p["statement"]["id"] for p in body["positions"] if p["statement"]}
    assert compared <= set(published(UKRAINIANS).values_list("id", flat=True))


def test_a_government_lists_its_latest_stance_per_topic(both, api):
    germany = api.get("/api/v1/governments/DE/").json()

    assert [s["topic"] for s in germany["latest_stances"]] == [RUSSIANS, UKRAINIANS]
    assert germany["statement_count"] == Statement.objects.published().filter(government="DE").count()


def test_a_speaker_in_both_topics_is_one_speaker_with_roles_across_them(both, api):
    scholz = api.get("/api/v1/speakers/olaf-scholz/").json()

    assert scholz["statement_count"] == Statement.objects.published().filter(speaker__name="Olaf Scholz").count() >= 2
    assert {(r["role"], r["government"]) for r in scholz["roles"]} >= {("Federal Chancellor", "DE")}
    assert api.get("/api/v1/speakers/", {"page_size": 200}).json()["count"] == len(
        set(Statement.objects.published().values_list("speaker", flat=True))
    )


def test_stats_group_by_topic(both, api):
    body = api.get("/api/v1/statements/stats/", {"group_by": "topic"}).json()

    assert {row["topic"]: row["count"] for row in body["results"]} == {
        RUSSIANS: published(RUSSIANS).count(),
        UKRAINIANS: published(UKRAINIANS).count(),
    }
    assert published(RUSSIANS).count() + published(UKRAINIANS).count() == 114


def test_feeds_embeds_and_exports_filter_by_topic(both, client):
    expected = set(published(UKRAINIANS).values_list("id", flat=True))

    feed = feedparser.parse(client.get("/feeds/statements.atom", {"topic": UKRAINIANS}).content)
    assert {int(e.link.rstrip("/").rsplit("/", 1)[1]) for e in feed.entries} <= expected and feed.entries
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get("/api/v1/statements/export.csv", {"topic": UKRAINIANS}).streaming_content).decode()
            )
        )
    )
    assert {int(r["id"]) for r in rows} == expected and {r["topic"] for r in rows} == {UKRAINIANS}
    lines = b"".join(client.get("/api/v1/statements/export.jsonl", {"topic": UKRAINIANS}).streaming_content).decode()
    assert {json.loads(line)["topic"] for line in lines.splitlines()} == {UKRAINIANS}
    embed = client.get("/embed/statements/", {"topic": UKRAINIANS, "limit": 20}).content.decode()
    newest = published(UKRAINIANS).order_by("-said_on", "-id").first()
    assert newest.quote[:40] in embed.replace("&#x27;", "'")


def test_the_positions_page_and_grid_for_the_new_topic_with_a_switcher(both, client):
    page = client.get(f"/positions/{UKRAINIANS}/", {"as_of": "2022-03-31"}).content.decode()
    grid = client.get(f"/embed/positions/{UKRAINIANS}/", {"as_of": "2022-03-31"}).content.decode()

    assert "People fleeing Russia&#x27;s full-scale invasion of Ukraine" in page
    assert f'href="/positions/{RUSSIANS}/?as_of=2022-03-31"' in page  # the switcher
    assert 'aria-current="page"' in page and 'href="/positions/?as_of=2022-03-31"' in page
    assert 'data-government="DE" data-stance="welcoming"' in grid


def test_the_matrix_page_and_embed_and_their_oembed(both, client):
    page = client.get("/positions/", {"topic": f"{RUSSIANS},{UKRAINIANS}", "as_of": "2022-10-31"})
    embed = client.get("/embed/positions/", {"topic": f"{RUSSIANS},{UKRAINIANS}", "as_of": "2022-10-31"})
    oembed = client.get(
        "/oembed", {"url": f"http://testserver/positions/?topic={RUSSIANS},{UKRAINIANS}&as_of=2022-10-31"}
    ).json()

    html = page.content.decode()
    assert page.status_code == 200
    assert f'<td data-topic="{RUSSIANS}" data-stance="restrictive"' in html.split('data-government="FI"')[1]
    assert f'<td data-topic="{UKRAINIANS}" data-stance="welcoming"' in html.split('data-government="FI"')[1]
    assert 'type="date"' in html and 'name="as_of"' in html
    assert embed.status_code == 200 and "X-Frame-Options" not in embed
    assert oembed["type"] == "rich" and "/embed/positions/?topic=" in oembed["html"]
    assert client.get("/positions/", {"topic": "no-such-topic"}).status_code == 404
    assert client.get("/positions/", {"as_of": "soon"}).status_code == 400
