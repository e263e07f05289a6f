"""What the generator must know that a schema cannot say (a schemathesis hook).

- a cursor is one the API signed, for the ordering asked for: a made-up one is rightly a 400;
- `ordering=rank` orders search results, so it comes with `q`;
- a bucketed count answers at most 10,000 rows (groups × periods);
- a quote check needs at least 3 words (Unicode words: more than a JSON Schema pattern can count).
"""

import datetime
import os

import django
import schemathesis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django.setup()  # the cursors are signed with the settings' key, as the server signs them

from statements import paging  # noqa: E402
from statements.stats import MAX_ROWS, TooManyRows, periods  # noqa: E402

LATER = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC).isoformat()
# A cursor's ordering and values, by list: what a `next` link of that list would carry.
CURSORS = {
    "/api/v1/speakers/": (paging.SPEAKERS, ["Karine Jean-Pierre", "karine-jean-pierre"]),
    "/api/v1/governments/": (paging.GOVERNMENTS, ["Germany", "DE"]),
    "/api/v1/topics/": (paging.TOPICS, ["Russians", "russian-mobilisation-2022"]),
}
STATEMENT_CURSORS = {
    "rank": [0.05, 3],
    "said_on": ["2022-09-23", 3],
    "-said_on": ["2022-09-23", 3],
    "updated_at": [LATER, 3],
    "-updated_at": [LATER, 3],
}


@schemathesis.hook
def before_call(context, case, kwargs):
    """Every phase (the coverage phase's cases skip the data-generation hooks); negative cases,
    which must be refused, are left as they are."""
    if case.meta is not None and case.meta.generation.mode.is_negative:
        return
    body = case.body  # the quote check sent as POST
    if case.operation.path == "/api/v1/statements/check/" and isinstance(body, dict):
        from api.quotecheck import CHECK_REQUEST

        # Positive cases send documented keys only (the stateful phase adds others, such as a
        # response's `errors`); an unknown key is rightly a 400.
        for key in set(body) - set(CHECK_REQUEST["properties"]):
            del body[key]
        if isinstance(body.get("text"), str):
            body["text"] = _three_words(body["text"])
    query = case.query
    if not query:
        return
    if case.operation.path == "/api/v1/statements/stats/" and query.get("bucket"):
        _within_the_row_limit(query)
    if case.operation.path == "/api/v1/statements/check/" and isinstance(query.get("text"), str):
        query["text"] = _three_words(query["text"])
    if query.get("ordering") == "rank" and not query.get("q"):
        query["q"] = "asylum"
    if "cursor" in query:
        if case.operation.path in CURSORS:
            ordering, values = CURSORS[case.operation.path]
        else:
            name = query.get("ordering") or ("rank" if query.get("q") else "-said_on")
            ordering, values = paging.ORDERINGS[name], STATEMENT_CURSORS[name]
        query["cursor"] = paging.encode(ordering, values)


def _three_words(text: str) -> str:
    from statements.quotecheck import MAX_TEXT_LENGTH, MIN_WORDS, words_of

    if len(words_of(text).words) >= MIN_WORDS:
        return text
    return ("we welcome them " + text)[:MAX_TEXT_LENGTH]


# The most groups a bucketed count of the seeds can have (one per published statement, whatever
# the fields grouped by): groups × periods above 10,000 rows is rightly a 400.
SEED_GROUPS = 120


def _within_the_row_limit(query) -> None:
    """A bucketed count answers at most 10,000 rows (groups × periods): a range longer than that
    allows is rightly a 400, so the range is cut to the periods that fit."""
    start = datetime.date.fromisoformat(query.get("said_after", "2022-03-22"))
    end = datetime.date.fromisoformat(query.get("said_before", "2023-11-28"))
    start, end = min(start, end), max(start, end)
    try:
        every = periods(start, end, query["bucket"])
    except TooManyRows:
        query["said_after"] = query["said_before"] = end.isoformat()
        return
    fitting = MAX_ROWS // SEED_GROUPS
    if len(every) > fitting:
        query["said_after"], query["said_before"] = every[-fitting].isoformat(), end.isoformat()
