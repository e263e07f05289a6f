"""Error pages in the site's layout (navigation, skip link, `lang`, footer), saying what happened
in words: 400, 403, 404, 405, 410, 500 and 503 (SPEC §6a, §8). API paths answer with problem
documents instead (application/problem+json: api/exceptions.py, tracker/failures.py).

They never read the database: a 503 page must render while PostgreSQL is down.
"""

from django.http import HttpResponseNotAllowed
from django.shortcuts import render

PAGES = {
    400: ("Bad request", "The address or the form sent something this site cannot read. Check the link."),
    403: ("Not allowed", "You are not allowed to do that here. The public site is read-only."),
    404: ("Page not found", "There is no page at this address: mistyped, or the link is out of date."),
    405: ("Not allowed here", "This address can only be read (GET): nothing on the public site is changed."),
    410: ("Gone", "What was here has been removed on purpose, and will not come back."),
    429: ("Too many requests", "Too many requests from your address in a short time. Please wait a moment."),
    500: ("Something went wrong", "Something went wrong on our side. It has been logged; please try again later."),
    503: ("Temporarily unavailable", "The tracker cannot answer this request right now. Please try again in a minute."),
}
REASONS = {
    "unavailable": "The database behind the tracker is unavailable for a moment (a restart or a fail-over). "
    "Nothing is lost; please try again shortly.",
    "busy": "The tracker is very busy: every connection to its database is in use. Please try again in a few seconds.",
    "too_slow": "This request took longer than the 2 seconds we allow any request. "
    "Narrowing it (fewer words to check, a date range, a government) helps; or try again later.",
    "checks_busy": "Too many quote checks are running right now. Please try again in a few seconds.",
    "rate_limited": "Too many requests from your address in a short time. Please wait a moment and try again.",
}


def error_page(request, status: int, *, reason: str | None = None, detail: str | None = None, allowed=None):
    """The error page for `status`; `reason` (a key of REASONS) or `detail` says more."""
    title, text = PAGES[status]
    context = {"status": status, "title": title, "text": REASONS.get(reason, text), "detail": detail}
    if allowed:
        context["allowed"] = ", ".join(allowed)
    response = render(request, "web/error.html", context, status=status)
    if allowed:
        response["Allow"] = ", ".join(allowed)
    return response


def _machine_problem(request, status: int, message: str):
    """Under the machine-read prefixes, the problem document a program expects; else None."""
    from tracker.failures import MACHINE_PREFIXES

    if not request.path.startswith(MACHINE_PREFIXES):
        return None
    from api.exceptions import problem_response

    return problem_response(status, {"detail": [message]})


def bad_request(request, exception=None):
    """handler400 (Django's own refusals: a disallowed Host, too many parameters)."""
    message = "The request could not be read (too many parameters, or a malformed header)."
    return _machine_problem(request, 400, message) or error_page(request, 400)


def permission_denied(request, exception=None):
    return _machine_problem(request, 403, "Not allowed: the public API is read-only.") or error_page(request, 403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without its token (an admin form kept open too long)."""
    return error_page(
        request, 403, detail="The form was sent without a valid security token. Reload the page and send it again."
    )


class NotAllowedPageMiddleware:
    """405s from the site's views (require_safe's empty HttpResponseNotAllowed) become the error
    page, keeping their Allow header; the API's 405s are JSON already."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            allowed = [method.strip() for method in response["Allow"].split(",")]
            from tracker.failures import MACHINE_PREFIXES

            if request.path.startswith(MACHINE_PREFIXES):
                from api.exceptions import problem_response

                message = f"Method {request.method} not allowed here: use {', '.join(allowed)}."
                replaced = problem_response(405, {"detail": [message]})
                replaced["Allow"] = response["Allow"]
            else:
                replaced = error_page(request, 405, allowed=allowed)
            return replaced
        return response
