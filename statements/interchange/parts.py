"""A line's nested parts: its speaker, sources, public corrections and renderings, and whether its
status fits its corrections."""

import itertools
import re

from statements.interchange.records import CorrectionData, SourceData, SpeakerData, TranslationData
from statements.interchange.values import (
    LANGUAGE_PATTERN,
    MAX_NOTE_LENGTH,
    MAX_QUOTE_LENGTH,
    _choice,
    _date,
    _instant,
    _LineErrors,
    _RecordErrors,
    _text,
    _unknown_keys,
    _url,
    normalise_language,
    primary_language,
)
from statements.models import CORRECTION_FIELD_NAMES, CorrectionKind, SpeakerKind, Status

SPEAKER_KEYS = {"name": True, "kind": True, "wikidata_id": False, "slug": False}
SOURCE_KEYS = {"url": True, "publisher": True, "archived_url": False, "accessed_on": False}
CORRECTION_KEYS = {"date": True, "corrected_at": False, "kind": True, "note": True, "fields": False}
TRANSLATION_KEYS = {"language": True, "text": True, "by": True, "official": False, "source_url": False}
MAX_TRANSLATIONS = 50
MAX_SOURCES = 20
MAX_CORRECTIONS = 200
WIKIDATA_PATTERN = re.compile(r"^Q[1-9][0-9]*$")
SPEAKER_SLUG_PATTERN = re.compile(r"^[-\w]+$")


def _speaker(errors: _LineErrors, value) -> SpeakerData | None:
    if not isinstance(value, dict):
        errors.add("speaker", "must be an object with name and kind")
        return None
    _unknown_keys(errors, "speaker.", value, SPEAKER_KEYS)
    for key, required in SPEAKER_KEYS.items():
        if required and key not in value:
            errors.add(f"speaker.{key}", "is required")
    name = _text(errors, "speaker.name", value.get("name"), max_length=200)
    kind = _choice(errors, "speaker.kind", value.get("kind"), SpeakerKind) if "kind" in value else None
    wikidata_id = value.get("wikidata_id")
    if wikidata_id is not None and (not isinstance(wikidata_id, str) or not WIKIDATA_PATTERN.match(wikidata_id)):
        errors.add("speaker.wikidata_id", f"must be Q followed by digits, not {wikidata_id!r}")
        wikidata_id = None
    slug = value.get("slug")
    if slug is not None and (not isinstance(slug, str) or len(slug) > 200 or not SPEAKER_SLUG_PATTERN.match(slug)):
        errors.add("speaker.slug", f"must be a slug of letters, digits and hyphens, not {slug!r}")
        slug = None
    if name is None or kind is None:
        return None
    return SpeakerData(name=name, kind=kind, wikidata_id=wikidata_id, slug=slug)


def parse_speaker_record(index: int, value) -> tuple[SpeakerData | None, list[str]]:
    """One record of a speakers file (`export_speakers`): a line's `speaker` object with its slug,
    which is required here, validated alike."""
    errors = _RecordErrors(f"speakers[{index}]")
    speaker = _speaker(errors, value)
    if speaker is not None and not speaker.slug and not errors.messages:
        errors.add("speaker.slug", "is required")
    return (speaker if not errors.messages else None), errors.messages


def _sources(errors: _LineErrors, value, status: str | None) -> list[SourceData]:
    """At least one source; a draft (not yet public) may have none yet, as in the admin's shell."""
    if not isinstance(value, list) or (not value and status != Status.DRAFT):
        errors.add("sources", "must be a non-empty list of sources")
        return []
    if len(value) > MAX_SOURCES:
        errors.add("sources", f"has {len(value)} sources; the limit is {MAX_SOURCES}")
        return []
    sources = []
    for index, item in enumerate(value):
        prefix = f"sources[{index}]"
        if not isinstance(item, dict):
            errors.add(prefix, "must be an object with url and publisher")
            continue
        _unknown_keys(errors, f"{prefix}.", item, SOURCE_KEYS)
        before = len(errors.messages)
        url = _url(errors, f"{prefix}.url", item.get("url"))
        publisher = _text(errors, f"{prefix}.publisher", item.get("publisher"))
        archived_url = _url(errors, f"{prefix}.archived_url", item.get("archived_url"), required=False)
        accessed_on = _date(errors, f"{prefix}.accessed_on", item.get("accessed_on"), required=False)
        if len(errors.messages) == before:
            sources.append(SourceData(url, publisher, archived_url, accessed_on))
    return sources


