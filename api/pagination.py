"""Keyset (cursor) pagination for every ordering the API allows, with a capped exact count."""

import datetime
import re
from dataclasses import dataclass

from django.core import signing
from django.db.models import F, Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from api.links import absolute
from statements.listing import SEARCH_COUNT_LIMIT

_DIGITS = re.compile(r"[0-9]{1,6}")


@dataclass(frozen=True)
class KeysetOrdering:
    """A named, total order of a queryset: `keys` are (field, descending) pairs ending in a unique field."""

    name: str
    keys: tuple[tuple[str, bool], ...]

    def order_by(self, reverse: bool = False) -> list:
        return [F(field).desc() if descending != reverse else F(field).asc() for field, descending in self.keys]

    def after(self, values: list, reverse: bool = False) -> Q:
        """Rows strictly after `values` in this order (before them when `reverse`).

        `(a < x) OR (a = x AND b < y)`, with `a <= x` added in front: the OR alone is no index
        bound, and a deep cursor would walk and filter every row before it.
        """
        field, descending = self.keys[0]
        bound = Q(**{f"{field}__{'lte' if descending != reverse else 'gte'}": values[0]})
        return bound & self._strictly_after(values, reverse)

    def _strictly_after(self, values: list, reverse: bool) -> Q:
        condition = Q()
        for index in reversed(range(len(self.keys))):
            field, descending = self.keys[index]
            lookup = "lt" if descending != reverse else "gt"
            step = Q(**{f"{field}__{lookup}": values[index]})
            if index < len(self.keys) - 1:
                step |= Q(**{field: values[index]}) & condition
            condition = step
        return condition

    def cursor_values(self, row) -> list:
        return [_encode(getattr(row, field)) for field, _ in self.keys]

    def parse_cursor_values(self, values: list) -> list:
        if len(values) != len(self.keys):
            raise ValueError(values)
        return values  # the ORM converts strings to the fields' types


def _encode(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


class QuerysetPages:
    """Keyset pages and a capped count of a queryset (what `StatementPages` is for statements)."""

    def __init__(self, queryset, ordering: KeysetOrdering):
        self.queryset, self.ordering = queryset, ordering

    def count(self, limit: int) -> int:
        return self.queryset.order_by().values("pk")[:limit].count()

    def page(self, after: list | None, reverse: bool, size: int) -> list:
        page = self.queryset.order_by(*self.ordering.order_by(reverse))
        if after is not None:
            page = page.filter(self.ordering.after(after, reverse))
        return list(page[:size])


class KeysetPagination(BasePagination):
    """`{"count", "count_exact", "next", "previous", "results"}` plus an RFC 8288 `Link` header.

    Views provide `get_keyset_ordering()`. The cursor is signed, so a tampered or foreign cursor is a
    400, never a 500 or a silent restart from page one.
    """

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    default_page_size = 50
    max_page_size = 200
    count_limit = 10_000
    signing_salt = "api.pagination.cursor"

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.default_page_size
        # ASCII digits only: str.isdigit() accepts "²", which int() then refuses.
        if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Must be a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def decode_cursor(self, request, ordering) -> tuple[list, bool] | None:
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        invalid = ValidationError(
            {self.cursor_query_param: ["Invalid cursor; use the next or previous link as given."]}
        )
        try:
            payload = signing.Signer(salt=self.signing_salt).unsign_object(raw)
            name, values, reverse = payload["o"], payload["v"], payload["r"]
        except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
            raise invalid from exc
        if name != ordering.name or not isinstance(values, list):
            raise ValidationError(
                {self.cursor_query_param: [f"This cursor belongs to another ordering than {ordering.name!r}."]}
            )
        try:
            return ordering.parse_cursor_values(values), bool(reverse)
        except (TypeError, ValueError) as exc:  # a cursor signed by an older release
            raise invalid from exc

    def encode_cursor(self, ordering, values: list, reverse: bool) -> str:
        return self.sign({"o": ordering.name, "v": values, "r": int(reverse)})

    @classmethod
    def sign(cls, payload: dict) -> str:
        """A cursor: the payload, signed but not timestamped, so that the same page always has
        the same links, and so the same ETag (a timestamp changed them every second)."""
        return signing.Signer(salt=cls.signing_salt).sign_object(payload, compress=True)

    def paginate_queryset(self, queryset, request, view=None):
        """`queryset` is a queryset, or (for statements) a StatementPages the view built."""
        ordering = view.get_keyset_ordering()
        pages = queryset if hasattr(queryset, "page") else QuerysetPages(queryset, ordering)
        page_size = self.get_page_size(request)
        cursor = self.decode_cursor(request, ordering)
        self.request = request
        reverse = bool(cursor and cursor[1])
        rows = pages.page(cursor[0] if cursor else None, reverse, page_size + 1)
        limit = getattr(pages, "count_limit", None) or self.count_limit
        capped = pages.count(limit + 1)  # after the page, which may have brought it along
        self.count_value, self.count_exact = min(capped, limit), capped <= limit
        more = len(rows) > page_size
        rows = rows[:page_size]
        if reverse:
            rows.reverse()
        has_next = more if not reverse else True
        has_previous = bool(cursor) if not reverse else more
        self.next_link = self._link(ordering, rows[-1], False) if has_next and rows else None
        self.previous_link = self._link(ordering, rows[0], True) if has_previous and rows else None
        return rows

    def _link(self, ordering: KeysetOrdering, row, reverse: bool) -> str:
        url = absolute(self.request, self.request.get_full_path())
        return replace_query_param(
            url, self.cursor_query_param, self.encode_cursor(ordering, ordering.cursor_values(row), reverse)
        )

    def get_paginated_response(self, data):
        links = [
            f'<{url}>; rel="{rel}"' for url, rel in ((self.next_link, "next"), (self.previous_link, "prev")) if url
        ]
        headers = {"Link": ", ".join(links)} if links else None
        return Response(
            {
                "count": self.count_value,
                "count_exact": self.count_exact,
                "next": self.next_link,
                "previous": self.previous_link,
                "results": data,
            },
            headers=headers,
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_exact", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": f"Exact up to {self.count_limit:,} ({SEARCH_COUNT_LIMIT:,} for a search, `q`), "
                    "then that number.",
                },
                "count_exact": {
                    "type": "boolean",
                    "description": "False when there are more rows than that.",
                },
                "next": {
                    "type": ["string", "null"],
                    "format": "uri",
                    "description": "The next page; null on the last.",
                },
                "previous": {
                    "type": ["string", "null"],
                    "format": "uri",
                    "description": "The previous page; null on the first.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Opaque cursor from a `next` or `previous` link (use the links as given).",
                "schema": {"type": "string", "maxLength": 4000},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1 to {self.max_page_size} (default {self.default_page_size}).",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.default_page_size,
                },
            },
        ]

    def query_params(self) -> set[str]:
        return {self.cursor_query_param, self.page_size_query_param}
