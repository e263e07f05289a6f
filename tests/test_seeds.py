"""Every seed file imports cleanly and verbatim."""

import json

import pytest

from statements.models import Government, Statement, Status
from tests.conftest import ROOT, import_file

SEED_FILES = sorted((ROOT / "seeds").glob("*.jsonl"))


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_file_imports_every_line_verbatim(db, path):
    report = import_file(path)

    assert report.ok, report.errors
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert report.created == len(lines)
    stored = {(s.speaker.name, s.said_on.isoformat(), s.quote) for s in Statement.objects.select_related("speaker")}
    assert stored == {(line["speaker"]["name"], line["said_on"], line["quote"]) for line in lines}


def test_seed_data_is_44_published_statements_from_24_governments(seeded):
    assert Statement.objects.published().count() == 44
    assert Statement.objects.exclude(status=Status.PUBLISHED).count() == 0
    assert Government.objects.count() == 24
    assert set(Government.objects.filter(code__in=["EU", "UN"]).values_list("kind", flat=True)) == {
        "supranational",
        "international",
    }


def test_seed_import_twice_changes_nothing(seeded):
    before = list(Statement.objects.values().order_by("id"))

    report = import_file(ROOT / "seeds" / "statements-2022.jsonl")

    assert (report.created, report.updated, report.unchanged) == (0, 0, 44)
    assert list(Statement.objects.values().order_by("id")) == before
