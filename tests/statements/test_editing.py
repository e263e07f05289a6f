"""Editorial services: the workflow, corrections, stale saves, deletion rules."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from statements import services
from statements.models import Correction, Statement
from tests.factories import GovernmentFactory, StatementFactory


@pytest.fixture
def editor(staff_user):
    return staff_user


def test_draft_publish_retract_reinstate(db, editor):
    statement = StatementFactory(status="draft")

    services.statement_publish(statement_id=statement.pk, user=editor)
    services.statement_retract(statement_id=statement.pk, user=editor, reason="Misattributed: it was the deputy.")
    services.statement_reinstate(
        statement_id=statement.pk, user=editor, reason="Attribution confirmed by the ministry."
    )

    statement.refresh_from_db()
    assert statement.status == "published" and statement.version == 4
    assert [(c.kind, c.note) for c in statement.corrections.all()] == [
        ("retraction", "Misattributed: it was the deputy."),
        ("reinstatement", "Attribution confirmed by the ministry."),
    ]
    reasons = [h.history_change_reason for h in statement.history.order_by("history_id")]
    assert reasons[1:] == [
        "publish",
        "retract: Misattributed: it was the deputy.",
        "reinstate: Attribution confirmed by the ministry.",
    ]
    assert {h.history_user for h in statement.history.all()[:3]} == {editor}


@pytest.mark.parametrize(
    ("status", "step", "message"),
    [
        ("published", "publish", r"it cannot be published \(only a draft statement can\)"),
        ("draft", "retract", r"is a draft: it was never published, so there is nothing to retract"),
        ("draft", "reinstate", r"it cannot be reinstated \(only a retracted statement can\)"),
        ("retracted", "publish", r"it cannot be published \(only a draft statement can\)"),
    ],
)
def test_invalid_transitions_are_refused(db, editor, status, step, message):
    statement = StatementFactory(status=status)
    service = getattr(services, f"statement_{step}")
    kwargs = {"reason": "because"} if step != "publish" else {}

    with pytest.raises(ValidationError, match=message):
        service(statement_id=statement.pk, user=editor, **kwargs)


def test_publishing_needs_a_source(db, editor):
    statement = StatementFactory(status="draft", sources=[])

    with pytest.raises(ValidationError, match="has no source"):
        services.statement_publish(statement_id=statement.pk, user=editor)


def test_retract_and_reinstate_need_a_reason_and_the_permission(db, editor, django_user_model):
    statement = StatementFactory()
    with pytest.raises(ValidationError, match="needs a reason"):
        services.statement_retract(statement_id=statement.pk, user=editor, reason="  ")
    services.statement_retract(statement_id=statement.pk, user=editor, reason="Wrong source.")
    outsider = django_user_model.objects.create_user("reader", password="x" * 20, is_staff=True)
    with pytest.raises(ValidationError, match="permission to have statements reinstated"):
        services.statement_reinstate(statement_id=statement.pk, user=outsider, reason="Please")
    assert Statement.objects.get().status == "retracted"


def test_a_reason_of_two_thousand_characters_is_kept_and_a_limit_is_said(db, editor):
    statement = StatementFactory()
    reason = "x" * 2000
    with pytest.raises(ValidationError, match="5,001 characters long; at most 5,000"):
        services.statement_retract(statement_id=statement.pk, user=editor, reason="y" * 5001)

    services.statement_retract(statement_id=statement.pk, user=editor, reason=reason)

    assert statement.corrections.get().note == reason
    assert statement.history.first().history_change_reason == f"retract: {reason}"


def test_a_new_statement_is_always_a_draft(db, editor):
    refs = StatementFactory()
    statement = Statement(
        speaker=refs.speaker,
        government=refs.government,
        topic=refs.topic,
        role="Minister",
        organization="Ministry",
        said_on=refs.said_on,
        quote="Straight to print?",
        stance="neutral",
        status="published",
    )

    with pytest.raises(ValidationError, match="A new statement is a draft"):
        services.statement_save(statement=statement, user=editor)
    assert not Statement.objects.filter(quote="Straight to print?").exists()


def test_with_a_second_editor_required_authors_do_not_publish_their_own_drafts(db, settings, django_user_model):
    settings.TRACKER_REQUIRE_SECOND_EDITOR = True
    author, reviewer = (
        django_user_model.objects.create_superuser(name, f"{name}@example.org", "x" * 20) for name in ("author", "desk")
    )
    draft = StatementFactory(status="draft")
    draft.context = "written by the author"
    services.statement_save(statement=draft, user=author, expected_version=1)

    with pytest.raises(ValidationError, match=r"You wrote or edited statement .* another editor reviews"):
        services.statement_publish(statement_id=draft.pk, user=author)
    services.statement_publish(statement_id=draft.pk, user=reviewer)

    assert Statement.objects.get().status == "published"


def test_without_a_second_editor_required_authors_may_publish(db, editor):
    draft = StatementFactory(status="draft")
    draft.context = "mine"
    services.statement_save(statement=draft, user=editor, expected_version=1)

    services.statement_publish(statement_id=draft.pk, user=editor)

    assert Statement.objects.get().status == "published"


def test_changing_a_published_quote_needs_a_note(db, editor):
    statement = StatementFactory(quote="We welcome all people seeking asylum")
    statement.quote = "we welcome any folks who are seeking asylum — and they should do that"

    with pytest.raises(services.CorrectionRequired, match="changing its quote needs a correction note"):
        services.statement_save(statement=statement, user=editor, expected_version=1)
    assert Statement.objects.get().quote == "We welcome all people seeking asylum"

    services.statement_save(
        statement=statement, user=editor, expected_version=1, note="Quote checked against the official transcript."
    )
    correction = Correction.objects.get()
    assert (correction.kind, correction.fields) == ("correction", ["quote"])
    assert correction.before == {"quote": "We welcome all people seeking asylum"}
    assert correction.after == {"quote": statement.quote}


def test_context_typos_and_drafts_need_no_note(db, editor):
    published = StatementFactory(context="Interveiw")
    published.context = "Interview"
    services.statement_save(statement=published, user=editor, expected_version=1)

    draft = StatementFactory(status="draft")
    draft.quote, draft.stance = "Entirely new words.", "welcoming"
    services.statement_save(statement=draft, user=editor, expected_version=1)

    assert Correction.objects.count() == 0


def test_each_corrected_field_is_named(db, editor):
    statement = StatementFactory()
    statement.stance = "welcoming"
    statement.said_on = datetime.date(2022, 9, 28)
    statement.government = GovernmentFactory(code="NO", name="Norway")

    with pytest.raises(services.CorrectionRequired) as refused:
        services.statement_save(statement=statement, user=editor, expected_version=1)

    assert refused.value.fields == ["said_on", "stance", "government"]


def test_a_stale_save_is_refused_naming_who_and_when(db, editor, django_user_model):
    other = django_user_model.objects.create_superuser("colleague", "c@example.org", "x" * 20)
    statement = StatementFactory(status="draft")
    first, second = Statement.objects.get(pk=statement.pk), Statement.objects.get(pk=statement.pk)
    first.context = "first"
    services.statement_save(statement=first, user=other, expected_version=1)

    second.context = "second"
    with pytest.raises(services.StaleEdit, match=r"changed by colleague at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"):
        services.statement_save(statement=second, user=editor, expected_version=1)
    assert Statement.objects.get().context == "first"


def test_status_changes_only_through_the_workflow(db, editor):
    statement = StatementFactory(status="draft")
    statement.status = "published"

    with pytest.raises(ValidationError, match="publish, retract or reinstate"):
        services.statement_save(statement=statement, user=editor, expected_version=1)


def test_only_drafts_can_be_deleted(db, editor):
    draft, published = StatementFactory(status="draft"), StatementFactory()

    services.statement_delete(statement_id=draft.pk, user=editor)
    with pytest.raises(ValidationError, match="Only drafts"):
        services.statement_delete(statement_id=published.pk, user=editor)

    assert list(Statement.objects.values_list("pk", flat=True)) == [published.pk]
    deleted = Statement.history.filter(id=draft.pk, history_type="-").get()
    assert deleted.history_user == editor
