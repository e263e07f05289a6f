"""Positions, compare, timeline: the comparison contract on the seed data and on factory data."""

import datetime

import pytest

from statements.models import Statement
from tests.api.problems import problem
from tests.factories import GovernmentFactory, SpeakerFactory, StatementFactory, TopicFactory

TOPIC = "russian-mobilisation-2022"
POSITIONS = "/api/v1/positions/"
TIMELINE = "/api/v1/positions/timeline/"

# As of 27 Sep 2022, from the seed data: code → (stance, since, previous_stance, counts w/c/r/n).
AS_OF_27_SEPT = {
    "BE": ("restrictive", "2022-09-23", None, (0, 0, 2, 0)),
    "CA": ("welcoming", "2022-09-22", None, (1, 0, 0, 0)),
    "CZ": ("restrictive", "2022-09-22", None, (0, 0, 1, 0)),
    "EE": ("restrictive", "2022-09-21", None, (0, 0, 2, 0)),
    "EU": ("neutral", "2022-09-26", "welcoming", (1, 1, 0, 2)),
    "FI": ("restrictive", "2022-09-22", None, (0, 0, 2, 0)),
    "FR": ("conditional", "2022-09-27", None, (0, 1, 0, 0)),
    "GE": ("neutral", "2022-09-27", None, (0, 0, 0, 1)),
    "DE": ("welcoming", "2022-09-21", None, (3, 0, 0, 0)),
    "IE": ("conditional", "2022-09-23", None, (0, 1, 0, 0)),
    "IL": ("welcoming", "2022-09-22", None, (1, 0, 0, 0)),
    "KZ": ("welcoming", "2022-09-27", None, (1, 0, 0, 0)),
    "LV": ("restrictive", "2022-09-21", None, (0, 0, 2, 0)),
    "LT": ("restrictive", "2022-09-23", "conditional", (0, 1, 1, 0)),
    "NL": ("welcoming", "2022-09-23", None, (1, 0, 0, 0)),
    "PL": ("restrictive", "2022-09-23", None, (0, 0, 3, 0)),
    "GB": ("restrictive", "2022-03-22", None, (0, 0, 1, 0)),
    "UN": ("neutral", "2022-09-27", None, (0, 0, 0, 1)),
    "US": ("welcoming", "2022-09-27", "conditional", (1, 1, 0, 1)),
}


def summary(statement: Statement) -> dict:
    return {
        "id": statement.pk,
        "url": f"http://testserver/api/v1/statements/{statement.pk}/",
        "permalink": f"http://testserver/statements/{statement.pk}/",
        "speaker": {"slug": statement.speaker.slug, "name": statement.speaker.name},
        "role": statement.role,
        "said_on": statement.said_on.isoformat(),
        "date_precision": statement.date_precision,
        "stance": statement.stance,
        "quote": statement.quote,
    }


def latest(code: str, as_of: str) -> Statement:
    """The statement that sets a government's position, by the SPEC's tie rule, computed in Python."""
    candidates = Statement.objects.filter(government=code, said_on__lte=as_of, status="published")
    return max(candidates, key=lambda s: (s.said_on, s.published_on or s.said_on, s.pk))


def expected_positions(table: dict, as_of: str, subject: str | None = None) -> list[dict]:
    rows = []
    for code, (stance, since, previous, counts) in table.items():
        statement = latest(code, as_of)
        row = {
            "government": {"code": code, "name": statement.government.name},
            "stance": stance,
            "since": since,
            "previous_stance": previous,
            "counts": dict(zip(["welcoming", "conditional", "restrictive", "neutral"], counts, strict=True)),
            "statement": summary(statement),
        }
        if subject:
            row["is_subject"] = code == subject
        rows.append(row)
    return sorted(rows, key=lambda r: (r["government"]["name"], r["government"]["code"]))


TOPIC_REF = {"slug": TOPIC, "title": "Russians fleeing the 2022 mobilisation"}


