"""`GET /api/v1/statements/check/?text=…`: printed words against the verified statements (SPEC §9).

The matching is statements.quotecheck's; this module parses the request, and declares and
renders the answer.
"""

import orjson
from django import forms
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.exceptions import APIException
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api import shapes
from api.admission import Busy, quote_check_slot
from api.links import StatementUrls
from api.params import Query, body_params
from statements import quotecheck
from statements.quotecheck import MAX_LIMIT, MAX_TEXT_LENGTH, MIN_WORDS, Check, TextError, validate_text

VERDICTS = ["verbatim", "minor", "altered", "unrelated"]
TEXT_PATTERN = r"^[^\u0000]*[^ \t\n\r\f\v\u0000][^\u0000]*$"


class CheckParams(forms.Form):
    text = forms.CharField(
        strip=False,
        max_length=MAX_TEXT_LENGTH,
        label="The words as printed",
        help_text=f"{MIN_WORDS} words to {MAX_TEXT_LENGTH:,} characters; … and [bracketed insertions] are gaps.",
    )
    limit = forms.IntegerField(
        min_value=1, max_value=MAX_LIMIT, required=False, label=f"Candidates to return (1–{MAX_LIMIT}, default 3)"
    )

    # Not blank, no NUL; "at least 3 words" (Unicode words) is more than a JSON Schema pattern can
    # say: tests/api/schemathesis_hooks.py tells the fuzzer.
    text.json_schema = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT_LENGTH, "pattern": TEXT_PATTERN}

    def clean_text(self):
        try:
            return validate_text(self.cleaned_data["text"])
        except TextError as exc:
            raise forms.ValidationError(str(exc)) from exc


def _op(name: str, *keys: str) -> dict:
    properties = {"op": {"type": "string", "enum": [name]}} | {key: {"type": "string"} for key in keys}
    if name != "equal":
        properties["gap"] = {
            "type": "boolean",
            "enum": [True],
            "description": "At an ellipsis or a bracketed insertion: a gap, not a difference.",
        }
    return {"type": "object", "required": ["op", *keys], "properties": properties, "additionalProperties": False}


MATCHED = {
    "type": ["object", "null"],
    "required": ["language", "by", "official", "source_url", "text"],
    "properties": {
        "language": {"type": "string", "description": "BCP 47 tag of the rendering."},
        "by": {"type": "string", "description": "Who made the rendering (a wire, a paper, a government, the editors)."},
        "official": {"type": "boolean", "description": "Made or published by the speaker's own government."},
        "source_url": {"type": ["string", "null"], "format": "uri", "description": "Where it was printed."},
        "text": {"type": "string", "description": "The rendering the diff is against."},
    },
    "description": "null when the printed words were compared with the quote itself; else the rendering of "
    "the quote in another language they were compared with (the diff is against its text, the original "
    "quote is `statement.quote`).",
}
CHECK_MATCH = {
    "type": "object",
    "required": ["statement", "matched", "score", "verdict", "excerpt", "differences", "compared", "summary", "diff"],
    "properties": {
        "statement": shapes.CHECKED.ref(),
        "matched": MATCHED,
        "score": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "2 × matching words / (printed words + words of the quote span they match).",
        },
        "verdict": {"type": "string", "enum": VERDICTS},
        "excerpt": {"type": "boolean", "description": "The printed words cover only part of the quote."},
        "differences": {"type": "integer", "minimum": 0, "description": "Words that differ, gaps aside."},
        "compared": {"type": "integer", "minimum": 0, "description": "Words compared."},
        "summary": {"type": "string", "description": "The verdict in words."},
        "diff": {
            "type": "array",
            "items": {
                "oneOf": [
                    _op("equal", "text"),
                    _op("replace", "printed", "original"),
                    _op("delete", "printed"),
                    _op("insert", "original"),
                ]
            },
            "description": "The printed words against the quote span, in each text's own spelling.",
        },
    },
}
CHECK = {
    "type": "object",
    "required": ["text", "verdict", "threshold", "matches"],
    "properties": {
        "text": {"type": "string"},
        "verdict": {"type": "string", "enum": ["verbatim", "minor", "altered", "no_match"]},
        "threshold": {"type": "number", "description": "The score below which a candidate is `unrelated`."},
        "matches": {"type": "array", "items": CHECK_MATCH, "description": "Best first."},
        "reason": {
            "type": "string",
            "description": "With `no_match`, when the printed text is in a language the tracker holds no quote "
            "and no rendering in: `no rendering in <language>`.",
        },
    },
}
EXAMPLE = {
    "text": "We welcome all people seeking asylum",
    "verdict": "altered",
    "threshold": quotecheck.MATCH_THRESHOLD,
    "matches": [
        {
            "statement": {
                "id": 3,
                "url": "https://tracker.example/api/v1/statements/3/",
                "permalink": "https://tracker.example/statements/3/",
                "speaker": {"slug": "karine-jean-pierre", "name": "Karine Jean-Pierre"},
                "role": "White House Press Secretary",
                "government": {"code": "US", "name": "United States"},
                "topic": {"slug": "russian-mobilisation-2022", "title": "Russians fleeing the 2022 mobilisation"},
                "said_on": "2022-09-27",
                "date_precision": "day",
                "stance": "welcoming",
                "quote": "You know, we believe that, regardless of … we welcome any folks who are seeking asylum …",
                "language": "en",
            },
            "matched": None,
            "score": 0.5714,
            "verdict": "altered",
            "excerpt": True,
            "differences": 4,
            "compared": 8,
            "summary": "The printed words differ from the record in 4 of 8 words.",
            "diff": [
                {"op": "equal", "text": "we welcome"},
                {"op": "replace", "printed": "all people", "original": "any folks who are"},
                {"op": "equal", "text": "seeking asylum"},
            ],
        }
    ],
}


