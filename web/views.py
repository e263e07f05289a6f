"""The public site's pages (SPEC §6a)."""

import json

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from api import shapes
from api.admission import Busy, quote_check_slot
from api.links import StatementUrls, absolute
from statements import quotecheck
from statements.filtering import FilterError, filtered_from
from statements.listing import Selection
from statements.models import Stance, Topic
from statements.positions import positions_as_of, positions_summary
from statements.quotecheck import TextError, validate_text
from web.browse import latest_rows
from web.errors import error_page

PAGE_LIMIT = 5


def _ops(match) -> list[dict]:
    return [op.as_json() for op in match.alignment.ops]


# Printed texts whose percent-encoded form is longer than this go by POST from the form (its
# script decides; without it the form sends GET, which the documented proxy accepts too).
LONG_TEXT_BYTES = 1500


@require_http_methods(["GET", "HEAD", "POST"])
def check_page(request):
    """ "Did they really say that?": a form for printed words and, once given, the statements
    they most likely come from, each with its differences marked (SPEC §9). Bad input is a 400
    page saying what was wrong, with the form to try again.

    The same check comes as GET (a shareable URL) or POST (a form body: 2,000 characters of a
    non-Latin script do not fit a request line once percent-encoded); read-only either way."""
    data = request.POST if request.method == "POST" else request.GET
    text = data.get("text", "")
    context = {
        "text": text,
        "threshold": quotecheck.MATCH_THRESHOLD,
        "limit": PAGE_LIMIT,
        "section": "check",
        "long_text_bytes": LONG_TEXT_BYTES,
    }
    if "text" not in data:
        return render(request, "web/check.html", context)
    errors = []
    try:
        validate_text(text)
    except TextError as exc:
        errors.append(f"text: {exc}")
    try:
        filtered = filtered_from(data)  # the statement filters narrow, as in the API
    except FilterError as exc:
        errors += [f"{name}: {' '.join(messages)}" for name, messages in exc.errors.items()]
        filtered = None
    if errors:
        return render(request, "web/check.html", context | {"errors": errors}, status=400)
    urls = StatementUrls(request)
    try:
        with quote_check_slot():
            check = quotecheck.check_quote(
                text,
                projection=shapes.detail_projection(urls.api_prefix, urls.page_prefix),
                selection=filtered.selection,
                limit=PAGE_LIMIT,
            )
    except Busy as exc:
        response = error_page(request, 503, reason="checks_busy")
        response["Retry-After"] = str(exc.retry_after)
        return response
    matches = [
        {"statement": json.loads(m.statement), "alignment": m.alignment, "ops": _ops(m), "matched": m.matched}
        for m in check.matches
    ]
    api_url = absolute(request, f"{reverse('api:statement-check')}?{data.urlencode()}")
    context |= {"check": check, "matches": matches, "narrowed": filtered.describe(), "api_url": api_url}
    return render(request, "web/check.html", context)


HOME_LATEST = 8


def home(request):
    """What the tracker is, the check box, search, the latest statements, the topics today."""
    today = timezone.now().date()
    topics = []
    for topic in Topic.objects.public().order_by("title"):
        positions = positions_as_of(topic=topic, as_of=today)
        counts = dict.fromkeys(Stance.values, 0)
        for position in positions:
            if position.stance:
                counts[position.stance] += 1
        topics.append({"topic": topic, "summary": positions_summary(positions, today), "counts": counts})
    context = {
        "section": "home",
        "statements": latest_rows(request, Selection(), HOME_LATEST),
        "topics": topics,
    }
    return render(request, "web/home.html", context)


def about(request):
    """What is tracked, the codebook, verification, corrections, citing, the data's licence."""
    return render(request, "web/about.html", {"section": "about", "stances": Stance.choices})
