"""Public HTML pages: a statement's permalink (what citations point to), the positions grid and matrix."""

import datetime
import json
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from api import shapes
from api.dates import honest_date
from api.links import absolute, prefix, site_root
from api.oembed import SIZES, iframe_snippet
from statements.listing import published_one
from statements.models import SpeakerKind, Statement, Status, Topic
from statements.positions import positions_as_of, positions_matrix, positions_summary
from web import retractions

# JSON inside <script> must not be able to close the element or open a comment.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_for_script(data) -> str:
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE))


def oembed_url(request, page_url: str) -> str:
    """The absolute oEmbed URL of a page (discovery links must be absolute)."""
    return absolute(request, f"{reverse('oembed')}?{urlencode({'url': page_url, 'format': 'json'})}")


def bad_request(message: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad request</title></head>'
        f"<body><main><h1>Bad request</h1><p>{escape(message)}</p></main></body></html>"
    )


def quotation_jsonld(statement, permalink: str) -> dict:
    """schema.org Quotation: who said what, when, based on which source."""
    sources = list(statement.sources.all())
    creator_type = "Person" if statement.speaker.kind == SpeakerKind.PERSON else "Organization"
    creator = {"@type": creator_type, "name": statement.speaker.name}
    if creator_type == "Person":
        creator["jobTitle"] = statement.role
        creator["worksFor"] = {"@type": "GovernmentOrganization", "name": statement.organization}
    if statement.speaker.wikidata_id:
        creator["sameAs"] = f"https://www.wikidata.org/wiki/{statement.speaker.wikidata_id}"
    return {
        "@context": "https://schema.org",
        "@type": "Quotation",
        "@id": permalink,
        "url": permalink,
        "text": statement.quote,
        "inLanguage": statement.language,
        "creator": creator,
        "dateCreated": honest_date(statement.said_on, statement.date_precision, "edtf"),
        "isBasedOn": sources[0].url if sources else None,
        "citation": [source.url for source in sources],
        "about": statement.topic.title,
        "spatialCoverage": {"@type": "Country", "name": statement.government.name},
        "workTranslation": [rendering_jsonld(t, permalink) for t in statement.translations.all()],
    }


def rendering_jsonld(rendering, permalink: str) -> dict:
    """One rendering of the quote as a schema.org Quotation that is a `translationOfWork` of the
    quote, with its `translator` (who made it) and where it was printed."""
    work = {
        "@type": "Quotation",
        "text": rendering.text,
        "inLanguage": rendering.language,
        "translator": {"@type": "Organization", "name": rendering.by},
        "translationOfWork": {"@id": permalink},
    }
    if rendering.source_url:
        work["isBasedOn"] = rendering.source_url
    return work


def _citation(request, pk: int) -> str:
    """The citation exactly as the API's detail gives it (api/shapes.py builds it in SQL)."""
    row = published_one(
        pk, shapes.detail_projection(prefix(request, "api:statement-detail"), prefix(request, "statement-page"))
    )
    return json.loads(row["json"])["citation"]


def statement_page(request, pk: int):
    """A published statement, with its corrections. A retracted one answers 410 Gone, in the
    site's layout, with the retraction's date and reason, its corrections and no quote; a draft
    does not exist for the public (404)."""
    statement = Statement.objects.published_or_retracted().for_detail().filter(pk=pk).first()
    if statement is None:
        raise Http404("No such statement")
    permalink = absolute(request, request.path)
    if statement.status == Status.RETRACTED:
        context = {
            "statement": statement,
            "permalink": permalink,
            "retraction": retractions.retraction_of(statement),
            "public": retractions.public_references(statement),
        }
        return render(request, "web/statement_retracted.html", context, status=410)
    card = absolute(request, reverse("embed-statement", args=[pk]))
    title = f"{statement.speaker.name} ({statement.government.name}): {statement.stance}"
    context = {
        "statement": statement,
        "citation": _citation(request, pk),
        "permalink": permalink,
        "oembed_url": oembed_url(request, permalink),
        "jsonld": json_for_script(quotation_jsonld(statement, permalink)),
        "snippet": embed_snippet(request, card, title, "statement"),
        "elsewhere": links_out(request, statement),
    }
    return render(request, "web/statement.html", context)


