"""Admin for webhook subscriptions (create, disable, enable, rotate the secret) and their
deliveries (every attempt, "redeliver"). Writes go through webhooks/services.py."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from statements.events import EventType
from statements.filtering import FilterError
from statements.webhooks import services
from statements.webhooks.models import Attempt, Delivery, Subscription


class SubscriptionForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=EventType.values,
        help_text="The events it wants.",
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "event_types", "filter"]

    def clean_url(self):
        return services.check_url(self.cleaned_data["url"].strip())

    def clean_filter(self):
        try:
            return services.parse_filter(self.cleaned_data["filter"]).query()
        except FilterError as exc:
            raise ValidationError([f"{name}: {' '.join(errors)}" for name, errors in exc.errors.items()]) from exc


def _secret_page(request, subscription: Subscription, title: str, intro: str) -> TemplateResponse:
    context = {
        **admin.site.each_context(request),
        "title": title,
        "intro": intro,
        "subscription": subscription,
        "opts": Subscription._meta,
    }
    return TemplateResponse(request, "admin/webhooks/secret.html", context)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "url", "state", "events", "filter", "last_success_at", "failures", "deliveries_link"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = [
        "is_active",
        "disabled_at",
        "disabled_reason",
        "failures",
        "last_success_at",
        "last_failure_at",
        "previous_secret_until",
        "created_at",
        "updated_at",
        "deliveries_link",
    ]
    actions = ["disable", "enable", "rotate_secret"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            obj.secret = services.generate_secret()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        return _secret_page(
            request, obj, "Subscription added", f"Subscription {obj.name} is active: new events go to {obj.url}."
        )

    @admin.display(description="State")
    def state(self, subscription: Subscription) -> str:
        return subscription.state

    @admin.display(description="Events")
    def events(self, subscription: Subscription) -> str:
        return ", ".join(t.removeprefix("statement.") for t in subscription.event_types)

    @admin.display(description="Deliveries")
    def deliveries_link(self, subscription: Subscription) -> str:
        url = reverse("admin:webhooks_delivery_changelist") + f"?subscription__id__exact={subscription.pk}"
        return format_html('<a href="{}">deliveries and attempts</a>', url)

    @admin.action(description="Disable the selected subscriptions")
    def disable(self, request, queryset):
        for subscription in queryset:
            services.subscription_disable(
                subscription=subscription, reason=f"disabled by {request.user.get_username()} in the admin"
            )
        self.message_user(request, f"{queryset.count()} subscription(s) disabled.", messages.SUCCESS)

    @admin.action(description="Enable the selected subscriptions (pending deliveries go out in order)")
    def enable(self, request, queryset):
        for subscription in queryset:
            services.subscription_enable(subscription=subscription)
        self.message_user(request, f"{queryset.count()} subscription(s) enabled.", messages.SUCCESS)

    @admin.action(description="Rotate the secret of the selected subscription (the old one signs for 24 h more)")
    def rotate_secret(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Rotate one subscription's secret at a time.", messages.WARNING)
            return None
        subscription = services.subscription_rotate_secret(subscription=queryset.get())
        return _secret_page(
            request, subscription, "New secret", f"Subscription {subscription.name} has a new signing secret."
        )


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ["attempted_at", "succeeded", "status_code", "latency_ms", "address", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "subscription", "event_link", "event_type", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "subscription", "event__type"]
    list_select_related = ["subscription", "event"]
    readonly_fields = [
        "subscription",
        "event_link",
        "event_type",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    ]
    fields = readonly_fields
    inlines = [AttemptInline]
    actions = ["redeliver"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("event__images", "event__search_vector")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Event", ordering="event_id")
    def event_link(self, delivery: Delivery) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("api:event-detail", args=[delivery.event_id]), delivery.event_id
        )

    @admin.display(description="Type")
    def event_type(self, delivery: Delivery) -> str:
        return delivery.event.type

    @admin.action(description="Redeliver the selected deliveries")
    def redeliver(self, request, queryset):
        count = services.delivery_redeliver(deliveries=list(queryset))
        self.message_user(request, f"{count} deliveries queued again.", messages.SUCCESS)
