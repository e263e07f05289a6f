"""Comparison: each government's position on a topic as of a date, stance timelines, statistics.

Positions read the trigger-maintained `PositionStep` rows: one index probe per government
(a LATERAL lookup) joined to the statement behind it, in one query whatever the number of
governments and statements. Results are plain dataclasses, not model instances: this is a hot
path (see bench/positions.py).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import connections
from django_countries import countries

from statements.models import Government, Stance, Topic
from tracker.db_router import reads

STANCES = list(Stance.values)


@dataclass(frozen=True)
class SpeakerRef:
    slug: str
    name: str


@dataclass(frozen=True)
class StatementSummary:
    """What positions, compare and timelines show of a statement (no model instance needed)."""

    id: int
    speaker: SpeakerRef
    role: str
    said_on: datetime.date
    date_precision: str
    stance: str
    quote: str

    @property
    def pk(self) -> int:
        return self.id


@dataclass
class Position:
    """One government's position as of a date. `stance` is None when it had said nothing yet."""

    government: Government
    stance: str | None = None
    since: datetime.date | None = None
    previous_stance: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STANCES, 0))
    statement: StatementSummary | None = None


@dataclass
class Change:
    said_on: datetime.date
    from_stance: str | None
    to_stance: str
    statement: StatementSummary


@dataclass
class GovernmentTimeline:
    government: Government
    changes: list[Change]


# The statement summary's columns: each step `p` carries them, its speaker's slug and name too.
_SUMMARY_COLUMNS = (
    "p.statement_id, p.speaker_slug, p.speaker_name, p.role, p.said_on, p.date_precision, p.stance, p.quote"
)

_POSITIONS_SQL = (
    """
SELECT g.code, g.name, p.stance, p.since, p.run_previous_stance,
       p.welcoming_count, p.conditional_count, p.restrictive_count, p.neutral_count, """
    + _SUMMARY_COLUMNS
    + """
FROM {governments} AS g
{join} LATERAL (
    SELECT * FROM statements_positionstep AS p
    WHERE p.topic_id = %(topic)s AND p.government_id = g.code AND p.said_on <= %(as_of)s
    ORDER BY p.said_on DESC, p.tie_date DESC, p.statement_id DESC
    LIMIT 1
) AS p {on}
"""
    + "{where}"
)
# Every government, or just the named ones (which may not be in the table yet: their name then
# comes from the ISO list).
_ALL_GOVERNMENTS = "statements_government"
_NAMED_GOVERNMENTS = """(
    SELECT code, COALESCE(gov.name, '') AS name
    FROM unnest(%(codes)s::text[]) AS code LEFT JOIN statements_government AS gov USING (code)
)"""


def _summary(columns) -> StatementSummary | None:
    statement_id, slug, name, role, said_on, precision, stance, quote = columns
    if statement_id is None:
        return None
    return StatementSummary(statement_id, SpeakerRef(slug, name), role, said_on, precision, stance, quote)


def positions_sql(*, named: bool, stances: bool) -> str:
    return _POSITIONS_SQL.format(
        governments=_NAMED_GOVERNMENTS if named else _ALL_GOVERNMENTS,
        join="LEFT JOIN" if named else "CROSS JOIN",
        on="ON true" if named else "",
        where="WHERE p.stance = ANY(%(stances)s)" if stances else "",
    )


def positions_as_of(
    *, topic: Topic, as_of: datetime.date, governments: list[str] | None = None, stances: list[str] | None = None
) -> list[Position]:
    """Each government's position on `topic` as of `as_of` (SPEC §5 "Positions"), by name. One query.

    Without `governments`: every government with a published statement on the topic by then.
    With it: exactly those, a government with no statement yet having `stance=None`.
    `stances` keeps only governments whose current stance is one of them.
    """
    sql = positions_sql(named=bool(governments), stances=bool(stances))
    with connections[reads()].cursor() as cursor:
        cursor.execute(sql, {"topic": topic.pk, "as_of": as_of, "codes": governments or [], "stances": stances or []})
        rows = cursor.fetchall()
    positions = []
    for code, name, stance, since, previous, *rest in rows:
        government = Government(code=code, name=name or countries.name(code))
        if stance is None:
            positions.append(Position(government=government))
            continue
        counts, summary = rest[:4], rest[4:]
        positions.append(
            Position(
                government=government,
                stance=stance,
                since=since,
                previous_stance=previous,
                counts=dict(zip(STANCES, counts, strict=True)),
                statement=_summary(summary),
            )
        )
    positions.sort(key=lambda p: (p.government.name, p.government.code))
    return positions


