"""Fixtures of the scale-out tests (tests/deploy/scale/harness.py starts the real processes)."""

import os
import tempfile
from pathlib import Path

import pytest

from tests.deploy.scale.harness import PostgresPair, Redis


@pytest.fixture(scope="session")
def scale_folder():
    folder = Path(tempfile.mkdtemp(prefix="tracker-scale-"))
    folder.chmod(0o755)  # PostgreSQL and Varnish run as their own users
    yield folder
    if os.environ.get("KEEP_SCALE_FOLDER"):
        print(f"scale folder kept: {folder}")
    else:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_pair(scale_folder):
    """A primary with the seeded tracker database and its streaming replica (pg_basebackup -R)."""
    pair = PostgresPair(scale_folder)
    yield pair
    pair.stop()


@pytest.fixture(scope="session")
def redis_server(scale_folder):
    server = Redis(scale_folder)
    yield server
    server.stop()
