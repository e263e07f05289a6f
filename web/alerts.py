"""`/alerts/`: follow a search by e-mail (SPEC §11): sign up, confirm, unsubscribe, manage.

The follow form sits on public pages that shared caches keep (no session, no CSRF cookie), so
the sign-up takes no CSRF token: a forged sign-up can do no more than the form itself, one
confirmation e-mail to an address, and sign-ups are rate-limited per address and per client.
Every other write needs a signed link (statements/alerts/tokens.py): the confirmation and the
manage pages also take Django's CSRF token (they are rendered per visitor); the unsubscribe URL
takes a one-click POST from a mail client (RFC 8058), which has no token to send.

Sign-up answers the same page whether or not the address follows anything; an address past its
own limit gets that page too (and no e-mail): only a client past its limit is told (429).
A link scanner fetching a confirmation or unsubscribe link changes nothing: GET shows a button.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from api.middleware import client_address, parse_rate
from statements.alerts import services, tokens
from statements.alerts.mail import search_in_words
from statements.alerts.models import Address, Alert, Frequency
from statements.filtering import FilterError

logger = logging.getLogger(__name__)
NO_STORE = "no-store"


def _page(request, template: str, context: dict, status: int = 200):
    response = render(request, f"web/alerts/{template}.html", {"section": "alerts", **context}, status=status)
    response["Cache-Control"] = NO_STORE  # personal pages: never kept by a shared cache
    # The signed link stays out of other sites' Referer: the site's own policy (same-origin)
    # does that; no-referrer would also make the browser send "Origin: null" with the Confirm
    # button's POST, which the CSRF check refuses.
    return response


def within_rate(kind: str, who: str, rate: str) -> bool:
    """Counts one sign-up for `who` against `rate` ("3/hour") in the shared cache; False past it."""
    limit, window = parse_rate(rate)
    digest = hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    key = f"alerts-signup:{kind}:{digest}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window + 1)
        used = 1
    return used <= limit


def _form_errors(email: str, frequency: str, filter_text: str) -> tuple[dict, object]:
    errors, search = {}, None
    try:
        email = services.normalise_email(email)
    except ValidationError as exc:
        errors["email"] = exc.messages
    if frequency not in Frequency.values:
        errors["frequency"] = [f"Choose one of {', '.join(Frequency.values)}."]
    try:
        search = services.parse_search(filter_text)
    except FilterError as exc:
        errors.update({f"filter: {name}": messages for name, messages in exc.errors.items()})
    return errors, (email, search)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request):
    """GET: the follow form for `?filter=…` on a page of its own. POST: sign up."""
    data = request.POST if request.method == "POST" else request.GET
    filter_text = data.get("filter", "")
    context = {"follow_query": filter_text, "frequencies": Frequency.choices}
    if request.method != "POST":
        try:
            search = services.parse_search(filter_text)
        except FilterError as exc:
            errors = {f"filter: {name}": messages for name, messages in exc.errors.items()}
            return _page(request, "follow", context | {"errors": errors}, status=400)
        return _page(request, "follow", context | {"search": search_in_words(search.query())})
    errors, (email, search) = _form_errors(data.get("email", ""), data.get("frequency", ""), filter_text)
    if errors:
        kept = {"email": data.get("email", ""), "frequency": data.get("frequency", "")}
        return _page(request, "follow", context | {"errors": errors, **kept}, status=400)
    if not within_rate("client", client_address(request) or "unknown", settings.ALERTS_SIGNUP_RATE_PER_CLIENT):
        return _page(request, "follow", context | {"too_many": True}, status=429)
    if within_rate("address", email, settings.ALERTS_SIGNUP_RATE_PER_ADDRESS):
        services.alert_sign_up(email=email, frequency=data["frequency"], search=search)
    else:
        logger.info("sign-up for an address past its limit: no e-mail sent")
    return _page(request, "check_inbox", {"search": search_in_words(search.query())})


def _bad_link(request, exc: tokens.BadLink):
    return _page(request, "bad_link", {"message": str(exc), "expired": exc.expired}, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    """GET: what is being confirmed, and a Confirm button. POST (that button): confirmed."""
    try:
        payload = tokens.read(tokens.CONFIRM, token)
    except tokens.BadLink as exc:
        return _bad_link(request, exc)
    alert = Alert.objects.select_related("search", "address").filter(pk=payload["id"]).first()
    if alert is None:
        return _bad_link(request, tokens.BadLink("This alert was stopped since: sign up again to follow the search."))
    frequency = payload.get("f") if payload.get("f") in Frequency.values else alert.frequency
    context = {
        "alert": alert,
        "search": search_in_words(alert.search.filter),
        "frequency": Frequency(frequency).label,
        "manage_url": None,
    }
    if request.method == "POST":
        alert = services.alert_confirm(alert_id=alert.pk, frequency=frequency)
        if alert is None:  # stopped between the two reads
            return _bad_link(request, tokens.BadLink("This alert was stopped: sign up again to follow the search."))
        context["manage_url"] = _manage_path(alert.address_id)
        return _page(request, "confirmed", context)
    return _page(request, "confirm", context)


def _manage_path(address_id: int) -> str:
    return reverse("alerts-manage", args=[tokens.make(tokens.MANAGE, address_id)])


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """GET: an Unsubscribe button. POST (that button, or a mail client's one-click
    `List-Unsubscribe=One-Click`, RFC 8058): unsubscribed."""
    try:
        payload = tokens.read(tokens.UNSUBSCRIBE, token)
    except tokens.BadLink as exc:
        return _bad_link(request, exc)
    alert = Alert.objects.select_related("search").filter(pk=payload["id"]).first()
    if request.method == "POST":
        if alert is not None:
            services.alert_unsubscribe(alert_id=alert.pk)
        return _page(request, "unsubscribed", {"search": search_in_words(alert.search.filter) if alert else ""})
    if alert is None:
        return _page(request, "unsubscribed", {"search": ""})
    return _page(request, "unsubscribe", {"search": search_in_words(alert.search.filter)})


@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token: str):
    """An address's alerts, each with a Remove button (POST `alert`)."""
    try:
        address_id = tokens.read(tokens.MANAGE, token)["id"]
    except tokens.BadLink as exc:
        return _bad_link(request, exc)
    address = Address.objects.filter(pk=address_id).first()
    if request.method == "POST":
        alert_id = request.POST.get("alert", "")
        if alert_id.isdigit() and address and address.alerts.filter(pk=int(alert_id)).exists():
            services.alert_unsubscribe(alert_id=int(alert_id))
        return redirect(request.path)
    alerts = list(address.alerts.select_related("search").order_by("id")) if address else []
    rows = [
        {"alert": alert, "search": search_in_words(alert.search.filter), "filter": alert.search.filter}
        for alert in alerts
    ]
    return _page(request, "manage", {"address": address, "rows": rows})
