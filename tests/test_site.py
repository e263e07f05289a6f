"""The public site (SPEC §6a) through Django's test client: every page type, the list's filters,
facets, highlights and links, bad input, conditional GET. The browser tests
(tests/browser/test_site_in_a_browser.py) check the same pages in Chromium with axe-core."""

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from statements.filtering import GOVERNMENT_GROUPS
from statements.models import DatePrecision, Statement, Status
from tests.conftest import SEED_FILES, import_file, import_topics
from tests.factories import StatementFactory

TOPIC = "russian-mobilisation-2022"


@pytest.fixture
def both_topics(db):
    import_topics()
    for path in SEED_FILES:
        report = import_file(path)
        assert report.ok, report.errors


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def facet_counts(page: BeautifulSoup) -> dict[str, list[int]]:
    """Each facet's counts as the page shows them: `<li><a>label</a> 12</li>`."""
    return {
        section.h3.get_text(strip=True).lower(): [
            int(li.a.next_sibling.split()[0]) for li in section.select("li") if li.a
        ]
        for section in page.select("section.facet")
    }


def shown_total(page: BeautifulSoup) -> int:
    return int(page.select_one("#results").get_text().split()[0])


def test_every_page_type_answers(both_topics, client):
    remark = Statement.objects.get(government="US", said_on="2022-09-27")
    for url in [
        "/", "/about/", "/statements/", "/speakers/", f"/speakers/{remark.speaker.slug}/", "/governments/",
        "/governments/US/", "/topics/", f"/topics/{TOPIC}/", f"/embed/timeline/{TOPIC}/", "/check/", "/positions/",
        f"/statements/{remark.pk}/",
    ]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        page = soup(response)
        assert page.html["lang"] == "en", url
        if not url.startswith("/embed/"):
            nav = page.select_one("header.site nav")
            assert [a.get_text() for a in nav.select("ul a")] == [
                "Statements", "Topics", "Governments", "Speakers", "Check a quote", "About", "API",
            ]  # fmt: skip
            assert page.select_one("a.skip")["href"] == "#content" and page.select_one("main#content")
        assert "ETag" in response and response["Cache-Control"] == "public, max-age=60", url
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304, url


def test_search_marks_the_words_and_facets_add_up_to_the_total(both_topics, client):
    page = soup(client.get("/statements/", {"q": "case-by-case"}))
    total = shown_total(page)
    cards = page.select("article.card")
    assert total == len(cards) == client.get("/api/v1/statements/", {"q": "case-by-case"}).json()["count"]
    assert total >= 2
    marked = [mark.get_text().lower() for mark in page.select("blockquote mark")]
    assert set(marked) <= {"case", "by"} and "case" in marked
    counts = facet_counts(page)
    assert set(counts) == {"government", "stance", "topic", "language", "year"}
    for name, values in counts.items():
        assert sum(values) == total, name


def test_the_newsroom_question_is_a_few_choices_away(both_topics, client):
    """Every restrictive statement by an EU government in the week after 21 Sept 2022, and its CSV."""
    home = soup(client.get("/"))
    statements_link = home.select_one("header.site a[href='/statements/']")
    form = soup(client.get(statements_link["href"])).select_one("form.filters")
    group = next(o for o in form.select("#f-government option") if o.get_text() == "EU member states")
    stance = next(o for o in form.select("#f-stance option") if o["value"] == "restrictive")
    query = {
        "q": "",
        "government": group["value"],
        "stance": stance["value"],
        "topic": "",
        "language": "",
        "said_after": "2022-09-21",
        "said_before": "2022-09-28",
    }  # fmt: skip  (what the form submits, empty fields included)
    response = client.get(form["action"], query)
    assert response.status_code == 200
    page = soup(response)
    members = set(GOVERNMENT_GROUPS["eu-members"][1])
    expected = Statement.objects.filter(
        status=Status.PUBLISHED, government__in=members, stance="restrictive",
        said_on__range=("2022-09-21", "2022-09-28"),
    )  # fmt: skip
    assert shown_total(page) == expected.count() >= 4
    csv_link = next(a for a in page.select("a") if a.get_text() == "CSV")["href"]
    exported = client.get(urlsplit(csv_link).path + "?" + urlsplit(csv_link).query)
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert sorted(int(r["id"]) for r in rows) == sorted(expected.values_list("id", flat=True))
    assert {r["government"] for r in rows} <= members and {r["stance"] for r in rows} == {"restrictive"}


def test_a_named_group_becomes_its_codes_in_the_url(both_topics, client):
    response = client.get("/statements/", {"group": "eu-members", "stance": "restrictive"})
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["government"] == [",".join(GOVERNMENT_GROUPS["eu-members"][1])]
    assert query["stance"] == ["restrictive"]


