"""Imports beside other writers: one at a time, no overwriting a change made since the import read,
status only through the workflow, clear failures. Real processes and threads, real locks."""

import json
import os
import subprocess
import sys
import threading
import time

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, connections

from statements import services
from statements.interchange import parse_lines, read_lines
from statements.models import Correction, Statement
from statements.services.imports import IMPORT_LOCK, ImportBusy, statements_import
from tests.conftest import ROOT, SEED_FILE, database_url, eventually, import_file, import_text
from tests.factories import StatementFactory

SEED_LINES = SEED_FILE.read_text(encoding="utf-8").splitlines()


def parsed(text: str):
    return parse_lines(read_lines(text.encode().splitlines(keepends=True)))


def changed(lines: list[str], **values) -> str:
    out = []
    for line in lines:
        record = json.loads(line)
        record.update(values)
        out.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(out) + "\n"


def manage(*args, **popen):
    """`manage.py …` in a process of its own, on the test database."""
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict["NAME"])}
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def holding_the_import_lock():
    """A connection of its own holding the import lock (as a running import does)."""
    holder = psycopg.connect(database_url(connection.settings_dict["NAME"]), autocommit=True)
    holder.execute("SELECT pg_advisory_lock(%s, %s)", IMPORT_LOCK)
    return holder


