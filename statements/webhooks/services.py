"""Writes of subscriptions and deliveries: add, disable, enable, rotate the secret, redeliver.
The admin and `manage.py subscriptions` call these."""

import base64
import datetime
import ipaddress
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from statements.events import PRIMARY, EventType
from statements.filtering import FILTER_NAMES, LIST_FILTERS, Filtered, FilterError, filtered_from
from statements.jobs import defer_many
from statements.listing import Selection
from statements.webhooks.models import Delivery, DeliveryStatus, Subscription
from statements.webhooks.outbound import Refused, forbidden, parse_target

ROTATION_OVERLAP = datetime.timedelta(hours=24)
# Not a filter of what is pushed: a subscription is about changes from now on.
NOT_FOR_SUBSCRIPTIONS = {"updated_since"}


def generate_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64 (the key is the bytes)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def parse_filter(text: str) -> Filtered:
    """A subscription's filter in the API's statement filter language, validated like the API's:
    an unknown or repeated parameter, or a bad value, is an error naming it."""
    data = QueryDict(text.strip().lstrip("?"))
    errors: dict[str, list[str]] = {}
    for name in data:
        if name in NOT_FOR_SUBSCRIPTIONS:
            errors[name] = ["Not a subscription filter: a subscription is told of changes from now on."]
        elif name not in FILTER_NAMES:
            errors[name[:100]] = [f"Unknown parameter. A subscription filter accepts: {', '.join(FILTER_NAMES)}."]
        elif len(data.getlist(name)) > 1 and name not in LIST_FILTERS:
            errors[name] = ["Given more than once; give it once."]
    if errors:
        raise FilterError(errors)
    return filtered_from(data, public=False)


def subscription_selection(subscription: Subscription) -> Selection:
    """The statements `subscription` follows (FilterError if its filter no longer validates)."""
    return filtered_from(QueryDict(subscription.filter), public=False).selection


def check_url(url: str) -> str:
    """A target URL: https (http only to a loopback address with DJANGO_DEBUG, for local work);
    an address written in the URL must be public unless WEBHOOKS_ALLOW_PRIVATE_TARGETS. Names
    are resolved and checked at every attempt, not here (what they resolve to changes)."""
    try:
        target = parse_target(url)
    except Refused as exc:
        raise ValidationError(f"The URL is refused: {exc}.", code="url") from exc
    literal = _address(target.host)
    loopback = target.host == "localhost" or (literal is not None and literal.is_loopback)
    if target.scheme == "http" and not (settings.DEBUG and loopback):
        raise ValidationError("Use https (http is only for a loopback address in local development).", code="url")
    if literal is not None and not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        reason = forbidden(str(literal))
        if reason:
            raise ValidationError(
                f"The URL is refused: {literal} is {reason} (WEBHOOKS_ALLOW_PRIVATE_TARGETS is off).", code="url"
            )
    return url


def _address(host: str):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_event_types(types) -> list[str]:
    types = list(dict.fromkeys(types or EventType.values))
    unknown = [t for t in types if t not in EventType.values]
    if unknown:
        raise ValidationError(
            f"Unknown event type {', '.join(unknown)}; use {', '.join(EventType.values)}.", code="events"
        )
    return types


def subscription_add(*, name: str, url: str, filter: str = "", event_types=None) -> Subscription:
    """A new active subscription with a new secret (`subscription.secret`, shown once)."""
    subscription = Subscription(
        name=name.strip(),
        url=check_url(url.strip()),
        filter=parse_filter(filter).query(),
        event_types=check_event_types(event_types),
        secret=generate_secret(),
    )
    subscription.full_clean()
    subscription.save(using=PRIMARY)
    return subscription


def subscription_disable(*, subscription: Subscription, reason: str) -> Subscription:
    """Stop sending to it (pending deliveries wait; new events are not queued for it)."""
    with transaction.atomic(using=PRIMARY):
        subscription = Subscription.objects.using(PRIMARY).select_for_update().get(pk=subscription.pk)
        if subscription.is_active:
            subscription.is_active = False
            subscription.disabled_at = timezone.now()
            subscription.disabled_reason = reason.strip()[:2000] or "disabled"
            subscription.save(using=PRIMARY)
        return subscription


def subscription_enable(*, subscription: Subscription) -> Subscription:
    """Send again, from its oldest pending delivery (its failure count starts again at 0)."""
    with transaction.atomic(using=PRIMARY):
        subscription = Subscription.objects.using(PRIMARY).select_for_update().get(pk=subscription.pk)
        subscription.is_active, subscription.disabled_at, subscription.disabled_reason = True, None, ""
        subscription.failures = 0
        subscription.save(using=PRIMARY)
        pending = subscription.deliveries.filter(status=DeliveryStatus.PENDING)
        pending.update(next_attempt_at=timezone.now(), attempts=0)
        if pending.exists():
            _defer_deliveries([subscription.pk])
        return subscription


def subscription_rotate_secret(*, subscription: Subscription) -> Subscription:
    """A new secret; for ROTATION_OVERLAP, deliveries are signed with the old one too, so the
    receiver can switch over without losing a delivery (`subscription.secret` is the new one)."""
    with transaction.atomic(using=PRIMARY):
        subscription = Subscription.objects.using(PRIMARY).select_for_update().get(pk=subscription.pk)
        subscription.previous_secret = subscription.secret
        subscription.previous_secret_until = timezone.now() + ROTATION_OVERLAP
        subscription.secret = generate_secret()
        subscription.save(using=PRIMARY)
        return subscription


def signing_secrets(subscription: Subscription, now: datetime.datetime) -> list[str]:
    """The secrets a delivery made at `now` is signed with: the current one, and the previous one
    during the overlap after a rotation."""
    keys = [subscription.secret]
    if subscription.previous_secret and subscription.previous_secret_until and now < subscription.previous_secret_until:
        keys.append(subscription.previous_secret)
    return keys


def delivery_redeliver(*, deliveries) -> int:
    """Queue these deliveries again (delivered or failed ones included) for a fresh round of
    attempts, now; returns how many. Deliveries of disabled subscriptions wait for it to be
    enabled."""
    with transaction.atomic(using=PRIMARY):
        rows = list(Delivery.objects.using(PRIMARY).select_for_update().filter(pk__in=[d.pk for d in deliveries]))
        Delivery.objects.using(PRIMARY).filter(pk__in=[d.pk for d in rows]).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), delivered_at=None
        )
        _defer_deliveries(sorted({d.subscription_id for d in rows}))
        return len(rows)


def _defer_deliveries(subscription_ids: list[int]) -> None:
    from statements.webhooks.tasks import deliver

    defer_many(deliver, [{"subscription_id": pk} for pk in subscription_ids])
