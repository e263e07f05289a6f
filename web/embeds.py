"""Embeds: a statement card, a live list, the positions grid and matrix, and a topic's stance
timeline, for newsrooms' iframes (oEmbed, which points at them, is api/oembed.py).

Embed pages are the only ones other sites may frame (frame-ancestors *, no X-Frame-Options);
like every page they load nothing from elsewhere and run no inline script, and they report
their height to the host page (static/tracker/embed.js).
"""

import dataclasses
import re
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from rest_framework.exceptions import ValidationError

from api.exceptions import flatten_errors
from api.filters import filter_leniently
from api.links import site_root
from statements.filtering import FILTER_NAMES
from statements.models import Statement, Topic
from statements.positions import TooManyChanges, timelines
from web import stance_timeline
from web.pages import bad_request, matrix_context, positions_context
from web.retractions import with_retractions

MAX_LIST = 20
FRAMEABLE = {**settings.SECURE_CSP, "frame-ancestors": ["*"]}


def frameable(view):
    return xframe_options_exempt(csp_override(FRAMEABLE)(view))


@frameable
def embed_statement(request, pk: int):
    """A statement's card. A retracted statement's card says so, when and why, with links to its
    notice and the corrections log: 410 Gone, and still frameable, so that an article that
    embedded it shows the retraction instead of a broken frame."""
    statement = Statement.objects.published_or_retracted().for_detail().filter(pk=pk).first()
    if statement is None:
        raise Http404("No such statement")
    (statement,) = with_retractions([statement])
    context = {"kind": "statement", "statement": statement, "site": site_root(request)}
    return render(request, "web/embed.html", context, status=410 if statement.retraction else 200)


@frameable
def embed_statements(request):
    """The newest statements matching any statement filter; `limit` 1–20 (default 5). A statement
    retracted since stays in its place as a card saying so (the list an article showed does not
    silently change under it)."""
    limit = request.GET.get("limit", "5")
    if not re.fullmatch(r"[0-9]{1,2}", limit) or not 1 <= int(limit) <= MAX_LIST:
        return bad_request(f"limit must be a whole number from 1 to {MAX_LIST}.")
    try:
        selection = dataclasses.replace(filter_leniently(request), with_retracted=True)
        # Model instances: the card template is the statement page's too.
        statements = with_retractions(
            list(Statement.objects.filter(selection.condition()).for_detail().order_by("-said_on", "-id")[: int(limit)])
        )
    except ValidationError as exc:
        return bad_request("; ".join(f"{k}: {' '.join(v)}" for k, v in flatten_errors(exc.detail).items()))
    # The link to the full list carries the filters only: the API refuses parameters it does not know.
    query = urlencode([(k, v) for k, v in request.GET.items() if k in FILTER_NAMES])
    context = {"kind": "list", "statements": statements, "site": site_root(request), "query": query}
    return render(request, "web/embed.html", context)


@frameable
def embed_matrix(request):
    """Governments × topics (2 to 10, `?topic=a,b`) on one date, for newsrooms' iframes."""
    try:
        context = matrix_context(request)
    except ValueError as exc:
        return bad_request(str(exc))
    return render(request, "web/embed.html", context | {"kind": "matrix", "site": site_root(request)})


@frameable
def embed_positions(request, slug: str):
    context = positions_context(request, slug)
    if context is None:
        return bad_request("as_of must be a date as YYYY-MM-DD.")
    return render(request, "web/embed.html", context | {"kind": "positions", "site": site_root(request)})


@frameable
def embed_timeline(request, slug: str):
    """A topic's stance timeline: governments as rows, time across, each change linked."""
    topic = get_object_or_404(Topic.objects.public_one(slug=slug))
    try:
        lines = timelines(topic=topic, max_changes=stance_timeline.PAGE_CHANGES)
        chart = stance_timeline.timeline(lines, timezone.now().date())
        too_many = False
    except TooManyChanges:  # said in the embed, with a link to the API's timeline
        chart, too_many = None, True
    context = {
        "too_many_changes": too_many,
        "kind": "timeline",
        "topic": topic,
        "chart": chart,
        "caption": f"How governments' stances on {topic.title} changed",
        "prefix": "tl",
        "embed": True,
        "site": site_root(request),
    }
    return render(request, "web/embed.html", context)
