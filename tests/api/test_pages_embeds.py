"""Public pages, embeds and oEmbed: content, metadata, framing rules, the compare acceptance."""

import json
import re

import pytest

from statements.models import Statement
from tests.api.problems import MEMBERS, assert_problem
from tests.factories import StatementFactory

TOPIC = "russian-mobilisation-2022"


def jsonld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def test_statement_page_has_quotation_jsonld_og_tags_and_citation(seeded, client):
    statement = Statement.objects.get(government="US", said_on="2022-09-27")

    response = client.get(f"/statements/{statement.pk}/")

    html = response.content.decode()
    data = jsonld(html)
    assert data["@type"] == "Quotation" and data["text"] == statement.quote
    assert data["creator"] == {
        "@type": "Person",
        "name": "Karine Jean-Pierre",
        "jobTitle": "White House Press Secretary",
        "worksFor": {"@type": "GovernmentOrganization", "name": "The White House"},
    }
    assert data["dateCreated"] == "2022-09-27" and data["isBasedOn"] == statement.sources.get().url
    permalink = f"http://testserver/statements/{statement.pk}/"
    assert f'<link rel="canonical" href="{permalink}">' in html
    assert f'<meta property="og:url" content="{permalink}">' in html
    assert '<meta property="og:title" content="Karine Jean-Pierre (United States): welcoming">' in html
    assert 'type="application/json+oembed"' in html and "/oembed?url=http%3A%2F%2Ftestserver%2Fstatements%2F" in html
    assert 'id="citation">Karine Jean-Pierre, White House Press Secretary (United States), 2022-09-27.' in html
    assert 'class="copy" data-copy="citation"' in html and 'src="/static/tracker/site.js"' in html
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def grid(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-government="([A-Z]{2})" data-stance="([a-z]+)"', html))


def test_positions_page_matches_compare_for_the_white_house_remark(seeded, client, api):
    remark = Statement.objects.get(government="US", said_on="2022-09-27")
    compare = api.get(f"/api/v1/statements/{remark.pk}/compare/").json()

    page = client.get(f"/positions/{TOPIC}/", {"as_of": "2022-09-27", "utm_source": "newsletter"})

    assert page.status_code == 200
    html = page.content.decode()
    assert grid(html) == {row["government"]["code"]: row["stance"] for row in compare["positions"]}
    assert grid(html)["US"] == "welcoming" and grid(html)["FI"] == "restrictive"
    assert 'class="stance stance-restrictive">restrictive</span>' in html  # the word, not only a colour
    assert '<input type="date" id="as_of" name="as_of" value="2022-09-27">' in html
    assert compare["summary"] in html


def test_positions_page_errors(seeded, client):
    assert client.get(f"/positions/{TOPIC}/", {"as_of": "2022-02-30"}).status_code == 400
    assert client.get("/positions/no-such-topic/").status_code == 404


def test_statement_card_embed_is_frameable_and_self_contained(seeded, client):
    statement = Statement.objects.get(government="US", said_on="2022-09-27")

    response = client.get(f"/embed/statements/{statement.pk}/")

    html = response.content.decode()
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "we welcome any folks who are seeking asylum — and they should do that." in html
    assert "Karine Jean-Pierre" in html and "White House Press Secretary" in html and "27 September 2022" in html
    assert 'class="stance stance-welcoming">welcoming</span>' in html
    assert f'href="{statement.sources.get().url}"' in html
    assert f'href="http://testserver/statements/{statement.pk}/"' in html  # attribution, link back
    assert 'src="/static/tracker/embed.js"' in html
    assert not re.search(r'(src|href)="https?://(?!testserver)[^"]*\.(js|css)', html)  # nothing loaded from elsewhere
    assert "<script>" not in html and "style=" not in html


def test_list_embed_takes_filters_and_a_limit(seeded, client):
    html = client.get("/embed/statements/", {"government": "DE,FI", "limit": "3", "utm_campaign": "x"}).content.decode()

    assert html.count('<article class="card"') == 3
    more = re.search(r'href="(http://testserver/api/v1/statements/\?[^"]*)">More', html).group(1)
    assert "utm_campaign" not in more and "limit" not in more
    assert client.get(more.replace("http://testserver", "").replace("&amp;", "&")).status_code == 200
    assert client.get("/embed/statements/", {"limit": "21"}).status_code == 400
    assert client.get("/embed/statements/", {"stance": "welcomin"}).status_code == 400
    assert client.get("/embed/statements/").content.decode().count('<article class="card"') == 5


def test_positions_grid_embed(seeded, client):
    response = client.get(f"/embed/positions/{TOPIC}/", {"as_of": "2022-09-27"})

    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert grid(response.content.decode())["DE"] == "welcoming"


def test_oembed_for_a_statement_page(seeded, client):
    statement = Statement.objects.get(government="US", said_on="2022-09-27")
    page = f"http://testserver/statements/{statement.pk}/"

    body = client.get("/oembed", {"url": page, "format": "json", "maxwidth": "480"}).json()

    assert body["type"] == "rich" and body["version"] == "1.0"
    assert body["title"] == "Karine Jean-Pierre (United States): welcoming"
    assert (body["width"], body["height"]) == (480, 320)
    src = re.search(r'<iframe src="([^"]+)"', body["html"]).group(1)
    assert src == f"http://testserver/embed/statements/{statement.pk}/"
    assert 'width="480"' in body["html"] and 'addEventListener("message"' in body["html"]
    card = client.get(src.replace("http://testserver", "")).content.decode()
    assert statement.quote.split(" — ")[0] in card


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"url": "http://testserver/statements/999999/"}, 404),
        ({"url": "http://evil.example/statements/1/"}, 404),
        ({"url": "javascript:alert(1)"}, 404),
        ({"url": "http://testserver/admin/"}, 404),
        ({"url": "http://testserver/positions/russian-mobilisation-2022/", "format": "xml"}, 501),
        ({"url": "http://testserver/positions/russian-mobilisation-2022/", "maxwidth": "wide"}, 400),
        ({"url": "http://testserver/positions/russian-mobilisation-2022/", "maxheight": "0"}, 400),
        ({}, 404),
    ],
)
def test_oembed_refusals(seeded, client, params, status):
    response = client.get("/oembed", params)

    body = assert_problem(response, status)
    assert list(body) == MEMBERS and len(body["errors"]) == 1


