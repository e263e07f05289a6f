"""Environment-driven settings: production refuses to start without secrets; replicas route reads."""

import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test import override_settings

from tests.conftest import ROOT, database_url
from tracker.db_router import ReplicaRouter


def run_settings(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | env
    return subprocess.run(
        [sys.executable, "-c", "import tracker.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_hosts_and_site_url():
    result = run_settings(DJANGO_DEBUG="false", DATABASE_URL="postgres://u@127.0.0.1:1/x", TRACKER_SITE_URL="")

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "Refusing to start with DJANGO_DEBUG=false: set DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and TRACKER_SITE_URL."
    )


def test_production_starts_with_secret_and_hosts():
    result = run_settings(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="tracker.example",
        TRACKER_SITE_URL="https://tracker.example",
        DATABASE_URL="postgres://u@127.0.0.1:1/x",
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_reads_go_to_replicas_and_writes_to_the_primary():
    router = ReplicaRouter()
    databases = {"default": {}, "replica_0": {}, "replica_1": {}}

    with override_settings(DATABASES=databases):
        assert {router.db_for_read(None) for _ in range(50)} == {"replica_0", "replica_1"}
        assert router.db_for_write(None) == "default"
        assert router.allow_migrate("replica_0", "statements") is False
    assert router.db_for_read(None) == "default"


def test_deploy_check_is_clean_with_production_settings(db):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | {
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "k" * 20 + "-production-like-secret-key-of-fifty-chars",
        "DJANGO_ALLOWED_HOSTS": "tracker.example",
        "TRACKER_SITE_URL": "https://tracker.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_responses_carry_the_security_headers(client, settings):
    response = client.get("/api/v1/")

    assert response["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "DATABASE_URL is not a database URL"),
        ("mysql://u@db.example/tracker", "DATABASE_URL must point to PostgreSQL"),
    ],
)
def test_a_malformed_database_url_is_one_line_naming_it(url, message):
    result = run_settings(DATABASE_URL=url)

    assert result.returncode == 1
    assert result.stderr.strip().startswith(message) and len(result.stderr.strip().splitlines()) == 1


def test_an_unreachable_database_is_one_line_without_the_password():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate"],
        cwd=ROOT,
        env=environment | {"DATABASE_URL": "postgres://tracker:s3cret@127.0.0.1:1/tracker"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("DATABASE_URL: cannot connect to 127.0.0.1:1/tracker: ")
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr


def test_the_release_fingerprint_changes_with_any_file_that_shapes_an_answer(tmp_path, monkeypatch):
    """Pages' templates, static files and SQL included: a revalidation one release confirmed is
    never trusted by another."""
    import tracker.settings as settings_module

    (tmp_path / "requirements.txt").write_text("Django==6.1.3\n")
    for name in ("web/templates/web/page.html", "web/static/web/site.css", "statements/sql/events.sql", "api/x.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("one")
    monkeypatch.setattr(settings_module, "BASE_DIR", tmp_path)
    seen = {settings_module._code_fingerprint()}
    for name in ("web/templates/web/page.html", "web/static/web/site.css", "statements/sql/events.sql", "api/x.py"):
        (tmp_path / name).write_text("two")
        seen.add(settings_module._code_fingerprint())
    (tmp_path / "web/templates/web/page.html").rename(tmp_path / "web/templates/web/renamed.html")
    seen.add(settings_module._code_fingerprint())
    assert len(seen) == 6