_GOVERNMENT_POSITIONS_SQL = (
    """
SELECT p.stance, p.since, p.run_previous_stance,
       p.welcoming_count, p.conditional_count, p.restrictive_count, p.neutral_count, """
    + _SUMMARY_COLUMNS
    + """
FROM unnest(%(topics)s::bigint[]) WITH ORDINALITY AS t(id, ord)
LEFT JOIN LATERAL (
    SELECT * FROM statements_positionstep AS p
    WHERE p.topic_id = t.id AND p.government_id = %(code)s AND p.said_on <= %(as_of)s
    ORDER BY p.said_on DESC, p.tie_date DESC, p.statement_id DESC
    LIMIT 1
) AS p ON true
ORDER BY t.ord
"""
)


def government_positions(*, government: Government, topics: list[Topic], as_of: datetime.date) -> list[Position]:
    """One government's position on each of `topics` as of `as_of`, in the topics' order: how it
    treated each group, side by side (`stance=None` where it had said nothing on one). One query,
    one index probe per topic."""
    with connections[reads()].cursor() as cursor:
        cursor.execute(
            _GOVERNMENT_POSITIONS_SQL, {"topics": [t.pk for t in topics], "code": government.code, "as_of": as_of}
        )
        rows = cursor.fetchall()
    positions = []
    for stance, since, previous, *rest in rows:
        position = Position(government=government)
        if stance is not None:
            position.stance, position.since, position.previous_stance = stance, since, previous
            position.counts = dict(zip(STANCES, rest[:4], strict=True))
            position.statement = _summary(rest[4:])
        positions.append(position)
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


_CHANGES_SQL = (
    """
SELECT p.government_id, g.name, p.said_on, p.previous_stance, p.stance, """
    + _SUMMARY_COLUMNS
    + """
FROM statements_positionstep AS p
JOIN statements_government AS g ON g.code = p.government_id
WHERE p.topic_id = %(topic)s AND p.is_change {governments}
ORDER BY g.name, p.government_id, p.said_on, p.tie_date, p.statement_id
LIMIT %(limit)s
"""
)


def timelines(
    *, topic: Topic, governments: list[str] | None = None, max_changes: int = MAX_TIMELINE_CHANGES
) -> list[GovernmentTimeline]:
    """Per government (by name), each dated change of stance on `topic`; the first is from None.

    One query. Raises TooManyChanges past `max_changes` (MAX_TIMELINE_CHANGES for the API; a
    picture on a page asks for fewer) rather than answer in part.
    """
    sql = _CHANGES_SQL.format(governments="AND p.government_id = ANY(%(codes)s)" if governments else "")
    with connections[reads()].cursor() as cursor:
        cursor.execute(sql, {"topic": topic.pk, "codes": governments or [], "limit": max_changes + 1})
        rows = cursor.fetchall()
    if len(rows) > max_changes:
        raise TooManyChanges(f"More than {max_changes} changes; name fewer governments.")
    result: list[GovernmentTimeline] = []
    for code, name, said_on, previous, stance, *summary in rows:
        if not result or result[-1].government.code != code:
            result.append(GovernmentTimeline(Government(code=code, name=name), []))
        result[-1].changes.append(Change(said_on, previous, stance, _summary(summary)))
    return result


