"""What the statement admin's pages show besides Django's own: an error summary that links to each
field, what another editor changed, and word-level before/after in the history."""

import dataclasses

from django.forms.forms import NON_FIELD_ERRORS
from django.forms.utils import pretty_name
from simple_history.template_utils import HistoricalRecordContextHelper

from statements.models import EDITABLE_FIELDS
from statements.wording import marked_versions

DIFFED_FIELDS = ("quote", "context")


def _label(form, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else pretty_name(name)


def error_summary(form, formsets) -> list[dict]:
    """Every problem of the form and its inline formsets: a label, the message and the id of the
    element to jump to (the field, the conflict box, or the inline group)."""
    items = []
    for name, messages in form.errors.items():
        if name == NON_FIELD_ERRORS:
            anchor, label = ("conflict" if getattr(form, "conflict", None) else ""), "Statement"
        else:
            anchor, label = form[name].auto_id, _label(form, name)
        items += [{"label": label, "message": message, "anchor": anchor} for message in messages]
    for formset in formsets:
        noun = str(formset.model._meta.verbose_name)
        for message in formset.non_form_errors():
            items.append({"label": f"{noun.capitalize()}s", "message": message, "anchor": f"{formset.prefix}-group"})
        for number, item in enumerate(formset.forms, start=1):
            for name, messages in item.errors.items():
                anchor = f"{formset.prefix}-group" if name == NON_FIELD_ERRORS else item[name].auto_id
                label = f"{noun.capitalize()} {number}" + (
                    "" if name == NON_FIELD_ERRORS else f", {_label(item, name)}"
                )
                items += [{"label": label, "message": message, "anchor": anchor} for message in messages]
    return items


def changed_since(statement, opened_version: int | None, current) -> list[str]:
    """The fields (as labels) that differ between the version an editor opened and `current`."""
    if opened_version is None:
        return []
    opened = statement.history.filter(version=opened_version).order_by("-history_date", "-history_id").first()
    if opened is None:
        return []
    fields = [current._meta.get_field(name) for name in (*EDITABLE_FIELDS, "status")]
    return [str(f.verbose_name) for f in fields if getattr(opened, f.attname) != getattr(current, f.attname)]


class StatementHistoryHelper(HistoricalRecordContextHelper):
    """The history's "Changes" column: quote and context as whole texts with removed words in
    <del> and added words in <ins>; other fields in full (not cut at 100 characters)."""

    def __init__(self, model, historical_record):
        super().__init__(model, historical_record, max_displayed_delta_change_chars=2000)

    def format_delta_change(self, change):
        formatted = super().format_delta_change(change)
        if change.field in DIFFED_FIELDS:
            old, new = marked_versions(change.old or "", change.new or "")
            return dataclasses.replace(formatted, old=old, new=new)
        return formatted
