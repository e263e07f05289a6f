"""Index and detail pages of speakers, governments and topics (SPEC §6a)."""

from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from api.links import absolute
from statements.listing import Selection
from statements.models import Government, Speaker, Statement, Topic
from statements.positions import TooManyChanges, positions_as_of, positions_summary, timelines
from statements.stats import selection_counts
from web import charts, retractions
from web.browse import latest_rows, statements_url
from web.pages import embed_snippet, oembed_url

LATEST = 10


def _published_counts(field: str) -> dict:
    rows = Statement.objects.published().order_by().values(field).annotate(n=Count("id"))
    return {row[field]: row["n"] for row in rows}


def _pictures(request, selection, timelines_of, caption: str, prefix: str) -> dict:
    """The stance timeline and the stance bars of a topic or a government."""
    try:
        chart = charts.timeline(timelines_of(), timezone.now().date())
        too_many = False
    except TooManyChanges:
        chart, too_many = None, True
    bars = charts.stance_bars(selection_counts(selection, group_by=["stance"], bucket="month"))
    return {
        "chart": chart,
        "too_many_changes": too_many,
        "bars": bars,
        "bar_rows": charts.bar_rows(bars),
        "timeline_caption": caption,
        "prefix": prefix,
    }


def speakers_page(request):
    counts = _published_counts("speaker_id")
    speakers = [(s, counts.get(s.pk, 0)) for s in Speaker.objects.public().order_by("name", "slug")]
    return render(request, "web/speakers.html", {"section": "speakers", "speakers": speakers})


def speaker_page(request, slug: str):
    speaker = get_object_or_404(Speaker.objects.public_one(slug=slug))
    roles = list(Statement.objects.published().filter(speaker=speaker).roles_by_speaker())
    governments = {g.code: g.name for g in Government.objects.filter(code__in={r["government_id"] for r in roles})}
    for role in roles:
        role["government_name"] = governments.get(role["government_id"], role["government_id"])
    context = {
        "section": "speakers",
        "speaker": speaker,
        "roles": roles,
        "statements": latest_rows(request, Selection(speakers=(speaker.pk,)), LATEST),
        "all_url": statements_url(speaker=speaker.slug),
        "feed_query": f"speaker={speaker.slug}",
        "permalink": absolute(request, request.path),
    }
    return render(request, "web/speaker.html", context)


def governments_page(request):
    counts = _published_counts("government_id")
    governments = [(g, counts.get(g.code, 0)) for g in Government.objects.public().order_by("name")]
    return render(request, "web/governments.html", {"section": "governments", "governments": governments})


def government_page(request, code: str):
    government = Government.objects.public_one(code=code.upper()).first()
    if government is None:
        raise Http404("No such government")
    if code != government.code:
        return redirect("government-page", code=government.code, permanent=True)
    topics = list(Topic.objects.public().order_by("title"))
    per_topic = []
    for topic in topics:
        try:
            lines = timelines(topic=topic, governments=[government.code], max_changes=charts.GOVERNMENT_PAGE_CHANGES)
        except TooManyChanges:
            per_topic.append({"topic": topic, "chart": None, "too_many": True, "prefix": f"t-{topic.pk}"})
            continue
        if lines:
            chart = charts.timeline(lines, timezone.now().date())
            per_topic.append({"topic": topic, "chart": chart, "prefix": f"t-{topic.pk}"})
    bars = charts.stance_bars(
        selection_counts(Selection(governments=(government.code,)), group_by=["stance"], bucket="month")
    )
    context = {
        "section": "governments",
        "government": government,
        "per_topic": per_topic,
        "bars": bars,
        "bar_rows": charts.bar_rows(bars),
        "statements": latest_rows(request, Selection(governments=(government.code,)), LATEST),
        "all_url": statements_url(government=government.code),
        "feed_query": f"government={government.code}",
        "permalink": absolute(request, request.path),
    }
    return render(request, "web/government.html", context)


def topics_page(request):
    counts = _published_counts("topic_id")
    topics = [(t, counts.get(t.pk, 0)) for t in Topic.objects.public().order_by("title")]
    return render(request, "web/topics.html", {"section": "topics", "topics": topics})


def topic_page(request, slug: str):
    topic = get_object_or_404(Topic.objects.public_one(slug=slug))
    today = timezone.now().date()
    positions = positions_as_of(topic=topic, as_of=today)
    pictures = _pictures(
        request,
        Selection(topics=(topic.pk,)),
        lambda: timelines(topic=topic, max_changes=charts.PAGE_CHANGES),
        f"How governments' stances on {topic.title} changed",
        "tl",
    )
    counts = {}
    for position in positions:
        if position.stance:
            counts[position.stance] = counts.get(position.stance, 0) + 1
    permalink = absolute(request, request.path)
    timeline_embed = absolute(request, reverse("embed-timeline", args=[topic.slug]))
    context = pictures | {
        "section": "topics",
        "topic": topic,
        "as_of": today,
        "positions": positions,
        "summary": positions_summary(positions, today),
        "retractions": retractions.behind_grid(topic, today, positions),
        "stance_counts": counts,
        "statements": latest_rows(request, Selection(topics=(topic.pk,)), LATEST),
        "all_url": statements_url(topic=topic.slug),
        "feed_query": f"topic={topic.slug}",
        "permalink": permalink,
        "timeline_embed": timeline_embed,
        "snippet": embed_snippet(request, timeline_embed, f"How stances on {topic.title} changed", "timeline"),
        "oembed_url": oembed_url(request, permalink),
    }
    return render(request, "web/topic.html", context)
