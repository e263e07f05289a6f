"""The quote check for people (SPEC §9, §6a): /check/ and the statement page's way into it."""

import pytest
from bs4 import BeautifulSoup

from statements.models import Statement
from tests.conftest import import_seeds


@pytest.fixture
def seeds(db):
    import_seeds()


def page(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, response.content[:500]
    return BeautifulSoup(response.content, "html.parser")


def test_the_form_alone_until_words_are_given(seeds, client):
    html = page(client, "/check/")
    assert html.select_one("form textarea[name=text][required]") is not None
    assert html.select_one("#result") is None


def test_the_result_marks_what_differs_in_the_original_s_spelling(seeds, client):
    statement = Statement.objects.get(speaker__name="Karine Jean-Pierre", said_on="2022-09-27")
    html = page(client, "/check/", {"text": "We welcome all people seeking asylum"})

    assert html.select_one("#result").text == "Not what was said"
    first = html.select_one("article.match")
    assert [d.text for d in first.select(".diff del")] == ["all people"]
    assert [i.text for i in first.select(".diff ins")] == ["any folks who are"]
    assert "we welcome" in first.select_one(".diff").text
    assert "differ from the record in 4 of 8 words" in first.text
    assert first.select_one("h3 a")["href"].endswith(f"/statements/{statement.pk}/")  # the statement page
    assert first.select_one("time")["datetime"] == "2022-09-27"
    source = statement.sources.first()
    assert first.select_one(f'details a[href="{source.url}"]').text == source.publisher
    assert "Retrieved from" in first.select_one("details samp").text  # the citation
    assert html.select_one("textarea[name=text]").text == "We welcome all people seeking asylum"  # to edit and retry
    assert html.select_one('a[href*="/api/v1/statements/check/"]') is not None


def test_no_match_says_so_in_words(seeds, client):
    html = page(client, "/check/", {"text": "Jetzt wächst zusammen, was zusammengehört."})
    assert html.select_one("#result").text == "No verified statement matches"


def test_bad_input_is_a_400_page_saying_what_was_wrong_with_the_form_kept(seeds, client):
    html = page(client, "/check/", {"text": "two words"}, status=400)
    assert "At least 3 words" in html.select_one(".errors").text
    assert html.select_one("textarea[name=text]").text == "two words"
    html = page(client, "/check/", {"text": "we welcome folks", "said_after": "yesterday"}, status=400)
    assert "said_after" in html.select_one(".errors").text


def test_the_statement_page_offers_to_check_a_version_of_its_quote(seeds, client):
    statement = Statement.objects.get(speaker__name="Karine Jean-Pierre", said_on="2022-09-27")
    html = page(client, f"/statements/{statement.pk}/")

    form = html.select_one('form[action="/check/"]')
    assert form.select_one("textarea[name=text]").text == statement.quote
    assert form.select_one("button").text == "Check a version of this quote"
    verbatim = page(client, "/check/", {"text": statement.quote})
    assert verbatim.select_one("#result").text == "Word for word what was said"
