"""The hot read path: statement lists, feeds and exports, in SQL written for PostgreSQL.

Which statements a request wants is a `Selection` (the validated statement filters). It becomes
one SQL condition, used three ways:

- `StatementPages`: the rows of a keyset page (the row comparison `(said_on, id) < (…)` is an
  index bound, so a cursor 500,000 rows deep costs what page one does) and a capped count; the
  orderings, the window and the cursors are statements/paging.py's;
- `csv_rows()`: every selected row, oldest first, as CSV written by PostgreSQL's COPY;
- `condition()`: the same SQL as an ORM filter, for the consumers that aggregate or render
  models (stats, embeds), so that a filter means one thing everywhere.

What each row looks like is not decided here: the caller passes a `Projection` (the SQL of the
row's public JSON, or of its CSV columns, with the joins it needs), declared once on the
interface side (api/shapes.py). PostgreSQL builds the JSON; the list sends it on as it came.
The statement is `s` in that SQL.

Why not the ORM here: at 1M statements the ORM built, compiled and materialised a 50-row page
in 10 ms against 1.5 ms for its SQL; turning rows into Python values and back into JSON was
then the largest cost left (bench/RESULTS.md). The queries go through psycopg with server-side
parameters and are prepared after a few uses, so PostgreSQL stops re-planning them; the words
of a search are written into the SQL, as its best plan depends on how common they are.
"""

import contextlib
import dataclasses
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections, models, transaction
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models.expressions import RawSQL

from statements import search
from statements.paging import ORDERINGS, Ordering
from tracker.db_router import reads

T = "s"  # the statement's name in the SQL of this module and of projections
TABLE = "statements_statement"
# Searches count exactly up to 1,000 matches, and rank the 1,000 most recent by relevance.
# Ranking every match of a word found in a quarter of a million quotes takes half a second, and
# counting 10,000 matches of a word in 1% of them visits 10,000 table pages (20 ms).
SEARCH_COUNT_LIMIT = 1_000
RANK_WINDOW = 1_000


@dataclass(frozen=True)
class Projection:
    """What each selected row becomes: `select`, SQL over `s` (the statement) and the tables
    `joins` brings in; for pages, one JSON text column, for CSV, the columns."""

    select: str
    joins: str = ""


@dataclass(frozen=True)
class Selection:
    """Which statements to show: the statement filters (SPEC §5), validated, slugs resolved to ids.

    Values within a filter are OR-ed, filters AND-ed. Published statements only, unless
    `with_retracted` (the API list with `updated_since` shows retractions as tombstones, so that
    mirrors delete them) or `statuses` (the staff's export command).
    """

    governments: tuple[str, ...] = ()
    speakers: tuple[int, ...] = ()
    topics: tuple[int, ...] = ()
    stances: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    is_translation: bool | None = None
    said_after: datetime.date | None = None
    said_before: datetime.date | None = None
    updated_since: datetime.datetime | None = None
    q: str = ""
    with_retracted: bool = False
    statuses: tuple[str, ...] = ()  # staff exports: these statuses instead (drafts included)

    def where(self, table: str = T) -> tuple[str, list]:
        """The SQL condition on the statements (named `table`) and its parameters."""
        # Status as a literal, not a parameter: a prepared plan can then use the partial indexes.
        if self.statuses:
            assert set(self.statuses) <= {"draft", "published", "retracted"}, self.statuses
            parts = [f"{table}.status IN ({', '.join(repr(s) for s in sorted(self.statuses))})"]
        elif self.with_retracted:
            parts = [f"{table}.status IN ('published', 'retracted')"]
        else:
            parts = [f"{table}.status = 'published'"]
        params: list = []
        for column, values in (
            ("government_id", self.governments),
            ("speaker_id", self.speakers),
            ("topic_id", self.topics),
            ("stance", self.stances),
            ("language", self.languages),
        ):
            # One value gets its own SQL text (and prepared plan): `= ANY` hides the value's
            # frequency from the planner, which matters for EU (17% of rows) against Tuvalu.
            if len(values) == 1:
                parts.append(f"{table}.{column} = %s")
                params.append(values[0])
            elif values:
                parts.append(f"{table}.{column} = ANY(%s)")
                params.append(list(values))
        for column, operator, value in (
            ("is_translation", "=", self.is_translation),
            ("said_on", ">=", self.said_after),
            ("said_on", "<=", self.said_before),
            ("updated_at", ">=", self.updated_since),
        ):
            if value is not None:
                parts.append(f"{table}.{column} {operator} %s")
                params.append(value)
        if self.q:
            parts.append(search.condition(self.q, table, self.languages))
        return " AND ".join(parts), params

    def condition(self) -> RawSQL:
        """The same condition for the ORM: `Statement.objects.filter(selection.condition())`."""
        sql, params = self.where(TABLE)
        return RawSQL(sql, params, output_field=models.BooleanField())


