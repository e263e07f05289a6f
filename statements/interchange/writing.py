"""Writing the interchange format: a statement, its sources, renderings and corrections, and its
speaker as records, and a record as one line."""

import datetime
import json


def instant(value: datetime.datetime) -> str:
    """A date-time as the API writes it: ISO 8601 in UTC with "Z", microseconds when there are any."""
    text = value.astimezone(datetime.UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def statement_to_record(statement) -> dict:
    """Render a Statement (with speaker, government, topic, sources and corrections loaded) as one
    interchange record: the keys of the seed files in their order, its id first, and its public
    record (status, corrections) and timestamps last."""
    speaker = speaker_to_record(statement.speaker)
    return {
        "id": statement.pk,
        "speaker": speaker,
        "role": statement.role,
        "organization": statement.organization,
        "government": statement.government_id,
        "said_on": statement.said_on.isoformat(),
        "date_precision": statement.date_precision,
        "published_on": statement.published_on.isoformat() if statement.published_on else None,
        "quote": statement.quote,
        "language": statement.language,
        "is_translation": statement.is_translation,
        "stance": statement.stance,
        "topic": statement.topic.slug,
        "context": statement.context,
        "sources": [source_to_record(source) for source in statement.sources.all()],
        **_translations_record(statement),
        "status": statement.status,
        "corrections": [correction_to_record(c) for c in statement.corrections.all()],
        "created_at": instant(statement.created_at),
        "updated_at": instant(statement.updated_at),
        "version": statement.version,
    }


def speaker_to_record(speaker) -> dict:
    """A speaker as a speakers file holds it: the keys of a line's `speaker`, its slug included."""
    record = {"name": speaker.name, "kind": speaker.kind}
    if speaker.wikidata_id:
        record["wikidata_id"] = speaker.wikidata_id
    record["slug"] = speaker.slug
    return record


def source_to_record(source) -> dict:
    record = {"url": source.url, "publisher": source.publisher}
    if source.archived_url:
        record["archived_url"] = source.archived_url
    if source.accessed_on:
        record["accessed_on"] = source.accessed_on.isoformat()
    return record


def translation_to_record(translation) -> dict:
    return {
        "language": translation.language,
        "text": translation.text,
        "by": translation.by,
        "official": translation.official,
        "source_url": translation.source_url,
    }


def _translations_record(statement) -> dict:
    """`translations`, when the quote has renderings (a line without them stays as the seeds are)."""
    renderings = [translation_to_record(t) for t in statement.translations.all()]
    return {"translations": renderings} if renderings else {}


def correction_to_record(correction) -> dict:
    """A Correction as the API's `corrections` show it (and the interchange format carries it)."""
    return {
        "date": correction.created_at.astimezone(datetime.UTC).date().isoformat(),
        "corrected_at": instant(correction.created_at),
        "kind": correction.kind,
        "note": correction.note,
        "fields": list(correction.fields),
    }


def dumps(record: dict) -> str:
    """One line of the format: UTF-8 text as is, as in the seed files, except U+2028 and U+2029,
    which many line readers (Python's splitlines, JavaScript) take for line breaks."""
    return json.dumps(record, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
