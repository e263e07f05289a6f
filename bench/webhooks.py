"""Webhooks (SPEC §10): how fast a real worker turns a commit into a signed delivery.

A real worker process (`manage.py procrastinate worker`, concurrency 10 as `./dev worker`)
delivers to a threaded HTTP receiver in this process on 127.0.0.1, on the benchmark's own
database (`bench_webhooks`, made small: topics and a few statements). Measured:

- publish-to-receipt delay, p50/p99: from the commit of a publish (statement_publish returned)
  to the receiver reading the request, with 1 subscription (one publish at a time, 200 times)
  and with 100 subscriptions (30 publishes, each waited for at all 100: 3,000 deliveries);
- deliveries per second the worker sustains: one import of 50 statements with 100 subscriptions
  (5,000 deliveries), from its commit to the last receipt.

References measured in the same run: the same signed POST sent directly from this process
(`webhooks.outbound.post`, no queue) one at a time (its latency) and from 10 threads (the
receiver's and the client's own ceiling, requests per second).

    .venv/bin/python bench/webhooks.py [--publishes 200] [--markdown FILE]
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import ROOT, django_setup, fresh_database, summarise
from _setup import start_worker as bench_worker

DATABASE = "bench_webhooks"
CONCURRENCY = 10


class Receiver:
    """Records when each (subscription path, webhook-id) arrived."""

    def __init__(self):
        self.arrivals: dict[tuple[str, str], float] = {}
        self.changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                arrived = time.time()
                with receiver.changed:
                    receiver.arrivals[(self.path, self.headers.get("webhook-id", ""))] = arrived
                    receiver.changed.notify_all()
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.request_queue_size = 1024
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def wait(self, keys: list[tuple[str, str]], timeout: float = 120) -> list[float]:
        with self.changed:
            if not self.changed.wait_for(lambda: all(k in self.arrivals for k in keys), timeout):
                missing = [k for k in keys if k not in self.arrivals]
                raise SystemExit(f"{len(missing)} deliveries did not arrive in {timeout} s, e.g. {missing[:3]}")
            return [self.arrivals[k] for k in keys]


def start_worker(log: Path) -> subprocess.Popen:
    # The receiver is on 127.0.0.1.
    return bench_worker(log, "events,webhooks", CONCURRENCY, WEBHOOKS_ALLOW_PRIVATE_TARGETS="true")


def prepare() -> None:
    from statements.webhooks.models import Subscription

    fresh_database()
    Subscription.objects.all().delete()


def subscribe(receiver: Receiver, count: int) -> list[str]:
    """`count` subscriptions to the receiver (created directly: the URL check would want https
    outside DJANGO_DEBUG), each with its own path."""
    from statements.webhooks.models import Subscription
    from statements.webhooks.services import generate_secret

    Subscription.objects.all().update(is_active=False, disabled_reason="bench", disabled_at=_now())
    paths = [f"/s/{time.monotonic_ns()}-{n}" for n in range(count)]
    for n, path in enumerate(paths):
        Subscription.objects.create(name=f"bench-{path}", url=receiver.url(path), secret=generate_secret())
        del n
    return paths


def _now():
    from django.utils import timezone

    return timezone.now()


def drafts(count: int) -> list[int]:
    from tests.factories import StatementFactory

    return [StatementFactory(status="draft").pk for _ in range(count)]


def publish_one_by_one(receiver: Receiver, paths: list[str], count: int) -> list[float]:
    """Delays (ms) from each publish's commit to each subscription's receipt, one publish at a time."""
    from statements import services
    from statements.events import Event

    delays = []
    for pk in drafts(count):
        services.statement_publish(statement_id=pk, user=None)
        committed = time.time()
        event_id = str(Event.objects.filter(statement_id=pk).values_list("id", flat=True).get())
        arrivals = receiver.wait([(path, event_id) for path in paths])
        delays += [(arrived - committed) * 1000 for arrived in arrivals]
    return delays


def import_burst(receiver: Receiver, paths: list[str], count: int) -> tuple[int, float]:
    """(deliveries, seconds) from the commit of an import of `count` statements to the last receipt."""
    from statements.events import Event
    from tests.conftest import import_text

    template = json.loads((ROOT / "seeds" / "statements-2022.jsonl").read_text(encoding="utf-8").splitlines()[0])
    template.pop("corrections", None)
    stamp = time.monotonic_ns()
    lines = [
        json.dumps(dict(template, said_on=f"2019-{1 + n // 28:02d}-{1 + n % 28:02d}", quote=f"Bench {stamp} {n}."))
        for n in range(count)
    ]
    before = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    report = import_text("\n".join(lines) + "\n")
    assert report.ok, report.errors
    committed = time.time()
    ids = [str(i) for i in Event.objects.filter(id__gt=before).values_list("id", flat=True)]
    arrivals = receiver.wait([(path, event_id) for event_id in ids for path in paths], timeout=600)
    return len(arrivals), max(arrivals) - committed


def direct_posts(receiver: Receiver, count: int, threads: int) -> tuple[list[float], float]:
    """The reference: signed POSTs of a real body straight from this process. (latencies ms, per second)."""
    from api.events import webhook_body
    from statements.events import Event
    from statements.webhooks.models import Subscription
    from statements.webhooks.outbound import post
    from statements.webhooks.sending import signed_headers

    event_id = Event.objects.order_by("id").values_list("id", flat=True).first()
    body = webhook_body(event_id)
    subscription = Subscription.objects.filter(is_active=True).first()

    def one(n: int) -> float:
        started = time.perf_counter()
        headers = signed_headers(subscription, n, body, _now())
        answer = post(receiver.url("/direct"), body.encode(), headers, timeout=10, allow_private=True)
        assert answer.status == 204, answer
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        latencies = list(pool.map(one, range(count)))
    return latencies, count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--publishes", type=int, default=200)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()

    django_setup(DATABASE)
    prepare()
    receiver = Receiver()
    log = ROOT / "bench" / ".data" / "webhooks-worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    worker = start_worker(log)
    try:
        one = subscribe(receiver, 1)
        publish_one_by_one(receiver, one, 5)  # warm-up: the worker's connections, prepared statements
        single = summarise(publish_one_by_one(receiver, one, args.publishes))
        hundred_paths = subscribe(receiver, 100)
        publish_one_by_one(receiver, hundred_paths, 2)
        hundred = summarise(publish_one_by_one(receiver, hundred_paths, 30))
        deliveries, seconds = import_burst(receiver, hundred_paths, 50)
        direct_one, _rate = direct_posts(receiver, 500, 1)
        _latencies, direct_rate = direct_posts(receiver, 5000, CONCURRENCY)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
    direct = summarise(direct_one)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        f"Load average at the end (1, 5, 15 min): {load} on {os.cpu_count()} cores.",
        "",
        "| measure | p50 | p99 | reference (same run) |",
        "|---|---|---|---|",
        f"| publish → receipt, 1 subscription ({args.publishes} publishes) | {single['median']:.0f} ms | "
        f"{single['p99']:.0f} ms | a direct signed POST: p50 {direct['median']:.1f} ms, p99 {direct['p99']:.1f} ms |",
        f"| publish → receipt, 100 subscriptions (30 publishes, 3,000 deliveries) | {hundred['median']:.0f} ms | "
        f"{hundred['p99']:.0f} ms | goal: p99 ≤ 2,000 ms |",
        f"| deliveries/s the worker sustains (import of 50 × 100 subscriptions = {deliveries:,}) | "
        f"{deliveries / seconds:,.0f}/s | | direct POSTs from {CONCURRENCY} threads: {direct_rate:,.0f}/s |",
    ]
    print("\n".join(lines))
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
