"""An editor in the admin over real HTTP (requests): log in, retract a statement through the
statement's own Retract… button and the reason form, each form submitted with the fields the
admin's HTML holds (hidden ones included), as a browser sends them."""

import subprocess
from urllib.parse import urljoin

import lxml.html
import requests

from tests.deploy.scale.harness import PYTHON, ROOT

PASSWORD = "a-long-scale-test-password"


def create_editor(env: dict, username: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "createsuperuser", "--noinput", "--username", username, "--email", f"{username}@x.org"],
        cwd=ROOT,
        env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
    )


def form_data(page: requests.Response, form_id: str, button: tuple[str, str] | None = None, **values):
    document = lxml.html.fromstring(page.text)
    form = document.get_element_by_id(form_id)
    data = [(name, value) for name, value in form.form_values() if name not in values]
    data += list(values.items())
    if button:
        data.append(button)
    return urljoin(page.url, form.get("action") or page.url), data


def log_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/admin/login/?next=/admin/", timeout=10)
    action, data = form_data(page, "login-form", username=username, password=PASSWORD)
    answer = session.post(action, data=data, timeout=10)
    assert answer.status_code == 200 and "sessionid" in session.cookies, answer.text[:500]
    return session


def retract(session: requests.Session, base: str, pk: int, reason: str) -> requests.Response:
    """Press Retract… on the statement's page, give the reason, confirm. The last answer."""
    page = session.get(f"{base}/admin/statements/statement/{pk}/change/", timeout=10)
    page.raise_for_status()
    action, data = form_data(page, "statement_form", button=("CHANGE_FORM-action", "retract"))
    asked = session.post(action, data=data, timeout=10)
    asked.raise_for_status()
    action, data = form_data(asked, "reason-form", reason=reason)
    done = session.post(action, data=data, timeout=10)
    done.raise_for_status()
    return done
