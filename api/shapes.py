"""The public statement, declared once: its JSON fields (name, order, type, nullability), the CSV
columns, and the SQL that builds both. From this one declaration come the projection PostgreSQL
runs for lists, details, feeds and exports (statements/listing.py decides which rows, in which
order; this module decides what each row looks like), the CSV header, and the OpenAPI schema's
`Statement`, `StatementDetail` and `Tombstone` components. Adding a field to the public
statement is one `Field` here (plus its migration); tests/api/test_contract.py checks that the
wire, the CSV and the schema agree with it.

SQL names: `s` is the statement, `sp` its speaker, `g` its government, `tp` its topic. `{api}`
and `{page}` stand for the URL prefixes of the API detail and the public page (literals put in
per request, from the configured site URL).
"""

import json
from dataclasses import dataclass, field

from psycopg import sql as pgsql

from api.dates import honest_date_sql
from statements.events import EventType
from statements.listing import Projection
from statements.models import CorrectionKind, DatePrecision, RecordChange, SpeakerKind, Stance, Status

STRING = {"type": "string"}
URI = {"type": "string", "format": "uri"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}


def nullable(schema: dict) -> dict:
    """OpenAPI 3.1: the type, or null."""
    schema = {**schema, "type": [schema["type"], "null"]}
    return {**schema, "enum": [*schema["enum"], None]} if "enum" in schema else schema


def enum(choices, description: str = "") -> dict:
    schema = {"type": "string", "enum": list(choices.values)}
    return {**schema, "description": description} if description else schema


def utc(column: str) -> str:
    """A timestamptz as ISO 8601 in UTC with "Z" (microseconds only when there are any): what
    every date-time of the API looks like."""
    return (
        f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
        f"mod(extract(microseconds FROM {column})::bigint, 1000000) = 0 THEN '' "
        f"ELSE to_char({column} AT TIME ZONE 'UTC', '.US') END || 'Z'"
    )


@dataclass(frozen=True)
class Field:
    """One key of a JSON object: the SQL of its value and its schema (or a nested shape), and the
    CSV columns it contributes (header, SQL text)."""

    name: str
    sql: str = ""
    schema: dict = field(default_factory=dict)
    shape: "Shape | None" = None
    many: str = ""  # for a list of `shape`: the FROM … WHERE … of its rows
    order: str = ""  # … and their ORDER BY
    null_when: str = ""  # for a single `shape`: when it is null instead
    csv: tuple[tuple[str, str], ...] = ()
    description: str = ""
    raw: bool = False  # `sql` is JSON text already

    def value_sql(self) -> str:
        """SQL of this value as JSON text."""
        if self.raw:
            return self.sql
        if self.shape is None:
            return f"COALESCE(to_json({self.sql})::text, 'null')"
        if self.many:
            rows = f"SELECT '[' || string_agg({self.shape.json_sql()}, ',' ORDER BY {self.order}) || ']' {self.many}"
            return f"COALESCE(({rows}), '[]')"
        if self.null_when:
            return f"CASE WHEN {self.null_when} THEN 'null' ELSE {self.shape.json_sql()} END"
        return self.shape.json_sql()

    def value_schema(self) -> dict:
        if self.shape is None:
            schema = dict(self.schema)
        elif self.many:
            schema = {"type": "array", "items": self.shape.ref()}
        else:
            schema = self.shape.ref()
        if self.description:
            # OpenAPI 3.1 allows siblings beside $ref.
            schema["description"] = self.description
        return schema


@dataclass(frozen=True)
class Shape:
    """A JSON object: its component name in the schema and its fields, in order."""

    name: str
    fields: tuple[Field, ...]
    description: str = ""

    def json_sql(self) -> str:
        """SQL of this object as compact JSON text, concatenated from its values' to_json() in field
        order: for many thousand objects a query, half the time json_build_object() takes."""
        parts = []
        for i, f in enumerate(self.fields):
            key = ("," if i else "{") + json.dumps(f.name) + ":"
            assert "'" not in key and "%" not in key, key
            parts.append(f"'{key}' || {f.value_sql()}")
        return "(" + " || ".join(parts) + " || '}')"

    def schema(self) -> dict:
        schema = {
            "type": "object",
            "required": [f.name for f in self.fields],
            "properties": {f.name: f.value_schema() for f in self.fields},
        }
        return {**schema, "description": self.description} if self.description else schema

    def ref(self) -> dict:
        return {"$ref": f"#/components/schemas/{self.name}"}

    def extended(self, name: str, *fields: Field, description: str = "") -> "Shape":
        return Shape(name, (*self.fields, *fields), description or self.description)

    def components(self) -> dict[str, dict]:
        """This shape's schema and those of the shapes inside it, by component name."""
        found = {self.name: self.schema()}
        for f in self.fields:
            if f.shape is not None:
                found |= f.shape.components()
        return found

    def csv_columns(self) -> list[tuple[str, str]]:
        return [column for f in self.fields for column in f.csv]


