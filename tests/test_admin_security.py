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
