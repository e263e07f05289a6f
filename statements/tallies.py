"""Counts of published statements from the tallies (statements.models.StatementTally, kept by
the database): facets and stats at a million statements in milliseconds, where counting the
rows themselves takes hundreds.

`tally_counts(selection, by, bucket)` answers when the tallies hold the answer exactly: the
selection filters only by government, topic, stance, language and whole months (whole years
for pairs), and at most two of those dimensions are involved, filters and groups together.
Otherwise it returns None and the caller counts the statements themselves.
"""

import datetime

from django.db import connections, router

from statements.listing import Selection
from statements.models import Statement
from tracker.db_router import reads

# dimension → (its single kind, its column, the Selection field that filters it)
DIMENSIONS = {
    "government": ("g", "government_id", "governments"),
    "topic": ("t", "topic_id", "topics"),
    "stance": ("s", "stance", "stances"),
    "language": ("l", "language", "languages"),
}
PAIRS = {
    frozenset(("government", "topic")): "gt",
    frozenset(("government", "stance")): "gs",
    frozenset(("government", "language")): "gl",
    frozenset(("topic", "stance")): "ts",
    frozenset(("topic", "language")): "tl",
    frozenset(("stance", "language")): "sl",
}
# By year, one dimension (or none) is read from its smallest pair.
SMALLEST_PAIR = {"government": "gs", "topic": "ts", "stance": "sl", "language": "sl", None: "sl"}


def _grain(selection: Selection) -> str | None:
    """ "year" when the dates (if any) are whole years, "month" when whole months, else None."""
    after, before = selection.said_after, selection.said_before
    if (after is None or (after.month, after.day) == (1, 1)) and (
        before is None or (before.month, before.day) == (12, 31)
    ):
        return "year"
    if (after is None or after.day == 1) and (before is None or _ends_month(before)):
        return "month"
    return None


def _ends_month(day: datetime.date) -> bool:
    """Whether `day` is the last of its month (31 December 9999 is: the calendar ends there)."""
    return day == datetime.date.max or (day + datetime.timedelta(days=1)).day == 1


def _answerable(selection: Selection) -> bool:
    return not (
        selection.speakers
        or selection.q
        or selection.is_translation is not None
        or selection.updated_since is not None
        or selection.with_retracted
        or selection.statuses
    )


def _counted_sql(selection: Selection, by: tuple[str, ...], bucket: str | None) -> tuple[str, list] | None:
    """The SQL of the counts (columns: `by` by name, `period`, `n`; unordered) and its
    parameters, or None when the tallies cannot answer exactly."""
    grain = _grain(selection)
    if grain is None or bucket not in (None, "month", "year") or not _answerable(selection):
        return None
    filtered = [name for name, (_kind, _column, field) in DIMENSIONS.items() if getattr(selection, field)]
    needed = set(filtered) | set(by)
    by_month = bucket == "month" or grain == "month"
    if len(needed) > 2 or (len(needed) == 2 and by_month):
        return None
    if len(needed) == 2:
        kind = PAIRS[frozenset(needed)]
    elif by_month:
        kind = DIMENSIONS[next(iter(needed))][0] if needed else ""
    else:
        kind = SMALLEST_PAIR[next(iter(needed), None)]
    conditions, params = ["k.kind = %s"], [kind]
    for name in filtered:
        _kind, column, field = DIMENSIONS[name]
        conditions.append(f"k.{column} = ANY(%s)")
        params.append(list(getattr(selection, field)))
    for operator, value in ((">=", selection.said_after), ("<=", selection.said_before)):
        if value is not None:
            conditions.append(f"k.period {operator} %s")
            params.append(value)
    columns = ["tp.slug" if name == "topic" else f"k.{DIMENSIONS[name][1]}" for name in by]
    period = {"month": "k.period", "year": "date_trunc('year', k.period)::date", None: "NULL::date"}[bucket]
    groups = ", ".join([*columns, period])
    named = ", ".join(
        [*(f"{column} AS {name}" for column, name in zip(columns, by, strict=True)), f"{period} AS period"]
    )
    sql = (
        f"SELECT {named}, sum(k.n)::bigint AS n FROM statements_statementtally AS k "
        f"{'LEFT JOIN statements_topic AS tp ON tp.id = k.topic_id ' if 'topic' in by else ''}"
        f"WHERE {' AND '.join(conditions)} GROUP BY {groups} HAVING sum(k.n) <> 0"
    )
    return sql, params


