"""The stance timeline's geometry (SPEC §6a): governments as rows, time across, each stance a band
from the change that set it to the next; its markup is `web/_timeline.html`.

A topic's changes bunch up (most of the September 2022 story fell in two weeks) while a few lie
months away; drawn to one scale, those few squeezed the story into a sliver. So the axis is
broken: the dense period is drawn to scale over most of the width, and the changes well before
or after it sit in narrow edge panels with time compressed, beyond a break drawn and said in words.
"""

import datetime
import math
from dataclasses import dataclass, field

from statements.positions import GovernmentTimeline
from web.charts import PLOT_WIDTH, Tick

ROW_HEIGHT = 26
AXIS_HEIGHT = 40  # two lines above the rows: what a panel shows, then its ticks
MIN_LABEL_WIDTH = 72  # a band narrower than this shows its stance in its tooltip only
# The most changes a page draws: beyond that a picture is no longer readable (nor small), and
# the page links to the API's timeline instead.
PAGE_CHANGES = 400
GOVERNMENT_PAGE_CHANGES = 100  # per topic

# A timeline's dense period: the shortest run of change dates holding this share of them. One
# early remark (the UK's in March 2022 on the September mobilisation) drawn to scale squeezed the
# whole story into a sliver; the few changes outside the run go into narrow, compressed panels at
# the edges, beyond a break in the axis, and the dense period gets most of the width.
FOCUS_SHARE = 0.85
FOCUS_WIDTH = 600  # the dense period's panel beside edge panels: 75-86 % of the plot
EDGE_WIDTH = 84  # an edge panel's plot
BREAK_WIDTH = 14  # the gap with the break marks, on an edge panel's inner side
MIN_FOCUS_DAYS = 14  # one government's single change still gets an axis of two weeks, not of days


@dataclass
class Segment:
    """One stance of one government, from the change that set it until the next (None: today)."""

    stance: str
    since: datetime.date
    until: datetime.date | None
    statement_id: int
    speaker: str
    date_precision: str
    until_precision: str = "day"


@dataclass
class Row:
    code: str
    name: str
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Band:
    """What a panel draws of a segment: its part between the panel's dates. `continued`: the
    segment began before the panel (its link is drawn where it began; this part is not a tab stop)."""

    x: float
    width: float
    segment: Segment
    continued: bool

    @property
    def labelled(self) -> bool:
        return self.width >= MIN_LABEL_WIDTH


@dataclass
class Mark:
    """A change drawn in a compressed edge panel, marked on its axis by a small triangle."""

    x: float
    day: datetime.date
    government: str

    @property
    def path(self) -> str:
        return f"M{self.x - 4:g} {AXIS_HEIGHT - 9}L{self.x + 4:g} {AXIS_HEIGHT - 9}L{self.x:g} {AXIS_HEIGHT - 2}Z"


@dataclass
class PanelRow:
    y: int
    name: str
    bands: list[Band]


@dataclass
class Panel:
    """One part of a broken time axis: `focus` (to scale) or an `earlier` / `later` edge panel,
    compressed, with its break marks between `break_x` and `break_x + BREAK_WIDTH`."""

    kind: str
    start: datetime.date
    end: datetime.date  # exclusive
    width: int
    heading: str
    subheading: str
    ticks: list[Tick]
    rows: list[PanelRow]
    marks: list[Mark] = field(default_factory=list)
    break_x: int | None = None
    zigzag: str = ""  # the break marks' path, once the picture's height is known

    @property
    def plot_x(self) -> int:
        """Where the panel's own time axis begins (after the break, on a `later` panel)."""
        return BREAK_WIDTH if self.kind == "later" else 0

    @property
    def plot_width(self) -> int:
        return self.width - (BREAK_WIDTH if self.break_x is not None else 0)

    def break_path(self, height: int) -> str:
        """Two zigzag lines down the break: the axis does not run on here."""
        lines = []
        for offset in (4, 9):
            x0, points = self.break_x + offset, []
            for i, y in enumerate(range(AXIS_HEIGHT - 12, height + 1, 6)):
                points.append(f"{x0 + (2 if i % 2 else -1)} {y}")
            lines.append("M" + "L".join(points))
        return "".join(lines)


