"""Real processes for deployment tests (the `deploy` tier): the production topology, started by
the test, each part something the test can stop and start again.

- `deploy_database`: a database of its own (migrated, the seeds and 100,000 generated statements)
  on the server the tests use, dropped at the end;
- `db_proxy`: a TCP proxy the test owns in front of that server: `cut()` drops every connection
  and refuses new ones (PostgreSQL unreachable), `restore()` listens again on the same port;
- `redis_server`: a private `redis-server` on a free port, `stop()` and `start()` on that port;
- `start_gunicorn(**env)`: gunicorn with the production settings (DJANGO_DEBUG=false,
  gunicorn.conf.py) on a Unix socket, reaching the database through the proxy;
- `start_nginx(app)`: nginx running deploy/nginx.conf as shipped, in front of that socket.

Reusable by other deployment tests (tests/deploy/scale/: replicas, Varnish). Nothing here
sleeps to synchronise: every wait polls a condition with a deadline (`eventually`).
"""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]

DEPLOY_ROWS = int(os.environ.get("DEPLOY_TEST_ROWS", "103000"))  # some are drafts or retracted
SECRET = "deploy-test-only-" + "k" * 40


def eventually(predicate, timeout: float = 30, what: str = "the condition", interval: float = 0.05):
    """Wait until `predicate()` is truthy (polled) and return its value; fail at the deadline."""
    pause = threading.Event()
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        pause.wait(interval)


def wait_until_healthy(server, process: subprocess.Popen, name: str, timeout: float, output) -> None:
    """Wait until `server` answers /healthz with a 200; fail at once, with `output()`, if its
    process exits first."""

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"{name} exited:{output()}")
        try:
            return server.get("/healthz", timeout=5).status == 200
        except OSError:
            return False

    eventually(healthy, timeout, f"{name} to answer /healthz")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def short_tempdir(prefix: str) -> Path:
    """A folder with a short path: Unix socket paths are limited to 107 bytes."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


# --- HTTP over TCP or a Unix socket -------------------------------------------------------------


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float = 30):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        import json

        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def request(
    target,
    method: str = "GET",
    path: str = "/",
    body=None,
    headers=None,
    timeout: float = 30,
    host: str = "127.0.0.1",
    source: str | None = None,
) -> Answer:
    """One request to `target`: a port on 127.0.0.1 (nginx) or a Unix socket path (gunicorn);
    from the loopback address `source` (127.0.0.2, …: another client address) when given."""
    if isinstance(target, int):
        address = (source, 0) if source else None
        connection = http.client.HTTPConnection("127.0.0.1", target, timeout=timeout, source_address=address)
    else:
        connection = UnixHTTPConnection(str(target), timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


# --- PostgreSQL and the proxy in front of it ---------------------------------------------------


class TcpProxy:
    """A TCP proxy on 127.0.0.1:port to PostgreSQL (a Unix socket or host:port), owned by the
    test: `cut()` makes PostgreSQL unreachable for whatever goes through it, `restore()` brings
    it back on the same port."""

    def __init__(self, upstream):
        self.upstream = upstream  # a socket path, or (host, port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.accepted = 0

    def _connect_upstream(self) -> socket.socket:
        if isinstance(self.upstream, str):
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.upstream)
            return upstream
        return socket.create_connection(self.upstream)

    def start(self) -> "TcpProxy":
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by cut()
            try:
                upstream = self._connect_upstream()
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    client.close()
                    upstream.close()
                    return
                self._connections |= {client, upstream}
                self.accepted += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
            with self._lock:
                self._connections -= {source, sink}

    def cut(self) -> None:
        """Refuse new connections and drop every open one (as a dead server would)."""
        with self._lock:
            listener, self._listener = self._listener, None
            connections, self._connections = set(self._connections), set()
        if listener is not None:
            listener.close()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def restore(self) -> None:
        if self._listener is None:
            self.start()

    def close(self) -> None:
        self.cut()


def server_address(info) -> str | tuple[str, int]:
    """Where PostgreSQL listens, from a psycopg connection's info: a socket path or (host, port)."""
    if info.host.startswith("/"):
        return os.path.join(info.host, f".s.PGSQL.{info.port}")
    return (info.host, int(info.port))


