"""The JSON Lines interchange format (SPEC §4): parse and validate lines, and render statements.

Beyond a statement's own fields, a line may carry its public record: `id`, `status`,
`corrections` (the public notes, exactly as the API's), and for restores `created_at`,
`updated_at` and `speaker.slug`. A plain import ignores the id, the timestamps and the slug;
`import_statements --restore` keeps them, so that a restored tracker answers every URL as
before.

Its rooms: `reading` (a file's lines, each validated, then the file as a whole), `parts` (a
line's speaker, sources, corrections and renderings), `values` (single values: text, dates,
URLs, language tags), `records` (what a valid line becomes), `writing` (statements as records
and lines). Import from here: `from statements.interchange import parse_lines`.
"""

from statements.interchange.parts import (
    CORRECTION_KEYS,
    MAX_CORRECTIONS,
    MAX_SOURCES,
    MAX_TRANSLATIONS,
    SOURCE_KEYS,
    SPEAKER_KEYS,
    SPEAKER_SLUG_PATTERN,
    TRANSLATION_KEYS,
    WIKIDATA_PATTERN,
    parse_speaker_record,
    status_problem,
)
from statements.interchange.reading import (
    MAX_ID,
    MAX_VERSION,
    OPTIONAL_KEYS,
    REQUIRED_KEYS,
    SLUG_PATTERN,
    parse_line,
    parse_lines,
    read_lines,
)
from statements.interchange.records import (
    CorrectionData,
    ParseResult,
    SourceData,
    SpeakerData,
    StatementData,
    TranslationData,
)
from statements.interchange.values import (
    DATE_PATTERN,
    LANGUAGE_PATTERN,
    MAX_NOTE_LENGTH,
    MAX_QUOTE_LENGTH,
    normalise_language,
    primary_language,
)
from statements.interchange.writing import (
    correction_to_record,
    dumps,
    instant,
    source_to_record,
    speaker_to_record,
    statement_to_record,
    translation_to_record,
)

__all__ = [
    "CORRECTION_KEYS",
    "DATE_PATTERN",
    "LANGUAGE_PATTERN",
    "MAX_CORRECTIONS",
    "MAX_ID",
    "MAX_NOTE_LENGTH",
    "MAX_QUOTE_LENGTH",
    "MAX_SOURCES",
    "MAX_TRANSLATIONS",
    "MAX_VERSION",
    "OPTIONAL_KEYS",
    "REQUIRED_KEYS",
    "SLUG_PATTERN",
    "SOURCE_KEYS",
    "SPEAKER_KEYS",
    "SPEAKER_SLUG_PATTERN",
    "TRANSLATION_KEYS",
    "WIKIDATA_PATTERN",
    "CorrectionData",
    "ParseResult",
    "SourceData",
    "SpeakerData",
    "StatementData",
    "TranslationData",
    "correction_to_record",
    "dumps",
    "instant",
    "normalise_language",
    "parse_line",
    "parse_lines",
    "parse_speaker_record",
    "primary_language",
    "read_lines",
    "source_to_record",
    "speaker_to_record",
    "statement_to_record",
    "status_problem",
    "translation_to_record",
]
