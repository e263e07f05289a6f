"""The alerts' e-mails: the confirmation, and an alert or a digest, each with a plain-text and an
HTML part (Django templates: the HTML part escapes everything, every quote, name and link, as any
page does), List-Unsubscribe (an https link and a mailto) and List-Unsubscribe-Post (RFC 8058)."""

import email.policy
import json
from email.utils import parseaddr
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse

from statements.alerts import tokens
from statements.alerts.models import Alert, Frequency
from statements.filtering import FilterError, filtered_from
from statements.models import Correction, CorrectionKind

HEADLINES = {
    Frequency.IMMEDIATE: "New on the statement tracker",
    Frequency.DAILY: "Your daily digest",
    Frequency.WEEKLY: "Your weekly digest",
}


def site_root() -> str:
    """Links in e-mails are absolute, on the configured public address (TRACKER_SITE_URL)."""
    return settings.SITE_URL or settings.LOCAL_SITE_URL


def link(name: str, *args) -> str:
    return site_root() + reverse(name, args=args)


def search_in_words(filter_text: str) -> str:
    """ "government DE; stance restrictive", or "every statement"."""
    try:
        described = filtered_from(QueryDict(filter_text), public=False).describe()
    except FilterError:
        described = filter_text
    return described or "every statement"


def search_url(filter_text: str) -> str:
    return link("statements-page") + (f"?{filter_text}" if filter_text else "")


def unsubscribe_mailto(token: str) -> str:
    mailbox = settings.ALERTS_UNSUBSCRIBE_MAILTO or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return f"mailto:{mailbox}?subject={quote('unsubscribe ' + token)}"


# RFC 5322 allows 998 characters a line. At Python's default of 78, a List-Unsubscribe URL longer
# than a line (every one: it carries a signed token) is written as RFC 2047 encoded-words, which
# RFC 2369 and RFC 8058 readers (mail clients' unsubscribe buttons) do not decode. So the message
# is built at 78 (bodies quoted-printable in lines of 76, as RFC 2045 wants) and its headers are
# written at 998.
MAX_LINE = 998


class Message(EmailMultiAlternatives):
    def message(self, *, policy=email.policy.default):
        built = super().message(policy=policy)
        built.policy = policy.clone(max_line_length=MAX_LINE)
        return built


def _message(to: str, subject: str, template: str, context: dict, headers: dict | None = None):
    text = render_to_string(f"alerts/email/{template}.txt", context)
    html = render_to_string(f"alerts/email/{template}.html", context)
    message = Message(subject=subject, body=text, to=[to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message


def confirmation_message(alert: Alert, frequency: str) -> EmailMultiAlternatives:
    """The one e-mail an unconfirmed address gets: a link to a page with a Confirm button. An
    address that already follows the search is told so instead, with its "manage" link."""
    context = {
        "search": search_in_words(alert.search.filter),
        "search_url": search_url(alert.search.filter),
        "frequency": Frequency(frequency).label,
        "confirm_url": link("alerts-confirm", tokens.make(tokens.CONFIRM, alert.pk, f=frequency)),
        "manage_url": link("alerts-manage", tokens.make(tokens.MANAGE, alert.address_id)),
        "days": settings.ALERTS_CONFIRM_DAYS,
        "already": alert.confirmed_at is not None and alert.frequency == frequency,
    }
    subject = "You already follow this search" if context["already"] else "Confirm your e-mail alert"
    return _message(alert.address.email, subject, "confirm", context, {"Auto-Submitted": "auto-generated"})


def statement_at(event_id: int, occurred_at) -> dict:
    """The statement as the API's detail showed it at this event (the event log's own rendering)."""
    from api.events import webhook_body

    return json.loads(webhook_body(event_id, occurred_at))["data"]["statement"]


def retraction_reason(statement_id: int) -> str:
    note = (
        Correction.objects.filter(statement_id=statement_id, kind=CorrectionKind.RETRACTION)
        .order_by("-created_at", "-id")
        .values_list("note", flat=True)
        .first()
    )
    return note or ""


def _safe_sources(statement: dict) -> list[dict]:
    """Sources whose link is http(s): anything else is shown without a link."""
    return [
        {**source, "href": source["url"] if urlsplit(source.get("url") or "").scheme in ("http", "https") else ""}
        for source in statement.get("sources", [])
    ]


def entry(statement: dict, kind: str, reason: str = "") -> dict:
    """One statement of an alert: `kind` is "new" or "retracted"."""
    return {"kind": kind, "statement": statement, "sources": _safe_sources(statement), "reason": reason}


def _subject(alert: Alert, entries: list[dict]) -> str:
    return " ".join(_subject_text(alert, entries).split())[:250]  # one line, whatever the names hold


def _subject_text(alert: Alert, entries: list[dict]) -> str:
    search = search_in_words(alert.search.filter)
    if alert.frequency != Frequency.IMMEDIATE:
        count = len(entries)
        return f"{Frequency(alert.frequency).label}: {count} statement{'s' if count != 1 else ''} ({search})"
    if len(entries) == 1:
        statement = entries[0]["statement"]
        verb = "Retracted" if entries[0]["kind"] == "retracted" else "New statement"
        who = f"{statement['speaker']['name']} ({statement['government']['name']})"
        return f"{verb}: {who}, {statement['stance']} ({search})"
    return f"{len(entries)} statements ({search})"


def alert_message(alert: Alert, entries: list[dict]) -> EmailMultiAlternatives:
    """An alert (as it happens) or a digest: `entries` from entry()."""
    unsubscribe = tokens.make(tokens.UNSUBSCRIBE, alert.pk)
    unsubscribe_url = link("alerts-unsubscribe", unsubscribe)
    context = {
        "headline": HEADLINES[alert.frequency],
        "entries": entries,
        "search": search_in_words(alert.search.filter),
        "search_url": search_url(alert.search.filter),
        "frequency": Frequency(alert.frequency).label,
        "unsubscribe_url": unsubscribe_url,
        "manage_url": link("alerts-manage", tokens.make(tokens.MANAGE, alert.address_id)),
    }
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>, <{unsubscribe_mailto(unsubscribe)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"Statement tracker alerts <alerts.{urlsplit(site_root()).hostname or 'localhost'}>",
        "Auto-Submitted": "auto-generated",
    }
    return _message(alert.address.email, _subject(alert, entries), "alert", context, headers)
