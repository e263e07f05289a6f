"""positions/matrix/: governments × topics on one date, on the real seeds (three topics), checked
cell by cell against a reading of the positions tie rule written here from the statements."""

import datetime
import json

import pytest
from django.core.management import call_command

from statements.models import Statement
from tests.conftest import SEED_FILES, import_seeds, import_text

MATRIX = "/api/v1/positions/matrix/"
RUSSIANS, UKRAINIANS = "russian-mobilisation-2022", "ukrainian-refugees-2022"
AFGHANS = "afghan-evacuation-2021"
BOTH = f"{RUSSIANS},{UKRAINIANS}"
THREE = [AFGHANS, UKRAINIANS, RUSSIANS]


@pytest.fixture
def both_topics(db):
    import_seeds()


def expected_cells(as_of: datetime.date, topics: list[str]) -> dict:
    """{government: {topic: (stance, since, statement id)}} from the statements themselves: the
    latest published statement said on or before `as_of` (ties: the later published_on, a missing
    one counting as said_on, then the higher id); since = the first date of its run of stances."""
    published = list(
        Statement.objects.published()
        .filter(topic__slug__in=topics, said_on__lte=as_of)
        .values("id", "government_id", "topic__slug", "said_on", "published_on", "stance")
    )
    cells: dict = {}
    for code in {s["government_id"] for s in published}:
        cells[code] = {}
        for topic in topics:
            history = sorted(
                (s for s in published if s["government_id"] == code and s["topic__slug"] == topic),
                key=lambda s: (s["said_on"], s["published_on"] or s["said_on"], s["id"]),
            )
            if not history:
                cells[code][topic] = (None, None, None)
                continue
            latest, since = history[-1], history[-1]["said_on"]
            for earlier in reversed(history[:-1]):
                if earlier["stance"] != latest["stance"]:
                    break
                since = earlier["said_on"]
            cells[code][topic] = (latest["stance"], since.isoformat(), latest["id"])
    return cells


def answered_cells(body: dict) -> dict:
    return {
        row["government"]["code"]: {
            slug: (cell["stance"], cell["since"], cell["statement"]["id"] if cell["statement"] else None)
            for slug, cell in row["positions"].items()
        }
        for row in body["rows"]
    }


@pytest.mark.parametrize("as_of", ["2022-02-24", "2022-03-31", "2022-09-27", "2022-10-31", "2024-12-31"])
def test_every_cell_follows_the_positions_tie_rule(both_topics, api, as_of):
    body = api.get(MATRIX, {"topic": BOTH, "as_of": as_of}).json()

    assert answered_cells(body) == expected_cells(datetime.date.fromisoformat(as_of), [RUSSIANS, UKRAINIANS])
    assert [t["slug"] for t in body["topics"]] == [RUSSIANS, UKRAINIANS]
    names = [row["government"]["name"] for row in body["rows"]]
    assert names == sorted(names)
    assert all(list(row["positions"]) == [RUSSIANS, UKRAINIANS] for row in body["rows"])  # every topic, in order


@pytest.mark.parametrize(
    "as_of", ["2021-08-15", "2021-08-22", "2021-10-31", "2022-02-24", "2022-03-31", "2022-09-27", "2024-12-31"]
)
@pytest.mark.parametrize("topics", [THREE, [RUSSIANS, AFGHANS]], ids=["three", "two"])
def test_every_cell_on_three_topics_follows_the_positions_tie_rule(both_topics, api, as_of, topics):
    """Kabul fell on 15 August 2021; before Ukraine and the mobilisation, every government's
    cell on those is null, and it stays so later for those who never spoke on them."""
    body = api.get(MATRIX, {"topic": ",".join(topics), "as_of": as_of}).json()

    assert answered_cells(body) == expected_cells(datetime.date.fromisoformat(as_of), topics)
    assert [t["slug"] for t in body["topics"]] == topics
    assert all(list(row["positions"]) == topics for row in body["rows"])
    if as_of < "2022-02-24":
        later = {row["positions"][slug]["stance"] for row in body["rows"] for slug in topics if slug != AFGHANS}
        assert later == {None} and body["rows"]


def test_did_the_same_government_treat_afghans_ukrainians_and_russians_differently(both_topics, api):
    """The README's example: Austria and Hungary refused Afghans and welcomed Ukrainians; the UK
    welcomed both and refused Russians; Germany welcomed all three."""
    body = api.get(MATRIX, {"topic": ",".join(THREE), "as_of": "2022-10-31", "government": "AT,DE,GB,HU"}).json()

    stances = {row["government"]["code"]: [v["stance"] for v in row["positions"].values()] for row in body["rows"]}
    assert stances == {
        "AT": ["restrictive", "welcoming", None],
        "DE": ["welcoming", "welcoming", "welcoming"],
        "HU": ["restrictive", "welcoming", None],
        "GB": ["welcoming", "welcoming", "restrictive"],
    }
    assert list(stances) == ["AT", "DE", "HU", "GB"]  # by name: Austria, Germany, Hungary, United Kingdom
    assert body["topics"][0] == {
        "slug": AFGHANS,
        "title": "People fleeing Afghanistan after the fall of Kabul in 2021",
        "target_group": "People fleeing Afghanistan after the Taliban took Kabul (from 15 August 2021)",
    }
    assert answered_cells(body) == {
        code: cells
        for code, cells in expected_cells(datetime.date(2022, 10, 31), THREE).items()
        if code in {"AT", "DE", "GB", "HU"}
    }


