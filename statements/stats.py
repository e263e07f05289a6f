"""Statement counts grouped by any of government, stance, topic, speaker, language, and by period."""

import datetime

from django.db.models import Count, DateField, Max, Min
from django.db.models.functions import Trunc

GROUP_FIELDS = {
    "government": "government_id",
    "stance": "stance",
    "topic": "topic__slug",
    "speaker": "speaker__slug",
    "language": "language",
}
BUCKETS = ("day", "week", "month", "year")
MAX_ROWS = 10_000


class TooManyRows(Exception):
    pass


def truncate(day: datetime.date, bucket: str) -> datetime.date:
    if bucket == "year":
        return day.replace(month=1, day=1)
    if bucket == "month":
        return day.replace(day=1)
    if bucket == "week":
        return day - datetime.timedelta(days=day.weekday())  # ISO weeks start on Monday
    return day


def periods(start: datetime.date, end: datetime.date, bucket: str) -> list[datetime.date]:
    """Every period from the one holding `start` to the one holding `end`, inclusive."""
    current, last, out = truncate(start, bucket), truncate(end, bucket), []
    while current <= last:
        out.append(current)
        if len(out) > MAX_ROWS:
            raise TooManyRows(f"More than {MAX_ROWS:,} {bucket}s in the range; use a larger bucket or a shorter range.")
        try:
            current = _next_period(current, bucket)
        except (OverflowError, ValueError):  # past 31 December 9999: the calendar ends there
            break
    return out


def _next_period(current: datetime.date, bucket: str) -> datetime.date:
    if bucket == "year":
        return current.replace(year=current.year + 1)
    if bucket == "month":
        return (current.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return current + datetime.timedelta(days=7 if bucket == "week" else 1)


def statement_counts(
    queryset,
    *,
    group_by: list[str],
    bucket: str | None = None,
    said_after: datetime.date | None = None,
    said_before: datetime.date | None = None,
) -> list[dict]:
    """Count `queryset`'s rows per group (and per `bucket` of said_on), in one query.

    With a bucket, every group gets a row for every period of the range (the filter's
    said_after/said_before, else the data's first and last date), zero where nothing was said,
    so that a chart's gaps are real. Refuses more than MAX_ROWS rows (TooManyRows).
    """
    columns = [GROUP_FIELDS[name] for name in group_by]
    queryset = queryset.order_by()
    if bucket:
        span = queryset.aggregate(first=Min("said_on"), last=Max("said_on")) if not (said_after and said_before) else {}
        start, end = said_after or span.get("first"), said_before or span.get("last")
        if start is None or end is None:
            return []
        all_periods = periods(start, end, bucket)
        queryset = queryset.annotate(period=Trunc("said_on", bucket, output_field=DateField()))
        columns.append("period")
    rows = list(queryset.values(*columns).annotate(count=Count("id")).order_by(*columns)[: MAX_ROWS + 1])
    if len(rows) > MAX_ROWS:
        raise TooManyRows(f"More than {MAX_ROWS:,} groups; group by fewer fields or filter more.")
    results = [{name: row[GROUP_FIELDS[name]] for name in group_by} | _period(row, bucket) for row in rows]
    return _with_empty_periods(results, group_by, all_periods) if bucket else results


def _period(row: dict, bucket: str | None) -> dict:
    return {"period": row["period"], "count": row["count"]} if bucket else {"count": row["count"]}


def _with_empty_periods(results: list[dict], group_by: list[str], all_periods: list[datetime.date]) -> list[dict]:
    counts = {(tuple(r[name] for name in group_by), r["period"]): r["count"] for r in results}
    groups = sorted({key for key, _period in counts}, key=lambda key: tuple(str(v) for v in key))
    if len(groups) * len(all_periods) > MAX_ROWS:
        raise TooManyRows(
            f"{len(groups)} groups × {len(all_periods)} periods is more than {MAX_ROWS:,} rows; "
            "use a larger bucket, a shorter range or fewer groups."
        )
    return [
        dict(zip(group_by, key, strict=True)) | {"period": period, "count": counts.get((key, period), 0)}
        for key in groups
        for period in all_periods
    ]


def selection_counts(selection, *, group_by: list[str], bucket: str | None = None) -> list[dict]:
    """`statement_counts` of the statements `selection` selects: from the tallies the database
    keeps (statements/tallies.py) when they hold the answer exactly, in milliseconds at any size,
    else by counting the statements. The same rows either way (tests compare them)."""
    from statements.models import Statement
    from statements.tallies import DIMENSIONS, tally_counts, tally_series

    rows = None
    if set(group_by) <= set(DIMENSIONS):
        if bucket:
            rows = tally_series(selection, tuple(group_by), bucket, MAX_ROWS)
        else:
            rows = tally_counts(selection, tuple(group_by))
    if rows is None or len(rows) > MAX_ROWS:  # counting says why there are too many
        return statement_counts(
            Statement.objects.filter(selection.condition()),
            group_by=group_by,
            bucket=bucket,
            said_after=selection.said_after,
            said_before=selection.said_before,
        )
    if bucket:
        return [dict(zip(group_by, row, strict=False)) | {"period": row[-2], "count": row[-1]} for row in rows]
    return [dict(zip(group_by, row, strict=False)) | {"count": row[-1]} for row in rows]


def selection_counts_json(selection, *, group_by: list[str], bucket: str | None) -> str | None:
    """`selection_counts` with a bucket as the API's JSON array text, built by PostgreSQL from the
    tallies (government × month over three years: 7,200 rows that Python need not touch), or
    None when the tallies cannot answer: then use `selection_counts`."""
    from statements.tallies import DIMENSIONS, tally_series

    if not bucket or not set(group_by) <= set(DIMENSIONS):
        return None
    rows = tally_series(selection, tuple(group_by), bucket, MAX_ROWS, as_json=True)
    if rows is None or rows[0][0] > MAX_ROWS:
        return None
    return rows[0][1]
