"""When a statement entered and last changed the public record: kept by the database (a trigger,
statements/sql/public_record.sql) whatever writes, for the feeds to order by (SPEC §6).

Each test runs its writes in transactions of their own (transactional_db), as the admin, imports
and scripts do: the trigger stamps each with its transaction's time.
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from statements import services
from statements.interchange import parse_lines, read_lines
from statements.models import Statement
from statements.services.restore import statements_restore
from tests.conftest import SEED_FILE
from tests.factories import StatementFactory
from tests.statements.admin_pages import run_action

pytestmark = pytest.mark.django_db(transaction=True)


def record(statement) -> tuple:
    statement.refresh_from_db()
    return statement.record_entered_at, statement.record_changed_at, statement.record_change


def test_drafts_have_no_record_and_publishing_stamps_it(staff_user):
    draft = StatementFactory(status="draft")
    assert record(draft) == (None, None, None)

    services.statement_publish(statement_id=draft.pk, user=staff_user)
    entered, changed, change = record(draft)

    assert entered == changed and change == "published"
    assert entered > draft.created_at  # when it was published, not when the draft was written


def test_corrections_retractions_and_reinstatements_move_it_edits_do_not(staff_user):
    statement = StatementFactory()
    entered, published, _ = record(statement)

    statement.context = "The editors' wording, tidied."
    services.statement_save(statement=statement, user=staff_user, expected_version=statement.version)
    assert record(statement) == (entered, published, "published")  # not news

    statement.stance = "neutral"
    services.statement_save(statement=statement, user=staff_user, expected_version=statement.version, note="Recoded.")
    _, corrected, change = record(statement)
    assert corrected > published and change == "corrected"

    services.statement_retract(statement_id=statement.pk, user=staff_user, reason="Withdrawn.")
    _, retracted, change = record(statement)
    assert retracted > corrected and change == "retracted"

    services.statement_reinstate(statement_id=statement.pk, user=staff_user, reason="Confirmed.")
    first, reinstated, change = record(statement)
    assert reinstated > retracted and change == "reinstated"
    assert first == entered  # it entered the record once


def test_application_code_cannot_set_it():
    statement = StatementFactory()
    before = record(statement)

    Statement.objects.filter(pk=statement.pk).update(
        record_changed_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC), record_change="corrected"
    )

    assert record(statement) == before


def test_a_public_statement_without_its_record_is_refused_by_the_database():
    statement = StatementFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE statements_statement DISABLE TRIGGER statements_public_record")
        cursor.execute("UPDATE statements_statement SET record_change = NULL WHERE id = %s", [statement.pk])


def test_imports_and_updates_stamp_it(tmp_path):
    call_command("import_statements", str(SEED_FILE))
    first = Statement.objects.order_by("id").first()
    entered, changed, change = record(first)
    assert entered == changed and change == "published"
    assert not Statement.objects.filter(status="published", record_changed_at__isnull=True).exists()

    line = SEED_FILE.read_text(encoding="utf-8").splitlines()[0]
    assert '"stance": "neutral"' in line
    path = tmp_path / "fix.jsonl"
    path.write_text(line.replace('"stance": "neutral"', '"stance": "conditional"') + "\n", encoding="utf-8")
    call_command("import_statements", str(path), "--update")

    _, corrected, change = record(first)
    assert corrected > changed and change == "corrected"


def test_an_admin_publication_stamps_it(admin_app, staff_user):
    draft = StatementFactory(status="draft")

    run_action(admin_app(staff_user), "publish", [draft.pk])

    assert record(draft)[2] == "published"


def test_a_restore_takes_it_from_the_exported_times():
    """Restored statements are dated from the export: entered when created, changed at their
    latest public note, so the feeds read as they did."""
    text = (
        '{"id": 7, "speaker": {"name": "A Speaker", "kind": "person"}, "role": "Minister", '
        '"organization": "Ministry", "government": "DE", "said_on": "2022-03-10", "date_precision": "day", '
        '"quote": "We will help.", "language": "en", "is_translation": false, "stance": "welcoming", '
        '"topic": "ukrainian-refugees-2022", "sources": [{"url": "https://example.org/a", "publisher": "Ex"}], '
        '"created_at": "2022-03-11T08:00:00Z", "updated_at": "2022-04-02T09:30:00Z", '
        '"corrections": [{"date": "2022-04-02", "corrected_at": "2022-04-02T09:30:00Z", "kind": "correction", '
        '"note": "Recoded.", "fields": ["stance"]}]}'
    )
    report = statements_restore(parsed=parse_lines(read_lines([text.encode()])), source_label="backup.jsonl")
    assert report.ok, report.errors

    entered, changed, change = record(Statement.objects.get(pk=7))

    assert (entered, changed, change) == (
        datetime.datetime(2022, 3, 11, 8, 0, tzinfo=datetime.UTC),
        datetime.datetime(2022, 4, 2, 9, 30, tzinfo=datetime.UTC),
        "corrected",
    )
