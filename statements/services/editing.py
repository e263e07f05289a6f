"""Editorial writes: save with optimistic locking, publish, retract, reinstate, delete.

Every function takes the acting user, runs in one transaction, locks the statement row, and
leaves a history row naming the user. A new statement is a draft; publishing, retracting and
reinstating are workflow steps with their own functions (and the `publish_statement`
permission). A published statement's quote, speaker, date, stance or government changes only
with a public correction note; it is never deleted, only retracted.
"""

import datetime

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from statements import events
from statements.models import CORRECTED_FIELDS, Correction, CorrectionKind, Statement, Status

# Status changes are workflow steps, each with its own service: step → (from, to).
STEPS = {
    "publish": (Status.DRAFT, Status.PUBLISHED),
    "retract": (Status.PUBLISHED, Status.RETRACTED),
    "reinstate": (Status.RETRACTED, Status.PUBLISHED),
}
PAST = {"publish": "published", "retract": "retracted", "reinstate": "reinstated"}


PUBLISH_PERMISSION = "statements.publish_statement"
# Public notes (corrections, retraction and reinstatement reasons): long enough for any real note.
MAX_NOTE_LENGTH = 5000


class StaleEdit(ValidationError):
    """The statement changed since the editor opened it: their save would overwrite that change.

    `current` is the statement as it is now (locked), `who` and `when` its latest change."""

    def __init__(self, statement: Statement):
        self.current = statement
        self.who, self.when = last_change(statement)
        super().__init__(
            f"This statement was changed by {self.who} at {self.when:%Y-%m-%d %H:%M:%S} UTC since you opened it.",
            code="stale",
        )


class Busy(ValidationError):
    """Another writer (an import, another editor) held the statement longer than an editor waits."""

    def __init__(self):
        super().__init__(
            "An import or another editor is writing this statement right now: your change was not saved. "
            "Try again in a moment.",
            code="busy",
        )


def is_lock_timeout(exc: BaseException) -> bool:
    """A wait for a lock cut by lock_timeout (psycopg's LockNotAvailable under Django's wrapper)."""
    return isinstance(exc, OperationalError) and isinstance(exc.__cause__, psycopg.errors.LockNotAvailable)


class CorrectionRequired(ValidationError):
    def __init__(self, fields: list[str]):
        self.fields = fields
        super().__init__(
            f"This statement is published: changing its {', '.join(fields)} needs a correction note, "
            "which is shown to the public.",
            code="correction_required",
        )


def last_change(statement: Statement) -> tuple[str, datetime.datetime]:
    """Who made the latest recorded change to `statement`, and when."""
    latest = statement.history.select_related("history_user").order_by("-history_date", "-history_id").first()
    if latest is None:
        return "someone", statement.updated_at
    who = latest.history_user.get_username() if latest.history_user else (latest.history_change_reason or "a script")
    return who, timezone.localtime(latest.history_date, datetime.UTC)


def lock(statement_id: int, expected_version: int | None = None) -> Statement:
    """The current row, locked FOR UPDATE until the transaction ends; StaleEdit if it moved on.

    A second editor saving at the same moment waits here for the first to commit, then sees the
    new version and is refused: exactly one of two simultaneous saves wins. No writer waits
    longer than EDITOR_LOCK_TIMEOUT_MS for the row, or later in its transaction for anything
    else (Busy): an editor is told to try again rather than left hanging behind an import.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{settings.EDITOR_LOCK_TIMEOUT_MS}ms"])
    try:
        with transaction.atomic():  # a savepoint: a lock that times out leaves the transaction usable
            current = Statement.objects.select_for_update().get(pk=statement_id)
    except OperationalError as exc:
        if is_lock_timeout(exc):
            raise Busy() from exc
        raise
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(current)
    return current


def corrected_fields(current: Statement, edited: Statement) -> list[str]:
    """The fields whose change on a published statement needs a correction note."""
    if current.status != Status.PUBLISHED:
        return []
    return [name for name in CORRECTED_FIELDS if _value(current, name) != _value(edited, name)]


def _value(statement: Statement, name: str):
    field = Statement._meta.get_field(name)
    return getattr(statement, field.attname)


def snapshot(statement: Statement, names: list[str]) -> dict:
    """The values of `names` as text, for a correction's before/after."""
    return {name: str(_value(statement, name)) for name in names}


def _record(statement: Statement, user, reason: str) -> None:
    statement._history_user = user
    statement._change_reason = reason


