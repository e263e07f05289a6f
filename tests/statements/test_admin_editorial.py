"""The admin's editorial rules: no lost edits, corrections with notes, workflow actions, duplicates."""

import html
import threading

import pytest
from django.db import connections
from django.test import Client

from statements.models import Correction, Statement
from tests.factories import StatementFactory
from tests.statements.test_admin import form_data

CHANGELIST = "/admin/statements/statement/"


def change_url(statement) -> str:
    return f"/admin/statements/statement/{statement.pk}/change/"


def change_data(statement, **overrides) -> dict:
    source = statement.sources.get()
    data = form_data(
        statement.speaker,
        statement.government,
        statement.topic,
        quote=statement.quote,
        said_on=statement.said_on.isoformat(),
        stance=statement.stance,
        opened_version=statement.version,
        **{
            "sources-INITIAL_FORMS": "1",
            "sources-0-id": source.pk,
            "sources-0-statement": statement.pk,
            "sources-0-url": source.url,
            "sources-0-publisher": source.publisher,
        },
    )
    data.pop("status")
    data.update(overrides)
    return data


@pytest.fixture
def two_editors(django_user_model):
    editors = []
    for name in ("alice", "bob"):
        user = django_user_model.objects.create_superuser(name, f"{name}@example.org", "a-long-test-password")
        client = Client()
        client.force_login(user)
        editors.append(client)
    return editors


@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_at_once_exactly_one_wins(two_editors):
    statement = StatementFactory(context="original")
    start = threading.Barrier(2)
    responses = {}

    def save(name: str, client: Client) -> None:
        try:
            start.wait(timeout=10)
            responses[name] = client.post(change_url(statement), change_data(statement, context=f"{name}'s context"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n, c)) for n, c in zip(("alice", "bob"), two_editors, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted((response.status_code, name) for name, response in responses.items())
    assert [code for code, _name in statuses] == [200, 302]
    loser, winner = statuses[0][1], statuses[1][1]
    page = html.unescape(responses[loser].content.decode())
    assert f"This statement was changed by {winner} at " in page
    assert f"{loser}'s context" in page  # the loser's input is still on the form
    statement.refresh_from_db()
    assert (statement.context, statement.version) == (f"{winner}'s context", 2)


def test_a_stale_form_is_refused_and_keeps_the_input(db, two_editors):
    alice, bob = two_editors
    statement = StatementFactory(status="draft")
    opened = change_data(statement)
    assert alice.post(change_url(statement), opened | {"context": "Alice's fix"}).status_code == 302

    response = bob.post(change_url(statement), opened | {"context": "Bob's long careful rewrite"})

    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "This statement was changed by alice at " in page and "Bob's long careful rewrite" in page
    assert Statement.objects.get().context == "Alice's fix"


def test_correcting_a_published_quote_needs_a_note_and_is_public(db, two_editors, client):
    alice, _bob = two_editors
    statement = StatementFactory(quote="We welcome all people seeking asylum")
    new_quote = "we welcome any folks who are seeking asylum — and they should do that"

    refused = alice.post(change_url(statement), change_data(statement, quote=new_quote))
    assert refused.status_code == 200
    assert "changing its quote needs a correction note" in html.unescape(refused.content.decode())

    note = "The quote now follows the official transcript, not a wire copy."
    accepted = alice.post(change_url(statement), change_data(statement, quote=new_quote, correction_note=note))
    assert accepted.status_code == 302

    detail = client.get(f"/api/v1/statements/{statement.pk}/").json()
    assert detail["quote"] == new_quote
    assert [(c["kind"], c["note"], c["fields"]) for c in detail["corrections"]] == [("correction", note, ["quote"])]
    assert note in client.get(f"/statements/{statement.pk}/").content.decode()


def test_list_edits_are_versioned_too(db, two_editors):
    alice, bob = two_editors
    draft = StatementFactory(status="draft", stance="neutral")
    published = StatementFactory(stance="neutral")

    def list_post(rows) -> dict:
        data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows)), "_save": "Save"}
        for index, (statement, stance, version) in enumerate(rows):
            data |= {f"form-{index}-id": statement.pk, f"form-{index}-stance": stance}
            data[f"form-{index}-opened_version"] = version
        return data

    page = alice.get(CHANGELIST).content.decode()
    for index in (0, 1):  # every editable row carries the version it was rendered from
        assert f'<input type="hidden" name="form-{index}-opened_version" value="1"' in page

    assert alice.post(CHANGELIST, list_post([(draft, "restrictive", 1)])).status_code == 302
    stale = bob.post(CHANGELIST, list_post([(draft, "welcoming", 1)]))
    assert stale.status_code == 200 and "changed by alice" in html.unescape(stale.content.decode())
    needs_note = alice.post(CHANGELIST, list_post([(published, "welcoming", 1)]))
    assert "correct its stance from its own page, with a note" in html.unescape(needs_note.content.decode())
    assert Statement.objects.get(pk=draft.pk).stance == "restrictive"
    assert Statement.objects.get(pk=published.pk).stance == "neutral"


