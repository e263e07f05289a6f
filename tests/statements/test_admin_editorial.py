"""The admin's editorial rules through its real forms (WebTest fills them from the rendered HTML):
no lost edits, corrections with notes, the workflow, duplicates, the error summary, history."""

import html
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.test import Client

from statements import services
from statements.models import Correction, Statement
from tests.factories import SourceFactory, StatementFactory
from tests.statements.admin_pages import ADD, CHANGELIST, change_form, change_url, fill, run_action


@pytest.fixture
def editors(admin_app, django_user_model):
    """Alice and Bob, each with a WebTest app of their own (own cookies, like two browsers)."""
    return [
        admin_app(django_user_model.objects.create_superuser(name, f"{name}@example.org", "a-long-test-password"))
        for name in ("alice", "bob")
    ]


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_at_once_exactly_one_wins(editors):
    statement = StatementFactory(context="original")
    # Both open the form; what each would submit is exactly what the rendered form holds.
    submissions = {}
    for app in editors:
        form = fill(change_form(app, statement), context=f"{app.user.username}'s context")
        submissions[app.user.username] = (app.user, form.submit_fields("_save"))
    start = threading.Barrier(2)
    responses = {}

    def save(name: str) -> None:
        user, fields = submissions[name]
        client = Client()
        client.force_login(user)
        data = {}
        for key, value in fields:
            data.setdefault(key, []).append(value)
        try:
            start.wait(timeout=10)
            responses[name] = client.post(change_url(statement), data)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(name,)) for name in submissions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted((response.status_code, name) for name, response in responses.items())
    assert [code for code, _name in statuses] == [200, 302]
    loser, winner = statuses[0][1], statuses[1][1]
    page = text(responses[loser])
    assert f"This statement was changed by {winner} at " in page
    assert f"{loser}'s context" in page  # the loser's input is still on the form
    statement.refresh_from_db()
    assert (statement.context, statement.version) == (f"{winner}'s context", 2)


def test_a_stale_form_is_refused_keeps_the_input_and_names_what_changed(editors):
    alice, bob = editors
    statement = StatementFactory(status="draft")
    alices, bobs = change_form(alice, statement), change_form(bob, statement)
    assert fill(alices, context="Alice's fix").submit("_save").status_code == 302

    refused = fill(bobs, context="Bob's long careful rewrite").submit("_save")

    page = text(refused)
    assert refused.status_code == 200
    assert "This statement was changed by alice at " in page and "Bob's long careful rewrite" in page
    assert "They changed: context." in page
    assert Statement.objects.get().context == "Alice's fix"
    # Saving again as it stands is refused again: nothing is overwritten by accident ...
    again = refused.forms["statement_form"].submit("_save")
    assert again.status_code == 200 and "changed by alice" in text(again)
    # ... until Bob says he wants his version over Alice's, after seeing the refusal.
    form = again.forms["statement_form"]
    form["overwrite"] = True
    assert form.submit("_save").status_code == 302
    statement.refresh_from_db()
    assert (statement.context, statement.version) == ("Bob's long careful rewrite", 3)


def test_overwriting_names_the_version_seen_so_a_third_change_is_refused_again(editors):
    alice, bob = editors
    statement = StatementFactory(status="draft")
    bobs = change_form(bob, statement)
    fill(change_form(alice, statement), context="one").submit("_save")
    refused = fill(bobs, context="Bob's").submit("_save")
    fill(change_form(alice, statement), context="two").submit("_save")  # after Bob was shown "one"

    form = refused.forms["statement_form"]
    form["overwrite"] = True
    again = form.submit("_save")

    assert again.status_code == 200 and "changed by alice" in text(again)
    assert Statement.objects.get().context == "two"


def test_sources_edited_inline_are_versioned_with_their_statement(editors):
    alice, bob = editors
    statement = StatementFactory(status="draft")
    alices, bobs = change_form(alice, statement), change_form(bob, statement)
    assert fill(alices, **{"sources-0-publisher": "Alice's publisher"}).submit("_save").status_code == 302

    refused = fill(bobs, **{"sources-0-url": "https://example.org/bobs-better-link"}).submit("_save")

    assert refused.status_code == 200 and "changed by alice" in text(refused)
    assert "https://example.org/bobs-better-link" in text(refused)
    source = statement.sources.get()
    assert (source.publisher, source.url.startswith("https://example.org/news/")) == ("Alice's publisher", True)