@dataclass
class DeployDatabase:
    name: str
    user: str
    upstream: object  # socket path or (host, port)
    statements: int

    def url_through(self, proxy: TcpProxy) -> str:
        return f"postgres://{self.user}@127.0.0.1:{proxy.port}/{self.name}"


def _manage(env: dict, *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="session")
def deploy_database(django_db_setup, django_db_blocker):
    """A database of its own for the deployment tests (pytest's test database stays the other
    tests'): migrated, the seed topics and statements, and DEPLOY_ROWS generated statements."""
    from django.db import connection

    from tests.conftest import SEED_FILES

    with django_db_blocker.unblock():
        connection.ensure_connection()
        info = connection.connection.info
        upstream, user = server_address(info), info.user
        maintenance = connection.settings_dict.copy()
    name = f"tracker_deploy_{uuid.uuid4().hex[:10]}"
    host = os.path.dirname(upstream) if isinstance(upstream, str) else upstream[0]
    port = info.port
    admin_url = f"postgresql://{user}@/postgres?host={host}&port={port}"
    if maintenance.get("PASSWORD"):
        admin_url = f"postgresql://{user}:{maintenance['PASSWORD']}@/postgres?host={host}&port={port}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.replace("/postgres?", f"/{name}?")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "true",
        "DATABASE_STATEMENT_TIMEOUT_MS": "0",
        "LOG_LEVEL": "ERROR",
    }
    try:
        _manage(env, "migrate", "--noinput")
        _manage(env, "import_topics", str(ROOT / "seeds" / "topics.json"))
        _manage(env, "import_statements", *map(str, SEED_FILES))
        _manage(env, "generate_statements", str(DEPLOY_ROWS), "--seed", "24", "--governments", "60")
        with psycopg.connect(url) as probe:
            published_sql = "SELECT count(*) FROM statements_statement WHERE status = 'published'"
            published = probe.execute(published_sql).fetchone()[0]
        yield DeployDatabase(name, user, upstream, published)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_proxy(deploy_database):
    proxy = TcpProxy(deploy_database.upstream).start()
    yield proxy
    proxy.close()


# --- Redis ---------------------------------------------------------------------------------------


class RedisServer:
    """A private redis-server on a free port (no persistence), stopped and started by the test."""

    def __init__(self):
        self.port = free_port()
        self.folder = short_tempdir("redis")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        eventually(self.answers, 20, "redis-server to answer")
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def command(self, *words: str) -> bytes:
        """One command in the inline protocol; the raw reply."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as connection:
            connection.sendall((" ".join(words) + "\r\n").encode())
            return connection.recv(65536)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)  # dies as a crashed server would
            self.process.wait(timeout=10)
        eventually(lambda: not self.answers(), 10, "redis-server to stop")

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.close()


# --- gunicorn and nginx --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def static_root():
    """collectstatic once (production storage: hashed names and a manifest)."""
    folder = short_tempdir("static")
    env = {
        **os.environ,
        **production_env(),
        "DJANGO_STATIC_ROOT": str(folder),
        "DATABASE_URL": "postgres://x@127.0.0.1:1/x",
    }
    _manage(env, "collectstatic", "--noinput", "-v", "0")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def production_env(**overrides) -> dict[str, str]:
    """The production settings the README documents, for a test host over plain HTTP."""
    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRACKER_SITE_URL": "http://127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # no TLS in the test; nginx would terminate it
        "DJANGO_NUM_PROXIES": "1",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


@dataclass
class Gunicorn:
    socket_path: Path
    process: subprocess.Popen
    log_path: Path
    env: dict = field(default_factory=dict)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def get(self, path: str, **kwargs) -> Answer:
        return request(str(self.socket_path), path=path, **kwargs)

    def stop(self) -> None:
        """SIGTERM (a graceful stop), then SIGKILL to its whole process group (its own session):
        no worker outlives the test, whatever it was stuck in."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


