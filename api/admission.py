"""Admission control for costly reads: at most N at once on a machine, the rest wait briefly,
then get a 503 with Retry-After instead of taking every thread and every core.

The quote check is the one read whose cost depends on what the client sends (a 2,000-character
text of common words); its candidate work is bounded (statements/quotecheck), and this bounds
how many run at once, so that ten clients sending worst-case texts cannot starve the list and
page requests the same machine serves (SPEC §8).

The slots are locks on files (`flock`), shared by every thread and every worker process of one
deployment on one machine (the files are named after its database): a per-process gate let
each of the workers run a check, and two checks at once took both cores of a 2-core server.
The kernel drops a lock with the process that held it, so a killed worker never keeps a slot.
"""

import contextlib
import fcntl
import hashlib
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connections

POLL_SECONDS = 0.005


class Busy(Exception):
    """Every slot stayed taken for the whole wait."""

    retry_after = 2


def _slot_files(name: str, size: int) -> list[Path]:
    database = connections["default"].settings_dict
    scope = f"{database.get('HOST') or ''}:{database.get('PORT') or ''}/{database.get('NAME') or ''}"
    folder = Path(settings.ADMISSION_LOCK_DIR or Path(tempfile.gettempdir()) / f"tracker-admission-{os.getuid()}")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    digest = hashlib.sha256(scope.encode()).hexdigest()[:16]
    return [folder / f"{name}-{digest}-{slot}.lock" for slot in range(max(1, size))]


def _take(path: Path) -> int | None:
    """The open, locked file `path`, or None when another holds it."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


@contextlib.contextmanager
def quote_check_slot():
    """One of the machine's QUOTE_CHECK_CONCURRENCY slots, waited for at most
    QUOTE_CHECK_WAIT_SECONDS; Busy past that."""
    files = _slot_files("quote-check", settings.QUOTE_CHECK_CONCURRENCY)
    deadline = time.monotonic() + settings.QUOTE_CHECK_WAIT_SECONDS
    while (descriptor := next(filter(None, map(_take, files)), None)) is None:
        if time.monotonic() >= deadline:
            raise Busy
        time.sleep(POLL_SECONDS)
    try:
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)