def test_correcting_a_published_quote_needs_a_note_and_is_public(editors, client):
    alice, _bob = editors
    statement = StatementFactory(quote="We welcome all people seeking asylum")
    new_quote = "we welcome any folks who are seeking asylum — and they should do that"

    refused = fill(change_form(alice, statement), quote=new_quote).submit("_save")
    assert refused.status_code == 200
    assert "changing its quote needs a correction note" in text(refused)

    note = "The quote now follows the official transcript, not a wire copy."
    accepted = fill(refused.forms["statement_form"], correction_note=note).submit("_save")
    assert accepted.status_code == 302

    detail = client.get(f"/api/v1/statements/{statement.pk}/").json()
    assert detail["quote"] == new_quote
    assert [(c["kind"], c["note"], c["fields"]) for c in detail["corrections"]] == [("correction", note, ["quote"])]
    assert note in client.get(f"/statements/{statement.pk}/").content.decode()


def test_a_long_correction_note_is_saved_and_the_limit_is_on_the_form(editors):
    alice, _bob = editors
    statement = StatementFactory(stance="neutral")
    note = ("Recoded after checking the full transcript of the briefing. " * 40)[:2000].strip()

    form = change_form(alice, statement)
    assert "Up to 5,000 characters." in form.html.text
    assert fill(form, stance="restrictive", correction_note=note).submit("_save").status_code == 302

    assert Correction.objects.get().note == note
    assert statement.history.first().history_change_reason == f"correction: {note}"


def test_list_edits_are_versioned_too(editors):
    alice, bob = editors
    draft = StatementFactory(status="draft", stance="neutral")
    published = StatementFactory(stance="neutral")
    alices_list = alice.get(CHANGELIST).forms["changelist-form"]
    bobs_list = bob.get(CHANGELIST).forms["changelist-form"]
    row = {s.pk: index for index, s in enumerate(Statement.objects.order_by("-said_on", "-id"))}

    assert fill(alices_list, **{f"form-{row[draft.pk]}-stance": "restrictive"}).submit("_save").status_code == 302
    stale = fill(bobs_list, **{f"form-{row[draft.pk]}-stance": "welcoming"}).submit("_save")
    assert stale.status_code == 200 and "changed by alice" in text(stale)

    needs_note = fill(
        alice.get(CHANGELIST).forms["changelist-form"],
        **{f"form-{row[published.pk]}-stance": "welcoming"},
    ).submit("_save")
    assert "correct its stance from its own page, with a note" in text(needs_note)
    assert Statement.objects.get(pk=draft.pk).stance == "restrictive"
    assert Statement.objects.get(pk=published.pk).stance == "neutral"


def test_publish_action_in_bulk_and_the_history_names_the_editor(editors):
    alice, _bob = editors
    drafts = [StatementFactory(status="draft") for _ in range(3)]
    already = StatementFactory()

    page = text(run_action(alice, "publish", [s.pk for s in [*drafts, already]]))

    assert "3 statement(s) published." in page
    assert f"Statement {already.pk} is published" in page  # the refusal names who last changed it
    assert Statement.objects.filter(status="published").count() == 4
    assert all(
        s.history.first().history_user.username == "alice"
        for s in Statement.objects.filter(pk__in=[d.pk for d in drafts])
    )


def test_an_action_on_a_statement_changed_since_the_list_was_opened_is_refused(editors):
    alice, bob = editors
    draft = StatementFactory(status="draft", context="as reviewed")
    bobs_list = bob.get(CHANGELIST).forms["changelist-form"]
    fill(change_form(alice, draft), context="rewritten after Bob looked").submit("_save")

    bobs_list["action"] = "publish"
    for checkbox in bobs_list.fields["_selected_action"]:
        checkbox.checked = True
    page = text(bobs_list.submit("index", index=0).follow())

    assert f"Statement {draft.pk}: This statement was changed by alice at " in page
    assert Statement.objects.get().status == "draft"


def test_retract_action_asks_for_a_reason_and_carries_the_versions(editors, client):
    alice, _bob = editors
    statement = StatementFactory()

    confirm = run_action(alice, "retract", [statement.pk])
    assert confirm.status_code == 200 and "The reason is published" in confirm.text
    form = confirm.forms["reason-form"]
    assert form[f"opened_version_{statement.pk}"].value == "1"
    form["reason"] = "The source withdrew it."
    done = form.submit().follow()

    assert "1 statement(s) retracted." in done.text
    assert Statement.objects.get().status == "retracted"
    gone = client.get(f"/statements/{statement.pk}/")
    assert gone.status_code == 410 and "The source withdrew it." in gone.content.decode()
    assert statement.quote not in gone.content.decode()


