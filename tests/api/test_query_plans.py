"""Query plans at scale: no public filter, ordering or search reads the statements table whole.

The table holds 200,000 generated statements (inside the test's transaction, so they vanish with
it), analysed, so that the planner decides as it would in production: on a few hundred rows a
sequential scan is always cheapest and the test would prove nothing. Every SQL statement each
request runs is explained with the parameters it ran with (custom plans), and any `Seq Scan` on
statements_statement fails the test, listing every offending request.

Bulk exports are not in the matrix: exporting everything reads everything.
"""

import json

import pytest
from django.db import connection

from statements import paging
from statements.generator import statements_generate
from statements.models import Speaker, Topic
from statements.quotecheck.candidates import forget_statistics

LIST = "/api/v1/statements/"
ROWS = 200_000


def scans(plan: dict) -> list[str]:
    """(node type, relation) of every node of a JSON plan."""
    found = [(plan["Node Type"], plan.get("Relation Name", ""))]
    for child in plan.get("Plans", []):
        found += scans(child)
    return found


def explained_requests(api, urls: list[str]) -> dict[str, list[tuple[str, str]]]:
    """For each URL: the sequential scans on statements_statement in the plans of its queries."""
    offenders = {}
    for url in urls:
        executed = []

        def record(execute, sql, params, many, context, executed=executed):
            executed.append((sql, params, type(context["cursor"].cursor)))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            response = api.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        for sql, params, cursor_class in executed:
            if "statements_statement" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            with cursor_class(connection.connection) as cursor:
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
                plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            bad = [node for node in scans(plan[0]["Plan"]) if node == ("Seq Scan", "statements_statement")]
            if bad:
                offenders.setdefault(url, []).append(sql[:160])
    return offenders


def cursor_for(ordering: str, values: list) -> str:
    return paging.encode(paging.ORDERINGS[ordering], values)


@pytest.fixture
def big_table(db):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")  # generating takes longer than the tests' 30 s
    statements_generate(count=ROWS, governments=200, speakers=2000, topics=20)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # every table, the generated references included
    forget_statistics()  # the quote check reads the statistics of this table, not an earlier test's
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM ts_stat('SELECT search_vector FROM statements_statement WHERE id % 100 = 0') "
            "ORDER BY ndoc DESC LIMIT 1"
        )
        common = cursor.fetchone()[0]
        cursor.execute(
            "SELECT government_id FROM statements_statement GROUP BY 1 ORDER BY count(*) DESC LIMIT 1 OFFSET 20"
        )
        government = cursor.fetchone()[0]
    speaker = Speaker.objects.filter(slug__startswith="generated-speaker-").order_by("id").first().slug
    topic = Topic.objects.filter(slug__startswith="generated-topic-").order_by("id").first().slug
    return {"common": common, "government": government, "speaker": speaker, "topic": topic}


def test_no_public_list_reads_the_whole_statements_table(big_table, api):
    g, sp, tp, common = big_table["government"], big_table["speaker"], big_table["topic"], big_table["common"]
    filters = [
        "",
        f"government={g}",
        f"government={g},EU,UN",
        f"speaker={sp}",
        f"topic={tp}",
        "stance=welcoming",
        "stance=restrictive,neutral",
        "language=en",
        "language=uk",
        "is_translation=true",
        "said_after=2022-01-01&said_before=2022-12-31",
        "said_before=2015-01-01",
        "updated_since=2020-01-01",
        f"government={g}&said_after=2022-01-01&said_before=2022-12-31",
        f"topic={tp}&stance=welcoming",
        f"speaker={sp}&said_after=2020-01-01",
        "q=asylum",
        f"q={common}",
        "q=zqxjnothing",
        f'q="{common} the"',
        f"government={g}&q=asylum",
        f"topic={tp}&q={common}&said_after=2022-01-01",
    ]
    orderings = ["-said_on", "said_on", "-updated_at", "updated_at"]
    cursors = {
        "-said_on": cursor_for("-said_on", ["2022-09-27", 100_000]),
        "said_on": cursor_for("said_on", ["2018-03-01", 100_000]),
        "-updated_at": cursor_for("-updated_at", ["2099-01-01T00:00:00+00:00", 100_000]),
        "updated_at": cursor_for("updated_at", ["2000-01-01T00:00:00+00:00", 100_000]),
    }
    urls = []
    for query in filters:
        searching = "q=" in query
        for ordering in orderings + (["rank"] if searching else []):
            base = f"{LIST}?{query}&ordering={ordering}" if query else f"{LIST}?ordering={ordering}"
            urls.append(base)
            if ordering in cursors:
                urls.append(f"{base}&cursor={cursors[ordering]}")
    urls += [
        "/feeds/statements.atom",
        f"/feeds/statements.atom?government={g}",
        f"/feeds/statements.atom?q={common}",
        f"{LIST}?page_size=200",
    ]
    # The quote check: its candidates come from the GIN indexes of the quotes and the renderings
    # (a short print, a long one, 2,000 characters of the commonest words).
    urls += [
        f"{LIST}check/?text=We+welcome+all+people+seeking+asylum",
        f"{LIST}check/?text=" + "+".join(["asylum", "refugees", "border", "visa", "welcome"] * 12),
        f"{LIST}check/?text=" + "+".join(["the", "of", "and", "to", "in"] * 115),
    ]

    offenders = explained_requests(api, urls)

    assert not offenders, "\n".join(f"{url}: {sqls}" for url, sqls in offenders.items())
    assert len(urls) > 150
