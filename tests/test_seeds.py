"""Every seed file imports cleanly and verbatim; `./dev setup` (what `./dev serve` runs first)
loads them all, in the order they were added."""

import json
import os
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from statements.interchange import dumps
from statements.models import Government, Speaker, Statement, Status
from statements.services.imports import name_key
from tests.conftest import ROOT, SEED_FILES, database_url, import_file, import_seeds

SHARED = ROOT.parent / "shared" / "data"
TOPICS = {
    "statements-2022.jsonl": "russian-mobilisation-2022",
    "statements-ukraine-2022.jsonl": "ukrainian-refugees-2022",
    "statements-afghanistan-2021.jsonl": "afghan-evacuation-2021",
}


def lines_of(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_file_imports_every_line_verbatim(db, path):
    report = import_file(path)

    assert report.ok, report.errors
    lines = lines_of(path)
    assert report.created == len(lines)
    stored = {(s.speaker.name, s.said_on.isoformat(), s.quote) for s in Statement.objects.select_related("speaker")}
    assert stored == {(line["speaker"]["name"], line["said_on"], line["quote"]) for line in lines}


def test_the_import_order_names_every_seed_file_once_oldest_first():
    assert sorted(p.name for p in SEED_FILES) == sorted(p.name for p in (ROOT / "seeds").glob("*.jsonl"))
    assert len(set(SEED_FILES)) == len(SEED_FILES)
    assert [p.name for p in SEED_FILES] == list(TOPICS)  # a new file goes at the end: older ids stay


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not beside the checkout")
@pytest.mark.parametrize("name", list(TOPICS))
def test_seed_files_are_the_verified_files_byte_for_byte(name):
    """The verified files, byte for byte, but for the English renderings researched for them
    (seeds/RENDERINGS.md): a line without its `translations` is the verified line. A quote is
    never edited."""
    seeds = (ROOT / "seeds" / name).read_text(encoding="utf-8").splitlines()
    verified = (SHARED / name).read_text(encoding="utf-8").splitlines()
    assert len(seeds) == len(verified)
    for seed, line in zip(seeds, verified, strict=True):
        record = json.loads(seed)
        renderings = record.pop("translations", None)
        assert dumps(record) == line if renderings else seed == line
        assert all(r["language"] == "en" and r["by"] and r["source_url"] for r in renderings or [])


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


def test_a_speaker_on_several_topics_is_one_speaker(db):
    """The Afghanistan file names seven people already in the other files (Ylva Johansson speaks
    on all three topics): each is the same speaker, with roles and statements across topics."""
    import_seeds()
    names = {line["speaker"]["name"] for path in SEED_FILES for line in lines_of(path)}

    assert Speaker.objects.count() == len({name_key(name) for name in names}) == 107
    johansson = Speaker.objects.get(name="Ylva Johansson")
    assert set(johansson.statements.values_list("topic__slug", flat=True)) == set(TOPICS.values())
    afghan = {line["speaker"]["name"] for line in lines_of(ROOT / "seeds" / "statements-afghanistan-2021.jsonl")}
    earlier = {line["speaker"]["name"] for path in SEED_FILES[:2] for line in lines_of(path)}
    shared = afghan & earlier
    assert shared == {
        "Boris Johnson",
        "Joe Biden",
        "Karin Keller-Sutter",
        "Notis Mitarachi",
        "Pedro Sánchez",
        "Ursula von der Leyen",
        "Ylva Johansson",
    }
    for name in shared:
        speaker = Speaker.objects.get(name=name)
        assert speaker.statements.values("topic").distinct().count() >= 2, name


@pytest.mark.django_db(transaction=True)
def test_dev_setup_loads_every_seed_file_in_order(tmp_path):
    """`./dev setup` is what `./dev serve` runs before serving: migrations, topics, then every
    seed file in the order seeds/statement-files.txt gives, into a fresh database."""
    name = f"dev_setup_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = database_url(name)
    try:
        result = subprocess.run(
            [str(ROOT / "dev"), "setup"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        for path in SEED_FILES:
            count = len(lines_of(path))
            assert f"seeds/{path.name}: {count} lines: {count} created" in result.stdout + result.stderr
        with psycopg.connect(url) as db:
            rows = db.execute(
                "SELECT t.slug, min(s.id), max(s.id), count(*) FROM statements_statement AS s "
                "JOIN statements_topic AS t ON t.id = s.topic_id WHERE s.status = 'published' "
                "GROUP BY t.slug ORDER BY min(s.id)"
            ).fetchall()
            described = db.execute("SELECT count(*) FROM statements_topic WHERE description <> ''").fetchone()[0]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert rows == [
        ("russian-mobilisation-2022", 1, 44, 44),
        ("ukrainian-refugees-2022", 45, 114, 70),
        ("afghan-evacuation-2021", 115, 150, 36),
    ]
    assert described == 3