@pytest.fixture
def start_gunicorn(deploy_database, static_root):
    """`start_gunicorn(database_url, **env)`: gunicorn (gunicorn.conf.py, production settings)
    on a Unix socket; returns when /healthz answers."""
    started: list[Gunicorn] = []
    folders: list[Path] = []

    def start(database_url: str, **env) -> Gunicorn:
        folder = short_tempdir("gunicorn")
        folders.append(folder)
        socket_path, log_path = folder / "app.sock", folder / "gunicorn.log"
        full_env = {
            **os.environ,
            **production_env(),
            "DATABASE_URL": database_url,
            "DJANGO_STATIC_ROOT": str(static_root),
            "GUNICORN_BIND": f"unix:{socket_path}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "4",
            "GUNICORN_LIMIT_REQUEST_LINE": "0",  # behind nginx, which bounds request lines
            "API_RATE_LIMIT": "1000000/minute",
            **env,
        }
        log = log_path.open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "tracker.wsgi", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, ended whole by stop()
        )
        server = Gunicorn(socket_path, process, log_path, full_env)
        started.append(server)

        wait_until_healthy(server, process, "gunicorn", 60, lambda: f"\n{server.log()}")
        return server

    yield start
    for server in started:
        server.stop()
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Nginx:
    port: int
    process: subprocess.Popen
    prefix: Path

    def get(self, path: str, **kwargs) -> Answer:
        return request(self.port, path=path, **kwargs)

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


NGINX_MAIN = """\
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/tracker.conf;
}}
"""


def render_site(app_socket: Path, port: int, static: Path) -> str:
    """deploy/nginx.conf as shipped, but for the socket, the port and the static folder."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    replacements = {
        "unix:/run/tracker/gunicorn.sock": f"unix:{app_socket}",
        "listen 80;": f"listen 127.0.0.1:{port};",
        "listen [::]:80;": "",
        "/srv/tracker/staticfiles/": f"{static}/",
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx.conf no longer has {old!r}"
        site = site.replace(old, new)
    return site


@pytest.fixture
def start_nginx(static_root):
    """`start_nginx(gunicorn)`: nginx with deploy/nginx.conf in front of that gunicorn."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    started: list[Nginx] = []

    def start(app: Gunicorn) -> Nginx:
        prefix = short_tempdir("nginx")
        port = free_port()
        (prefix / "tracker.conf").write_text(render_site(app.socket_path, port, static_root))
        user = "user root;" if os.geteuid() == 0 else ""
        (prefix / "nginx.conf").write_text(NGINX_MAIN.format(prefix=prefix, user=user))
        command = [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"]
        checked = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        server = Nginx(port, process, prefix)
        started.append(server)

        wait_until_healthy(server, process, "nginx", 30, lambda: f" {process.stderr.read()}")
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGQUIT)
            try:
                server.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.process.kill()
        shutil.rmtree(server.prefix, ignore_errors=True)


@pytest.fixture
def stack(deploy_database, db_proxy, redis_server, start_gunicorn, start_nginx):
    """The documented topology: nginx → gunicorn (socket) → the proxy → PostgreSQL, and Redis."""

    @dataclass
    class Stack:
        nginx: Nginx
        app: Gunicorn
        database: DeployDatabase
        proxy: TcpProxy
        redis: RedisServer

    def build(**env) -> Stack:
        app = start_gunicorn(deploy_database.url_through(db_proxy), REDIS_URL=redis_server.url, **env)
        return Stack(start_nginx(app), app, deploy_database, db_proxy, redis_server)

    return build