def embed_snippet(request, src: str, title: str, kind: str) -> str:
    """The iframe snippet a newsroom pastes (the one oEmbed gives): fits any width, follows the
    embed's height."""
    width, height = SIZES[kind]
    return iframe_snippet(src, title, width, height, site_root(request))


def links_out(request, statement) -> list[dict]:
    """Where a statement page leads: its speaker, government and topic, and every government on
    its topic on its date, each with the feed and the embed that go with it."""
    speaker, government, topic = statement.speaker, statement.government, statement.topic
    feed = reverse("statements-feed-atom")
    embed = reverse("embed-statements")
    as_of = statement.said_on.isoformat()
    return [
        {
            "label": f"Every statement by {speaker.name}",
            "href": reverse("speaker-page", args=[speaker.slug]),
            "feed": f"{feed}?speaker={speaker.slug}",
            "embed": absolute(request, f"{embed}?speaker={speaker.slug}"),
        },
        {
            "label": f"{government.name}: its stance on each topic, and its statements",
            "href": reverse("government-page", args=[government.code]),
            "feed": f"{feed}?government={government.code}",
            "embed": absolute(request, f"{embed}?government={government.code}"),
        },
        {
            "label": f"{topic.title}: the question, who stands where, and when they changed",
            "href": reverse("topic-page", args=[topic.slug]),
            "feed": f"{feed}?topic={topic.slug}",
            "embed": absolute(request, reverse("embed-timeline", args=[topic.slug])),
        },
        {
            "label": "Compare with every other government on that date",
            "href": reverse("compare-page", args=[statement.pk]),
            "feed": f"{feed}?topic={topic.slug}",
            "embed": absolute(request, f"{reverse('embed-positions', args=[topic.slug])}?as_of={as_of}"),
        },
    ]


def compare_page(request, pk: int):
    """Every government's position on the statement's topic as of its date, its own government
    marked: the page of the API's compare (the Jean-Pierre question), with its embed and feed."""
    statement = get_object_or_404(Statement.objects.published().select_related("speaker", "government", "topic"), pk=pk)
    topic, as_of = statement.topic, statement.said_on
    positions = positions_as_of(topic=topic, as_of=as_of)
    positions_url = absolute(request, f"{reverse('positions-page', args=[topic.slug])}?as_of={as_of:%Y-%m-%d}")
    grid = absolute(request, f"{reverse('embed-positions', args=[topic.slug])}?as_of={as_of:%Y-%m-%d}")
    context = {
        "statement": statement,
        "topic": topic,
        "as_of": as_of,
        "positions": positions,
        "summary": positions_summary(positions, as_of),
        "retractions": retractions.behind_grid(topic, as_of, positions),
        "subject": statement.government_id,
        "permalink": absolute(request, request.path),
        "oembed_url": oembed_url(request, positions_url),
        "snippet": embed_snippet(request, grid, f"Where governments stood: {topic.title}", "positions"),
        "feed_query": f"topic={topic.slug}",
        "site": "",
    }
    return render(request, "web/compare.html", context)


class AsOfForm(forms.Form):
    as_of = forms.DateField(required=False, input_formats=["%Y-%m-%d"])


def parse_as_of(request):
    """The as_of of a page or embed (default today, UTC); None when the value is bad."""
    return as_of_in(request.GET)


def as_of_in(query) -> datetime.date | None:
    """`as_of` of a query (a QueryDict; default today, UTC); None when the value is bad."""
    form = AsOfForm({"as_of": query.get("as_of", "")})
    if not form.is_valid():
        return None
    return form.cleaned_data["as_of"] or timezone.now().date()