class _Cursor(ServerBindingCursor):
    """psycopg's cursor binding parameters on the server (Django's binds them in the client,
    which leaves nothing to prepare; psycopg prepares a statement on its fifth run), and asking
    for results in binary: dates and times then parse in C, not in Django's Python loaders
    (a 50-row page: 1.35 ms instead of 2.0)."""

    def execute(self, query, params=None, *, prepare=None, binary=True):
        return super().execute(query, params, prepare=prepare, binary=binary)


def _run(using: str, sql: str, params: list) -> tuple[list[str], list[tuple]]:
    """Column names and rows, through Django's cursor wrapper (query logging, execute wrappers)."""
    connection = connections[using]
    connection.ensure_connection()
    raw = _Cursor(connection.connection)
    with connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw) as cursor:
        cursor.execute(sql, params)
        return [column.name for column in cursor.description], cursor.fetchall()


def _as_dicts(described: tuple[list[str], list[tuple]]) -> list[dict]:
    names, rows = described
    return [dict(zip(names, row, strict=True)) for row in rows]


def _rows(projection: Projection, source: str, extra: str = "") -> str:
    """SELECT of what pagination needs (id, said_on, updated_at: cursors, Last-Modified), `extra`
    columns, and the projection as `json`, from `source` (which names the statement `s`)."""
    columns = f"{T}.id, {T}.said_on, {T}.updated_at{extra}, {projection.select} AS json"
    return f"SELECT {columns} FROM {source} {projection.joins} "


