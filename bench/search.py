"""Stemmed search at one million statements, beside exact-word search measured in the same run.

    .venv/bin/python bench/search.py                       # ~10 min once the data exist
    .venv/bin/python bench/search.py --repeat 200 --markdown bench/latest-search.md

The data: `bench_statements` (bench/run.py builds it: 1,000,000 generated statements in nine
languages). The reference is the search this tracker ran before issue 23, exact words with the
`simple` configuration, on a copy of its vector that this script adds to the benchmark database
only (`search_vector_simple`, a stored generated column with its GIN index; built once, a few
minutes). Both go through the whole stack in-process (`GET /api/v1/statements/?q=…`, Django's
test client, production settings): the reference is the same code with statements.search's
three SQL builders swapped for the exact-word ones, which is all the change touched. Each class
of words cycles through 10 words; the two paths run in alternating blocks, so that a busy
machine slows both alike. Also: the SQL of one stemmed search EXPLAINed (which indexes it uses).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup, measure, serve_like_wsgi, summarise

DATABASE = "bench_statements"
LIST = "/api/v1/statements/"
REFERENCE_COLUMN = "search_vector_simple"


def ensure_reference() -> None:
    """The exact-word vector of before (quote and context, `simple`), as a bench-only column."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'statements_statement' AND column_name = %s",
            [REFERENCE_COLUMN],
        )
        if cursor.fetchone():
            return
        print("adding the exact-word reference vector (once) …", file=sys.stderr)
        cursor.execute("SET statement_timeout = 0")
        cursor.execute(
            f"ALTER TABLE statements_statement ADD COLUMN {REFERENCE_COLUMN} tsvector GENERATED ALWAYS AS "
            "(to_tsvector('simple'::regconfig, COALESCE(quote, '') || ' ' || COALESCE(context, ''))) STORED"
        )
        cursor.execute(f"CREATE INDEX bench_search_simple_gin ON statements_statement USING gin ({REFERENCE_COLUMN})")
        cursor.execute("VACUUM ANALYZE statements_statement")


def exact_words(search) -> dict:
    """statements.search's SQL builders as the exact-word search of before (bench reference only)."""

    def query(q: str) -> str:
        return f"websearch_to_tsquery('simple', {search._literal(q)})"

    return {
        "VECTOR": REFERENCE_COLUMN,
        "condition": lambda q, table, languages=(): f"{table}.{REFERENCE_COLUMN} @@ {query(q)}",
        "rank": lambda q, table: f"ts_rank({table}.{REFERENCE_COLUMN}, {query(q)})::float8",
    }


class Swapped:
    """Inside: statements.search builds the reference's SQL."""

    def __init__(self):
        from statements import search

        self.search, self.saved = search, {}
        self.replacement = exact_words(search)

    def __enter__(self):
        for name, value in self.replacement.items():
            self.saved[name] = getattr(self.search, name)
            setattr(self.search, name, value)

    def __exit__(self, *exc):
        for name, value in self.saved.items():
            setattr(self.search, name, value)


