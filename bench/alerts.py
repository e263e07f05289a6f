"""E-mail alerts (SPEC §11): how fast a real worker turns a commit into e-mail in a mailbox.

A real worker process (`manage.py procrastinate worker --queues events,alerts`, concurrency 10
as `./dev worker`) mails a real SMTP server in this process (aiosmtpd on 127.0.0.1, the tests'
server: tests/alerts/smtp.py), on the benchmark's own database (`bench_alerts`, made small:
topics and the statements published here). Measured:

- publish-to-arrival delay, p50/p99: from the commit of a publish (statement_publish returned)
  to the SMTP server having the whole alert, with one address following `government=DE` as it
  happens (one publish at a time);
- alerts per second the worker sends: N addresses follow `government=DE`; one publish; from its
  commit to the last of the N alerts arriving (fan-out, rendering, SMTP, bookkeeping included).

References measured in the same run: the very alert message (bytes as received) sent N times by
raw `smtplib` from this process on one connection to the same server (the SMTP server's and the
protocol's own ceiling), and sent once on a new connection, one at a time (the least any alert's
own SMTP exchange costs, beside the delay).

    .venv/bin/python bench/alerts.py [--publishes 50] [--followers 500] [--markdown FILE]
"""

import argparse
import os
import signal
import smtplib
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import ROOT, django_setup, fresh_database, summarise
from _setup import start_worker as bench_worker

DATABASE = "bench_alerts"
CONCURRENCY = 10


def start_worker(log: Path, port: int) -> subprocess.Popen:
    return bench_worker(log, "events,alerts", CONCURRENCY, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port))


def prepare() -> None:
    fresh_database()


def followers(count: int, stamp: str) -> None:
    """`count` confirmed addresses following government=DE as it happens (made directly: the
    double opt-in is not what is measured); every earlier follower stops."""
    from django.utils import timezone

    from statements.alerts.models import Address, Alert, SavedSearch

    Alert.objects.all().delete()
    search, _ = SavedSearch.objects.get_or_create(filter="government=DE")
    addresses = Address.objects.bulk_create(Address(email=f"r{n}-{stamp}@example.org") for n in range(count))
    Alert.objects.bulk_create(
        Alert(address=a, search=search, frequency="immediate", confirmed_at=timezone.now()) for a in addresses
    )


def publish_german() -> float:
    """Publish a new German statement; the monotonic time of its commit."""
    from statements import services
    from tests.factories import GovernmentFactory, StatementFactory

    draft = StatementFactory(status="draft", government=GovernmentFactory(code="DE", name="Germany"))
    services.statement_publish(statement_id=draft.pk, user=None)
    return time.monotonic()


def one_by_one(smtp, count: int) -> list[float]:
    """Delays (ms) from each publish's commit to its alert's arrival, one follower."""
    delays = []
    for _ in range(count):
        before = len(smtp.received)
        committed = publish_german()
        arrived = smtp.wait_for(before + 1, timeout=60)[before].arrived
        delays.append((arrived - committed) * 1000)
    return delays


def burst(smtp, count: int) -> tuple[float, float]:
    """(seconds to the first, seconds to the last) of `count` alerts of one publish."""
    before = len(smtp.received)
    committed = publish_german()
    received = smtp.wait_for(before + count, timeout=600)[before:]
    return received[0].arrived - committed, max(r.arrived for r in received) - committed


def raw_smtplib(smtp, message: bytes, count: int) -> float:
    """The reference: `count` sends of `message` by smtplib on one connection; per second."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", smtp.port) as client:
        for n in range(count):
            client.sendmail("alerts@localhost", [f"ref{n}@example.org"], message)
    return count / (time.perf_counter() - started)


def raw_one_by_one(smtp, message: bytes, count: int) -> list[float]:
    """The delay's reference: milliseconds for one message by smtplib on a new connection each
    time (connect, greet, send, quit), what any alert's own SMTP exchange costs at least."""
    timings = []
    for n in range(count):
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", smtp.port) as client:
            client.sendmail("alerts@localhost", [f"one{n}@example.org"], message)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--publishes", type=int, default=50)
    parser.add_argument("--followers", type=int, default=500)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()

    django_setup(DATABASE)
    from tests.alerts.smtp import SmtpServer

    prepare()
    smtp = SmtpServer().start()
    log = ROOT / "bench" / ".data" / "alerts-worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    worker = start_worker(log, smtp.port)
    try:
        followers(1, "one")
        one_by_one(smtp, 3)  # warm-up: the worker's connections, templates, prepared statements
        single = summarise(one_by_one(smtp, args.publishes))
        followers(args.followers, "many")
        first, last = burst(smtp, args.followers)
        message = smtp.received[-1].raw.replace(b"\n", b"\r\n")  # the bytes as they came
        reference = raw_smtplib(smtp, message, args.followers)
        raw_single = summarise(raw_one_by_one(smtp, message, args.publishes))
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        smtp.stop()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        f"Load average at the end (1, 5, 15 min): {load} on {os.cpu_count()} cores.",
        "",
        "| measure | figure | reference (same run) |",
        "|---|---|---|",
        f"| publish → alert in the mailbox, 1 follower ({args.publishes} publishes) | p50 {single['median']:.0f} ms, "
        f"p99 {single['p99']:.0f} ms | one raw smtplib send on a new connection: p50 {raw_single['median']:.0f} ms, "
        f"p99 {raw_single['p99']:.0f} ms |",
        f"| alerts/s the worker sends ({args.followers} followers of one publish) | "
        f"{args.followers / last:,.0f}/s (first after {first * 1000:.0f} ms, last after {last:.1f} s) | "
        f"raw smtplib, the same message on one connection: {reference:,.0f}/s |",
    ]
    print("\n".join(lines))
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
