"""Writes of the alerts: sign up, confirm, unsubscribe, pause an address. The public pages
(web/alerts.py), the worker and `manage.py alerts` call these."""

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from statements.alerts.models import Address, Alert, Frequency, SavedSearch
from statements.events import PRIMARY
from statements.filtering import FILTER_NAMES, LIST_FILTERS, Filtered, FilterError, filtered_from
from statements.jobs import defer

MAX_FILTER_LENGTH = 2000
# Not a filter of what is mailed: an alert is about changes from now on.
NOT_FOR_ALERTS = {"updated_since"}


def normalise_email(text: str) -> str:
    """An address as stored: trimmed and lower-cased (ValidationError naming it if it is not one)."""
    email = (text or "").strip()
    if not email:
        raise ValidationError("Give an e-mail address.", code="required")
    if len(email) > 254 or "\x00" in email:
        raise ValidationError("This is not an e-mail address.", code="invalid")
    EmailValidator(message="This is not an e-mail address.")(email)
    return email.lower()


def parse_search(text: str) -> Filtered:
    """A saved search's filter in the API's statement filter language, validated like the API's
    (an unknown or repeated parameter, or a bad value, is an error naming it); public speakers
    and topics only. `.query()` is its canonical spelling."""
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError({"filter": [f"At most {MAX_FILTER_LENGTH} characters."]})
    data = QueryDict(text.strip().lstrip("?"))
    errors: dict[str, list[str]] = {}
    for name in data:
        if name in NOT_FOR_ALERTS:
            errors[name] = ["Not an alert filter: an alert tells of changes from now on."]
        elif name not in FILTER_NAMES:
            errors[name[:100]] = [f"Unknown parameter. An alert's filter accepts: {', '.join(FILTER_NAMES)}."]
        elif len(data.getlist(name)) > 1 and name not in LIST_FILTERS:
            errors[name] = ["Given more than once; give it once."]
    if errors:
        raise FilterError(errors)
    return filtered_from(data)


def alert_sign_up(*, email: str, frequency: str, search: Filtered) -> Alert:
    """Follow `search` at `frequency` from `email` (already normalised): the alert (new, or the
    address's existing one on that search, its frequency updated) and its confirmation e-mail
    deferred to the worker. Whether the address already followed anything is never answered:
    the caller says the same thing either way, and only the mailbox learns more."""
    from statements.alerts.tasks import send_confirmation

    if frequency not in Frequency.values:
        raise ValidationError(f"Choose one of {', '.join(Frequency.values)}.", code="frequency")
    with transaction.atomic(using=PRIMARY):
        saved, _ = SavedSearch.objects.using(PRIMARY).get_or_create(filter=search.query())
        address, _ = Address.objects.using(PRIMARY).get_or_create(email=email)
        alert, created = Alert.objects.using(PRIMARY).get_or_create(
            address=address, search=saved, defaults={"frequency": frequency}
        )
        if not created and alert.confirmed_at is None and alert.frequency != frequency:
            alert.frequency = frequency
            alert.save(using=PRIMARY, update_fields=["frequency", "updated_at"])
        defer(send_confirmation, alert_id=alert.pk, frequency=frequency)
    return alert


def alert_confirm(*, alert_id: int, frequency: str | None = None) -> Alert | None:
    """The link was followed and its button pressed: the alert is confirmed (again: its frequency
    is the one asked for) and its address unpaused (its mail arrived). None if it is gone."""
    with transaction.atomic(using=PRIMARY):
        alert = Alert.objects.using(PRIMARY).select_for_update().select_related("address").filter(pk=alert_id).first()
        if alert is None:
            return None
        now = timezone.now()
        if alert.confirmed_at is None:
            alert.confirmed_at = now
        if frequency in Frequency.values:
            alert.frequency = frequency
        alert.save(using=PRIMARY)
        address = alert.address
        if address.paused_at is not None:
            address.paused_at, address.paused_reason = None, ""
            address.save(using=PRIMARY)
        return alert


def alert_unsubscribe(*, alert_id: int) -> bool:
    """Stop the alert (its pending items and what it was sent go with it); False if it was gone."""
    with transaction.atomic(using=PRIMARY):
        deleted, _ = Alert.objects.using(PRIMARY).filter(pk=alert_id).delete()
    return bool(deleted)


def address_pause(*, address_id: int, reason: str) -> None:
    """The address's mail is refused for good: send it nothing (its pending items are dropped)
    until it confirms a sign-up again."""
    from statements.alerts.models import AlertItem

    with transaction.atomic(using=PRIMARY):
        Address.objects.using(PRIMARY).filter(pk=address_id, paused_at__isnull=True).update(
            paused_at=timezone.now(), paused_reason=reason.strip()[:2000] or "refused", updated_at=timezone.now()
        )
        AlertItem.objects.using(PRIMARY).filter(alert__address_id=address_id).delete()
