"""Feeds: statements (Atom, RSS, JSON Feed 1.1, every statement filter) and corrections (Atom).

Feed readers read Atom <summary type="html"> and RSS <description> as HTML after XML
decoding, so every user-entered string going there is HTML-escaped first (Django's feed
writer only XML-escapes). Titles are plain text. Unknown query parameters (utm_source …) are
ignored, as feed readers and newsletters add them; a bad value of a known filter is a 400.
"""

import datetime
import json

from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from rest_framework.exceptions import ValidationError

from api import shapes
from api.exceptions import error_body, flatten_errors
from api.filters import filter_leniently
from api.links import prefix
from statements import listing
from statements.models import Correction, Status

FEED_LENGTH = 50


def filtered_statements(request, limit: int = FEED_LENGTH) -> list[dict]:
    """The latest published statements matching the request's statement filters, in the API's
    JSON shape (statements/listing.py: the API list's read path)."""
    projection = shapes.list_projection(prefix(request, "api:statement-detail"), prefix(request, "statement-page"))
    return [json.loads(row["json"]) for row in listing.latest(filter_leniently(request), limit, projection)]


def entry_title(statement: dict) -> str:
    """ "Speaker (Government): stance" (SPEC §6)."""
    return f"{statement['speaker']['name']} ({statement['government']['name']}): {statement['stance']}"


def moment(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def bad_request(exc: ValidationError) -> JsonResponse:
    return JsonResponse(error_body(flatten_errors(exc.detail)), status=400)


class StatementsFeed(Feed):
    feed_type = Atom1Feed
    title = "Statement tracker: what governments say about asylum"
    subtitle = "Official statements on admitting asylum seekers, verbatim and sourced, newest first."

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except ValidationError as exc:
            return bad_request(exc)

    def get_object(self, request, *args, **kwargs):
        return request

    def link(self):
        return "/api/v1/statements/"

    def items(self, request):
        return filtered_statements(request)

    def item_title(self, statement) -> str:
        return entry_title(statement)

    def item_description(self, statement) -> str:
        return escape(statement["quote"])  # the quote as text

    def item_link(self, statement) -> str:
        return reverse("statement-page", args=[statement["id"]])

    def item_author_name(self, statement) -> str:
        return statement["speaker"]["name"]

    def item_pubdate(self, statement):
        return moment(statement["created_at"])

    def item_updateddate(self, statement):
        return moment(statement["updated_at"])

    def item_categories(self, statement):
        return [statement["stance"], statement["government"]["code"], statement["topic"]["slug"]]


class StatementsRssFeed(StatementsFeed):
    feed_type = Rss201rev2Feed
    description = StatementsFeed.subtitle


def statements_json_feed(request):
    """JSON Feed 1.1 of the same entries."""
    try:
        statements = list(filtered_statements(request))
    except ValidationError as exc:
        return bad_request(exc)
    page = request.build_absolute_uri
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": StatementsFeed.title,
        "description": StatementsFeed.subtitle,
        "home_page_url": page("/api/v1/statements/"),
        "feed_url": page(),
        "language": "en",
        "items": [
            {
                "id": s["permalink"],
                "url": s["permalink"],
                "title": entry_title(s),
                "content_text": s["quote"],
                "date_published": moment(s["created_at"]).isoformat(),
                "date_modified": moment(s["updated_at"]).isoformat(),
                "authors": [{"name": s["speaker"]["name"]}],
                "language": s["language"],
                "tags": [s["stance"], s["government"]["code"], s["topic"]["slug"]],
                "external_url": s["sources"][0]["url"] if s["sources"] else None,
            }
            for s in statements
        ],
    }
    return JsonResponse(feed, content_type="application/feed+json", json_dumps_params={"ensure_ascii": False})


class CorrectionsFeed(Feed):
    """Every public correction, retraction and reinstatement, newest first (the latest 50)."""

    feed_type = Atom1Feed
    title = "Statement tracker: corrections"
    subtitle = "Corrections, retractions and reinstatements of published statements, with their notes."

    def link(self):
        return reverse("corrections-feed")

    def items(self):
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
        return reverse("statement-page", args=[correction.statement_id])

    def item_guid(self, correction: Correction) -> str:
        return f"{self.item_link(correction)}#correction-{correction.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, correction: Correction):
        return correction.created_at

    def item_updateddate(self, correction: Correction):
        return correction.updated_at

    def item_author_name(self, correction: Correction) -> str:
        return "Statement tracker editors"
