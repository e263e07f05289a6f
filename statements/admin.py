"""Django admin for editors: statements with their sources, and the records they point to."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from statements.models import Government, Source, Speaker, Statement, Topic


class SourceInline(admin.TabularInline):
    model = Source
    fields = ["position", "url", "publisher", "archived_url", "accessed_on"]
    extra = 0
    min_num = 1

    def get_formset(self, request, obj=None, **kwargs):
        # min_num only shows one empty form; validate_min makes "at least one source" a rule.
        return super().get_formset(request, obj, validate_min=True, **kwargs)


@admin.register(Statement)
class StatementAdmin(SimpleHistoryAdmin):
    inlines = [SourceInline]
    autocomplete_fields = ["speaker", "government", "topic"]
    radio_fields = {"stance": admin.VERTICAL, "status": admin.HORIZONTAL, "date_precision": admin.HORIZONTAL}
    list_display = ["id", "said_on", "speaker", "government", "topic", "stance", "status", "excerpt"]
    list_display_links = ["id", "said_on"]
    list_filter = ["status", "government", "stance", "topic", "language", "date_precision"]
    list_select_related = ["speaker", "government", "topic"]
    search_fields = ["quote", "speaker__name"]
    date_hierarchy = "said_on"
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["speaker", "role", "organization", "government", "topic"]}),
        ("When", {"fields": ["said_on", "date_precision", "published_on"]}),
        ("What", {"fields": ["quote", "language", "is_translation", "stance", "context"]}),
        ("Review", {"fields": ["status", "created_at", "updated_at"]}),
    ]
    history_list_display = ["status", "stance"]

    @admin.display(description="Quote")
    def excerpt(self, statement: Statement) -> str:
        return statement.quote if len(statement.quote) <= 80 else f"{statement.quote[:79]}…"


@admin.register(Speaker)
class SpeakerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "kind", "wikidata_id"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "wikidata_id"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Government)
class GovernmentAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Topic)
class TopicAdmin(SimpleHistoryAdmin):
    list_display = ["slug", "title", "target_group"]
    search_fields = ["slug", "title", "description"]
    prepopulated_fields = {"slug": ["title"]}
