"""Imports beside other writers: one import at a time (a PostgreSQL advisory lock), and position
steps rebuilt once at the end of an import's transaction."""

from django.db import connection

# pg_advisory_lock(IMPORT_LOCK): one import (or restore) at a time, across every machine.
IMPORT_LOCK = (5526091, 1)


class ImportBusy(Exception):
    """Another import holds the import lock."""


def import_lock_holder() -> str:
    """Who holds the import lock: 'pid N (application, since HH:MM:SS UTC)', or '' when free."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.pid, a.application_name, a.backend_start FROM pg_locks AS l "
            "JOIN pg_stat_activity AS a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objid = %s AND l.granted",
            IMPORT_LOCK,
        )
        row = cursor.fetchone()
    if row is None:
        return ""
    pid, application, started = row
    return f"pid {pid} ({application or 'a client'}, connected since {started:%Y-%m-%d %H:%M:%S} UTC)"


class import_lock:
    """Hold the import lock for the block (a session-level advisory lock on the default connection)."""

    def __init__(self, *, wait: bool = True, on_wait=None):
        self.wait, self.on_wait, self.waited = wait, on_wait, ""

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", IMPORT_LOCK)
            if cursor.fetchone()[0]:
                return self
            holder = import_lock_holder() or "another session"
            if not self.wait:
                raise ImportBusy(f"another import is running: {holder}")
            self.waited = f"waited for another import to finish: {holder}"
            if self.on_wait:
                self.on_wait(self.waited)
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", IMPORT_LOCK)
        return self

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", IMPORT_LOCK)
        return False


class deferred_position_steps:
    """Inside an atomic block: statement writes queue their (topic, government) pairs instead of
    rebuilding position steps at once; every queued pair is rebuilt once when the block ends
    (statements/sql/position_steps_v2.sql). The per-pair locks are then held for moments at the
    end of a long import, not for all of it."""

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statements.defer_position_steps = 'on'")
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT statements_flush_position_steps()")
                cursor.execute("SET LOCAL statements.defer_position_steps = 'off'")
        return False
