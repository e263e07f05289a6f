"""Comparison: each government's position on a topic as of a date, stance timelines, statistics.

Positions read the trigger-maintained `PositionStep` rows: one index probe per government
(a LATERAL lookup), then one query for the statements behind them. The number of queries is
fixed, whatever the number of governments and statements.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django_countries import countries

from statements.models import Government, PositionStep, Stance, Statement, Topic

STANCES = list(Stance.values)


@dataclass
class Position:
    """One government's position as of a date. `stance` is None when it had said nothing yet."""

    government: Government
    stance: str | None = None
    since: datetime.date | None = None
    previous_stance: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STANCES, 0))
    statement: Statement | None = None


@dataclass
class Change:
    said_on: datetime.date
    from_stance: str | None
    to_stance: str
    statement: Statement


@dataclass
class GovernmentTimeline:
    government: Government
    changes: list[Change]


_POSITIONS_SQL = """
SELECT g.code, g.name, p.statement_id, p.stance, p.since, p.run_previous_stance,
       p.welcoming_count, p.conditional_count, p.restrictive_count, p.neutral_count
FROM {governments} AS g
{join} LATERAL (
    SELECT * FROM statements_positionstep AS p
    WHERE p.topic_id = %(topic)s AND p.government_id = g.code AND p.said_on <= %(as_of)s
    ORDER BY p.said_on DESC, p.tie_date DESC, p.statement_id DESC
    LIMIT 1
) AS p {on}
"""
# Every government, or just the named ones (which may not be in the table yet: their name then
# comes from the ISO list).
_ALL_GOVERNMENTS = "statements_government"
_NAMED_GOVERNMENTS = """(
    SELECT code, COALESCE(gov.name, '') AS name
    FROM unnest(%(codes)s::text[]) AS code LEFT JOIN statements_government AS gov USING (code)
)"""


def summaries(ids) -> dict[int, Statement]:
    """The statements behind positions and timelines, with what a summary shows, in one query."""
    rows = Statement.objects.filter(pk__in=list(ids)).select_related("speaker")
    return {statement.pk: statement for statement in rows.only(*SUMMARY_FIELDS)}


SUMMARY_FIELDS = [
    "id",
    "speaker__slug",
    "speaker__name",
    "role",
    "said_on",
    "date_precision",
    "stance",
    "quote",
    "government_id",
]


def positions_as_of(
    *, topic: Topic, as_of: datetime.date, governments: list[str] | None = None, stances: list[str] | None = None
) -> list[Position]:
    """Each government's position on `topic` as of `as_of` (SPEC §5 "Positions"), by name.

    Without `governments`: every government with a published statement on the topic by then.
    With it: exactly those, a government with no statement yet having `stance=None`.
    `stances` keeps only governments whose current stance is one of them.
    """
    named = bool(governments)
    sql = _POSITIONS_SQL.format(
        governments=_NAMED_GOVERNMENTS if named else _ALL_GOVERNMENTS,
        join="LEFT JOIN" if named else "CROSS JOIN",
        on="ON true" if named else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"topic": topic.pk, "as_of": as_of, "codes": governments or []})
        rows = cursor.fetchall()
    if stances:
        rows = [row for row in rows if row[3] in stances]
    statements = summaries(row[2] for row in rows if row[2] is not None)
    positions = []
    for code, name, statement_id, stance, since, previous, *counts in rows:
        government = Government(code=code, name=name or countries.name(code))
        if statement_id is None:
            positions.append(Position(government=government))
            continue
        positions.append(
            Position(
                government=government,
                stance=stance,
                since=since,
                previous_stance=previous,
                counts=dict(zip(STANCES, counts, strict=True)),
                statement=statements[statement_id],
            )
        )
    positions.sort(key=lambda p: (p.government.name, p.government.code))
    return positions


def positions_summary(positions: list[Position], as_of: datetime.date) -> str:
    """ "As of 27 Sep 2022: 5 welcoming, 3 conditional, 9 restrictive, 2 neutral" (+ "1 no statement")."""
    tally = Counter(p.stance for p in positions)
    parts = [f"{tally[stance]} {stance}" for stance in STANCES]
    if tally[None]:
        parts.append(f"{tally[None]} no statement")
    return f"As of {as_of.day} {as_of:%b %Y}: {', '.join(parts)}"


MAX_TIMELINE_CHANGES = 5000


class TooManyChanges(Exception):
    pass


def timelines(*, topic: Topic, governments: list[str] | None = None) -> list[GovernmentTimeline]:
    """Per government (by name), each dated change of stance on `topic`; the first is from None.

    Raises TooManyChanges past MAX_TIMELINE_CHANGES rather than returning a partial answer.
    """
    steps = _change_steps(topic, governments)
    if len(steps) > MAX_TIMELINE_CHANGES:
        raise TooManyChanges(f"More than {MAX_TIMELINE_CHANGES} changes; name fewer governments.")
    statements = summaries(step.statement_id for step in steps)
    by_government: dict[str, GovernmentTimeline] = {}
    for step in steps:
        timeline = by_government.setdefault(step.government_id, GovernmentTimeline(step.government, []))
        timeline.changes.append(Change(step.said_on, step.previous_stance, step.stance, statements[step.statement_id]))
    return sorted(by_government.values(), key=lambda t: (t.government.name, t.government.code))


def _change_steps(topic: Topic, governments: list[str] | None) -> list[PositionStep]:
    steps = PositionStep.objects.filter(topic=topic, is_change=True).select_related("government")
    if governments:
        steps = steps.filter(government__in=governments)
    return list(steps.order_by("government_id", "said_on", "tie_date", "statement_id")[: MAX_TIMELINE_CHANGES + 1])
