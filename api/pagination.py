"""Keyset pagination for the API, an adapter over statements/paging.py: the page size, the
`cursor` parameter and its errors, the links and the envelope with a capped exact count."""

import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from api.links import absolute
from statements import paging
from statements.listing import SEARCH_COUNT_LIMIT

_DIGITS = re.compile(r"[0-9]{1,6}")


class KeysetPagination(BasePagination):
    """`{"count", "count_exact", "next", "previous", "results"}` plus an RFC 8288 `Link` header.

    `paginate_queryset` takes a StatementPages (statements) or a queryset, paged in the view's
    `keyset_ordering`. A tampered or foreign cursor is a 400 naming `cursor`.
    """

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    default_page_size = 50
    max_page_size = 200
    count_limit = 10_000

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

    def decode_cursor(self, request, ordering: paging.Ordering) -> paging.Cursor | None:
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        try:
            return paging.decode(raw, ordering)
        except paging.OtherOrderingCursor as exc:
            message = f"This cursor belongs to another ordering than {ordering.name!r}."
            raise ValidationError({self.cursor_query_param: [message]}) from exc
        except paging.CursorError as exc:
            message = "Invalid cursor; use the next or previous link as given."
            raise ValidationError({self.cursor_query_param: [message]}) from exc

    def paginate_queryset(self, queryset, request, view=None):
        """`queryset` is a queryset, or (for statements) a StatementPages the view built."""
        pages = queryset if hasattr(queryset, "page") else paging.QuerysetPages(queryset, view.keyset_ordering)
        size = self.get_page_size(request)
        page = paging.keyset_page(pages, self.decode_cursor(request, pages.ordering), size)
        self.request = request
        self.count_value, self.count_exact = self.capped_count(pages, getattr(pages, "count_limit", None))
        self.next_link = self.link(request, page.next)
        self.previous_link = self.link(request, page.previous)
        return page.rows

    def capped_count(self, pages, limit: int | None = None) -> tuple[int, bool]:
        """`pages`' count up to `limit` (the paginator's by default) and whether it is exact; after
        the page, which may have brought it along."""
        limit = limit or self.count_limit
        capped = pages.count(limit + 1)
        return min(capped, limit), capped <= limit

    def link(self, request, cursor: str | None) -> str | None:
        """This request's URL with `cursor` (None: no link)."""
        if cursor is None:
            return None
        return replace_query_param(absolute(request, request.get_full_path()), self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        return envelope(data, self.count_value, self.count_exact, self.next_link, self.previous_link)

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


def envelope(results, count: int, count_exact: bool, next_link: str | None, previous_link: str | None) -> Response:
    """A page as the API answers it (every paged list, the event log's too)."""
    links = [f'<{url}>; rel="{rel}"' for url, rel in ((next_link, "next"), (previous_link, "prev")) if url]
    return Response(
        {"count": count, "count_exact": count_exact, "next": next_link, "previous": previous_link, "results": results},
        headers={"Link": ", ".join(links)} if links else None,
    )
