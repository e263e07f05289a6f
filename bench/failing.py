"""Failing well (SPEC §8, issue 24), measured on the documented topology in real processes:
nginx (deploy/nginx.conf) → gunicorn (gunicorn.conf.py, 2 workers × 4 threads, production
settings) → PostgreSQL (the benchmark's embedded server), and a private Redis.

Each figure is printed beside its reference, measured in the same run:

1. slow clients: p50/p99 of a list request while 50 connections send their headers byte by
   byte, beside the same loop on a quiet server; and, as the reference of what nginx prevents,
   the same 50 slow connections straight at gunicorn (how many requests get an answer within 2 s);
2. exports: rows/s of the full JSON Lines export beside the CSV export (through nginx), and the
   Python renderer the JSON Lines export used before (in process, on the same rows);
3. heavy checks: p50 of a list request while 10 clients send worst-case quote checks (2,000
   characters of common words, by POST), beside quiet;
4. Redis: p50 of a list request with Redis up, killed (connection refused: the breaker skips it)
   and frozen (SIGSTOP: each failure costs a socket timeout, then the breaker skips it).

    .venv/bin/python bench/failing.py [--rows 100000]
"""

import argparse
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import bench_server_url  # noqa: E402
from tests.deploy.conftest import (  # noqa: E402
    NGINX_MAIN,
    RedisServer,
    eventually,
    free_port,
    production_env,
    render_site,
    request,
    short_tempdir,
)

LIST = "/api/v1/statements/?page_size=20"
COMMON = "the people of our country and the government will do what is right for those who seek asylum "


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def timed(target, path: str, count: int, timeout: float = 30) -> tuple[list[float], int]:
    """Milliseconds of `count` sequential GETs of `path`, and how many failed or timed out."""
    timings, failed = [], 0
    for _ in range(count):
        started = time.perf_counter()
        try:
            ok = request(target, path=path, timeout=timeout).status == 200
        except OSError:
            ok = False
        if ok:
            timings.append((time.perf_counter() - started) * 1000)
        else:
            failed += 1
    return timings, failed


def line(name: str, timings: list[float], note: str = "") -> str:
    if not timings:
        return f"  {name:<58} {'-':>9} {'-':>9}  {note}"
    return f"  {name:<58} {statistics.median(timings):>9.1f} {percentile(timings, 0.99):>9.1f}  {note}"


class Stack:
    def __init__(self, database_url: str, static: Path):
        self.redis = RedisServer().start()
        folder = short_tempdir("benchgunicorn")
        self.socket = folder / "app.sock"
        env = {
            **os.environ,
            **production_env(),
            "DATABASE_URL": database_url,
            "DJANGO_STATIC_ROOT": str(static),
            "GUNICORN_BIND": f"unix:{self.socket}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "4",
            "GUNICORN_LIMIT_REQUEST_LINE": "0",
            "GUNICORN_ACCESS_LOG": str(folder / "access.log"),
            "API_RATE_LIMIT": "100000000/minute",
            "REDIS_URL": self.redis.url,
        }
        self.app = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "tracker.wsgi", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(folder / "gunicorn.log").open("w"),
            start_new_session=True,  # its own process group, ended whole by close()
        )
        eventually(lambda: self._answers(str(self.socket)), 60, "gunicorn")
        prefix = short_tempdir("benchnginx")
        self.port = free_port()
        (prefix / "tracker.conf").write_text(render_site(self.socket, self.port, static))
        user = "user root;" if os.geteuid() == 0 else ""
        (prefix / "nginx.conf").write_text(NGINX_MAIN.format(prefix=prefix, user=user))
        self.nginx = subprocess.Popen(
            ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        eventually(lambda: self._answers(self.port), 30, "nginx")

    @staticmethod
    def _answers(target) -> bool:
        try:
            return request(target, path="/healthz", timeout=5).status == 200
        except OSError:
            return False

    def close(self):
        for process in (self.nginx, self.app):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.app.pid, signal.SIGKILL)  # no worker outlives the benchmark
        self.redis.close()