def waiting_for_a_row_lock(but: int) -> int:
    """How many other backends of this database wait for a lock (the import, at its row lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid NOT IN (%s, pg_backend_pid())",
            [but],
        )
        return cursor.fetchone()[0]


def waiting_for_the_import_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s AND NOT granted",
            IMPORT_LOCK,
        )
        return cursor.fetchone()[0]


def test_update_over_a_retracted_statement_leaves_it_retracted_and_says_so(seeded, staff_user, capsys):
    statement = Statement.objects.get(government="US", said_on="2022-09-27")
    services.statement_retract(statement_id=statement.pk, user=staff_user, reason="Withdrawn by the source.")

    call_command("import_statements", str(SEED_FILE), "--update")

    output = capsys.readouterr()
    assert f"statement {statement.pk} is retracted here and published in the file" in output.err
    assert "its status is left as it is" in output.err
    assert "0 updated, 44 unchanged" in output.out
    statement.refresh_from_db()
    assert statement.status == "retracted"
    assert [c.kind for c in statement.corrections.all()] == ["retraction"]


def test_a_plain_reimport_of_the_seeds_reports_a_retraction_and_does_not_fail(seeded, staff_user, capsys):
    statement = Statement.objects.get(government="US", said_on="2022-09-27")
    services.statement_retract(statement_id=statement.pk, user=staff_user, reason="Withdrawn by the source.")

    call_command("import_statements", str(SEED_FILE))  # what every `./dev serve` runs

    assert "is retracted here and published in the file" in capsys.readouterr().err
    assert Statement.objects.get(pk=statement.pk).status == "retracted"


def test_update_retracts_and_reinstates_as_workflow_steps_with_the_files_reasons(seeded, capsys):
    line = json.loads(SEED_LINES[2])
    retraction = {"date": "2026-11-30", "kind": "retraction", "note": "The transcript was withdrawn."}
    retract = dict(line, status="retracted", corrections=[retraction])

    report = statements_import(parsed=parsed(json.dumps(retract)), source_label="fix.jsonl", update=True)

    statement = Statement.objects.get(speaker__name=line["speaker"]["name"], said_on=line["said_on"])
    assert (report.ok, report.retracted, statement.status) == (True, 1, "retracted")
    assert statement.corrections.get().note == "The transcript was withdrawn."
    assert (
        statement.history.first().history_change_reason == "import: fix.jsonl (retract: The transcript was withdrawn.)"
    )

    back = dict(line, corrections=[retraction, {"date": "2026-12-01", "kind": "reinstatement", "note": "Restored."}])
    report = statements_import(parsed=parsed(json.dumps(back)), source_label="fix2.jsonl", update=True)

    statement.refresh_from_db()
    assert (report.reinstated, statement.status) == (1, "published")
    assert [c.kind for c in statement.corrections.all()] == ["retraction", "reinstatement"]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"status": "retracted"}, "a retracted statement needs its retraction"),
        ({"status": "draft", "corrections": [{"date": "2022-10-01", "kind": "correction", "note": "x"}]}, "a draft"),
        (
            {"corrections": [{"date": "2022-10-01", "kind": "retraction", "note": "x"}]},
            "the latest step in corrections is a retraction",
        ),
        ({"corrections": [{"date": "2022-10-01", "kind": "retraction", "note": "x", "fields": ["quote"]}]}, "corrects"),
        (
            {
                "corrections": [
                    {"date": "2022-10-02", "corrected_at": "2022-10-01T10:00:00Z", "kind": "correction", "note": "x"}
                ]
            },
            "is not the date of corrected_at",
        ),
        ({"id": 0}, "id: must be a whole number from 1"),
        ({"id": True}, "id: must be a whole number from 1"),
        ({"created_at": "2022-10-01"}, "created_at: must be a date-time with its offset"),
        ({"speaker": {"name": "A", "kind": "person", "slug": "a b"}}, "speaker.slug: must be a slug"),
    ],
)
def test_the_public_record_in_a_line_is_validated(db, record, message):
    line = dict(json.loads(SEED_LINES[0]), **record)

    report = import_text(json.dumps(line))

    assert not report.ok and message in report.errors[0], report.errors
    assert Statement.objects.count() == 0


def test_a_plain_import_ignores_ids_and_keeps_the_public_record(db):
    line = dict(
        json.loads(SEED_LINES[0]),
        id=9999,
        status="retracted",
        corrections=[
            {
                "date": "2022-10-01",
                "corrected_at": "2022-10-01T08:30:00Z",
                "kind": "retraction",
                "note": "Misattributed.",
            }
        ],
    )

    assert import_text(json.dumps(line)).ok

    statement = Statement.objects.get()
    assert statement.pk != 9999 and statement.status == "retracted"
    correction = statement.corrections.get()
    assert (correction.note, correction.created_at.isoformat()) == ("Misattributed.", "2022-10-01T08:30:00+00:00")


@pytest.mark.django_db(transaction=True)
def test_an_import_meeting_a_statement_an_editor_changed_after_it_read_it_reports_a_conflict(staff_user):
    import_file(SEED_FILE)
    target = Statement.objects.get(government="US", said_on="2022-09-27")
    editor = psycopg.connect(database_url(connection.settings_dict["NAME"]))
    # The editor's save is under way (row locked, not committed) when the import starts.
    editor.execute("SELECT 1 FROM statements_statement WHERE id = %s FOR UPDATE", [target.pk])
    editor.execute(
        "UPDATE statements_statement SET context = 'the editor''s fix', version = version + 1 WHERE id = %s",
        [target.pk],
    )
    file = changed([SEED_LINES[2]], stance="conditional")
    result = {}

    def run():
        try:
            result["report"] = statements_import(parsed=parsed(file), source_label="late.jsonl", update=True)
        finally:
            connections.close_all()

    importer = threading.Thread(target=run)
    importer.start()
    # The import has planned (it read the committed version) and waits for the editor's row lock.
    eventually(lambda: waiting_for_a_row_lock(but=editor.info.backend_pid), what="the import to wait for the row")
    editor.commit()
    importer.join(timeout=30)
    editor.close()

    report = result["report"]
    assert not report.ok
    assert (
        f"statement {target.pk} was changed by " in report.errors[0] and "after this import read it" in report.errors[0]
    )
    target.refresh_from_db()
    assert (target.context, target.stance) == ("the editor's fix", "welcoming")  # nothing overwritten
    assert not target.corrections.exists()


@pytest.mark.django_db(transaction=True)
def test_two_update_imports_of_conflicting_files_run_one_after_the_other():
    import_file(SEED_FILE)
    lines = SEED_LINES[:20]
    files = {}
    for name, stance in (("a.jsonl", "neutral"), ("b.jsonl", "conditional")):
        files[name] = ROOT / "artifacts" / f"concurrent-{name}"
        files[name].parent.mkdir(exist_ok=True)
        files[name].write_text(changed(lines, stance=stance), encoding="utf-8")
    holder = holding_the_import_lock()
    runs = {name: manage("import_statements", str(path), "--update") for name, path in files.items()}
    eventually(lambda: waiting_for_the_import_lock() == 2, timeout=60, what="both imports to wait for the lock")
    holder.close()  # the lock is free: one runs, then the other
    outputs = {name: run.communicate(timeout=120) for name, run in runs.items()}

    assert all(run.returncode == 0 for run in runs.values()), outputs
    for out, err in outputs.values():
        assert "waited for another import to finish" in err
        assert "20 lines:" in out and "updated" in out
    updated = sum(int(out.split(" created, ")[1].split(" updated")[0]) for out, _err in outputs.values())
    # Each statement: its corrections form one chain from the seed's stance to the stored one.
    seeds = {json.loads(line)["quote"]: json.loads(line) for line in lines}
    for statement in Statement.objects.filter(quote__in=seeds):
        seed = seeds[statement.quote]
        chain = [c for c in statement.corrections.all() if "stance" in c.fields]
        stances = [seed["stance"]] + [c.after["stance"] for c in chain]
        assert [c.before["stance"] for c in chain] == stances[:-1]
        assert stances[-1] == statement.stance
    # Each run reported what it stored: one public correction (of the stance) per statement it updated.
    assert updated == Correction.objects.count() > 20


@pytest.mark.django_db(transaction=True)
def test_with_no_wait_a_second_import_is_refused_while_one_runs(capsys):
    holder = holding_the_import_lock()
    try:
        run = manage("import_statements", str(SEED_FILE), "--no-wait")
        _out, err = run.communicate(timeout=60)
    finally:
        holder.close()

    assert run.returncode == 3, err
    assert "another import is running: pid " in err and "nothing was written" in err
    assert "Traceback" not in err
    assert Statement.objects.count() == 0
    with pytest.raises(ImportBusy):  # the same in code
        holder = holding_the_import_lock()
        try:
            statements_import(parsed=parsed(SEED_LINES[0]), source_label="x", wait=False)
        finally:
            holder.close()


def race(target, base: int, round_number: int, staff_user) -> dict:
    """The editor saves (based on `base`) and an --update import runs, started together."""
    stance = ("conditional", "neutral")[round_number % 2]
    file = changed([SEED_LINES[2]], stance=stance, context=f"context from the file, round {round_number}")
    barrier, results = threading.Barrier(2), {}

    def edit():
        try:
            statement = Statement.objects.get(pk=target.pk)
            barrier.wait(timeout=10)
            statement.context = f"the editor's context, round {round_number}"
            try:
                services.statement_save(statement=statement, user=staff_user, expected_version=base)
                results["editor"] = "saved"
            except (services.StaleEdit, services.Busy) as refused:
                results["editor"] = type(refused).__name__
        finally:
            connections.close_all()

    def load():
        try:
            barrier.wait(timeout=10)
            results["import"] = statements_import(parsed=parsed(file), source_label="race.jsonl", update=True)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit), threading.Thread(target=load)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_an_editor_racing_an_update_import_never_loses_a_change_nor_deadlocks(staff_user):
    """Both orders, many times: of the editor's save (based on the version it read) and the
    import (based on the version it planned from), each succeeds only on top of what it read."""
    import_file(SEED_FILE)
    target = Statement.objects.get(government="US", said_on="2022-09-27")
    outcomes = {"editor first": 0, "import first": 0, "import refused": 0}
    for round_number in range(30):
        base = Statement.objects.get(pk=target.pk).version
        results = race(target, base, round_number, staff_user)
        final = Statement.objects.get(pk=target.pk)
        imported = results["import"].ok and results["import"].updated == 1
        writes = (results["editor"] == "saved") + imported
        assert final.version == base + writes, (round_number, results)  # every write counted, none lost
        if results["editor"] == "saved" and imported:
            outcomes["editor first"] += 1  # the import planned from the editor's version: it saw it
            assert final.context.startswith("context from the file")
        elif results["editor"] == "saved":
            outcomes["import refused"] += 1
            assert "after this import read it" in results["import"].errors[0]
            assert final.context == f"the editor's context, round {round_number}"
        else:
            outcomes["import first"] += 1  # the editor was refused (stale, or told to try again)
            assert results["editor"] in ("StaleEdit", "Busy") and final.context.startswith("context from the file")
    print(f"\nrace outcomes over 30 rounds: {outcomes}")
    assert sum(outcomes.values()) == 30  # which orders ran is up to the scheduler; each is tested alone below


@pytest.mark.django_db(transaction=True)
def test_an_editor_saving_after_an_import_read_before_it_is_refused_as_stale(staff_user):
    """The import first, in full: the editor's save based on the version read before it is refused."""
    import_file(SEED_FILE)
    target = Statement.objects.get(government="US", said_on="2022-09-27")
    opened = Statement.objects.get(pk=target.pk)  # the editor opens the form

    report = statements_import(parsed=parsed(changed([SEED_LINES[2]], stance="neutral")), source_label="f", update=True)
    assert report.ok and report.updated == 1
    opened.context = "the editor's context"
    with pytest.raises(services.StaleEdit):
        services.statement_save(statement=opened, user=staff_user, expected_version=target.version)

    final = Statement.objects.get(pk=target.pk)
    assert (final.version, final.stance) == (target.version + 1, "neutral") and final.context != opened.context