def rows(sql: str, params=None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def word_classes(per_class: int) -> dict[str, list[str]]:
    """Words as people type them (surface forms, from a 2% sample of the exact-word vector), by
    how many quotes hold them: rare (~0.01%), mid (~1%), common (~25%), the most common, none;
    and two words, phrase and exclusion queries built from mid words."""
    words = rows(
        f"SELECT word, ndoc FROM ts_stat('SELECT {REFERENCE_COLUMN} FROM statements_statement WHERE id % 50 = 0') "
        "WHERE length(word) > 3 ORDER BY ndoc DESC, word"
    )
    sample = max(1, rows("SELECT count(*) FROM statements_statement WHERE id % 50 = 0")[0][0])

    def near(fraction: float, count: int = per_class) -> list[str]:
        ranked = sorted(words, key=lambda w: (abs(w[1] / sample - fraction), w[0]))
        return [w for w, _ in ranked[:count]]

    mid = near(0.01, 2 * per_class)
    return {
        "rare (~0.01%)": near(0.0001),
        "mid (~1%)": mid[:per_class],
        "common (~25%)": near(0.25),
        "most common": [words[0][0]] * per_class,
        "no hit": [f"zqxj{n}" for n in range(per_class)],
        "two mid words": [f"{a} {b}" for a, b in zip(mid[:per_class], mid[per_class:], strict=True)],
        "mid, excluding a common": [f"{a} -{b}" for a, b in zip(mid[:per_class], near(0.25), strict=True)],
        '"phrase" of two': [f'"{a} {b}"' for a, b in zip(near(0.25), near(0.25)[1:] + near(0.25)[:1], strict=True)],
    }


def alternating(client, urls: list[str], repeat: int, blocks: int = 4) -> tuple[dict, dict, set]:
    """Stemmed and exact-word timings of `urls`, in alternating blocks; and the statuses seen."""
    stemmed, exact, statuses = [], [], set()
    per_block = max(1, repeat // blocks)

    def get(i: int) -> None:
        statuses.add(client.get(urls[i % len(urls)]).status_code)

    for _ in range(blocks):
        stemmed += measure(get, per_block)
        with Swapped():
            exact += measure(get, per_block)
    return summarise(stemmed), summarise(exact), statuses


def counts(client, urls: list[str]) -> tuple[int, int]:
    """How many statements the words found, stemmed and exact (counts capped at 1,000 as the API's)."""
    stemmed = sum(client.get(url).json()["count"] for url in urls)
    with Swapped():
        exact = sum(client.get(url).json()["count"] for url in urls)
    return stemmed, exact


def explain(word: str) -> str:
    """Which scans the stemmed search's page statement uses (statements_statement's indexes)."""
    import json

    from django.db import connection

    from statements.listing import Selection, StatementPages
    from statements.paging import ORDERINGS

    captured = []

    def record(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        pages = StatementPages(Selection(q=word), ORDERINGS["rank"], _ids_only())
        pages.page(None, False, 50)
    sql, params = captured[-1]
    plan = rows("EXPLAIN (FORMAT JSON) " + sql, params)[0][0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = []

    def walk(node):
        if "Index Name" in node or node["Node Type"] == "Seq Scan":
            found.append(f"{node['Node Type']} {node.get('Index Name', node.get('Relation Name', ''))}")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return ", ".join(found)


def _ids_only():
    from statements.listing import Projection

    return Projection(select="s.id::text")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per measure and path")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args()

    django_setup(DATABASE)
    ensure_reference()
    serve_like_wsgi()
    from django.test import Client

    client = Client()
    classes = word_classes(per_class=10)
    lines = [
        "| search (in-process, 1,000,000 statements) | stemmed median ms | stemmed p99 ms | exact-word "
        "median ms | exact-word p99 ms | p99 ratio | found (stemmed / exact, 10 words, counts capped at 1,000) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    worst = 0.0
    for label, words in classes.items():
        for ordering in ("rank", "-said_on"):
            urls = [f"{LIST}?{_query(word)}&ordering={ordering}" for word in words]
            stemmed, exact, statuses = alternating(client, urls, args.repeat)
            assert statuses == {200}, (label, statuses)
            found = counts(client, urls) if ordering == "rank" else ("", "")
            ratio = stemmed["p99"] / exact["p99"]
            worst = max(worst, ratio)
            lines.append(
                f"| {label}, {ordering} | {stemmed['median']:.2f} | {stemmed['p99']:.2f} | {exact['median']:.2f} | "
                f"{exact['p99']:.2f} | {ratio:.2f}× | {found[0]} / {found[1]} |"
            )
            print(lines[-1], file=sys.stderr, flush=True)  # progress
    lines += ["", f"Worst p99 ratio: **{worst:.2f}×** (target ≤ 1.5×).", ""]
    lines.append(f"Plan of a ranked search for {classes['mid (~1%)'][0]!r}: {explain(classes['mid (~1%)'][0])}.")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


def _query(words: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"q": words})


if __name__ == "__main__":
    main()