def test_a_draft_cannot_be_retracted(editors):
    alice, _bob = editors
    draft = StatementFactory(status="draft")

    page = run_action(alice, "retract", [draft.pk])

    assert "it was never published, so there is nothing to retract" in page.text
    assert page.request.path == CHANGELIST and "Public reason" not in page.text  # no reason asked for
    assert Statement.objects.get().status == "draft"
    assert "retract" not in offered_steps(change_form(alice, draft))


def offered_steps(form) -> list[str]:
    """The workflow buttons below a change form (their values: the actions they post)."""
    return [button._value for button in form.fields.get("CHANGE_FORM-action", [])]


def test_actions_on_the_statement_page_offer_only_the_next_step(editors):
    alice, _bob = editors
    draft = StatementFactory(status="draft")

    assert offered_steps(change_form(alice, draft)) == ["publish"]
    response = run_action(alice, "publish", [draft.pk], url=change_url(draft))
    assert response.status_code == 200 and "1 statement(s) published." in response.text
    assert Statement.objects.get().status == "published"

    assert offered_steps(change_form(alice, draft)) == ["retract"]
    done = run_action(alice, "retract", [draft.pk], url=change_url(draft), reason="Wrong speaker.")
    assert "1 statement(s) retracted." in done.text
    assert done.request.path == change_url(draft)  # back on the statement's page
    assert Statement.objects.get().status == "retracted"


def test_publishing_needs_the_permission(admin_app, django_user_model):
    from django.contrib.auth.models import Permission

    writer = django_user_model.objects.create_user("writer", password="a-long-test-password", is_staff=True)
    writer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_statement", "change_statement", "add_statement"])
    )
    draft = StatementFactory(status="draft")

    app = admin_app(writer)

    assert "action" not in app.get(CHANGELIST).forms["changelist-form"].fields  # no workflow step to offer
    assert "CHANGE_FORM-action" not in change_form(app, draft).fields
    with pytest.raises(ValidationError, match="permission to have statements published"):
        services.statement_publish(statement_id=draft.pk, user=writer)
    assert Statement.objects.get(pk=draft.pk).status == "draft"


def test_the_add_form_offers_no_status_and_makes_a_draft(editors):
    alice, _bob = editors
    refs = StatementFactory()
    form = alice.get(ADD).forms["statement_form"]
    assert "status" not in form.fields

    form["speaker"].force_value(refs.speaker.pk)  # what the autocomplete widget sets
    form["government"].force_value(refs.government.pk)
    form["topic"].force_value(refs.topic.pk)
    fill(
        form,
        role="Minister",
        organization="Ministry",
        said_on="2022-10-01",
        quote="A new remark.",
        stance="neutral",
        **{"sources-0-url": "https://example.org/new", "sources-0-publisher": "Example"},
    )
    assert form.submit("_save").status_code == 302

    assert Statement.objects.get(quote="A new remark.").status == "draft"


def test_a_missing_source_is_named_plainly_in_a_summary_that_links_to_it(editors):
    alice, _bob = editors
    statement = StatementFactory(status="draft")

    form = change_form(alice, statement)
    form["sources-0-DELETE"] = True
    form["quote"] = ""
    refused = form.submit("_save")

    summary = refused.html.select_one("#error-summary")
    assert "Add at least one source." in summary.text and "Please submit at least 1 form" not in refused.text
    links = {a["href"]: a.text for a in summary.select("a")}
    assert links == {"#id_quote": "Quote", "#sources-group": "Sources"}
    assert refused.html.select_one("#id_quote") is not None and refused.html.select_one("#sources-group") is not None


def test_near_duplicate_needs_confirmation_once(editors):
    alice, _bob = editors
    existing = StatementFactory(
        status="draft", quote="We welcome any folks who are seeking asylum and they should do that."
    )
    other = StatementFactory(
        status="draft",
        speaker=existing.speaker,
        said_on=existing.said_on,
        quote="we welcome any folks who are seeking asylum, and they should do that",
    )

    warned = change_form(alice, other).submit("_save")
    assert warned.status_code == 200
    assert "very similar quote on the same day" in text(warned)
    assert warned.html.select_one(f'#duplicate a[href="{change_url(existing)}"]') is not None
    form = warned.forms["statement_form"]
    form["confirm_not_duplicate"] = True
    assert form.submit("_save").status_code == 302

    # Remembered, both ways: neither statement warns about the other again.
    assert fill(change_form(alice, other), context="later edit").submit("_save").status_code == 302
    assert fill(change_form(alice, existing), context="later").submit("_save").status_code == 302
    assert Correction.objects.count() == 0