def slow_connections(address, count: int, stop: threading.Event) -> list[socket.socket]:
    """`count` connections sending a request's headers one byte a second, until `stop`."""
    family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
    connections = []
    for _ in range(count):
        connection = socket.socket(family, socket.SOCK_STREAM)
        connection.connect(address)
        connections.append(connection)
    header = b"GET /api/v1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * 10_000

    def trickle():
        for position in range(len(header)):
            for connection in connections:
                with contextlib.suppress(OSError):
                    connection.send(header[position : position + 1])
            if stop.wait(1):
                return

    threading.Thread(target=trickle, daemon=True).start()
    return connections


def bench_slow_clients(stack: Stack, count: int) -> list[str]:
    request(stack.port, path=LIST)
    quiet, _ = timed(stack.port, LIST, count)
    stop = threading.Event()
    held = slow_connections(("127.0.0.1", stack.port), 50, stop)
    try:
        loaded, failed = timed(stack.port, LIST, count)
    finally:
        stop.set()
        for connection in held:
            connection.close()
    stop = threading.Event()
    direct_held = slow_connections(str(stack.socket), 50, stop)
    try:
        direct, direct_failed = timed(str(stack.socket), LIST, 20, timeout=2)
    finally:
        stop.set()
        for connection in direct_held:
            connection.close()
    ratio = percentile(loaded, 0.99) / percentile(quiet, 0.99)
    return [
        line(f"list, quiet ({count} requests through nginx)", quiet, "reference"),
        line("list, 50 slow clients held open on nginx", loaded, f"p99 {ratio:.2f}x quiet; {failed} failed"),
        line(
            "list, 50 slow clients straight at gunicorn (no nginx)",
            direct,
            f"{direct_failed} of 20 not answered in 2 s",
        ),
    ]


def bench_exports(stack: Stack, rows: int, database_url: str) -> list[str]:
    out = []
    rates = {}
    for name in ("csv", "jsonl"):
        started = time.perf_counter()
        answer = request(stack.port, path=f"/api/v1/statements/export.{name}", timeout=900)
        seconds = time.perf_counter() - started
        lines = answer.body.count(b"\n") - (1 if name == "csv" else 0)
        rates[name] = rows / seconds
        size = len(answer.body) / 1e6
        out.append(
            f"  export.{name:<6} {rows:>9,} rows {size:>8.1f} MB {seconds:>7.2f} s {rows / seconds:>10,.0f} rows/s"
            f"  ({lines:,} lines)"
        )
    out.append(f"  JSON Lines at {rates['jsonl'] / rates['csv']:.2f}x the CSV's rate")
    # The renderer the JSON Lines export used before (models, prefetches, json.dumps), in process.
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from statements.models import Statement
    from statements.services import statements_export_lines

    sample = min(rows, 20_000)
    started = time.perf_counter()
    ids = list(Statement.objects.published().order_by("said_on", "id").values_list("id", flat=True)[:sample])
    count = sum(1 for _ in statements_export_lines(Statement.objects.filter(id__in=ids)))
    seconds = time.perf_counter() - started
    out.append(
        f"  before: Python renderer {count:>9,} rows {'':>11} {seconds:>7.2f} s {count / seconds:>10,.0f} rows/s"
        "  (reference, in process)"
    )
    return out


def _check_loop(port: int, body: bytes, source: str, stop, counts) -> None:
    """One client sending worst-case checks back to back until `stop` (a process of its own, so
    that the benchmark's own threads do not slow the list loop it times through the GIL), at the
    lowest CPU priority: the load generator shares the server's 2 cores, where a real client's
    own work is done on its own machine; what the server does for each request is what counts."""
    os.nice(19)
    while not stop.is_set():
        try:
            answer = request(
                port, "POST", "/api/v1/statements/check/", body=body,
                headers={"Content-Type": "application/json"}, timeout=60, source=source,
            )  # fmt: skip
            status = answer.status
        except OSError:
            status = 0
        with counts.get_lock():
            counts[{200: 0, 429: 1, 503: 2}.get(status, 3)] += 1


