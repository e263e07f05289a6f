"""OpenAPI generation (OpenAPI 3.1): the schema tells what is really sent.

- every GET documents its error responses (problem documents, component `Problem`) and its 304
  (conditional requests), and the headers a client can read (ETag, Last-Modified, Link, the
  RateLimit-Policy and RateLimit fields);
- descriptions are written for readers, never a view's internal docstring;
- the statement shapes come from api/shapes.py (components `Statement`, `StatementDetail`,
  `Tombstone`…), the parameters' limits from the filter language (statements/filtering.py):
  enums, patterns, lengths and ranges, with the speakers and topics that exist as enums.
"""

from django import forms
from django.db.utils import DatabaseError
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from statements.filtering import (
    MAX_LIST_ITEMS,
    MAX_QUERY_LENGTH,
    MAX_QUERY_TERMS,
    AwareDateTimeField,
    CSVField,
    SearchField,
    StatementFilterForm,
    StrictBooleanField,
    clean_language,
)

# Every error is an RFC 9457 problem document (api/exceptions.py): these answers may come from
# any GET (or the quote check's POST); 413, 414 and 431 from nginx in front (deploy/nginx.conf).
ERROR_DESCRIPTIONS = {
    "400": "A parameter is unknown, repeated or has a bad value; `errors` names it.",
    "404": "No such object (or it is not published).",
    "405": "The API is read-only.",
    "406": "The Accept header names no format this URL serves (JSON; application/problem+json is read as JSON).",
    "414": "The URL is longer than 32 KB (nginx). Send a long quote check as POST.",
    "429": "Too many requests from this client: the `quota-exceeded` problem type, naming the policy in "
    "`violated-policies` (`default`, the RateLimit fields' policy; `checks`, nginx's pace of 2 quote checks a "
    "second); see Retry-After.",
    "431": "A request header is larger than 32 KB (nginx).",
    "500": "Something went wrong on our side; it has been logged.",
    "503": "The query took longer than 2 s (statement_timeout), or the database is unavailable or busy for a "
    "moment, or the service is restarting; see Retry-After.",
}
POST_ERROR_DESCRIPTIONS = {
    "413": "The request body is larger than 2 MB (nginx).",
    "415": "The body is neither a form nor JSON.",
}
PROBLEM_JSON = "application/problem+json"
PROBLEM = {
    "type": "object",
    "description": "An error, as an RFC 9457 problem document (application/problem+json). `type` is "
    "`about:blank` (the status code says what happened; `title` is its reason phrase), except a 429: "
    "`https://iana.org/assignments/http-problem-types#quota-exceeded`. `errors` (messages by parameter "
    "name) is kept from the API's earlier error shape.",
    "properties": {
        "type": {"type": "string", "format": "uri-reference", "description": "The problem type."},
        "title": {"type": "string", "description": "A short summary of the problem type."},
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "description": "The HTTP status code."},
        "detail": {"type": "string", "description": "What went wrong this time, in words."},
        "instance": {
            "type": "string",
            "format": "uri-reference",
            "description": "Not sent: the request's own URL names the occurrence.",
        },
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "description": 'Messages by parameter name ("detail" for errors not tied to one parameter).',
        },
        "violated-policies": {
            "type": "array",
            "items": {"type": "string"},
            "description": "On a 429: the policy exceeded (`default`, or `checks` for the quote checks' pace).",
        },
    },
    "required": ["type", "title", "status", "detail", "errors"],
}
RETRY_AFTER = {"schema": {"type": "integer", "minimum": 1}, "description": "Seconds to wait before trying again."}
NOT_MODIFIED = {
    "description": "Not Modified: the copy you named with If-None-Match (or If-Modified-Since) is current. No body.",
    "headers": {"ETag": {"schema": {"type": "string"}, "description": "The current entity tag."}},
}
# draft-ietf-httpapi-ratelimit-headers-11: structured-field lists (RFC 9651) naming the one policy.
RATE_LIMIT_HEADERS = {
    "RateLimit-Policy": {
        "schema": {"type": "string", "pattern": r'^"default";q=[0-9]{1,15};w=[0-9]{1,15}$'},
        "description": 'The quota policy: `"default";q=600;w=60` is 600 requests per client in a 60 s window.',
    },
    "RateLimit": {
        "schema": {"type": "string", "pattern": r'^"default";r=[0-9]{1,15};t=[0-9]{1,15}$'},
        "description": 'What is left of it: `"default";r=42;t=17` is 42 more requests in the next 17 s.',
    },
}
HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "Entity tag: send it back as If-None-Match."},
    "Cache-Control": {"schema": {"type": "string"}, "description": "public, max-age=60."},
    **RATE_LIMIT_HEADERS,
}
ERROR_HEADERS = {
    "429": {"Retry-After": RETRY_AFTER, **RATE_LIMIT_HEADERS},
    "503": {"Retry-After": RETRY_AFTER},
}


