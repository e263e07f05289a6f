"""Feeds: statements (Atom, RSS, JSON Feed 1.1, every statement filter) and corrections (Atom).

Statement feeds hold the 50 statements that most recently entered or changed the public record
(published, corrected, retracted, reinstated: statements/sql/public_record.sql keeps when),
newest first, whenever the remark itself was made: a March 2022 remark published today is
today's first entry. A correction, retraction or reinstatement brings the statement's entry (same
id) back to the top, saying so in its title and text; a retracted statement's entry gives the
date and reason of the retraction, never the withdrawn quote.

A filtered feed is its own feed (SPEC §6): its self link and id are its canonical URL (the
filters in their canonical order and spelling, nothing else) and its title names the filters,
so a reader subscribed to two filters sees two feeds. Every id is an absolute IRI, built from
TRACKER_SITE_URL (api/links.py). An empty feed's `updated` is the data's last change, not "now",
so it revalidates. Each entry says when the remark was made (with its precision) besides when
the tracker published it (`published`) and last changed it (`updated`).

Feed readers read Atom <summary type="html"> and RSS <description> as HTML after XML decoding,
so every user-entered string going there is HTML-escaped first (Django's feed writer only
XML-escapes). Titles are plain text. Unknown query parameters (utm_source …) are ignored, as
feed readers and newsletters add them; a bad value of a known filter is a 400.
"""

import datetime
import json

from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from api import shapes
from api.dates import honest_date
from api.exceptions import error_body
from api.links import absolute, prefix
from statements import listing, translations
from statements.filtering import Filtered, FilterError, filtered_from
from statements.models import Correction, CorrectionKind, DataVersion, RecordChange, Status

FEED_LENGTH = 50
TITLE = "Statement tracker: what governments say about asylum"
SUBTITLE = "Official statements on admitting asylum seekers, verbatim and sourced, newest first."


def said_on_text(statement: dict) -> str:
    """When the remark was made, as honest as its precision: "27 September 2022", "c. 22 September
    2022", "September 2022"."""
    return honest_date(statement["said_on"], statement["date_precision"], "long")


def statement_title(statement: dict) -> str:
    """ "Speaker (Government): stance" (SPEC §6)."""
    return f"{statement['speaker']['name']} ({statement['government']['name']}): {statement['stance']}"


def entry_title(statement: dict) -> str:
    """The statement's title, saying so when the entry is back because the statement was
    corrected, reinstated or retracted."""
    title = statement_title(statement)
    change = statement["record_change"]
    if change == RecordChange.RETRACTED:
        return f"Retracted: {title}"
    if change in (RecordChange.CORRECTED, RecordChange.REINSTATED):
        return f"{title} ({change})"
    return title


# The public note that goes with each kind of change.
_NOTE_KIND = {
    RecordChange.CORRECTED: CorrectionKind.CORRECTION,
    RecordChange.RETRACTED: CorrectionKind.RETRACTION,
    RecordChange.REINSTATED: CorrectionKind.REINSTATEMENT,
}


def change_note(statement: dict) -> dict | None:
    """The public correction, retraction or reinstatement note behind the entry's latest change,
    or None for a plain publication."""
    kind = _NOTE_KIND.get(statement["record_change"])
    notes = [c for c in statement["corrections"] if c["kind"] == kind]
    return notes[-1] if notes else None


def change_text(statement: dict) -> str:
    """ "Retracted on 2 December 2026: the reason." (plain text), or "" for a publication."""
    note = change_note(statement)
    if note is None:
        return ""
    return f"{statement['record_change'].capitalize()} on {honest_date(note['date'], 'day', 'long')}: {note['note']}"


def english_line(statement: dict) -> str:
    """The English rendering of a quote not in English, with who made it, or ""."""
    rendering = translations.english(statement.get("translations"))
    if rendering is None or translations.is_english(statement["language"]):
        return ""
    return f"{translations.label(rendering)}. “{rendering['text']}”"


