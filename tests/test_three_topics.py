"""Everything works with several topics, on the real seeds (three: Russians fleeing the 2022
mobilisation, people fleeing Russia's invasion of Ukraine, people fleeing Afghanistan after the
fall of Kabul): positions and timelines per topic, compare on a statement's own topic, a
government's latest stance per topic and its page's side-by-side view of the groups, a speaker's
roles across topics, stats by topic, feeds, embeds and exports by topic, the pages and their
switcher, the matrix page and embed."""

import csv
import io
import json

import feedparser
import pytest
from bs4 import BeautifulSoup

from statements.models import Statement, Topic
from tests.conftest import TOPICS_FILE, import_seeds
from tests.html_checker import nu_errors

RUSSIANS, UKRAINIANS, AFGHANS = "russian-mobilisation-2022", "ukrainian-refugees-2022", "afghan-evacuation-2021"
TOPICS = [AFGHANS, UKRAINIANS, RUSSIANS]  # by title, as pages list them


@pytest.fixture
def three(db):
    import_seeds()


def published(topic: str):
    return Statement.objects.published().filter(topic__slug=topic)


def latest_stances(code: str) -> dict:
    """{topic: stance} of a government's latest published statement per topic, by the positions
    tie rule (latest said_on, then the later published_on, a missing one counting as said_on, then
    the higher id), read here from the statements themselves."""
    latest = {}
    for topic in TOPICS:
        rows = published(topic).filter(government=code).values("id", "said_on", "published_on", "stance")
        ordered = sorted(rows, key=lambda s: (s["said_on"], s["published_on"] or s["said_on"], s["id"]))
        latest[topic] = ordered[-1]["stance"] if ordered else None
    return latest


def test_positions_and_timelines_are_per_topic(three, api):
    ukrainians = api.get("/api/v1/positions/", {"topic": UKRAINIANS, "as_of": "2022-03-31"}).json()
    russians = api.get("/api/v1/positions/", {"topic": RUSSIANS, "as_of": "2022-03-31"}).json()
    afghans = api.get("/api/v1/positions/", {"topic": AFGHANS, "as_of": "2021-08-31"}).json()

    assert ukrainians["topic"]["slug"] == UKRAINIANS
    codes = {p["government"]["code"] for p in ukrainians["positions"]}
    assert codes == set(published(UKRAINIANS).filter(said_on__lte="2022-03-31").values_list("government_id", flat=True))
    assert {p["government"]["code"] for p in russians["positions"]} == {"GB"}  # only the UK, before the mobilisation
    codes = {p["government"]["code"] for p in afghans["positions"]}
    assert codes == set(published(AFGHANS).filter(said_on__lte="2021-08-31").values_list("government_id", flat=True))
    assert api.get("/api/v1/positions/", {"topic": RUSSIANS, "as_of": "2021-08-31"}).json()["positions"] == []
    for topic, code in ((UKRAINIANS, "DE"), (AFGHANS, "GB")):
        timeline = api.get("/api/v1/positions/timeline/", {"topic": topic, "government": code}).json()
        ids = {c["statement"]["id"] for g in timeline["governments"] for c in g["changes"]}
        assert ids and ids <= set(published(topic).values_list("id", flat=True))


@pytest.mark.parametrize("topic", TOPICS)
def test_a_statement_is_compared_on_its_own_topic(three, api, topic):
    remark = published(topic).filter(government="DE").order_by("said_on").first()

    body = api.get(f"/api/v1/statements/{remark.pk}/compare/").json()

    assert body["topic"]["slug"] == topic and body["as_of"] == remark.said_on.isoformat()
    compared = {p["statement"]["id"] for p in body["positions"] if p["statement"]}
    assert compared <= set(published(topic).values_list("id", flat=True))


def test_a_government_lists_its_latest_stance_per_topic(three, api):
    germany = api.get("/api/v1/governments/DE/").json()

    assert {s["topic"]: s["stance"] for s in germany["latest_stances"]} == latest_stances("DE")
    assert [s["topic"] for s in germany["latest_stances"]] == sorted(TOPICS)
    assert germany["statement_count"] == Statement.objects.published().filter(government="DE").count()


