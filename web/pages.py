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
from api.links import absolute, prefix
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
        "dateCreated": statement.said_on.isoformat(),
        "isBasedOn": sources[0].url if sources else None,
        "citation": [source.url for source in sources],
        "about": statement.topic.title,
        "spatialCoverage": {"@type": "Country", "name": statement.government.name},
    }


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
    context = {
        "statement": statement,
        "citation": _citation(request, pk),
        "permalink": permalink,
        "oembed_url": oembed_url(request, permalink),
        "jsonld": json_for_script(quotation_jsonld(statement, permalink)),
    }
    return render(request, "web/statement.html", context)


class AsOfForm(forms.Form):
    as_of = forms.DateField(required=False, input_formats=["%Y-%m-%d"])


def parse_as_of(request):
    """The as_of of a page or embed (default today, UTC); None when the value is bad."""
    form = AsOfForm({"as_of": request.GET.get("as_of", "")})
    if not form.is_valid():
        return None
    return form.cleaned_data["as_of"] or timezone.now().date()


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
    slugs = [slug.strip() for value in request.GET.getlist("topic") for slug in value.split(",") if slug.strip()]
    public = {t.slug: t for t in Topic.objects.public()}
    if not slugs:
        topics = sorted(public.values(), key=lambda t: t.title)[:MAX_MATRIX_TOPICS]
    else:
        if len(set(slugs)) != len(slugs) or not 1 <= len(slugs) <= MAX_MATRIX_TOPICS:
            raise ValueError(f"topic takes 1 to {MAX_MATRIX_TOPICS} different topic slugs.")
        unknown = [slug for slug in slugs if slug not in public]
        if unknown:
            raise Http404(f"No such topic: {', '.join(unknown)}")
        topics = [public[slug] for slug in slugs]
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
        "all_topics": sorted(public.values(), key=lambda t: t.title),
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
    context |= {"permalink": permalink, "oembed_url": oembed_url(request, permalink), "site": ""}
    return render(request, "web/positions.html", context)
