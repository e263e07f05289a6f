"""Beyond one machine (SPEC §8): list pages through Varnish against the app alone, and how fast
a retraction leaves the cache.

Real processes, started as the deploy tests start them (tests/deploy/scale/harness.py): a
PostgreSQL primary with the seed data and a streaming replica (pg_basebackup -R), the worker
purging Varnish (HTTP_CACHE_PURGE_URL), gunicorn reading on the replica with Varnish in front
(deploy/varnish.vcl as shipped), and a second gunicorn on the primary alone. Measured in one run,
each beside its reference:

- list pages (the site's and the API's, 10 URLs in turn), req/s driven by wrk: through Varnish
  (hits), straight to gunicorn with reads on the replica, and to gunicorn on the primary alone;
- retraction to purged answer: a statement retracted by the service the admin calls (on the
  primary, in this process); the time from its commit to the first answer through Varnish
  showing the retraction (polled every 5 ms), p50 and max over `--retractions`; beside it, a
  PURGE sent straight to Varnish (no queue) and the next answer;
- xkey against bans: hit req/s right after 1,000 purges of keys that match nothing, by xkey and
  by bans on the Surrogate-Key header (which every lookup tests until the ban lurker has).

    apt-get install -y wrk varnish varnish-modules redis-server
    .venv/bin/python bench/scale.py [--seconds 10] [--connections 8] [--retractions 10]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from run import wrk

from tests.deploy.scale.harness import AppServer, PostgresPair, Varnish, Worker, app_env, wait_for

GOVERNMENTS = ["DE", "FR", "PL", "HU", "FI"]
LIST_PATHS = [f"/statements/?government={code}" for code in GOVERNMENTS] + [
    f"/api/v1/statements/?government={code}" for code in GOVERNMENTS
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--retractions", type=int, default=10)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    folder.chmod(0o755)
    started = []
    try:
        print("starting a primary, its replica, gunicorn ×2, the worker and Varnish …", flush=True)
        pair = PostgresPair(folder)
        started.append(pair)
        common = {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-" + "k" * 50,
            "API_RATE_LIMIT": "100000000/minute",
        }
        common |= {"DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "TRACKER_SITE_URL": "http://127.0.0.1"}
        common |= {"DJANGO_SECURE_SSL_REDIRECT": "false", "GUNICORN_WORKERS": "2"}
        subprocess_env = app_env(pair.primary.url(), **common)
        _collectstatic(subprocess_env)
        replica_env = app_env(
            pair.primary.url(),
            **common,
            DATABASE_REPLICA_URLS=pair.replica.url(),
            DATABASE_APPLICATION_NAME=f"bench-{uuid.uuid4().hex[:6]}",
        )
        on_replica = AppServer(folder, replica_env, workers=2)
        started.append(on_replica)
        on_primary = AppServer(folder, subprocess_env, workers=2)
        started.append(on_primary)
        varnish = Varnish(folder, on_replica.port)
        started.append(varnish)
        worker = Worker(folder, {**replica_env, "HTTP_CACHE_PURGE_URL": f"{varnish.url}/"})
        started.append(worker)

        for path in LIST_PATHS:
            assert varnish.get(path).status_code == 200, path
            assert varnish.get(path).headers["X-Cache"] == "HIT", path
        load = os.getloadavg()[0]
        print(f"\nlist pages, {len(LIST_PATHS)} URLs, {args.connections} connections, {args.seconds} s each")
        print(f"(load average before: {load:.1f} on {os.cpu_count()} cores)")
        rows = [
            ("Varnish (hits)", wrk(varnish.url, LIST_PATHS, args.connections, args.seconds, "Accept-Encoding: gzip")),
            ("gunicorn, reads on the replica", wrk(on_replica.url, LIST_PATHS, args.connections, args.seconds)),
            ("gunicorn, primary alone", wrk(on_primary.url, LIST_PATHS, args.connections, args.seconds)),
        ]
        reference = rows[1][1]["rps"]
        print(f"| {'where':32} | req/s | p50 ms | p99 ms | non-2xx | × the app on the replica |")
        print(f"|{'-' * 34}|------:|-------:|-------:|--------:|------:|")
        for name, figures in rows:
            print(
                f"| {name:32} | {figures['rps']:,.0f} | {figures['p50']:.1f} | {figures['p99']:.1f} | "
                f"{figures['non2xx'] + figures['errors']} | {figures['rps'] / reference:.1f}× |"
            )

        print(f"\nretraction to purged answer ({args.retractions} retractions)")
        delays, direct = retractions(varnish, replica_env, args.retractions)
        print(f"| {'':36} | p50 ms | max ms |")
        print(f"|{'-' * 38}|-------:|-------:|")
        print(f"| {'retraction → purged answer':36} | {_ms(statistics.median(delays))} | {_ms(max(delays))} |")
        print(f"| {'reference: PURGE sent straight':36} | {_ms(statistics.median(direct))} | {_ms(max(direct))} |")

        print("\nxkey against bans: hit req/s after 1,000 purges of keys that match nothing")
        base = wrk(varnish.url, LIST_PATHS, args.connections, args.seconds, "Accept-Encoding: gzip")
        results = [("none (reference)", base, 0.0, _bans(varnish))]
        for how in ("xkey", "ban"):
            sent = time.monotonic()
            _purge_many(varnish, how)
            seconds = time.monotonic() - sent
            figures = wrk(varnish.url, LIST_PATHS, args.connections, args.seconds, "Accept-Encoding: gzip")
            results.append((f"after 1,000 {how} purges", figures, seconds, _bans(varnish)))
        print("| | s to send | bans on the list after | hit req/s | p99 ms |")
        print("|---|---:|---:|---:|---:|")
        for name, figures, seconds, bans in results:
            print(f"| {name} | {seconds:.1f} | {bans} | {figures['rps']:,.0f} | {figures['p99']:.2f} |")
    finally:
        for process in reversed(started):
            process.stop()
        if not os.environ.get("KEEP_SCALE_FOLDER"):
            import shutil

            shutil.rmtree(folder, ignore_errors=True)


def retractions(varnish, env: dict, count: int) -> tuple[list[float], list[float]]:
    """Retract `count` statements with the service the admin calls, in this process, on the
    primary; each delay is from its commit to the first answer through Varnish showing it."""
    os.environ.update({"DATABASE_URL": env["DATABASE_URL"], "DJANGO_SETTINGS_MODULE": "tracker.settings"})
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from statements import services

    editor = get_user_model().objects.create_superuser("bench-editor", "bench@example.org", "a-long-bench-password")
    ids = [row["id"] for row in varnish.get("/api/v1/statements/?government=DE").json()["results"]]
    ids += [row["id"] for row in varnish.get("/api/v1/statements/").json()["results"] if row["id"] not in ids]
    delays, direct = [], []
    for pk in ids[:count]:
        card = f"/embed/statements/{pk}/"
        varnish.get(card)
        assert varnish.get(card).headers["X-Cache"] == "HIT"
        services.statement_retract(statement_id=pk, user=editor, reason="Benchmark: withdrawn.")
        done = time.monotonic()
        wait_for(lambda card=card: varnish.get(card).status_code == 410, "the purged card", deadline=30, every=0.005)
        delays.append(time.monotonic() - done)
        # Reference: a purge sent straight to Varnish (no event, no queue), then the next answer.
        listing = LIST_PATHS[0]
        varnish.get(listing)
        assert varnish.get(listing).headers["X-Cache"] == "HIT"
        sent = time.monotonic()
        requests.request("PURGE", f"{varnish.url}/", headers={"xkey-purge": "statements"}, timeout=5)
        assert varnish.get(listing).headers["X-Cache"] == "MISS"
        direct.append(time.monotonic() - sent)
    return delays, direct


def _purge_many(varnish, how: str, count: int = 1000) -> None:
    session = requests.Session()
    for n in range(count):
        key = f"nothing-{how}-{n}"
        if how == "xkey":
            answer = session.request("PURGE", f"{varnish.url}/", headers={"xkey-purge": key}, timeout=5)
        else:
            answer = session.request("BAN", f"{varnish.url}/", headers={"ban-key": key}, timeout=5)
        answer.raise_for_status()


def _bans(varnish) -> int:
    """Bans on Varnish's ban list (varnishadm ban.list), the one every object is tested against."""
    import subprocess

    listed = subprocess.run(
        ["varnishadm", "-n", str(varnish.folder / "work"), "ban.list"], capture_output=True, text=True, check=True
    ).stdout
    return sum(1 for line in listed.splitlines()[1:] if line.strip() and "C" not in line.split()[2:3])


def _collectstatic(env: dict) -> None:
    import subprocess

    from tests.deploy.scale.harness import PYTHON, ROOT

    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


if __name__ == "__main__":
    main()