def test_a_speaker_on_several_topics_is_one_speaker_with_roles_across_them(three, api):
    scholz = api.get("/api/v1/speakers/olaf-scholz/").json()
    johansson = api.get("/api/v1/speakers/ylva-johansson/").json()

    assert scholz["statement_count"] == Statement.objects.published().filter(speaker__name="Olaf Scholz").count() >= 2
    assert {(r["role"], r["government"]) for r in scholz["roles"]} >= {("Federal Chancellor", "DE")}
    mine = published(AFGHANS).filter(speaker__name="Ylva Johansson")
    assert johansson["statement_count"] == Statement.objects.published().filter(speaker__name="Ylva Johansson").count()
    assert mine.count() == 2 and johansson["statement_count"] > 2
    assert {(r["role"], r["government"]) for r in johansson["roles"]} == {
        ("European Commissioner for Home Affairs", "EU")
    }
    assert api.get("/api/v1/speakers/", {"page_size": 200}).json()["count"] == len(
        set(Statement.objects.published().values_list("speaker", flat=True))
    )


def test_stats_group_by_topic(three, api):
    body = api.get("/api/v1/statements/stats/", {"group_by": "topic"}).json()

    assert {row["topic"]: row["count"] for row in body["results"]} == {t: published(t).count() for t in TOPICS}
    assert [published(t).count() for t in (RUSSIANS, UKRAINIANS, AFGHANS)] == [44, 70, 36]


@pytest.mark.parametrize("topic", TOPICS)
def test_feeds_embeds_and_exports_filter_by_topic(three, client, topic):
    expected = set(published(topic).values_list("id", flat=True))

    feed = feedparser.parse(client.get("/feeds/statements.atom", {"topic": topic}).content)
    assert {int(e.link.rstrip("/").rsplit("/", 1)[1]) for e in feed.entries} <= expected and feed.entries
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get("/api/v1/statements/export.csv", {"topic": topic}).streaming_content).decode()
            )
        )
    )
    assert {int(r["id"]) for r in rows} == expected and {r["topic"] for r in rows} == {topic}
    lines = b"".join(client.get("/api/v1/statements/export.jsonl", {"topic": topic}).streaming_content).decode()
    assert {json.loads(line)["topic"] for line in lines.splitlines()} == {topic}
    embed = client.get("/embed/statements/", {"topic": topic, "limit": 20}).content.decode()
    newest = published(topic).order_by("-said_on", "-id").first()
    assert newest.quote[:40] in embed.replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("topic", "as_of", "code", "stance"),
    [(UKRAINIANS, "2022-03-31", "DE", "welcoming"), (AFGHANS, "2021-08-31", "AT", "restrictive")],
)
def test_the_positions_page_and_grid_for_each_topic_with_a_switcher(three, client, topic, as_of, code, stance):
    page = client.get(f"/positions/{topic}/", {"as_of": as_of}).content.decode()
    grid = client.get(f"/embed/positions/{topic}/", {"as_of": as_of}).content.decode()

    for other in TOPICS:
        if other != topic:
            assert f'href="/positions/{other}/?as_of={as_of}"' in page  # the switcher
    assert 'aria-current="page"' in page and f'href="/positions/?as_of={as_of}"' in page
    assert f'data-government="{code}" data-stance="{stance}"' in grid


def test_the_afghanistan_topic_is_described(three, client):
    page = BeautifulSoup(client.get(f"/topics/{AFGHANS}/").content, "html.parser")

    described = next(t for t in json.loads(TOPICS_FILE.read_text(encoding="utf-8")) if t["slug"] == AFGHANS)
    assert page.h1.get_text() == described["title"] == "People fleeing Afghanistan after the fall of Kabul in 2021"
    assert f"Who: {described['target_group']}" in [p.get_text() for p in page.select("main p")]
    assert described["description"] in [p.get_text() for p in page.select("main p")]
    assert described["description"].startswith("Whether governments would admit people fleeing Afghanistan")


