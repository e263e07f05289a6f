"""Stance timelines people can read (issue 23, point 7): each topic's dense period drawn to scale
over most of the width, the few changes far from it in compressed edge panels beyond a labelled
break in the axis. On the real seeds (three topics) and on made-up dates; the browser side (a
phone opening on the dense period) is tests/browser/test_timelines_in_a_browser.py."""

import datetime

import pytest
from bs4 import BeautifulSoup

from statements.models import Government, Topic
from statements.positions import Change, GovernmentTimeline, SpeakerRef, StatementSummary, timelines
from tests.conftest import import_seeds
from web import charts, stance_timeline

TODAY = datetime.date(2026, 12, 1)
TOPICS = ["russian-mobilisation-2022", "ukrainian-refugees-2022", "afghan-evacuation-2021"]


@pytest.fixture
def three_topics(db):
    import_seeds()


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def made_up(*rows: list[tuple[str, str]]) -> list[GovernmentTimeline]:
    """Timelines from (date, stance) lists, one government each."""
    lines, next_id = [], 1
    for i, changes in enumerate(rows):
        government = Government(code=f"X{i}", name=f"Government {i}")
        steps, previous = [], None
        for said_on, stance in changes:
            summary = StatementSummary(next_id, SpeakerRef("s", "Speaker"), "Role", day(said_on), "day", stance, "…")
            steps.append(Change(day(said_on), previous, stance, summary))
            previous, next_id = stance, next_id + 1
        lines.append(GovernmentTimeline(government, steps))
    return lines


def test_the_dense_period_is_the_shortest_run_of_most_changes_widened_by_its_stragglers():
    days = [day(d) for d in ["2022-03-22"] + [f"2022-09-{n:02}" for n in range(21, 31)] * 2 + ["2022-10-02"]]
    days += [day("2022-12-28")]

    first, last = stance_timeline.focus_window(sorted(days))

    assert (sorted(days)[first], sorted(days)[last]) == (day("2022-09-21"), day("2022-10-02"))  # 2 Oct: close by


def test_changes_spread_evenly_are_drawn_to_scale_without_a_break():
    lines = made_up([(f"2022-{m:02}-01", "welcoming") for m in range(1, 12)], [("2022-06-15", "restrictive")])

    chart = stance_timeline.timeline(lines, TODAY)

    assert not chart.broken and [p.kind for p in chart.panels] == ["focus"]
    assert chart.focus.width == charts.PLOT_WIDTH and chart.note == ""
    assert chart.focus.start == day("2022-01-01") and chart.focus.end > day("2022-11-01")


def test_one_early_outlier_goes_to_a_labelled_edge_panel():
    dense = [(f"2022-09-{n:02}", stance) for n in range(20, 30) for stance in ("welcoming",)]
    lines = made_up([("2022-03-22", "restrictive")], *[[d] for d in dense])

    chart = stance_timeline.timeline(lines, TODAY)

    earlier, focus = chart.panels
    assert (earlier.kind, earlier.heading, earlier.subheading) == ("earlier", "Earlier", "Mar 2022")
    assert [(m.day, m.government) for m in earlier.marks] == [(day("2022-03-22"), "Government 0")]
    assert earlier.zigzag and earlier.break_x == stance_timeline.EDGE_WIDTH
    assert focus.heading == "20–29 Sep 2022, to scale"
    # the outlier's band runs on through the break into the dense period, as a continuation there
    band = focus.rows[0].bands[0]
    assert band.continued and band.x == 0 and band.segment.since == day("2022-03-22")
    assert chart.note.startswith("Drawn to scale for 20–29 Sep 2022, where 10 of the 11 changes are.")
    assert "The 1 earlier change (Mar 2022) sits in a narrow panel at the edge, time compressed" in chart.note


def test_a_single_change_gets_a_two_week_axis():
    chart = stance_timeline.timeline(made_up([("2021-08-17", "welcoming")]), TODAY)

    assert not chart.broken and (chart.focus.end - chart.focus.start).days >= stance_timeline.MIN_FOCUS_DAYS
    assert [t.label for t in chart.focus.ticks] == [
        "17 Aug",
        "19 Aug",
        "21 Aug",
        "23 Aug",
        "25 Aug",
        "27 Aug",
        "29 Aug",
    ]