@pytest.mark.django_db(transaction=True)
def test_an_import_after_an_editors_save_builds_on_it(staff_user):
    """The editor first, in full: the import plans from the editor's version and updates on top."""
    import_file(SEED_FILE)
    target = Statement.objects.get(government="US", said_on="2022-09-27")
    base = target.version
    target.context = "the editor's context"
    services.statement_save(statement=target, user=staff_user, expected_version=base)

    report = statements_import(
        parsed=parsed(changed([SEED_LINES[2]], context="context from the file")), source_label="f", update=True
    )

    final = Statement.objects.get(pk=target.pk)
    assert report.ok and report.updated == 1
    assert (final.version, final.context) == (base + 2, "context from the file")


def generated_lines(count: int) -> str:
    """`count` interchange lines of made-up remarks by 500 speakers for the seeds' governments."""
    template = json.loads(SEED_LINES[0])
    codes = sorted({json.loads(line)["government"] for line in SEED_LINES})
    lines = []
    for number in range(count):
        record = dict(
            template,
            speaker={"name": f"Generated speaker {number % 500}", "kind": "person"},
            government=codes[number % len(codes)],
            quote=f"Generated remark number {number} on admitting people who flee.",
            stance=("welcoming", "conditional", "restrictive", "neutral")[number % 4],
            said_on=f"2023-{1 + number % 12:02d}-{1 + number % 28:02d}",
        )
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + "\n"


