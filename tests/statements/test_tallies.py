"""The tallies (statements/sql/tallies.sql) against counting the statements themselves: facets
and stats must be the same whichever answers, after every kind of write, and writes to
different statements must not wait on each other's tally rows."""

import datetime
import json

import orjson
import psycopg
import pytest
from django.db import connection

from statements import services, tallies
from statements.facets import facet_counts
from statements.filtering import selection_from
from statements.models import Statement, StatementTally, Status
from statements.stats import selection_counts, selection_counts_json, statement_counts
from tests.conftest import SEED_FILES, database_url, import_file, import_topics

SELECTIONS = [
    {},
    {"government": "US"},
    {"government": "FI,EE,LV,LT,PL"},
    {"stance": "restrictive"},
    {"topic": "russian-mobilisation-2022"},
    {"language": "en"},
    {"government": "US", "stance": "welcoming"},
    {"said_after": "2022-01-01", "said_before": "2022-12-31"},
    {"said_after": "2022-09-01", "said_before": "2022-10-31"},
    {"government": "DE", "said_after": "2022-01-01", "said_before": "2023-12-31"},
    {"stance": "conditional", "topic": "ukrainian-refugees-2022"},
]
# Selections only the statements can answer (the tallies say so by returning None).
UNTALLIED = [
    {"government": "US", "stance": "welcoming", "topic": "russian-mobilisation-2022"},
    {"said_after": "2022-09-21", "said_before": "2022-09-28"},
    {"q": "asylum"},
    {"is_translation": "true"},
]


@pytest.fixture
def both_topics(db):
    import_topics()
    for path in SEED_FILES:
        assert import_file(path).ok


def as_dict(facets):
    return {
        "total": facets.total,
        **{name: [(v.value, v.label, v.count) for v in values] for name, values in facets.by.items()},
    }


def assert_tallies_agree():
    for data in SELECTIONS + UNTALLIED:
        selection = selection_from(data)
        assert as_dict(facet_counts(selection)) == as_dict(facet_counts(selection, use_tallies=False)), data
        for group_by, bucket in (
            (["government"], "month"),
            (["stance"], "year"),
            (["topic"], "month"),
            (["government", "stance"], None),
            (["language", "topic"], "year"),
        ):
            direct = statement_counts(
                Statement.objects.filter(selection.condition()),
                group_by=group_by,
                bucket=bucket,
                said_after=selection.said_after,
                said_before=selection.said_before,
            )
            assert selection_counts(selection, group_by=group_by, bucket=bucket) == direct, (data, group_by, bucket)
            as_json = selection_counts_json(selection, group_by=group_by, bucket=bucket)
            if as_json is not None:  # the API's JSON, built by PostgreSQL: the same rows
                assert json.loads(as_json) == json.loads(orjson.dumps(direct)), (data, group_by, bucket)


def test_the_tallies_answer_what_they_can_and_agree_with_counting(both_topics):
    for data in SELECTIONS:
        assert tallies.tally_counts(selection_from(data), ("stance",)) is not None, data
    for data in UNTALLIED:
        assert tallies.tally_counts(selection_from(data), ("stance",)) is None, data
    assert_tallies_agree()
    facets = facet_counts(selection_from({}))
    assert facets.total == Statement.objects.filter(status=Status.PUBLISHED).count()
    for name, values in facets.by.items():
        assert sum(v.count for v in values) == facets.total, name


def test_every_kind_of_write_keeps_them_exact(both_topics, staff_user):
    us = Statement.objects.filter(government="US", status=Status.PUBLISHED).order_by("id")
    first, second, third = us[0], us[1], us[2]
    first.stance = "restrictive" if first.stance != "restrictive" else "neutral"  # an editor's recode
    services.statement_save(statement=first, user=staff_user, expected_version=first.version, note="Recoded.")
    services.statement_retract(statement_id=second.pk, user=staff_user, reason="Not what was said.")
    rows = StatementTally.objects.count()
    third.context = third.context + " (checked)"  # no counted key changes: no delta rows
    services.statement_save(statement=third, user=staff_user, expected_version=third.version, note="Context.")
    assert StatementTally.objects.count() == rows
    Statement.objects.filter(government="DE").update(said_on=datetime.date(2023, 2, 1))  # a bulk write
    Statement.objects.filter(government="CA").delete()
    assert_tallies_agree()
    left = tallies.compact()
    assert left == StatementTally.objects.count() < rows
    assert not StatementTally.objects.filter(n=0).exists()
    assert_tallies_agree()


def test_writes_to_different_statements_do_not_wait_on_each_other(transactional_db):
    """Two editors' transactions, open at once, both changing the same tally buckets (topic,
    stance, language and month; two governments, as the position steps serialize writes per
    government and topic): the second must not wait for the first."""
    import_topics()
    for path in SEED_FILES:
        assert import_file(path).ok
    a, b = (
        Statement.objects.filter(government=code, status=Status.PUBLISHED, stance="restrictive", said_on__month=9)
        .order_by("id")
        .first()
        for code in ("FI", "EE")
    )
    assert (a.topic_id, a.language, a.said_on.month) == (b.topic_id, b.language, b.said_on.month)
    url = database_url(connection.settings_dict["NAME"])
    first, second = psycopg.connect(url), psycopg.connect(url)
    try:
        first.execute("UPDATE statements_statement SET stance = 'conditional' WHERE id = %s", [a.pk])
        second.execute("SET lock_timeout = '500ms'")
        second.execute("UPDATE statements_statement SET stance = 'conditional' WHERE id = %s", [b.pk])  # no wait
        second.commit()
        first.commit()
    finally:
        first.close()
        second.close()
    assert_tallies_agree()


def test_the_compact_command_folds_the_deltas(both_topics, staff_user):
    from io import StringIO

    from django.core.management import call_command

    statement = Statement.objects.filter(status=Status.PUBLISHED).first()
    statement.stance = "neutral" if statement.stance != "neutral" else "welcoming"
    services.statement_save(statement=statement, user=staff_user, expected_version=statement.version, note="Recoded.")
    before = StatementTally.objects.count()
    out = StringIO()
    call_command("compact_tallies", stdout=out)
    after = StatementTally.objects.count()
    assert after < before and out.getvalue().strip() == f"tallies: {before:,} rows folded into {after:,}"
    assert_tallies_agree()
