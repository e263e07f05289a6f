"""The alerts in the admin, through its real pages (WebTest): staff see who follows what, stop
an alert and unpause an address; nobody adds an alert there (sign-ups are double opt-in)."""

import pytest
from django.utils import timezone

from statements.alerts.models import Address, Alert, SavedSearch
from tests.statements.admin_pages import select_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts():
    search = SavedSearch.objects.create(filter="government=DE")
    paused = Address.objects.create(
        email="gone@example.org", paused_at=timezone.now(), paused_reason="550 no such user"
    )
    reader = Address.objects.create(email="reader@example.org")
    return [
        Alert.objects.create(address=reader, search=search, confirmed_at=timezone.now()),
        Alert.objects.create(address=paused, search=search, confirmed_at=timezone.now(), frequency="daily"),
    ]


def run_action(app, url: str, action: str, pks) -> None:
    form = app.get(url).forms["changelist-form"]
    select_rows(form, pks)
    form["action"] = action
    assert form.submit("index", index=0).status_code == 302


def test_staff_stop_an_alert_and_unpause_an_address(admin_app, staff_user, alerts):
    app = admin_app(staff_user)
    for model in ("savedsearch", "address", "alert"):
        page = app.get(f"/admin/alerts/{model}/")
        assert page.status_code == 200 and f"/admin/alerts/{model}/add/" not in page.text
    assert "reader@example.org" in app.get("/admin/alerts/alert/").text

    run_action(app, "/admin/alerts/alert/", "stop", [alerts[0].pk])
    run_action(app, "/admin/alerts/address/", "unpause", [alerts[1].address_id])

    assert list(Alert.objects.values_list("address__email", flat=True)) == ["gone@example.org"]
    assert Address.objects.get(email="gone@example.org").paused_at is None