def test_publish_action_in_bulk_and_the_history_names_the_editor(db, two_editors, staff_user):
    alice, _bob = two_editors
    drafts = [StatementFactory(status="draft") for _ in range(3)]
    already = StatementFactory()

    response = alice.post(
        CHANGELIST, {"action": "publish", "_selected_action": [s.pk for s in [*drafts, already]]}, follow=True
    )

    page = html.unescape(response.content.decode())
    assert "3 statement(s) published." in page
    assert f"Statement {already.pk} is published" in page  # the refusal names who last changed it
    assert Statement.objects.filter(status="published").count() == 4
    assert all(
        s.history.first().history_user.username == "alice"
        for s in Statement.objects.filter(pk__in=[d.pk for d in drafts])
    )


def test_retract_action_asks_for_a_reason(db, two_editors, client):
    alice, _bob = two_editors
    statement = StatementFactory()

    form = alice.post(CHANGELIST, {"action": "retract", "_selected_action": [statement.pk]})
    assert form.status_code == 200 and "The reason is published" in form.content.decode()
    done = alice.post(
        CHANGELIST,
        {"action": "retract", "_selected_action": [statement.pk], "post": "yes", "reason": "The source withdrew it."},
        follow=True,
    )

    assert "1 statement(s) retracted." in done.content.decode()
    assert Statement.objects.get().status == "retracted"
    gone = client.get(f"/statements/{statement.pk}/")
    assert gone.status_code == 410 and "The source withdrew it." in gone.content.decode()
    assert statement.quote not in gone.content.decode()


def test_actions_are_offered_on_the_statement_page(db, two_editors):
    alice, _bob = two_editors
    draft = StatementFactory(status="draft")

    page = alice.get(change_url(draft)).content.decode()
    assert 'value="publish"' in page and 'value="retract"' in page
    response = alice.post(
        change_url(draft), {"CHANGE_FORM-action": "publish", "_selected_action": [draft.pk]}, follow=True
    )
    assert response.status_code == 200
    assert Statement.objects.get().status == "published"


def test_published_statements_cannot_be_deleted(db, two_editors):
    alice, _bob = two_editors
    published, draft = StatementFactory(), StatementFactory(status="draft")

    assert alice.get(f"/admin/statements/statement/{published.pk}/delete/").status_code == 403
    assert alice.post(f"/admin/statements/statement/{draft.pk}/delete/", {"post": "yes"}).status_code == 302
    assert list(Statement.objects.values_list("pk", flat=True)) == [published.pk]


def test_near_duplicate_needs_confirmation(db, two_editors):
    alice, _bob = two_editors
    existing = StatementFactory(quote="We welcome any folks who are seeking asylum and they should do that.")
    add = form_data(
        existing.speaker,
        existing.government,
        existing.topic,
        said_on=existing.said_on.isoformat(),
        quote="we welcome any folks who are seeking asylum, and they should do that",
    )

    warned = alice.post("/admin/statements/statement/add/", add)
    page = html.unescape(warned.content.decode())
    assert warned.status_code == 200
    assert "very similar quote on the same day" in page
    assert f'href="/admin/statements/statement/{existing.pk}/change/"' in page
    assert alice.post("/admin/statements/statement/add/", add | {"confirm_not_duplicate": "on"}).status_code == 302
    assert Statement.objects.count() == 2
    other_day = add | {"said_on": "2022-09-30", "quote": "Something else entirely."}
    assert alice.post("/admin/statements/statement/add/", other_day).status_code == 302
    assert Correction.objects.count() == 0