@dataclass
class Timeline:
    height: int
    rows: list[Row]
    panels: list[Panel]
    start: datetime.date
    end: datetime.date
    focus_start: datetime.date
    focus_last: datetime.date  # the last change inside the dense period
    earlier: int = 0  # changes drawn in the compressed edge panels
    later: int = 0
    axis_height: int = AXIS_HEIGHT
    row_height: int = ROW_HEIGHT

    @property
    def broken(self) -> bool:
        return bool(self.earlier or self.later)

    @property
    def focus(self) -> Panel:
        return next(panel for panel in self.panels if panel.kind == "focus")

    @property
    def plot_width(self) -> int:
        return sum(panel.width for panel in self.panels)

    @property
    def note(self) -> str:
        """What the broken axis means, in words (under the picture and in its description)."""
        if not self.broken:
            return ""
        total = sum(len(row.segments) for row in self.rows)
        outside = [
            f"{count} {kind} change{'s' if count > 1 else ''} ({panel.subheading})"
            for count, kind, panel in (
                (self.earlier, "earlier", self.panels[0]),
                (self.later, "later", self.panels[-1]),
            )
            if count
        ]
        where = "narrow panels at the edges" if len(outside) > 1 else "a narrow panel at the edge"
        breaks = "breaks" if len(outside) > 1 else "break"
        sit = "sits" if self.earlier + self.later == 1 else "sit"
        inside = total - self.earlier - self.later
        return (
            f"Drawn to scale for {_range_text(self.focus_start, self.focus_last)}, where {inside}"
            f" of the {total} changes are. The {' and the '.join(outside)} {sit} in {where}, time compressed, beyond"
            f" the zigzag {breaks} in the axis; the table lists every change with its date."
        )


def focus_window(days: list[datetime.date]) -> tuple[int, int]:
    """Indexes (first, last) in sorted `days` of the dense period: the shortest run holding
    FOCUS_SHARE of them, widened while the next day outside is close (within half the run's
    span, at least 3 days), so a period's stragglers stay in it."""
    n = len(days)
    size = max(1, math.ceil(n * FOCUS_SHARE))
    first = min(range(n - size + 1), key=lambda i: (days[i + size - 1] - days[i], i))
    last = first + size - 1
    while True:
        reach = max(datetime.timedelta(days=3), (days[last] - days[first]) / 2)
        if first > 0 and days[first] - days[first - 1] <= reach:
            first -= 1
        elif last < n - 1 and days[last + 1] - days[last] <= reach:
            last += 1
        else:
            return first, last


def _range_text(start: datetime.date, last: datetime.date) -> str:
    """'21 Sep – 3 Oct 2022', '15–31 Aug 2021', '30 Dec 2021 – 4 Jan 2022', '3 Oct 2022'."""
    if start == last:
        return f"{start.day} {start:%b %Y}"
    if (start.year, start.month) == (last.year, last.month):
        return f"{start.day}–{last.day} {last:%b %Y}"
    if start.year == last.year:
        return f"{start.day} {start:%b} – {last.day} {last:%b %Y}"
    return f"{start.day} {start:%b %Y} – {last.day} {last:%b %Y}"


def _span_text(days: list[datetime.date]) -> str:
    """The compact span of an edge panel's changes: 'Mar 2022', 'Sep–Oct 2021', '2022–2024'."""
    first, last = min(days), max(days)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%b %Y}"
    if first.year == last.year:
        return f"{first:%b}–{last:%b %Y}"
    return f"{first.year}–{last.year}"


_TICK_STEPS = [(1, "day"), (2, "day"), (7, "day"), (14, "day"), (1, "month"), (2, "month"), (3, "month")]
_TICK_STEPS += [(6, "month"), (1, "year"), (2, "year"), (5, "year"), (10, "year")]


