"""The hot read path: statement lists, feeds and exports, in SQL written for PostgreSQL.

Which statements a request wants is a `Selection` (the validated statement filters). It becomes
one SQL condition, used three ways:

- `StatementPages`: a keyset page (the row comparison `(said_on, id) < (…)` is an index bound, so
  a cursor 500,000 rows deep costs what page one does) and a capped count; PostgreSQL builds
  each statement's public JSON (speaker, government, topic and sources included), which the
  list sends on as it came, and the detail and feeds parse;
- `csv_rows()`: every selected row, oldest first, as CSV written by PostgreSQL's COPY;
- `condition()`: the same SQL as an ORM filter, for the consumers that aggregate or render
  models (stats, embeds), so that a filter means one thing everywhere.

Why not the ORM here: at 1M statements the ORM built, compiled and materialised a 50-row page
in 10 ms against 1.5 ms for its SQL; turning rows into Python values and back into JSON was
then the largest cost left (bench/RESULTS.md). The queries go through psycopg with server-side
parameters and are prepared after a few uses, so PostgreSQL stops re-planning them; the words
of a search are written into the SQL, as its best plan depends on how common they are.
"""

import contextlib
import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections, models, router, transaction
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models.expressions import RawSQL
from psycopg import sql

from statements.models import SEARCH_CONFIG, Statement

T = "statements_statement"
# Searches count exactly up to 1,000 matches, and rank the 1,000 most recent by relevance.
# Ranking every match of a word found in a quarter of a million quotes takes half a second, and
# counting 10,000 matches of a word in 1% of them visits 10,000 table pages (20 ms).
SEARCH_COUNT_LIMIT = 1_000
RANK_WINDOW = 1_000


def _utc(column: str) -> str:
    """A timestamptz as DRF renders it with TIME_ZONE = "UTC" (which settings fix): ISO 8601,
    microseconds only when there are any, "Z"."""
    return (
        f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
        f"mod(extract(microseconds FROM {column})::bigint, 1000000) = 0 THEN '' "
        f"ELSE to_char({column} AT TIME ZONE 'UTC', '.US') END || 'Z'"
    )


# A statement's public JSON (StatementSerializer's shape, which stays the schema; tests compare
# the two), built by PostgreSQL: Python then handles one string per row, not twenty values and
# their sources. Retractions are tombstones. `{api}`/`{page}`: the URL prefixes, as literals.
_STATEMENT_JSON = f"""CASE WHEN {T}.status = 'retracted' THEN
  json_build_object('id', {T}.id, 'status', {T}.status, 'updated_at', {_utc(f"{T}.updated_at")})
ELSE json_build_object(
  'id', {T}.id, 'url', {{api}} || {T}.id || '/', 'permalink', {{page}} || {T}.id || '/',
  'speaker', json_build_object('slug', sp.slug, 'name', sp.name, 'kind', sp.kind, 'wikidata_id', sp.wikidata_id),
  'role', {T}.role, 'organization', {T}.organization,
  'government', json_build_object('code', {T}.government_id, 'name', g.name),
  'topic', json_build_object('slug', tp.slug, 'title', tp.title),
  'said_on', {T}.said_on, 'date_precision', {T}.date_precision, 'published_on', {T}.published_on,
  'quote', {T}.quote, 'language', {T}.language, 'is_translation', {T}.is_translation,
  'stance', {T}.stance, 'context', {T}.context,
  'sources', COALESCE((
    SELECT json_agg(json_build_object('url', src.url, 'publisher', src.publisher,
                                      'archived_url', src.archived_url, 'accessed_on', src.accessed_on)
                    ORDER BY src.position, src.id)
    FROM statements_source AS src WHERE src.statement_id = {T}.id), '[]'::json),
  'status', {T}.status, 'created_at', {_utc(f"{T}.created_at")}, 'updated_at', {_utc(f"{T}.updated_at")})
END::text"""
# Rows: the keys pagination needs (cursor values, Last-Modified) and the JSON.
_ROW_SQL = f"""
SELECT {T}.id, {T}.said_on, {T}.updated_at{{extra}}, {_STATEMENT_JSON} AS json
FROM {{source}}
JOIN statements_speaker AS sp ON sp.id = {T}.speaker_id
JOIN statements_government AS g ON g.code = {T}.government_id
JOIN statements_topic AS tp ON tp.id = {T}.topic_id
"""


