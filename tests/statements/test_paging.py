"""Keyset paging (statements/paging.py): the window at its boundaries, both ways; ties on the
ordering's columns broken by its last column; cursors that were tampered with, garbled, or made for
another ordering are a CursorError."""

import datetime

import pytest
from django.core import signing

from statements import paging
from statements.listing import Projection, Selection, StatementPages
from statements.models import Speaker
from tests.factories import SpeakerFactory, StatementFactory

BY_DATE = paging.ORDERINGS["-said_on"]
IDS = Projection(select="s.id::text")


class ListSource:
    """Rows (dicts) paged in Python the way StatementPages pages them in SQL: what the window and
    the codec see, without a database."""

    def __init__(self, rows: list[dict], ordering: paging.Ordering):
        self.ordering = ordering
        self.rows = sorted(rows, key=self._key, reverse=ordering.descending)
        self.asked: list[int] = []

    def _key(self, row) -> tuple:
        return tuple(row[column] for column in self.ordering.columns)

    def page(self, after, reverse, size):
        self.asked.append(size)
        rows = list(reversed(self.rows)) if reverse else self.rows
        if after is not None:
            position = tuple(after)
            forwards = self.ordering.descending != reverse
            rows = [row for row in rows if (self._key(row) < position if forwards else self._key(row) > position)]
        return rows[:size]


def rows_of(*dates_and_ids) -> list[dict]:
    return [{"said_on": datetime.date.fromisoformat(day), "id": pk} for day, pk in dates_and_ids]


def walk(source, size: int) -> tuple[list[list], list[list]]:
    """Every page forwards from the first by `next`, then backwards from the last by `previous`
    (each as the ids of its rows, in the list's order), through encoded cursors."""
    forward, cursor = [], None
    while True:
        page = paging.keyset_page(source, cursor, size)
        forward.append([row["id"] for row in page.rows])
        if page.next is None:
            break
        cursor = paging.decode(page.next, source.ordering)
    backward = [forward[-1]]
    while page.previous is not None:
        page = paging.keyset_page(source, paging.decode(page.previous, source.ordering), size)
        backward.append([row["id"] for row in page.rows])
    return forward, backward[::-1]


# Ten statements, ties on the day: the id breaks them.
TEN = rows_of(
    ("2022-01-01", 3),
    ("2022-01-01", 7),
    ("2022-01-01", 1),
    ("2022-02-01", 2),
    ("2022-02-01", 9),
    ("2022-03-01", 4),
    ("2022-03-01", 5),
    ("2022-03-01", 6),
    ("2022-03-01", 10),
    ("2022-04-01", 8),
)
NEWEST_FIRST = [8, 10, 6, 5, 4, 9, 2, 7, 3, 1]


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 9, 10, 11, 50])
def test_pages_walk_every_row_once_both_ways_whatever_the_size(size):
    forward, backward = walk(ListSource(TEN, BY_DATE), size)

    assert [pk for page in forward for pk in page] == NEWEST_FIRST
    assert backward == forward  # the same pages, walking back from the last
    assert all(len(page) == size for page in forward[:-1]) and 1 <= len(forward[-1]) <= size


def test_a_page_asks_for_one_row_more_than_it_shows():
    source = ListSource(TEN, BY_DATE)

    paging.keyset_page(source, None, 4)

    assert source.asked == [5]


def test_the_first_page_has_no_previous_and_the_last_no_next_even_when_full():
    source = ListSource(TEN, BY_DATE)

    first = paging.keyset_page(source, None, 5)
    last = paging.keyset_page(source, paging.decode(first.next, BY_DATE), 5)

    assert first.previous is None and first.next is not None
    assert [row["id"] for row in last.rows] == NEWEST_FIRST[5:]
    assert last.next is None and last.previous is not None  # exactly full, and nothing after it


def test_walking_back_to_the_first_page_ends_its_previous_links():
    source = ListSource(TEN, BY_DATE)
    second = paging.keyset_page(source, paging.decode(paging.keyset_page(source, None, 3).next, BY_DATE), 3)

    first_again = paging.keyset_page(source, paging.decode(second.previous, BY_DATE), 3)

    assert [row["id"] for row in first_again.rows] == NEWEST_FIRST[:3]
    assert first_again.previous is None and first_again.next is not None


def test_an_empty_list_is_one_page_without_links():
    page = paging.keyset_page(ListSource([], BY_DATE), None, 5)

    assert (page.rows, page.next, page.previous) == ([], None, None)


def test_a_cursor_past_the_last_row_is_an_empty_page_without_links():
    cursor = paging.decode(paging.encode(BY_DATE, ["2000-01-01", 1]), BY_DATE)

    page = paging.keyset_page(ListSource(TEN, BY_DATE), cursor, 5)

    assert (page.rows, page.next, page.previous) == ([], None, None)


def test_the_window_walking_back_gives_rows_in_the_lists_order():
    window = paging.window(lambda limit: [5, 4, 3, 2][:limit], 3, backward=True)

    assert window.rows == [3, 4, 5]  # nearest first from fetch, in the list's order here
    assert (window.first, window.last) == (3, 5)  # a page before (one more row), and the one we came from