def test_a_bad_filter_is_a_400_page_that_says_what_was_wrong_and_unknown_parameters_are_ignored(both_topics, client):
    response = client.get("/statements/", {"government": "XX", "said_after": "2022-13-01"})
    assert response.status_code == 400
    text = soup(response).select_one(".errors").get_text(" ")
    assert "government" in text and "'XX' is not a government code" in text and "said_after" in text
    assert "(given: '2022-13-01')" in text  # a date input cannot hold it: the message names it
    assert soup(response).select_one("#f-government")
    assert client.get("/statements/", {"cursor": "forged"}).status_code == 400
    plain = client.get("/statements/", {"government": "US"})
    tracked = client.get("/statements/", {"government": "US", "utm_source": "newsletter", "fbclid": "x"})
    assert tracked.status_code == 200
    assert shown_total(soup(tracked)) == shown_total(soup(plain))


def test_cursor_pages_walk_every_statement_once(both_topics, client):
    seen, url = [], "/statements/"
    while url:
        page = soup(client.get(url))
        seen += [a["href"] for a in page.select("article.card a") if a.get_text() == "Statement page"]
        older = page.select_one("nav.pages a[rel=next]")
        url = "/statements/" + older["href"] if older else None
    assert len(seen) == len(set(seen)) == Statement.objects.filter(status=Status.PUBLISHED).count()


def test_dates_are_as_precise_as_they_are_known(both_topics, client):
    monthly = StatementFactory(
        said_on="2022-11-01", date_precision=DatePrecision.MONTH, quote="A month-only remark here."
    )
    around = StatementFactory(
        said_on="2022-09-22", date_precision=DatePrecision.APPROXIMATE, quote="An approximate remark."
    )
    page = soup(client.get("/statements/", {"q": "remark"}))
    dates = {card.blockquote.get_text().strip(): card.time.get_text() for card in page.select("article.card")}
    assert dates[monthly.quote] == "Nov 2022" and dates[around.quote] == "c. 22 Sep 2022"
    card = soup(client.get(f"/embed/statements/{monthly.pk}/"))
    assert card.time.get_text() == "November 2022"
    grid = soup(client.get(f"/positions/{monthly.topic.slug}/", {"as_of": "2022-11-30"}))
    row = grid.select_one(f"tr[data-government='{monthly.government_id}']")
    assert row.select("td")[-1].get_text(" ", strip=True).endswith("Nov 2022")


def test_hostile_quotes_are_escaped_even_where_the_search_marks_them(both_topics, client):
    hostile = StatementFactory(quote='<script>alert(1)</script> welcome "<b>" & <mark>x</mark> \x02oops\x03 welcome')
    response = client.get("/statements/", {"q": "welcome"})
    body = response.content.decode()
    assert "<script>alert(1)" not in body and "<b>" not in body and "<mark>x</mark>" not in body
    card = next(c for c in soup(response).select("article.card") if "alert" in c.blockquote.get_text())
    assert [m.get_text() for m in card.select("mark")] == ["welcome", "welcome"]
    assert "&lt;script&gt;" in str(card.blockquote)
    assert hostile.pk


def test_the_topic_page_draws_the_timeline_with_every_change_linked(both_topics, client):
    page = soup(client.get(f"/topics/{TOPIC}/"))
    focus = page.select_one("svg.timeline.tl-focus")  # the dense period; edge panels beside it
    assert focus.title.get_text() and focus.desc.get_text()
    panels = focus.find_parent("figure").select("svg.timeline")
    # one link per change where it begins; a band's continuation in the next panel is no tab stop
    links = [a["href"] for svg in panels for a in svg.select("a") if a.get("tabindex") != "-1"]
    steps = Statement.objects.filter(status=Status.PUBLISHED, topic__slug=TOPIC, position_step__is_change=True)
    assert sorted(links) == sorted(f"/statements/{pk}/" for pk in steps.values_list("pk", flat=True))
    assert {a["href"] for svg in panels for a in svg.select("a")} == set(links)
    netherlands = [row for row in page.select("details table tbody tr") if row.th.get_text() == "Netherlands"]
    assert [row.select("td")[1].get_text(strip=True) for row in netherlands] == ["welcoming", "restrictive"]
    assert page.select_one("svg.bars") and page.select("svg.bars rect")
    # the bars' table gives every published statement on the topic, month by month
    rows = page.select_one("svg.bars").find_parent("figure").select("details tbody tr")
    totals = [int(row.select("td")[-1].get_text()) for row in rows]
    assert sum(totals) == Statement.objects.filter(status=Status.PUBLISHED, topic__slug=TOPIC).count()
    assert all(
        sum(int(td.get_text()) for td in row.select("td")[:-1]) == int(row.select("td")[-1].get_text()) for row in rows
    )


