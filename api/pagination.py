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

_DIGITS = re.compile(r"[0-9]{1,6}")


@dataclass(frozen=True)
class KeysetOrdering:
    """A named, total order: `keys` are (field, descending) pairs ending in a unique field."""

    name: str
    keys: tuple[tuple[str, bool], ...]

    def order_by(self, reverse: bool = False) -> list:
        return [F(field).desc() if descending != reverse else F(field).asc() for field, descending in self.keys]

    def after(self, values: list, reverse: bool = False) -> Q:
        """Rows strictly after `values` in this order (before them when `reverse`)."""
        condition = Q()
        for index in reversed(range(len(self.keys))):
            field, descending = self.keys[index]
            lookup = "lt" if descending != reverse else "gt"
            step = Q(**{f"{field}__{lookup}": values[index]})
            if index < len(self.keys) - 1:
                step |= Q(**{field: values[index]}) & condition
            condition = step
        return condition

    def values_of(self, row) -> list:
        return [_encode(getattr(row, field)) for field, _ in self.keys]


def _encode(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


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

    def decode_cursor(self, request, ordering: KeysetOrdering) -> tuple[list, bool] | None:
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        try:
            payload = signing.loads(raw, salt=self.signing_salt)
            name, values, reverse = payload["o"], payload["v"], payload["r"]
        except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
            raise ValidationError(
                {self.cursor_query_param: ["Invalid cursor; use the next or previous link as given."]}
            ) from exc
        if name != ordering.name or not isinstance(values, list) or len(values) != len(ordering.keys):
            raise ValidationError(
                {self.cursor_query_param: [f"This cursor belongs to another ordering than {ordering.name!r}."]}
            )
        return values, bool(reverse)

    def encode_cursor(self, ordering: KeysetOrdering, values: list, reverse: bool) -> str:
        return signing.dumps(
            {"o": ordering.name, "v": values, "r": int(reverse)}, salt=self.signing_salt, compress=True
        )

    def count(self, queryset) -> tuple[int, bool]:
        capped = queryset.order_by().values("pk")[: self.count_limit + 1].count()
        return min(capped, self.count_limit), capped <= self.count_limit

    def paginate_queryset(self, queryset, request, view=None):
        ordering: KeysetOrdering = view.get_keyset_ordering()
        page_size = self.get_page_size(request)
        cursor = self.decode_cursor(request, ordering)
        self.request = request
        self.count_value, self.count_exact = self.count(queryset)
        reverse = bool(cursor and cursor[1])
        page = queryset.order_by(*ordering.order_by(reverse))
        if cursor:
            page = page.filter(ordering.after(cursor[0], reverse))
        rows = list(page[: page_size + 1])
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
        url = self.request.build_absolute_uri()
        return replace_query_param(
            url, self.cursor_query_param, self.encode_cursor(ordering, ordering.values_of(row), reverse)
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
                    "description": f"Exact up to {self.count_limit:,}, then {self.count_limit:,}.",
                },
                "count_exact": {
                    "type": "boolean",
                    "description": f"False when there are more than {self.count_limit:,} rows.",
                },
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Opaque cursor from a `next` or `previous` link.",
                "schema": {"type": "string"},
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
