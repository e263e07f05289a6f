"""The event log is written by the database at commit, whatever wrote the change: one event per
publish, correction, retraction and reinstatement, none for a rollback or a draft, the
statement kept as it was, ids in commit order. These tests commit for real (transaction=True):
the events are recorded at commit."""

import json
import threading

import psycopg
import pytest
from django.db import connection, transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from statements import services
from statements.events import Event
from statements.generator import statements_generate
from statements.models import Statement
from tests.conftest import SEED_FILE, database_url, eventually, import_file, import_text, import_topics
from tests.factories import StatementFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-test-password")


def events_of(statement) -> list[tuple[str, str]]:
    """(type, status kept) of each event of `statement`, in order."""
    return [(e.type, e.images["statement"]["status"]) for e in Event.objects.filter(statement=statement)]


def test_each_workflow_step_and_correction_is_one_event_keeping_the_statement_as_it_was(editor):
    statement = StatementFactory(status="draft", quote="We will not issue visas.")
    services.statement_publish(statement_id=statement.pk, user=editor)
    statement.refresh_from_db()
    statement.quote = "We will not issue tourist visas."
    services.statement_save(statement=statement, user=editor, note="The quote left out 'tourist'.")
    services.statement_retract(statement_id=statement.pk, user=editor, reason="Misattributed.")
    services.statement_reinstate(statement_id=statement.pk, user=editor, reason="Attribution confirmed.")

    events = list(Event.objects.filter(statement=statement))
    assert [e.type for e in events] == [
        "statement.published",
        "statement.corrected",
        "statement.retracted",
        "statement.reinstated",
    ]
    assert [e.images["statement"]["quote"] for e in events[:2]] == [
        "We will not issue visas.",
        "We will not issue tourist visas.",
    ]
    assert [len(e.images["corrections"]) for e in events] == [0, 1, 2, 3]
    assert [e.status for e in events] == ["published", "published", "retracted", "published"]
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert all(e.images["sources"] for e in events)


def test_drafts_and_edits_that_need_no_correction_record_nothing(editor):
    draft = StatementFactory(status="draft")
    draft.quote = "Another draft wording."
    services.statement_save(statement=draft, user=editor)
    published = StatementFactory(status="published")
    Event.objects.filter(statement=published).delete()  # its creation by the factory
    published.context = "A typo fixed in the editors' own words."
    services.statement_save(statement=published, user=editor)

    assert Event.objects.filter(statement__in=[draft, published]).count() == 0


def test_a_rolled_back_write_leaves_no_event_and_no_job(editor):
    statement = StatementFactory(status="draft")
    jobs_before = ProcrastinateJob.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        services.statement_publish(statement_id=statement.pk, user=editor)
        raise RuntimeError("the request failed after publishing")

    assert Event.objects.count() == 0
    assert ProcrastinateJob.objects.count() == jobs_before
    statement.refresh_from_db()
    assert statement.status == "draft"


def test_a_service_write_defers_the_fan_out_in_its_own_transaction(editor):
    statement = StatementFactory(status="draft")
    jobs_before = ProcrastinateJob.objects.filter(task_name="statements.fan_out_events").count()

    services.statement_publish(statement_id=statement.pk, user=editor)

    assert ProcrastinateJob.objects.filter(task_name="statements.fan_out_events").count() == jobs_before + 1


def test_a_write_made_without_the_services_is_recorded_too():
    statement = StatementFactory(status="draft")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE statements_statement SET status = 'published' WHERE id = %s", [statement.pk])

    assert events_of(statement) == [("statement.published", "published")]


def test_an_import_is_one_published_event_per_published_statement_its_notes_included():
    import_topics()
    report = import_file(SEED_FILE)
    assert report.ok, report.errors

    published = Statement.objects.filter(status="published")
    assert Event.objects.count() == published.count() == report.created
    assert set(Event.objects.values_list("type", flat=True)) == {"statement.published"}
    with_notes = Statement.objects.filter(corrections__kind="correction").distinct()
    for statement in with_notes:  # its notes are inside its one `published` event
        (event,) = Event.objects.filter(statement=statement)
        assert len(event.images["corrections"]) == statement.corrections.count()


def test_import_update_records_the_correction_and_the_retraction_it_makes():
    import_topics()
    line = SEED_FILE.read_text(encoding="utf-8").splitlines()[0]
    assert import_text(line + "\n").ok
    statement = Statement.objects.get()
    record = json.loads(line)
    record["stance"] = "conditional" if record["stance"] != "conditional" else "neutral"
    record["status"] = "retracted"
    record["corrections"] = [
        *record.get("corrections", []),
        {"date": "2026-12-01", "kind": "correction", "note": "Stance recoded.", "fields": ["stance"]},
        {"date": "2026-12-02", "kind": "retraction", "note": "Withdrawn by the ministry.", "fields": []},
    ]

    report = import_text(json.dumps(record) + "\n", update=True)

    assert report.ok, report.errors
    # The correction of a statement that this same write retracts is in the retraction's event.
    assert [t for t, _status in events_of(statement)] == ["statement.published", "statement.retracted"]


def test_ids_follow_commit_order_even_when_transactions_interleave():
    """A's event is recorded first (its commit-time triggers fired), then B tries to commit and
    must wait for A's commit to be complete: B's event can never become visible before A's."""
    first, second = StatementFactory(status="draft"), StatementFactory(status="draft")
    url = database_url(connection.settings_dict["NAME"])
    a, b, observer = psycopg.connect(url), psycopg.connect(url), psycopg.connect(url, autocommit=True)
    waiting_for_the_event_lock = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 5526091 AND objid = 2 AND NOT granted"
    )
    try:
        a.execute("UPDATE statements_statement SET status = 'published' WHERE id = %s", [first.pk])
        a.execute("SET CONSTRAINTS ALL IMMEDIATE")  # A's commit-time work done: its event has its id
        b.execute("UPDATE statements_statement SET status = 'published' WHERE id = %s", [second.pk])
        committing = threading.Thread(target=b.commit)
        committing.start()
        eventually(
            lambda: observer.execute(waiting_for_the_event_lock).fetchone()[0] == 1, what="B waiting for A's commit"
        )
        assert Event.objects.count() == 0  # neither is committed
        a.commit()
        committing.join(30)
    finally:
        for conn in (a, b, observer):
            conn.close()

    assert list(Event.objects.order_by("id").values_list("statement_id", flat=True)) == [first.pk, second.pk]


def test_synthetic_benchmark_data_records_no_events():
    statements_generate(count=50, seed=3, governments=5, speakers=10, topics=2)

    assert Statement.objects.filter(status="published").exists()
    assert Event.objects.count() == 0