SPEAKER = Shape(
    "SpeakerRef",
    (
        Field("slug", "sp.slug", STRING),
        Field("name", "sp.name", STRING),
        Field("kind", "sp.kind", enum(SpeakerKind)),
        Field("wikidata_id", "sp.wikidata_id", nullable({"type": "string", "pattern": "^Q[1-9][0-9]*$"})),
    ),
)
GOVERNMENT = Shape("GovernmentRef", (Field("code", "g.code", STRING), Field("name", "g.name", STRING)))
TOPIC = Shape("TopicRef", (Field("slug", "tp.slug", STRING), Field("title", "tp.title", STRING)))
SOURCE = Shape(
    "Source",
    (
        Field("url", "src.url", URI),
        Field("publisher", "src.publisher", STRING),
        Field("archived_url", "src.archived_url", nullable(URI)),
        Field("accessed_on", "src.accessed_on", nullable(DATE)),
    ),
    description="Where the statement was printed, in the editors' order.",
)
SOURCES = "FROM statements_source AS src WHERE src.statement_id = s.id"
TRANSLATION = Shape(
    "Translation",
    (
        Field("language", "tr.language", STRING, description="BCP 47 tag of the rendering."),
        Field("text", "tr.text", STRING, description="The rendering, word for word as its maker printed it."),
        Field(
            "by",
            "tr.by",
            STRING,
            description="Who made it: a wire, a paper, a government's translation service, or the tracker's editors.",
        ),
        Field("official", "tr.official", BOOLEAN, description="Made or published by the speaker's own government."),
        Field("source_url", "tr.source_url", nullable(URI), description="Where it was printed."),
    ),
    description="The quote rendered in another language by a named maker; the quote stays the record.",
)
TRANSLATIONS = "FROM statements_translation AS tr WHERE tr.statement_id = s.id"
# The CSV carries the English rendering (what most users of a CSV read) and the languages of all
# renderings; a column per language would grow the file sideways with every new language, and
# the JSON and JSON Lines carry every rendering whole.
_ENGLISH = (
    f"(SELECT tr.{{}} {TRANSLATIONS} AND statements_primary_language(tr.language) = 'en' "
    "ORDER BY tr.language, tr.id LIMIT 1)"
)
TRANSLATION_CSV = (
    (
        "translation_languages",
        f"COALESCE((SELECT string_agg(tr.language, ' | ' ORDER BY tr.language, tr.id) {TRANSLATIONS}), '')",
    ),
    ("translation_en", "COALESCE(" + _ENGLISH.format("text") + ", '')"),
    ("translation_en_by", "COALESCE(" + _ENGLISH.format("by") + ", '')"),
)


def joined(column: str) -> str:
    """The statement's sources' `column`, " | "-joined in order: one CSV cell. Only for URLs, which
    never hold a space; names may hold " | " (see sources_json)."""
    return f"COALESCE((SELECT string_agg({column}, ' | ' ORDER BY src.position, src.id) {SOURCES}), '')"


def sources_json() -> str:
    """Every source in order, all four fields, as one JSON array in one CSV cell: unambiguous
    whatever a publisher's name holds, and read by every language's JSON parser."""
    fields = ", ".join(f"'{field.name}', {field.sql}" for field in SOURCE.fields)
    return (
        f"COALESCE((SELECT json_agg(json_build_object({fields}) ORDER BY src.position, src.id) {SOURCES})::text, '[]')"
    )