@dataclass(frozen=True)
class Links:
    """Where a statement's `url` (the API detail) and `permalink` (its page) point: everything
    before the id, e.g. "https://tracker.example.org/api/v1/statements/"."""

    api: str
    page: str

    def sql(self, template: str, **more) -> str:
        """`template` with the prefixes as quoted SQL literals ('%' doubled: the SQL takes parameters)."""
        api, page = (sql.Literal(prefix).as_string().replace("%", "%%") for prefix in (self.api, self.page))
        return template.format(api=api, page=page, **more)


@dataclass(frozen=True)
class Ordering:
    """A named total order over statements: columns, all descending or all ascending, id last."""

    name: str
    columns: tuple[str, ...]
    descending: bool

    @property
    def ranked(self) -> bool:
        return self.columns[0] == "rank"

    def order_by(self, reverse: bool = False) -> str:
        direction = "DESC" if self.descending != reverse else "ASC"
        return ", ".join(f"{self._column(c)} {direction}" for c in self.columns)

    def after(self, reverse: bool = False) -> str:
        """Rows strictly after the cursor values in this order: one row comparison (an index bound)."""
        operator = "<" if self.descending != reverse else ">"
        columns = ", ".join(self._column(c) for c in self.columns)
        return f"({columns}) {operator} ({', '.join(['%s'] * len(self.columns))})"

    def cursor_values(self, row: dict) -> list:
        return [_cursor_value(row[c]) for c in self.columns]

    def parse_cursor_values(self, values: list) -> list:
        """Cursor values (JSON) back to the column types, or ValueError."""
        return [_PARSERS[c](v) for c, v in zip(self.columns, values, strict=True)]

    @staticmethod
    def _column(name: str) -> str:
        return "rank" if name == "rank" else f"{T}.{name}"


def _cursor_value(value):
    return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value


def _int(value) -> int:
    if type(value) is not int:
        raise ValueError(value)
    return value


def _float(value) -> float:
    if type(value) not in (int, float):
        raise ValueError(value)
    return float(value)


_PARSERS = {
    "id": _int,
    "rank": _float,
    "said_on": datetime.date.fromisoformat,
    "updated_at": datetime.datetime.fromisoformat,
}

ORDERINGS = {
    o.name: o
    for o in (
        Ordering("-said_on", ("said_on", "id"), descending=True),
        Ordering("said_on", ("said_on", "id"), descending=False),
        Ordering("-updated_at", ("updated_at", "id"), descending=True),
        Ordering("updated_at", ("updated_at", "id"), descending=False),
        Ordering("rank", ("rank", "id"), descending=True),
    )
}


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

    def where(self) -> tuple[str, list]:
        """The SQL condition on `statements_statement` and its parameters."""
        # Status as a literal, not a parameter: a prepared plan can then use the partial indexes.
        if self.statuses:
            assert set(self.statuses) <= {"draft", "published", "retracted"}, self.statuses
            parts = [f"{T}.status IN ({', '.join(repr(s) for s in sorted(self.statuses))})"]
        elif self.with_retracted:
            parts = [f"{T}.status IN ('published', 'retracted')"]
        else:
            parts = [f"{T}.status = 'published'"]
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
                parts.append(f"{T}.{column} = %s")
                params.append(values[0])
            elif values:
                parts.append(f"{T}.{column} = ANY(%s)")
                params.append(list(values))
        for column, operator, value in (
            ("is_translation", "=", self.is_translation),
            ("said_on", ">=", self.said_after),
            ("said_on", "<=", self.said_before),
            ("updated_at", ">=", self.updated_since),
        ):
            if value is not None:
                parts.append(f"{T}.{column} {operator} %s")
                params.append(value)
        if self.q:
            parts.append(f"{T}.search_vector @@ {self.tsquery()}")
        return " AND ".join(parts), params

    def tsquery(self) -> str:
        """The search as SQL, its words a quoted literal rather than a parameter: the best plan
        depends on how common they are ("the" against a name), so a prepared plan must see them."""
        literal = sql.Literal(self.q).as_string().replace("%", "%%")
        return f"websearch_to_tsquery('{SEARCH_CONFIG}', {literal})"

    def condition(self) -> RawSQL:
        """The same condition for the ORM: `Statement.objects.filter(selection.condition())`."""
        sql, params = self.where()
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


