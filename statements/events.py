"""The event log: every publish, correction, retraction and reinstatement, and where it fans out.

Events are written by the database (statements/sql/events.sql) in the transaction that made
the change, whatever made it, with ids in commit order and the statement as the public record
showed it then. Nothing in Python writes them.

After the commit, each event fans out to its **consumers**: the one place where an event's
work is decided. A consumer is a function taking a batch of events (in id order) and doing its
part in the fan-out's transaction (statements/webhooks/fanout.py creates the deliveries of matching
subscriptions and defers their jobs). Each consumer keeps its own position in the log (an
`EventConsumer` row), so one that fails holds back only itself, and the others go on. A new
consumer (an HTTP cache purge, e-mail alerts) is one `register_consumer()` call in its app's
`ready()`; without a position it starts from the beginning of the log, or from wherever its own
migration put its `EventConsumer` row.

`fan_out()` runs in the worker: deferred by the writes' services in their own transaction
(`announce()`), and by the periodic sweep, which catches writes made without a service.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from statements.listing import Projection, Selection, _as_dicts, _run
from tracker.db_router import reads

logger = logging.getLogger(__name__)

# Reads and writes of the log and its consumers go to the primary: a replica may lag behind.
PRIMARY = "default"
FAN_OUT_BATCH = 1000


class EventType(models.TextChoices):
    PUBLISHED = "statement.published", _("Published")
    CORRECTED = "statement.corrected", _("Corrected")
    RETRACTED = "statement.retracted", _("Retracted")
    REINSTATED = "statement.reinstated", _("Reinstated")


class Event(models.Model):
    """One change of the public record, as it was when its transaction committed. Written only
    by the database's triggers; read by the API (`/api/v1/events/`), the feeds and the fan-out.

    Besides the statement's row images (`images`, from which the API renders the statement as
    it was), an event keeps the statement's filterable columns under the statement's own column
    names, so that the statement filter language (statements/listing.py `Selection.where`)
    filters events as it filters statements: as they were at the event."""

    type = models.CharField(max_length=30, choices=EventType.choices)
    statement = models.ForeignKey("statements.Statement", on_delete=models.PROTECT, related_name="events")
    occurred_at = models.DateTimeField(help_text="When the change was committed.")
    transaction_id = models.BigIntegerField(help_text="The writing transaction (pg_current_xact_id).")
    government_id = models.CharField(max_length=2)
    speaker_id = models.BigIntegerField()
    topic_id = models.BigIntegerField()
    stance = models.CharField(max_length=12)
    language = models.CharField(max_length=35)
    is_translation = models.BooleanField()
    said_on = models.DateField()
    updated_at = models.DateTimeField(help_text="The statement's updated_at at the event.")
    status = models.CharField(max_length=10, help_text="The statement's status at the event.")
    search_vector = SearchVectorField(null=True)
    images = models.JSONField(
        help_text="Row images of the statement, its speaker, government, topic, sources and corrections."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=EventType.values), name="%(app_label)s_%(class)s_type_valid"),
        ]
        indexes = [
            models.Index(fields=["government_id", "id"], name="statements_event_government"),
            models.Index(fields=["topic_id", "id"], name="statements_event_topic"),
            models.Index(fields=["speaker_id", "id"], name="statements_event_speaker"),
        ]

    def __str__(self) -> str:
        return f"event {self.pk}: {self.type} of statement {self.statement_id}"


class EventConsumer(models.Model):
    """How far one consumer of the log has got: it has done its work for every event up to
    `last_event_id`. Locked while it works, so that it takes events one batch at a time, in
    order."""

    name = models.CharField(max_length=100, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} at event {self.last_event_id}"


Consumer = Callable[[list[Event]], None]
_consumers: dict[str, Consumer] = {}


def register_consumer(name: str, consumer: Consumer) -> None:
    """Have `consumer(events)` called for every event, in order, in batches (from an app's
    ready()). It runs in the fan-out's transaction: what it writes and the jobs it defers commit
    with its new position in the log, or not at all (then the batch comes again)."""
    _consumers[name] = consumer


def consumers() -> dict[str, Consumer]:
    return dict(_consumers)


# Every status counts: an event's statement was published or retracted by it.
ANY_STATUS = ("draft", "published", "retracted")


def fan_out() -> dict[str, int]:
    """Give every consumer the events it has not had yet; returns how many each was given.
    A consumer that fails is logged and left where it was (the sweep tries again); the others
    go on, and the failure is raised at the end."""
    done, failed = {}, None
    for name, consumer in consumers().items():
        try:
            done[name] = _feed(name, consumer)
        except Exception as exc:
            logger.exception("event consumer %s failed", name)
            failed = failed or exc
    if failed is not None:
        raise failed
    return done


def _feed(name: str, consumer: Consumer) -> int:
    given = 0
    while True:
        with transaction.atomic(using=PRIMARY):
            EventConsumer.objects.using(PRIMARY).get_or_create(name=name)
            position = EventConsumer.objects.using(PRIMARY).select_for_update().get(name=name)
            events = list(
                Event.objects.using(PRIMARY)
                .filter(id__gt=position.last_event_id)
                .defer("images", "search_vector")
                .order_by("id")[:FAN_OUT_BATCH]
            )
            if not events:
                return given
            consumer(events)
            position.last_event_id = events[-1].id
            position.save(update_fields=["last_event_id", "updated_at"])
            given += len(events)


def behind() -> list[str]:
    """The consumers that have not had every event yet (for the sweep)."""
    last = Event.objects.using(PRIMARY).aggregate(last=models.Max("id"))["last"] or 0
    positions = dict(EventConsumer.objects.using(PRIMARY).values_list("name", "last_event_id"))
    return [name for name in consumers() if positions.get(name, 0) < last]


def announce() -> None:
    """In a writing transaction: have the fan-out run right after it commits (a job deferred in
    this transaction, so a rollback takes it away with the write). The services that publish,
    correct, retract and reinstate call this; a write made without them (a shell) is fanned out
    by the sweep a few seconds later."""
    from statements.jobs import defer
    from statements.tasks import fan_out_events

    defer(fan_out_events)


@dataclass(frozen=True)
class EventLog:
    """Events a `Selection` (the statement filters, applied to the statement as it was at each
    event) and `types` select, oldest first, each row as `projection` makes it (api/shapes.py),
    paged by event id: `after`/`before` are plain event ids, so a client replays from the last
    event it has, and the same position always means the same place in the log."""

    selection: Selection
    types: tuple[str, ...]
    projection: Projection

    def _where(self) -> tuple[str, list]:
        where, params = Selection(**{**self.selection.__dict__, "statuses": ANY_STATUS}).where("e")
        if self.types:
            where += " AND e.type = ANY(%s)"
            params = [*params, list(self.types)]
        return where, params

    def count(self, limit: int) -> int:
        """The number of selected events, counting no further than `limit`."""
        where, params = self._where()
        sql = f"SELECT count(*) FROM (SELECT 1 FROM statements_event AS e WHERE {where} LIMIT %s) AS capped"
        return _run(_reader(), sql, [*params, limit])[1][0][0]

    def page(self, after: int | None, before: int | None, size: int, newest_first: bool = False) -> list[dict]:
        """Up to `size` rows with ids after `after`, oldest first; or with ids before `before` (or
        the newest, with `newest_first`), newest first. Each row: `id`, `occurred_at`, `json`."""
        where, params = self._where()
        if after is not None:
            where, params = f"{where} AND e.id > %s", [*params, after]
        if before is not None:
            where, params = f"{where} AND e.id < %s", [*params, before]
        order = "DESC" if before is not None or newest_first else "ASC"
        sql = (
            f"SELECT e.id, e.occurred_at, {self.projection.select} AS json FROM statements_event AS e "
            f"{self.projection.joins} WHERE {where} ORDER BY e.id {order} LIMIT %s"
        )
        return _as_dicts(_run(_reader(), sql, [*params, size]))


def _reader() -> str:
    """Public reads may go to a replica: it replays commits in order, so it shows a prefix of the
    log, and a cursor read there stays good on the primary."""
    return reads()


def kept_one(pk: int, projection: Projection, using: str | None = None) -> dict | None:
    """One event as `projection` makes it, or None."""
    sql = (
        f"SELECT e.id, e.occurred_at, {projection.select} AS json FROM statements_event AS e "
        f"{projection.joins} WHERE e.id = %s"
    )
    rows = _as_dicts(_run(using or _reader(), sql, [pk]))
    return rows[0] if rows else None


def latest(selection: Selection, types: Iterable[str], limit: int, projection: Projection) -> list[dict]:
    """The newest `limit` selected events, newest first (the Atom feed)."""
    return EventLog(selection, tuple(types), projection).page(None, None, limit, newest_first=True)


class recording_off:
    """Inside an atomic block: writes record no event (synthetic benchmark data only)."""

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statements.record_events = 'off'")
        return self

    def __exit__(self, *exc):
        return False
