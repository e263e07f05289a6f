"""The public site (SPEC §6a) at 1,000,000 statements: facets, stats and the new pages.

In-process through the whole stack, as bench/run.py does, each figure beside the SQL the
request ran (captured and replayed); facets and stats also beside counting the statements
themselves (what they did before the tallies), so the tallies' gain is measured in the same run.

    .venv/bin/python bench/site.py [--repeat 100] [--markdown FILE]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import django_setup, measure, serve_like_wsgi, summarise
from run import DATABASE, compare, ensure_data, sql_rows


def facets_rows(repeat: int, governments: list[str], topic_slug: str) -> list[dict]:
    from statements.facets import facet_counts
    from statements.filtering import GOVERNMENT_GROUPS, selection_from

    cases = [
        ("facets: every statement", [{}]),
        ("facets: one government", [{"government": g} for g in governments[:20]]),
        ("facets: stance=restrictive (45%)", [{"stance": "restrictive"}]),
        ("facets: one topic", [{"topic": topic_slug}]),
        ("facets: EU member states (27 codes)", [{"government": ",".join(GOVERNMENT_GROUPS["eu-members"][1])}]),
        ("facets: government + stance", [{"government": g, "stance": "restrictive"} for g in governments[:20]]),
        ("facets: three years", [{"said_after": "2021-01-01", "said_before": "2023-12-31"}]),
    ]
    rows = []
    for name, datas in cases:
        selections = [selection_from(d) for d in datas]
        tallied = summarise(measure(lambda i, s=selections: facet_counts(s[i % len(s)]), repeat))
        counted = summarise(
            measure(lambda i, s=selections: facet_counts(s[i % len(s)], use_tallies=False), max(3, repeat // 20))
        )
        total = facet_counts(selections[0]).total
        rows.append(
            {
                "name": name,
                "endpoint": tallied,
                "reference": counted,
                "ratio": tallied["median"] / counted["median"],
                "note": f"{total:,} statements (first); reference: GROUPING SETS over the statements",
            }
        )
    return rows


def stats_rows(client, repeat: int) -> list[dict]:
    from statements.filtering import selection_from
    from statements.models import Statement
    from statements.stats import statement_counts

    url = "/api/v1/statements/stats/?group_by=government&bucket=month&said_after=2021-01-01&said_before=2023-12-31"
    row = compare(client, "stats: government × month, 3 years", [url], repeat)
    selection = selection_from({"said_after": "2021-01-01", "said_before": "2023-12-31"})
    counted = summarise(
        measure(
            lambda i: statement_counts(
                Statement.objects.filter(selection.condition()),
                group_by=["government"],
                bucket="month",
                said_after=selection.said_after,
                said_before=selection.said_before,
            ),
            max(3, repeat // 20),
        )
    )
    before = {
        "name": "stats, counted from the statements (before)",
        "endpoint": counted,
        "reference": row["endpoint"],
        "ratio": counted["median"] / row["endpoint"]["median"],
        "note": "the domain function alone; reference: the endpoint above",
    }
    return [row, before]


def page_rows(client, repeat: int, governments: list[str], topic_slug: str, speakers: list[str]) -> list[dict]:
    sample = "SELECT search_vector FROM statements_statement WHERE id % 9973 = 0"
    words = [
        w
        for (w,) in sql_rows(f"SELECT word FROM ts_stat('{sample}') WHERE ndoc BETWEEN 2 AND 3 ORDER BY word LIMIT 10")
    ]
    return [
        compare(client, "page: / (home)", ["/"], repeat),
        compare(client, "page: /statements/ (every statement, facets)", ["/statements/"], repeat),
        compare(
            client,
            "page: /statements/?government=X",
            [f"/statements/?government={g}" for g in governments[:20]],
            repeat,
        ),
        compare(client, "page: /statements/?q=<rare word>", [f"/statements/?q={w}" for w in words], repeat),
        compare(
            client, "page: /topics/<slug>/ (grid, timeline, bars)", [f"/topics/{topic_slug}/"], max(5, repeat // 5)
        ),
        compare(
            client, "page: /governments/<code>/", [f"/governments/{g}/" for g in governments[:5]], max(5, repeat // 5)
        ),
        compare(client, "page: /speakers/<slug>/", [f"/speakers/{s}/" for s in speakers], repeat),
        compare(client, "embed: /embed/timeline/<slug>/", [f"/embed/timeline/{topic_slug}/"], max(5, repeat // 5)),
    ]


def report(rows: list[dict]) -> str:
    lines = [
        "| measure | median ms | p99 ms | reference median ms | ratio | note |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        e, r = row["endpoint"], row["reference"]
        lines.append(
            f"| {row['name']} | {e['median']:.2f} | {e['p99']:.2f} | {r['median']:.2f} | {row['ratio']:.2f} "
            f"| {row['note']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    django_setup(DATABASE)
    ensure_data(1_000_000)
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", "--noinput", verbosity=0)  # production settings: hashed file names
    serve_like_wsgi()

    from statements import tallies

    print(f"tally rows after compaction: {tallies.compact():,}", file=sys.stderr)
    client = Client()
    governments = [
        code
        for code, _n in sql_rows(
            "SELECT government_id, count(*) FROM statements_statement GROUP BY 1 ORDER BY 2 DESC LIMIT 40"
        )
    ][::2]
    topic_slug = sql_rows("SELECT slug FROM statements_topic WHERE slug LIKE 'generated-topic-%' ORDER BY id LIMIT 1")[
        0
    ][0]
    speakers = [s for (s,) in sql_rows("SELECT slug FROM statements_speaker ORDER BY id LIMIT 20")]
    rows = stats_rows(client, args.repeat) + facets_rows(args.repeat, governments, topic_slug)
    rows += page_rows(client, args.repeat, governments, topic_slug, speakers)
    text = report(rows)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
