"""Corrections are public: on the API detail, the statement page and the corrections feed."""

import feedparser

from statements import services
from tests.factories import StatementFactory

FEED = "/feeds/corrections.atom"


def test_corrections_feed_lists_corrections_and_retractions(db, staff_user, client):
    corrected = StatementFactory(
        quote="Old words", speaker__name="Nancy Faeser", government__code="DE", government__name="Germany"
    )
    corrected.quote = "New words <script>alert(1)</script>"
    services.statement_save(
        statement=corrected, user=staff_user, expected_version=1, note='Checked against "FAS" & Spiegel <b>.'
    )
    retracted = StatementFactory()
    services.statement_retract(statement_id=retracted.pk, user=staff_user, reason="The source withdrew the interview.")
    draft = StatementFactory(status="draft")
    draft.quote = "Draft fix"
    services.statement_save(statement=draft, user=staff_user, expected_version=1)

    response = client.get(FEED, {"utm_source": "newsletter"}, HTTP_ORIGIN="https://news.example")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert response["Access-Control-Allow-Origin"] == "*"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Statement tracker: corrections"
    entries = [(e.title, e.summary, e.link) for e in feed.entries]
    assert entries[0][0].startswith("Retraction: ") and entries[0][1] == "The source withdrew the interview."
    assert entries[1] == (
        f"Correction: Nancy Faeser (Germany), {corrected.said_on}",
        # Summaries are HTML to feed readers: the note arrives as escaped text, not markup.
        "Checked against &quot;FAS&quot; &amp; Spiegel &lt;b&gt;. (corrected: quote)",
        f"http://testserver/statements/{corrected.pk}/",
    )
    assert len(entries) == 2  # nothing about drafts
    assert b"<script>" not in response.content and b"<b>" not in response.content


def test_detail_lists_corrections_with_date_and_note(db, staff_user, api):
    statement = StatementFactory(stance="neutral")
    statement.stance = "welcoming"
    services.statement_save(statement=statement, user=staff_user, expected_version=1, note="Recoded after review.")
    correction = statement.corrections.get()

    body = api.get(f"/api/v1/statements/{statement.pk}/").json()

    assert body["corrections"] == [
        {
            "date": correction.created_at.date().isoformat(),
            "corrected_at": correction.created_at.isoformat().replace("+00:00", "Z"),
            "kind": "correction",
            "note": "Recoded after review.",
            "fields": ["stance"],
        }
    ]
    assert "made_by" not in str(body) and staff_user.username not in str(body)


def test_feed_answers_conditional_requests(db, staff_user, client):
    statement = StatementFactory()
    services.statement_retract(statement_id=statement.pk, user=staff_user, reason="Gone.")
    first = client.get(FEED)

    assert first["Cache-Control"] == "public, max-age=60"
    assert client.get(FEED, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