def test_the_matrix_page_and_embed_and_their_oembed_on_three_topics(three, client):
    query = {"topic": f"{AFGHANS},{UKRAINIANS},{RUSSIANS}", "as_of": "2022-10-31"}
    page = client.get("/positions/", query)
    embed = client.get("/embed/positions/", query)
    oembed = client.get("/oembed", {"url": f"http://testserver/positions/?topic={query['topic']}&as_of=2022-10-31"})

    html = page.content.decode()
    assert page.status_code == 200
    hungary = html.split('data-government="HU"')[1].split("</tr>")[0]
    assert f'<td data-topic="{AFGHANS}" data-stance="restrictive"' in hungary
    assert f'<td data-topic="{UKRAINIANS}" data-stance="welcoming"' in hungary
    assert f'<td data-topic="{RUSSIANS}" data-stance="none"' in hungary  # no statement, never neutral
    assert 'type="date"' in html and 'name="as_of"' in html
    default = BeautifulSoup(client.get("/positions/", {"as_of": "2022-10-31"}).content, "html.parser")
    assert [th.get_text() for th in default.select("table.matrix thead th")][1:] == [
        Topic.objects.get(slug=slug).title for slug in TOPICS
    ]  # every topic by default, by title
    assert embed.status_code == 200 and "X-Frame-Options" not in embed
    assert oembed.json()["type"] == "rich" and "/embed/positions/?topic=" in oembed.json()["html"]
    assert client.get("/positions/", {"topic": "no-such-topic"}).status_code == 404
    assert client.get("/positions/", {"as_of": "soon"}).status_code == 400


@pytest.mark.parametrize("code", ["GB", "HU", "AT", "DE", "NL", "PL"])
def test_a_government_page_shows_its_stance_toward_each_group_side_by_side(three, client, code):
    """Did the same government treat Afghans, Ukrainians and Russians differently? One row per
    topic, its latest stance (or "no statement"), how it got there, its statements by stance."""
    page = BeautifulSoup(client.get(f"/governments/{code}/").content, "html.parser")

    rows = page.select("table.side-by-side tbody tr")
    expected = latest_stances(code)
    assert [row["data-topic"] for row in rows] == TOPICS
    assert {row["data-topic"]: row["data-stance"] for row in rows} == {t: s or "none" for t, s in expected.items()}
    for row in rows:
        mine = published(row["data-topic"]).filter(government=code)
        counts = row.select_one("td[data-label=Statements]").get_text()
        assert sum(int(n) for n in counts.split() if n.isdigit()) == mine.count()
        changes = row.select("td[data-label='How it went'] a")
        assert {a["href"] for a in changes} <= {f"/statements/{pk}/" for pk in mine.values_list("pk", flat=True)}
        assert bool(changes) == mine.exists()
    summary = page.select_one("#groups ~ p").get_text()
    stances = {s for s in expected.values() if s}
    assert ("took different stances toward different groups" in summary) == (len(stances) > 1)
    assert ("No statement yet on" in summary) == (None in expected.values())


def test_the_uk_welcomed_afghans_and_ukrainians_but_not_russians(three, client):
    page = BeautifulSoup(client.get("/governments/GB/").content, "html.parser")

    assert page.select_one("#groups ~ p").get_text() == (
        "United Kingdom took different stances toward different groups. "
        "Welcoming: People fleeing Afghanistan after the fall of Kabul in 2021; "
        "People fleeing Russia's full-scale invasion of Ukraine. Restrictive: Russians fleeing the 2022 mobilisation."
    )
    links = [a["href"] for a in page.select("#groups ~ p.meta a")]
    assert links[0] == f"/positions/?topic={AFGHANS},{UKRAINIANS},{RUSSIANS}"
    assert links[1] == f"/api/v1/positions/matrix/?topic={AFGHANS},{UKRAINIANS},{RUSSIANS}&government=GB"


def test_the_three_topic_pages_are_valid_html(three, client, tmp_path):
    urls = {f"topic {t}": f"/topics/{t}/" for t in TOPICS}
    urls |= {f"timeline embed {t}": f"/embed/timeline/{t}/" for t in TOPICS}
    urls |= {
        "government toward three groups": "/governments/GB/",
        "government with no statement on one group": "/governments/PL/",
        "matrix page, three topics": "/positions/?as_of=2022-10-31",
        "matrix embed, three topics": "/embed/positions/?as_of=2022-10-31",
    }
    pages = {name: client.get(url).content for name, url in urls.items()}

    assert nu_errors(pages, tmp_path) == []


def test_a_government_with_too_many_changes_to_list_still_shows_its_stance_and_links_the_api(
    three, client, monkeypatch
):
    from web import stance_timeline

    monkeypatch.setattr(stance_timeline, "GOVERNMENT_PAGE_CHANGES", 0)
    page = BeautifulSoup(client.get("/governments/GB/").content, "html.parser")

    for row in page.select("table.side-by-side tbody tr"):
        assert row["data-stance"] != "none"
        went = row.select_one("td[data-label='How it went']")
        assert went.get_text().startswith("Too many changes to list")
        assert went.a["href"] == f"/api/v1/positions/timeline/?topic={row['data-topic']}&government=GB"
