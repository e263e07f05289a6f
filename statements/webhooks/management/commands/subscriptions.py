"""`manage.py subscriptions add|list|disable|enable|rotate-secret`: webhook subscriptions (SPEC §10).

`add` and `rotate-secret` print the secret (whsec_…) alone on their last line, for scripts:
`secret=$(./dev manage subscriptions add … | tail -n 1)`.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from statements.events import EventType
from statements.filtering import FilterError
from statements.webhooks import services
from statements.webhooks.models import DeliveryStatus, Subscription


class Command(BaseCommand):
    help = "Manage webhook subscriptions: add, list, disable, enable, rotate-secret."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        add = commands.add_parser("add", help="Add a subscription; prints its secret on the last line.")
        add.add_argument("name")
        add.add_argument("url", help="https://… (http only to loopback, with DJANGO_DEBUG).")
        add.add_argument(
            "--filter", default="", help="The API's statement filters, e.g. 'government=DE,FI&stance=restrictive'."
        )
        add.add_argument(
            "--events", default="", help=f"Comma-separated event types (default: all): {', '.join(EventType.values)}."
        )
        commands.add_parser("list", help="Each subscription: state, last success, failures, pending deliveries.")
        disable = commands.add_parser("disable", help="Stop delivering to a subscription.")
        disable.add_argument("name")
        disable.add_argument("--reason", default="disabled by staff (manage.py subscriptions disable)")
        enable = commands.add_parser("enable", help="Deliver again, from the oldest pending delivery.")
        enable.add_argument("name")
        rotate = commands.add_parser(
            "rotate-secret", help="A new secret; the old one also signs for 24 hours. Prints the new one."
        )
        rotate.add_argument("name")

    def handle(self, *args, command, **options):
        try:
            getattr(self, command.replace("-", "_"))(**options)
        except FilterError as exc:
            raise CommandError(f"--filter: {exc}") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(_messages(exc))) from exc

    def add(self, *, name, url, filter, events, **_options):
        types = [t.strip() for t in events.split(",") if t.strip()] or None
        subscription = services.subscription_add(name=name, url=url, filter=filter, event_types=types)
        self.stdout.write(f"Added subscription {subscription.name!r} → {subscription.url}")
        self.stdout.write(f"  events: {', '.join(subscription.event_types)}")
        self.stdout.write(f"  filter: {subscription.filter or '(every statement)'}")
        self.stdout.write("Its signing secret (shown once; give it to the receiver):")
        self.stdout.write(subscription.secret)

    def list(self, **_options):
        rows = Subscription.objects.annotate(
            pending=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING))
        ).order_by("name")
        if not rows:
            self.stdout.write("No subscriptions.")
        for s in rows:
            success = f"{s.last_success_at:%Y-%m-%d %H:%M:%S} UTC" if s.last_success_at else "never"
            self.stdout.write(
                f"{s.name}\t{s.state}\t{s.url}\tlast success: {success}\tfailures in a row: {s.failures}"
                f"\tpending: {s.pending}\tevents: {','.join(s.event_types)}\tfilter: {s.filter or '-'}"
            )

    def disable(self, *, name, reason, **_options):
        subscription = services.subscription_disable(subscription=_named(name), reason=reason)
        self.stdout.write(f"Disabled {subscription.name!r}: {subscription.disabled_reason}")

    def enable(self, *, name, **_options):
        subscription = services.subscription_enable(subscription=_named(name))
        self.stdout.write(f"Enabled {subscription.name!r}.")

    def rotate_secret(self, *, name, **_options):
        subscription = services.subscription_rotate_secret(subscription=_named(name))
        until = f"{subscription.previous_secret_until:%Y-%m-%d %H:%M} UTC"
        self.stdout.write(f"New secret for {subscription.name!r}; the old one also signs until {until}:")
        self.stdout.write(subscription.secret)


def _named(name: str) -> Subscription:
    try:
        return Subscription.objects.get(name=name)
    except Subscription.DoesNotExist as exc:
        raise CommandError(f"No subscription is named {name!r} (see `subscriptions list`).") from exc


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{field}: {message}" for field, errors in exc.message_dict.items() for message in errors]
    return exc.messages