def _corrections(errors: _LineErrors, value) -> list[CorrectionData]:
    if not isinstance(value, list):
        errors.add("corrections", "must be a list of corrections (oldest first)")
        return []
    if len(value) > MAX_CORRECTIONS:
        errors.add("corrections", f"has {len(value)} entries; the limit is {MAX_CORRECTIONS}")
        return []
    corrections = []
    for index, item in enumerate(value):
        prefix = f"corrections[{index}]"
        if not isinstance(item, dict):
            errors.add(prefix, "must be an object with date, kind and note")
            continue
        _unknown_keys(errors, f"{prefix}.", item, CORRECTION_KEYS)
        before = len(errors.messages)
        day = _date(errors, f"{prefix}.date", item.get("date"))
        moment = _instant(errors, f"{prefix}.corrected_at", item.get("corrected_at"))
        kind = _choice(errors, f"{prefix}.kind", item.get("kind"), CorrectionKind)
        note = _text(errors, f"{prefix}.note", item.get("note"), max_length=MAX_NOTE_LENGTH)
        names = item.get("fields", [])
        if not isinstance(names, list) or any(name not in CORRECTION_FIELD_NAMES for name in names):
            errors.add(f"{prefix}.fields", f"must be a list of {', '.join(CORRECTION_FIELD_NAMES)}, not {names!r}")
        elif names and kind != CorrectionKind.CORRECTION:
            errors.add(f"{prefix}.fields", f"a {kind} corrects no fields")
        if day and moment and moment.date() != day:
            errors.add(f"{prefix}.date", f"is not the date of corrected_at ({moment.date().isoformat()})")
        if len(errors.messages) == before:
            corrections.append(CorrectionData(day, kind, note, tuple(names), moment))
    for index, (earlier, later) in enumerate(itertools.pairwise(corrections), start=1):
        if later.moment < earlier.moment:
            errors.add(f"corrections[{index}].date", "corrections must be listed oldest first")
    return corrections


def _translation(errors: _LineErrors, prefix: str, item, quote_language: str | None) -> TranslationData | None:
    if not isinstance(item, dict):
        errors.add(prefix, "must be an object with language, text and by")
        return None
    _unknown_keys(errors, f"{prefix}.", item, TRANSLATION_KEYS)
    before = len(errors.messages)
    language = item.get("language")
    if "language" not in item:
        errors.add(f"{prefix}.language", "is required")
    elif not isinstance(language, str) or not LANGUAGE_PATTERN.match(language):
        errors.add(f"{prefix}.language", f"must be a BCP 47 tag such as en, de or pt-BR, not {language!r}")
    else:
        language = normalise_language(language)
        if quote_language and primary_language(language) == primary_language(quote_language):
            errors.add(f"{prefix}.language", f"{language!r} is the quote's own language: the quote is the record")
    text = _text(errors, f"{prefix}.text", item["text"], max_length=MAX_QUOTE_LENGTH) if "text" in item else None
    if "text" not in item:
        errors.add(f"{prefix}.text", "is required")
    if "by" not in item:
        errors.add(
            f"{prefix}.by",
            "is required: who made the rendering (a wire, a paper, a government, or the tracker's editors)",
        )
    by = _text(errors, f"{prefix}.by", item["by"]) if "by" in item else None
    official = item.get("official", False)
    if not isinstance(official, bool):
        errors.add(f"{prefix}.official", f"must be true or false, not {official!r}")
    source_url = _url(errors, f"{prefix}.source_url", item.get("source_url"), required=False)
    if len(errors.messages) != before:
        return None
    return TranslationData(language, text, by, official, source_url)


def _translations(errors: _LineErrors, value, quote_language: str | None) -> list[TranslationData]:
    """Renderings of the quote: each with its maker, at most one per language, none in the quote's."""
    if not isinstance(value, list):
        errors.add("translations", "must be a list of renderings ({language, text, by, official, source_url})")
        return []
    if len(value) > MAX_TRANSLATIONS:
        errors.add("translations", f"has {len(value)} renderings; the limit is {MAX_TRANSLATIONS}")
        return []
    translations, seen = [], {}
    for index, item in enumerate(value):
        rendering = _translation(errors, f"translations[{index}]", item, quote_language)
        if rendering is None:
            continue
        if rendering.language in seen:
            errors.add(
                f"translations[{index}].language",
                f"{rendering.language!r} is also the language of translations[{seen[rendering.language]}]: "
                "one rendering per language",
            )
            continue
        seen[rendering.language] = index
        translations.append(rendering)
    return translations


def status_problem(status: str, corrections: list[CorrectionData]) -> str | None:
    """Why `status` does not fit the public record in `corrections`, or None: a retracted statement
    has its retraction's reason, a published one was reinstated after any retraction, a draft was
    never published (so has no public notes)."""
    steps = [c.kind for c in corrections if c.kind != CorrectionKind.CORRECTION]
    last = steps[-1] if steps else None
    if status == Status.DRAFT and corrections:
        return "a draft was never published, so it has no corrections"
    if status == Status.RETRACTED and last != CorrectionKind.RETRACTION:
        return "a retracted statement needs its retraction (the public reason) as its latest step in corrections"
    if status == Status.PUBLISHED and last == CorrectionKind.RETRACTION:
        return "the latest step in corrections is a retraction: the status would be retracted"
    return None
