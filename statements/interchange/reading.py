"""Reading a file of the interchange format: its lines, each validated (`parse_line`), then the file
as a whole (`parse_lines`)."""

import datetime
import json
import re
from collections.abc import Iterable, Iterator

from statements.interchange.parts import _corrections, _sources, _speaker, _translations, status_problem
from statements.interchange.records import CorrectionData, ParseResult, StatementData
from statements.interchange.values import (
    LANGUAGE_PATTERN,
    MAX_QUOTE_LENGTH,
    _choice,
    _date,
    _instant,
    _LineErrors,
    _reject_duplicate_keys,
    _text,
    _unknown_keys,
    normalise_language,
)
from statements.models import DatePrecision, Stance, Status, government_codes

REQUIRED_KEYS = (
    "speaker",
    "role",
    "organization",
    "government",
    "said_on",
    "date_precision",
    "quote",
    "language",
    "is_translation",
    "stance",
    "topic",
    "sources",
)
OPTIONAL_KEYS = (
    "id",
    "published_on",
    "context",
    "status",
    "corrections",
    "translations",
    "created_at",
    "updated_at",
    "version",
)
MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1  # a PositiveIntegerField
SLUG_PATTERN = re.compile(r"^[-a-z0-9]+$")
_GOVERNMENT_CODES = frozenset(government_codes())


def parse_line(line_number: int, raw: str) -> tuple[StatementData | None, list[str]]:
    """Validate one line of the interchange format. Returns the data or the line's problems.

    The steps run in this order, and so do the problems they find: the JSON object, its keys,
    the speaker, government and topic, the statement's own fields, its sources, corrections and
    renderings, its status against its corrections, then what a restore keeps (id, timestamps,
    version)."""
    errors = _LineErrors(line_number)
    data = _json_object(errors, raw)
    if data is None:
        return None, errors.messages
    _check_keys(errors, data)
    speaker = _speaker(errors, data["speaker"]) if "speaker" in data else None
    government = _government(errors, data)
    topic = _topic(errors, data)
    fields = _statement_fields(errors, data)
    sources = _sources(errors, data["sources"], fields["status"]) if "sources" in data else []
    corrections = _corrections(errors, data["corrections"]) if "corrections" in data else []
    translations = _translations(errors, data["translations"], fields["language"]) if "translations" in data else []
    if fields["status"] and not errors.messages:
        _check_status(errors, fields["status"], corrections)
    statement_id = _whole_number(errors, "id", data, MAX_ID)
    created_at, updated_at = _timestamps(errors, data)
    version = _whole_number(errors, "version", data, MAX_VERSION)

    if errors.messages:
        return None, errors.messages
    return (
        StatementData(
            line_number,
            speaker,
            government,
            topic,
            fields,
            sources,
            corrections,
            translations,
            statement_id,
            created_at,
            updated_at,
            version,
        ),
        [],
    )


def _json_object(errors: _LineErrors, raw: str) -> dict | None:
    """The line as a JSON object (no key twice), or None with the problem noted."""
    try:
        data = json.loads(raw, object_pairs_hook=_reject_duplicate_keys)
    except ValueError as exc:
        errors.add("json", str(exc))
        return None
    if not isinstance(data, dict):
        errors.add("json", f"expected an object, got {type(data).__name__}")
        return None
    return data


def _check_keys(errors: _LineErrors, data: dict) -> None:
    """Unknown keys first, then each required key that is missing."""
    _unknown_keys(errors, "", data, REQUIRED_KEYS + OPTIONAL_KEYS)
    for key in REQUIRED_KEYS:
        if key not in data:
            errors.add(key, "is required")


def _government(errors: _LineErrors, data: dict):
    """The government's code as given (checked against the known codes, with a hint for lower case)."""
    government = data.get("government")
    if "government" in data and not (isinstance(government, str) and government in _GOVERNMENT_CODES):
        hint = (
            f"; did you mean {government.upper()!r}?"
            if isinstance(government, str) and government.upper() in _GOVERNMENT_CODES
            else ""
        )
        errors.add("government", f"{government!r} is not an ISO 3166-1 alpha-2 code, EU or UN{hint}")
    return government


def _topic(errors: _LineErrors, data: dict):
    """The topic's slug as given (checked for its shape)."""
    topic = data.get("topic")
    if "topic" in data and (not isinstance(topic, str) or not SLUG_PATTERN.match(topic) or len(topic) > 100):
        errors.add("topic", f"must be a slug of lowercase letters, digits and hyphens, not {topic!r}")
    return topic