def test_the_axis_never_runs_past_today():
    lines = made_up([("2022-09-20", "welcoming"), ("2022-09-25", "restrictive")])

    chart = stance_timeline.timeline(lines, day("2022-09-26"))

    assert chart.end == day("2022-09-27")


@pytest.mark.parametrize("slug", TOPICS)
def test_each_seed_topic_gives_its_dense_period_most_of_the_width(three_topics, slug):
    lines = timelines(topic=Topic.objects.get(slug=slug))
    days = sorted(change.said_on for line in lines for change in line.changes)

    chart = stance_timeline.timeline(lines, TODAY)

    inside = [d for d in days if chart.focus_start <= d <= chart.focus_last]
    assert len(inside) >= stance_timeline.FOCUS_SHARE * len(days)
    assert chart.focus.width / chart.plot_width >= 0.7
    assert chart.broken and chart.earlier + chart.later == len(days) - len(inside)
    # every change outside the dense period is marked, with its date, in the edge panel on its side
    marked = sorted(mark.day for panel in chart.panels if panel.kind != "focus" for mark in panel.marks)
    assert marked == [d for d in days if not chart.focus_start <= d <= chart.focus_last]
    for panel in chart.panels:
        for row in panel.rows:
            assert all(panel.plot_x <= b.x and b.x + b.width <= panel.plot_x + panel.plot_width + 2 for b in row.bands)
    # inside the dense period, time is to scale: x grows with the date at a constant rate
    days_wide = (chart.focus.end - chart.focus.start).days
    for row in chart.focus.rows:
        for band in row.bands:
            expected = chart.focus.width * (max(band.segment.since, chart.focus.start) - chart.focus.start).days
            assert band.x == pytest.approx(expected / days_wide, abs=0.1)


@pytest.mark.parametrize(
    ("slug", "heading", "edges"),
    [
        (
            "russian-mobilisation-2022",
            "21 Sep – 3 Oct 2022, to scale",
            [("Earlier", "Mar 2022"), ("Later", "Nov–Dec 2022")],
        ),
        ("ukrainian-refugees-2022", "24 Feb – 24 Apr 2022, to scale", [("Later", "2022–2024")]),
        ("afghan-evacuation-2021", "15–31 Aug 2021, to scale", [("Later", "Sep–Oct 2021")]),
    ],
)
def test_the_topic_page_labels_the_break_in_words_and_on_the_axis(three_topics, client, slug, heading, edges):
    page = BeautifulSoup(client.get(f"/topics/{slug}/").content, "html.parser")

    figure = page.select_one("svg.tl-focus").find_parent("figure")
    focus = figure.select_one("svg.tl-focus")
    assert heading in [t.get_text() for t in focus.select("text")]
    assert focus.title.get_text().endswith(heading)
    note = figure.select_one(".tl-note").get_text()
    assert note.startswith(f"Drawn to scale for {heading.removesuffix(', to scale')}") and note in focus.desc.get_text()
    panels = figure.select("svg.tl-earlier, svg.tl-later")
    assert [[t.get_text() for t in svg.select("text")][:2] for svg in panels] == [list(edge) for edge in edges]
    for svg in panels:
        assert svg.select("path[fill='none']")  # the zigzag break
        assert all(":" in mark.title.get_text() for mark in svg.select("path[fill='#1b1b1b']"))
        assert "time compressed" in svg.title.get_text()
    names = [div.get_text() for div in figure.select(".tl-names div")]
    assert names == list(dict.fromkeys(row.th.get_text() for row in figure.select("details tbody tr")))
    assert len(names) == len({line.government.code for line in timelines(topic=Topic.objects.get(slug=slug))})


def test_the_uk_remark_of_march_2022_is_marked_at_the_edge_not_squeezing_september(three_topics, client):
    """Issue 23's example: one early UK remark squeezed the September 2022 story into a sliver."""
    page = BeautifulSoup(client.get("/topics/russian-mobilisation-2022/").content, "html.parser")

    earlier = page.select_one("svg.tl-earlier")
    assert [m.title.get_text() for m in earlier.select("path[fill='#1b1b1b']")] == ["United Kingdom: 22 Mar 2022"]
    uk = [a for a in page.select("svg.timeline a") if a.title.get_text().startswith("United Kingdom:")]
    assert [a.get("tabindex") for a in uk] == [None, "-1", "-1"]  # one tab stop; it runs on through both breaks
    assert "restrictive from 22 Mar 2022" in uk[0].title.get_text()
