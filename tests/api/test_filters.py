"""Each statement filter: a happy path (the 400s are in test_errors.py)."""

import datetime

import pytest

from statements.models import Statement

LIST = "/api/v1/statements/"


def ids(api, params) -> set[int]:
    response = api.get(LIST, params | {"page_size": 200})
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def published(**lookups) -> set[int]:
    return set(Statement.objects.published().filter(**lookups).values_list("id", flat=True))


def test_government_comma_separated_and_repeated(seeded, api):
    expected = published(government__in=["DE", "FI", "US"])

    assert ids(api, {"government": "DE,FI,US"}) == expected
    assert ids(api, {"government": ["DE,FI", "US"]}) == expected
    assert ids(api, {"government": "de"}) == published(government="DE")


def test_speaker(seeded, api):
    assert ids(api, {"speaker": "karine-jean-pierre,olaf-scholz"}) == published(
        speaker__slug__in=["karine-jean-pierre", "olaf-scholz"]
    )


def test_stance(seeded, api):
    result = ids(api, {"stance": "restrictive,neutral"})
    assert result == published(stance__in=["restrictive", "neutral"]) and len(result) == 27


def test_topic(seeded, api):
    assert len(ids(api, {"topic": "russian-mobilisation-2022"})) == 44


def test_language(seeded, api):
    assert ids(api, {"language": "nl,FR"}) == published(language__in=["nl", "fr"])
    assert len(ids(api, {"language": "nl"})) == 2


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False), ("1", True), ("0", False)])
def test_is_translation(seeded, api, value, expected):
    assert ids(api, {"is_translation": value}) == published(is_translation=expected)


def test_said_after_and_before_are_inclusive(seeded, api):
    result = ids(api, {"said_after": "2022-09-27", "said_before": "2022-09-28"})

    assert result == published(said_on__range=(datetime.date(2022, 9, 27), datetime.date(2022, 9, 28)))
    assert len(result) >= 3


def test_updated_since(seeded, api):
    assert len(ids(api, {"updated_since": "2000-01-01"})) == 44
    assert ids(api, {"updated_since": "2999-01-01T00:00:00+02:00"}) == set()


def test_q_combined_with_filters(seeded, api):
    result = ids(api, {"q": "asylum", "government": "US"})

    assert result == published(government="US", said_on__in=["2022-09-26", "2022-09-27"]) | (
        published(government="US", context__icontains="asylum")
    )


def test_restrictive_eu_week_after_mobilisation(seeded, api):
    """The brief's example: every restrictive statement by an EU government in the week after 21 Sept 2022."""
    eu = ["BE", "CZ", "DE", "EE", "FI", "FR", "IE", "LT", "LV", "NL", "PL"]
    result = ids(
        api,
        {"government": ",".join(eu), "stance": "restrictive", "said_after": "2022-09-21", "said_before": "2022-09-28"},
    )

    assert result == published(government__in=eu, stance="restrictive", said_on__range=("2022-09-21", "2022-09-28"))
    assert len(result) >= 8