class StatementPages:
    """Keyset pages and a capped count of the statements a `Selection` selects, each row as
    `projection` makes it.

    Counts walk the rows in the list's order and stop at the cap, so that the planner reaches
    for an index (an index-only scan where one matches the filters) or sorts the matches, and
    never scans the whole table. Ranked search brings its count along with its page: both come
    from the same newest matches, found once.
    """

    def __init__(self, selection: Selection, ordering: Ordering, projection: Projection):
        if ordering.ranked and not selection.q:
            raise ValueError("rank orders search results: it needs q")
        self.selection = selection
        self.ordering = ordering
        self.projection = projection
        self.where, self.params = selection.where()
        self.using = reads()
        self.count_limit = SEARCH_COUNT_LIMIT if selection.q else None  # None: the paginator's
        self.counted: int | None = None  # brought along by a ranked page

    def count(self, limit: int) -> int:
        """The number of selected statements, counting no further than `limit`."""
        if self.counted is not None:
            return min(self.counted, limit)
        order = ORDERINGS["-said_on"] if self.ordering.ranked else self.ordering
        sql = (
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} AS {T} WHERE {self.where} "
            f"ORDER BY {order.sql_order_by()} LIMIT %s) AS capped"
        )
        return _run(self.using, sql, [*self.params, limit])[1][0][0]

    def page(self, after: list | None, reverse: bool, size: int) -> list[dict]:
        """Up to `size` rows after the cursor values `after` (before them when `reverse`), in
        the ordering's direction (reversed when `reverse`): `id`, `said_on`, `updated_at`
        (`rank` when ranked) and `json`, the projection."""
        first_by_date = after is None and self.ordering is ORDERINGS["-said_on"]
        if self.selection.q and (self.ordering.ranked or first_by_date):
            return self._search_page(after, reverse, size)
        conditions, params = [self.where], list(self.params)
        if after is not None:
            conditions.append(self.ordering.sql_after(reverse))
            params += after
        sql = _rows(self.projection, f"{TABLE} AS {T}") + f"WHERE {' AND '.join(conditions)} "
        sql += f"ORDER BY {self.ordering.sql_order_by(reverse)} LIMIT %s"
        return _as_dicts(_run(self.using, sql, [*params, size]))

    def _search_page(self, after: list | None, reverse: bool, size: int) -> list[dict]:
        """A search's newest matches, up to the count's cap, found once, give both the count and
        the page: the newest RANK_WINDOW of them ranked by relevance, or the newest (the first
        page by date, what a search shows first). One statement, one pass over the matches."""
        matches = (
            f"SELECT {T}.id, {T}.said_on, {T}.language, {T}.{search.VECTOR} FROM {TABLE} AS {T} WHERE {self.where} "
            f"ORDER BY {T}.said_on DESC, {T}.id DESC LIMIT {SEARCH_COUNT_LIMIT + 1}"
        )
        newest = "SELECT * FROM matches ORDER BY said_on DESC, id DESC LIMIT {}"
        if self.ordering.ranked:
            window = newest.format(min(RANK_WINDOW, SEARCH_COUNT_LIMIT))
            picked = f"SELECT id, {search.rank(self.selection.q, 'w')} AS rank FROM ({window}) AS w"
        else:
            picked = f"SELECT id FROM ({newest.format(int(size))}) AS w"
        sql = f"WITH matches AS MATERIALIZED ({matches}), picked AS ({picked}) " + _rows(
            self.projection,
            f"picked JOIN {TABLE} AS {T} ON {T}.id = picked.id",
            (", picked.rank" if self.ordering.ranked else "") + ", (SELECT count(*) FROM matches) AS matched",
        )
        params = list(self.params)
        if after is not None:
            sql += f"WHERE {self.ordering.sql_after(reverse)} "
            params += after
        sql += f"ORDER BY {self.ordering.sql_order_by(reverse)} LIMIT %s"
        rows = _as_dicts(_run(self.using, sql, [*params, size]))
        if rows or after is None:  # no match at all: 0; past the last page: count again
            self.counted = rows[0]["matched"] if rows else 0
        for row in rows:
            del row["matched"]
        return rows


def published_one(pk: int, projection: Projection, using: str | None = None) -> dict | None:
    """One published statement as a row (as `StatementPages.page` gives them), or None. One query."""
    sql = _rows(projection, f"{TABLE} AS {T}") + f"WHERE {T}.id = %s AND {T}.status = 'published'"
    rows = _as_dicts(_run(using or reads(), sql, [pk]))
    return rows[0] if rows else None


# An export may take minutes for a slow client; the web's 2 s statement limit is for pages.
EXPORT_STATEMENT_TIMEOUT = "15min"


