"""Signed links of the alerts (django.core.signing, keyed by SECRET_KEY, one salt per purpose):
confirming a sign-up (expires after ALERTS_CONFIRM_DAYS), unsubscribing from one alert (never
expires: RFC 8058 wants the link in an old e-mail to work) and managing an address's alerts
(expires after ALERTS_MANAGE_DAYS; every e-mail carries a fresh one)."""

import datetime

from django.conf import settings
from django.core import signing

CONFIRM, UNSUBSCRIBE, MANAGE = "alerts.confirm", "alerts.unsubscribe", "alerts.manage"


class BadLink(Exception):
    """A link that was altered, cut short, is for something else, or has expired (`expired`)."""

    def __init__(self, message: str, expired: bool = False):
        super().__init__(message)
        self.expired = expired


def make(purpose: str, pk: int, **extra) -> str:
    """A signed token for `purpose` carrying the id `pk` (and `extra` short values)."""
    return signing.dumps({"id": pk, **extra}, salt=purpose)


def _max_age(purpose: str) -> datetime.timedelta | None:
    days = {CONFIRM: settings.ALERTS_CONFIRM_DAYS, MANAGE: settings.ALERTS_MANAGE_DAYS}.get(purpose)
    return datetime.timedelta(days=days) if days else None


def read(purpose: str, token: str) -> dict:
    """What a `purpose` link carries (`id`, and the extras it was made with), or BadLink."""
    try:
        payload = signing.loads(token, salt=purpose, max_age=_max_age(purpose))
    except signing.SignatureExpired as exc:
        raise BadLink("This link has expired.", expired=True) from exc
    except signing.BadSignature as exc:
        raise BadLink("This link is not valid: it may have been cut short when it was copied.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
        raise BadLink("This link is not valid.")
    return payload
