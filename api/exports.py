"""Bulk exports of the statements matching any statement filter: CSV and JSON Lines, streamed.

Both come straight from PostgreSQL's COPY (the JSON Lines' JSON built by PostgreSQL too), in
blocks of 64 KB, written as they come, so memory stays flat whatever the size, and a slow client slows
the reading (back-pressure through the WSGI server). CSV lines end in LF. JSON Lines is the
interchange format: it re-imports losslessly.
"""

import csv
import hashlib
import io

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from api import shapes
from api.links import prefix, site_root
from api.params import Query
from statements import listing
from statements.models import DataVersion


def csv_header() -> bytes:
    """The header row: the columns api/shapes.py declares, in their order."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(shapes.csv_header())
    return buffer.getvalue().encode()


class StatementExport(APIView):
    """Every published statement matching the filters, oldest first, streamed."""

    query = Query(filters=True)
    media_type = ""
    filename = ""

    def stream(self, request, selection):
        raise NotImplementedError

    def get(self, request):
        _, selection = self.query.parse(request)
        response = StreamingHttpResponse(self.stream(request, selection), content_type=self.media_type)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        # Validators without reading the stream: an export is a function of the data version, the
        # query and the release, so a client whose copy is current gets a 304 and no query runs.
        _version, changed_at = DataVersion.totals()
        parts = (settings.RELEASE, DataVersion.current(), self.filename, site_root(request), request.GET.urlencode())
        key = "\n".join(parts)
        response["ETag"] = f'"{hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]}"'
        if changed_at is not None:
            response["Last-Modified"] = http_date(changed_at.timestamp())
        return response


@extend_schema(
    summary="Every statement matching the filters as CSV (streamed; one row per statement)",
    responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="UTF-8 CSV with a header row")},
    parameters=StatementExport.query.parameters(),
)
class StatementCsvExport(StatementExport):
    media_type = "text/csv; charset=utf-8"
    filename = "statements.csv"

    def stream(self, request, selection):
        projection = shapes.csv_projection(prefix(request, "statement-page"))
        return _csv_stream(selection, projection)


def _csv_stream(selection, projection):
    """The header, then the rows. A generator (not itertools.chain, which has no close()): a
    client gone mid-download closes it, in the request's thread, before its database connection
    goes back to the pool, so the COPY is cancelled and the connection comes back clean."""
    yield csv_header()
    yield from listing.csv_rows(selection, projection)


@extend_schema(
    summary="Every statement matching the filters in the interchange format (JSON Lines; re-imports losslessly)",
    responses={(200, "application/jsonl"): OpenApiResponse(OpenApiTypes.STR, description="One JSON object per line")},
    parameters=StatementExport.query.parameters(),
)
class StatementJsonlExport(StatementExport):
    media_type = "application/jsonl; charset=utf-8"
    filename = "statements.jsonl"

    def stream(self, request, selection):
        # Built by PostgreSQL like the CSV (api/shapes.py declares the line; `manage.py
        # export_statements` renders the same records from models).
        return listing.jsonl_rows(selection, shapes.interchange_projection())
