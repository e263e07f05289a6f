"""Migration 0018 on a database that already holds statements: each is dated on the public record
from what is known (its history, its public notes), and searched with stemming."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("statements", "0017_statement_tallies")
AFTER = ("statements", "0018_search_stemming_and_public_record_times")
T = [datetime.datetime(2026, 1, day, 12, tzinfo=datetime.UTC) for day in range(1, 8)]


def migrate(*targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def latest_schema_afterwards():
    """Going back to 0017 unapplies every migration that depends on it (the event log, webhooks, ...):
    the tests that run after this one on the same database need all of them back."""
    yield
    executor = MigrationExecutor(connection)
    migrate(*executor.loader.graph.leaf_nodes())


def make(apps, quote: str, status: str, created: datetime.datetime):
    government = apps.get_model("statements", "Government").objects.get_or_create(code="FI", name="Finland")[0]
    topic = apps.get_model("statements", "Topic").objects.get_or_create(slug="t", title="T")[0]
    speaker = apps.get_model("statements", "Speaker").objects.get_or_create(name="S", slug="s")[0]
    statement = apps.get_model("statements", "Statement").objects.create(
        speaker=speaker, government=government, topic=topic, role="Minister", organization="Ministry",
        said_on=datetime.date(2022, 3, 1), quote=quote, language="en", stance="restrictive", status=status,
    )  # fmt: skip
    apps.get_model("statements", "Statement").objects.filter(pk=statement.pk).update(created_at=created)
    return statement


def history(apps, statement, status: str, when: datetime.datetime) -> None:
    model = apps.get_model("statements", "HistoricalStatement")
    names = {f.attname for f in model._meta.concrete_fields} - {"history_id"}
    values = {f.attname: getattr(statement, f.attname) for f in statement._meta.concrete_fields if f.attname in names}
    model.objects.create(**{**values, "status": status, "history_date": when, "history_type": "~"})


def note(apps, statement, kind: str, when: datetime.datetime) -> None:
    correction = apps.get_model("statements", "Correction").objects.create(statement=statement, kind=kind, note="n")
    apps.get_model("statements", "Correction").objects.filter(pk=correction.pk).update(created_at=when)


@pytest.mark.django_db(transaction=True)
def test_statements_already_there_get_their_record_times_and_stemmed_search():
    apps = migrate(BEFORE)
    try:
        reviewed = make(apps, "Refugees were reviewed.", "published", T[0])
        history(apps, reviewed, "draft", T[0])
        history(apps, reviewed, "published", T[1])  # published a day after it was written
        note(apps, reviewed, "correction", T[2])
        imported = make(apps, "Imported as published.", "published", T[3])
        withdrawn = make(apps, "Later withdrawn.", "published", T[4])
        note(apps, withdrawn, "retraction", T[5])
        apps.get_model("statements", "Statement").objects.filter(pk=withdrawn.pk).update(status="retracted")
        draft = make(apps, "Never published.", "draft", T[6])
    finally:
        apps = migrate(AFTER)

    times = {
        row["pk"]: (row["record_entered_at"], row["record_changed_at"], row["record_change"])
        for row in apps.get_model("statements", "Statement").objects.values(
            "pk", "record_entered_at", "record_changed_at", "record_change"
        )
    }
    assert times == {
        reviewed.pk: (T[1], T[2], "corrected"),
        imported.pk: (T[3], T[3], "published"),
        withdrawn.pk: (T[4], T[5], "retracted"),
        draft.pk: (None, None, None),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM statements_statement WHERE search_vector @@ websearch_to_tsquery('english', 'refugee')"
        )
        assert cursor.fetchall() == [(reviewed.pk,)]


@pytest.mark.django_db(transaction=True)
def test_a_database_migrated_before_0017_was_edited_gets_int4_tally_counts():
    """0017 once made the count column bigint; 0020 brings such a database to the int4 of today."""
    migrate(("statements", "0019_event_log"))
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE statements_statementtally ALTER COLUMN n TYPE bigint")
    migrate(("statements", "0020_tally_count_int4"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'statements_statementtally' AND column_name = 'n'"
        )
        assert cursor.fetchone() == ("integer",)
