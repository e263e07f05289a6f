"""Every write path leaves a history row naming the acting user, or the import it came from."""

import pytest
from django.core.management import call_command

from statements import services
from statements.models import Statement
from tests.conftest import SEED_FILE
from tests.factories import StatementFactory
from tests.statements.test_admin import form_data
from tests.statements.test_admin_editorial import CHANGELIST, change_data, change_url


def latest(statement_id: int):
    return Statement.history.filter(id=statement_id).order_by("-history_date", "-history_id").first()


@pytest.fixture
def editor_client(client, staff_user):
    client.force_login(staff_user)
    return client


def admin_add(client, user):
    statement = StatementFactory.build()
    refs = StatementFactory()  # for a speaker, government and topic that exist
    client.post(
        "/admin/statements/statement/add/", form_data(refs.speaker, refs.government, refs.topic, quote="Added.")
    )
    del statement
    return Statement.objects.get(quote="Added.").pk, "+"


def admin_change(client, user):
    statement = StatementFactory(status="draft")
    client.post(change_url(statement), change_data(statement, context="changed"))
    return statement.pk, "~"


def admin_list_edit(client, user):
    statement = StatementFactory(status="draft", stance="neutral")
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "_save": "Save"}
    data |= {"form-0-id": statement.pk, "form-0-stance": "welcoming", "form-0-opened_version": 1}
    client.post(CHANGELIST, data)
    return statement.pk, "~"


def admin_delete(client, user):
    statement = StatementFactory(status="draft")
    client.post(f"/admin/statements/statement/{statement.pk}/delete/", {"post": "yes"})
    return statement.pk, "-"


def admin_publish(client, user):
    statement = StatementFactory(status="draft")
    client.post(CHANGELIST, {"action": "publish", "_selected_action": [statement.pk]})
    return statement.pk, "~"


def admin_retract(client, user):
    statement = StatementFactory()
    client.post(CHANGELIST, {"action": "retract", "_selected_action": [statement.pk], "post": "yes", "reason": "r"})
    return statement.pk, "~"


def admin_reinstate(client, user):
    statement = StatementFactory(status="retracted")
    client.post(CHANGELIST, {"action": "reinstate", "_selected_action": [statement.pk], "post": "yes", "reason": "r"})
    return statement.pk, "~"


def shell_save(client, user):
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


def shell_update(client, user):
    statement = StatementFactory(status="draft")
    statement.context = "shell edit"
    services.statement_save(statement=statement, user=user, expected_version=1)
    return statement.pk, "~"


def shell_publish(client, user):
    statement = StatementFactory(status="draft")
    services.statement_publish(statement_id=statement.pk, user=user)
    return statement.pk, "~"


def shell_retract(client, user):
    statement = StatementFactory()
    services.statement_retract(statement_id=statement.pk, user=user, reason="r")
    return statement.pk, "~"


def shell_reinstate(client, user):
    statement = StatementFactory(status="retracted")
    services.statement_reinstate(statement_id=statement.pk, user=user, reason="r")
    return statement.pk, "~"


def shell_delete(client, user):
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
def test_write_path_is_recorded_with_the_user(db, editor_client, staff_user, write):
    statement_id, history_type = write(editor_client, staff_user)

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
