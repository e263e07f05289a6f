"""The admin: editors can add and change statements with sources; history records who did it."""

import pytest

from statements.models import Statement
from tests.factories import GovernmentFactory, SpeakerFactory, StatementFactory, TopicFactory

ADD = "/admin/statements/statement/add/"


@pytest.fixture
def editor(client, staff_user):
    client.force_login(staff_user)
    return client


def form_data(speaker, government, topic, **overrides) -> dict:
    data = {
        "speaker": speaker.pk,
        "role": "Federal Chancellor",
        "organization": "Federal Government of Germany",
        "government": government.pk,
        "topic": topic.pk,
        "said_on": "2022-09-22",
        "date_precision": "day",
        "published_on": "",
        "quote": "Deserters can obtain protection in Germany.",
        "language": "en",
        "stance": "welcoming",
        "context": "Interview.",
        "status": "draft",
        "sources-TOTAL_FORMS": "1",
        "sources-INITIAL_FORMS": "0",
        "sources-MIN_NUM_FORMS": "1",
        "sources-MAX_NUM_FORMS": "1000",
        "sources-0-position": "0",
        "sources-0-url": "https://example.org/scholz",
        "sources-0-publisher": "Example",
        "sources-0-archived_url": "",
        "sources-0-accessed_on": "",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


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


def test_add_statement_with_a_source(db, editor, staff_user):
    refs = SpeakerFactory(), GovernmentFactory(code="DE"), TopicFactory()

    response = editor.post(ADD, form_data(*refs))

    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    statement = Statement.objects.get()
    assert statement.sources.get().url == "https://example.org/scholz"
    assert statement.history.get().history_user == staff_user


def test_add_statement_without_a_source_is_refused(db, editor):
    refs = SpeakerFactory(), GovernmentFactory(code="DE"), TopicFactory()

    response = editor.post(ADD, form_data(*refs, **{"sources-TOTAL_FORMS": "0"}))

    assert response.status_code == 200
    assert "Please submit at least 1 form." in response.content.decode()
    assert Statement.objects.count() == 0


def test_change_statement_records_the_editor(db, editor, staff_user):
    statement = StatementFactory()
    source = statement.sources.get()
    data = form_data(
        statement.speaker,
        statement.government,
        statement.topic,
        stance="neutral",
        opened_version=statement.version,
        correction_note="Recoded: the minister takes no position.",
        **{
            "sources-INITIAL_FORMS": "1",
            "sources-0-id": source.pk,
            "sources-0-statement": statement.pk,
            "sources-0-url": source.url,
            "sources-0-publisher": source.publisher,
        },
    )

    response = editor.post(f"/admin/statements/statement/{statement.pk}/change/", data)

    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.stance == "neutral"
    latest = statement.history.first()
    assert (latest.history_type, latest.history_user) == ("~", staff_user)
    assert statement.corrections.get().note == "Recoded: the minister takes no position."
    assert editor.get(f"/admin/statements/statement/{statement.pk}/history/").status_code == 200


def test_month_precision_not_on_the_first_is_a_form_error(db, editor):
    refs = SpeakerFactory(), GovernmentFactory(code="CH"), TopicFactory()

    response = editor.post(ADD, form_data(*refs, date_precision="month", said_on="2022-11-20"))

    assert response.status_code == 200
    assert "A month-precision date must be the 1st of the month." in response.content.decode()


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/admin/statements/statement/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_import_is_recorded_in_history(seeded):
    statement = Statement.objects.first()

    record = statement.history.get()
    assert record.history_change_reason == "import: statements-2022.jsonl"
    assert record.history_type == "+"
