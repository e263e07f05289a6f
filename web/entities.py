"""Index and detail pages of speakers, governments and topics (SPEC §6a)."""

from urllib.parse import urlencode

from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from api.links import absolute
from statements.listing import Selection
from statements.models import Government, Speaker, Stance, Statement, Topic
from statements.positions import TooManyChanges, government_positions, positions_as_of, positions_summary, timelines
from statements.stats import selection_counts
from web import charts, retractions, stance_timeline
from web.browse import latest_rows, statements_url
from web.pages import MAX_MATRIX_TOPICS, embed_snippet, oembed_url

LATEST = 10


def _published_counts(field: str) -> dict:
    rows = Statement.objects.published().order_by().values(field).annotate(n=Count("id"))
    return {row[field]: row["n"] for row in rows}


def _pictures(request, selection, timelines_of, caption: str, prefix: str) -> dict:
    """The stance timeline and the stance bars of a topic or a government."""
    try:
        chart = stance_timeline.timeline(timelines_of(), timezone.now().date())
        too_many = False
    except TooManyChanges:
        chart, too_many = None, True
    return _bars(selection) | {
        "chart": chart,
        "too_many_changes": too_many,
        "timeline_caption": caption,
        "prefix": prefix,
    }


def _bars(selection) -> dict:
    """The stance bars of a selection, month by month, and their rows for the table beside them."""
    bars = charts.stance_bars(selection_counts(selection, group_by=["stance"], bucket="month"))
    return {"bars": bars, "bar_rows": charts.bar_rows(bars)}


def entity_context(request, section: str, selection: Selection, name: str, value: str) -> dict:
    """What the page of a speaker, a government or a topic shares: its place in the navigation,
    its latest statements with the link to all of them (`name=value` in the list's query) and
    their feed, and its permalink."""
    return {
        "section": section,
        "statements": latest_rows(request, selection, LATEST),
        "all_url": statements_url(**{name: value}),
        "feed_query": f"{name}={value}",
        "permalink": absolute(request, request.path),
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
    context = entity_context(request, "speakers", Selection(speakers=(speaker.pk,)), "speaker", speaker.slug)
    context |= {"speaker": speaker, "roles": roles}
    return render(request, "web/speaker.html", context)


def governments_page(request):
    counts = _published_counts("government_id")
    governments = [(g, counts.get(g.code, 0)) for g in Government.objects.public().order_by("name")]
    return render(request, "web/governments.html", {"section": "governments", "governments": governments})


def _per_topic(government: Government, topics: list[Topic]) -> list[dict]:
    """Each topic's stance timeline of one government (a picture when it has said something)."""
    per_topic = []
    for topic in topics:
        try:
            most = stance_timeline.GOVERNMENT_PAGE_CHANGES
            lines = timelines(topic=topic, governments=[government.code], max_changes=most)
        except TooManyChanges:
            per_topic.append({"topic": topic, "chart": None, "too_many": True, "prefix": f"t-{topic.pk}"})
            continue
        chart = stance_timeline.timeline(lines, timezone.now().date()) if lines else None
        per_topic.append({"topic": topic, "chart": chart, "prefix": f"t-{topic.pk}", "changes": lines})
    return per_topic


def side_by_side_summary(name: str, rows: list[dict]) -> str:
    """In words, whether a government treated the groups alike: "United Kingdom took different
    stances toward different groups. Welcoming: A; B. Restrictive: C." (topics by title)."""
    by_stance: dict[str, list[str]] = {}
    for row in rows:
        if row["position"].stance:
            by_stance.setdefault(row["position"].stance, []).append(row["topic"].title)
    silent = [row["topic"].title for row in rows if not row["position"].stance]
    if not by_stance:
        return f"{name} has no published statement on any of these questions yet."
    if len(by_stance) == 1:
        ((stance, titles),) = by_stance.items()
        text = f"{name} took the same latest stance, {stance}, toward every group it spoke about: {'; '.join(titles)}."
    else:
        parts = [
            f"{stance.capitalize()}: {'; '.join(by_stance[stance])}." for stance in Stance.values if stance in by_stance
        ]
        text = f"{name} took different stances toward different groups. {' '.join(parts)}"
    if silent:
        text += f" No statement yet on: {'; '.join(silent)}."
    return text


def _side_by_side(government: Government, topics: list[Topic], per_topic: list[dict]) -> list[dict]:
    """One row per topic: the government's latest position, and how it got there."""
    positions = government_positions(government=government, topics=topics, as_of=timezone.now().date())
    rows = []
    for topic, position, entry in zip(topics, positions, per_topic, strict=True):
        lines = entry.get("changes")
        rows.append(
            {
                "topic": topic,
                "position": position,
                "changes": lines[0].changes if lines else [],
                "too_many": entry.get("too_many", False),  # then the API lists them
                "counts": [(stance, n) for stance, n in position.counts.items() if n],
            }
        )
    return rows


def government_page(request, code: str):
    government = Government.objects.public_one(code=code.upper()).first()
    if government is None:
        raise Http404("No such government")
    if code != government.code:
        return redirect("government-page", code=government.code, permanent=True)
    topics = list(Topic.objects.public().order_by("title"))
    per_topic = _per_topic(government, topics)
    side_by_side = _side_by_side(government, topics, per_topic)
    slugs = ",".join(t.slug for t in topics[:MAX_MATRIX_TOPICS])  # as many as the matrix takes
    selection = Selection(governments=(government.code,))
    context = entity_context(request, "governments", selection, "government", government.code) | _bars(selection)
    context |= {
        "government": government,
        "per_topic": [entry for entry in per_topic if entry["chart"] or entry.get("too_many")],
        "side_by_side": side_by_side,
        "side_by_side_summary": side_by_side_summary(government.name, side_by_side),
        "matrix_query": urlencode({"topic": slugs, "government": government.code}, safe=","),
        "matrix_page_query": urlencode({"topic": slugs}, safe=","),
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
    selection = Selection(topics=(topic.pk,))
    pictures = _pictures(
        request,
        selection,
        lambda: timelines(topic=topic, max_changes=stance_timeline.PAGE_CHANGES),
        f"How governments' stances on {topic.title} changed",
        "tl",
    )
    counts = {}
    for position in positions:
        if position.stance:
            counts[position.stance] = counts.get(position.stance, 0) + 1
    timeline_embed = absolute(request, reverse("embed-timeline", args=[topic.slug]))
    context = pictures | entity_context(request, "topics", selection, "topic", topic.slug)
    context |= {
        "topic": topic,
        "as_of": today,
        "positions": positions,
        "summary": positions_summary(positions, today),
        "retractions": retractions.behind_grid(topic, today, positions),
        "stance_counts": counts,
        "timeline_embed": timeline_embed,
        "snippet": embed_snippet(request, timeline_embed, f"How stances on {topic.title} changed", "timeline"),
        "oembed_url": oembed_url(request, context["permalink"]),
    }
    return render(request, "web/topic.html", context)
