"""Admission control for costly reads: at most N at once per process, the rest wait briefly,
then get a 503 with Retry-After instead of taking every thread.

The quote check is the one read whose cost depends on what the client sends (a 2,000-character
text of common words); its candidate work is bounded (statements/quotecheck), and this bounds
how many threads it can hold at once, so that ten clients sending worst-case texts cannot
starve the list and page requests the same workers serve (SPEC §8).
"""

import contextlib
import threading

from django.conf import settings

_gates: dict[str, threading.BoundedSemaphore] = {}
_lock = threading.Lock()


class Busy(Exception):
    """Every slot stayed taken for the whole wait."""

    retry_after = 2


def _gate(name: str, size: int) -> threading.BoundedSemaphore:
    with _lock:
        if name not in _gates:
            _gates[name] = threading.BoundedSemaphore(size)
        return _gates[name]


@contextlib.contextmanager
def quote_check_slot():
    """One of the process's QUOTE_CHECK_CONCURRENCY slots, waited for at most
    QUOTE_CHECK_WAIT_SECONDS; Busy past that."""
    gate = _gate("quote-check", settings.QUOTE_CHECK_CONCURRENCY)
    if not gate.acquire(timeout=settings.QUOTE_CHECK_WAIT_SECONDS):
        raise Busy
    try:
        yield
    finally:
        gate.release()
