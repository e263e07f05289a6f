"""`manage.py alerts list|unsubscribe`: e-mail alerts for staff (SPEC §11).

`unsubscribe` acts on what arrives at the List-Unsubscribe mailto: its subject is
"unsubscribe <token>"; give the token (that one alert stops) or an address (all of its alerts
stop)."""

from django.core.management.base import BaseCommand, CommandError

from statements.alerts import services, tokens
from statements.alerts.mail import search_in_words
from statements.alerts.models import Alert


class Command(BaseCommand):
    help = "E-mail alerts: list them, or unsubscribe (by the token of a List-Unsubscribe mailto, or an address)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        listing = commands.add_parser("list", help="Every alert (or an address's), with its state.")
        listing.add_argument("address", nargs="?", default="")
        stop = commands.add_parser("unsubscribe", help="Stop an alert (by its token) or every alert of an address.")
        stop.add_argument("token_or_address")

    def handle(self, *args, command, **options):
        if command == "list":
            self._list(options["address"])
        else:
            self._unsubscribe(options["token_or_address"].strip())

    def _list(self, address: str) -> None:
        alerts = Alert.objects.select_related("address", "search").order_by("address__email", "id")
        if address:
            alerts = alerts.filter(address__email=address.strip().lower())
        for alert in alerts:
            state = "confirmed" if alert.confirmed_at else "unconfirmed"
            if alert.address.paused_at:
                state += f", address paused: {alert.address.paused_reason}"
            self.stdout.write(
                f"{alert.address.email}\t{search_in_words(alert.search.filter)}\t{alert.frequency}\t{state}"
            )

    def _unsubscribe(self, given: str) -> None:
        if "@" in given:
            ids = list(Alert.objects.filter(address__email=given.lower()).values_list("pk", flat=True))
        else:
            try:
                ids = [tokens.read(tokens.UNSUBSCRIBE, given.removeprefix("unsubscribe").strip())["id"]]
            except tokens.BadLink as exc:
                raise CommandError(f"not an unsubscribe token: {exc}") from exc
        stopped = sum(services.alert_unsubscribe(alert_id=pk) for pk in ids)
        self.stdout.write(f"stopped {stopped} alert{'s' if stopped != 1 else ''}")