def _check_note(note: str, what: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError(
            f"The {what} is {len(note):,} characters long; at most {MAX_NOTE_LENGTH:,}.", code="note_length"
        )
    return note


def statement_save(*, statement: Statement, user, expected_version: int | None = None, note: str = "") -> Statement:
    """Create `statement` (always as a draft), or save the edits made to it, with the rules above.

    Raises StaleEdit (someone saved since `expected_version`), CorrectionRequired (a published
    statement's corrected field changed without `note`), or ValidationError (a status change,
    which must go through publish/retract/reinstate).
    """
    note = _check_note(note, "correction note")
    with transaction.atomic():
        if statement.pk is None:
            if statement.status != Status.DRAFT:
                raise ValidationError(
                    "A new statement is a draft; publish it with the Publish action once it is reviewed.",
                    code="status",
                )
            statement.version = 1
            _record(statement, user, "created")
            statement.save()
            return statement
        current = lock(statement.pk, expected_version)
        if statement.status != current.status:
            raise ValidationError("Change the status with the publish, retract or reinstate actions.", code="status")
        fields = corrected_fields(current, statement)
        if fields and not note:
            raise CorrectionRequired(fields)
        statement.version = current.version + 1
        _record(statement, user, f"correction: {note}" if fields else "edited")
        statement.save()
        if fields:
            Correction.objects.create(
                statement=statement,
                kind=CorrectionKind.CORRECTION,
                note=note,
                fields=fields,
                before=snapshot(current, fields),
                after=snapshot(statement, fields),
                made_by=user,
            )
            events.announce()  # the database records the event at commit; this job fans it out
        return statement


def translations_corrected(*, statement: Statement, user, note: str) -> Correction:
    """Record that a published statement's renderings changed (the admin's inline saved them in
    this transaction): a public correction naming `translations`, joined to the correction this
    save already made of its quote or other fields, if any, else a new one with `note`."""
    note = _check_note(note, "correction note")
    if not note:
        raise CorrectionRequired(["translations"])
    renderings = {t.language: f"{t.text} ({t.by})" for t in statement.translations.all()}
    latest = statement.corrections.filter(kind=CorrectionKind.CORRECTION, note=note, made_by=user).last()
    if latest is not None and latest.created_at >= transaction_started():
        latest.fields = [*latest.fields, "translations"]
        latest.after = {**latest.after, "translations": renderings}
        latest.save(update_fields=["fields", "after", "updated_at"])
        return latest
    correction = Correction.objects.create(
        statement=statement,
        kind=CorrectionKind.CORRECTION,
        note=note,
        fields=["translations"],
        after={"translations": renderings},
        made_by=user,
    )
    events.announce()
    return correction


def transaction_started() -> datetime.datetime:
    """When the current transaction began (PostgreSQL's now())."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


def refusal(statement: Statement, step: str) -> str | None:
    """Why `step` cannot be taken on `statement` as it is, or None when it can (status only)."""
    origin, _to = STEPS[step]
    if statement.status == origin:
        return None
    if step == "retract" and statement.status == Status.DRAFT:
        return (
            f"Statement {statement.pk} is a draft: it was never published, so there is nothing to retract. "
            "Delete the draft instead."
        )
    who, when = last_change(statement)
    return (
        f"Statement {statement.pk} is {statement.status} (last changed by {who} at {when:%Y-%m-%d %H:%M} UTC); "
        f"it cannot be {PAST[step]} (only a {origin} statement can)."
    )


def can_take_steps(user) -> bool:
    """Whether `user` may publish, retract and reinstate (None: a script, which may)."""
    return user is None or user.has_perm(PUBLISH_PERMISSION)


def _check_second_editor(statement: Statement, user) -> None:
    """With TRACKER_REQUIRE_SECOND_EDITOR, whoever wrote or edited a draft does not publish it."""
    if not settings.TRACKER_REQUIRE_SECOND_EDITOR or user is None:
        return
    if statement.history.filter(history_user=user).exists():
        raise ValidationError(
            f"You wrote or edited statement {statement.pk}: another editor reviews and publishes it "
            "(TRACKER_REQUIRE_SECOND_EDITOR is on).",
            code="second_editor",
        )


def _transition(
    statement_id: int, step: str, *, user, note: str = "", expected_version: int | None = None
) -> Statement:
    _origin, to = STEPS[step]
    if not can_take_steps(user):
        raise ValidationError(f"You do not have the permission to have statements {PAST[step]}.", code="permission")
    note = _check_note(note, "reason")
    with transaction.atomic():
        statement = lock(statement_id, expected_version)
        refused = refusal(statement, step)
        if refused:
            raise ValidationError(refused, code="transition")
        if to == Status.PUBLISHED and not statement.sources.exists():
            raise ValidationError(f"Statement {statement.pk} has no source: add one before publishing.", code="source")
        if step in ("retract", "reinstate") and not note:
            raise ValidationError(f"A {step} needs a reason, shown to the public.", code="reason")
        if step == "publish":
            _check_second_editor(statement, user)
        statement.status = to
        statement.version += 1
        _record(statement, user, f"{step}: {note}" if note else step)
        statement.save()
        if step in ("retract", "reinstate"):
            kind = CorrectionKind.RETRACTION if step == "retract" else CorrectionKind.REINSTATEMENT
            Correction.objects.create(statement=statement, kind=kind, note=note, made_by=user)
        events.announce()  # the database records the event at commit; this job fans it out
        return statement


def statement_publish(*, statement_id: int, user, expected_version: int | None = None) -> Statement:
    """draft → published. Needs at least one source (the stance is required by the model)."""
    return _transition(statement_id, "publish", user=user, expected_version=expected_version)


def statement_retract(*, statement_id: int, user, reason: str, expected_version: int | None = None) -> Statement:
    """published → retracted, with a public reason. Sync clients get a tombstone. A draft was never
    published: it cannot be retracted (delete it instead)."""
    return _transition(statement_id, "retract", user=user, note=reason, expected_version=expected_version)


def statement_reinstate(*, statement_id: int, user, reason: str, expected_version: int | None = None) -> Statement:
    """retracted → published, with a public reason."""
    return _transition(statement_id, "reinstate", user=user, note=reason, expected_version=expected_version)


def statement_delete(*, statement_id: int, user) -> None:
    """Delete a draft. Published and retracted statements stay: the public record is retracted, not erased."""
    with transaction.atomic():
        statement = lock(statement_id)
        if statement.status != Status.DRAFT:
            raise ValidationError("Only drafts can be deleted; retract a published statement instead.", code="delete")
        for source in statement.sources.all():
            _record(source, user, "deleted with its statement")
            source.delete()
        _record(statement, user, "deleted")
        statement.delete()
