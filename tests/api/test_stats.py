"""Statement statistics: grouped counts, period buckets with empty periods as zeros, every filter."""

import pytest

from statements.models import Statement
from tests.conftest import searched
from tests.factories import GovernmentFactory, StatementFactory

STATS = "/api/v1/statements/stats/"


def test_counts_by_government_and_stance_whole_body(seeded, api):
    response = api.get(STATS, {"group_by": "government,stance", "government": "US,NL,DE"})

    assert response.status_code == 200
    assert response.json() == {
        "group_by": ["government", "stance"],
        "bucket": None,
        "results": [
            {"government": "DE", "stance": "welcoming", "count": 4},
            {"government": "NL", "stance": "restrictive", "count": 1},
            {"government": "NL", "stance": "welcoming", "count": 1},
            {"government": "US", "stance": "conditional", "count": 1},
            {"government": "US", "stance": "neutral", "count": 1},
            {"government": "US", "stance": "welcoming", "count": 1},
        ],
    }


def test_monthly_buckets_fill_empty_months_with_zero(seeded, api):
    body = api.get(STATS, {"group_by": "stance", "bucket": "month", "government": "NL"}).json()

    assert body == {
        "group_by": ["stance"],
        "bucket": "month",
        "results": [
            {"stance": "restrictive", "period": "2022-09-01", "count": 0},
            {"stance": "restrictive", "period": "2022-10-01", "count": 0},
            {"stance": "restrictive", "period": "2022-11-01", "count": 0},
            {"stance": "restrictive", "period": "2022-12-01", "count": 1},
            {"stance": "welcoming", "period": "2022-09-01", "count": 1},
            {"stance": "welcoming", "period": "2022-10-01", "count": 0},
            {"stance": "welcoming", "period": "2022-11-01", "count": 0},
            {"stance": "welcoming", "period": "2022-12-01", "count": 0},
        ],
    }


def test_buckets_span_the_filter_range(seeded, api):
    body = api.get(
        STATS,
        {
            "group_by": "government",
            "bucket": "week",
            "government": "US",
            "said_after": "2022-09-12",
            "said_before": "2022-10-02",
        },
    ).json()

    assert body["results"] == [
        {"government": "US", "period": "2022-09-12", "count": 0},
        {"government": "US", "period": "2022-09-19", "count": 1},
        {"government": "US", "period": "2022-09-26", "count": 2},
    ]


@pytest.mark.parametrize("bucket", ["day", "week", "month", "year"])
def test_every_bucket_adds_up(seeded, api, bucket):
    results = api.get(STATS, {"group_by": "stance", "bucket": bucket}).json()["results"]

    assert sum(row["count"] for row in results) == 44
    assert {row["stance"] for row in results} == {"welcoming", "conditional", "restrictive", "neutral"}


@pytest.mark.parametrize("group_by", ["government", "stance", "topic", "speaker", "language"])
def test_each_group_adds_up(seeded, api, group_by):
    results = api.get(STATS, {"group_by": group_by}).json()["results"]

    assert sum(row["count"] for row in results) == 44
    assert all(set(row) == {group_by, "count"} for row in results)


def test_stats_accept_every_statement_filter(seeded, api):
    params = {
        "group_by": "language",
        "government": "DE,NL,US",
        "stance": "welcoming,conditional",
        "topic": "russian-mobilisation-2022",
        "is_translation": "false",
        "said_after": "2022-09-01",
        "said_before": "2022-09-30",
        "q": "asylum",
    }
    body = api.get(STATS, params).json()

    expected = searched(Statement.objects.published(), "asylum").filter(
        government__in=["DE", "NL", "US"], stance__in=["welcoming", "conditional"], is_translation=False
    )
    assert sum(row["count"] for row in body["results"]) == expected.count() > 0
    assert api.get(STATS, {"group_by": "speaker", "speaker": "karine-jean-pierre"}).json()["results"] == [
        {"speaker": "karine-jean-pierre", "count": 3}
    ]


def test_drafts_are_not_counted(db, api):
    StatementFactory(status="draft")
    StatementFactory(status="retracted", quote="other")

    assert api.get(STATS, {"group_by": "stance"}).json()["results"] == []
    assert api.get(STATS, {"group_by": "stance", "bucket": "month"}).json()["results"] == []


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({}, "group_by"),
        ({"group_by": ""}, "group_by"),
        ({"group_by": "country"}, "group_by"),
        ({"group_by": "stance", "bucket": "decade"}, "bucket"),
        ({"group_by": "stance", "stanse": "x"}, "stanse"),
        ({"group_by": "stance", "ordering": "said_on"}, "ordering"),
        ({"group_by": "stance", "page_size": "10"}, "page_size"),
        ({"group_by": "stance", "stance": "welcomin"}, "stance"),
        ({"group_by": "stance", "said_after": "2022-13-01"}, "said_after"),
        ({"group_by": "stance", "bucket": ["day", "week"]}, "bucket"),
        ({"group_by": "stance", "bucket": "day", "said_after": "1990-01-01", "said_before": "2022-12-31"}, "bucket"),
    ],
)
def test_bad_parameters_are_400(seeded, api, params, parameter):
    response = api.get(STATS, params)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_stats_query_count_is_constant(db, api, django_assert_num_queries):
    for _ in range(30):
        StatementFactory(government=GovernmentFactory())
    with django_assert_num_queries(1):
        assert len(api.get(STATS, {"group_by": "government"}).json()["results"]) == 30
    with django_assert_num_queries(1):  # from the tallies: the counts give the span
        api.get(STATS, {"group_by": "government", "bucket": "month"})
    speaker = Statement.objects.first().speaker.slug
    with django_assert_num_queries(3):  # counted from the statements: the speaker's id, the span, the counts
        api.get(STATS, {"group_by": "government", "bucket": "month", "speaker": speaker})