class StatementPages:
    """Keyset pages and a capped count of the statements a `Selection` selects.

    Counts walk the rows in the list's order and stop at the cap, so that the planner reaches
    for an index (an index-only scan where one matches the filters) or sorts the matches, and
    never scans the whole table. Ranked search brings its count along with its page: both come
    from the same newest matches, found once.
    """

    def __init__(self, selection: Selection, ordering: Ordering, links: Links):
        if ordering.ranked and not selection.q:
            raise ValueError("rank orders search results: it needs q")
        self.selection = selection
        self.ordering = ordering
        self.links = links
        self.where, self.params = selection.where()
        self.using = router.db_for_read(Statement)
        self.count_limit = SEARCH_COUNT_LIMIT if selection.q else None  # None: the paginator's
        self.counted: int | None = None  # brought along by a ranked page

    def count(self, limit: int) -> int:
        """The number of selected statements, counting no further than `limit`."""
        if self.counted is not None:
            return min(self.counted, limit)
        order = ORDERINGS["-said_on"] if self.ordering.ranked else self.ordering
        sql = (
            f"SELECT count(*) FROM (SELECT 1 FROM {T} WHERE {self.where} "
            f"ORDER BY {order.order_by()} LIMIT %s) AS capped"
        )
        return _run(self.using, sql, [*self.params, limit])[1][0][0]

    def page(self, after: list | None, reverse: bool, size: int) -> list[dict]:
        """Up to `size` rows after the cursor values `after` (before them when `reverse`), in
        the ordering's direction (reversed when `reverse`): `id`, `said_on`, `updated_at`
        (`rank` when ranked) and `json`, the statement's public JSON as text."""
        first_by_date = after is None and self.ordering is ORDERINGS["-said_on"]
        if self.selection.q and (self.ordering.ranked or first_by_date):
            return self._search_page(after, reverse, size)
        conditions, params = [self.where], list(self.params)
        if after is not None:
            conditions.append(self.ordering.after(reverse))
            params += after
        sql = self.links.sql(_ROW_SQL, source=T, extra="") + f"WHERE {' AND '.join(conditions)} "
        sql += f"ORDER BY {self.ordering.order_by(reverse)} LIMIT %s"
        return _as_dicts(_run(self.using, sql, [*params, size]))

    def _search_page(self, after: list | None, reverse: bool, size: int) -> list[dict]:
        """A search's newest matches, up to the count's cap, found once, give both the count and
        the page: the newest RANK_WINDOW of them ranked by relevance, or the newest (the first
        page by date, what a search shows first). One statement, one pass over the matches."""
        matches = (
            f"SELECT {T}.id, {T}.said_on, {T}.search_vector FROM {T} WHERE {self.where} "
            f"ORDER BY {T}.said_on DESC, {T}.id DESC LIMIT {SEARCH_COUNT_LIMIT + 1}"
        )
        newest = "SELECT * FROM matches ORDER BY said_on DESC, id DESC LIMIT {}"
        if self.ordering.ranked:
            window = newest.format(min(RANK_WINDOW, SEARCH_COUNT_LIMIT))
            rank = f"ts_rank(search_vector, {self.selection.tsquery()})::float8"
            picked = f"SELECT id, {rank} AS rank FROM ({window}) AS w"
        else:
            picked = f"SELECT id FROM ({newest.format(int(size))}) AS w"
        sql = f"WITH matches AS MATERIALIZED ({matches}), picked AS ({picked}) " + self.links.sql(
            _ROW_SQL,
            source=f"picked JOIN {T} ON {T}.id = picked.id",
            extra=(", picked.rank" if self.ordering.ranked else "") + ", (SELECT count(*) FROM matches) AS matched",
        )
        params = list(self.params)
        if after is not None:
            sql += f"WHERE {self.ordering.after(reverse)} "
            params += after
        sql += f"ORDER BY {self.ordering.order_by(reverse)} LIMIT %s"
        rows = _as_dicts(_run(self.using, sql, [*params, size]))
        if rows or after is None:  # no match at all: 0; past the last page: count again
            self.counted = rows[0]["matched"] if rows else 0
        for row in rows:
            del row["matched"]
        return rows


