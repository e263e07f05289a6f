"""One error shape for the whole API: {"errors": {"<parameter>": ["message", …]}}."""

import psycopg
from django.db import OperationalError
from django.http import JsonResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

MAX_MESSAGE_LENGTH = 300


def error_body(errors: dict[str, list[str]]) -> dict:
    """The error shape. Messages are cut short: some (Django's own) quote the bad value back."""
    return {
        "errors": {
            name: [m if len(m) <= MAX_MESSAGE_LENGTH else f"{m[:MAX_MESSAGE_LENGTH]}…" for m in messages]
            for name, messages in errors.items()
        }
    }


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {"name": ["message"]}; non-field errors go under "detail"."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "detail" if key in ("non_field_errors", "__all__") else f"{prefix}{key}"
            for sub_key, messages in flatten_errors(value, "").items():
                full = name if sub_key == "detail" else f"{name}.{sub_key}"
                out.setdefault(full, []).extend(messages)
        return out
    if isinstance(detail, list):
        out = {}
        for item in detail:
            for key, messages in flatten_errors(item, prefix).items():
                out.setdefault(key, []).extend(messages)
        return out
    return {prefix or "detail": [str(detail)]}


def is_statement_timeout(exc: BaseException) -> bool:
    """A query cancelled by statement_timeout (psycopg's QueryCanceled under Django's wrapper)."""
    return isinstance(exc, OperationalError) and isinstance(exc.__cause__, psycopg.errors.QueryCanceled)


def query_too_slow() -> JsonResponse:
    response = JsonResponse(
        error_body(
            {
                "detail": [
                    "The query took longer than the 2 s limit. Narrow it with filters (a date range, governments)."
                ]
            }
        ),
        status=503,
    )
    response["Retry-After"] = "60"
    return response


def exception_handler(exc, context):
    if is_statement_timeout(exc):
        return query_too_slow()
    from tracker.failures import classify, failure_response

    if (kind := classify(exc)) is not None:  # the database unreachable, or every connection busy
        return failure_response(context["request"], kind)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = error_body(
        flatten_errors(exc.detail if isinstance(exc, exceptions.APIException) else response.data)
    )
    return response


def json_not_found(request, exception=None):
    """404 for /api/ URLs that match no route, in the API's error shape."""
    return JsonResponse(error_body({"detail": ["Not found."]}), status=404)


def not_found(request, exception=None):
    """The project's 404 handler: JSON under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    from web.errors import error_page

    return error_page(request, 404)
