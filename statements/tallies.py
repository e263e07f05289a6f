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
    if (after is None or after.day == 1) and (before is None or (before + datetime.timedelta(days=1)).day == 1):
        return "month"
    return None


def _answerable(selection: Selection) -> bool:
    return not (
        selection.speakers
        or selection.q
        or selection.is_translation is not None
        or selection.updated_since is not None
        or selection.with_retracted
        or selection.statuses
    )


def tally_counts(selection: Selection, by: tuple[str, ...] = (), bucket: str | None = None) -> list[tuple] | None:
    """Rows (*values of `by`, period or None, count), ordered by `by` then period, counting the
    published statements `selection` selects; None when the tallies cannot answer exactly.
    A topic's value is its slug. `bucket` is None, "month" or "year"."""
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
    sql = (
        f"SELECT {groups}, sum(k.n)::bigint FROM statements_statementtally AS k "
        f"{'LEFT JOIN statements_topic AS tp ON tp.id = k.topic_id ' if 'topic' in by else ''}"
        f"WHERE {' AND '.join(conditions)} GROUP BY {groups} HAVING sum(k.n) <> 0 ORDER BY {groups}"
    )
    with connections[router.db_for_read(Statement)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def compact(using: str | None = None) -> int:
    """Folds the tallies' deltas together (see StatementTally); returns the rows left."""
    with connections[using or router.db_for_write(Statement)].cursor() as cursor:
        cursor.execute("SELECT statements_tally_compact()")
        return cursor.fetchone()[0]
