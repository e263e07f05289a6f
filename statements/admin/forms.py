"""The statement admin's forms: every one carries the version it was opened at.

A save based on an older version is refused with who changed the statement and when, and the
editor's input stays on the form. The row is locked (SELECT … FOR UPDATE) while the form is
validated, inside the admin's transaction, so of two simultaneous saves exactly one wins.
"""

import copy

from django import forms
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from statements import services
from statements.models import EDITABLE_FIELDS, Statement
from statements.quotecheck import same_remark
from statements.services.editing import MAX_NOTE_LENGTH, corrected_fields

NOTE_HELP = f"Shown to the public with the statement. Up to {MAX_NOTE_LENGTH:,} characters."
NO_VERSION = "This form did not say which version of the statement it was opened at; reload the page and try again."


def similar_statements(*, speaker, said_on, quote: str, exclude_pk=None) -> list[Statement]:
    """Statements by `speaker` on `said_on` that the quote check takes for the same remark as
    `quote` (statements.quotecheck.same_remark: an excerpt of a remark is that remark), each with
    its `similarity` (the alignment's score), except those an editor confirmed to be other
    remarks (`distinct_from`)."""
    candidates = Statement.objects.filter(speaker=speaker, said_on=said_on).only("pk", "quote")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk).exclude(distinct_from=exclude_pk)
    similar = []
    for candidate in candidates:
        alignment = same_remark(quote, candidate.quote)
        if alignment is not None:
            candidate.similarity = alignment.score
            similar.append(candidate)
    return similar


def note_field(label: str, help_text: str, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=required,
        max_length=MAX_NOTE_LENGTH,
        help_text=f"{help_text} {NOTE_HELP}".strip(),
    )


class VersionedStatementForm(forms.ModelForm):
    """Carries the version the editor opened; clean() locks the row and refuses a stale save.

    `overwrite_version`: after a refusal, the editor may save their version over the newer one
    by ticking a box that names the version they were shown (so a third change is refused again).
    """

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    allows_overwrite = False
    busy = False  # another writer held the statement past the wait: refuse, keep the input

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict: services.StaleEdit | None = None
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def expected_version(self) -> int | None:
        """The version this save is based on: the one opened, or the newer one the editor chose to overwrite."""
        data = getattr(self, "cleaned_data", {})
        if self.allows_overwrite and data.get("overwrite") and data.get("conflict_version") is not None:
            return data["conflict_version"]
        return data.get("opened_version")

    def clean(self):
        data = super().clean()
        if self.busy:
            raise forms.ValidationError(services.Busy().messages, code="busy")
        if not self.instance.pk:
            return data
        if data.get("opened_version") is None:
            raise forms.ValidationError(NO_VERSION, code="no_version")
        try:
            self.current = services.lock(self.instance.pk, self.expected_version())
        except services.StaleEdit as stale:
            self.conflict = stale
            if self.allows_overwrite:
                # The box offered with the refusal names the version the editor has now been shown.
                self.data = self.data.copy()
                self.data[self.add_prefix("conflict_version")] = str(stale.current.version)
                self.data.pop(self.add_prefix("overwrite"), None)
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
    """The add and change form. No status field: a new statement is a draft, and status changes
    through the workflow actions."""

    allows_overwrite = True
    correction_note = note_field(
        "Correction note",
        "Needed when a published statement's quote, speaker, date, stance or government changes. "
        "Fixing your own context needs no note.",
    )
    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="Save anyway: this is another remark than the similar statement(s) named above",
        help_text="Remembered: you will not be asked again about these statements.",
    )
    overwrite = forms.BooleanField(required=False, label="Save my version over the newer one")
    conflict_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Statement
        fields = list(EDITABLE_FIELDS)

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.corrections_needed and not data.get("correction_note"):
            self.add_error("correction_note", services.CorrectionRequired(self.corrections_needed).messages[0])
        self.similar = []
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
            self.similar = similar
        return data


class StatementListForm(VersionedStatementForm):
    """A row of the list's edits (stance only)."""

    class Meta:
        model = Statement
        fields = ["stance"]
        widgets = {"stance": forms.Select}  # four radio buttons per row would not fit the list

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.corrections_needed:
            raise forms.ValidationError(
                f"Statement {self.instance.pk} is published: correct its stance from its own page, with a note."
            )
        return data


class SourceFormSet(BaseInlineFormSet):
    """Sources inline: at least one, said in words an editor understands."""

    default_error_messages = {"too_few_forms": "Add at least one source."}


class TranslationFormSet(BaseInlineFormSet):
    """The quote's renderings inline. Each names who made it (the model requires `by`); none is
    in the quote's own language; and on a published statement a change to any of them is a
    public correction, so the statement form's correction note is required, as for the quote."""

    def clean(self):
        super().clean()
        statement = self.instance
        languages = {}
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            language = form.cleaned_data.get("language")
            if not language:
                continue
            primary = language.split("-")[0].lower()
            if statement.language and primary == statement.language.split("-")[0].lower():
                form.add_error(
                    "language", f"The quote itself is in {statement.language}: a rendering is in another language."
                )
            elif primary in languages:
                form.add_error("language", "One rendering per language: this language is already rendered above.")
            languages[primary] = form
        note = (self.data.get("correction_note") or "").strip()
        if statement.pk and statement.status == "published" and self.has_changed() and not note:
            raise forms.ValidationError(
                "This statement is published: changing a rendering of its quote needs a correction note "
                "(below), which is shown to the public.",
                code="correction_required",
            )


class ReasonForm(forms.Form):
    reason = note_field("Public reason", "Why, in a sentence or two.", required=True)


class OpenedAtForm(forms.ModelForm):
    """For speakers, governments and topics: the time the row was last changed when the form was
    opened travels with it; a save over a newer change is refused (the row is locked while the
    form is checked), naming who changed it and when."""

    opened_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_at"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        data = super().clean()
        if not self.instance.pk:
            return data
        if not data.get("opened_at"):
            raise forms.ValidationError(NO_VERSION.replace("statement", str(self._meta.model._meta.verbose_name)))
        current = type(self.instance).objects.select_for_update().get(pk=self.instance.pk)
        if current.updated_at.isoformat() != data["opened_at"]:
            latest = current.history.select_related("history_user").order_by("-history_date").first()
            who = latest.history_user.get_username() if latest and latest.history_user else "someone"
            raise forms.ValidationError(
                f"This {self._meta.model._meta.verbose_name} was changed by {who} at "
                f"{current.updated_at:%Y-%m-%d %H:%M:%S} UTC since you opened it. Your input is kept below; "
                "reload the page to see the current version."
            )
        return data
