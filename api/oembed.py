"""oEmbed (https://oembed.com): a public page's URL → the iframe snippet that embeds it.

A program's read, so it lives here; the embeds it points to are pages of the web/ app.
"""

import json
import re
from urllib.parse import SplitResult, urlsplit

from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.urls import reverse
from django.utils.html import escape

from api.exceptions import problem_response
from api.links import site_root
from statements.models import Statement, Status, Topic

# oEmbed (https://oembed.com): a public page's URL → the iframe snippet for it.
PAGES = [
    (re.compile(r"^/statements/(?P<pk>[0-9]{1,18})/$"), "statement"),
    (re.compile(r"^/positions/(?P<slug>[-a-z0-9]{1,100})/$"), "positions"),
    (re.compile(r"^/positions/$"), "matrix"),
    (re.compile(r"^/topics/(?P<slug>[-a-z0-9]{1,100})/$"), "timeline"),
]
SIZES = {"statement": (600, 320), "positions": (720, 900), "matrix": (900, 900), "timeline": (860, 700)}
# What a wider embed needs beyond its content (web/static/tracker/site.css): the embed's padding
# and the figure's margins; a timeline's names column; a matrix's names column and each topic's.
EMBED_CHROME = 48
TIMELINE_NAMES = 170
MATRIX_NAMES, MATRIX_TOPIC = 240, 250
LARGEST_WIDTH, LARGEST_HEIGHT = 1600, 4000


def _oembed_error(status: int, parameter: str, message: str) -> HttpResponse:
    return problem_response(status, {parameter: [message]})


def _dimension(value: str | None, default: int, largest: int) -> int | None:
    """The width or height to answer: the embed's own, never more than the consumer's maximum
    (oEmbed §2.2: maxwidth and maxheight must be respected), however small; None when not a number."""
    if value is None:
        return min(default, largest)
    if not re.fullmatch(r"[0-9]{1,5}", value) or int(value) < 1:
        return None
    return min(int(value), default, largest)


def _embed_query_error(kind: str, query: str) -> str | None:
    """Why the embed a page URL's query names would answer 400 (bad `as_of`, bad matrix topics), or
    None: oEmbed answers 404 for such a URL rather than a snippet whose iframe fails."""
    from web.pages import as_of_in, matrix_topics  # web's pages import this module

    params = QueryDict(query)
    if kind in ("positions", "matrix") and as_of_in(params) is None:
        return "as_of in the page URL must be a date as YYYY-MM-DD."
    if kind == "matrix":
        try:
            matrix_topics(params)
        except (ValueError, Http404) as exc:
            return f"{exc} (in the page URL)"
    return None


def _timeline_width(topic: Topic) -> int:
    """The width a topic's timeline embed shows whole at: its names column and its panels
    (web/stance_timeline.py), or the default when it has too many changes to draw."""
    from django.utils import timezone

    from statements.positions import TooManyChanges, timelines
    from web import stance_timeline

    try:
        chart = stance_timeline.timeline(
            timelines(topic=topic, max_changes=stance_timeline.PAGE_CHANGES), timezone.now().date()
        )
    except TooManyChanges:
        return SIZES["timeline"][0]
    return TIMELINE_NAMES + chart.plot_width + EMBED_CHROME if chart else SIZES["timeline"][0]


def _embed_target(kind: str, match: re.Match, parts: SplitResult) -> tuple[str, str, str, int] | HttpResponse:
    """(title, author, the embed's path and query, the width it needs) of the page a URL names,
    or a 404 when it names no public statement or topic."""
    width = SIZES[kind][0]
    if kind == "statement":
        # A retracted statement still embeds: its card says it was retracted, when and why.
        statement = (
            Statement.objects.published_or_retracted()
            .select_related("speaker", "government")
            .filter(pk=match["pk"])
            .first()
        )
        if statement is None:
            return _oembed_error(404, "url", "No such statement.")
        title = f"{statement.speaker.name} ({statement.government.name}): {statement.stance}"
        if statement.status == Status.RETRACTED:
            title = f"Retracted: {title}"
        author = statement.speaker.name
        src = reverse("embed-statement", args=[statement.pk])
    elif kind == "matrix":
        title, author = "Where governments stand, topic by topic", "Statement tracker"
        src = reverse("embed-matrix") + (f"?{parts.query}" if parts.query else "")
        width = MATRIX_NAMES + MATRIX_TOPIC * Topic.objects.public().count() + EMBED_CHROME
    elif kind == "timeline":
        topic = Topic.objects.public_one(slug=match["slug"]).first()
        if topic is None:
            return _oembed_error(404, "url", "No such topic.")
        title, author = f"How governments' stances on {topic.title} changed", "Statement tracker"
        src = reverse("embed-timeline", args=[topic.slug])
        width = _timeline_width(topic)
    else:
        topic = Topic.objects.public_one(slug=match["slug"]).first()
        if topic is None:
            return _oembed_error(404, "url", "No such topic.")
        title, author = f"Where governments stand: {topic.title}", "Statement tracker"
        src = reverse("embed-positions", args=[topic.slug]) + (
            f"?{parts.query}" if parts.query.startswith("as_of=") else ""
        )
    return title, author, src, min(LARGEST_WIDTH, max(width, SIZES[kind][0]))


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
        return _oembed_error(404, "url", "Only statement, positions and topic pages can be embedded.")
    target = _embed_target(kind, match, parts)
    if isinstance(target, HttpResponse):
        return target
    title, author, src, natural_width = target
    problem = _embed_query_error(kind, parts.query)
    if problem:
        return _oembed_error(404, "url", problem)
    width = _dimension(request.GET.get("maxwidth"), natural_width, LARGEST_WIDTH)
    height = _dimension(request.GET.get("maxheight"), SIZES[kind][1], LARGEST_HEIGHT)
    if width is None or height is None:
        return _oembed_error(400, "maxwidth" if width is None else "maxheight", "Must be a whole number from 1.")
    capped = "maxheight" in request.GET
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
            "html": iframe_snippet(root + src, title, width, height, root, capped=capped),
        },
        json_dumps_params={"ensure_ascii": False},
    )


def iframe_snippet(src: str, title: str, width: int, height: int, origin: str, capped: bool = False) -> str:
    """The iframe, plus the few lines a host page needs to follow the embed's height.

    The iframe fits its column: as wide as the article's text (width 100%) up to `width` pixels,
    so a 360 px phone never scrolls sideways; `height` only until the embed reports its own
    (its content reflows as it narrows). The width and height attributes stay for readers that
    ignore styles; no obsolete attributes (frameborder, scrolling). `capped` (the consumer gave a
    maxheight): the iframe never grows past `height`, the embed scrolls inside it instead."""
    style = f"width:100%;max-width:{width}px;border:0;display:block" + (f";max-height:{height}px" if capped else "")
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="{width}" height="{height}" '
        f'style="{style}" loading="lazy" data-tracker-embed></iframe>'
        '<script>window.addEventListener("message",function(e){'
        f'if(e.origin!=={json.dumps(origin)}||!e.data||typeof e.data["tracker-embed-height"]!=="number")return;'
        'document.querySelectorAll("iframe[data-tracker-embed]").forEach(function(f){'
        'if(f.contentWindow===e.source)f.height=e.data["tracker-embed-height"];});});</script>'
    )
