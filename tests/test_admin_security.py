"""The admin: staff only, CSRF intact, logins throttled; the public API shows no users or history."""

import pytest
from django.test import Client

from tests.factories import StatementFactory

LOGIN = "/admin/login/"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("zq_editor", "zq_editor@example.org", "the-right-password-123")


def test_logins_are_locked_after_five_failures(db, editor):
    client = Client()
    for _ in range(4):
        assert client.post(LOGIN, {"username": "zq_editor", "password": "wrong"}).status_code == 200
    assert client.post(LOGIN, {"username": "zq_editor", "password": "wrong"}).status_code == 429  # the fifth

    locked = client.post(LOGIN, {"username": "zq_editor", "password": "the-right-password-123"})

    assert locked.status_code == 429
    assert not client.session.get("_auth_user_id")


def test_a_correct_login_resets_the_count(db, editor):
    client = Client()
    for _ in range(4):
        client.post(LOGIN, {"username": "zq_editor", "password": "wrong"})

    assert client.post(LOGIN, {"username": "zq_editor", "password": "the-right-password-123"}).status_code == 302


def behind_a_proxy(client_address: str, spoofed: str = "") -> Client:
    """A browser at `client_address` reaching the app through one proxy (127.0.0.1) that appends
    the address it saw to X-Forwarded-For; `spoofed` is what the client itself put there."""
    hops = f"{spoofed}, {client_address}" if spoofed else client_address
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=hops)


def test_an_attacker_cannot_lock_an_editor_out_from_her_own_address(db, editor, settings):
    settings.NUM_PROXIES = 1
    attacker = behind_a_proxy("203.0.113.66", spoofed="198.51.100.7")  # pretending to be the editor
    for _ in range(6):
        attacker.post(LOGIN, {"username": "zq_editor", "password": "wrong"})
    assert attacker.post(LOGIN, {"username": "zq_editor", "password": "the-right-password-123"}).status_code == 429

    editor_at_work = behind_a_proxy("198.51.100.7")
    response = editor_at_work.post(LOGIN, {"username": "zq_editor", "password": "the-right-password-123"})

    assert response.status_code == 302 and editor_at_work.session.get("_auth_user_id")


def test_an_address_that_fails_too_often_is_locked_whatever_the_usernames(db, editor, settings):
    settings.NUM_PROXIES = 1
    settings.AXES_ADDRESS_FAILURE_LIMIT = 12
    sprayer = behind_a_proxy("203.0.113.66")
    for number in range(12):  # four usernames, three tries each: below the per-user limit
        sprayer.post(LOGIN, {"username": f"user{number % 4}", "password": "wrong"})

    locked = sprayer.post(LOGIN, {"username": "zq_editor", "password": "the-right-password-123"})

    assert locked.status_code == 429
    elsewhere = behind_a_proxy("198.51.100.7")
    assert elsewhere.post(LOGIN, {"username": "zq_editor", "password": "the-right-password-123"}).status_code == 302


def test_an_administrator_unlocks_an_editor_with_a_command(db, editor):
    from django.core.management import call_command

    client = Client()
    for _ in range(5):
        client.post(LOGIN, {"username": "zq_editor", "password": "wrong"})
    assert client.post(LOGIN, {"username": "zq_editor", "password": "the-right-password-123"}).status_code == 429

    call_command("axes_reset_username", "zq_editor")

    assert client.post(LOGIN, {"username": "zq_editor", "password": "the-right-password-123"}).status_code == 302


def test_admin_is_for_staff_only(db, django_user_model):
    django_user_model.objects.create_user("reader", password="a-reader-password-123")
    client = Client()
    client.post(LOGIN, {"username": "reader", "password": "a-reader-password-123"})

    assert client.get("/admin/statements/statement/").status_code == 302


def test_csrf_protects_admin_writes(db, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    statement = StatementFactory(status="draft")

    response = client.post(f"/admin/statements/statement/{statement.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert statement.__class__.objects.filter(pk=statement.pk).exists()


def test_the_public_api_exposes_no_users_or_history(db, editor, api):
    from statements import services

    statement = StatementFactory(stance="neutral")
    statement.stance = "restrictive"
    services.statement_save(statement=statement, user=editor, expected_version=1, note="Recoded.")

    outputs = [
        api.get(f"/api/v1/statements/{statement.pk}/").content,
        api.get("/api/v1/statements/", {"updated_since": "2000-01-01"}).content,
        api.get("/api/v1/schema/", {"format": "json"}).content,
        api.get("/feeds/corrections.atom").content,
    ]
    for body in outputs:
        assert b"zq_editor" not in body
        assert b"history" not in body.lower() and b"made_by" not in body