def problem_response(code: str, description: str) -> dict:
    """An error response: a Problem document, with the headers that come with it."""
    response = {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if code in ERROR_HEADERS:
        response["headers"] = dict(ERROR_HEADERS[code])
    return response


# A q of at most MAX_QUERY_TERMS words (web-search syntax).
_SPACE, _WORD = r"[ \t\n\r\f\v]", r"[^ \t\n\r\f\v\u0000]"
SEARCH_PATTERN = rf"^{_SPACE}*{_WORD}+({_SPACE}+{_WORD}+){{0,{MAX_QUERY_TERMS - 1}}}{_SPACE}*$"
LANGUAGE_ITEM = {"type": "string", "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", "maxLength": 35}
NUMERIC_ID = "[0-9]{1,18}"  # the statements' and events' lookup_value_regex
SLUG_ITEM = {"type": "string", "pattern": r"^[-\w]{1,200}$"}


def _list(items: dict, least: int = 1, most: int = MAX_LIST_ITEMS) -> dict:
    """Repeated values are accepted (and counted once)."""
    return {"type": "array", "items": dict(items), "minItems": least, "maxItems": most}


def schema_for(field) -> dict:
    """The JSON Schema of a parameter form field, with the limits its validation enforces. List
    fields are arrays, served comma-separated (`government=DE,FI`: style form, explode false, set
    by the postprocessing hook); the parameter repeated is read alike."""
    if getattr(field, "json_schema", None):  # a field that says it itself
        return dict(field.json_schema)
    if isinstance(field, forms.IntegerField):
        return {"type": "integer", "minimum": field.min_value, "maximum": field.max_value}
    if isinstance(field, CSVField):
        # One case per code (upper): generated clients make one enum member per value, and `AD`
        # beside `ad` is a duplicate to them. The API reads `de` as `DE` all the same.
        choices = getattr(field.clean_item, "choices", None)
        bounds = getattr(field, "min_items", 1), getattr(field, "max_items", MAX_LIST_ITEMS)
        if choices is not None:
            schema = _list({"type": "string", "enum": list(choices)}, *bounds)
        else:
            schema = _list(LANGUAGE_ITEM if field.clean_item is clean_language else SLUG_ITEM, *bounds)
        return {**schema, "uniqueItems": True} if getattr(field, "unique_items", False) else schema
    if isinstance(field, StrictBooleanField):
        return {"type": "boolean"}
    if isinstance(field, AwareDateTimeField):  # a date means its midnight, UTC
        return {"type": "string", "anyOf": [{"format": "date-time"}, {"format": "date"}]}
    if isinstance(field, forms.DateField):
        return {"type": "string", "format": "date"}
    if isinstance(field, SearchField):
        return {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_LENGTH, "pattern": SEARCH_PATTERN}
    if isinstance(field, forms.ChoiceField):
        return {"type": "string", "enum": [value for value, _label in field.choices if value]}
    return {**SLUG_ITEM, "maxLength": field.max_length or 200}  # a slug (topic=)


def filter_schemas() -> dict[str, dict]:
    """Each statement filter's schema, with its limits (the domain's validation, in JSON Schema)."""
    return {name: schema_for(field) for name, field in StatementFilterForm.base_fields.items()}


def form_parameters(form_class) -> list[OpenApiParameter]:
    """A parameter form's fields as OpenAPI parameters, schemas and limits included."""
    return [
        OpenApiParameter(name, schema_for(field), required=field.required, description=_describe(field))
        for name, field in form_class.base_fields.items()
    ]


def filter_parameters() -> list[OpenApiParameter]:
    """The statement filters as OpenAPI parameters (for operations that are not list views:
    stats, exports)."""
    return form_parameters(StatementFilterForm)


def _describe(field) -> str:
    label = str(field.label) if field.label else ""
    help_text = str(field.help_text or "")
    return " ".join(part if part.endswith(".") else f"{part}." for part in (label, help_text) if part)


class TrackerAutoSchema(AutoSchema):
    def get_description(self):
        """Only what extend_schema(description=…) says: docstrings are for developers."""
        return ""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method in ("GET", "POST"):  # POST: the quote check, a read
            for code, body in responses.items():
                if code.startswith("2"):
                    body.setdefault("headers", {}).update(HEADERS)
            if self.method == "GET":
                responses.setdefault("304", dict(NOT_MODIFIED))
            errors = ERROR_DESCRIPTIONS | (POST_ERROR_DESCRIPTIONS if self.method == "POST" else {})
            for code, description in sorted(errors.items()):
                if code not in responses:
                    responses[code] = problem_response(code, description)
        return responses


def _not_empty(schema: dict) -> dict:
    """Every API parameter refuses an empty value ("leave the parameter out instead")."""
    if schema.get("type") == "array":
        return {**schema, "items": _not_empty(schema["items"])}
    if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
        return {**schema, "minLength": max(1, schema.get("minLength", 1))}
    return schema


def _public_slugs(model) -> list[str]:
    try:
        return list(model.objects.public().order_by("slug").values_list("slug", flat=True))
    except DatabaseError:  # generating the schema without a database (a build step): patterns only
        return []


def add_components_and_vocabularies(result, generator, request, public):
    """Postprocessing hook: the shapes' components (api/shapes.py), and the speakers and topics
    that exist as the enums of the `speaker` and `topic` parameters (an unknown slug is a 400)."""
    from api.shapes import components
    from statements.models import Speaker, Topic

    result.setdefault("components", {}).setdefault("schemas", {}).update(components(), Problem=PROBLEM)
    vocabularies = {"speaker": _public_slugs(Speaker), "topic": _public_slugs(Topic)}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if "requestBody" in operation:  # the quote check sent as POST: its body is required
                operation["requestBody"] = {**operation["requestBody"], "required": True}
            for content in operation.get("requestBody", {}).get("content", {}).values():
                _body_vocabularies(content, vocabularies)
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["schema"].get("pattern") == f"^{NUMERIC_ID}$":
                    # A numeric id is an integer to a client (generated clients type it so).
                    parameter["schema"] = {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}
                if parameter.get("in") != "query":
                    continue
                parameter["schema"] = _not_empty(parameter["schema"])
                if parameter["schema"].get("type") == "array":
                    # Served as the README writes it: one comma-separated value (`government=DE,FI`);
                    # the parameter repeated (`government=DE&government=FI`) is read alike.
                    parameter.update(style="form", explode=False)
                slugs = vocabularies.get(parameter["name"])
                if not slugs:
                    continue
                schema = dict(parameter["schema"])  # a copy: generated schemas share their dicts
                if schema.get("type") == "array":
                    schema["items"] = {"type": "string", "enum": slugs}
                else:
                    schema = {key: value for key, value in schema.items() if key not in ("pattern", "maxLength")}
                    schema["enum"] = slugs
                parameter["schema"] = schema
    return result


def _body_vocabularies(content: dict, vocabularies: dict[str, list[str]]) -> None:
    """A request body's `speaker` and `topic` (one slug or a list of them) as enums of the slugs
    that exist, like the query parameters (copies: generated schemas share their dicts)."""
    schema = content.get("schema")
    if not isinstance(schema, dict) or "properties" not in schema:
        return
    properties = dict(schema["properties"])
    for name, slugs in vocabularies.items():
        if name not in properties or not slugs:
            continue
        item = {"type": "string", "enum": slugs}
        kept = properties[name]
        if "anyOf" in kept:
            array = next(option for option in kept["anyOf"] if option.get("type") == "array")
            properties[name] = {"anyOf": [item, {**array, "items": item}]}
        else:
            properties[name] = item
    content["schema"] = {**schema, "properties": properties}