def _run(sql: str, params: list) -> list[tuple]:
    with connections[reads()].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def tally_counts(selection: Selection, by: tuple[str, ...] = (), bucket: str | None = None) -> list[tuple] | None:
    """Rows (*values of `by`, period or None, count), ordered by `by` then period, counting the
    published statements `selection` selects; None when the tallies cannot answer exactly.
    A topic's value is its slug. `bucket` is None, "month" or "year"."""
    counted = _counted_sql(selection, by, bucket)
    if counted is None:
        return None
    sql, params = counted
    return _run(f"SELECT * FROM ({sql}) AS c ORDER BY {', '.join([*by, 'period'])}", params)


def tally_series(
    selection: Selection, by: tuple[str, ...], bucket: str, limit: int, *, as_json: bool = False
) -> list[tuple] | None:
    """As tally_counts with a bucket, but every group gets every period of the range (the
    selection's said_after and said_before, else the first and last period counted), zero where
    nothing was said: what a chart needs, made by PostgreSQL (for 200 governments × 36 months,
    filling them in Python took twice as long as the query). Ordered by the groups' values in
    code-point order, then period; at most `limit` + 1 rows. None when the tallies cannot answer.
    `as_json`: one row instead, (the row count, the rows as the API's JSON array text)."""
    counted = _counted_sql(selection, by, bucket)
    if counted is None:
        return None
    sql, params = counted
    names = ", ".join(by)
    if by:  # numbered in code-point order once, so the final sort is by two integers' worth
        ordered = ", ".join(f'{name} COLLATE "C"' for name in by)
        distinct = f"SELECT DISTINCT {names} FROM counted"
        groups = f"SELECT {names}, row_number() OVER (ORDER BY {ordered}) AS ord FROM ({distinct}) AS d"
    else:
        groups = "SELECT 1 AS ord FROM counted LIMIT 1"
    joined = " AND ".join([*(f"c.{name} = g.{name}" for name in by), "c.period = p.period"])
    step = {"month": "1 month", "year": "1 year"}[bucket]
    if selection.said_after and selection.said_before:
        span, span_params = "SELECT %s::date AS first, %s::date AS last", [selection.said_after, selection.said_before]
    else:
        span = "SELECT coalesce(%s::date, min(period)) AS first, coalesce(%s::date, max(period)) AS last FROM counted"
        span_params = [selection.said_after, selection.said_before]
    series = f"""
        WITH counted AS MATERIALIZED ({sql}),
        groups AS ({groups}),
        span AS ({span}),
        periods AS (
            SELECT generate_series(date_trunc('{bucket}', first)::date, date_trunc('{bucket}', last)::date,
                                   interval '{step}')::date AS period
            FROM span
        )
        SELECT {", ".join(f"g.{name}" for name in by) + ", " if by else ""}p.period, coalesce(c.n, 0) AS n, g.ord
        FROM groups AS g CROSS JOIN periods AS p LEFT JOIN counted AS c ON {joined}
        ORDER BY g.ord, p.period LIMIT {int(limit) + 1}
    """
    if as_json:  # one row: the count and the JSON array, built by PostgreSQL (no 7,200 tuples to convert)
        fields = "".join(f"'\"{name}\":' || to_json(r.{name})::text || ',' || " for name in by)
        row = f"""'{{' || {fields}'"period":"' || to_char(r.period, 'YYYY-MM-DD') || '","count":' || r.n || '}}'"""
        array = f"'[' || coalesce(string_agg({row}, ',' ORDER BY r.ord, r.period), '') || ']'"
        return _run(f"SELECT count(*), {array} FROM ({series}) AS r", [*params, *span_params])
    columns = ", ".join([*by, "period", "n"])
    return _run(f"SELECT {columns} FROM ({series}) AS r ORDER BY r.ord, r.period", [*params, *span_params])


def compact(using: str | None = None) -> int:
    """Folds the tallies' deltas together (see StatementTally); returns the rows left."""
    with connections[using or router.db_for_write(Statement)].cursor() as cursor:
        cursor.execute("SELECT statements_tally_compact()")
        return cursor.fetchone()[0]