def test_compare_for_the_white_house_remark_whole_body(seeded, api):
    remark = Statement.objects.get(government="US", said_on="2022-09-27")

    response = api.get(f"/api/v1/statements/{remark.pk}/compare/")

    assert response.status_code == 200
    assert response.json() == {
        "topic": TOPIC_REF,
        "as_of": "2022-09-27",
        "statement": summary(remark),
        "summary": "As of 27 Sep 2022: 6 welcoming, 2 conditional, 8 restrictive, 3 neutral",
        "positions": expected_positions(AS_OF_27_SEPT, "2022-09-27", subject="US"),
    }
    stances = {row["government"]["code"]: row["stance"] for row in response.json()["positions"]}
    assert stances["US"] == "welcoming" and stances["DE"] == "welcoming"
    assert all(stances[code] == "restrictive" for code in ("FI", "LV", "EE", "LT", "PL"))
    assert not {"CH", "MN", "NO", "RS", "UZ"} & set(stances)  # their first statements come later
    assert [row["government"]["code"] for row in response.json()["positions"] if row["is_subject"]] == ["US"]


def test_positions_whole_body(seeded, api):
    response = api.get(POSITIONS, {"topic": TOPIC, "as_of": "2022-09-27"})

    assert response.status_code == 200
    assert response.json() == {
        "topic": TOPIC_REF,
        "as_of": "2022-09-27",
        "positions": expected_positions(AS_OF_27_SEPT, "2022-09-27"),
    }


def test_named_governments_without_a_statement_are_null_not_neutral(seeded, api):
    remark = Statement.objects.get(government="US", said_on="2022-09-27")

    body = api.get(f"/api/v1/statements/{remark.pk}/compare/", {"government": "US,CH,JP"}).json()

    rows = {row["government"]["code"]: row for row in body["positions"]}
    assert [row["government"]["name"] for row in body["positions"]] == ["Japan", "Switzerland", "United States"]
    empty = {"stance": None, "since": None, "previous_stance": None, "statement": None, "is_subject": False}
    zero = {"welcoming": 0, "conditional": 0, "restrictive": 0, "neutral": 0}
    assert rows["CH"] == {"government": {"code": "CH", "name": "Switzerland"}, "counts": zero, **empty}
    assert rows["JP"]["stance"] is None and rows["US"]["stance"] == "welcoming"
    assert body["summary"] == "As of 27 Sep 2022: 1 welcoming, 0 conditional, 0 restrictive, 0 neutral, 2 no statement"


def test_positions_default_to_today_and_filter_by_stance(seeded, api):
    everyone = api.get(POSITIONS, {"topic": TOPIC}).json()
    restrictive = api.get(POSITIONS, {"topic": TOPIC, "stance": "restrictive"}).json()

    assert everyone["as_of"] == datetime.datetime.now(datetime.UTC).date().isoformat()
    assert len(everyone["positions"]) == 24
    stances = {row["government"]["code"]: row["stance"] for row in everyone["positions"]}
    assert stances["NL"] == "restrictive" and stances["CH"] == "restrictive"
    assert {row["government"]["code"] for row in restrictive["positions"]} == {
        code for code, stance in stances.items() if stance == "restrictive"
    }


def test_netherlands_timeline_whole_body(seeded, api):
    welcoming = Statement.objects.get(government="NL", said_on="2022-09-23")
    restrictive = Statement.objects.get(government="NL", said_on="2022-12-28")

    response = api.get(TIMELINE, {"topic": TOPIC, "government": "NL"})

    assert response.status_code == 200
    assert response.json() == {
        "topic": TOPIC_REF,
        "governments": [
            {
                "government": {"code": "NL", "name": "Netherlands"},
                "changes": [
                    {"said_on": "2022-09-23", "from": None, "to": "welcoming", "statement": summary(welcoming)},
                    {
                        "said_on": "2022-12-28",
                        "from": "welcoming",
                        "to": "restrictive",
                        "statement": summary(restrictive),
                    },
                ],
            }
        ],
    }


