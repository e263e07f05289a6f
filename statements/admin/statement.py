"""The statement admin: entry, review and correction of statements with their sources.

Every statement write goes through statements.services. The forms carry the version they were
opened at and lock the row while validating (statements/admin/forms.py); the workflow steps are
actions (statements/admin/workflow.py); status is never a field an editor sets.
"""

from django.contrib import admin
from django.db import OperationalError, transaction
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from statements import services
from statements.admin.forms import SourceFormSet, StatementForm, StatementListForm, TranslationFormSet
from statements.admin.pages import StatementHistoryHelper, changed_since, error_summary
from statements.admin.workflow import WorkflowActions
from statements.models import Correction, Source, Statement, Status, Translation

EXCERPT_LENGTH = 60


class SourceInline(admin.TabularInline):
    model = Source
    formset = SourceFormSet
    fields = ["position", "url", "publisher", "archived_url", "accessed_on"]
    extra = 0
    min_num = 1

    def get_formset(self, request, obj=None, **kwargs):
        # min_num only shows one empty form; validate_min makes "at least one source" a rule.
        return super().get_formset(request, obj, validate_min=True, **kwargs)


class TranslationInline(admin.StackedInline):
    """The quote in other languages, each by a named maker; never machine-translated silently."""

    model = Translation
    formset = TranslationFormSet
    fields = [("language", "by", "official"), "text", "source_url"]
    extra = 0
    verbose_name = "rendering in another language"
    verbose_name_plural = "Renderings in other languages (translations)"


class CorrectionInline(admin.TabularInline):
    model = Correction
    fields = ["created_at", "kind", "note", "fields", "before", "after", "made_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Public corrections, retractions and reinstatements"

    def has_add_permission(self, request, obj=None):
        return False


def _busy(request, form_class):
    """The form class, refusing to save when this request already waited too long for a lock."""
    if getattr(request, "writers_busy", False):
        return type(form_class.__name__, (form_class,), {"busy": True})
    return form_class


def _refused_when_busy(view, request, *args):
    """Run the admin view; if a write waited longer than EDITOR_LOCK_TIMEOUT_MS (an import holds
    the statement, or its topic and government), show the submitted form again with "not saved,
    try again" instead of a server error."""
    try:
        return view(request, *args)
    except OperationalError as exc:
        if request.method != "POST" or not services.is_lock_timeout(exc):
            raise
        request.writers_busy = True
        return view(request, *args)


def public_urls(statement: Statement) -> tuple[str, str] | None:
    """The public page and the API detail of a published statement (drafts and retractions have none)."""
    if statement.status != Status.PUBLISHED:
        return None
    return reverse("statement-page", args=[statement.pk]), reverse("api:statement-detail", args=[statement.pk])


@admin.register(Statement)
class StatementAdmin(WorkflowActions, SimpleHistoryAdmin):
    form = StatementForm
    autocomplete_fields = ["speaker", "government", "topic"]
    radio_fields = {"stance": admin.VERTICAL, "date_precision": admin.HORIZONTAL}
    list_display = ["id", "said", "speaker", "government_code", "topic", "stance", "status", "excerpt", "links"]
    list_display_links = ["id", "said"]
    list_editable = ["stance"]
    list_filter = ["status", "government", "stance", "topic", "language", "date_precision"]
    list_select_related = ["speaker", "government", "topic"]
    list_per_page = 50
    search_fields = ["quote", "speaker__name"]
    date_hierarchy = "said_on"
    history_list_display = ["status", "stance", "version"]

    class Media:
        css = {"all": ["statements/admin.css"]}

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["speaker", "role", "organization", "government", "topic"]}),
            ("When", {"fields": ["said_on", "date_precision", "published_on"]}),
            ("What", {"fields": ["quote", "language", "is_translation", "stance", "context"]}),
        ]
        if obj is None:
            return fieldsets
        return [
            *fieldsets,
            ("Correction", {"fields": ["correction_note"]}),
            ("Review", {"fields": ["status", "created_at", "updated_at", "version"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        # Status changes through the publish / retract / reinstate actions, never through a field.
        return ["status", "created_at", "updated_at", "version"] if obj else []

    def get_form(self, request, obj=None, **kwargs):
        return _busy(request, super().get_form(request, obj, **kwargs))

    def get_changelist_form(self, request, **kwargs):
        return _busy(request, StatementListForm)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return _refused_when_busy(super().changeform_view, request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        # List edits lock their rows while validating, like the change form: one transaction.
        def in_one_transaction(*args):
            with transaction.atomic():
                return super(StatementAdmin, self).changelist_view(*args)

        return _refused_when_busy(in_one_transaction, request, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
        context["error_summary"] = error_summary(form, formsets) if form.is_bound else []
        if form.conflict is not None:
            context["conflict_fields"] = changed_since(
                obj, form.cleaned_data.get("opened_version"), form.conflict.current
            )
        if obj is not None:
            context["public_urls"] = public_urls(obj)
            context["workflow_steps"] = self.workflow_steps(context.get("action_form"))
            context["workflow_names"] = [name for name, _label in context["workflow_steps"]]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def view_on_site(self, statement):
        urls = public_urls(statement)
        return urls[0] if urls else None

    def save_model(self, request, obj, form, change):
        form.published_before = change and obj.status == Status.PUBLISHED
        services.statement_save(
            statement=obj,
            user=request.user,
            expected_version=form.expected_version() if change else None,
            note=form.cleaned_data.get("correction_note", ""),
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        renderings = [f for f in formsets if f.model is Translation]
        if getattr(form, "published_before", False) and any(f.has_changed() for f in renderings):
            services.translations_corrected(
                statement=form.instance, user=request.user, note=form.cleaned_data.get("correction_note", "")
            )
        if form.cleaned_data.get("confirm_not_duplicate") and form.similar:
            form.instance.distinct_from.add(*form.similar)  # asked once, not at every later save

    def has_delete_permission(self, request, obj=None):
        # The public record is retracted, never erased: only drafts can be deleted.
        return super().has_delete_permission(request, obj) and (obj is None or obj.status == Status.DRAFT)

    def delete_model(self, request, obj):
        services.statement_delete(statement_id=obj.pk, user=request.user)

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            services.statement_delete(statement_id=pk, user=request.user)

    def get_inlines(self, request, obj):
        return [SourceInline, TranslationInline, CorrectionInline] if obj else [SourceInline, TranslationInline]

    def get_historical_record_context_helper(self, request, historical_record):
        return StatementHistoryHelper(self.model, historical_record)

    @admin.display(description="Said on", ordering="said_on")
    def said(self, statement: Statement) -> str:
        return statement.said_on.isoformat()  # compact and unambiguous in any locale

    @admin.display(description="Gov.", ordering="government__name")
    def government_code(self, statement: Statement) -> str:
        return format_html('<abbr title="{}">{}</abbr>', statement.government.name, statement.government_id)

    @admin.display(description="Quote")
    def excerpt(self, statement: Statement) -> str:
        # The full quote is on the statement's page; the list must fit a laptop screen.
        quote = statement.quote
        return quote if len(quote) <= EXCERPT_LENGTH else f"{quote[: EXCERPT_LENGTH - 1]}…"

    @admin.display(description="Public")
    def links(self, statement: Statement) -> str:
        urls = public_urls(statement)
        if urls is None:
            return "–"
        return format_html('<a href="{}">page</a> · <a href="{}">API</a>', *urls)
