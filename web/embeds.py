"""Embeds: a statement card, a live list and the positions grid, for newsrooms' iframes; oEmbed.

Embed pages are the only ones other sites may frame (frame-ancestors *, no X-Frame-Options);
like every page they load nothing from elsewhere and run no inline script, and they report
their height to the host page (static/tracker/embed.js).
"""

import json
import re
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from rest_framework.exceptions import ValidationError

from api.exceptions import error_body, flatten_errors
from api.filters import StatementFilter, filter_leniently
from api.links import site_root
from api.pages import bad_request, matrix_context, positions_context
from statements.models import Statement, Topic

MAX_LIST = 20
FRAMEABLE = {**settings.SECURE_CSP, "frame-ancestors": ["*"]}


def frameable(view):
    return xframe_options_exempt(csp_override(FRAMEABLE)(view))


@frameable
def embed_statement(request, pk: int):
    statement = Statement.objects.published().for_api().filter(pk=pk).first()
    if statement is None:
        raise Http404("No such statement")
    return render(request, "api/embed.html", {"kind": "statement", "statement": statement, "site": site_root(request)})


@frameable
def embed_statements(request):
    """The newest statements matching any statement filter; `limit` 1–20 (default 5)."""
    limit = request.GET.get("limit", "5")
    if not re.fullmatch(r"[0-9]{1,2}", limit) or not 1 <= int(limit) <= MAX_LIST:
        return bad_request(f"limit must be a whole number from 1 to {MAX_LIST}.")
    try:
        selection = filter_leniently(request)
        # Model instances: the card template is the statement page's too.
        statements = list(
            Statement.objects.filter(selection.condition()).for_api().order_by("-said_on", "-id")[: int(limit)]
        )
    except ValidationError as exc:
        return bad_request("; ".join(f"{k}: {' '.join(v)}" for k, v in flatten_errors(exc.detail).items()))
    # The link to the full list carries the filters only: the API refuses parameters it does not know.
    query = urlencode([(k, v) for k, v in request.GET.items() if k in StatementFilter.base_filters])
    context = {"kind": "list", "statements": statements, "site": site_root(request), "query": query}
    return render(request, "api/embed.html", context)


@frameable
def embed_matrix(request):
    """Governments × topics (2 to 10, `?topic=a,b`) on one date, for newsrooms' iframes."""
    try:
        context = matrix_context(request)
    except ValueError as exc:
        return bad_request(str(exc))
    return render(request, "api/embed.html", context | {"kind": "matrix", "site": site_root(request)})


@frameable
def embed_positions(request, slug: str):
    context = positions_context(request, slug)
    if context is None:
        return bad_request("as_of must be a date as YYYY-MM-DD.")
    return render(request, "api/embed.html", context | {"kind": "positions", "site": site_root(request)})


# oEmbed (https://oembed.com): a public page's URL → the iframe snippet for it.
PAGES = [
    (re.compile(r"^/statements/(?P<pk>[0-9]{1,18})/$"), "statement"),
    (re.compile(r"^/positions/(?P<slug>[-a-z0-9]{1,100})/$"), "positions"),
    (re.compile(r"^/positions/$"), "matrix"),
]
SIZES = {"statement": (600, 320), "positions": (720, 900), "matrix": (900, 900)}
WIDTH_RANGE, HEIGHT_RANGE = (200, 1600), (100, 4000)


def _oembed_error(status: int, parameter: str, message: str) -> JsonResponse:
    return JsonResponse(error_body({parameter: [message]}), status=status)


def _dimension(value: str | None, default: int, bounds: tuple[int, int]) -> int | None:
    if value is None:
        return min(default, bounds[1])
    if not re.fullmatch(r"[0-9]{1,5}", value):
        return None
    return max(bounds[0], min(int(value), default, bounds[1]))


def oembed(request):
    """?url=<public page URL>&format=json[&maxwidth=&maxheight=] → a `rich` oEmbed response."""
    url, fmt = request.GET.get("url", ""), request.GET.get("format", "json")
    if fmt != "json":
        return _oembed_error(501, "format", "Only json is supported.")
    parts = urlsplit(url) if len(url) <= 2000 else None
    if not parts or parts.scheme not in ("http", "https") or parts.netloc != request.get_host():
        return _oembed_error(404, "url", "Not a page of this tracker.")
    matches = [(pattern.match(parts.path), kind) for pattern, kind in PAGES]
    match, kind = next(((m, k) for m, k in matches if m), (None, None))
    if match is None:
        return _oembed_error(404, "url", "Only statement and positions pages can be embedded.")
    if kind == "statement":
        statement = Statement.objects.published().select_related("speaker", "government").filter(pk=match["pk"]).first()
        if statement is None:
            return _oembed_error(404, "url", "No such statement.")
        title = f"{statement.speaker.name} ({statement.government.name}): {statement.stance}"
        author = statement.speaker.name
        src = reverse("embed-statement", args=[statement.pk])
    elif kind == "matrix":
        title, author = "Where governments stand, topic by topic", "Statement tracker"
        src = reverse("embed-matrix") + (f"?{parts.query}" if parts.query else "")
    else:
        topic = Topic.objects.public_one(slug=match["slug"]).first()
        if topic is None:
            return _oembed_error(404, "url", "No such topic.")
        title, author = f"Where governments stand: {topic.title}", "Statement tracker"
        src = reverse("embed-positions", args=[topic.slug]) + (
            f"?{parts.query}" if parts.query.startswith("as_of=") else ""
        )
    width = _dimension(request.GET.get("maxwidth"), SIZES[kind][0], WIDTH_RANGE)
    height = _dimension(request.GET.get("maxheight"), SIZES[kind][1], HEIGHT_RANGE)
    if width is None or height is None:
        return _oembed_error(400, "maxwidth" if width is None else "maxheight", "Must be a whole number.")
    root = site_root(request)
    return JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "provider_name": "Statement tracker",
            "provider_url": root + "/",
            "title": title,
            "author_name": author,
            "width": width,
            "height": height,
            "cache_age": 3600,
            "html": iframe_snippet(root + src, title, width, height, root),
        },
        json_dumps_params={"ensure_ascii": False},
    )


def iframe_snippet(src: str, title: str, width: int, height: int, origin: str) -> str:
    """The iframe, plus the few lines a host page needs to follow the embed's height."""
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="{width}" height="{height}" '
        'loading="lazy" frameborder="0" scrolling="no" data-tracker-embed></iframe>'
        '<script>window.addEventListener("message",function(e){'
        f'if(e.origin!=={json.dumps(origin)}||!e.data||typeof e.data["tracker-embed-height"]!=="number")return;'
        'document.querySelectorAll("iframe[data-tracker-embed]").forEach(function(f){'
        'if(f.contentWindow===e.source)f.height=e.data["tracker-embed-height"];});});</script>'
    )