def _tick_days(start: datetime.date, end: datetime.date, step: int, unit: str) -> list[datetime.date]:
    if unit == "day":
        first = start if step < 7 else start + datetime.timedelta(days=-start.weekday() % 7)  # Mondays
        return [first + datetime.timedelta(days=d) for d in range(0, (end - first).days, step)]
    months = 12 if unit == "year" else 1
    index = start.year * 12 + start.month - 1
    index += -index % (step * months)  # the first whole step on or after start
    days = []
    while (day := datetime.date(index // 12, index % 12 + 1, 1)) < end:
        if day >= start:
            days.append(day)
        index += step * months
    return days


def _ticks(start: datetime.date, end: datetime.date, x, width: float) -> list[Tick]:
    """Ticks at whole days, weeks, months or years, the finest step that leaves ~70 px per label."""
    most = max(1, int(width // 70))
    for step, unit in _TICK_STEPS:
        days = _tick_days(start, end, step, unit)
        if len(days) <= most:
            break
    label = {"day": lambda d: f"{d.day} {d:%b}", "month": lambda d: f"{d:%b %Y}", "year": lambda d: str(d.year)}[unit]
    ticks = [Tick(x(day), label(day)) for day in days]
    for tick in ticks:
        tick.anchor = "start" if tick.x < 30 else "end" if tick.x > width - 30 else "middle"
    return ticks


def _scale(start: datetime.date, end: datetime.date, left: float, width: float):
    days = max((end - start).days, 1)
    return lambda day: round(left + width * (day - start).days / days, 1)


def _bands(rows: list[Row], start: datetime.date, end: datetime.date, x) -> list[PanelRow]:
    """Each row's segments clipped to [start, end), in the panel's coordinates."""
    drawn = []
    for i, row in enumerate(rows):
        bands = []
        for segment in row.segments:
            until = segment.until or end
            if segment.since >= end or until <= start:
                continue
            left, right = x(max(segment.since, start)), x(min(until, end))
            bands.append(Band(left, max(round(right - left, 1), 2.0), segment, segment.since < start))
        drawn.append(PanelRow(AXIS_HEIGHT + i * ROW_HEIGHT, row.name, bands))
    return drawn


def _rows(timelines: list[GovernmentTimeline]) -> list[Row]:
    rows = []
    for timeline in timelines:
        row = Row(timeline.government.code, timeline.government.name)
        for change, following in zip(timeline.changes, [*timeline.changes[1:], None], strict=True):
            summary = change.statement
            row.segments.append(
                Segment(
                    change.to_stance,
                    change.said_on,
                    following.said_on if following else None,
                    summary.id,
                    summary.speaker.name,
                    summary.date_precision,
                    following.statement.date_precision if following else "day",
                )
            )
        rows.append(row)
    return rows


def _edge_panel(kind: str, rows: list[Row], start: datetime.date, end: datetime.date, days) -> Panel:
    """A compressed panel for the few changes before or after the dense period, its break on the
    side that faces it, each change marked on its axis."""
    left = 0 if kind == "earlier" else BREAK_WIDTH
    x = _scale(start, end, left, EDGE_WIDTH)
    inside = lambda day: min(max(x(day), left + 4), left + EDGE_WIDTH - 4)  # noqa: E731 (a whole triangle)
    marks = [
        Mark(inside(segment.since), segment.since, row.name)
        for row in rows
        for segment in row.segments
        if start <= segment.since < end
    ]
    return Panel(
        kind,
        start,
        end,
        EDGE_WIDTH + BREAK_WIDTH,
        kind.capitalize(),
        _span_text(days),
        [],
        _bands(rows, start, end, x),
        sorted(marks, key=lambda m: (m.x, m.government)),
        break_x=EDGE_WIDTH if kind == "earlier" else 0,
    )


def _until_today(last: datetime.date, pad: int, today: datetime.date) -> datetime.date:
    """Where the axis ends (exclusive): `pad` days past the last change, but not past today."""
    one = datetime.timedelta(days=1)
    return max(min(last + datetime.timedelta(days=pad), today) + one, last + one)


def timeline(timelines: list[GovernmentTimeline], end: datetime.date) -> Timeline | None:
    """Governments as rows, time across, each stance from its change to the next (the last one
    runs on to today). The dense period is drawn to scale; changes well before or after it sit in
    compressed edge panels beyond a break in the axis. None when there is nothing to draw."""
    rows = _rows(timelines)
    days = sorted(segment.since for row in rows for segment in row.segments)
    if not days:
        return None
    first, last = focus_window(days)
    focus_start, focus_last = days[first], days[last]
    if (focus_last - focus_start).days * 2 + 2 > (days[-1] - days[0]).days:
        first, last, focus_start, focus_last = 0, len(days) - 1, days[0], days[-1]  # to scale as it is
    earlier, later = days[:first], days[last + 1 :]
    span = (focus_last - focus_start).days
    # Time runs a little past the last change (each last band goes on to today, as the caption
    # says), not to today: years of no change would squeeze every change into one corner.
    pad = max(1, span // 20) if later else max(2, span // 6, MIN_FOCUS_DAYS - span - 1)
    focus_end = _until_today(focus_last, pad, end) if not later else focus_last + datetime.timedelta(days=pad + 1)
    width = FOCUS_WIDTH if earlier or later else PLOT_WIDTH
    x = _scale(focus_start, focus_end, 0, width)
    heading = f"{_range_text(focus_start, focus_last)}, to scale" if earlier or later else ""
    ticks = _ticks(focus_start, focus_end, x, width)
    panels = [
        Panel("focus", focus_start, focus_end, width, heading, "", ticks, _bands(rows, focus_start, focus_end, x))
    ]
    if earlier:
        panels.insert(0, _edge_panel("earlier", rows, earlier[0], focus_start, earlier))
    if later:
        tail = max(1, (later[-1] - focus_end).days // 5)
        panels.append(_edge_panel("later", rows, focus_end, _until_today(later[-1], tail, end), later))
    height = AXIS_HEIGHT + len(rows) * ROW_HEIGHT + 4
    for panel in panels:
        if panel.break_x is not None:
            panel.zigzag = panel.break_path(height)
    return Timeline(
        height, rows, panels, panels[0].start, panels[-1].end, focus_start, focus_last, len(earlier), len(later)
    )
