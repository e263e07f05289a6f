"""The admin's real pages, driven with WebTest: each form is filled in from the HTML the admin
rendered and submitted with exactly the fields a browser would send (hidden ones included),
never from a dict written by hand. Browser flows (JavaScript, two editors) are in tests/browser/."""

CHANGELIST = "/admin/statements/statement/"
ADD = "/admin/statements/statement/add/"


def change_url(statement) -> str:
    return f"/admin/statements/statement/{statement.pk}/change/"


def change_form(app, statement):
    """The statement's change form as the admin renders it for the app's user."""
    return app.get(change_url(statement)).forms["statement_form"]


def fill(form, **values):
    """Set fields of a WebTest form by name (radio and select values must be on offer)."""
    for name, value in values.items():
        form[name] = value
    return form


def select_rows(form, pks) -> None:
    wanted = {str(pk) for pk in pks}
    for checkbox in form.fields.get("_selected_action", []):
        checkbox.checked = checkbox._value in wanted


def run_action(app, action: str, pks, *, url: str = CHANGELIST, reason: str | None = None):
    """Tick `pks` on the list, choose `action` and press Go (or press the step's button on a
    statement's own page, `url`); with `reason`, fill in the reason form that follows and
    confirm. Returns the last answer."""
    page = app.get(url)
    if url == CHANGELIST:
        form = page.forms["changelist-form"]
        select_rows(form, pks)
        form["action"] = action
        response = form.submit("index", index=0)
    else:  # the step's own button below the change form
        form = page.forms["statement_form"]
        response = form.submit("CHANGE_FORM-action", value=action)
    if reason is not None and "reason-form" in response.forms:
        confirm = response.forms["reason-form"]
        confirm["reason"] = reason
        response = confirm.submit()
    return response.maybe_follow()
