"""A corpus of hostile strings in every user-entered field comes out inert in every format."""

import csv
import html
import io
import json
import re

import feedparser
import pytest

from statements.models import Statement
from tests.factories import GovernmentFactory, SourceFactory, SpeakerFactory, StatementFactory, TopicFactory

PAYLOADS = [
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg/onload=alert(3)>",
    '"><script>alert(4)</script>',
    "'><iframe src=javascript:alert(5)>",
    "javascript:alert(6)",
    '<a href="javascript:alert(7)">click</a>',
    "]]><script>alert(8)</script><![CDATA[",
    "<!--<script>alert(9)</script>-->",
    "&lt;script&gt;alert(10)&lt;/script&gt;",
    "{{ 7*7 }} {% debug %}",
    "${alert(12)} `alert(13)`",
    "\u202eevil\u202c \u2066isolate\u2069 \u200f rtl",
    "line\u2028separator\u2029paragraph",
    "<style>body{display:none}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(16)>",
    '" onmouseover="alert(17)',
    "</title><script>alert(18)</script>",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '=HYPERLINK("https://evil.example","x")',
    "%3Cscript%3Ealert(22)%3C/script%3E",
    '<object data="data:text/html,<script>alert(23)</script>">',
    "\\u003cscript\\u003ealert(24)",
]
TOPIC = "hostile-topic"
EXECUTABLE = re.compile(r"<(script|img|svg|iframe|style|object|base|meta http-equiv|a href=\"javascript)", re.I)


@pytest.fixture
def hostile(db):
    topic = TopicFactory(slug=TOPIC, title="Hostile </title><script>alert(0)</script>")
    statements = []
    for n, payload in enumerate(PAYLOADS):
        statement = StatementFactory(
            topic=topic,
            government=GovernmentFactory(
                code=["FR", "DE", "IT", "ES"][n % 4], name=["France", "Germany", "Italy", "Spain"][n % 4]
            ),
            speaker=SpeakerFactory(name=f"Speaker {payload}", slug=f"speaker-{n}"),
            role=f"Role {payload}",
            organization=f"Org {payload}",
            quote=f"Quote {n}: {payload}",
            context=f"Context {payload}",
            sources=[],
        )
        SourceFactory(statement=statement, publisher=f"Publisher {payload}")
        statements.append(statement)
    return statements


def _body(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode()


def _assert_inert_html(text: str) -> None:
    """Nothing user-entered may open a tag: every '<' of a payload arrives as &lt;."""
    for payload in PAYLOADS:
        if "<" in payload:
            assert payload not in text, payload
    # The only scripts are ours: the JSON-LD data block and static files.
    for script in re.findall(r"<script([^>]*)>(.*?)</script>", text, re.S):
        attributes, content = script
        assert attributes in (' type="application/ld+json"',) or (attributes.startswith(" src=") and not content)


def test_html_outputs_are_inert(hostile, client):
    pages = [f"/statements/{s.pk}/" for s in hostile] + [
        f"/embed/statements/{hostile[0].pk}/",
        "/embed/statements/?limit=20",
        f"/positions/{TOPIC}/",
        f"/embed/positions/{TOPIC}/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        _assert_inert_html(_body(response))


def test_jsonld_cannot_be_broken_out_of(hostile, client):
    for statement in hostile:
        text = _body(client.get(f"/statements/{statement.pk}/"))
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1)
        assert "<" not in block and ">" not in block  # escaped as \\u003C / \\u003E
        assert json.loads(block)["text"] == statement.quote  # and still the exact quote


@pytest.mark.parametrize("path", ["/feeds/statements.atom", "/feeds/statements.rss"])
def test_xml_feeds_are_well_formed_and_inert(hostile, client, path):
    response = client.get(path, {"topic": TOPIC})

    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert len(feed.entries) == len(PAYLOADS)
    for entry in feed.entries:
        # Readers treat the summary as HTML: it must hold no markup of ours or theirs.
        assert not EXECUTABLE.search(entry.summary), entry.summary
        assert html.unescape(entry.summary).startswith("Quote ")


def test_json_outputs_carry_the_exact_strings(hostile, client, api):
    by_id = {s.pk: s for s in hostile}
    feed = client.get("/feeds/statements.json", {"topic": TOPIC}).json()
    for item in feed["items"]:
        statement = by_id[int(item["id"].rstrip("/").rsplit("/", 1)[1])]
        assert item["content_text"] == statement.quote
    listing = api.get("/api/v1/statements/", {"topic": TOPIC, "page_size": 100}).json()["results"]
    for row in listing:
        statement = by_id[row["id"]]
        assert (row["quote"], row["speaker"]["name"], row["role"]) == (
            statement.quote,
            statement.speaker.name,
            statement.role,
        )
    for statement in hostile:
        detail = api.get(f"/api/v1/statements/{statement.pk}/").json()
        assert statement.quote in detail["citation"]
        oembed = client.get("/oembed", {"url": f"http://testserver/statements/{statement.pk}/"}).json()
        assert oembed["author_name"] == statement.speaker.name
        assert not EXECUTABLE.search(oembed["html"].replace("<iframe src=", "").replace("<script>window.", ""))


def test_exports_round_trip_the_exact_strings(hostile, client):
    rows = list(csv.DictReader(io.StringIO(_body(client.get("/api/v1/statements/export.csv", {"topic": TOPIC})))))
    lines = [
        json.loads(line) for line in _body(client.get("/api/v1/statements/export.jsonl", {"topic": TOPIC})).splitlines()
    ]

    assert sorted(r["quote"] for r in rows) == sorted(s.quote for s in hostile)
    assert sorted(line["speaker"]["name"] for line in lines) == sorted(s.speaker.name for s in hostile)


def test_bidi_controls_are_isolated_in_html(hostile, client):
    bidi = next(s for s in hostile if "\u202e" in s.quote)

    text = _body(client.get(f"/statements/{bidi.pk}/"))

    assert re.search(r'<blockquote lang="en" dir="auto"><p>Quote \d+: \u202eevil', text)
    assert f"<bdi>{html.escape(bidi.speaker.name)}</bdi>" in text


def test_the_corpus_is_large_enough():
    assert len(PAYLOADS) >= 20
    assert Statement  # the corpus is stored through the real models above
