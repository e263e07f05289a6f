"""The statements domain: governments, speakers, topics, statements and their sources.

One module per concept: `references` (governments, speakers, topics), `statement` (the
statement, its codebook and workflow status), `corrections` (its public notes), `sources` (its
sources and renderings), `derived` (what the database's triggers keep: position steps, the data
version, tallies), `common` (timestamps, patterns, the choices constraint); the event log's
models live beside their fan-out (statements/events.py). Import from here:
`from statements.models import Statement`.
"""

# In the order the models were declared when they shared one module: the app registry (and so
# content types, permissions and the admin) sees them in that order.
# isort: off
from statements.models.common import (
    WIKIDATA_ID_PATTERN,
    LANGUAGE_TAG_PATTERN,
    HTTP_URL_PATTERN,
    NOT_BLANK_PATTERN,
    TimeStamped,
    choices_constraint,
)
from statements.models.references import (
    government_codes,
    GovernmentKind,
    SpeakerKind,
    Government,
    Speaker,
    Topic,
)
from statements.models.statement import (
    Stance,
    STANCE_HELP,
    DatePrecision,
    Status,
    RecordChange,
    Statement,
    EDITABLE_FIELDS,
)
from statements.models.corrections import (
    CorrectionKind,
    CORRECTED_FIELDS,
    CORRECTION_FIELD_NAMES,
    Correction,
)
from statements.models.sources import (
    Source,
    Translation,
)
from statements.models.derived import (
    PositionStep,
    DataVersion,
    StatementTally,
)
# isort: on

# The event log's models live beside their fan-out (statements/events.py); imported here so
# that Django registers them with the other models of the domain.
from statements.events import Event, EventConsumer

__all__ = [
    "CORRECTED_FIELDS",
    "CORRECTION_FIELD_NAMES",
    "EDITABLE_FIELDS",
    "HTTP_URL_PATTERN",
    "LANGUAGE_TAG_PATTERN",
    "NOT_BLANK_PATTERN",
    "STANCE_HELP",
    "WIKIDATA_ID_PATTERN",
    "Correction",
    "CorrectionKind",
    "DataVersion",
    "DatePrecision",
    "Event",
    "EventConsumer",
    "Government",
    "GovernmentKind",
    "PositionStep",
    "RecordChange",
    "Source",
    "Speaker",
    "SpeakerKind",
    "Stance",
    "Statement",
    "StatementTally",
    "Status",
    "TimeStamped",
    "Topic",
    "Translation",
    "choices_constraint",
    "government_codes",
]
