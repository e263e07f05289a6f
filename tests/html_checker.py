"""The W3C Nu HTML checker (vnu.jar from the npm package vnu-jar, run with Java) over pages.

`./dev` installs it with npm (package.json); .ci/run installs Java (Debian's
default-jre-headless). Outside CI the tests using it are skipped with a message when either is
missing.
"""

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")


def require_checker() -> None:
    if (JAVA and VNU.exists()) or os.environ.get("CI"):
        return
    pytest.skip("the Nu HTML checker needs Java and node_modules/vnu-jar (npm install; CI installs both)")


def nu_errors(pages: dict[str, bytes], folder) -> list[str]:
    """Every error the Nu checker reports on `pages` (name → HTML), as "name: line: message"."""
    require_checker()
    names = {}
    for number, (name, html) in enumerate(pages.items()):
        path = folder / f"page-{number}.html"
        path.write_bytes(html)
        names[path.name] = name
    result = subprocess.run(
        [JAVA, "-jar", str(VNU), "--format", "json", "--errors-only", "--exit-zero-always", *names],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [
        f"{names.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}: line {m.get('lastLine')}: "
        f"{m.get('message')} [{m.get('extract', '')[:80]}]"
        for m in messages
        if m.get("type") == "error"
    ]
