"""E-mail alerts: a saved search (a normalised statement filter, shared by everyone following
it), an address, an alert (an address following a search at a frequency, once confirmed), the
items due to it and the statements already mailed to it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("As it happens")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")


class SavedSearch(models.Model):
    """A statement filter in the API's filter language, in its canonical spelling
    (statements/filtering.py `Filtered.query`): two people following the same search, however
    they wrote it, share one row. Empty: every statement."""

    filter = models.TextField(unique=True, blank=True, help_text="e.g. government=DE,FI&stance=restrictive")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "saved searches"
        ordering = ["filter"]

    def __str__(self) -> str:
        return self.filter or "(every statement)"


class Address(models.Model):
    """An e-mail address (stored lower-cased). Paused when its mail is refused permanently:
    nothing is queued or sent to it until it confirms a sign-up again."""

    email = models.EmailField(max_length=254, unique=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.TextField(blank=True, help_text="The mail server's answer that paused it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(email=models.functions.Lower("email")), name="%(app_label)s_%(class)s_email_lower"
            ),
            models.CheckConstraint(
                condition=Q(paused_at__isnull=True) | ~Q(paused_reason=""),
                name="%(app_label)s_%(class)s_paused_with_reason",
                violation_error_message="A paused address says why.",
            ),
        ]

    def __str__(self) -> str:
        return self.email + (" (paused)" if self.paused_at else "")


class Alert(models.Model):
    """An address following a saved search. Nothing but its confirmation e-mail is sent until
    `confirmed_at`; from then on the events matching its search are mailed to it."""

    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="alerts")
    search = models.ForeignKey(SavedSearch, on_delete=models.PROTECT, related_name="alerts")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True, help_text="The last alert or digest mailed.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["address", "search"]
        constraints = [
            models.UniqueConstraint(fields=["address", "search"], name="%(app_label)s_%(class)s_once"),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="%(app_label)s_%(class)s_frequency_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["search"], condition=Q(confirmed_at__isnull=False), name="alerts_alert_confirmed"),
        ]

    def __str__(self) -> str:
        state = self.frequency if self.confirmed_at else "unconfirmed"
        return f"{self.address.email} follows {self.search} ({state})"


class AlertItem(models.Model):
    """An event matching a confirmed alert's search, not mailed yet: sent as it happens or in
    the next digest, then deleted (what was mailed is in SeenItem)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="items")
    event = models.ForeignKey("statements.Event", on_delete=models.PROTECT, related_name="alert_items")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["alert", "event"]
        constraints = [models.UniqueConstraint(fields=["alert", "event"], name="%(app_label)s_%(class)s_once")]

    def __str__(self) -> str:
        return f"event {self.event_id} for alert {self.alert_id}"


class SeenItem(models.Model):
    """A statement mailed to an alert (at most once), the event whose version was mailed, and
    whether its retraction was mailed since."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="seen")
    statement = models.ForeignKey("statements.Statement", on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey("statements.Event", on_delete=models.PROTECT, related_name="+")
    retraction_mailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was mailed.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["alert", "statement"]
        constraints = [models.UniqueConstraint(fields=["alert", "statement"], name="%(app_label)s_%(class)s_once")]

    def __str__(self) -> str:
        return f"statement {self.statement_id} mailed to alert {self.alert_id}"