@pytest.mark.django_db(transaction=True)
def test_editors_save_other_statements_while_a_long_import_runs(admin_app, staff_user, tmp_path):
    """A 20,000-line import in another process; meanwhile editors' saves through the admin's
    forms succeed (a 302), each waiting at most EDITOR_LOCK_TIMEOUT_MS for any lock."""
    from tests.statements.admin_pages import change_form, fill

    import_file(SEED_FILE)
    big = tmp_path / "big.jsonl"
    big.write_text(generated_lines(20_000), encoding="utf-8")
    context_edit = Statement.objects.get(government="US", said_on="2022-09-27")
    recoded = Statement.objects.get(government="DE", said_on="2022-09-22", speaker__name="Nancy Faeser")
    app = admin_app(staff_user)
    run = manage("import_statements", str(big))

    def writing() -> int:  # the import is writing (it holds its lock and a transaction)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state <> 'idle' AND query ILIKE 'INSERT INTO \"statements_statement\"%%'"
            )
            return cursor.fetchone()[0]

    eventually(writing, timeout=30, what="the import to write")
    timings = []
    edits = [(context_edit, {"context": "edited during the import"}), (recoded, {"stance": "neutral"})]
    for number, (statement, values) in enumerate(edits * 3):
        form = change_form(app, statement)  # opened during the import, saved during it
        if "stance" in values:
            values = {"stance": ("neutral", "restrictive")[number % 2], "correction_note": "Recoded."}
        started = time.perf_counter()
        response = fill(form, **values).submit("_save")
        timings.append(round(time.perf_counter() - started, 3))
        assert response.status_code == 302, (number, response.html.select_one("#error-summary"))
    still_running = run.poll() is None
    out, err = run.communicate(timeout=300)

    assert run.returncode == 0, err
    assert "20000 lines: 20000 created" in out
    assert still_running, "the import ended before the saves: the test proved nothing"
    print(f"\nadmin saves during a 20,000-line import took {timings} s")
    assert Statement.objects.get(pk=recoded.pk).stance == "restrictive"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("held", ["the statement", "its topic and government"])
def test_an_editor_kept_waiting_is_told_to_try_again_and_keeps_the_input(admin_app, staff_user, settings, held):
    from tests.statements.admin_pages import change_form, fill

    settings.EDITOR_LOCK_TIMEOUT_MS = 300
    statement = StatementFactory(stance="neutral")
    other = psycopg.connect(database_url(connection.settings_dict["NAME"]))  # an import, say, mid-way
    if held == "the statement":
        other.execute("SELECT 1 FROM statements_statement WHERE id = %s FOR UPDATE", [statement.pk])
    else:
        key = f"statements.position_steps:{statement.topic_id}:{statement.government_id}"
        other.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
    form = fill(change_form(admin_app(staff_user), statement), stance="restrictive", correction_note="Recoded.")
    try:
        refused = form.submit("_save")
    finally:
        other.close()

    assert refused.status_code == 200
    assert "An import or another editor is writing this statement right now" in refused.text
    assert "Try again in a moment." in refused.text
    assert refused.forms["statement_form"]["correction_note"].value == "Recoded."  # kept
    assert Statement.objects.get(pk=statement.pk).stance == "neutral"
    # Once the other writer is done, the same form saves.
    assert refused.forms["statement_form"].submit("_save").status_code == 302
    assert Statement.objects.get(pk=statement.pk).stance == "restrictive"
