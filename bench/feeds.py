"""Feeds ordered by the public record at one million statements, beside the previous code path
(the same feeds ordered by when the remark was said), measured in the same run.

    .venv/bin/python bench/feeds.py --repeat 200

The data: `bench_statements` (bench/run.py builds it). Feeds now hold what most recently entered
or changed the public record (statements.listing.latest_changes, ordered by `record_changed_at`,
kept by a trigger, through the `statements_record_changed` index); before issue 23 they held the
newest remarks by `said_on`. The reference swaps that one ordering back (listing.RECORD_ORDER),
through the whole stack in-process (Django's test client, production settings), in alternating
blocks, for the feed of everything, of one government (20 of the 40 most frequent), of a topic
and of a search.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup, measure, serve_like_wsgi, summarise

DATABASE = "bench_statements"


def rows(sql: str) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def alternating(client, urls: list[str], repeat: int, blocks: int = 4) -> tuple[dict, dict, set]:
    from statements import listing, paging

    by_record, by_said, statuses = [], [], set()
    per_block = max(1, repeat // blocks)

    def get(i: int) -> None:
        statuses.add(client.get(urls[i % len(urls)]).status_code)

    record_order = listing.RECORD_ORDER
    for _ in range(blocks):
        by_record += measure(get, per_block)
        listing.RECORD_ORDER = paging.ORDERINGS["-said_on"]
        try:
            by_said += measure(get, per_block)
        finally:
            listing.RECORD_ORDER = record_order
    return summarise(by_record), summarise(by_said), statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()

    django_setup(DATABASE)
    serve_like_wsgi()
    from django.test import Client

    client = Client()
    governments = [
        code
        for (code,) in rows("SELECT government_id FROM statements_statement GROUP BY 1 ORDER BY count(*) DESC LIMIT 40")
    ][::2]
    topics = [slug for (slug,) in rows("SELECT slug FROM statements_topic ORDER BY id LIMIT 10")]
    cases = {
        "everything": ["/feeds/statements.atom"],
        "one government (20 of the 40 most frequent)": [f"/feeds/statements.atom?government={g}" for g in governments],
        "one topic (10)": [f"/feeds/statements.atom?topic={t}" for t in topics],
        "a search": ["/feeds/statements.atom?q=asylum", "/feeds/statements.json?q=refugees"],
        "JSON Feed, one government": [f"/feeds/statements.json?government={g}" for g in governments],
    }
    lines = [
        "| feed (in-process, 1,000,000 statements) | by record median ms | p99 ms | by said_on (before) median ms "
        "| p99 ms | median ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, urls in cases.items():
        record, said, statuses = alternating(client, urls, args.repeat)
        assert statuses == {200}, (label, statuses)
        lines.append(
            f"| {label} | {record['median']:.2f} | {record['p99']:.2f} | {said['median']:.2f} | {said['p99']:.2f} | "
            f"{record['median'] / said['median']:.2f}× |"
        )
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
