"""A published statement's public notes: its corrections, its retraction and its reinstatement."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from statements.models.common import NOT_BLANK_PATTERN, TimeStamped, choices_constraint
from statements.models.statement import Statement


class CorrectionKind(models.TextChoices):
    CORRECTION = "correction", _("Correction")
    RETRACTION = "retraction", _("Retraction")
    REINSTATEMENT = "reinstatement", _("Reinstatement")


# What a published statement cannot change without a public correction note. The editor's own
# `context` is not among them: fixing its typos needs no note.
CORRECTED_FIELDS = ("quote", "speaker", "said_on", "stance", "government")
# What a public correction may name: those, and the quote's renderings in other languages.
CORRECTION_FIELD_NAMES = (*CORRECTED_FIELDS, "translations")


class Correction(TimeStamped):
    """A public note on a published statement: a correction, its retraction or its reinstatement."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="corrections")
    kind = models.CharField(max_length=15, choices=CorrectionKind.choices)
    note = models.TextField(help_text="Shown to the public with the statement.")
    fields = models.JSONField(default=list, blank=True, help_text="Names of the corrected fields.")
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            choices_constraint("kind", CorrectionKind, "%(app_label)s_%(class)s_kind_valid"),
            models.CheckConstraint(
                condition=Q(note__regex=NOT_BLANK_PATTERN), name="%(app_label)s_%(class)s_note_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of statement {self.statement_id} on {self.created_at:%Y-%m-%d}"
