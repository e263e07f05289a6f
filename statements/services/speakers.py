"""Speakers from a file (`export_speakers` writes it, `import_speakers` reads it): with the topics
and the statements, the whole tracker, speakers who have no statement (yet, or any more) included.

A restore runs `import_speakers` before `import_statements --restore`, which then finds each
speaker by its slug. All or nothing: any bad record, or a slug that names someone else in the
database, writes nothing.
"""

import json
from dataclasses import dataclass, field

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from statements.interchange import parse_speaker_record
from statements.models import Speaker


@dataclass
class SpeakerReport:
    errors: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def speakers_import(text: str, *, user=None, source_label: str = "speakers file") -> SpeakerReport:
    """Create the speakers of a JSON array whose slugs are not in the database; one whose slug is
    there already must be the same speaker (name, kind, Wikidata id)."""
    report = SpeakerReport()
    try:
        records = json.loads(text)
    except ValueError as exc:
        report.errors.append(f"json: {exc}")
        return report
    if not isinstance(records, list):
        report.errors.append("json: expected a list of speakers")
        return report
    speakers = []
    for index, record in enumerate(records):
        speaker, problems = parse_speaker_record(index, record)
        report.errors += problems
        speakers.append(speaker)
    slugs = [s.slug for s in speakers if s]
    report.errors += [f"speakers: {slug!r} is given twice" for slug in sorted({s for s in slugs if slugs.count(s) > 1})]
    if report.errors:
        return report
    with transaction.atomic():
        existing = {s.slug: s for s in Speaker.objects.select_for_update().filter(slug__in=slugs)}
        new = []
        for index, data in enumerate(speakers):
            held = existing.get(data.slug)
            if held is None:
                new.append(Speaker(name=data.name, kind=data.kind, wikidata_id=data.wikidata_id, slug=data.slug))
            elif (held.name, held.kind, held.wikidata_id) != (data.name, data.kind, data.wikidata_id):
                report.errors.append(
                    f"speakers[{index}]: speaker.slug: {data.slug!r} is {held.name!r} ({held.kind}) in the database"
                )
            else:
                report.unchanged += 1
        if report.errors:
            return report
        bulk_create_with_history(new, Speaker, default_user=user, default_change_reason=f"import: {source_label}")
        report.created = [s.slug for s in new]
    return report