STATEMENT = Shape(
    "Statement",
    (
        Field("id", "s.id", INTEGER, csv=(("id", "s.id"),)),
        Field("url", "{api} || s.id || '/'", URI, description="This statement in the API."),
        Field(
            "permalink",
            "{page} || s.id || '/'",
            URI,
            csv=(("permalink", "{page} || s.id || '/'"),),
            description="Its public page: the URL to cite.",
        ),
        Field("speaker", shape=SPEAKER, csv=(("speaker", "sp.slug"), ("speaker_name", "sp.name"))),
        Field("role", "s.role", STRING, description="The speaker's role when speaking."),
        Field("organization", "s.organization", STRING, description="The office or body spoken for."),
        Field("government", shape=GOVERNMENT, csv=(("government", "g.code"), ("government_name", "g.name"))),
        Field("topic", shape=TOPIC, csv=(("topic", "tp.slug"),)),
        Field("said_on", "s.said_on", DATE, csv=(("said_on", "s.said_on"),)),
        Field(
            "date_precision",
            "s.date_precision",
            enum(DatePrecision, "day, approximate (around that day) or month (said_on is the 1st)."),
            csv=(("date_precision", "s.date_precision"),),
        ),
        Field("published_on", "s.published_on", nullable(DATE), csv=(("published_on", "s.published_on"),)),
        Field("quote", "s.quote", STRING, description="Verbatim as printed in the source."),
        Field("language", "s.language", STRING, csv=(("language", "s.language"),), description="BCP 47 tag."),
        Field(
            "is_translation",
            "s.is_translation",
            BOOLEAN,
            csv=(("is_translation", "CASE WHEN s.is_translation THEN 'true' ELSE 'false' END"),),
        ),
        Field("stance", "s.stance", enum(Stance), csv=(("stance", "s.stance"),)),
        Field("context", "s.context", STRING, description="The editors' words: what was asked, where, caveats."),
        Field(
            "sources",
            shape=SOURCE,
            many=SOURCES,
            order="src.position, src.id",
            csv=(("source_urls", joined("src.url")), ("sources", sources_json())),
        ),
        Field(
            "translations",
            shape=TRANSLATION,
            many=TRANSLATIONS,
            order="tr.language, tr.id",
            csv=TRANSLATION_CSV,
            description="The quote rendered in other languages, each by a named maker, by language.",
        ),
        Field("status", "s.status", {"type": "string", "enum": [Status.PUBLISHED.value]}),
        Field("created_at", utc("s.created_at"), DATETIME),
        Field("updated_at", utc("s.updated_at"), DATETIME, csv=(("updated_at", utc("s.updated_at")),)),
    ),
    description="A published statement (list items and details alike).",
)
# The CSV's column order: the JSON's, with the long texts after the short ones; the renderings'
# columns last (they came later: columns are only ever added at the end).
CSV_ORDER = (
    "id", "permalink", "said_on", "date_precision", "published_on", "government", "government_name", "speaker",
    "speaker_name", "role", "organization", "topic", "stance", "language", "is_translation", "quote", "context",
    "source_urls", "sources", "updated_at", "translation_languages", "translation_en", "translation_en_by",
)  # fmt: skip
_CSV_TEXT = {"role": "s.role", "organization": "s.organization", "quote": "s.quote", "context": "s.context"}

CORRECTION = Shape(
    "Correction",
    (
        Field("date", "(c.created_at AT TIME ZONE 'UTC')::date", DATE),
        Field("corrected_at", utc("c.created_at"), DATETIME),
        Field("kind", "c.kind", enum(CorrectionKind)),
        Field("note", "c.note", STRING, description="The public note: what was corrected and why."),
        Field(
            "fields",
            "c.fields",
            {"type": "array", "items": {"type": "string"}},
            description="The corrected fields, for a correction.",
        ),
    ),
)
# `Speaker, Role (Government), said_on. "Quote". Source publisher. Retrieved from <permalink>.` (SPEC §6)
_SAID_ON_TEXT = honest_date_sql("s.said_on", "s.date_precision", "citation")
_CITATION = (
    "sp.name || ', ' || s.role || ' (' || g.name || '), ' || " + _SAID_ON_TEXT + " || '. \"' || s.quote || '\".' "
    "|| COALESCE(' ' || (SELECT src.publisher " + SOURCES + " ORDER BY src.position, src.id LIMIT 1) || '.', '') "
    "|| ' Retrieved from ' || {page} || s.id || '/.'"
)
_CORRECTIONS = Field(
    "corrections",
    shape=CORRECTION,
    many="FROM statements_correction AS c WHERE c.statement_id = s.id",
    order="c.created_at, c.id",
    description="Public corrections, retractions and reinstatements, oldest first.",
)
STATEMENT_DETAIL = STATEMENT.extended(
    "StatementDetail",
    _CORRECTIONS,
    Field("citation", _CITATION, STRING, description="A ready citation string."),
    description="One published statement, with its public corrections and a citation.",
)
# When the statement entered and last changed the public record (statements/sql/public_record.sql).
_RECORD = (
    Field("record_entered_at", utc("s.record_entered_at"), DATETIME),
    Field("record_changed_at", utc("s.record_changed_at"), DATETIME),
    Field("record_change", "s.record_change", enum(RecordChange)),
)
# A feed entry (api/feeds.py): the statement with its corrections and its public record's times.
FEED_ENTRY = STATEMENT.extended("FeedEntry", _CORRECTIONS, *_RECORD)
# … and a retracted statement's entry: who, when and what it was about, its corrections (the
# retraction's reason among them), never the quote or the editors' context.
RETRACTED_ENTRY = Shape(
    "RetractedFeedEntry",
    (
        *(
            f
            for f in STATEMENT.fields
            if f.name not in ("url", "quote", "context", "sources", "translations", "status", "role")
        ),
        Field("status", "s.status", {"type": "string", "enum": [Status.RETRACTED.value]}),
        _CORRECTIONS,
        *_RECORD,
    ),
)
TOMBSTONE = Shape(
    "Tombstone",
    (
        Field("id", "s.id", INTEGER),
        Field("status", "s.status", {"type": "string", "enum": [Status.RETRACTED.value]}),
        Field("updated_at", utc("s.updated_at"), DATETIME),
    ),
    description="A retracted statement, in lists asked for with `updated_since`: delete your copy.",
)
LIST_ITEM = {"oneOf": [STATEMENT.ref(), TOMBSTONE.ref()]}
JOINS = """
JOIN statements_speaker AS sp ON sp.id = s.speaker_id
JOIN statements_government AS g ON g.code = s.government_id
JOIN statements_topic AS tp ON tp.id = s.topic_id
"""


