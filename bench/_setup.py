"""Shared set-up for benchmarks: a dedicated database, Django, timing and reporting helpers."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup(database: str) -> None:
    """Point Django at a benchmark database (never the development one) and set it up."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["EMBEDDED_DATABASE_NAME"] = database
    os.environ["DATABASE_STATEMENT_TIMEOUT_MS"] = "0"  # building the data set takes longer than 2 s
    # Production settings: DEBUG would log every query and distort the figures.
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
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
