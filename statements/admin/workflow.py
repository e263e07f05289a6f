"""The workflow actions (publish, retract, reinstate), from the list or a statement's own page.

Every action is based on the versions the editor saw: the list and the statement page post
each statement's version with the action, the reason form carries them on, and a statement
that changed in between is refused with who changed it and when, never acted on blindly.
"""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.template.response import TemplateResponse

from statements import services
from statements.admin.forms import NO_VERSION, ReasonForm
from statements.services.editing import STEPS, can_take_steps, refusal

# Workflow actions: bulk from the list, single from the statement's own page.
BOTH = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
VERSION_PREFIX = "opened_version_"
CHANGE_FORM_ACTION = f"{ActionLocation.CHANGE_FORM.value}-action"


def posted_versions(post) -> dict[int, int]:
    """The version of each statement the page showed: `opened_version_<id>` from the list and the
    reason form; the change form's own `opened_version` for the statement it shows."""
    versions = {}
    for name, value in post.items():
        if name.startswith(VERSION_PREFIX) and name[len(VERSION_PREFIX) :].isdecimal() and value.isdecimal():
            versions[int(name[len(VERSION_PREFIX) :])] = int(value)
    selected = post.getlist(ACTION_CHECKBOX_NAME)
    opened = post.get("opened_version", "")
    if CHANGE_FORM_ACTION in post and len(selected) == 1 and selected[0].isdecimal() and opened.isdecimal():
        versions[int(selected[0])] = int(opened)
    return versions


# The change form's buttons (statements/templates/admin/statements/statement/change_form.html).
BUTTONS = {"publish": "Publish", "retract": "Retract…", "reinstate": "Reinstate…"}


class WorkflowActions:
    """Mixed into StatementAdmin."""

    actions = ["publish", "retract", "reinstate"]

    @staticmethod
    def workflow_steps(action_form) -> list[tuple[str, str]]:
        """(action, button label) of each step the statement on the page can take now, for this
        user (the change form's action choices: see get_actions)."""
        if action_form is None:
            return []
        offered = {value for value, _label in action_form.fields["action"].choices}
        return [(name, label) for name, label in BUTTONS.items() if name in offered]

    def has_publish_permission(self, request) -> bool:
        return can_take_steps(request.user)

    def get_object(self, request, object_id, from_field=None):
        statement = super().get_object(request, object_id, from_field)
        request.statement_on_page = statement  # its page offers only the steps it can take
        return statement

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # drafts are deleted one by one, from their page
        statement = getattr(request, "statement_on_page", None)
        if action_location == ActionLocation.CHANGE_FORM and statement is not None:
            actions = {name: a for name, a in actions.items() if name not in STEPS or not refusal(statement, name)}
        return actions

    @admin.action(description="Publish the selected drafts", permissions=["publish"], location=BOTH)
    def publish(self, request, queryset):
        self._apply(
            request,
            queryset,
            "published",
            lambda pk, version: services.statement_publish(
                statement_id=pk, user=request.user, expected_version=version
            ),
        )

    @admin.action(description="Retract the selected published statements…", permissions=["publish"], location=BOTH)
    def retract(self, request, queryset):
        return self._with_reason(request, queryset, "retract", "Retract", services.statement_retract, "retracted")

    @admin.action(description="Reinstate the selected retracted statements…", permissions=["publish"], location=BOTH)
    def reinstate(self, request, queryset):
        return self._with_reason(
            request, queryset, "reinstate", "Reinstate", services.statement_reinstate, "reinstated"
        )

    def _with_reason(self, request, queryset, step, title, service, done):
        """Ask for the public reason (statements that cannot take the step are named and left
        out), then take the step on each, based on the versions the editor saw. A statement that
        changed since is refused and offered again, as it now reads, with the reason kept."""
        statements = list(queryset.select_related("speaker", "government").order_by("pk"))
        eligible = []
        for statement in statements:
            refused = refusal(statement, step)
            if refused:
                self.message_user(request, refused, messages.WARNING)
            else:
                eligible.append(statement)
        if not eligible:
            return None
        form = ReasonForm(request.POST if "post" in request.POST else None)
        versions, changed = posted_versions(request.POST), False
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            stale = self._apply(
                request,
                queryset.filter(pk__in=[s.pk for s in eligible]),
                done,
                lambda pk, version: service(
                    statement_id=pk, user=request.user, reason=reason, expected_version=version
                ),
            )
            if not stale:
                return None
            eligible, changed = [edit.current for edit in stale], True
            versions = {statement.pk: statement.version for statement in eligible}
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title} statements",
            "question": f"{title} these statements? The reason is published with each of them.",
            "statements": [(s, versions.get(s.pk)) for s in eligible],
            "changed": changed,
            "form": form,
            "action": step,
            "action_field": CHANGE_FORM_ACTION if CHANGE_FORM_ACTION in request.POST else "action",
            "form_url": request.get_full_path(),
            "version_prefix": VERSION_PREFIX,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/statements/statement/reason_form.html", context)

    def _apply(self, request, queryset, done: str, step) -> list[services.StaleEdit]:
        """`step(pk, version)` for each selected statement; each refusal is a message naming it.
        Returns the refusals of statements that changed since the editor saw them."""
        versions = posted_versions(request.POST)
        across = request.POST.get("select_across") == "1"  # rows of other pages: no version shown
        succeeded, stale = 0, []
        for pk in queryset.order_by("pk").values_list("pk", flat=True):
            if pk not in versions and not across:
                self.message_user(request, f"Statement {pk}: {NO_VERSION}", messages.WARNING)
                continue
            try:
                step(pk, versions.get(pk))
                succeeded += 1
            except services.StaleEdit as edit:
                stale.append(edit)
                self.message_user(
                    request,
                    f"Statement {pk}: {edit.messages[0]} Nothing was done to it; look at it again before you act.",
                    messages.WARNING,
                )
            except ValidationError as refused:
                self.message_user(request, " ".join(refused.messages), messages.WARNING)
            except OperationalError as exc:  # waited too long for its topic and government: an import
                if not services.is_lock_timeout(exc):
                    raise
                self.message_user(request, f"Statement {pk}: {services.Busy().messages[0]}", messages.WARNING)
        if succeeded:
            self.message_user(request, f"{succeeded} statement(s) {done}.", messages.SUCCESS)
        return stale
