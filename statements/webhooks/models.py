"""Webhooks: subscriptions, their deliveries (one per subscription and event: the truth of what is due) and
every attempt made."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from statements.events import EventType
from statements.models import NOT_BLANK_PATTERN


def all_event_types() -> list[str]:
    return list(EventType.values)


class Subscription(models.Model):
    """A newsroom system told of every event it wants (types) about the statements it follows
    (a filter in the API's statement filter language), at its URL, signed with its secret."""

    name = models.CharField(max_length=100, unique=True, help_text="How staff and the command name it.")
    url = models.URLField(max_length=2000, help_text="https://… (http only to loopback, for local development).")
    secret = models.CharField(max_length=100, editable=False, help_text="whsec_…: signs every delivery.")
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Until then, deliveries are signed with both secrets."
    )
    event_types = ArrayField(
        models.CharField(max_length=30, choices=EventType.choices),
        default=all_event_types,
        help_text="The events it wants.",
    )
    filter = models.TextField(
        blank=True,
        help_text="The API's statement filters, e.g. government=DE,FI&stance=restrictive (empty: every statement).",
    )
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Failed attempts in a row (a success resets it).")
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(name__regex=NOT_BLANK_PATTERN), name="%(app_label)s_%(class)s_name_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(url__regex=r"^https?://[^[:space:]]+$"), name="%(app_label)s_%(class)s_url_http"
            ),
            models.CheckConstraint(
                condition=Q(secret__startswith="whsec_"), name="%(app_label)s_%(class)s_secret_shape"
            ),
            models.CheckConstraint(
                condition=Q(event_types__contained_by=EventType.values) & Q(event_types__len__gt=0),
                name="%(app_label)s_%(class)s_event_types_known",
            ),
            models.CheckConstraint(
                condition=Q(is_active=True) | (Q(disabled_at__isnull=False) & ~Q(disabled_reason="")),
                name="%(app_label)s_%(class)s_disabled_with_reason",
                violation_error_message="A disabled subscription says when and why.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def state(self) -> str:
        return "active" if self.is_active else f"disabled: {self.disabled_reason}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event for one subscription. Pending deliveries of a subscription go out one at a time,
    in event order; a failed attempt is retried at `next_attempt_at`."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("statements.Event", on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Attempts since it was (re)queued.")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-event_id", "subscription_id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="%(app_label)s_%(class)s_once"),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(next_attempt_at__isnull=False),
                name="%(app_label)s_%(class)s_pending_has_time",
            ),
        ]
        indexes = [
            # A subscription's queue, in event order (the drain), and what is due (the sweep).
            models.Index(
                fields=["subscription", "event"], condition=Q(status="pending"), name="webhooks_delivery_queue"
            ),
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhooks_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"event {self.event_id} to {self.subscription}: {self.status}"


class Attempt(models.Model):
    """One POST of a delivery (or its refusal before any byte was sent): when, the answer's
    status code, how long it took, and what went wrong. Never the response's body."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    address = models.CharField(max_length=64, blank=True, help_text="The address connected to.")
    error = models.TextField(blank=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        outcome = self.status_code or self.error or "no answer"
        return f"attempt of {self.delivery_id} at {self.attempted_at:%Y-%m-%d %H:%M:%S}: {outcome}"