@contextlib.contextmanager
def exporting(using: str):
    """A transaction for one export, under its own statement timeout (for this transaction only).
    Server-side cursors inside it stream, where outside one they are filled at once (WITH HOLD)."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(f"SET LOCAL statement_timeout = '{EXPORT_STATEMENT_TIMEOUT}'")
        yield cursor


def csv_rows(selection: Selection, projection: Projection, using: str | None = None) -> Iterator[bytes]:
    """Every selected statement, oldest first, as CSV lines of the projection's columns (no
    header), in blocks of bytes as PostgreSQL's COPY writes them (at 1M rows, 10× what Python's
    csv module did row by row): nothing is held in memory, and a slow reader slows the query."""
    where, params = selection.where()
    copy_sql = (
        f"COPY (SELECT {projection.select} FROM {TABLE} AS {T} {projection.joins} WHERE {where} "
        f"ORDER BY {T}.said_on, {T}.id) TO STDOUT WITH (FORMAT csv)"
    )
    with (
        exporting(using or reads()) as cursor,
        cursor.cursor.copy(copy_sql, params) as copy,
    ):
        yield from _in_blocks(bytes(row) for row in copy)


def jsonl_rows(selection: Selection, projection: Projection, using: str | None = None) -> Iterator[bytes]:
    """Every selected statement, oldest first, as lines of JSON text (the projection: one JSON
    text column), written by PostgreSQL's COPY like `csv_rows()`. COPY's text format escapes
    only backslashes and control characters; JSON text built by to_json() holds no control
    character (they are escaped inside its strings), so undoing COPY's doubled backslashes,
    one row at a time, gives the JSON back exactly."""
    where, params = selection.where()
    copy_sql = (
        f"COPY (SELECT {projection.select} FROM {TABLE} AS {T} {projection.joins} WHERE {where} "
        f"ORDER BY {T}.said_on, {T}.id) TO STDOUT"
    )
    with (
        exporting(using or reads()) as cursor,
        cursor.cursor.copy(copy_sql, params) as copy,
    ):
        # psycopg gives one row per block: a doubled backslash is never split across two.
        yield from _in_blocks(bytes(row).replace(b"\\\\", b"\\") for row in copy)


def _in_blocks(rows: Iterator[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """Rows gathered into blocks of about `size` bytes: one write to the client per block, not
    one per row."""
    block, length = [], 0
    for row in rows:
        block.append(row)
        length += len(row)
        if length >= size:
            yield b"".join(block)
            block, length = [], 0
    if block:
        yield b"".join(block)


def exported(lines: Iterator[str], using: str | None = None) -> Iterator[str]:
    """`lines` (an export reading through the ORM) read inside `exporting()`."""
    with exporting(using or reads()):
        yield from lines


# What most recently entered or changed the public record (statements/sql/public_record.sql).
RECORD_ORDER = Ordering("-record_changed_at", ("record_changed_at", "id"), descending=True)


def latest_changes(selection: Selection, limit: int, projection: Projection) -> list[dict]:
    """The `limit` selected statements that most recently entered or changed the public record
    (published, corrected, retracted, reinstated), newest first, retractions included (feeds):
    rows with their projection and `record_changed_at`. One query."""
    selection = dataclasses.replace(selection, with_retracted=True)
    where, params = selection.where()
    sql = _rows(projection, f"{TABLE} AS {T}", f", {T}.record_changed_at") + f"WHERE {where} "
    sql += f"ORDER BY {RECORD_ORDER.sql_order_by()} LIMIT %s"
    return _as_dicts(_run(reads(), sql, [*params, limit]))


def highlighted_quotes(ids: list[int], q: str) -> dict[int, list[tuple[str, bool]]]:
    """The quotes of statements `ids` with the words that `q` matched marked, as segments
    (text, is_match) for a template to escape and mark: ts_headline over the whole quote
    (HighlightAll), one query for a page. Markers are control characters a quote cannot hold
    (imports and the admin refuse them), so no quote text is ever taken for markup."""
    if not ids or not q:
        return {}
    options = "StartSel=\x02, StopSel=\x03, HighlightAll=true"
    quote = f"translate({T}.quote, E'\\x02\\x03', '')"
    sql = f"SELECT id, {search.headline(q, T, quote, '%s')} FROM {TABLE} AS {T} WHERE id = ANY(%s)"
    with connections[reads()].cursor() as cursor:
        cursor.execute(sql, [options, list(ids)])
        rows = cursor.fetchall()
    return {pk: _segments(text) for pk, text in rows}


def _segments(text: str) -> list[tuple[str, bool]]:
    segments, marked = [], False
    for part in re.split("([\x02\x03])", text):
        if part == "\x02":
            marked = True
        elif part == "\x03":
            marked = False
        elif part:
            segments.append((part, marked))
    return segments