def matrix_topics(query) -> list[Topic]:
    """The topics a matrix shows: `topic` of a query (2 to 10 slugs, repeated or comma-separated;
    every public topic by default). Raises ValueError (a message) or Http404 (an unknown topic)."""
    slugs = [slug.strip() for value in query.getlist("topic") for slug in value.split(",") if slug.strip()]
    public = {t.slug: t for t in Topic.objects.public()}
    if not slugs:
        return sorted(public.values(), key=lambda t: t.title)[:MAX_MATRIX_TOPICS]
    if len(set(slugs)) != len(slugs) or not 1 <= len(slugs) <= MAX_MATRIX_TOPICS:
        raise ValueError(f"topic takes 1 to {MAX_MATRIX_TOPICS} different topic slugs.")
    unknown = [slug for slug in slugs if slug not in public]
    if unknown:
        raise Http404(f"No such topic: {', '.join(unknown)}")
    return [public[slug] for slug in slugs]


def positions_context(request, slug: str) -> dict | None:
    topic = get_object_or_404(Topic.objects.public_one(slug=slug))
    as_of = parse_as_of(request)
    if as_of is None:
        return None
    positions = positions_as_of(topic=topic, as_of=as_of)
    return {
        "topic": topic,
        "as_of": as_of,
        "positions": positions,
        "summary": positions_summary(positions, as_of),
        "retractions": retractions.behind_grid(topic, as_of, positions),
        "topics": list(Topic.objects.public().order_by("title")),  # the topic switcher
    }


MAX_MATRIX_TOPICS = 10


def matrix_context(request) -> dict:
    """The matrix of a page or embed: governments × `topic` (2 to 10 slugs; every public topic by
    default) on `as_of`. Raises BadRequest (a message) or Http404 (an unknown topic)."""
    as_of = parse_as_of(request)
    if as_of is None:
        raise ValueError("as_of must be a date as YYYY-MM-DD.")
    topics = matrix_topics(request.GET)
    cell = shapes.matrix_cell(prefix(request, "api:statement-detail"), prefix(request, "statement-page"))
    rows = [json.loads(row) for row in positions_matrix(topics=topics, as_of=as_of, cell=cell)]
    query = urlencode({"topic": ",".join(t.slug for t in topics), "as_of": as_of.isoformat()}, safe=",")
    cells = [
        {"government": row["government"], "cells": [(topic, _dated(row["positions"][topic.slug])) for topic in topics]}
        for row in rows
    ]
    return {
        "topics": topics,
        "as_of": as_of,
        "rows": cells,
        "retractions": retractions.behind_matrix(topics, as_of, cells),
        "query": query,
        "all_topics": sorted(Topic.objects.public(), key=lambda t: t.title),
    }


def _dated(cell: dict) -> dict:
    """A matrix cell with `since` as a date, for the template's date filter."""
    return {**cell, "since": datetime.date.fromisoformat(cell["since"]) if cell["since"] else None}


def matrix_page(request):
    """Governments × topics on one date: a table, coloured and labelled by stance, with a date control."""
    try:
        context = matrix_context(request)
    except ValueError as exc:
        return bad_request(str(exc))
    permalink = absolute(request, f"{request.path}?{context['query']}")
    context |= {"permalink": permalink, "oembed_url": oembed_url(request, permalink), "site": ""}
    return render(request, "web/matrix.html", context)


def positions_page(request, slug: str):
    """The positions grid: one row per government, coloured and named by stance, with a date control."""
    context = positions_context(request, slug)
    if context is None:
        return bad_request("as_of must be a date as YYYY-MM-DD.")
    permalink = absolute(request, f"{request.path}?as_of={context['as_of']:%Y-%m-%d}")
    grid = absolute(request, f"{reverse('embed-positions', args=[slug])}?as_of={context['as_of']:%Y-%m-%d}")
    title = f"Where governments stand: {context['topic'].title}"
    context |= {
        "permalink": permalink,
        "oembed_url": oembed_url(request, permalink),
        "site": "",
        "snippet": embed_snippet(request, grid, title, "positions"),
    }
    return render(request, "web/positions.html", context)
