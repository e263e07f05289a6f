"""Server-rendered SVG pictures (SPEC §6a): the geometry here and in `web/stance_timeline.py`,
the markup in templates (`web/_timeline.html`, `web/_stance_bars.html`), so every text is escaped
by the template engine.

Readable without colour: each stance has a fill pattern as well as a colour, and a label where
it fits; every picture has a data table beside it for screen readers and for copying.
"""

import datetime
from dataclasses import dataclass

from statements.models import Stance

STANCES = list(Stance.values)
PLOT_WIDTH = 640  # the stance bars' plot, and a timeline's when it needs no break


@dataclass
class Tick:
    x: float
    label: str
    anchor: str = "middle"  # "start" or "end" near a panel's edges, so the label stays whole


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
