"""Django admin for editors: statements with their sources, the review workflow, history.

Every statement write goes through statements.services. The forms lock the statement row
inside the admin's transaction and compare versions, so of two editors saving the same
statement, the second is refused with who changed it and when, and keeps what they typed.
"""

import copy

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import ActionLocation
from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from statements import services
from statements.models import EDITABLE_FIELDS, Correction, Government, Source, Speaker, Statement, Status, Topic
from statements.services.editing import corrected_fields

DUPLICATE_SIMILARITY = 0.6
# Workflow actions: bulk from the list, single from the statement's own page.
BOTH = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


def similar_statements(*, speaker, said_on, quote: str, exclude_pk=None):
    """Statements by `speaker` on `said_on` whose quote is trigram-similar (≥ 0.6) to `quote`."""
    candidates = Statement.objects.filter(speaker=speaker, said_on=said_on).exclude(pk=exclude_pk)
    return candidates.annotate(similarity=TrigramSimilarity("quote", quote)).filter(
        similarity__gte=DUPLICATE_SIMILARITY
    )


class VersionedStatementForm(forms.ModelForm):
    """Carries the version the editor opened; clean() locks the row and refuses a stale save."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            try:
                self.current = services.lock(self.instance.pk, data.get("opened_version"))
            except services.StaleEdit as stale:
                raise forms.ValidationError(stale.messages, code="stale") from stale
            self.corrections_needed = self._corrected(data)
        return data

    def _corrected(self, data) -> list[str]:
        edited = copy.copy(self.current)
        for name, value in data.items():
            if hasattr(edited, name):
                setattr(edited, name, value)
        return corrected_fields(self.current, edited)


class StatementForm(VersionedStatementForm):
    correction_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Needed when a published statement's quote, speaker, date, stance or government changes. "
        "Shown to the public with the statement. Fixing your own context needs no note.",
    )
    confirm_not_duplicate = forms.BooleanField(
        required=False, label="Save anyway: this is not a duplicate of the similar statement named above"
    )

    class Meta:
        model = Statement
        fields = [*EDITABLE_FIELDS, "status"]

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.corrections_needed and not data.get("correction_note", "").strip():
            self.add_error("correction_note", services.CorrectionRequired(self.corrections_needed).messages[0])
        if data.get("speaker") and data.get("said_on") and data.get("quote"):
            similar = list(
                similar_statements(
                    speaker=data["speaker"], said_on=data["said_on"], quote=data["quote"], exclude_pk=self.instance.pk
                )[:5]
            )
            if similar and not data.get("confirm_not_duplicate"):
                links = format_html_join(
                    ", ",
                    '<a href="{}" target="_blank">statement {}</a> ({} similar)',
                    (
                        (reverse("admin:statements_statement_change", args=[s.pk]), s.pk, f"{s.similarity:.0%}")
                        for s in similar
                    ),
                )
                self.add_error(
                    "confirm_not_duplicate",
                    format_html("This speaker has a very similar quote on the same day: {}. Is it the same?", links),
                )
        return data


class StatementListForm(VersionedStatementForm):
    class Meta:
        model = Statement
        fields = ["stance"]

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.corrections_needed:
            raise forms.ValidationError(
                f"Statement {self.instance.pk} is published: correct its stance from its own page, with a note."
            )
        return data


class SourceInline(admin.TabularInline):
    model = Source
    fields = ["position", "url", "publisher", "archived_url", "accessed_on"]
    extra = 0
    min_num = 1

    def get_formset(self, request, obj=None, **kwargs):
        # min_num only shows one empty form; validate_min makes "at least one source" a rule.
        return super().get_formset(request, obj, validate_min=True, **kwargs)


class CorrectionInline(admin.TabularInline):
    model = Correction
    fields = ["created_at", "kind", "note", "fields", "before", "after", "made_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Public corrections, retractions and reinstatements"

    def has_add_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Shown to the public.")


@admin.register(Statement)
class StatementAdmin(SimpleHistoryAdmin):
    form = StatementForm
    autocomplete_fields = ["speaker", "government", "topic"]
    radio_fields = {"stance": admin.VERTICAL, "status": admin.HORIZONTAL, "date_precision": admin.HORIZONTAL}
    list_display = ["id", "said_on", "speaker", "government", "topic", "stance", "status", "excerpt"]
    list_display_links = ["id", "said_on"]
    list_editable = ["stance"]
    list_filter = ["status", "government", "stance", "topic", "language", "date_precision"]
    list_select_related = ["speaker", "government", "topic"]
    search_fields = ["quote", "speaker__name"]
    date_hierarchy = "said_on"
    actions = ["publish", "retract", "reinstate"]
    history_list_display = ["status", "stance", "version"]

    def get_fieldsets(self, request, obj=None):
        review = ["status", "created_at", "updated_at", "version"] if obj else ["status"]
        fieldsets = [
            (None, {"fields": ["speaker", "role", "organization", "government", "topic"]}),
            ("When", {"fields": ["said_on", "date_precision", "published_on"]}),
            ("What", {"fields": ["quote", "language", "is_translation", "stance", "context"]}),
            ("Review", {"fields": review}),
        ]
        if obj:
            fieldsets.insert(3, ("Correction", {"fields": ["correction_note"]}))
        return [*fieldsets, ("Duplicates", {"fields": ["confirm_not_duplicate"], "classes": ["collapse"]})]

    def get_readonly_fields(self, request, obj=None):
        # Status changes through the publish / retract / reinstate actions once a statement exists.
        return ["status", "created_at", "updated_at", "version"] if obj else []

    def get_changelist_form(self, request, **kwargs):
        return StatementListForm

    def changelist_view(self, request, extra_context=None):
        # List edits lock their rows while validating, like the change form: one transaction.
        with transaction.atomic():
            return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        services.statement_save(
            statement=obj,
            user=request.user,
            expected_version=form.cleaned_data.get("opened_version") if change else None,
            note=form.cleaned_data.get("correction_note", ""),
        )

    def has_delete_permission(self, request, obj=None):
        # The public record is retracted, never erased: only drafts can be deleted.
        return super().has_delete_permission(request, obj) and (obj is None or obj.status == Status.DRAFT)

    def delete_model(self, request, obj):
        services.statement_delete(statement_id=obj.pk, user=request.user)

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            services.statement_delete(statement_id=pk, user=request.user)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # drafts are deleted one by one, from their page
        return actions

    def get_inlines(self, request, obj):
        return [SourceInline, CorrectionInline] if obj else [SourceInline]

    @admin.action(description="Publish the selected drafts", location=BOTH)
    def publish(self, request, queryset):
        self._apply(
            request, queryset, "published", lambda pk: services.statement_publish(statement_id=pk, user=request.user)
        )

    @admin.action(description="Retract the selected published statements…", location=BOTH)
    def retract(self, request, queryset):
        return self._with_reason(request, queryset, "retract", "Retract", services.statement_retract, "retracted")

    @admin.action(description="Reinstate the selected retracted statements…", location=BOTH)
    def reinstate(self, request, queryset):
        return self._with_reason(
            request, queryset, "reinstate", "Reinstate", services.statement_reinstate, "reinstated"
        )

    def _with_reason(self, request, queryset, action, title, service, done):
        form = ReasonForm(request.POST if "post" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply(request, queryset, done, lambda pk: service(statement_id=pk, user=request.user, reason=reason))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title} statements",
            "question": f"{title} these statements? The reason is published with each of them.",
            "statements": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/statements/statement/reason_form.html", context)

    def _apply(self, request, queryset, done: str, step) -> None:
        succeeded = 0
        for pk in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                step(pk)
                succeeded += 1
            except ValidationError as refused:
                self.message_user(request, " ".join(refused.messages), messages.WARNING)
        if succeeded:
            self.message_user(request, f"{succeeded} statement(s) {done}.", messages.SUCCESS)

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
