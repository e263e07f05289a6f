"""The admin: editors can add and change statements with sources; history records who did it."""

import pytest

from statements.models import Statement
from tests.factories import GovernmentFactory, SpeakerFactory, StatementFactory, TopicFactory
from tests.statements.admin_pages import ADD, change_form, fill


@pytest.fixture
def editor(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/statements/statement/",
        "/admin/statements/statement/?status__exact=published&stance__exact=restrictive&q=visa",
        "/admin/statements/statement/?said_on__year=2022&said_on__month=9",
        ADD,
        "/admin/statements/speaker/",
        "/admin/statements/government/",
        "/admin/statements/topic/",
    ],
)
def test_admin_pages_render(seeded, editor, path):
    assert editor.get(path).status_code == 200


def test_autocomplete_finds_speakers(seeded, editor):
    response = editor.get(
        "/admin/autocomplete/",
        {"term": "jean", "app_label": "statements", "model_name": "statement", "field_name": "speaker"},
    )

    assert [r["text"] for r in response.json()["results"]] == ["Karine Jean-Pierre"]


def add_form(app, refs, **values):
    """The add form as rendered, filled in; the autocomplete widgets get the ids they would set."""
    form = app.get(ADD).forms["statement_form"]
    for name, ref in zip(("speaker", "government", "topic"), refs, strict=True):
        form[name].force_value(ref.pk)
    values = {
        "role": "Federal Chancellor",
        "organization": "Federal Government of Germany",
        "said_on": "2022-09-22",
        "quote": "Deserters can obtain protection in Germany.",
        "stance": "welcoming",
        "context": "Interview.",
        "sources-0-url": "https://example.org/scholz",
        "sources-0-publisher": "Example",
    } | values
    return fill(form, **values)


def test_add_statement_with_a_source(db, admin_app, staff_user):
    refs = SpeakerFactory(), GovernmentFactory(code="DE"), TopicFactory()

    response = add_form(admin_app(staff_user), refs).submit("_save")

    assert response.status_code == 302
    statement = Statement.objects.get()
    assert (statement.status, statement.sources.get().url) == ("draft", "https://example.org/scholz")
    assert statement.history.get().history_user == staff_user


def test_add_statement_without_a_source_is_refused(db, admin_app, staff_user):
    refs = SpeakerFactory(), GovernmentFactory(code="DE"), TopicFactory()

    response = add_form(admin_app(staff_user), refs, **{"sources-0-url": "", "sources-0-publisher": ""}).submit("_save")

    assert response.status_code == 200
    assert "This field is required." in response.html.select_one("#error-summary").text
    assert Statement.objects.count() == 0


def test_change_statement_records_the_editor(db, admin_app, staff_user):
    statement = StatementFactory()
    app = admin_app(staff_user)

    response = fill(
        change_form(app, statement), stance="neutral", correction_note="Recoded: the minister takes no position."
    ).submit("_save")

    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.stance == "neutral"
    latest = statement.history.first()
    assert (latest.history_type, latest.history_user) == ("~", staff_user)
    assert statement.corrections.get().note == "Recoded: the minister takes no position."
    assert app.get(f"/admin/statements/statement/{statement.pk}/history/").status_code == 200


def test_month_precision_not_on_the_first_is_a_form_error(db, admin_app, staff_user):
    refs = SpeakerFactory(), GovernmentFactory(code="CH"), TopicFactory()

    response = add_form(admin_app(staff_user), refs, date_precision="month", said_on="2022-11-20").submit("_save")

    assert response.status_code == 200
    assert "A month-precision date must be the 1st of the month." in response.text


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/admin/statements/statement/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_import_is_recorded_in_history(seeded):
    statement = Statement.objects.first()

    record = statement.history.get()
    assert record.history_change_reason == "import: statements-2022.jsonl"
    assert record.history_type == "+"
