"""OpenAPI generation: every operation documents the error responses it can give."""

from drf_spectacular.openapi import AutoSchema

ERROR_DESCRIPTIONS = {
    "400": "A parameter is unknown, repeated or has a bad value; `errors` names it.",
    "404": "No such object (or it is not published).",
    "405": "The API is read-only.",
    "429": "Too many requests from this client; see the Retry-After and RateLimit-* headers.",
    "503": "The query took longer than 2 s (statement_timeout); narrow it and retry.",
}


class TrackerAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        from api.serializers import ErrorSerializer

        responses = super()._get_response_bodies(direction)
        if self.method == "GET":
            for code, description in ERROR_DESCRIPTIONS.items():
                if code not in responses:
                    responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                    responses[code]["description"] = description
        return responses
