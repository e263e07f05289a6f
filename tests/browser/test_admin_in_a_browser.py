"""Editors in a real browser: two editors (two browser contexts) on the same statement through the
admin's own pages, the workflow the forms enforce, and a list that fits a laptop screen.

Nothing here posts hand-made data: every save is a click on the page the admin rendered.
"""

import pytest

from statements.models import Correction, Statement
from tests.browser.pages import PASSWORD, SCREENSHOTS, log_in, screenshot
from tests.conftest import SEED_FILE, import_file
from tests.factories import StatementFactory, TopicFactory

CHANGELIST = "/admin/statements/statement/"


@pytest.fixture
def two_editors(transactional_db, django_user_model, live_server, browser):
    for name in ("alice", "bob"):
        django_user_model.objects.create_superuser(name, f"{name}@example.org", PASSWORD)
    return log_in(browser, live_server.url, "alice"), log_in(browser, live_server.url, "bob")


def change_url(live_server, statement) -> str:
    return f"{live_server.url}/admin/statements/statement/{statement.pk}/change/"


def messages(page) -> str:
    return page.locator("ul.messagelist").inner_text()


def test_two_editors_on_one_change_form_lose_nothing(live_server, two_editors):
    alice, bob = two_editors
    statement = StatementFactory(context="original context")
    for page in (alice, bob):
        page.goto(change_url(live_server, statement))
    alice.fill("#id_context", "Alice's fix of the context")
    bob.fill("#id_context", "Bob's long careful rewrite of the context")
    bob.fill("#id_sources-0-publisher", "Bob's publisher")

    alice.click("input[name=_save]")
    alice.wait_for_url(f"{live_server.url}{CHANGELIST}")
    bob.click("input[name=_save]")

    summary = bob.locator("#error-summary").inner_text()
    assert "This statement was changed by alice at " in summary and "since you opened it" in summary
    assert "They changed: context." in bob.locator("#conflict").inner_text()
    assert bob.input_value("#id_context") == "Bob's long careful rewrite of the context"  # kept
    assert bob.input_value("#id_sources-0-publisher") == "Bob's publisher"
    statement.refresh_from_db()
    assert statement.context == "Alice's fix of the context"
    assert statement.sources.get().publisher == "Example News"
    screenshot(bob, "admin-stale-save-refused")

    # Bob reads the message and keeps his version deliberately.
    bob.check("#id_overwrite")
    bob.click("input[name=_save]")
    bob.wait_for_url(f"{live_server.url}{CHANGELIST}")
    statement.refresh_from_db()
    assert (statement.context, statement.sources.get().publisher) == (
        "Bob's long careful rewrite of the context",
        "Bob's publisher",
    )


def test_two_editors_on_one_list_edit_lose_nothing(live_server, two_editors):
    alice, bob = two_editors
    draft = StatementFactory(status="draft", stance="neutral")
    for page in (alice, bob):
        page.goto(f"{live_server.url}{CHANGELIST}")
    alice.select_option("select[name=form-0-stance]", "restrictive")
    bob.select_option("select[name=form-0-stance]", "welcoming")

    alice.click("#changelist-form input[name=_save]")
    alice.wait_for_selector("ul.messagelist")
    bob.click("#changelist-form input[name=_save]")

    assert "This statement was changed by alice at " in bob.locator("#result_list").inner_text()
    assert bob.input_value("select[name=form-0-stance]") == "welcoming"  # what Bob chose is still there
    assert Statement.objects.get(pk=draft.pk).stance == "restrictive"


