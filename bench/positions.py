"""Positions and compare latency for 200 governments × 5,000 statements each (issue: comparison).

    .venv/bin/python bench/positions.py [--statements 1000000] [--repeat 300]

Builds (once) a database `bench_positions` on the embedded server (or BENCH_DATABASE_URL) with
one topic, 200 governments and N statements spread evenly (generate_statements, with COPY), then
measures in-process (Django's test client, no HTTP): the positions endpoint at random dates,
compare for random statements, and as references the domain function and its core SQL alone.
"""

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup, measure, serve_like_wsgi, summarise, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--governments", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    django_setup("bench_positions")

    from django.db import connection
    from django.test import Client

    from statements.generator import statements_generate
    from statements.models import PositionStep, Statement, Topic
    from statements.positions import positions_as_of, positions_sql

    existing = Statement.objects.count()
    if existing < args.statements:
        print(f"generating {args.statements - existing:,} statements …", file=sys.stderr)
        result = statements_generate(
            count=args.statements - existing, governments=args.governments, topics=1, government_skew=0
        )
        print(f"generated {result.statements:,} statements", file=sys.stderr)
    topic = Topic.objects.get(slug="generated-topic-1")
    steps = PositionStep.objects.filter(topic=topic).count()
    rng = random.Random(7)
    dates = [f"{rng.randint(2015, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" for _ in range(args.repeat)]
    ids = list(Statement.objects.published().filter(topic=topic).values_list("id", flat=True)[:: max(1, steps // 5000)])
    subjects = [rng.choice(ids) for _ in range(args.repeat)]
    client = Client()
    serve_like_wsgi()

    def positions_view(i):
        response = client.get("/api/v1/positions/", {"topic": topic.slug, "as_of": dates[i % len(dates)]})
        assert response.status_code == 200, response.content

    def compare_view(i):
        response = client.get(f"/api/v1/statements/{subjects[i % len(subjects)]}/compare/")
        assert response.status_code == 200, response.content

    codes = list(PositionStep.objects.filter(topic=topic).values_list("government_id", flat=True).distinct()[:200])

    def timeline_view(i):
        response = client.get("/api/v1/positions/timeline/", {"topic": topic.slug, "government": codes[i % len(codes)]})
        assert response.status_code == 200, response.content

    def stats_view(i):
        response = client.get("/api/v1/statements/stats/", {"group_by": "stance", "bucket": "year"})
        assert response.status_code == 200, response.content

    def domain(i):
        positions_as_of(topic=topic, as_of=dates[i % len(dates)])

    sql = positions_sql(named=False, stances=False)

    def core_sql(i):
        with connection.cursor() as cursor:
            cursor.execute(sql, {"topic": topic.pk, "as_of": dates[i % len(dates)], "codes": [], "stances": []})
            cursor.fetchall()

    body = client.get("/api/v1/positions/", {"topic": topic.slug, "as_of": "2026-01-01"}).json()
    rows = [
        (
            "GET /api/v1/positions/?topic=…&as_of=<random>",
            summarise(measure(positions_view, args.repeat)),
            f"{len(body['positions'])} rows, 2 queries",
        ),
        (
            "GET /api/v1/statements/<random>/compare/",
            summarise(measure(compare_view, args.repeat)),
            "target ≤ 20 ms median",
        ),
        (
            "GET /api/v1/positions/timeline/?topic=…&government=<one>",
            summarise(measure(timeline_view, args.repeat // 5)),
            "one government's changes",
        ),
        (
            "GET /api/v1/statements/stats/?group_by=stance&bucket=year",
            summarise(measure(stats_view, 20, warmup=2)),
            "aggregates all 1M rows",
        ),
        ("reference: positions_as_of() (domain, no HTTP layer)", summarise(measure(domain, args.repeat)), ""),
        ("reference: the core positions SQL alone", summarise(measure(core_sql, args.repeat)), ""),
    ]
    print(
        f"\n{Statement.objects.count():,} statements, {steps:,} published on the topic, "
        f"{args.governments} governments; {args.repeat} requests each; PostgreSQL "
        f"{connection.cursor().connection.info.server_version // 10000}\n"
    )
    print(table(rows))


if __name__ == "__main__":
    main()