def test_timeline_of_every_government_skips_repeats(seeded, api):
    body = api.get(TIMELINE, {"topic": TOPIC}).json()

    timelines = {row["government"]["code"]: row["changes"] for row in body["governments"]}
    assert len(timelines) == 24
    assert [(c["from"], c["to"]) for c in timelines["DE"]] == [(None, "welcoming")]  # four statements, one stance
    assert [(c["from"], c["to"]) for c in timelines["US"]] == [
        (None, "neutral"),
        ("neutral", "conditional"),
        ("conditional", "welcoming"),
    ]


@pytest.fixture
def pair(db):
    return {"topic": TopicFactory(slug="t"), "government": GovernmentFactory(code="FR", name="France")}


def test_same_day_ties_later_published_on_then_higher_id(pair, api):
    day = datetime.date(2022, 9, 27)
    printed_later = StatementFactory(
        **pair, said_on=day, published_on=day + datetime.timedelta(days=2), stance="welcoming"
    )
    StatementFactory(**pair, said_on=day, published_on=day + datetime.timedelta(days=1), stance="restrictive")
    StatementFactory(**pair, said_on=day, stance="neutral")  # no published_on: counts as said_on

    row = api.get(POSITIONS, {"topic": "t", "as_of": "2022-09-27"}).json()["positions"][0]
    assert (row["stance"], row["statement"]["id"]) == ("welcoming", printed_later.pk)

    same_key = StatementFactory(
        **pair, said_on=day, published_on=day + datetime.timedelta(days=2), stance="conditional"
    )
    row = api.get(POSITIONS, {"topic": "t", "as_of": "2022-09-27"}).json()["positions"][0]
    assert (row["stance"], row["statement"]["id"]) == ("conditional", same_key.pk)  # equal dates: higher id

    changes = api.get(TIMELINE, {"topic": "t"}).json()["governments"][0]["changes"]
    assert [(c["from"], c["to"]) for c in changes] == [
        (None, "neutral"),
        ("neutral", "restrictive"),
        ("restrictive", "welcoming"),
        ("welcoming", "conditional"),
    ]


def test_since_and_previous_stance_follow_runs(pair, api):
    for day, stance in [(1, "welcoming"), (2, "welcoming"), (5, "restrictive"), (9, "restrictive"), (12, "neutral")]:
        StatementFactory(**pair, said_on=datetime.date(2022, 10, day), stance=stance)

    def position(as_of):
        return api.get(POSITIONS, {"topic": "t", "as_of": as_of}).json()["positions"]

    assert position("2022-09-30") == []
    first = position("2022-10-03")[0]
    assert (first["stance"], first["since"], first["previous_stance"]) == ("welcoming", "2022-10-01", None)
    run = position("2022-10-10")[0]
    assert (run["stance"], run["since"], run["previous_stance"]) == ("restrictive", "2022-10-05", "welcoming")
    assert run["counts"] == {"welcoming": 2, "conditional": 0, "restrictive": 2, "neutral": 0}
    last = position("2022-12-31")[0]
    assert (last["stance"], last["since"], last["previous_stance"]) == ("neutral", "2022-10-12", "restrictive")


def test_positions_follow_every_write(pair, api):
    """The derived steps are kept by database triggers: updates, status changes, moves and deletes."""
    first = StatementFactory(**pair, said_on=datetime.date(2022, 9, 1), stance="welcoming")
    second = StatementFactory(**pair, said_on=datetime.date(2022, 9, 2), stance="restrictive")

    def stance():
        rows = api.get(POSITIONS, {"topic": "t", "as_of": "2022-12-31"}).json()["positions"]
        return [(r["government"]["code"], r["stance"], r["counts"]["welcoming"]) for r in rows]

    assert stance() == [("FR", "restrictive", 1)]
    Statement.objects.filter(pk=second.pk).update(status="draft")
    assert stance() == [("FR", "welcoming", 1)]
    Statement.objects.filter(pk=second.pk).update(
        status="published", government=GovernmentFactory(code="IT", name="Italy")
    )
    assert stance() == [("FR", "welcoming", 1), ("IT", "restrictive", 0)]
    first.stance = "neutral"
    first.save()
    assert stance() == [("FR", "neutral", 0), ("IT", "restrictive", 0)]
    Statement.objects.filter(pk=first.pk).delete()
    assert stance() == [("IT", "restrictive", 0)]


