"""The alerts' consumer of the event log (statements/events.py).

Each event whose statement (as it was at the event) a saved search selects becomes an item of
every confirmed alert on that search whose address is not paused and that was confirmed before
the event (a new follower is told of what happens from then on). One SQL statement for the
whole batch, every saved search an arm of it, in the statement filter language's own SQL
(statements/listing.py), as the webhooks' fan-out does. If any alert to be mailed as it happens
got items, the sending job is deferred in the same transaction."""

import dataclasses
import logging

from django.conf import settings
from django.db import connections
from django.http import QueryDict

from statements.alerts.models import Frequency, SavedSearch
from statements.events import ANY_STATUS, PRIMARY, Event
from statements.filtering import FilterError, filtered_from
from statements.jobs import defer_many

logger = logging.getLogger(__name__)

_INSERT = """
WITH inserted AS (
    INSERT INTO alerts_alertitem (alert_id, event_id, created_at, updated_at)
    SELECT matched.alert_id, matched.event_id, now(), now()
    FROM ({matches}) AS matched
    ORDER BY matched.event_id, matched.alert_id
    ON CONFLICT (alert_id, event_id) DO NOTHING
    RETURNING alert_id
)
SELECT DISTINCT a.frequency FROM inserted JOIN alerts_alert AS a ON a.id = inserted.alert_id
"""
_MATCHES = (
    "SELECT a.id AS alert_id, e.id AS event_id FROM statements_event AS e "
    "JOIN alerts_alert AS a ON a.search_id = %s AND a.confirmed_at IS NOT NULL AND a.confirmed_at <= e.occurred_at "
    "JOIN alerts_address AS ad ON ad.id = a.address_id AND ad.paused_at IS NULL "
    "WHERE e.id = ANY(%s) AND {where}"
)


def followed_searches():
    """The saved searches with at least one confirmed alert."""
    return SavedSearch.objects.using(PRIMARY).filter(alerts__confirmed_at__isnull=False).distinct().order_by("id")


def items_for(events: list[Event]) -> None:
    """Queue the items of `events` for every confirmed alert whose search selects them."""
    from statements.alerts.tasks import send_immediate

    ids = [event.id for event in events]
    arms, params = [], []
    for search in followed_searches():
        try:
            selection = filtered_from(QueryDict(search.filter), public=False).selection
        except FilterError as exc:  # a speaker or topic of the search is gone: nothing matches it
            logger.warning("saved search %s no longer validates: %s", search.pk, exc)
            continue
        where, where_params = dataclasses.replace(selection, statuses=ANY_STATUS).where("e")
        arms.append(_MATCHES.format(where=where))
        params += [search.pk, ids, *where_params]
    if not arms:
        return
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(_INSERT.format(matches=" UNION ALL ".join(arms)), params)
        frequencies = {row[0] for row in cursor.fetchall()}
    if Frequency.IMMEDIATE in frequencies:
        defer_many(send_immediate, [{"shard": shard} for shard in range(settings.ALERTS_SENDERS)])