def _statement_fields(errors: _LineErrors, data: dict) -> dict:
    """The statement's own columns, ready for the model; a field with a problem is None."""
    fields = _field_values(errors, data)
    fields["language"] = _language(errors, data)
    if "is_translation" in data and not isinstance(fields["is_translation"], bool):
        errors.add("is_translation", f"must be true or false, not {fields['is_translation']!r}")
    if fields["date_precision"] == DatePrecision.MONTH and fields["said_on"] and fields["said_on"].day != 1:
        errors.add("said_on", "a month-precision date must be the 1st of the month")
    return fields


def _field_values(errors: _LineErrors, data: dict) -> dict:
    """Each column checked on its own, in the model's order (`language` is filled in after)."""
    return {
        "role": _text(errors, "role", data["role"]) if "role" in data else None,
        "organization": _text(errors, "organization", data["organization"]) if "organization" in data else None,
        "said_on": _date(errors, "said_on", data.get("said_on")) if "said_on" in data else None,
        "date_precision": _choice(errors, "date_precision", data.get("date_precision"), DatePrecision)
        if "date_precision" in data
        else None,
        "published_on": _date(errors, "published_on", data.get("published_on"), required=False),
        "quote": _text(errors, "quote", data.get("quote"), max_length=MAX_QUOTE_LENGTH) if "quote" in data else None,
        "language": None,
        "is_translation": data.get("is_translation"),
        "stance": _choice(errors, "stance", data.get("stance"), Stance) if "stance" in data else None,
        "context": _text(errors, "context", data.get("context"), required=False, max_length=MAX_QUOTE_LENGTH) or "",
        "status": _choice(errors, "status", data.get("status", Status.PUBLISHED), Status),
    }


def _language(errors: _LineErrors, data: dict) -> str | None:
    """The quote's language as a canonical BCP 47 tag, or None."""
    if "language" not in data:
        return None
    language = data["language"]
    if isinstance(language, str) and LANGUAGE_PATTERN.match(language):
        return normalise_language(language)
    errors.add("language", f"must be a BCP 47 tag such as en, de or pt-BR, not {language!r}")
    return None


def _check_status(errors: _LineErrors, status: str, corrections: list[CorrectionData]) -> None:
    problem = status_problem(status, corrections)
    if problem:
        errors.add("status", problem)


def _whole_number(errors: _LineErrors, name: str, data: dict, largest: int):
    """`id` or `version`: a whole number from 1 to `largest` when given (never a bool or a float)."""
    value = data.get(name)
    if name in data and (type(value) is not int or not 1 <= value <= largest):
        errors.add(name, f"must be a whole number from 1, not {value!r}")
    return value


def _timestamps(errors: _LineErrors, data: dict) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """`created_at` and `updated_at` (a restore keeps them), the second not before the first."""
    created_at = _instant(errors, "created_at", data.get("created_at"))
    updated_at = _instant(errors, "updated_at", data.get("updated_at"))
    if created_at and updated_at and updated_at < created_at:
        errors.add("updated_at", "is before created_at")
    return created_at, updated_at


def read_lines(stream: Iterable[bytes]) -> Iterator[tuple[int, str | None]]:
    """Yield (line number, text) for each non-blank line; text is None when it is not UTF-8."""
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a UTF-8 byte-order mark
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, None
            continue
        if text.strip():
            yield number, text


def parse_lines(lines: Iterable[tuple[int, str | None]]) -> ParseResult:
    """Validate every line and the file as a whole (no natural key or id twice, one kind per speaker)."""
    statements: list[StatementData] = []
    errors: list[str] = []
    seen_keys: dict[tuple, int] = {}
    seen_ids: dict[int, int] = {}
    speaker_kinds: dict[str, tuple[str, int]] = {}
    count = 0
    for number, text in lines:
        count += 1
        if text is None:
            errors.append(f"line {number}: encoding: not valid UTF-8")
            continue
        statement, problems = parse_line(number, text)
        if problems:
            errors.extend(problems)
            continue
        key = (statement.speaker.name, statement.fields["said_on"], statement.fields["quote"])
        if key in seen_keys:
            errors.append(
                f"line {number}: quote: same speaker, said_on and quote as line {seen_keys[key]} (natural key)"
            )
            continue
        seen_keys[key] = number
        if statement.id is not None and seen_ids.setdefault(statement.id, number) != number:
            errors.append(f"line {number}: id: {statement.id} is also the id on line {seen_ids[statement.id]}")
            continue
        kind, first = speaker_kinds.setdefault(statement.speaker.name, (statement.speaker.kind, number))
        if kind != statement.speaker.kind:
            errors.append(f"line {number}: speaker.kind: {statement.speaker.name!r} is a {kind} on line {first}")
            continue
        statements.append(statement)
    return ParseResult(statements=statements, errors=errors, lines=count)