def test_the_timeline_embed_and_its_oembed(both_topics, client):
    page_url = f"http://testserver/topics/{TOPIC}/"
    oembed = client.get("/oembed", {"url": page_url, "format": "json"}).json()
    assert f"/embed/timeline/{TOPIC}/" in oembed["html"] and oembed["type"] == "rich"
    embed = client.get(f"/embed/timeline/{TOPIC}/")
    assert embed.status_code == 200 and "X-Frame-Options" not in embed
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert all(a.get("target") == "_blank" for a in soup(embed).select("svg a"))
    assert client.get("/embed/timeline/no-such-topic/").status_code == 404


def test_entity_pages(both_topics, client):
    remark = Statement.objects.get(government="US", said_on="2022-09-27")
    speaker = soup(client.get(f"/speakers/{remark.speaker.slug}/"))
    roles = [row.td.get_text(" ", strip=True) for row in speaker.select("#roles ~ div table tbody tr")]
    assert any("White House Press Secretary" in role for role in roles)
    assert client.get("/governments/us/").status_code == 301  # a lower-case code redirects
    government = soup(client.get("/governments/US/"))
    assert government.h1.get_text() == "United States"
    assert government.select("svg.timeline")
    assert client.get("/governments/ZZ/").status_code == 404
    assert client.get("/speakers/no-such-speaker/").status_code == 404
    about = soup(client.get("/about/"))
    for anchor in ("codebook", "verification", "corrections", "cite", "licence"):
        assert about.select_one(f"#{anchor}"), anchor


def test_a_timeline_too_big_to_draw_says_so_and_links_to_the_api(both_topics, client, monkeypatch):
    from web import stance_timeline

    monkeypatch.setattr(stance_timeline, "PAGE_CHANGES", 3)  # the seeds' topic has more changes than that
    monkeypatch.setattr(stance_timeline, "GOVERNMENT_PAGE_CHANGES", 0)
    for url in (f"/topics/{TOPIC}/", f"/embed/timeline/{TOPIC}/", "/governments/US/"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = soup(response)
        assert not page.select("svg.timeline"), url
        link = next(a for a in page.select("a") if a.get_text() == "read them from the API")
        assert "/api/v1/positions/timeline/?topic=" in link["href"], url


def test_the_result_heading_names_the_selection_in_words(both_topics, client):
    eu = ",".join(GOVERNMENT_GROUPS["eu-members"][1])
    page = soup(client.get("/statements/", {"government": eu, "stance": "restrictive", "topic": TOPIC, "q": "asylum"}))
    heading = page.select_one("#results").get_text()
    assert heading.split(" ", 1)[1] == (
        "restrictive statements by Austria, Belgium, Bulgaria and 24 other governments on Russians fleeing "
        "the 2022 mobilisation matching ‘asylum’"
    )
    assert page.title.get_text().startswith("Restrictive statements by Austria, Belgium")
    one = soup(client.get("/statements/", {"government": "FI,US", "stance": "welcoming,neutral", "language": "en"}))
    assert one.select_one("#results").get_text().split(" ", 1)[1] == (
        "welcoming or neutral statements by Finland and United States in English"
    )
    assert "government=" not in page.select_one("#results").get_text()


def test_every_facet_value_is_reachable_without_a_scroll_box(both_topics, client):
    """A facet shows its top values, then the rest in a "show all" list (no inner scroll box);
    every value is a link, and each facet still adds up to the total."""
    page = soup(client.get("/statements/"))
    governments = page.select_one("section.facet[aria-labelledby=facet-government]")
    top, more = governments.select(":scope > ul > li"), governments.select_one("details.more")
    assert len(top) == 8 and more is not None
    rest = more.select("li")
    assert more.summary.get_text() == f"Show all {len(top) + len(rest)} governments"
    assert len({li.a["href"] for li in top + rest}) == len(top) + len(rest)
    assert sum(facet_counts(page)["government"]) == shown_total(page)
    css = client.get("/static/tracker/site.css")
    stylesheet = b"".join(css.streaming_content) if css.streaming else css.content
    assert b"overflow-y" not in stylesheet


def test_a_search_with_no_result_shows_no_empty_facets(both_topics, client):
    page = soup(client.get("/statements/", {"q": "zqxjnothing"}))
    assert shown_total(page) == 0
    assert page.select("section.facet") == [] and page.select_one("details.facets") is None
    assert "No statement matches." in page.get_text()