def moment(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def last_change() -> datetime.datetime:
    """When anything public last changed: a stable `updated` for an empty feed."""
    return DataVersion.totals()[1] or datetime.datetime(2022, 1, 1, tzinfo=datetime.UTC)


class StableDate:
    """A feed whose `updated`, without entries, is the data's last change instead of now (looked
    up only then, once: a feed with entries costs no query for it)."""

    def latest_post_date(self):
        if not hasattr(self, "_latest"):
            self._latest = super().latest_post_date() if self.items else last_change()
        return self._latest


class StableAtomFeed(StableDate, Atom1Feed):
    pass


class StableRssFeed(StableDate, Rss201rev2Feed):
    pass


class StatementFeedRequest:
    """One feed request: its filters (validated), the feed's canonical URL and its title."""

    def __init__(self, request, route: str):
        self.request = request
        self.filtered: Filtered = filtered_from(request.GET)
        query = self.filtered.query()
        self.url = absolute(request, reverse(route) + (f"?{query}" if query else ""))
        described = self.filtered.describe()
        self.title = f"{TITLE}: {described}" if described else TITLE
        self.home = absolute(request, "/statements/" + (f"?{query}" if query else ""))

    def statements(self) -> list[dict]:
        """The selection's statements that most recently entered or changed the public record,
        as feed entries (api/shapes.py: FEED_ENTRY, RETRACTED_ENTRY)."""
        projection = shapes.feed_projection(
            prefix(self.request, "api:statement-detail"), prefix(self.request, "statement-page")
        )
        rows = listing.latest_changes(self.filtered.selection, FEED_LENGTH, projection)
        return [json.loads(row["json"]) for row in rows]


def bad_request(exc: FilterError) -> JsonResponse:
    return JsonResponse(error_body(exc.errors), status=400)


class StatementsFeed(Feed):
    feed_type = StableAtomFeed
    route = "statements-feed-atom"

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except FilterError as exc:
            return bad_request(exc)

    def get_object(self, request, *args, **kwargs):
        return StatementFeedRequest(request, self.route)

    def title(self, feed):
        return feed.title

    def subtitle(self, feed):
        return SUBTITLE

    description = subtitle  # RSS

    def link(self, feed):
        return feed.home

    def feed_url(self, feed):
        return feed.url

    def feed_guid(self, feed):
        return feed.url

    def items(self, feed):
        return feed.statements()

    def item_title(self, statement) -> str:
        return entry_title(statement)

    def item_description(self, statement) -> str:
        # The quote as text, then who said it when, then what changed: HTML, so everything escaped.
        # A retracted statement's entry has no quote: the retraction takes its place.
        said = f"— {escape(statement['speaker']['name'])}, {said_on_text(statement)}"
        change = escape(change_text(statement))
        if statement["status"] == Status.RETRACTED:
            return f"{change}<br>{said}"
        rendering = english_line(statement)
        return (
            f"{escape(statement['quote'])}<br>{said}"
            + (f"<br>{escape(rendering)}" if rendering else "")
            + (f"<br>{change}" if change else "")
        )

    def item_link(self, statement) -> str:
        return statement["permalink"]

    def item_guid(self, statement) -> str:
        return statement["permalink"]

    item_guid_is_permalink = True

    def item_author_name(self, statement) -> str:
        return statement["speaker"]["name"]

    def item_pubdate(self, statement):
        return moment(statement["record_entered_at"])  # when it entered the public record

    def item_updateddate(self, statement):
        return moment(statement["updated_at"])

    def item_categories(self, statement):
        return [statement["stance"], statement["government"]["code"], statement["topic"]["slug"]]


class StatementsRssFeed(StatementsFeed):
    feed_type = StableRssFeed
    route = "statements-feed-rss"


def statements_json_feed(request):
    """JSON Feed 1.1 of the same entries; `_tracker` (an extension, as JSON Feed allows) carries the
    remark's date and its precision."""
    try:
        feed_request = StatementFeedRequest(request, "statements-feed-json")
    except FilterError as exc:
        return bad_request(exc)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed_request.title,
        "description": SUBTITLE,
        "home_page_url": feed_request.home,
        "feed_url": feed_request.url,
        "language": "en",
        "items": [json_feed_item(s) for s in feed_request.statements()],
    }
    return JsonResponse(feed, content_type="application/feed+json", json_dumps_params={"ensure_ascii": False})


def json_feed_item(s: dict) -> dict:
    """One JSON Feed item; `_tracker` carries the remark's date and precision, the stance, and the
    statement's latest change of the public record (with its note, for a correction, retraction
    or reinstatement)."""
    retracted = s["status"] == Status.RETRACTED
    summary = f"{s['speaker']['name']}, {said_on_text(s)}"
    change = change_text(s)
    return {
        "id": s["permalink"],
        "url": s["permalink"],
        "title": entry_title(s),
        "content_text": change if retracted else s["quote"],
        "summary": f"{summary}. {change}" if change else summary,
        "date_published": s["record_entered_at"],
        "date_modified": s["updated_at"],
        "authors": [{"name": s["speaker"]["name"]}],
        "language": s["language"],
        "tags": [s["stance"], s["government"]["code"], s["topic"]["slug"]],
        **({"external_url": s["sources"][0]["url"]} if not retracted and s["sources"] else {}),
        "_tracker": {
            "said_on": s["said_on"],
            "date_precision": s["date_precision"],
            "stance": s["stance"],
            "status": s["status"],
            "record_change": s["record_change"],
            "record_changed_at": s["record_changed_at"],
            "note": change_note(s),
            "translations": s.get("translations", []),
        },
    }


class CorrectionsFeed(Feed):
    """Every public correction, retraction and reinstatement, newest first (the latest 50)."""

    feed_type = StableAtomFeed
    title = "Statement tracker: corrections"
    subtitle = "Corrections, retractions and reinstatements of published statements, with their notes."

    def get_object(self, request, *args, **kwargs):
        return request

    def link(self, request):
        return absolute(request, "/")

    def feed_url(self, request):
        return absolute(request, reverse("corrections-feed"))

    def feed_guid(self, request):
        return self.feed_url(request)

    def items(self, request):
        self.request = request
        return (
            Correction.objects.filter(statement__status__in=[Status.PUBLISHED, Status.RETRACTED])
            .select_related("statement__speaker", "statement__government")
            .order_by("-created_at", "-id")[:FEED_LENGTH]
        )

    def item_title(self, correction: Correction) -> str:
        statement = correction.statement
        speaker, government = statement.speaker.name, statement.government.name
        return f"{correction.get_kind_display()}: {speaker} ({government}), {statement.said_on}"

    def item_description(self, correction: Correction) -> str:
        fields = f" (corrected: {', '.join(correction.fields)})" if correction.fields else ""
        return escape(f"{correction.note}{fields}")

    def item_link(self, correction: Correction) -> str:
        return absolute(self.request, reverse("statement-page", args=[correction.statement_id]))

    def item_guid(self, correction: Correction) -> str:
        # Stable across a restore (which keeps statement ids and correction times, not row ids).
        moment_id = correction.created_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        return f"{self.item_link(correction)}#correction-{moment_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, correction: Correction):
        return correction.created_at

    def item_updateddate(self, correction: Correction):
        return correction.updated_at

    def item_author_name(self, correction: Correction) -> str:
        return "Statement tracker editors"
