"""The event log (SPEC §10): `GET /api/v1/events/`, one event, its Atom feed, and the body of a
webhook delivery, all rendered from the rows each event kept (api/shapes.py `EVENT`).

Paging is by event id, oldest first: `after=<id>` is the stable cursor a receiver replays from
(ids are given in commit order, so nothing can appear later below an id already read);
`before=<id>` pages back. The statement filters apply to each statement as it was at its event.
"""

import datetime
import functools
import json

import orjson
from django import forms
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.http import http_date
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from api import shapes
from api.exceptions import problem_response
from api.feeds import StableAtomFeed, statement_title
from api.filters import selection
from api.links import absolute, prefix
from api.pagination import KeysetPagination, envelope
from api.params import check_query_params, form_query_params
from api.schema import filter_parameters, form_parameters
from statements import events, paging
from statements.events import EventType
from statements.filtering import (
    CSVField,
    FilterError,
    StatementFilterForm,
    choice_cleaner,
    filtered_from,
    form_errors,
)

MAX_ID = 2**63 - 1
FEED_LENGTH = 50


class EventParams(forms.Form):
    after = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_ID,
        help_text="Events after this event id (the last one you have): the stable cursor to replay from.",
    )
    before = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="The page of events just before this event id (with after: between the two).",
    )
    type = CSVField(
        clean_item=choice_cleaner(EventType.values, "event type"),
        required=False,
        help_text="Only these event types (comma-separated).",
    )


def _prefixes(request=None) -> tuple[str, str]:
    return prefix(request, "api:statement-detail"), prefix(request, "statement-page")


def _parse(request) -> tuple[dict, events.EventLog]:
    form = EventParams(request.query_params)
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    params = form.cleaned_data
    log = events.EventLog(
        selection(request.query_params), tuple(params["type"]), shapes.event_projection(*_prefixes(request))
    )
    return params, log


class EventPages:
    """One page of the log around `after`/`before` (plain event ids, statements/paging.py's
    window), with its links and envelope as KeysetPagination's."""

    def __init__(self, request, log: events.EventLog, params: dict, size: int):
        after, before = params["after"], params["before"]
        page = paging.window(
            lambda limit: log.page(after, before, limit),
            size,
            backward=before is not None,
            started=after is not None and after > 0,  # after=0: from the first event
        )
        self.rows = page.rows
        url = remove_query_param(remove_query_param(absolute(request, request.get_full_path()), "after"), "before")
        self.next = replace_query_param(url, "after", page.last["id"]) if page.last is not None else None
        self.previous = replace_query_param(url, "before", page.first["id"]) if page.first is not None else None
        self.count, self.count_exact = _paging.capped_count(log)

    def response(self) -> Response:
        results = orjson.Fragment("[" + ",".join(row["json"] for row in self.rows) + "]")
        response = envelope(results, self.count, self.count_exact, self.next, self.previous)
        if self.rows:
            response["Last-Modified"] = http_date(max(row["occurred_at"] for row in self.rows).timestamp())
        return response


_paging = KeysetPagination()
EVENT_LIST = {"type": "array", "items": shapes.EVENT.ref()}


class EventListView(APIView):
    @extend_schema(
        operation_id="v1_events_list",
        summary="The event log: every publish, correction, retraction and reinstatement, oldest first",
        description="Each event carries the statement as the API's detail showed it at that moment (a tombstone "
        "once retracted). Page with `after=<the last event id you have>`: ids follow the order in which changes "
        "were committed, so replaying from an id never misses an event. Deliveries of webhooks carry the same "
        "event (`webhook-id` is its id). The statement filters apply to each statement as it was at its event.",
        parameters=[
            *form_parameters(EventParams),
            *filter_parameters(),
            *(
                OpenApiParameter(p["name"], p["schema"], description=p["description"])
                for p in _paging.get_schema_operation_parameters(None)
                if p["name"] == "page_size"
            ),
        ],
        responses={200: _paging.get_paginated_response_schema(EVENT_LIST)},
    )
    def get(self, request):
        allowed = form_query_params(EventParams) | form_query_params(StatementFilterForm) | {"page_size": False}
        check_query_params(request.query_params, allowed)
        size = _paging.get_page_size(request)
        params, log = _parse(request)
        return EventPages(request, log, params, size).response()