_CORRECTIONS_SQL = """
SELECT created_at, kind, note, fields FROM statements_correction WHERE statement_id = %s ORDER BY created_at, id
"""


def published_one(pk: int, links: Links, using: str | None = None) -> dict | None:
    """One published statement as a row (as `StatementPages.page` gives them) with its public
    corrections (two queries), or None."""
    using = using or router.db_for_read(Statement)
    sql = links.sql(_ROW_SQL, source=T, extra="") + f"WHERE {T}.id = %s AND {T}.status = 'published'"
    rows = _as_dicts(_run(using, sql, [pk]))
    if not rows:
        return None
    row = rows[0]
    _names, corrections = _run(using, _CORRECTIONS_SQL, [pk])
    # jsonb arrives as text: Django registers a text loader for it (its JSONField parses).
    row["corrections"] = [
        {
            "created_at": at,
            "kind": kind,
            "note": note,
            "fields": json.loads(fields) if isinstance(fields, str) else fields,
        }
        for at, kind, note, fields in corrections
    ]
    return row


# The CSV export's columns (api/exports.py names them), in PostgreSQL's own CSV writer: at 1M
# rows it writes 10× what Python's csv module did row by row. Sources: " | "-joined, in order.
_CSV_SQL = f"""
COPY (
SELECT {T}.id, %s || {T}.id || '/', {T}.said_on, {T}.date_precision, {T}.published_on, {T}.government_id,
       g.name, sp.slug, sp.name, {T}.role, {T}.organization, tp.slug, {T}.stance, {T}.language,
       CASE WHEN {T}.is_translation THEN 'true' ELSE 'false' END, {T}.quote, {T}.context,
       COALESCE(src.urls, ''), COALESCE(src.publishers, ''),
       to_char({T}.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')
FROM {T}
JOIN statements_speaker AS sp ON sp.id = {T}.speaker_id
JOIN statements_government AS g ON g.code = {T}.government_id
JOIN statements_topic AS tp ON tp.id = {T}.topic_id
LEFT JOIN LATERAL (
    SELECT string_agg(url, ' | ' ORDER BY position, id) AS urls,
           string_agg(publisher, ' | ' ORDER BY position, id) AS publishers
    FROM statements_source WHERE statement_id = {T}.id
) AS src ON true
WHERE {{where}} ORDER BY {T}.said_on, {T}.id
) TO STDOUT WITH (FORMAT csv)
"""
# An export may take minutes for a slow client; the web's 2 s statement limit is for pages.
EXPORT_STATEMENT_TIMEOUT = "15min"


@contextlib.contextmanager
def exporting(using: str):
    """A transaction for one export, under its own statement timeout (for this transaction only).
    Server-side cursors inside it stream, where outside one they are filled at once (WITH HOLD)."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(f"SET LOCAL statement_timeout = '{EXPORT_STATEMENT_TIMEOUT}'")
        yield cursor


def csv_rows(selection: Selection, permalink_prefix: str, using: str | None = None) -> Iterator[bytes]:
    """Every selected statement, oldest first, as CSV lines (no header) in blocks of bytes, as
    PostgreSQL writes them: nothing is held in memory, and a slow reader slows the query."""
    where, params = selection.where()
    with (
        exporting(using or router.db_for_read(Statement)) as cursor,
        cursor.cursor.copy(_CSV_SQL.format(where=where), [permalink_prefix, *params]) as copy,
    ):
        yield from copy


def exported(lines: Iterator[str], using: str | None = None) -> Iterator[str]:
    """`lines` (an export reading through the ORM) read inside `exporting()`."""
    with exporting(using or router.db_for_read(Statement)):
        yield from lines


def latest(selection: Selection, limit: int, links: Links) -> list[dict]:
    """The newest `limit` selected statements (feeds), in their public JSON shape, parsed."""
    rows = StatementPages(selection, ORDERINGS["-said_on"], links).page(None, False, limit)
    return [json.loads(row["json"]) for row in rows]