def _with_links(template: str, api: str, page: str) -> str:
    """`template` with the URL prefixes as quoted SQL literals ('%' doubled: the SQL takes parameters)."""
    api, page = (pgsql.Literal(value).as_string().replace("%", "%%") for value in (api, page))
    return template.replace("{api}", api).replace("{page}", page)


def list_projection(api: str, page: str) -> Projection:
    """Each row as the list shows it: the statement, or a tombstone for a retraction."""
    json = f"CASE WHEN s.status = 'retracted' THEN {TOMBSTONE.json_sql()} ELSE {STATEMENT.json_sql()} END"
    return Projection(select=_with_links(json, api, page), joins=JOINS)


def feed_projection(api: str, page: str) -> Projection:
    """Each row as a feed shows it: FEED_ENTRY, or RETRACTED_ENTRY for a retraction."""
    json = f"CASE WHEN s.status = 'retracted' THEN {RETRACTED_ENTRY.json_sql()} ELSE {FEED_ENTRY.json_sql()} END"
    return Projection(select=_with_links(json, api, page), joins=JOINS)


def detail_projection(api: str, page: str) -> Projection:
    return Projection(select=_with_links(STATEMENT_DETAIL.json_sql(), api, page), joins=JOINS)


def csv_header() -> list[str]:
    return list(CSV_ORDER)


def csv_projection(page: str) -> Projection:
    """The CSV export's columns, in CSV_ORDER, as text."""
    columns = dict(STATEMENT.csv_columns()) | _CSV_TEXT
    assert set(columns) == set(CSV_ORDER), set(columns) ^ set(CSV_ORDER)
    select = ", ".join(columns[name] for name in CSV_ORDER)
    return Projection(select=_with_links(select, "", page), joins=JOINS)


def components() -> dict[str, dict]:
    """Every shape's schema, for the OpenAPI document's components."""
    return (
        STATEMENT.components()
        | STATEMENT_DETAIL.components()
        | TOMBSTONE.components()
        | CHECKED.components()
        | EVENT.components()
    )


# The short form of a statement in positions, compare, timelines and the matrix (SPEC §5).
SUMMARY = Shape(
    "StatementSummary",
    (
        Field("id", "s.id", INTEGER),
        Field("url", "{api} || s.id || '/'", URI),
        Field("permalink", "{page} || s.id || '/'", URI),
        Field(
            "speaker", shape=Shape("SpeakerName", (Field("slug", "sp.slug", STRING), Field("name", "sp.name", STRING)))
        ),
        Field("role", "s.role", STRING),
        Field("said_on", "s.said_on", DATE),
        Field("date_precision", "s.date_precision", enum(DatePrecision)),
        Field("stance", "s.stance", enum(Stance)),
        Field("quote", "s.quote", STRING),
    ),
)


