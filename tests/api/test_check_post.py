"""The quote check sent as POST (SPEC §9): a form or a JSON body, CSRF-exempt, read-only, the
same answer and caching headers as the GET; 2,000 characters of Cyrillic, which no request
line holds once percent-encoded, are checked."""

import json
import urllib.parse

import pytest
from django.test import Client

from tests.api.test_check import CHECK, FOUNDING_MISQUOTE
from tests.conftest import import_seeds


@pytest.fixture
def seeds(db):
    import_seeds()


@pytest.fixture
def browser_client():
    """A client that enforces CSRF like a browser's request would meet it."""
    return Client(enforce_csrf_checks=True)


def test_a_json_body_gets_the_get_s_answer_and_caching_headers(seeds, browser_client):
    params = {"text": FOUNDING_MISQUOTE, "government": "US", "limit": 2}
    got = browser_client.get(CHECK, params)
    posted = browser_client.post(CHECK, json.dumps(params), content_type="application/json")

    assert posted.status_code == 200, posted.content
    assert posted.json() == got.json()
    assert posted.json()["verdict"] == "altered"
    assert posted["Cache-Control"] == got["Cache-Control"] == "public, max-age=60"
    assert posted["ETag"].strip("W/") == got["ETag"].strip("W/")


def test_a_form_body_and_list_filters_as_arrays(seeds, browser_client):
    form = browser_client.post(CHECK, {"text": FOUNDING_MISQUOTE, "government": ["US", "DE"]})
    as_json = browser_client.post(
        CHECK, json.dumps({"text": FOUNDING_MISQUOTE, "government": ["US", "DE"]}), content_type="application/json"
    )

    assert form.status_code == as_json.status_code == 200, form.content
    assert form.json() == as_json.json()
    assert form.json()["matches"][0]["statement"]["government"]["code"] == "US"


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"text": "two words"}, "text"),
        ({"text": FOUNDING_MISQUOTE, "stanse": "welcoming"}, "stanse"),
        ({"text": FOUNDING_MISQUOTE, "limit": 11}, "limit"),
        ({"text": FOUNDING_MISQUOTE, "said_after": "yesterday"}, "said_after"),
        ({"text": {"nested": 1}}, "text"),
        ({"text": FOUNDING_MISQUOTE, "limit": "2"}, "limit"),
        ({"text": FOUNDING_MISQUOTE, "limit": 2.5}, "limit"),
        ({"text": FOUNDING_MISQUOTE, "government": [1]}, "government"),
        ({"text": "x" * 2001}, "text"),
    ],
)
def test_bad_bodies_are_400s_naming_the_parameter(seeds, browser_client, body, parameter):
    response = browser_client.post(CHECK, json.dumps(body), content_type="application/json")

    assert response.status_code == 400, response.content
    assert parameter in response.json()["errors"]


def test_a_body_that_is_not_an_object_or_not_json_is_a_400(seeds, browser_client):
    for raw in ("[1, 2]", "not json", '"text"'):
        response = browser_client.post(CHECK, raw, content_type="application/json")
        assert response.status_code == 400, raw
        assert "errors" in response.json()


def test_2000_characters_of_cyrillic_are_checked_by_post(seeds, browser_client):
    text = ("Мы приветствуем всех людей, ищущих убежище, и они должны это делать. " * 40)[:2000]
    assert len(urllib.parse.quote(text)) > 8190  # more than any request line holds

    response = browser_client.post(CHECK, json.dumps({"text": text}), content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json()["text"] == text


def test_the_check_page_takes_post_without_a_csrf_token(seeds, browser_client):
    got = browser_client.get("/check/", {"text": FOUNDING_MISQUOTE})
    posted = browser_client.post("/check/", {"text": FOUNDING_MISQUOTE})

    assert posted.status_code == 200, posted.content[:300]
    assert b"Not what was said" in posted.content
    assert posted.content == got.content
    assert posted["Cache-Control"] == got["Cache-Control"] == "public, max-age=60"
    bad = browser_client.post("/check/", {"text": "two words"})
    assert bad.status_code == 400 and b"At least 3 words" in bad.content


def test_the_check_page_s_form_switches_to_post_for_long_texts(seeds, client):
    """The form carries the threshold its script reads (web/static/tracker/site.js)."""
    html = client.get("/check/").content.decode()
    assert 'data-long-text-bytes="1500"' in html
    assert "tracker/site.js" in html


def test_checks_beyond_the_process_s_slots_are_503s_not_a_held_thread(seeds, settings):
    """api/admission.py: while every quote-check slot is taken (here by the test itself), a
    check waits QUOTE_CHECK_WAIT_SECONDS, then is a 503 with Retry-After, JSON or a page."""
    from api.admission import quote_check_slot

    settings.QUOTE_CHECK_WAIT_SECONDS = 0.05
    client = Client(raise_request_exception=False)
    with quote_check_slot():
        api = client.get(CHECK, {"text": FOUNDING_MISQUOTE})
        page = client.get("/check/", {"text": FOUNDING_MISQUOTE})
        listing = client.get("/api/v1/statements/", {"page_size": 1})

    assert api.status_code == 503 and api["Retry-After"] == "2"
    assert "Too many quote checks" in api.json()["errors"]["detail"][0]
    assert page.status_code == 503 and page["Retry-After"] == "2"
    assert "Too many quote checks" in page.content.decode() and 'class="skip"' in page.content.decode()
    assert listing.status_code == 200  # other reads are not affected
    assert client.get(CHECK, {"text": FOUNDING_MISQUOTE}).status_code == 200  # the slot is free again


def test_a_slot_held_by_another_process_is_taken_for_the_machine_and_freed_when_it_dies(seeds, settings):
    """The slots are shared by every worker process of the machine (one check at a time on a
    2-core server, not one per process), and a process killed while holding one frees it."""
    import subprocess
    import sys

    from api import admission

    settings.QUOTE_CHECK_WAIT_SECONDS = 0.05
    (slot,) = admission._slot_files("quote-check", settings.QUOTE_CHECK_CONCURRENCY)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)\n"
            "fcntl.flock(descriptor, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n",
            str(slot),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    client = Client(raise_request_exception=False)
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = client.get(CHECK, {"text": FOUNDING_MISQUOTE})
        assert busy.status_code == 503 and busy["Retry-After"] == "2"
    finally:
        holder.kill()
        holder.wait(10)
    assert client.get(CHECK, {"text": FOUNDING_MISQUOTE}).status_code == 200
