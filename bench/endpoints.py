"""Latency of the other read endpoints on the 1M-statement database of bench/positions.py.

    .venv/bin/python bench/positions.py --repeat 10   # builds the database once, if needed
    .venv/bin/python bench/endpoints.py [--repeat 30]

In-process (Django's test client, production settings, no HTTP). Issue 7's harness (HTTP with
gunicorn and wrk, Datasette and pgbench references) is still to come; these figures guard the
fixes made so far against regressions.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup, measure, serve_like_wsgi, summarise, table

ENDPOINTS = [
    ("statement detail", "/api/v1/statements/{statement}/"),
    (
        "statements: one government, one year (50 rows)",
        "/api/v1/statements/?government=DE&said_after=2022-01-01&said_before=2022-12-31",
    ),
    ("statements: search, a common word", "/api/v1/statements/?q=asylum"),
    ("speakers list (50)", "/api/v1/speakers/"),
    ("speaker detail", "/api/v1/speakers/{speaker}/"),
    ("governments list (50)", "/api/v1/governments/"),
    ("government detail", "/api/v1/governments/DE/"),
    ("topics list", "/api/v1/topics/"),
    ("topic detail", "/api/v1/topics/generated-topic-1/"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    django_setup("bench_positions")
    from django.test import Client

    from statements.models import Speaker, Statement

    if Statement.objects.count() < 100_000:
        sys.exit("Build the data first: .venv/bin/python bench/positions.py --repeat 10")
    values = {
        "statement": Statement.objects.published().order_by("id").values_list("id", flat=True)[500],
        "speaker": Speaker.objects.order_by("id").values_list("slug", flat=True)[16],
    }
    client = Client()
    serve_like_wsgi()
    rows = []
    for name, url in ENDPOINTS:
        url = url.format(**values)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        rows.append((f"{name}", summarise(measure(lambda i, url=url: client.get(url), args.repeat, 3)), url[:60]))
    print(f"\n{Statement.objects.count():,} statements; {args.repeat} requests each\n")
    print(table(rows))


if __name__ == "__main__":
    main()
