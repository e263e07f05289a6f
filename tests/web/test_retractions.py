"""A retracted statement, wherever it was shown (SPEC §6): its card, the live lists and the grids
that contained it, oEmbed and its page keep saying what became of it, with the date and the
public reason, and embeds stay frameable. The browser half is tests/browser/test_embeds_in_a_browser.py."""

import re

import pytest

from statements import services
from statements.models import Statement

TOPIC = "russian-mobilisation-2022"
REASON = "The ministry withdrew the transcript <and> published a corrected one."


@pytest.fixture
def retracted(seeded, staff_user):
    statement = Statement.objects.get(government="FI", speaker__name="Petteri Orpo")  # Finland's latest
    services.statement_retract(statement_id=statement.pk, user=staff_user, reason=REASON)
    return Statement.objects.get(pk=statement.pk)


def frameable(response) -> bool:
    return "X-Frame-Options" not in response and "frame-ancestors *" in response["Content-Security-Policy"]


def test_the_card_of_a_retracted_statement_says_so_and_stays_frameable(retracted, client):
    response = client.get(f"/embed/statements/{retracted.pk}/")

    html = response.content.decode()
    assert response.status_code == 410 and frameable(response)
    assert 'data-status="retracted"' in html and "<strong>Retracted.</strong>" in html
    assert "Petteri Orpo" in html and "28 November 2023" in html
    day = retracted.corrections.get(kind="retraction").created_at
    assert f'retracted by the Statement tracker on <time datetime="{day:%Y-%m-%d}">' in html
    assert "Reason: The ministry withdrew the transcript &lt;and&gt; published a corrected one." in html
    assert f'href="http://testserver/statements/{retracted.pk}/"' in html
    assert 'href="http://testserver/corrections/"' in html
    assert retracted.quote not in html


def test_a_live_list_keeps_the_retracted_statement_in_its_place(retracted, client):
    response = client.get("/embed/statements/", {"government": "FI", "limit": "20"})

    html = response.content.decode()
    assert response.status_code == 200 and frameable(response)
    cards = re.findall(r'<article class="card[^"]*"', html)
    expected = Statement.objects.filter(government="FI", status__in=["published", "retracted"])
    assert len(cards) == expected.count() and cards.count('<article class="card retracted"') == 1
    order = list(expected.order_by("-said_on", "-id").values_list("pk", flat=True))
    shown = [int(pk) for pk in re.findall(r'href="http://testserver/statements/(\d+)/"', html)]
    assert list(dict.fromkeys(shown)) == order  # the retracted card where the statement was
    assert "Reason: The ministry withdrew" in html and retracted.quote not in html


def test_the_grids_say_which_statement_was_retracted(retracted, client):
    for path in (f"/embed/positions/{TOPIC}/", f"/positions/{TOPIC}/", "/embed/positions/", f"/topics/{TOPIC}/"):
        html = client.get(path).content.decode()  # as of today
        notes = re.search(r'<div class="retractions">(.*?)</div>', html, re.S)
        assert notes, path
        assert "Finland" in notes.group(1) and "Petteri Orpo" in notes.group(1), path
        assert "The ministry withdrew the transcript &lt;and&gt;" in notes.group(1), path
        assert f'/statements/{retracted.pk}/"' in notes.group(1), path


def test_a_grid_before_the_statement_was_made_has_no_note(retracted, client):
    html = client.get(f"/embed/positions/{TOPIC}/", {"as_of": "2023-11-27"}).content.decode()
    assert 'class="retractions"' not in html


def test_oembed_still_embeds_a_retracted_statement(retracted, client):
    url = f"http://testserver/statements/{retracted.pk}/"

    body = client.get("/oembed", {"url": url, "format": "json"}).json()

    assert body["type"] == "rich" and body["title"] == "Retracted: Petteri Orpo (Finland): restrictive"
    assert f'src="http://testserver/embed/statements/{retracted.pk}/"' in body["html"]


def test_the_page_of_a_retracted_statement_has_the_site_layout_the_reason_and_the_date(retracted, client):
    response = client.get(f"/statements/{retracted.pk}/")

    html = response.content.decode()
    assert response.status_code == 410 and response["X-Frame-Options"] == "DENY"
    assert '<nav aria-label="Site">' in html and 'class="skip"' in html and '<footer class="site' in html
    assert "<h1>This statement was retracted</h1>" in html
    day = retracted.corrections.get(kind="retraction").created_at
    assert f'was retracted on <time datetime="{day:%Y-%m-%d}">{day.day} {day:%B %Y}</time>' in html
    assert "The ministry withdrew the transcript &lt;and&gt; published a corrected one." in html
    assert 'href="/corrections/"' in html and retracted.quote not in html


def test_the_corrections_log_lists_the_retraction(retracted, client):
    html = client.get("/corrections/").content.decode()
    assert "<strong>Retraction</strong>" in html and "(now retracted)" in html
    assert f'href="/statements/{retracted.pk}/"' in html
    assert client.get("/corrections/", {"page": "x"}).status_code == 400
    assert b"page:" in client.get("/corrections/", {"page": "99"}).content