# The check's parameters (its own and the statement filters), for the GET's query string and the POST's body.
CHECK_QUERY = Query(CheckParams, filters=True)


def _check_request() -> dict:
    """The POST body: the GET's parameters as an object (a list filter as an array, or one string)."""
    from api.schema import _not_empty, schema_for

    properties = {
        name: _not_empty(schema_for(field))
        for form_class in CHECK_QUERY.parameter_forms()
        for name, field in form_class.base_fields.items()
    }
    for name, schema in properties.items():
        if schema.get("type") == "array":
            properties[name] = {"anyOf": [schema["items"], schema]}
    return {"type": "object", "required": ["text"], "properties": properties, "additionalProperties": False}


def json_types() -> dict[str, type]:
    """What each parameter of a JSON body must be (as CHECK_REQUEST declares it)."""
    kinds = {"integer": int, "boolean": bool, "string": str}
    return {
        name: list if "anyOf" in schema else kinds.get(schema.get("type"), str)
        for name, schema in CHECK_REQUEST["properties"].items()
    }


CHECK_REQUEST = _check_request()


def check_body(check: Check) -> dict:
    body = {
        "text": check.text,
        "verdict": check.verdict,
        "threshold": quotecheck.MATCH_THRESHOLD,
        "matches": [
            {
                "statement": orjson.Fragment(match.statement),  # built by PostgreSQL
                "matched": match.matched,
                "score": match.alignment.score,
                "verdict": match.alignment.verdict,
                "excerpt": match.alignment.excerpt,
                "differences": match.alignment.differences,
                "compared": match.alignment.compared,
                "summary": match.alignment.summary(),
                "diff": [op.as_json() for op in match.alignment.ops],
            }
            for match in check.matches
        ],
    }
    if check.reason:
        body["reason"] = check.reason
    return body


class StatementCheck(APIView):
    """GET, or POST with the same parameters as a form or a JSON object (SPEC §9: 2,000
    characters of a non-Latin script do not fit a request line): read-only, CSRF-exempt
    (no session is read), the same answer and caching headers."""

    name = "Check"  # what OPTIONS has always answered (DRF's action naming)
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    query = CHECK_QUERY

    @extend_schema(
        summary="Check a quote as printed elsewhere against the verified statements",
        description="The statements the printed words most likely come from, best first, each with a score "
        "(0–1), a verdict (`verbatim`: every word, in order; `minor`: at most one word in ten differs and no "
        "number; `altered`: a likely source with more differences; `unrelated`: below the threshold) and a "
        "word-level diff in each text's own spelling. The top-level verdict is the best candidate's, or "
        "`no_match`. Words are compared case-folded, without diacritics or punctuation; an ellipsis or a "
        "bracketed insertion is a gap. Every statement filter narrows the candidates. Across languages: each "
        "candidate's renderings (translations) are compared too; a match through one names it in `matched` and "
        "its diff is against that rendering, with the original in `statement.quote`. A text in a language the "
        "tracker holds neither a quote nor a rendering in is `no_match` with a `reason`.",
        parameters=query.parameters(),
        responses={200: CHECK},
        examples=[OpenApiExample("The founding misquote", value=EXAMPLE, response_only=True)],
    )
    def get(self, request):
        return self.answer(request, request.query_params)

    @extend_schema(
        summary="Check a quote as printed elsewhere (the same check, its parameters in the body)",
        description="The GET check with its parameters sent as a JSON object or a form instead of the query "
        "string, for printed texts whose percent-encoded form would not fit a request line (2,000 characters of "
        "a non-Latin script). Read-only; the same answer and caching headers as the GET.",
        parameters=[],
        request={
            "application/json": CHECK_REQUEST,
            "application/x-www-form-urlencoded": CHECK_REQUEST,
            "multipart/form-data": CHECK_REQUEST,
        },
        responses={200: CHECK},
    )
    def post(self, request):
        return self.answer(request, body_params(request, json_types()))

    def answer(self, request, data):
        """The check of the parameters in `data`, parsed once: a query string, or a POST's body with it."""
        params, selection = self.query.parse(request, data)
        urls = StatementUrls(request)
        try:
            with quote_check_slot():
                result = quotecheck.check_quote(
                    params["text"],
                    projection=shapes.check_projection(urls.api_prefix, urls.page_prefix),
                    selection=selection,
                    limit=params["limit"] or 3,
                )
        except Busy as exc:
            raise ChecksBusy(wait=exc.retry_after) from exc
        return Response(check_body(result))


class ChecksBusy(APIException):
    """Every quote-check slot of this process stayed taken (api/admission.py)."""

    status_code = 503
    default_detail = "Too many quote checks are running right now. Try again in a few seconds."

    def __init__(self, wait: int):
        super().__init__()
        self.wait = wait  # DRF's handler sends it as Retry-After