def test_the_list_links_each_published_statement_to_its_page_and_api(editors):
    alice, _bob = editors
    published, draft = StatementFactory(), StatementFactory(status="draft")

    page = alice.get(CHANGELIST)

    links = {a["href"] for a in page.html.select("td.field-links a")}
    assert links == {f"/statements/{published.pk}/", f"/api/v1/statements/{published.pk}/"}
    assert change_form(alice, draft).html.select_one("a.viewsitelink") is None
    on_page = alice.get(change_url(published)).html
    assert {a["href"] for a in on_page.select("a.viewsitelink")} >= {f"/api/v1/statements/{published.pk}/"}


def test_the_history_shows_the_quote_before_and_after(editors):
    alice, _bob = editors
    statement = StatementFactory(status="draft", quote="We welcome all people seeking asylum")
    SourceFactory(statement=statement)
    fill(
        change_form(alice, statement),
        quote="we welcome any folks who are seeking asylum — and they should do that",
    ).submit("_save")

    history = alice.get(f"/admin/statements/statement/{statement.pk}/history/").html

    changes = history.select_one("#change-history").text
    assert "We welcome all people seeking asylum" in changes
    assert "we welcome any folks who are seeking asylum — and they should do that" in changes
    assert [d.text for d in history.select("#change-history del")] == ["We", "all", "people"]
    assert [i.text for i in history.select("#change-history ins")][:4] == ["we", "any", "folks", "who"]


def test_published_statements_cannot_be_deleted(editors):
    alice, _bob = editors
    published, draft = StatementFactory(), StatementFactory(status="draft")

    assert alice.get(f"/admin/statements/statement/{published.pk}/delete/", status=403)
    confirm = alice.get(f"/admin/statements/statement/{draft.pk}/delete/")
    assert confirm.forms[1].submit().status_code == 302
    assert list(Statement.objects.values_list("pk", flat=True)) == [published.pk]


def test_two_editors_on_one_topic_lose_nothing(editors):
    from statements.models import Topic

    alice, bob = editors
    topic = StatementFactory().topic
    url = f"/admin/statements/topic/{topic.pk}/change/"
    alices, bobs = alice.get(url).forms["topic_form"], bob.get(url).forms["topic_form"]
    assert fill(alices, description="Alice's description").submit("_save").status_code == 302

    refused = fill(bobs, description="Bob's description").submit("_save")

    assert refused.status_code == 200
    assert "This topic was changed by alice at " in text(refused) and "Bob's description" in text(refused)
    assert Topic.objects.get(pk=topic.pk).description == "Alice's description"


def test_changing_a_published_rendering_is_a_public_correction_with_its_history(editors, client):
    from statements.models import Translation

    alice, _bob = editors
    statement = StatementFactory(quote="Wir wollen Leben retten.", language="de")
    Translation.objects.create(statement=statement, language="en", text="We want to save live.", by="DW")
    form = change_form(alice, statement)
    assert form["translations-0-by"].value == "DW"

    nameless = fill(change_form(alice, statement), **{"translations-0-by": ""}).submit("_save")
    assert nameless.status_code == 200 and "This field is required." in text(nameless)
    refused = fill(form, **{"translations-0-text": "We want to save lives."}).submit("_save")
    assert refused.status_code == 200
    assert "changing a rendering of its quote needs a correction note" in text(refused)
    note = "The rendering now follows DW's text."
    accepted = fill(refused.forms["statement_form"], correction_note=note).submit("_save")

    assert accepted.status_code == 302
    detail = client.get(f"/api/v1/statements/{statement.pk}/").json()
    assert [t["text"] for t in detail["translations"]] == ["We want to save lives."]
    assert [(c["kind"], c["note"], c["fields"]) for c in detail["corrections"]] == [
        ("correction", note, ["translations"])
    ]
    latest = Translation.history.filter(id=detail_id(statement)).order_by("-history_date").first()
    assert (latest.history_user.username, latest.text) == ("alice", "We want to save lives.")


def detail_id(statement) -> int:
    return statement.translations.get().pk