def summary(statement, urls) -> dict:
    """SUMMARY written by Python, for positions, compare and timelines, whose statements come from
    the position steps (statements.positions.StatementSummary) or a model instance rather than from
    a projection: `urls` is an api.links.StatementUrls. The keys are SUMMARY's, in its order, and
    the values what its SQL gives (tests/api/test_summary_shape.py; api.serializers'
    StatementSummarySerializer is this shape in the OpenAPI schema, checked there too)."""
    return {
        "id": statement.pk,
        "url": urls.api(statement.pk),
        "permalink": urls.page(statement.pk),
        "speaker": {"slug": statement.speaker.slug, "name": statement.speaker.name},
        "role": statement.role,
        "said_on": statement.said_on.isoformat(),
        "date_precision": statement.date_precision,
        "stance": statement.stance,
        "quote": statement.quote,
    }


# A candidate of the quote check (SPEC §9): the summary, with whose government and which topic.
CHECKED = Shape(
    "CheckedStatement",
    (
        *SUMMARY.fields[:5],
        Field("government", shape=GOVERNMENT),
        Field("topic", shape=TOPIC),
        *SUMMARY.fields[5:],
        Field("language", "s.language", STRING, description="BCP 47 tag."),
    ),
)


def check_projection(api: str, page: str) -> Projection:
    return Projection(select=_with_links(CHECKED.json_sql(), api, page), joins=JOINS)


# One government's position on one topic in the matrix: all null when it had said nothing yet.
MATRIX_CELL = Shape(
    "MatrixCell",
    (
        Field("stance", "s.stance", nullable(enum(Stance))),
        Field("since", "s.since", nullable(DATE)),
        Field("statement", shape=SUMMARY, null_when="s.id IS NULL"),
    ),
)


def matrix_cell(api: str, page: str) -> str:
    """One cell of the matrix as JSON text, over `s` (the position: stance, since and its
    statement's summary columns) and `sp` (its speaker's slug and name)."""
    return _with_links(MATRIX_CELL.json_sql(), api, page)


# An event of the log (SPEC §10): the statement as the API's detail showed it when the event was
# committed (its tombstone once it was retracted), rendered from the rows the event kept
# (statements/sql/events.sql): the same declaration as the detail, read from the event's images
# instead of the tables. `e` is the event.
EVENT = Shape(
    "Event",
    (
        Field(
            "id", "e.id", INTEGER, description="Its place in the log, in commit order; `webhook-id` of its deliveries."
        ),
        Field("type", "e.type", enum(EventType)),
        Field("occurred_at", utc("e.occurred_at"), DATETIME, description="When the change was committed."),
        Field(
            "statement",
            f"CASE WHEN s.status = 'published' THEN {STATEMENT_DETAIL.json_sql()} ELSE {TOMBSTONE.json_sql()} END",
            {"oneOf": [STATEMENT_DETAIL.ref(), TOMBSTONE.ref()]},
            raw=True,
            description="The statement as the API's detail showed it at this event; a tombstone when retracted.",
        ),
    ),
    description="One change of the public record: a statement published, corrected, retracted or reinstated.",
)
KEPT_JOINS = """
CROSS JOIN LATERAL jsonb_populate_record(NULL::statements_statement, e.images -> 'statement') AS s
CROSS JOIN LATERAL jsonb_populate_record(NULL::statements_speaker, e.images -> 'speaker') AS sp
CROSS JOIN LATERAL jsonb_populate_record(NULL::statements_government, e.images -> 'government') AS g
CROSS JOIN LATERAL jsonb_populate_record(NULL::statements_topic, e.images -> 'topic') AS tp
"""
_KEPT_TABLES = {
    "FROM statements_source AS src": (
        "FROM jsonb_populate_recordset(NULL::statements_source, e.images -> 'sources') AS src"
    ),
    "FROM statements_translation AS tr": (
        "FROM jsonb_populate_recordset(NULL::statements_translation, e.images -> 'translations') AS tr"
    ),
    "FROM statements_correction AS c": (
        "FROM jsonb_populate_recordset(NULL::statements_correction, e.images -> 'corrections') AS c"
    ),
}


def _kept(sql: str) -> str:
    """`sql` reading the rows an event kept instead of the tables (every table the statement's
    declaration reads must be one the event keeps: a new one fails here, loudly)."""
    for table, images in _KEPT_TABLES.items():
        assert table in sql, table
        sql = sql.replace(table, images)
    assert "FROM statements_" not in sql, sql
    return sql


