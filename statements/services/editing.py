"""Editorial writes: save with optimistic locking, publish, retract, reinstate, delete.

Every function takes the acting user, runs in one transaction, locks the statement row, and
leaves a history row naming the user. A published statement's quote, speaker, date, stance or
government changes only with a public correction note; it is never deleted, only retracted.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from statements.models import CORRECTED_FIELDS, Correction, CorrectionKind, Statement, Status

# Status changes are workflow steps, each with its own service: step → (from, to).
STEPS = {
    "publish": (Status.DRAFT, Status.PUBLISHED),
    "retract": (Status.PUBLISHED, Status.RETRACTED),
    "reinstate": (Status.RETRACTED, Status.PUBLISHED),
}
PAST = {"publish": "published", "retract": "retracted", "reinstate": "reinstated"}


class StaleEdit(ValidationError):
    """The statement changed since the editor opened it: their save would overwrite that change."""

    def __init__(self, statement: Statement):
        who, when = last_change(statement)
        super().__init__(
            f"This statement was changed by {who} at {when:%Y-%m-%d %H:%M:%S} UTC since you opened it. "
            "Your input is kept below: compare it with the current version (open the statement in a new tab), "
            "then save again.",
            code="stale",
        )


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
    new version and is refused: exactly one of two simultaneous saves wins.
    """
    current = Statement.objects.select_for_update().get(pk=statement_id)
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


def statement_save(*, statement: Statement, user, expected_version: int | None = None, note: str = "") -> Statement:
    """Create `statement`, or save the edits made to it, with the rules above.

    Raises StaleEdit (someone saved since `expected_version`), CorrectionRequired (a published
    statement's corrected field changed without `note`), or ValidationError (a status change,
    which must go through publish/retract/reinstate).
    """
    with transaction.atomic():
        if statement.pk is None:
            statement.version = 1
            _record(statement, user, "created")
            statement.save()
            return statement
        current = lock(statement.pk, expected_version)
        if statement.status != current.status:
            raise ValidationError("Change the status with the publish, retract or reinstate actions.", code="status")
        fields = corrected_fields(current, statement)
        if fields and not note.strip():
            raise CorrectionRequired(fields)
        statement.version = current.version + 1
        _record(statement, user, f"correction: {note.strip()}" if fields else "edited")
        statement.save()
        if fields:
            Correction.objects.create(
                statement=statement,
                kind=CorrectionKind.CORRECTION,
                note=note.strip(),
                fields=fields,
                before=snapshot(current, fields),
                after=snapshot(statement, fields),
                made_by=user,
            )
        return statement


def _transition(
    statement_id: int, step: str, *, user, note: str = "", expected_version: int | None = None
) -> Statement:
    origin, to = STEPS[step]
    with transaction.atomic():
        statement = lock(statement_id, expected_version)
        if statement.status != origin:
            who, when = last_change(statement)
            raise ValidationError(
                f"Statement {statement.pk} is {statement.status} (last changed by {who} at {when:%Y-%m-%d %H:%M} UTC); "
                f"it cannot be {PAST[step]} (only a {origin} statement can).",
                code="transition",
            )
        if to == Status.PUBLISHED and not statement.sources.exists():
            raise ValidationError(f"Statement {statement.pk} has no source: add one before publishing.", code="source")
        if step in ("retract", "reinstate") and not note.strip():
            raise ValidationError(f"A {step} needs a reason, shown to the public.", code="reason")
        statement.status = to
        statement.version += 1
        _record(statement, user, f"{step}: {note.strip()}" if note.strip() else step)
        statement.save()
        if step in ("retract", "reinstate"):
            kind = CorrectionKind.RETRACTION if step == "retract" else CorrectionKind.REINSTATEMENT
            Correction.objects.create(statement=statement, kind=kind, note=note.strip(), made_by=user)
        return statement


def statement_publish(*, statement_id: int, user, expected_version: int | None = None) -> Statement:
    """draft → published. Needs at least one source (the stance is required by the model)."""
    return _transition(statement_id, "publish", user=user, expected_version=expected_version)


def statement_retract(*, statement_id: int, user, reason: str, expected_version: int | None = None) -> Statement:
    """published → retracted, with a public reason. Sync clients get a tombstone."""
    return _transition(statement_id, "retract", user=user, note=reason, expected_version=expected_version)


def statement_reinstate(*, statement_id: int, user, reason: str, expected_version: int | None = None) -> Statement:
    """retracted → published, by staff only, with a public reason."""
    if not getattr(user, "is_staff", False):
        raise ValidationError("Only staff can reinstate a retracted statement.", code="permission")
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
