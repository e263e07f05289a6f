"""Topic descriptions travel with the seeds: import_topics creates and describes topics."""

import json

import pytest
from django.core.management import CommandError, call_command

from statements.models import Topic
from statements.services.topics import topics_import
from tests.conftest import SEED_FILE, TOPICS_FILE, import_file


def test_a_fresh_database_gets_every_seed_topic_described(db):
    Topic.objects.all().delete()  # what a flushed database has: no topic from the migration

    call_command("import_topics", str(TOPICS_FILE))

    topics = {t.slug: t for t in Topic.objects.all()}
    assert topics["ukrainian-refugees-2022"].title == "People fleeing Russia's full-scale invasion of Ukraine"
    assert topics["ukrainian-refugees-2022"].target_group == (
        "People fleeing Russia's full-scale invasion of Ukraine (from 24 February 2022)"
    )
    assert topics["russian-mobilisation-2022"].title == "Russians fleeing the 2022 mobilisation"
    assert all(t.description for t in topics.values())


def test_a_topic_an_import_created_from_its_slug_is_described_later(db):
    Topic.objects.all().delete()
    assert import_file(SEED_FILE).ok
    assert Topic.objects.get().title == "Russian mobilisation 2022"  # the placeholder

    report = topics_import(TOPICS_FILE.read_text(encoding="utf-8"))

    assert report.updated == ["russian-mobilisation-2022"]
    assert sorted(report.created) == ["afghan-evacuation-2021", "ukrainian-refugees-2022"]
    assert Topic.objects.get(slug="russian-mobilisation-2022").title == "Russians fleeing the 2022 mobilisation"


def test_a_description_edited_in_the_admin_is_kept_unless_update(db, capsys):
    call_command("import_topics", str(TOPICS_FILE))
    Topic.objects.filter(slug="ukrainian-refugees-2022").update(title="Edited by an editor")

    call_command("import_topics", str(TOPICS_FILE))
    assert "kept as edited in the admin (use --update to replace): ukrainian-refugees-2022" in capsys.readouterr().out
    assert Topic.objects.get(slug="ukrainian-refugees-2022").title == "Edited by an editor"

    call_command("import_topics", str(TOPICS_FILE), "--update")
    assert Topic.objects.get(slug="ukrainian-refugees-2022").title.startswith("People fleeing")


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([{"slug": "Bad Slug", "title": "x"}], "topics[0].slug: must be lowercase letters"),
        ([{"slug": "a", "title": " "}], "topics[0].title: must be a non-empty string"),
        ([{"slug": "a", "title": "x", "colour": "red"}], "topics[0].colour: unknown key"),
        ([{"slug": "a", "title": "x"}, {"slug": "a", "title": "y"}], "topics: 'a' is given twice"),
        ({"slug": "a"}, "json: expected a list of topics"),
    ],
)
def test_a_bad_file_is_refused_and_writes_nothing(db, tmp_path, capsys, records, message):
    before = Topic.objects.count()
    path = tmp_path / "topics.json"
    path.write_text(json.dumps([{"slug": "fine", "title": "Fine"}, *records] if isinstance(records, list) else records))

    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_topics", str(path))

    assert message.replace("[0]", "[1]") in capsys.readouterr().err or message in capsys.readouterr().err
    assert Topic.objects.count() == before
