"""A statement's page: honest dates (page and JSON-LD, read back by extruct, a parser nobody
here wrote), where it leads (speaker, government, topic, the compare page, each with its feed
and embed), and the embed code to paste."""

import datetime
import re

import extruct
import pytest

from statements.models import Statement
from tests.factories import StatementFactory

TOPIC = "russian-mobilisation-2022"


def structured(html: str, url: str) -> dict:
    data = extruct.extract(html, base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True)
    (quotation,) = [item for item in data["json-ld"] if item.get("@type") == "Quotation"]
    return quotation


@pytest.mark.parametrize(
    ("said_on", "precision", "shown", "machine", "jsonld"),
    [
        (datetime.date(2022, 11, 1), "month", "November 2022", "2022-11", "2022-11"),
        (datetime.date(2022, 9, 22), "approximate", "c. 22 September 2022", "2022-09-22", "2022-09-22~"),
        (datetime.date(2022, 9, 27), "day", "27 September 2022", "2022-09-27", "2022-09-27"),
    ],
)
def test_dates_are_as_precise_as_they_are_known(db, client, said_on, precision, shown, machine, jsonld):
    statement = StatementFactory(said_on=said_on, date_precision=precision)
    url = f"http://testserver/statements/{statement.pk}/"

    html = client.get(f"/statements/{statement.pk}/").content.decode()

    assert f'<time datetime="{machine}">{shown}</time>' in html
    if precision == "month":
        assert "1 November" not in html and "1 Nov" not in html  # the 1st it is stored as never shows
    quotation = structured(html, url)
    assert quotation["dateCreated"] == jsonld and quotation["@id"] == url
    assert quotation["text"] == statement.quote


def test_a_statement_page_leads_to_its_speaker_government_topic_and_comparison(seeded, client):
    remark = Statement.objects.get(government="US", said_on="2022-09-27")

    html = client.get(f"/statements/{remark.pk}/").content.decode()

    links = re.search(r'<ul class="links-out">(.*?)</ul>', html, re.S).group(1)
    for page, feed, embed in (
        (
            f"/speakers/{remark.speaker.slug}/",
            f"speaker={remark.speaker.slug}",
            f"/embed/statements/?speaker={remark.speaker.slug}",
        ),
        ("/governments/US/", "government=US", "/embed/statements/?government=US"),
        (f"/topics/{TOPIC}/", f"topic={TOPIC}", f"/embed/timeline/{TOPIC}/"),
        (f"/statements/{remark.pk}/compare/", f"topic={TOPIC}", f"/embed/positions/{TOPIC}/?as_of=2022-09-27"),
    ):
        assert f'href="{page}"' in links and f'href="/feeds/statements.atom?{feed}"' in links, page
        assert f"<code>http://testserver{embed}</code>" in links, embed
        assert client.get(page).status_code == 200 and client.get(embed).status_code == 200
    snippet = re.search(r'<textarea id="statement-snippet"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert f'src="http://testserver/embed/statements/{remark.pk}/"' in snippet.replace("&quot;", '"')
    assert "max-width:600px" in snippet and "width:100%" in snippet


def test_the_compare_page_is_the_apis_compare_with_its_government_marked(seeded, client, api):
    remark = Statement.objects.get(government="US", said_on="2022-09-27")
    compare = api.get(f"/api/v1/statements/{remark.pk}/compare/").json()

    response = client.get(f"/statements/{remark.pk}/compare/")

    html = response.content.decode()
    assert response.status_code == 200 and response["X-Frame-Options"] == "DENY"
    rows = dict(re.findall(r'data-government="([A-Z]{2})" data-stance="([a-z]+)"', html))
    assert rows == {row["government"]["code"]: row["stance"] or "none" for row in compare["positions"]}
    assert re.search(r'<tr class="row-welcoming subject" data-government="US"', html)
    assert "(this statement's government)" in html and compare["summary"] in html
    assert f'href="/api/v1/statements/{remark.pk}/compare/"' in html
    assert f"/feeds/statements.atom?topic={TOPIC}" in html and "grid-snippet" in html
    draft = StatementFactory(status="draft")
    assert client.get(f"/statements/{draft.pk}/compare/").status_code == 404
