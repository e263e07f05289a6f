"""Keyset paging, for every list: the ordering, the window of rows, and the cursor codec.

- `Ordering`: a named total order (columns, one direction, a unique column last), as SQL for
  statements/listing.py and as ORM expressions for querysets (`QuerysetPages`);
- `window()`: one page of rows after (or, walking back, before) a position, with one extra row
  asked for to know whether there is another page;
- `encode()` / `decode()`: a cursor is the position (the ordering's values of the row a page
  starts after) and the direction, signed (django.core.signing): a tampered, garbled or foreign
  cursor is a `CursorError`, never a 500 or a silent restart from page one.

`keyset_page()` puts the three together. The API (api/pagination.py) and the pages
(web/browse.py) are adapters: they parse the page size, word the errors and make the links.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import F, Q

# The salt the API's cursors were first signed with: kept, so that their links still work.
SALT = "api.pagination.cursor"
# Before this module, the statements page signed its own cursors (no ordering: always `-said_on`);
# they still decode, so that the pages' old Older/Newer links keep working.
_OLD_PAGE_SALT, _OLD_PAGE_ORDERING = "web.browse.cursor", "-said_on"


class CursorError(ValueError):
    """Not a cursor of this list: tampered, garbled, or signed by a release with other values."""


class OtherOrderingCursor(CursorError):
    """A good cursor, of another ordering than the list's (a `next` link with `ordering` changed)."""

    def __init__(self, ordering: "Ordering"):
        super().__init__(f"a cursor of another ordering than {ordering.name!r}")
        self.ordering = ordering


def _int(value) -> int:
    if type(value) is not int:
        raise ValueError(value)
    return value


def _float(value) -> float:
    if type(value) not in (int, float):
        raise ValueError(value)
    return float(value)


def _text(value) -> str:
    if type(value) is not str:
        raise ValueError(value)
    return value


# How a column's cursor value (JSON) reads back: a value of another type is a CursorError.
_PARSERS: dict[str, Callable] = {
    "id": _int,
    "rank": _float,
    "said_on": datetime.date.fromisoformat,
    "updated_at": datetime.datetime.fromisoformat,
    "record_changed_at": datetime.datetime.fromisoformat,
    "name": _text,
    "slug": _text,
    "code": _text,
    "title": _text,
}


@dataclass(frozen=True)
class Ordering:
    """A named total order: `columns`, all descending or all ascending, the last one unique (the
    tie-break). `reverse` walks it backwards (a `previous` page)."""

    name: str
    columns: tuple[str, ...]
    descending: bool

    def __post_init__(self):
        unknown = [column for column in self.columns if column not in _PARSERS]
        assert not unknown, f"no cursor parser for {unknown}"

    @property
    def ranked(self) -> bool:
        """Ordered by search relevance (`rank`, a value of the query, not a column)."""
        return self.columns[0] == "rank"

    def _descending(self, reverse: bool) -> bool:
        return self.descending != reverse

    # As SQL, over the table named `table` (statements/listing.py: `s`, the statement).

    def sql_order_by(self, reverse: bool = False, table: str = "s") -> str:
        direction = "DESC" if self._descending(reverse) else "ASC"
        return ", ".join(f"{self._column(c, table)} {direction}" for c in self.columns)

    def sql_after(self, reverse: bool = False, table: str = "s") -> str:
        """Rows strictly after the position (its values as parameters): one row comparison, which
        is an index bound, so a cursor 500,000 rows deep costs what page one does."""
        operator = "<" if self._descending(reverse) else ">"
        columns = ", ".join(self._column(c, table) for c in self.columns)
        return f"({columns}) {operator} ({', '.join(['%s'] * len(self.columns))})"

    @staticmethod
    def _column(name: str, table: str) -> str:
        return name if name == "rank" else f"{table}.{name}"

    # As ORM expressions, for querysets.

    def order_by(self, reverse: bool = False) -> list:
        return [F(c).desc() if self._descending(reverse) else F(c).asc() for c in self.columns]

    def after(self, values: list, reverse: bool = False) -> Q:
        """Rows strictly after `values`: `(a < x) OR (a = x AND b < y)`, with `a <= x` in front,
        as the OR alone is no index bound and a deep cursor would walk every row before it."""
        lookup = "lt" if self._descending(reverse) else "gt"
        condition = Q(**{f"{self.columns[-1]}__{lookup}": values[-1]})
        for column, value in zip(reversed(self.columns[:-1]), reversed(values[:-1]), strict=True):
            condition = Q(**{f"{column}__{lookup}": value}) | (Q(**{column: value}) & condition)
        return Q(**{f"{self.columns[0]}__{lookup}e": values[0]}) & condition

    # The position of a row, as a cursor carries it, and back.

    def position(self, row) -> list:
        """The row's values of the ordering's columns; `row` is a dict (SQL) or a model (ORM)."""
        get = row.get if isinstance(row, dict) else lambda column: getattr(row, column)
        return [get(column) for column in self.columns]

    def parse(self, values) -> list:
        """A position back to the columns' types, or ValueError."""
        if not isinstance(values, list):
            raise ValueError(values)
        return [_PARSERS[c](v) for c, v in zip(self.columns, values, strict=True)]