def test_the_window_forwards_from_the_start_has_no_previous():
    assert paging.window(lambda limit: [1, 2, 3][:limit], 3) == paging.Window([1, 2, 3])
    assert paging.window(lambda limit: [1, 2, 3][:limit], 2) == paging.Window([1, 2], last=2)
    assert paging.window(lambda limit: [1, 2, 3][:limit], 2, started=True) == paging.Window([1, 2], first=1, last=2)


# Cursors


def test_a_cursor_carries_its_position_and_direction():
    text = paging.encode(BY_DATE, [datetime.date(2022, 9, 27), 12], backward=True)

    assert paging.decode(text, BY_DATE) == paging.Cursor([datetime.date(2022, 9, 27), 12], backward=True)
    assert text == paging.encode(BY_DATE, ["2022-09-27", 12], backward=True)  # same page, same link


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage",
        "e30:1:x",
        ".eJxLTEpOSU1Jz8rLz0vNzMnMy8_PzwcAb0UJNA:1xV:abc",
        signing.Signer(salt="another.purpose").sign_object({"o": "-said_on", "v": ["2022-01-01", 1], "r": 0}),
        "x" + paging.encode(BY_DATE, ["2022-01-01", 1]),
        paging.encode(BY_DATE, ["2022-01-01", 1])[:-1],
    ],
)
def test_a_tampered_or_garbled_cursor_is_a_cursor_error(text):
    with pytest.raises(paging.CursorError) as raised:
        paging.decode(text, BY_DATE)

    assert not isinstance(raised.value, paging.OtherOrderingCursor)


@pytest.mark.parametrize(
    "values", [["not a date", 1], ["2022-01-01", "1"], ["2022-01-01"], ["2022-01-01", 1, 2], [None, None], "x"]
)
def test_a_signed_cursor_whose_values_do_not_fit_the_ordering_is_a_cursor_error(values):
    text = signing.Signer(salt=paging.SALT).sign_object({"o": "-said_on", "v": values, "r": 0}, compress=True)

    with pytest.raises(paging.CursorError):
        paging.decode(text, BY_DATE)


def test_a_cursor_from_another_ordering_says_so():
    text = paging.encode(paging.ORDERINGS["said_on"], ["2022-01-01", 1])

    with pytest.raises(paging.OtherOrderingCursor) as raised:
        paging.decode(text, BY_DATE)

    assert raised.value.ordering is BY_DATE
    assert isinstance(raised.value, paging.CursorError)  # adapters that do not tell them apart: one 400


def test_cursors_the_statements_page_signed_before_still_decode():
    old = signing.Signer(salt="web.browse.cursor").sign_object({"v": ["2022-09-27", 12], "r": 1}, compress=True)

    assert paging.decode(old, BY_DATE) == paging.Cursor([datetime.date(2022, 9, 27), 12], backward=True)
    with pytest.raises(paging.OtherOrderingCursor):
        paging.decode(old, paging.ORDERINGS["said_on"])


def test_the_statement_orderings_by_name():
    assert paging.statement_ordering(None, searching=False) is BY_DATE
    assert paging.statement_ordering(None, searching=True) is paging.ORDERINGS["rank"]
    assert paging.statement_ordering("updated_at", searching=True).columns == ("updated_at", "id")
    with pytest.raises(ValueError, match="Use one of"):
        paging.statement_ordering("-rank", searching=True)
    with pytest.raises(ValueError, match="needs q"):
        paging.statement_ordering("rank", searching=False)


# Against the database: statements in SQL (StatementPages), and a queryset (QuerysetPages).


@pytest.mark.parametrize("name", ["-said_on", "said_on", "-updated_at", "updated_at"])
def test_statement_pages_break_ties_by_id_both_ways(db, name):
    days = ["2022-01-01", "2022-01-01", "2022-01-01", "2022-02-01", "2022-02-01", "2022-03-01", "2022-03-01"]
    statements = [StatementFactory(said_on=day) for day in days]
    ordering = paging.ORDERINGS[name]
    expected = [s.pk for s in sorted(statements, key=lambda s: tuple(getattr(s, c) for c in ordering.columns))]
    if ordering.descending:
        expected.reverse()

    for size in (1, 2, 3, 7):
        forward, backward = walk(StatementPages(Selection(), ordering, IDS), size)
        assert [int(pk) for page in forward for pk in page] == expected, size
        assert backward == forward, size


def test_queryset_pages_break_ties_on_the_name_by_slug_both_ways(db):
    for slug in ("b-smith", "a-smith", "c-smith", "a-jones", "z-adams"):
        SpeakerFactory(name=slug.split("-")[1].title(), slug=slug)
    source = paging.QuerysetPages(Speaker.objects.all(), paging.SPEAKERS)

    forward, cursor = [], None
    while True:
        page = paging.keyset_page(source, cursor, 2)
        forward += [speaker.slug for speaker in page.rows]
        if page.next is None:
            break
        cursor = paging.decode(page.next, paging.SPEAKERS)
    back = paging.keyset_page(source, paging.decode(page.previous, paging.SPEAKERS), 2)

    assert forward == ["z-adams", "a-jones", "a-smith", "b-smith", "c-smith"]
    assert [speaker.slug for speaker in back.rows] == ["a-smith", "b-smith"]
