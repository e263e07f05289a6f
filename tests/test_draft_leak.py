"""Drafts and retracted quotes reach no public output: API, search, counts, stats, feeds, pages."""

import json
import re

import pytest

from statements import services
from statements.models import Statement
from tests.factories import GovernmentFactory, SpeakerFactory, StatementFactory

SECRET = "zqxsecretdraftword"
WITHDRAWN = "zqxwithdrawnword"


@pytest.fixture
def leaky(seeded, staff_user):
    """A draft by a speaker and government seen nowhere else, and a retracted seed statement."""
    topic = Statement.objects.first().topic
    draft = StatementFactory(
        status="draft",
        topic=topic,
        speaker=SpeakerFactory(name=f"Draft Speaker {SECRET}", slug=f"draft-{SECRET}"),
        government=GovernmentFactory(code="JP", name="Japan"),
        role=f"Role {SECRET}",
        quote=f"A quote with {SECRET} in it",
        context=f"Context {SECRET}",
        stance="welcoming",
    )
    retracted = Statement.objects.get(government="NL", said_on="2022-12-28")
    retracted.context = f"{retracted.context} {WITHDRAWN}"
    services.statement_save(statement=retracted, user=staff_user, expected_version=retracted.version)
    services.statement_retract(statement_id=retracted.pk, user=staff_user, reason="Withdrawn.")
    return draft, Statement.objects.get(pk=retracted.pk)


def public_outputs(client, draft, retracted) -> dict[str, bytes]:
    topic = "russian-mobilisation-2022"
    urls = [
        "/api/v1/",
        "/api/v1/statements/?page_size=200",
        f"/api/v1/statements/?q={SECRET}",
        f"/api/v1/statements/?q={WITHDRAWN}",
        "/api/v1/statements/?updated_since=2000-01-01&page_size=200",
        f"/api/v1/statements/{draft.pk}/",
        f"/api/v1/statements/{retracted.pk}/",
        f"/api/v1/statements/{draft.pk}/compare/",
        "/api/v1/statements/stats/?group_by=government,stance,speaker,language,topic",
        "/api/v1/statements/stats/?group_by=stance&bucket=day",
        "/api/v1/speakers/?page_size=200",
        f"/api/v1/speakers/draft-{SECRET}/",
        "/api/v1/governments/?page_size=200",
        "/api/v1/governments/JP/",
        "/api/v1/topics/",
        f"/api/v1/topics/{topic}/",
        f"/api/v1/positions/?topic={topic}",
        f"/api/v1/positions/?topic={topic}&government=JP,NL",
        f"/api/v1/positions/timeline/?topic={topic}",
        "/api/v1/schema/?format=json",
        "/feeds/corrections.atom",
        "/feeds/statements.atom",
        "/feeds/statements.rss",
        "/feeds/statements.json",
        f"/feeds/statements.atom?q={SECRET}",
        "/api/v1/statements/export.csv",
        "/api/v1/statements/export.jsonl",
        f"/api/v1/statements/export.csv?q={SECRET}",
        f"/statements/{draft.pk}/",
        f"/statements/{retracted.pk}/",
    ]
    return {url: _content(client.get(url)) for url in urls}


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_no_public_output_carries_a_draft_or_a_retracted_quote(leaky, client):
    draft, retracted = leaky

    outputs = public_outputs(client, draft, retracted)

    for url, body in outputs.items():
        if "/feeds/" in url:  # a filtered feed names its filter (title, id, self link): the asker's own words
            body = b"".join(re.findall(rb"<entry>.*?</entry>", body, flags=re.S))
        assert SECRET.encode() not in body, url
        assert WITHDRAWN.encode() not in body, url
        assert retracted.quote.encode() not in body, url
    assert b'"count":43' in outputs["/api/v1/statements/?page_size=200"]  # 44 seeds, one retracted
    synced = json.loads(outputs["/api/v1/statements/?updated_since=2000-01-01&page_size=200"])["results"]
    assert {"id": retracted.pk, "status": "retracted"}.items() <= next(
        row for row in synced if row["id"] == retracted.pk
    ).items()


def test_counts_and_positions_ignore_drafts(leaky, api):
    stats = api.get("/api/v1/statements/stats/", {"group_by": "government"}).json()["results"]
    positions = api.get("/api/v1/positions/", {"topic": "russian-mobilisation-2022", "government": "JP,NL"}).json()[
        "positions"
    ]

    assert "JP" not in {row["government"] for row in stats}
    assert sum(row["count"] for row in stats) == 43
    assert {row["government"]["code"]: row["stance"] for row in positions} == {"JP": None, "NL": "welcoming"}