class EventDetailView(APIView):
    @extend_schema(
        operation_id="v1_events_retrieve", summary="One event of the log", responses={200: shapes.EVENT.ref()}
    )
    def get(self, request, pk: str):
        check_query_params(request.query_params, {})
        row = events.kept_one(int(pk), shapes.event_projection(*_prefixes(request)))
        if row is None:
            raise Http404("No event has this id.")
        response = Response(orjson.Fragment(row["json"]))
        response["Last-Modified"] = http_date(row["occurred_at"].timestamp())
        return response


def webhook_body(event_id: int, occurred_at: datetime.datetime | None = None) -> str:
    """The body of a delivery of this event (links from TRACKER_SITE_URL): JSON text. An event
    never changes, so with its `occurred_at` given (what tells it from an event of the same id in
    another database) its body is rendered once per worker process, not once per subscription."""
    if occurred_at is None:
        return _render_body(event_id, *_prefixes())
    return _cached_body(event_id, occurred_at, *_prefixes())


def _render_body(event_id: int, api: str, page: str) -> str:
    row = events.kept_one(event_id, shapes.webhook_body_projection(api, page), using=events.PRIMARY)
    if row is None:
        raise LookupError(f"no event {event_id}")
    return row["json"]


@functools.lru_cache(maxsize=512)
def _cached_body(event_id: int, occurred_at: datetime.datetime, api: str, page: str) -> str:
    return _render_body(event_id, api, page)


ENTRY_VERBS = {
    EventType.PUBLISHED: "Published",
    EventType.CORRECTED: "Corrected",
    EventType.RETRACTED: "Retracted",
    EventType.REINSTATED: "Reinstated",
}


class EventsFeed(Feed):
    """The event log as Atom, newest first (the latest 50), with the statement filters and
    `type`. Like the other feeds, unknown parameters (utm_source …) are ignored."""

    feed_type = StableAtomFeed

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except FilterError as exc:
            return problem_response(400, exc.errors)

    def get_object(self, request, *args, **kwargs):
        form = EventParams({"type": request.GET.get("type")} if request.GET.get("type") else {})
        if not form.is_valid():
            raise FilterError(form_errors(form))
        filtered = filtered_from(request.GET)
        query = "&".join(part for part in (filtered.query(), _type_query(form.cleaned_data["type"])) if part)
        self.request = request
        self.url = absolute(request, reverse("events-feed") + (f"?{query}" if query else ""))
        described = "; ".join(p for p in (filtered.describe(), ", ".join(form.cleaned_data["type"])) if p)
        self.described = described
        projection = shapes.event_projection(*_prefixes(request))
        return events.latest(filtered.selection, form.cleaned_data["type"], FEED_LENGTH, projection)

    def title(self, rows):
        base = "Statement tracker: the event log"
        return f"{base}: {self.described}" if self.described else base

    def subtitle(self, rows):
        return "Every statement published, corrected, retracted or reinstated, newest first."

    def link(self, rows):
        return absolute(self.request, reverse("api:event-list"))

    def feed_url(self, rows):
        return self.url

    def feed_guid(self, rows):
        return self.url

    def items(self, rows):
        return [dict(json.loads(row["json"]), occurred_at=row["occurred_at"]) for row in rows]

    def item_title(self, event) -> str:
        verb, statement = ENTRY_VERBS[event["type"]], event["statement"]
        if "speaker" not in statement:  # a tombstone
            return f"{verb}: statement {statement['id']}"
        return f"{verb}: {statement_title(statement)}"

    def item_description(self, event) -> str:
        statement = event["statement"]
        if "quote" not in statement:
            return "This statement was retracted; its page says why."
        from django.utils.html import escape

        return escape(statement["quote"])

    def item_link(self, event) -> str:
        return absolute(self.request, reverse("statement-page", args=[event["statement"]["id"]]))

    def item_guid(self, event) -> str:
        return absolute(self.request, reverse("api:event-detail", args=[event["id"]]))

    item_guid_is_permalink = False

    def item_pubdate(self, event) -> datetime.datetime:
        return event["occurred_at"]

    def item_updateddate(self, event) -> datetime.datetime:
        return event["occurred_at"]

    def item_author_name(self, event) -> str:
        return event["statement"].get("speaker", {}).get("name") or "Statement tracker editors"

    def item_categories(self, event):
        return [event["type"]]


def _type_query(types: list[str]) -> str:
    return f"type={','.join(sorted(types))}" if types else ""
