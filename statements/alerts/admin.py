"""Admin for e-mail alerts: what people follow, each address (paused or not) and its alerts.
Read-mostly: sign-ups go through the double opt-in of the public pages, never through staff;
staff may stop an alert or unpause an address."""

from django.contrib import admin, messages

from statements.alerts import services
from statements.alerts.models import Address, Alert, SavedSearch


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "followers", "created_at"]
    search_fields = ["filter"]
    readonly_fields = ["filter", "created_at", "updated_at"]

    @admin.display(description="Confirmed alerts")
    def followers(self, search: SavedSearch) -> int:
        return search.alerts.filter(confirmed_at__isnull=False).count()

    def has_add_permission(self, request):
        return False


class AlertInline(admin.TabularInline):
    model = Alert
    fields = ["search", "frequency", "confirmed_at", "last_sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["email", "paused_at", "paused_reason", "created_at"]
    list_filter = [("paused_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    readonly_fields = ["email", "paused_at", "paused_reason", "created_at", "updated_at"]
    inlines = [AlertInline]
    actions = ["unpause"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Unpause (send to these addresses again)")
    def unpause(self, request, queryset):
        count = queryset.filter(paused_at__isnull=False).update(paused_at=None, paused_reason="")
        self.message_user(request, f"{count} address(es) unpaused.", messages.SUCCESS)


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["address", "search", "frequency", "confirmed_at", "last_sent_at"]
    list_filter = ["frequency", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["address__email", "search__filter"]
    readonly_fields = ["address", "search", "frequency", "confirmed_at", "last_sent_at", "created_at", "updated_at"]
    actions = ["stop"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Stop these alerts (as if unsubscribed)")
    def stop(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        for pk in ids:
            services.alert_unsubscribe(alert_id=pk)
        self.message_user(request, f"{len(ids)} alert(s) stopped.", messages.SUCCESS)