def test_oembed_for_the_grid_keeps_the_date(seeded, client):
    page = f"http://testserver/positions/{TOPIC}/?as_of=2022-09-27"

    body = client.get("/oembed", {"url": page, "maxwidth": "5000", "maxheight": "50"}).json()

    assert f'src="http://testserver/embed/positions/{TOPIC}/?as_of=2022-09-27"' in body["html"]
    assert (body["width"], body["height"]) == (720, 50)  # never more than asked (oEmbed §2.2), however small
    assert "max-height:50px" in body["html"]  # the iframe stays within it; the embed scrolls inside


@pytest.mark.parametrize(("maxwidth", "maxheight"), [("120", "60"), ("1", "1"), ("199", "99")])
def test_oembed_respects_any_maximum_size(seeded, client, maxwidth, maxheight):
    page = f"http://testserver/statements/{Statement.objects.filter(status='published').first().pk}/"

    body = client.get("/oembed", {"url": page, "maxwidth": maxwidth, "maxheight": maxheight}).json()

    assert (body["width"], body["height"]) == (int(maxwidth), int(maxheight))
    assert f'width="{maxwidth}" height="{maxheight}"' in body["html"]


@pytest.mark.parametrize(
    "page",
    [
        f"http://testserver/positions/{TOPIC}/?as_of=2022-13-45",
        f"http://testserver/positions/{TOPIC}/?as_of=yesterday",
        "http://testserver/positions/?as_of=2022-02-30",
        "http://testserver/positions/?topic=no-such-topic",
    ],
)
def test_oembed_refuses_a_page_url_whose_embed_would_fail(seeded, client, page):
    """oEmbed answers 404 (no representation for that URL) rather than a snippet whose iframe says 400."""
    response = client.get("/oembed", {"url": page})

    assert response.status_code == 404
    assert "url" in response.json()["errors"] and "page URL" in response.json()["errors"]["url"][0]


def test_drafts_are_not_embeddable(db, client):
    draft = StatementFactory(status="draft")

    assert client.get(f"/embed/statements/{draft.pk}/").status_code == 404
    assert client.get("/oembed", {"url": f"http://testserver/statements/{draft.pk}/"}).status_code == 404


def test_cors_is_open_on_oembed_and_closed_on_pages(seeded, client):
    statement = Statement.objects.first()
    origin = {"HTTP_ORIGIN": "https://news.example"}

    oembed = client.get("/oembed", {"url": f"http://testserver/statements/{statement.pk}/"}, **origin)
    assert oembed["Access-Control-Allow-Origin"] == "*" and "Access-Control-Allow-Credentials" not in oembed
    for page in (f"/statements/{statement.pk}/", f"/embed/statements/{statement.pk}/", f"/positions/{TOPIC}/"):
        assert "Access-Control-Allow-Origin" not in client.get(page, **origin)
