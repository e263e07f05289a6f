"""Server-rendered SVG pictures (SPEC §6a): the geometry here, the markup in templates
(`web/_timeline.html`, `web/_stance_bars.html`), so every text is escaped by the template engine.

Readable without colour: each stance has a fill pattern as well as a colour, and a label where
it fits; every picture has a data table beside it for screen readers and for copying.
"""

import datetime
from dataclasses import dataclass, field

from statements.models import Stance
from statements.positions import GovernmentTimeline

STANCES = list(Stance.values)
LABEL_WIDTH = 170  # the governments' names
PLOT_WIDTH = 640
ROW_HEIGHT = 26
AXIS_HEIGHT = 28
MIN_LABEL_WIDTH = 72  # a segment narrower than this shows its stance in its tooltip only
# The most changes a page draws: beyond that a picture is no longer readable (nor small), and
# the page links to the API's timeline instead.
PAGE_CHANGES = 400
GOVERNMENT_PAGE_CHANGES = 100  # per topic


@dataclass
class Segment:
    x: float
    width: float
    stance: str
    since: datetime.date
    until: datetime.date | None
    statement_id: int
    speaker: str
    labelled: bool


@dataclass
class Row:
    y: float
    code: str
    name: str
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Timeline:
    width: int
    height: int
    rows: list[Row]
    ticks: list[Tick]
    start: datetime.date
    end: datetime.date
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH
    axis_y: int = 0


def _ticks(start: datetime.date, end: datetime.date, x) -> list[Tick]:
    """Month ticks for spans under two years, else year ticks; at most ~8 of them."""
    span = (end - start).days
    if span < 730:
        months = [datetime.date(y, m, 1) for y in range(start.year, end.year + 1) for m in range(1, 13)]
        months = [d for d in months if start <= d <= end]
        step = max(1, len(months) // 8 + (1 if len(months) % 8 else 0))
        return [Tick(x(d), d.strftime("%b %Y")) for d in months[::step]]
    years = [datetime.date(y, 1, 1) for y in range(start.year + 1, end.year + 1)]
    step = max(1, len(years) // 8 + (1 if len(years) % 8 else 0))
    return [Tick(x(d), str(d.year)) for d in years[::step]]


def timeline(timelines: list[GovernmentTimeline], end: datetime.date) -> Timeline | None:
    """Governments as rows, time across, each stance from its change to the next (the last one
    runs to `end`). None when there is nothing to draw."""
    changes = [c for t in timelines for c in t.changes]
    if not changes:
        return None
    start = min(c.said_on for c in changes)
    last = max(c.said_on for c in changes)
    # Time runs a little past the last change (each last band goes on to today, as the caption
    # says), not to today: years of no change would squeeze every change into one corner.
    margin = datetime.timedelta(days=max(45, (last - start).days // 6))
    end = max(min(end, last + margin), last) + datetime.timedelta(days=1)
    days = max((end - start).days, 1)

    def x(day: datetime.date) -> float:
        return round(LABEL_WIDTH + PLOT_WIDTH * (day - start).days / days, 1)

    rows = []
    for i, government_timeline in enumerate(timelines):
        row = Row(
            AXIS_HEIGHT + i * ROW_HEIGHT, government_timeline.government.code, government_timeline.government.name
        )
        steps = government_timeline.changes
        for j, change in enumerate(steps):
            until = steps[j + 1].said_on if j + 1 < len(steps) else None
            left, right = x(change.said_on), x(until or end)
            width = max(round(right - left, 1), 2.0)
            row.segments.append(
                Segment(
                    left,
                    width,
                    change.to_stance,
                    change.said_on,
                    until,
                    change.statement.id,
                    change.statement.speaker.name,
                    width >= MIN_LABEL_WIDTH,
                )
            )
        rows.append(row)
    height = AXIS_HEIGHT + len(rows) * ROW_HEIGHT + 4
    return Timeline(
        LABEL_WIDTH + PLOT_WIDTH + 10, height, rows, _ticks(start, end, x), start, end, axis_y=AXIS_HEIGHT - 6
    )


@dataclass
class Bar:
    x: float
    period: datetime.date
    total: int
    parts: list[dict]  # {"stance", "count", "y", "height"}


@dataclass
class StanceBars:
    width: int
    height: int
    bars: list[Bar]
    bar_width: float
    plot_top: int
    plot_height: int
    max_total: int
    ticks: list[Tick]
    gridlines: list[dict]


BARS_HEIGHT = 220
BARS_LEFT = 40


def stance_bars(counts: list[dict]) -> StanceBars | None:
    """Stacked bars of statements per period (rows of statements.stats.statement_counts grouped by
    stance with a bucket), stances in the codebook's order from the bottom."""
    periods: dict[datetime.date, dict[str, int]] = {}
    for row in counts:
        periods.setdefault(row["period"], dict.fromkeys(STANCES, 0))[row["stance"]] += row["count"]
    if not periods or not any(sum(v.values()) for v in periods.values()):
        return None
    ordered = sorted(periods)
    max_total = max(sum(v.values()) for v in periods.values())
    slot = max(PLOT_WIDTH / len(ordered), 3.0)
    bar_width = max(round(slot * 0.8, 1), 2.0)
    top, plot_height = 10, BARS_HEIGHT - 40
    bars = []
    for i, period in enumerate(ordered):
        x0 = round(BARS_LEFT + i * slot, 1)
        y = top + plot_height
        parts = []
        for stance in STANCES:
            count = periods[period][stance]
            if not count:
                continue
            h = round(plot_height * count / max_total, 1)
            y = round(y - h, 1)
            parts.append({"stance": stance, "count": count, "y": y, "height": h})
        bars.append(Bar(x0, period, sum(periods[period].values()), parts))
    step = max(1, len(ordered) // 8 + (1 if len(ordered) % 8 else 0))
    ticks = [Tick(round(BARS_LEFT + i * slot + bar_width / 2, 1), p.strftime("%b %Y")) for i, p in enumerate(ordered)][
        ::step
    ]
    gridlines = [
        {"y": round(top + plot_height - plot_height * v / max_total, 1), "value": v}
        for v in sorted({max_total, max_total // 2} - {0})
    ]
    width = int(BARS_LEFT + len(ordered) * slot + 10)
    return StanceBars(max(width, 300), BARS_HEIGHT, bars, bar_width, top, plot_height, max_total, ticks, gridlines)


def bar_rows(bars: StanceBars | None) -> list[dict]:
    """The bars' numbers, one row per period, for the table beside the picture."""
    if bars is None:
        return []
    rows = []
    for bar in bars.bars:
        counts = {part["stance"]: part["count"] for part in bar.parts}
        rows.append({"period": bar.period, "counts": [counts.get(s, 0) for s in STANCES], "total": bar.total})
    return rows