def event_projection(api: str, page: str) -> Projection:
    """Each event as the log shows it."""
    return Projection(select=_with_links(_kept(EVENT.json_sql()), api, page), joins=KEPT_JOINS)


def webhook_body_projection(api: str, page: str) -> Projection:
    """A delivery's body (Standard Webhooks): `{"type", "timestamp", "data": {"statement"}}`, the
    statement exactly as the event log shows it."""
    statement = next(f for f in EVENT.fields if f.name == "statement").value_sql()
    body = (
        "'{\"type\":' || to_json(e.type)::text || ',\"timestamp\":' || to_json("
        + utc("e.occurred_at")
        + ')::text || \',"data":{"statement":\' || '
        + statement
        + " || '}}'"
    )
    return Projection(select=_with_links(_kept(body), api, page), joins=KEPT_JOINS)


def _optional(key: str, column: str) -> str:
    """`,"key":value` when `column` holds something (not null, not empty), else nothing: the
    interchange format leaves out optional keys without a value, as the seed files do."""
    present = f"',{json.dumps(key)}:' || to_json({column})::text"
    return f"CASE WHEN NULLIF({column}::text, '') IS NULL THEN '' ELSE {present} END"


def _value(column: str) -> str:
    return f"COALESCE(to_json({column})::text, 'null')"


_INTERCHANGE_SOURCE = (
    "'{\"url\":' || to_json(src.url)::text || ',\"publisher\":' || to_json(src.publisher)::text || "
    + _optional("archived_url", "src.archived_url")
    + " || "
    + _optional("accessed_on", "src.accessed_on")
    + " || '}'"
)
# A rendering as statements.interchange.translation_to_record writes it (every key, nulls kept).
_INTERCHANGE_TRANSLATION = (
    "'{' || "
    + " || ',' || ".join(
        f"'{json.dumps(key)}:' || {_value(column)}"
        for key, column in (
            ("language", "tr.language"),
            ("text", "tr.text"),
            ("by", "tr.by"),
            ("official", "tr.official"),
            ("source_url", "tr.source_url"),
        )
    )
    + " || '}'"
)
# One line of the interchange format (SPEC §4; statements.interchange.statement_to_record, which
# `manage.py export_statements` uses, says the same in Python): built whole by PostgreSQL, so an
# export streams as fast as the CSV. The keys in the seed files' order, compact; U+2028 and
# U+2029 escaped (many line readers take them for line breaks).
_INTERCHANGE_LINE = (
    "'{\"id\":' || s.id"
    ' || \',"speaker":{"name":\' || to_json(sp.name)::text || \',"kind":\' || to_json(sp.kind)::text || '
    + _optional("wikidata_id", "sp.wikidata_id")
    + " || ',\"slug\":' || to_json(sp.slug)::text || '}'"
    + "".join(
        f" || ',\"{key}\":' || {_value(column)}"
        for key, column in (
            ("role", "s.role"),
            ("organization", "s.organization"),
            ("government", "s.government_id"),
            ("said_on", "s.said_on"),
            ("date_precision", "s.date_precision"),
            ("published_on", "s.published_on"),
            ("quote", "s.quote"),
            ("language", "s.language"),
            ("is_translation", "s.is_translation"),
            ("stance", "s.stance"),
            ("topic", "tp.slug"),
            ("context", "s.context"),
        )
    )
    + " || ',\"sources\":' || COALESCE((SELECT '[' || string_agg("
    + _INTERCHANGE_SOURCE
    + ", ',' ORDER BY src.position, src.id) || ']' "
    + SOURCES
    + "), '[]')"
    + " || COALESCE((SELECT ',\"translations\":[' || string_agg("
    + _INTERCHANGE_TRANSLATION
    + ", ',' ORDER BY tr.language, tr.id) || ']' "
    + TRANSLATIONS
    + "), '')"
    + " || ',\"status\":' || to_json(s.status)::text"
    + " || ',\"corrections\":' || "
    + _CORRECTIONS.value_sql()
    + f" || ',\"created_at\":' || to_json({utc('s.created_at')})::text"
    + f" || ',\"updated_at\":' || to_json({utc('s.updated_at')})::text"
    + " || ',\"version\":' || s.version || '}'"
)


def interchange_projection() -> Projection:
    """Each row as one line of the interchange format (JSON Lines export), as JSON text."""
    line = f"replace(replace({_INTERCHANGE_LINE}, U&'\\2028', '\\u2028'), U&'\\2029', '\\u2029')"
    return Projection(select=line, joins=JOINS)
