"""Speakers, governments and topics: contracts, visibility, query counts."""

from statements.models import Statement
from tests.factories import GovernmentFactory, SpeakerFactory, StatementFactory, TopicFactory


def test_speaker_detail_whole_body(seeded, api):
    response = api.get("/api/v1/speakers/karine-jean-pierre/")

    assert response.status_code == 200
    assert response.json() == {
        "slug": "karine-jean-pierre",
        "name": "Karine Jean-Pierre",
        "kind": "person",
        "wikidata_id": None,
        "url": "http://testserver/api/v1/speakers/karine-jean-pierre/",
        "statement_count": 3,
        "roles": [
            {
                "role": "White House Press Secretary",
                "organization": "The White House",
                "government": "US",
                "first_said_on": "2022-09-23",
                "last_said_on": "2022-09-27",
                "statement_count": 3,
            }
        ],
    }


def test_speakers_list_and_filters(seeded, api):
    body = api.get("/api/v1/speakers/", {"page_size": 200}).json()
    assert body["count"] == 39
    names = [row["name"] for row in body["results"]]
    assert names == sorted(names)

    bodies = api.get("/api/v1/speakers/", {"kind": "body"}).json()
    assert {row["name"] for row in bodies["results"]} == {
        "Swiss Federal Council",
        "EU member-state ambassadors (IPCR roundtable)",
        "Ministry of Foreign Affairs of Uzbekistan",
    }
    german = api.get("/api/v1/speakers/", {"government": "DE"}).json()
    assert {row["slug"] for row in german["results"]} == {
        "marco-buschmann",
        "nancy-faeser",
        "annalena-baerbock",
        "olaf-scholz",
    }


def test_government_detail_whole_body(seeded, api):
    latest = Statement.objects.get(government="NL", said_on="2022-12-28")

    response = api.get("/api/v1/governments/nl/")

    assert response.status_code == 200
    assert response.json() == {
        "code": "NL",
        "name": "Netherlands",
        "kind": "state",
        "url": "http://testserver/api/v1/governments/NL/",
        "statement_count": 2,
        "latest_stances": [
            {
                "topic": "russian-mobilisation-2022",
                "stance": "restrictive",
                "said_on": "2022-12-28",
                "statement": f"http://testserver/api/v1/statements/{latest.pk}/",
            }
        ],
    }


def test_governments_list(seeded, api):
    body = api.get("/api/v1/governments/", {"page_size": 200}).json()

    assert body["count"] == 24
    assert {row["code"] for row in body["results"]} >= {"US", "DE", "EU", "UN"}
    assert {row["code"] for row in api.get("/api/v1/governments/", {"kind": "supranational"}).json()["results"]} == {
        "EU"
    }


def test_topic_detail_whole_body(seeded, api):
    response = api.get("/api/v1/topics/russian-mobilisation-2022/")

    assert response.json() == {
        "slug": "russian-mobilisation-2022",
        "title": "Russians fleeing the 2022 mobilisation",
        "description": (
            "Whether governments would admit Russian men fleeing the partial mobilisation ordered by Vladimir "
            "Putin on 21 September 2022: asylum, humanitarian visas or entry at the border."
        ),
        "target_group": "Russian citizens evading the 2022 mobilisation",
        "url": "http://testserver/api/v1/topics/russian-mobilisation-2022/",
        "statement_count": 44,
        "government_count": 24,
        "first_said_on": "2022-03-22",
        "last_said_on": "2023-11-28",
    }


def test_records_with_only_drafts_are_not_public(db, api):
    draft = StatementFactory(status="draft")

    assert api.get("/api/v1/speakers/").json()["count"] == 0
    assert api.get(f"/api/v1/speakers/{draft.speaker.slug}/").status_code == 404
    assert api.get(f"/api/v1/governments/{draft.government.code}/").status_code == 404
    assert api.get("/api/v1/topics/").json()["count"] == 0
    assert api.get("/api/v1/statements/", {"speaker": draft.speaker.slug}).status_code == 400


def _many(n: int):
    topic = TopicFactory()
    for _ in range(n):
        StatementFactory(speaker=SpeakerFactory(), government=GovernmentFactory(), topic=topic)


def test_resource_lists_have_constant_query_counts(db, api, django_assert_num_queries):
    _many(1)
    counts = {}
    for path in ("/api/v1/speakers/", "/api/v1/governments/", "/api/v1/topics/"):
        with django_assert_num_queries(3):  # count, page, the page's summaries
            api.get(path, {"page_size": 200})
    _many(199)
    for path in ("/api/v1/speakers/", "/api/v1/governments/", "/api/v1/topics/"):
        with django_assert_num_queries(3):
            counts[path] = len(api.get(path, {"page_size": 200}).json()["results"])
    assert counts["/api/v1/speakers/"] == 200
    assert counts["/api/v1/governments/"] == 200


def test_speakers_list_whole_body(seeded, api):
    response = api.get("/api/v1/speakers/", {"page_size": 1, "kind": "body"})

    body = response.json()
    assert body["next"].startswith("http://testserver/api/v1/speakers/?cursor=")
    assert body == {
        "count": 3,
        "count_exact": True,
        "next": body["next"],
        "previous": None,
        "results": [
            {
                "slug": "eu-member-state-ambassadors-ipcr-roundtable",
                "name": "EU member-state ambassadors (IPCR roundtable)",
                "kind": "body",
                "wikidata_id": None,
                "url": "http://testserver/api/v1/speakers/eu-member-state-ambassadors-ipcr-roundtable/",
                "statement_count": 1,
                "roles": [
                    {
                        "role": "Council of the EU – Integrated Political Crisis Response roundtable",
                        "organization": "Council of the European Union",
                        "government": "EU",
                        "first_said_on": "2022-09-26",
                        "last_said_on": "2022-09-26",
                        "statement_count": 1,
                    }
                ],
            }
        ],
    }


def test_governments_list_whole_body(seeded, api):
    un = Statement.objects.get(government="UN")

    response = api.get("/api/v1/governments/", {"kind": "international"})

    assert response.json() == {
        "count": 1,
        "count_exact": True,
        "next": None,
        "previous": None,
        "results": [
            {
                "code": "UN",
                "name": "United Nations",
                "kind": "international",
                "url": "http://testserver/api/v1/governments/UN/",
                "statement_count": 1,
                "latest_stances": [
                    {
                        "topic": "russian-mobilisation-2022",
                        "stance": "neutral",
                        "said_on": "2022-09-27",
                        "statement": f"http://testserver/api/v1/statements/{un.pk}/",
                    }
                ],
            }
        ],
    }


def test_topics_list_whole_body(seeded, api):
    detail = api.get("/api/v1/topics/russian-mobilisation-2022/").json()

    assert api.get("/api/v1/topics/").json() == {
        "count": 1,
        "count_exact": True,
        "next": None,
        "previous": None,
        "results": [detail],
    }
