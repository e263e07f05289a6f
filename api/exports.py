"""Bulk exports of the statements matching any statement filter: CSV and JSON Lines, streamed.

Rows are read through a server-side cursor in chunks and written as they come, so memory stays
flat whatever the size, and a slow client slows the reading (back-pressure through the WSGI
server). JSON Lines is the interchange format: it re-imports losslessly.
"""

import csv
import itertools
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from api.filters import StatementFilter, filter_strictly
from api.params import StrictQueryParamsMixin
from statements import listing
from statements.models import Statement
from statements.services import statements_export_lines

CSV_COLUMNS = [
    "id",
    "permalink",
    "said_on",
    "date_precision",
    "published_on",
    "government",
    "government_name",
    "speaker",
    "speaker_name",
    "role",
    "organization",
    "topic",
    "stance",
    "language",
    "is_translation",
    "quote",
    "context",
    "source_urls",
    "source_publishers",
    "updated_at",
]
CHUNK = 2000


class _Echo:
    """A file-like object whose write() returns the text, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows, permalink) -> Iterator[str]:
    """CSV text of `rows` (statements/listing.py rows with sources), a chunk of lines at a time."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for chunk in itertools.batched(rows, CHUNK):
        yield "".join(
            writer.writerow(
                [
                    s["id"],
                    permalink(s["id"]),
                    s["said_on"].isoformat(),
                    s["date_precision"],
                    s["published_on"].isoformat() if s["published_on"] else "",
                    s["government_id"],
                    s["government_name"],
                    s["speaker_slug"],
                    s["speaker_name"],
                    s["role"],
                    s["organization"],
                    s["topic_slug"],
                    s["stance"],
                    s["language"],
                    "true" if s["is_translation"] else "false",
                    s["quote"],
                    s["context"],
                    " | ".join(source["url"] for source in s["sources"]),
                    " | ".join(source["publisher"] for source in s["sources"]),
                    s["updated_at"].isoformat(),
                ]
            )
            for s in chunk
        )


class StatementExport(StrictQueryParamsMixin, APIView):
    """Every published statement matching the filters, oldest first, streamed."""

    filterset_class = StatementFilter
    pagination_class = None
    media_type = ""
    filename = ""

    def stream(self, request, selection):
        raise NotImplementedError

    def get(self, request):
        response = StreamingHttpResponse(self.stream(request, filter_strictly(request)), content_type=self.media_type)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


@extend_schema(
    summary="Every statement matching the filters as CSV (streamed; one row per statement)",
    responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="UTF-8 CSV with a header row")},
    filters=True,
)
class StatementCsvExport(StatementExport):
    media_type = "text/csv; charset=utf-8"
    filename = "statements.csv"

    def stream(self, request, selection):
        page = request.build_absolute_uri("/statements/987654321/").replace("987654321", "{}")
        return csv_lines(listing.stream(selection, chunk_size=CHUNK), page.format)


@extend_schema(
    summary="Every statement matching the filters in the interchange format (JSON Lines; re-imports losslessly)",
    responses={(200, "application/jsonl"): OpenApiResponse(OpenApiTypes.STR, description="One JSON object per line")},
    filters=True,
)
class StatementJsonlExport(StatementExport):
    media_type = "application/jsonl; charset=utf-8"
    filename = "statements.jsonl"

    def stream(self, request, selection):
        # The interchange renderer (shared with `manage.py export_statements`) reads models.
        return statements_export_lines(Statement.objects.filter(selection.condition()))
