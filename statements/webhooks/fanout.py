"""The webhooks' consumer of the event log (statements/events.py).

Each event becomes a delivery for every active subscription that wants its type, whose filter
selects the statement as it was at the event, and that existed when it happened (a new
subscription is told of what happens from then on; what happened before is in the log). Every
subscription given new deliveries gets a job that sends them, deferred in the same transaction
(so a job never looks for deliveries that are not committed yet)."""

import dataclasses

from django.db import connections

from statements.events import ANY_STATUS, PRIMARY, Event
from statements.filtering import FilterError
from statements.jobs import defer_many
from statements.webhooks.models import Subscription
from statements.webhooks.services import subscription_disable, subscription_selection

_INSERT = """
INSERT INTO webhooks_delivery (subscription_id, event_id, status, attempts, next_attempt_at, created_at, updated_at)
SELECT matched.subscription_id, matched.event_id, 'pending', 0, now(), now(), now()
FROM ({matches}) AS matched
ORDER BY matched.event_id, matched.subscription_id
ON CONFLICT (subscription_id, event_id) DO NOTHING
RETURNING subscription_id
"""
# One subscription's matches among the batch: its event types and its filter, in the statement
# filter language's own SQL (statements/listing.py), over the statement as kept by the event.
_MATCHES = (
    "SELECT %s::bigint AS subscription_id, e.id AS event_id FROM statements_event AS e "
    "WHERE e.id = ANY(%s) AND e.type = ANY(%s) AND e.occurred_at >= %s AND {where}"
)


def deliveries_for(events: list[Event]) -> None:
    """Create the deliveries of `events` (one SQL statement for every subscription) and defer one
    delivery job per subscription that got any."""
    from statements.webhooks.tasks import deliver

    ids = [event.id for event in events]
    arms, params = [], []
    for subscription in Subscription.objects.using(PRIMARY).filter(is_active=True).order_by("id"):
        try:
            selection = subscription_selection(subscription)
        except FilterError as exc:
            subscription_disable(subscription=subscription, reason=f"its filter is no longer valid: {exc}")
            continue
        where, where_params = dataclasses.replace(selection, statuses=ANY_STATUS).where("e")
        arms.append(_MATCHES.format(where=where))
        params += [subscription.pk, ids, list(subscription.event_types), subscription.created_at, *where_params]
    if not arms:
        return
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(_INSERT.format(matches=" UNION ALL ".join(arms)), params)
        given = sorted({row[0] for row in cursor.fetchall()})
    defer_many(deliver, [{"subscription_id": pk} for pk in given])
