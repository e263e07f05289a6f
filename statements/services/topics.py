"""Topic descriptions (title, description, target group) from a file: the seeds carry them, so a
fresh database describes its topics properly whatever created them first (an import of
statements names topics by slug only, and titles a new one from its slug)."""

import json
import re
from dataclasses import dataclass, field

from django.db import transaction

from statements.models import Topic

TOPIC_KEYS = {"slug": True, "title": True, "description": False, "target_group": False}
LIMITS = {"slug": 100, "title": 200, "description": 5000, "target_group": 300}
SLUG = re.compile(r"^[-a-z0-9]+$")


@dataclass
class TopicReport:
    errors: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def placeholder_title(slug: str) -> str:
    """The title an import of statements gives a topic it creates from a slug."""
    return slug.replace("-", " ").capitalize()


def _validate(index: int, record) -> list[str]:
    where = f"topics[{index}]"
    if not isinstance(record, dict):
        return [f"{where}: must be an object with slug and title"]
    errors = [f"{where}.{key}: unknown key" for key in record if key not in TOPIC_KEYS]
    for key, required in TOPIC_KEYS.items():
        value = record.get(key)
        if value is None:
            if required:
                errors.append(f"{where}.{key}: is required")
            continue
        if not isinstance(value, str) or (required and not value.strip()):
            errors.append(f"{where}.{key}: must be a non-empty string")
        elif len(value) > LIMITS[key]:
            errors.append(f"{where}.{key}: is {len(value)} characters long; the limit is {LIMITS[key]}")
    if isinstance(record.get("slug"), str) and not SLUG.match(record["slug"]):
        errors.append(f"{where}.slug: must be lowercase letters, digits and hyphens, not {record['slug']!r}")
    return errors


def topics_import(text: str, *, update: bool = False) -> TopicReport:
    """Create the topics of a JSON array; describe existing ones that still have their placeholder
    title (or all of them with `update`). All or nothing: any bad record writes nothing."""
    report = TopicReport()
    try:
        records = json.loads(text)
    except ValueError as exc:
        report.errors.append(f"json: {exc}")
        return report
    if not isinstance(records, list):
        report.errors.append("json: expected a list of topics")
        return report
    for index, record in enumerate(records):
        report.errors += _validate(index, record)
    slugs = [r["slug"] for r in records if isinstance(r, dict) and "slug" in r]
    report.errors += [f"topics: {slug!r} is given twice" for slug in sorted({s for s in slugs if slugs.count(s) > 1})]
    if report.errors:
        return report
    with transaction.atomic():
        existing = {t.slug: t for t in Topic.objects.select_for_update().filter(slug__in=slugs)}
        for record in records:
            values = {
                "title": record["title"],
                "description": record.get("description") or "",
                "target_group": record.get("target_group") or "",
            }
            topic = existing.get(record["slug"])
            if topic is None:
                Topic.objects.create(slug=record["slug"], **values)
                report.created.append(record["slug"])
            elif all(getattr(topic, k) == v for k, v in values.items()):
                report.unchanged += 1
            elif update or topic.title == placeholder_title(topic.slug):
                for key, value in values.items():
                    setattr(topic, key, value)
                topic._change_reason = "import: topic descriptions"
                topic.save()
                report.updated.append(record["slug"])
            else:
                report.kept.append(record["slug"])  # described in the admin since: the editors' words win
    return report