def test_an_action_on_a_statement_changed_since_loses_nothing(live_server, two_editors):
    alice, bob = two_editors
    statement = StatementFactory(quote="We welcome all people seeking asylum")
    bob.goto(f"{live_server.url}{CHANGELIST}")  # Bob sees the statement as it was
    alice.goto(change_url(live_server, statement))
    alice.fill("#id_quote", "we welcome any folks who are seeking asylum — and they should do that")
    alice.fill("#id_correction_note", "The quote now follows the official transcript.")
    alice.click("input[name=_save]")
    alice.wait_for_url(f"{live_server.url}{CHANGELIST}")

    bob.check(f"input[name=_selected_action][value='{statement.pk}']")
    bob.select_option("#changelist-form select[name=action]", "retract")
    bob.click("#changelist-form button[name=index]")
    bob.fill("#id_reason", "Bob's reason: the quote is not the transcript's.")
    bob.click("#reason-form input[type=submit]")

    page = bob.locator("body").inner_text()
    assert f"Statement {statement.pk}: This statement was changed by alice at " in page
    assert "It now reads: we welcome any folks who are seeking asylum" in page  # what he did not see
    assert bob.input_value("#id_reason") == "Bob's reason: the quote is not the transcript's."  # kept
    statement.refresh_from_db()
    assert (statement.status, statement.quote[:24]) == ("published", "we welcome any folks who")
    screenshot(bob, "admin-stale-action-refused")

    bob.click("#reason-form input[type=submit]")  # having seen the new quote, he retracts it
    bob.wait_for_selector("ul.messagelist")
    assert "1 statement(s) retracted." in messages(bob)
    statement.refresh_from_db()
    assert statement.status == "retracted"
    assert statement.corrections.last().note == "Bob's reason: the quote is not the transcript's."


def test_the_add_form_makes_drafts_and_a_draft_cannot_be_retracted(live_server, two_editors):
    alice, _bob = two_editors
    import_file(SEED_FILE)
    alice.goto(f"{live_server.url}/admin/statements/statement/add/")
    assert alice.locator("[name=status]").count() == 0  # no way to create a published or retracted one
    for field, typed, choice in (
        ("speaker", "Jean-Pierre", "Karine Jean-Pierre"),
        ("government", "United", "United States (US)"),
        ("topic", "mobil", "obilisation"),
    ):
        alice.click(f".field-{field} .select2-selection")
        alice.fill(".select2-search__field", typed)
        alice.click(f".select2-results__option:has-text('{choice}')")
    alice.fill("#id_role", "White House Press Secretary")
    alice.fill("#id_organization", "The White House")
    alice.fill("#id_said_on", "2022-09-28")
    alice.fill("#id_quote", "A remark entered in the browser.")
    alice.check("#id_stance_3")  # neutral
    alice.fill("#id_sources-0-url", "https://example.org/briefing")
    alice.fill("#id_sources-0-publisher", "Example")
    alice.click("input[name=_save]")
    alice.wait_for_url(f"{live_server.url}{CHANGELIST}")
    draft = Statement.objects.get(quote="A remark entered in the browser.")
    assert (draft.status, draft.speaker.name) == ("draft", "Karine Jean-Pierre")

    alice.check(f"input[name=_selected_action][value='{draft.pk}']")
    alice.select_option("#changelist-form select[name=action]", "retract")
    alice.click("#changelist-form button[name=index]")

    assert "it was never published, so there is nothing to retract" in messages(alice)
    assert alice.locator("#id_reason").count() == 0
    assert Statement.objects.get(pk=draft.pk).status == "draft"


def test_long_notes_and_reasons_are_saved(live_server, two_editors):
    alice, _bob = two_editors
    statement = StatementFactory(stance="neutral")
    note = ("Recoded after reading the whole briefing transcript again, line by line. " * 30)[:2000]
    reason = ("The ministry withdrew the transcript and published a corrected one instead. " * 30)[:2000]
    alice.goto(change_url(live_server, statement))
    assert "Up to 5,000 characters." in alice.locator(".field-correction_note").inner_text()

    alice.check("#id_stance_2")  # restrictive
    alice.fill("#id_correction_note", note)
    alice.click("input[name=_save]")
    alice.wait_for_url(f"{live_server.url}{CHANGELIST}")
    alice.check(f"input[name=_selected_action][value='{statement.pk}']")
    alice.select_option("#changelist-form select[name=action]", "retract")
    alice.click("#changelist-form button[name=index]")
    alice.fill("#id_reason", reason)
    alice.click("#reason-form input[type=submit]")
    alice.wait_for_selector("ul.messagelist")

    assert "1 statement(s) retracted." in messages(alice)
    assert [c.note for c in Correction.objects.order_by("id")] == [note.strip(), reason.strip()]