def test_poland_finland_and_germany_on_31_october_2022(both_topics, api):
    """The README's example: the same governments that opened every door to Ukrainians refused Russians."""
    body = api.get(MATRIX, {"topic": BOTH, "as_of": "2022-10-31", "government": "PL,FI,DE"}).json()

    stances = {row["government"]["code"]: {k: v["stance"] for k, v in row["positions"].items()} for row in body["rows"]}
    assert stances == {
        "FI": {RUSSIANS: "restrictive", UKRAINIANS: "welcoming"},
        "DE": {RUSSIANS: "welcoming", UKRAINIANS: "welcoming"},
        "PL": {RUSSIANS: "restrictive", UKRAINIANS: "welcoming"},
    }
    assert body["topics"][1] == {
        "slug": UKRAINIANS,
        "title": "People fleeing Russia's full-scale invasion of Ukraine",
        "target_group": "People fleeing Russia's full-scale invasion of Ukraine (from 24 February 2022)",
    }


def test_no_statement_is_null_never_neutral_and_named_governments_always_have_a_row(both_topics, api):
    body = api.get(MATRIX, {"topic": BOTH, "as_of": "2022-10-31", "government": "CH,JP"}).json()

    rows = {row["government"]["code"]: row for row in body["rows"]}
    assert set(rows) == {"CH", "JP"}
    assert rows["JP"]["government"]["name"] == "Japan"
    assert rows["JP"]["positions"][RUSSIANS] == {"stance": None, "since": None, "statement": None}
    assert rows["CH"]["positions"][RUSSIANS]["stance"] is not None or rows["CH"]["positions"][UKRAINIANS]["stance"]


def test_stance_keeps_governments_with_that_stance_on_any_topic(both_topics, api):
    body = api.get(MATRIX, {"topic": BOTH, "as_of": "2022-10-31", "stance": "restrictive"}).json()

    assert body["rows"]
    for row in body["rows"]:
        assert "restrictive" in {cell["stance"] for cell in row["positions"].values()}


@pytest.mark.parametrize(
    ("params", "status", "parameter"),
    [
        ({}, 400, "topic"),
        ({"topic": RUSSIANS}, 400, "topic"),
        ({"topic": ",".join([RUSSIANS] * 11)}, 400, "topic"),
        ({"topic": f"{RUSSIANS},{RUSSIANS}"}, 400, "topic"),
        ({"topic": f"{RUSSIANS},no-such-topic"}, 404, "detail"),
        ({"topic": BOTH, "as_of": "2022-13-01"}, 400, "as_of"),
        ({"topic": BOTH, "stance": "supportive"}, 400, "stance"),
        ({"topic": BOTH, "government": "XX"}, 400, "government"),
        ({"topic": BOTH, "topics": BOTH}, 400, "topics"),
    ],
)
def test_bad_requests_are_named(both_topics, api, params, status, parameter):
    response = api.get(MATRIX, params)

    assert response.status_code == status, response.content
    assert list(response.json()["errors"]) == [parameter]


def test_the_matrix_costs_the_same_queries_whatever_the_data(both_topics, api, django_assert_num_queries):
    with django_assert_num_queries(2):  # the topics, then one query of government × topic probes
        api.get(MATRIX, {"topic": BOTH, "as_of": "2022-10-31"})


def test_a_further_file_for_either_topic_changes_the_matrix_with_no_code_change(both_topics, api):
    lines = []
    for topic, stance in ((UKRAINIANS, "conditional"), (RUSSIANS, "welcoming")):
        record = {
            "speaker": {"name": "A New Minister", "kind": "person"},
            "role": "Minister of the Interior",
            "organization": "Government of Iceland",
            "government": "IS",
            "said_on": "2022-10-15",
            "date_precision": "day",
            "published_on": None,
            "quote": f"A remark on {topic}.",
            "language": "en",
            "is_translation": False,
            "stance": stance,
            "topic": topic,
            "context": "",
            "sources": [{"url": "https://example.org/is", "publisher": "Example"}],
        }
        lines.append(json.dumps(record))
    assert "IS" not in answered_cells(api.get(MATRIX, {"topic": BOTH, "as_of": "2022-10-31"}).json())

    assert import_text("\n".join(lines)).ok

    cells = answered_cells(api.get(MATRIX, {"topic": BOTH, "as_of": "2022-10-31"}).json())
    assert (cells["IS"][UKRAINIANS][0], cells["IS"][RUSSIANS][0]) == ("conditional", "welcoming")
    assert cells == expected_cells(datetime.date(2022, 10, 31), [RUSSIANS, UKRAINIANS])


def test_a_fresh_database_has_three_described_topics_and_150_published_statements(db, capsys):
    call_command("flush", interactive=False)
    call_command("import_topics", "seeds/topics.json")
    call_command("import_statements", *(str(path) for path in SEED_FILES))

    from statements.models import Topic

    assert Statement.objects.published().count() == 150
    assert {t.slug: bool(t.title and t.description and t.target_group) for t in Topic.objects.all()} == {
        RUSSIANS: True,
        UKRAINIANS: True,
        AFGHANS: True,
    }
    assert "taken to be the speaker" not in capsys.readouterr().err  # no near-duplicate names in the seeds
