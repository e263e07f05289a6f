"""What became of a retracted statement, wherever it was shown: its page (410 in the site's
layout), its card, the live lists and the grids that contained it (SPEC §6: an article that
embedded it must never show a broken frame, nor silently something else).
"""

import datetime

from statements.models import CorrectionKind, Government, Speaker, Statement, Topic
from statements.positions import Position, Retraction, retractions_behind


def retraction_of(statement: Statement):
    """The public note of `statement`'s retraction (its latest), read from its prefetched
    corrections (Statement.objects.for_detail()), or None."""
    notes = [c for c in statement.corrections.all() if c.kind == CorrectionKind.RETRACTION]
    return notes[-1] if notes else None


def with_retractions(statements: list[Statement]) -> list[Statement]:
    """`statements` (for_detail()), each retracted one carrying its `retraction` note."""
    for statement in statements:
        statement.retraction = retraction_of(statement) if statement.status == "retracted" else None
    return statements


def behind_grid(topic: Topic, as_of: datetime.date, positions: list[Position]) -> list[Retraction]:
    """Retractions behind a topic's positions grid as of `as_of`."""
    shown = {(topic.pk, p.government.code): p.statement.said_on for p in positions if p.statement}
    return retractions_behind(topics=[topic], as_of=as_of, shown=shown)


def behind_matrix(topics: list[Topic], as_of: datetime.date, rows: list[dict]) -> list[Retraction]:
    """Retractions behind a matrix as of `as_of` (`rows` as the matrix page builds them)."""
    shown = {}
    for row in rows:
        for topic, cell in row["cells"]:
            if cell["statement"]:
                shown[(topic.pk, row["government"]["code"])] = datetime.date.fromisoformat(cell["statement"]["said_on"])
    return retractions_behind(topics=topics, as_of=as_of, shown=shown)


def public_references(statement: Statement) -> dict[str, bool]:
    """Whether the speaker, government and topic of a retracted statement still have public
    pages (they do while another of their statements is published): the notice links only those."""
    return {
        "speaker": Speaker.objects.public_one(slug=statement.speaker.slug).exists(),
        "government": Government.objects.public_one(code=statement.government_id).exists(),
        "topic": Topic.objects.public_one(slug=statement.topic.slug).exists(),
    }