def _json(value):
    return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value


# The statement lists' orderings (the API's `ordering`; the statements page is `-said_on`).
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
SPEAKERS = Ordering("name", ("name", "slug"), descending=False)
GOVERNMENTS = Ordering("name", ("name", "code"), descending=False)
TOPICS = Ordering("title", ("title", "slug"), descending=False)


def statement_ordering(name: str | None, searching: bool) -> Ordering:
    """The statement list's ordering called `name`; by default `rank` for a search, else `-said_on`."""
    name = name or ("rank" if searching else "-said_on")
    if name not in ORDERINGS:
        raise ValueError(f"Use one of {', '.join(ORDERINGS)}.")
    if name == "rank" and not searching:
        raise ValueError("rank orders search results: it needs q.")
    return ORDERINGS[name]


@dataclass(frozen=True)
class Cursor:
    """A place in an ordering: the rows after `values` (before them, walking back, when `backward`)."""

    values: list
    backward: bool = False


def encode(ordering: Ordering, values: list, backward: bool = False) -> str:
    """A cursor: the ordering's name, the position and the direction, signed but not timestamped,
    so that the same page always has the same links, and so the same ETag."""
    payload = {"o": ordering.name, "v": [_json(value) for value in values], "r": int(backward)}
    return signing.Signer(salt=SALT).sign_object(payload, compress=True)


def decode(text: str, ordering: Ordering) -> Cursor:
    """The cursor `text` as a place in `ordering`, or CursorError (OtherOrderingCursor when it is a
    good cursor of another ordering)."""
    try:
        payload = _unsign(text)
        name, values, backward = payload["o"], payload["v"], payload["r"]
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise CursorError("not a cursor") from exc
    if name != ordering.name:
        raise OtherOrderingCursor(ordering)
    try:
        return Cursor(ordering.parse(values), bool(backward))
    except (TypeError, ValueError) as exc:  # a cursor signed by a release with other columns
        raise CursorError("not a position in this ordering") from exc


def _unsign(text: str) -> dict:
    try:
        return signing.Signer(salt=SALT).unsign_object(text)
    except signing.BadSignature:
        payload = signing.Signer(salt=_OLD_PAGE_SALT).unsign_object(text)  # BadSignature again: neither
        return {"o": _OLD_PAGE_ORDERING, **payload}


@dataclass(frozen=True)
class Window:
    """One page of rows in the ordering's direction, and the rows the pages next to it start
    from: `last` (the next page is after it) and `first` (the previous page is before it), None
    where there is no such page."""

    rows: list
    first: Any = None
    last: Any = None


def window(fetch: Callable[[int], list], size: int, *, backward: bool = False, started: bool = False) -> Window:
    """Up to `size` rows from `fetch(limit)`, which gives up to `limit` rows walking away from the
    position: forwards, or backwards (nearest first) when `backward`. `started`: whether a
    forward walk starts after some row, so that there is a page before it."""
    rows = fetch(size + 1)
    more, rows = len(rows) > size, rows[:size]
    if backward:
        rows.reverse()
    has_next = True if backward else more  # walking back, we came from the next page
    has_previous = more if backward else started
    if not rows:
        return Window(rows)
    return Window(rows, first=rows[0] if has_previous else None, last=rows[-1] if has_next else None)


@dataclass(frozen=True)
class Page:
    """A keyset page: its rows, and the cursors of the pages after and before it (or None)."""

    rows: list
    next: str | None
    previous: str | None


def keyset_page(source, cursor: Cursor | None, size: int) -> Page:
    """The page of `source` (its `ordering`, and `page(after, reverse, limit)` giving rows after the
    position `after` in that order, or before it walking back, as `StatementPages` and
    `QuerysetPages` do) that `cursor` points at (None: the first), of up to `size` rows."""
    ordering = source.ordering
    after, backward = (cursor.values, cursor.backward) if cursor else (None, False)
    rows = window(lambda limit: source.page(after, backward, limit), size, backward=backward, started=bool(cursor))
    return Page(
        rows.rows,
        next=encode(ordering, ordering.position(rows.last)) if rows.last is not None else None,
        previous=encode(ordering, ordering.position(rows.first), backward=True) if rows.first is not None else None,
    )


class QuerysetPages:
    """Keyset pages and a capped count of a queryset in `ordering` (what `StatementPages` is for
    statements, in SQL)."""

    def __init__(self, queryset, ordering: Ordering):
        self.queryset, self.ordering = queryset, ordering

    def count(self, limit: int) -> int:
        return self.queryset.order_by().values("pk")[:limit].count()

    def page(self, after: list | None, reverse: bool, size: int) -> list:
        rows = self.queryset.order_by(*self.ordering.order_by(reverse))
        if after is not None:
            rows = rows.filter(self.ordering.after(after, reverse))
        return list(rows[:size])
