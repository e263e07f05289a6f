"""JSON rendering with orjson: UTF-8, no ASCII escaping, ISO 8601 dates; and content negotiation
that knows errors are problem documents (application/problem+json, api/exceptions.py)."""

import orjson
from rest_framework import renderers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.utils.encoders import JSONEncoder

# Every error's media type (RFC 9457; api/exceptions.py writes the documents).
PROBLEM_JSON = "application/problem+json"
_fallback = JSONEncoder().default


class JSONRenderer(renderers.JSONRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=_fallback)


class ProblemAwareNegotiation(DefaultContentNegotiation):
    """A client that accepts application/problem+json reads JSON: it gets the JSON answer (and,
    on an error, the problem document), never a 406 for naming only the error format."""

    def get_accept_list(self, request):
        accepted = super().get_accept_list(request)
        for index, item in enumerate(accepted):
            if item.split(";")[0].strip().lower() == PROBLEM_JSON:
                return [*accepted[: index + 1], "application/json", *accepted[index + 1 :]]
        return accepted