def bench_heavy_checks(stack: Stack, count: int) -> list[str]:
    """The list's p50 while 10 clients send worst-case checks back to back, from one address
    (nginx paces it) and from ten (each paced; the app's one slot per machine bounds the rest)."""
    import json

    quiet, _ = timed(stack.port, LIST, count)
    lines = [line(f"list, quiet ({count} requests)", quiet, "reference")]
    text = (COMMON * 30)[:2000]
    body = json.dumps({"text": text}).encode()
    for label, sources in (
        ("from one address", ["127.0.0.1"] * 10),
        ("from 10 addresses", [f"127.0.0.{n}" for n in range(2, 12)]),
    ):
        loaded, failed, by_status = _under_checks(stack, count, body, sources)
        ratio = statistics.median(loaded) / statistics.median(quiet)
        lines.append(line(f"list, 10 clients sending worst-case checks {label}", loaded, f"p50 {ratio:.2f}x quiet"))
        lines.append(f"  {failed} list requests failed; the checks' answers: {by_status}")
    return lines


def _under_checks(stack: Stack, count: int, body: bytes, sources: list[str]):
    import multiprocessing

    context = multiprocessing.get_context("fork")
    stop = context.Event()
    counts = context.Array("q", 4)
    clients = [context.Process(target=_check_loop, args=(stack.port, body, s, stop, counts)) for s in sources]
    for client in clients:
        client.start()
    try:
        loaded, failed = timed(stack.port, LIST, count)
    finally:
        stop.set()
        for client in clients:
            client.join(120)
    by_status = {name: number for name, number in zip(("200", "429", "503", "other"), counts[:], strict=True) if number}
    return loaded, failed, by_status


def bench_redis(stack: Stack, count: int) -> list[str]:
    up, _ = timed(stack.port, LIST, count)
    os.kill(stack.redis.process.pid, signal.SIGSTOP)  # frozen: connections hang until the timeout
    try:
        frozen, frozen_failed = timed(stack.port, LIST, count)
    finally:
        os.kill(stack.redis.process.pid, signal.SIGCONT)
    stack.redis.stop()  # dead: connections refused
    dead, dead_failed = timed(stack.port, LIST, count)
    return [
        line(f"list, Redis up ({count} requests)", up, "reference"),
        line("list, Redis killed (refused; breaker open 5 s per failure)", dead,
             f"p50 +{statistics.median(dead) - statistics.median(up):.1f} ms; {dead_failed} failed"),
        line("list, Redis frozen (SIGSTOP; 0.1 s timeout, then breaker)", frozen,
             f"p50 +{statistics.median(frozen) - statistics.median(up):.1f} ms; {frozen_failed} failed"),
    ]  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="statements in the benchmark database")
    parser.add_argument("--requests", type=int, default=300, help="requests per latency loop")
    parser.add_argument("--only", type=int, choices=[1, 2, 3, 4], action="append", help="run only these parts")
    args = parser.parse_args()

    database = f"tracker_bench_failing_{args.rows}"
    url = bench_server_url(database)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "true", "DATABASE_STATEMENT_TIMEOUT_MS": "0"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    import psycopg

    with psycopg.connect(url) as connection:
        have = connection.execute("SELECT count(*) FROM statements_statement WHERE status = 'published'").fetchone()[0]
    if have < args.rows * 0.9:
        print(f"generating {args.rows:,} statements (once; kept in bench/.data)…", flush=True)
        command = [sys.executable, "manage.py", "generate_statements", str(args.rows), "--seed", "24"]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT count(*) FROM statements_statement WHERE status = 'published'").fetchone()[0]
    static = short_tempdir("benchstatic")
    static_env = {**os.environ, **production_env(), "DJANGO_STATIC_ROOT": str(static), "DATABASE_URL": url}
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(collect, cwd=ROOT, env=static_env, check=True)

    load = os.getloadavg()
    print(f"Failing well: {rows:,} published statements; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"  {'':<58} {'p50 ms':>9} {'p99 ms':>9}")
    stack = Stack(url, static)
    try:
        parts = {
            1: ("Slow clients (issue 24 point 3)", lambda: bench_slow_clients(stack, args.requests)),
            2: ("Full exports through nginx (point 5)", lambda: bench_exports(stack, rows, url)),
            3: ("Worst-case quote checks (point 6)", lambda: bench_heavy_checks(stack, args.requests // 2)),
            4: ("Redis failing (point 1)", lambda: bench_redis(stack, args.requests)),
        }
        for number, (title, run) in parts.items():
            if not args.only or number in args.only:
                print(f"{number}. {title}", flush=True)
                print("\n".join(run()), flush=True)
    finally:
        stack.close()


if __name__ == "__main__":
    main()