@pytest.mark.parametrize("width", [1280, 1366])
def test_the_statement_list_fits_a_laptop_screen(live_server, two_editors, width):
    alice, _bob = two_editors
    import_file(SEED_FILE)
    long_topic = TopicFactory(slug="long", title="People fleeing Russia's full-scale invasion of Ukraine, " * 2)
    StatementFactory(topic=long_topic, quote="A very long quote " * 80, role="Minister of " * 20)
    alice.set_viewport_size({"width": width, "height": 800})

    alice.goto(f"{live_server.url}{CHANGELIST}")

    screenshot(alice, f"admin-statement-list-{width}")
    overflow = alice.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the list is {overflow} px wider than a {width} px window"
    hidden = alice.evaluate("(r => r.scrollWidth - r.clientWidth)(document.querySelector('#changelist .results'))")
    assert hidden <= 0, f"the table is {hidden} px wider than its box (columns hidden behind a scroll bar)"
    assert alice.locator("#result_list td.field-links a").first.inner_text() == "page"


def test_publish_retract_and_reinstate_are_buttons_on_the_statement_page(live_server, two_editors):
    """An editor takes every workflow step from the statement's own page, by its buttons (not a
    dropdown), each offered only when it can be taken; retracting and reinstating ask for the
    public reason."""
    alice, _bob = two_editors
    draft = StatementFactory(status="draft")
    alice.goto(change_url(live_server, draft))
    workflow = alice.locator("#workflow")

    assert alice.locator("select[name='CHANGE_FORM-action']").count() == 0
    assert workflow.get_by_role("button").all_inner_texts() == ["Publish"]
    screenshot(alice, "admin-change-form-workflow-buttons")
    workflow.get_by_role("button", name="Publish").click()
    assert "1 statement(s) published." in messages(alice)
    assert Statement.objects.get(pk=draft.pk).status == "published"

    assert workflow.get_by_role("button").all_inner_texts() == ["Retract…"]
    workflow.get_by_role("button", name="Retract…").click()
    alice.fill("#id_reason", "The speaker's office says the remark was about another group.")
    alice.click("#reason-form input[type=submit]")
    assert "1 statement(s) retracted." in messages(alice)
    assert Statement.objects.get(pk=draft.pk).status == "retracted"

    workflow.get_by_role("button", name="Reinstate…").click()
    alice.fill("#id_reason", "The full transcript shows it was about this group.")
    alice.click("#reason-form input[type=submit]")
    assert "1 statement(s) reinstated." in messages(alice)
    assert Statement.objects.get(pk=draft.pk).status == "published"
    assert [c.kind for c in Correction.objects.filter(statement=draft).order_by("id")] == [
        "retraction",
        "reinstatement",
    ]


def test_enter_in_a_field_saves_and_takes_no_step(live_server, two_editors):
    alice, _bob = two_editors
    draft = StatementFactory(status="draft", context="before")
    alice.goto(change_url(live_server, draft))

    alice.fill("#id_role", "Minister of Foreign Affairs")
    alice.press("#id_role", "Enter")
    alice.wait_for_url(f"{live_server.url}{CHANGELIST}")

    draft.refresh_from_db()
    assert (draft.role, draft.status) == ("Minister of Foreign Affairs", "draft")


@pytest.mark.parametrize("width", [1280])
def test_the_change_form_and_its_sources_fit_a_laptop_screen(live_server, two_editors, width):
    alice, _bob = two_editors
    statement = StatementFactory(quote="A quote " * 60)
    source = statement.sources.get()
    source.url = "https://www.example.org/" + "a-very-long-path-segment/" * 8
    source.archived_url = "https://web.archive.org/web/20220927000000/" + source.url
    source.save()
    alice.set_viewport_size({"width": width, "height": 900})

    alice.goto(change_url(live_server, statement))

    screenshot(alice, f"admin-change-form-{width}")
    overflow = alice.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the change form is {overflow} px wider than a {width} px window"
    inline = alice.locator("#sources-group")
    inline.screenshot(path=str(SCREENSHOTS / f"admin-sources-inline-{width}.png"))
    hidden = inline.evaluate("g => { const t = g.querySelector('table'); return t.scrollWidth - g.clientWidth; }")
    assert hidden <= 0, f"the sources table is {hidden} px wider than its box"
    box = inline.evaluate("g => g.getBoundingClientRect().right")
    for header in ("Archived URL", "Accessed on"):
        cell = inline.locator("thead th", has_text=header)
        assert cell.is_visible(), header
        assert cell.evaluate("c => c.getBoundingClientRect().right") <= box + 0.5, f"{header} is clipped"
        assert cell.evaluate("c => c.scrollWidth <= c.clientWidth"), f"{header} is cut short"
