"""A client generated from the served schema by a generator nobody here wrote
(openapi-python-client, default settings) builds, imports, and reads a list, a detail and a check
from a live server: the contract a data desk's own tooling would rely on."""

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import import_seeds


@pytest.mark.django_db(transaction=True)
def test_a_client_generated_with_default_settings_reads_a_list_a_detail_and_a_check(live_server, tmp_path):
    call_command("flush", interactive=False)
    import_seeds()
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(Client().get("/api/v1/schema/", {"format": "json"}).json()), encoding="utf-8")
    generator = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))

    built = subprocess.run(
        [generator, "generate", "--path", str(schema), "--output-path", str(tmp_path / "tracker-client")],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},  # its ruff pass
    )

    output = built.stdout + built.stderr
    assert built.returncode == 0, output[-3000:]
    # The one thing it skips: JSON Lines, a media type it does not know (its limit, not the schema's).
    assert re.findall(r"WARNING parsing (.+?) within", output) == ["GET /api/v1/statements/export.jsonl"], output
    assert "Unsupported content_type application/jsonl" in output and "ruff is not in PATH" not in output
    (package,) = [p for p in (tmp_path / "tracker-client").iterdir() if (p / "client.py").exists()]
    sys.path.insert(0, str(package.parent))
    try:
        client_module = importlib.import_module(f"{package.name}.client")
        api = importlib.import_module(f"{package.name}.api")
        client = client_module.Client(base_url=live_server.url)
        operations = {p.stem: p for p in Path(api.__file__).parent.rglob("*.py") if p.stem != "__init__"}

        def call(name: str, *args, **kwargs):
            module_path = operations[name].relative_to(package.parent).with_suffix("")
            module = importlib.import_module(".".join(module_path.parts))
            return module.sync_detailed(*args, client=client, **kwargs)

        listed = call("v1_statements_list", page_size=3)
        assert listed.status_code == 200 and len(listed.parsed.results) == 3
        first = listed.parsed.results[0]
        detail = call("v1_statements_retrieve", first.id)
        assert detail.status_code == 200 and detail.parsed.quote == first.quote
        checked = call("v1_statements_check_retrieve", text="We welcome all people seeking asylum")
        assert checked.status_code == 200 and checked.parsed.matches[0].statement.id
    finally:
        sys.path.remove(str(package.parent))
        for name in [m for m in sys.modules if m == package.name or m.startswith(f"{package.name}.")]:
            del sys.modules[name]