# The latest (and first) step of one (topic, government) pair: one probe of the steps' index.
_LATEST_STEP = """
    SELECT * FROM statements_positionstep AS p
    WHERE p.topic_id = {topic} AND p.government_id = {government}
    ORDER BY p.said_on DESC, p.tie_date DESC, p.statement_id DESC LIMIT 1
"""
_FIRST_STEP = """
    SELECT p.said_on FROM statements_positionstep AS p
    WHERE p.topic_id = {topic} AND p.government_id = {government}
    ORDER BY p.said_on, p.tie_date, p.statement_id LIMIT 1
"""
_TOTAL = "p.welcoming_count + p.conditional_count + p.restrictive_count + p.neutral_count"


def government_summaries(codes: list[str]) -> dict[str, dict]:
    """Per government: its published statement count and its latest stance on each topic.

    One query of (governments × topics) index probes, whatever the number of statements.
    """
    sql = f"""
        SELECT g.code, t.slug, p.stance, p.said_on, p.statement_id, {_TOTAL}
        FROM unnest(%(codes)s::text[]) AS g(code) CROSS JOIN statements_topic AS t
        CROSS JOIN LATERAL ({_LATEST_STEP.format(topic="t.id", government="g.code")}) AS p
        ORDER BY g.code, t.slug
    """
    summaries: dict[str, dict] = {code: {"statement_count": 0, "latest_stances": []} for code in codes}
    with connections[reads()].cursor() as cursor:
        cursor.execute(sql, {"codes": list(codes)})
        for code, slug, stance, said_on, statement_id, total in cursor.fetchall():
            summaries[code]["statement_count"] += total
            summaries[code]["latest_stances"].append(
                {"topic": slug, "stance": stance, "said_on": said_on, "statement_id": statement_id}
            )
    return summaries


def topic_summaries(topic_ids: list[int]) -> dict[int, dict]:
    """Per topic: statements, governments, first and last said_on (published), in one query."""
    sql = f"""
        SELECT t.id, count(*), sum({_TOTAL}), min(f.said_on), max(p.said_on)
        FROM unnest(%(ids)s::bigint[]) AS t(id) CROSS JOIN statements_government AS g
        CROSS JOIN LATERAL ({_LATEST_STEP.format(topic="t.id", government="g.code")}) AS p
        CROSS JOIN LATERAL ({_FIRST_STEP.format(topic="t.id", government="g.code")}) AS f
        GROUP BY t.id
    """
    empty = {"statement_count": 0, "government_count": 0, "first_said_on": None, "last_said_on": None}
    summaries = {topic_id: dict(empty) for topic_id in topic_ids}
    with connections[reads()].cursor() as cursor:
        cursor.execute(sql, {"ids": list(topic_ids)})
        for topic_id, governments, statements, first, last in cursor.fetchall():
            summaries[topic_id] = {
                "statement_count": statements,
                "government_count": governments,
                "first_said_on": first,
                "last_said_on": last,
            }
    return summaries


_MATRIX_SQL = """
SELECT '{{"government":{{"code":' || to_json(g.code)::text || ',"name":' || to_json(g.name)::text
       || '}},"positions":{{' || string_agg(to_json(t.slug)::text || ':' || {cell}, ',' ORDER BY t.ord) || '}}}}' AS row
FROM {governments} AS g
CROSS JOIN unnest(%(topic_ids)s::bigint[], %(topic_slugs)s::text[]) WITH ORDINALITY AS t(id, slug, ord)
LEFT JOIN LATERAL (
    SELECT p.statement_id AS id, p.stance, p.since, p.role, p.said_on, p.date_precision, p.quote,
           p.speaker_slug, p.speaker_name
    FROM statements_positionstep AS p
    WHERE p.topic_id = t.id AND p.government_id = g.code AND p.said_on <= %(as_of)s
    ORDER BY p.said_on DESC, p.tie_date DESC, p.statement_id DESC
    LIMIT 1
) AS s ON true
LEFT JOIN LATERAL (SELECT s.speaker_slug AS slug, s.speaker_name AS name) AS sp ON true
GROUP BY g.code, g.name
HAVING {keep}
ORDER BY g.name, g.code
"""
# Named governments, with their ISO names for those not in the table yet.
_NAMED = """(
    SELECT given.code, COALESCE(gov.name, given.name) AS name
    FROM unnest(%(codes)s::text[], %(names)s::text[]) AS given(code, name)
    LEFT JOIN statements_government AS gov USING (code)
)"""


