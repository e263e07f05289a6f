"""One error shape for the API, the feeds, oEmbed and the quote check: an RFC 9457 problem
document, sent as `application/problem+json`, that keeps the earlier shape's `errors` (messages
by parameter name) as an extension member, so clients written against it keep working:

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "stance: 'welcomin' is not a stance; …", "errors": {"stance": ["'welcomin' is not a stance; …"]}}

- `type` is "about:blank" (RFC 9457 §4.2.1: the problem is what the status code says; `title` is
  then its reason phrase), except past the rate limit: a 429 is the RateLimit draft's
  "quota-exceeded" problem type, naming the policy in `violated-policies`;
- `detail` says it in one sentence, for people; `errors` names each parameter, for programs
  ("detail" there for what concerns no one parameter);
- no `instance`: the request's own URL names the occurrence.

The schema declares it once (component `Problem`, api/schema.py); nginx writes the same shape
for what it refuses before Django sees it (deploy/nginx.conf: 413, 414, 431, 503, and 429 for
an address's quote checks past their pace, policy "checks").
"""

from http import HTTPStatus

import orjson
import psycopg
from django.db import OperationalError
from django.http import HttpResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from api.renderers import PROBLEM_JSON

MAX_MESSAGE_LENGTH = 300
ABOUT_BLANK = "about:blank"
# draft-ietf-httpapi-ratelimit-headers §5.1 (with the RateLimit fields, api/middleware.py).
QUOTA_EXCEEDED = "https://iana.org/assignments/http-problem-types#quota-exceeded"
QUOTA_EXCEEDED_TITLE = "Request cannot be satisfied as assigned quota has been exceeded"
# RFC 9110's reason phrases, where Python's differ (413, 414) or lack one.
TITLES = {413: "Content Too Large", 414: "URI Too Long", 422: "Unprocessable Content"}


def _cut(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE_LENGTH else f"{message[:MAX_MESSAGE_LENGTH]}…"


def error_body(errors: dict[str, list[str]]) -> dict:
    """The `errors` member. Messages are cut short: some (Django's own) quote the bad value back."""
    return {"errors": {name: [_cut(m) for m in messages] for name, messages in errors.items()}}


def title_of(status: int) -> str:
    return TITLES.get(status) or HTTPStatus(status).phrase


def detail_of(errors: dict[str, list[str]]) -> str:
    """One sentence for people: the messages, each after the parameter it is about."""
    parts = [
        " ".join(messages) if name == "detail" else f"{name}: {' '.join(messages)}" for name, messages in errors.items()
    ]
    return _cut("; ".join(parts))


def problem(status: int, errors: dict[str, list[str]], **members) -> dict:
    """The problem document for `status`; `members` may set `type` and `title`, and add extension
    members (such as the 429's `violated-policies`)."""
    kept = error_body(errors)
    title = members.pop("title", None) or title_of(status)
    return {
        "type": members.pop("type", ABOUT_BLANK),
        "title": title,
        "status": status,
        "detail": detail_of(kept["errors"]) or title,
        **kept,
        **members,
    }


def problem_response(status: int, errors: dict[str, list[str]], **members) -> HttpResponse:
    """A problem document as a plain Django response (middleware, feeds, oEmbed, handlers)."""
    body = orjson.dumps(problem(status, errors, **members))
    return HttpResponse(body, status=status, content_type=PROBLEM_JSON)


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


def query_too_slow() -> HttpResponse:
    message = "The query took longer than the 2 s limit. Narrow it with filters (a date range, governments)."
    response = problem_response(503, {"detail": [message]})
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
    errors = flatten_errors(exc.detail if isinstance(exc, exceptions.APIException) else response.data)
    response.data = problem(response.status_code, errors)
    response.content_type = PROBLEM_JSON  # whichever renderer wrote it (JSON, or the schema's)
    return response


def json_not_found(request, exception=None):
    """404 for /api/ URLs that match no route, in the API's error shape."""
    return problem_response(404, {"detail": ["Not found."]})


def not_found(request, exception=None):
    """The project's 404 handler: JSON under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    from web.errors import error_page

    return error_page(request, 404)
