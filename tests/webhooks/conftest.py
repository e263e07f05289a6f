"""Real parts for webhook tests: an HTTP receiver on 127.0.0.1 (a threaded server in the test),
a real worker process (`manage.py procrastinate worker`, started and killed by the test), and a
way to wait on a condition with a deadline."""

import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from tests.conftest import ROOT, database_url

SITE = "https://tracker.test"
# What the worker process runs with: fast heartbeats, polling and sweeps, short retries.
WORKER_ENV = {
    "TRACKER_SITE_URL": SITE,
    "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
    "WEBHOOKS_TIMEOUT_SECONDS": "10",
    "WEBHOOKS_RETRY_DELAYS": "0.2,0.2,0.2,0.2,0.2,0.2,0.2",
    "WORKER_HEARTBEAT_SECONDS": "0.5",
    "WORKER_POLLING_SECONDS": "0.2",
    "TRACKER_SWEEP_SECONDS": "1",
    "LOG_LEVEL": "WARNING",
}


@dataclass
class Received:
    headers: dict
    body: bytes
    path: str

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A newsroom's endpoint: records every request, answers the planned statuses (then 200),
    and may hold requests until released."""

    requests: list[Received] = field(default_factory=list)
    statuses: collections.deque = field(default_factory=collections.deque)
    redirect_to: str = ""
    held: threading.Event | None = None
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.arrived:
                    receiver.requests.append(Received(dict(self.headers), body, self.path))
                    receiver.arrived.notify_all()
                    status = receiver.statuses.popleft() if receiver.statuses else 200
                if receiver.held is not None:
                    receiver.held.wait(60)
                self.send_response(status)
                if receiver.redirect_to:
                    self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"{len(self.requests)} requests arrived in {timeout} s, expected {count}")
            return list(self.requests)

    def close(self) -> None:
        if self.held is not None:
            self.held.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    started = Receiver().start()
    yield started
    started.close()


@pytest.fixture
def make_receiver():
    made = []

    def make() -> Receiver:
        made.append(Receiver().start())
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


class Worker:
    """`manage.py procrastinate worker` on the test database, in a process group of its own."""

    def __init__(self, tmp_path, **env):
        self.log = tmp_path / f"worker-{time.monotonic_ns()}.log"
        environment = {
            **os.environ,
            **WORKER_ENV,
            **env,
            "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        }
        command = [sys.executable, "manage.py", "procrastinate", "worker", "--queues", "events,webhooks"]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [*command, "--concurrency", "4"],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(tmp_path, settings):
    """`start_worker()`: a new worker process (stopped at the end of the test, whatever happens).
    The test process takes the worker's site URL, so both render the same links."""
    settings.SITE_URL = SITE
    started: list[Worker] = []

    def start(**env) -> Worker:
        started.append(Worker(tmp_path, **env))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()