def test_drafts_never_count(pair, api):
    StatementFactory(**pair, stance="welcoming", status="draft")
    StatementFactory(**pair, stance="neutral", status="retracted", quote="gone")

    assert api.get(POSITIONS, {"topic": "t"}).status_code == 404  # the topic has nothing public
    StatementFactory(**pair, stance="restrictive", said_on=datetime.date(2022, 1, 1))
    row = api.get(POSITIONS, {"topic": "t"}).json()["positions"][0]
    assert row["counts"] == {"welcoming": 0, "conditional": 0, "restrictive": 1, "neutral": 0}


def _governments(n: int):
    topic = TopicFactory(slug="many")
    for _ in range(n):
        government = GovernmentFactory()
        for day in (1, 2):
            StatementFactory(
                topic=topic, government=government, speaker=SpeakerFactory(), said_on=datetime.date(2022, 9, day)
            )
    return topic


@pytest.mark.parametrize("count", [3, 200])
def test_comparison_query_counts_do_not_grow(db, api, django_assert_num_queries, count):
    _governments(count)
    subject = Statement.objects.first()

    with django_assert_num_queries(2):  # topic, positions with their statements
        assert len(api.get(POSITIONS, {"topic": "many"}).json()["positions"]) == count
    with django_assert_num_queries(2):  # statement, positions with their statements
        assert len(api.get(f"/api/v1/statements/{subject.pk}/compare/").json()["positions"]) == count
    with django_assert_num_queries(2):  # topic, changes with their statements
        assert len(api.get(TIMELINE, {"topic": "many"}).json()["governments"]) == count


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        (POSITIONS, {}, "topic"),
        (POSITIONS, {"topic": ""}, "topic"),
        (POSITIONS, {"topic": "bad slug!"}, "topic"),
        (POSITIONS, {"topic": TOPIC, "as_of": "2022-02-30"}, "as_of"),
        (POSITIONS, {"topic": TOPIC, "as_of": "27/09/2022"}, "as_of"),
        (POSITIONS, {"topic": TOPIC, "government": "XX"}, "government"),
        (POSITIONS, {"topic": TOPIC, "stance": "welcomin"}, "stance"),
        (POSITIONS, {"topic": TOPIC, "stanse": "welcoming"}, "stanse"),
        (POSITIONS, {"topic": [TOPIC, TOPIC]}, "topic"),
        (POSITIONS, {"topic": "a\x00b"}, "topic"),
        (TIMELINE, {}, "topic"),
        (TIMELINE, {"topic": TOPIC, "as_of": "2022-09-27"}, "as_of"),
        (TIMELINE, {"topic": TOPIC, "government": "U"}, "government"),
    ],
)
def test_bad_parameters_are_400(seeded, api, path, params, parameter):
    response = api.get(path, params)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_compare_bad_parameters_are_400(seeded, api):
    pk = Statement.objects.first().pk

    assert api.get(f"/api/v1/statements/{pk}/compare/", {"as_of": "2022-01-01"}).json() == problem(
        400, {"as_of": ["Unknown parameter. This endpoint accepts: government, stance."]}
    )
    assert api.get(f"/api/v1/statements/{pk}/compare/", {"stance": "x"}).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        f"{POSITIONS}?topic=no-such-topic",
        f"{TIMELINE}?topic=no-such-topic",
        "/api/v1/statements/999999/compare/",
    ],
)
def test_unknown_topic_or_statement_is_404(seeded, api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["detail"]


def test_compare_of_a_draft_is_404(db, api):
    draft = StatementFactory(status="draft")

    assert api.get(f"/api/v1/statements/{draft.pk}/compare/").status_code == 404


def test_compare_with_other_governments_than_the_subjects(seeded, api):
    """`government=` picks whom to compare with; it does not filter the compared statement."""
    remark = Statement.objects.get(government="US", said_on="2022-09-27")

    response = api.get(f"/api/v1/statements/{remark.pk}/compare/", {"government": "CH"})

    assert response.status_code == 200, response.content
    assert [p["government"]["code"] for p in response.json()["positions"]] == ["CH"]
