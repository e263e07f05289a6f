"""Every write path leaves a history row naming the acting user, or the import it came from."""

import pytest
from django.core.management import call_command

from statements import services
from statements.models import Statement
from tests.conftest import SEED_FILE
from tests.factories import StatementFactory
from tests.statements.admin_pages import CHANGELIST, change_form, change_url, fill, run_action
from tests.statements.test_admin import add_form


def latest(statement_id: int):
    return Statement.history.filter(id=statement_id).order_by("-history_date", "-history_id").first()


def admin_add(app):
    refs = StatementFactory()  # for a speaker, government and topic that exist
    add_form(app, (refs.speaker, refs.government, refs.topic), quote="Added.").submit("_save")
    return Statement.objects.get(quote="Added.").pk, "+"


def admin_change(app):
    statement = StatementFactory(status="draft")
    fill(change_form(app, statement), context="changed").submit("_save")
    return statement.pk, "~"


def admin_list_edit(app):
    statement = StatementFactory(status="draft", stance="neutral")
    fill(app.get(CHANGELIST).forms["changelist-form"], **{"form-0-stance": "welcoming"}).submit("_save")
    return statement.pk, "~"


def admin_delete(app):
    statement = StatementFactory(status="draft")
    app.get(f"/admin/statements/statement/{statement.pk}/delete/").forms[1].submit()
    return statement.pk, "-"


def admin_publish(app):
    statement = StatementFactory(status="draft")
    run_action(app, "publish", [statement.pk])
    return statement.pk, "~"


def admin_retract(app):
    statement = StatementFactory()
    run_action(app, "retract", [statement.pk], reason="r")
    return statement.pk, "~"


def admin_reinstate(app):
    statement = StatementFactory(status="retracted")
    run_action(app, "reinstate", [statement.pk], url=change_url(statement), reason="r")
    return statement.pk, "~"


def shell_save(user):
    refs = StatementFactory()
    statement = Statement(
        speaker=refs.speaker,
        government=refs.government,
        topic=refs.topic,
        role="Minister",
        organization="Ministry",
        said_on=refs.said_on,
        quote="From the shell.",
        stance="neutral",
    )
    services.statement_save(statement=statement, user=user)
    return statement.pk, "+"


def shell_update(user):
    statement = StatementFactory(status="draft")
    statement.context = "shell edit"
    services.statement_save(statement=statement, user=user, expected_version=1)
    return statement.pk, "~"


def shell_publish(user):
    statement = StatementFactory(status="draft")
    services.statement_publish(statement_id=statement.pk, user=user)
    return statement.pk, "~"


def shell_retract(user):
    statement = StatementFactory()
    services.statement_retract(statement_id=statement.pk, user=user, reason="r")
    return statement.pk, "~"


def shell_reinstate(user):
    statement = StatementFactory(status="retracted")
    services.statement_reinstate(statement_id=statement.pk, user=user, reason="r")
    return statement.pk, "~"


def shell_delete(user):
    statement = StatementFactory(status="draft")
    services.statement_delete(statement_id=statement.pk, user=user)
    return statement.pk, "-"


WRITE_PATHS = [
    admin_add,
    admin_change,
    admin_list_edit,
    admin_delete,
    admin_publish,
    admin_retract,
    admin_reinstate,
    shell_save,
    shell_update,
    shell_publish,
    shell_retract,
    shell_reinstate,
    shell_delete,
]


@pytest.mark.parametrize("write", WRITE_PATHS, ids=lambda f: f.__name__)
def test_write_path_is_recorded_with_the_user(db, admin_app, staff_user, write):
    statement_id, history_type = (
        write(staff_user) if write.__name__.startswith("shell") else write(admin_app(staff_user))
    )

    record = latest(statement_id)
    assert record is not None
    assert (record.history_type, record.history_user) == (history_type, staff_user)


@pytest.mark.parametrize("update", [False, True], ids=["import-create", "import-update"])
def test_imports_are_recorded_with_their_file(db, tmp_path, update):
    call_command("import_statements", str(SEED_FILE))
    if update:
        lines = SEED_FILE.read_text(encoding="utf-8").splitlines()
        changed = lines[0].replace('"stance": "neutral"', '"stance": "conditional"')
        path = tmp_path / "fix.jsonl"
        path.write_text(changed + "\n", encoding="utf-8")
        call_command("import_statements", str(path), "--update")
    statement = Statement.objects.order_by("id").first()

    record = latest(statement.pk)
    assert record.history_change_reason == ("import: fix.jsonl" if update else "import: statements-2022.jsonl")
    assert record.history_type == ("~" if update else "+")
    if update:  # a published statement's stance changed: that is a public correction
        assert statement.corrections.get().note == "Corrected from the source data (import: fix.jsonl)."