def positions_matrix(
    *,
    topics: list[Topic],
    as_of: datetime.date,
    cell: str,
    governments: list[str] | None = None,
    stances: list[str] | None = None,
) -> list[str]:
    """Each government's position on each of `topics` as of `as_of` (the positions tie rule), by
    name, one JSON text per government: {"government": {"code", "name"}, "positions": {"<slug>":
    cell}} with every topic in order, `cell` being the caller's SQL of one position's JSON text
    over `s` (the step: stance, since and the summary's columns, all null when the government had
    said nothing yet) and `sp` (its speaker's slug and name). One query: one index probe per
    government and topic, whatever the number of statements; PostgreSQL builds the JSON (for
    200 × 10 cells, building them in Python took longer than the query).

    Without `governments`: every government with a published statement on any of the topics by
    then. With it: exactly those. `stances` keeps the governments whose current stance on at
    least one of the topics is one of them.
    """
    keep = ["true" if governments else "bool_or(s.stance IS NOT NULL)"]
    if stances:
        keep.append("bool_or(s.stance = ANY(%(stances)s))")
    sql = _MATRIX_SQL.format(
        cell=cell, governments=_NAMED if governments else "statements_government", keep=" AND ".join(keep)
    )
    params = {
        "topic_ids": [t.pk for t in topics],
        "topic_slugs": [t.slug for t in topics],
        "as_of": as_of,
        "codes": governments or [],
        "names": [countries.name(code) for code in governments or []],
        "stances": stances or [],
    }
    with connections[reads()].cursor() as cursor:
        cursor.execute(sql, params)
        return [row for (row,) in cursor.fetchall()]


@dataclass(frozen=True)
class Retraction:
    """A retracted statement that would be a government's latest on a topic had it stood."""

    statement_id: int
    topic_id: int
    topic_title: str
    government_code: str
    government_name: str
    speaker_name: str
    said_on: datetime.date
    date_precision: str
    stance: str
    retracted_at: datetime.datetime
    reason: str


_RETRACTIONS_SQL = """
SELECT DISTINCT ON (s.topic_id, s.government_id)
       s.id, s.topic_id, tp.title, s.government_id, g.name, sp.name, s.said_on, s.date_precision, s.stance,
       r.created_at, r.note
FROM statements_statement AS s
JOIN statements_government AS g ON g.code = s.government_id
JOIN statements_speaker AS sp ON sp.id = s.speaker_id
JOIN statements_topic AS tp ON tp.id = s.topic_id
CROSS JOIN LATERAL (
    SELECT c.created_at, c.note FROM statements_correction AS c
    WHERE c.statement_id = s.id AND c.kind = 'retraction' ORDER BY c.created_at DESC, c.id DESC LIMIT 1
) AS r
WHERE s.status = 'retracted' AND s.topic_id = ANY(%(topics)s) AND s.said_on <= %(as_of)s
ORDER BY s.topic_id, s.government_id, s.said_on DESC, COALESCE(s.published_on, s.said_on) DESC, s.id DESC
"""


def retractions_behind(*, topics: list[Topic], as_of: datetime.date, shown: dict) -> list[Retraction]:
    """The retracted statements a positions grid or matrix as of `as_of` would show had they
    stood: per topic and government, the latest retracted statement said by then, when it is no
    older than the statement the grid shows (`shown`: (topic id, government code) → that
    statement's said_on, absent where the government has none). Embeds that showed a statement
    keep saying what became of it (SPEC §6), instead of silently showing an older stance. One
    query (a partial index holds the retracted statements)."""
    with connections[reads()].cursor() as cursor:
        cursor.execute(_RETRACTIONS_SQL, {"topics": [t.pk for t in topics], "as_of": as_of})
        found = [Retraction(*row) for row in cursor.fetchall()]
    behind = []
    for retraction in found:
        current = shown.get((retraction.topic_id, retraction.government_code))
        if current is None or retraction.said_on >= current:
            behind.append(retraction)
    behind.sort(key=lambda r: (r.government_name, r.topic_id))
    return behind
