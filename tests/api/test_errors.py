"""Bad input is a 400 naming the parameter; missing objects 404; never a 500. Each is a problem
document (RFC 9457, application/problem+json) keeping `errors`."""

import pytest

from tests.api.problems import assert_problem, problem

LIST = "/api/v1/statements/"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"stance": "welcomin"}, "stance"),
        ({"stanse": "welcoming"}, "stanse"),
        ({"government": "XX"}, "government"),
        ({"government": "US,,DE"}, "government"),
        ({"speaker": "no-such-speaker"}, "speaker"),
        ({"speaker": "bad slug!"}, "speaker"),
        ({"topic": "no-such-topic"}, "topic"),
        ({"language": "english"}, "language"),
        ({"is_translation": "maybe"}, "is_translation"),
        ({"said_after": "2022-02-30"}, "said_after"),
        ({"said_before": "27/09/2022"}, "said_before"),
        ({"said_after": "0000-01-01"}, "said_after"),
        ({"said_before": "10000-01-01"}, "said_before"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"q": "x" * 201}, "q"),
        ({"q": " ".join(["word"] * 17)}, "q"),
        ({"q": "nul\x00byte"}, "q"),
        ({"government": "U\x00S"}, "government"),
        ({"ordering": "quote"}, "ordering"),
        ({"ordering": "rank"}, "ordering"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "201"}, "page_size"),
        ({"page_size": "1000000000"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"page_size": "²"}, "page_size"),
        ({"page_size": "-1"}, "page_size"),
        ({"page_size": "100000000000000000000"}, "page_size"),
        ({"cursor": "garbage"}, "cursor"),
        ({"format": "json"}, "format"),
        ({"page_size": ["5", "6"]}, "page_size"),
        ({"q": ["a", "b"]}, "q"),
    ],
)
def test_bad_parameter_is_400_naming_it(seeded, api, params, parameter):
    response = api.get(LIST, params)

    body = assert_problem(response, 400)
    assert list(body["errors"]) == [parameter]
    assert body["detail"].startswith(f"{parameter}: ")


def test_tampered_cursor_is_400(seeded, api):
    next_url = api.get(LIST, {"page_size": 2}).json()["next"]

    response = api.get(next_url.replace("cursor=", "cursor=x"))

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["cursor"]


def test_cursor_from_another_ordering_is_400(seeded, api):
    next_url = api.get(LIST, {"page_size": 2}).json()["next"]

    response = api.get(next_url + "&ordering=said_on")

    assert response.json()["errors"]["cursor"] == ["This cursor belongs to another ordering than 'said_on'."]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/statements/999999/",
        "/api/v1/statements/99999999999999999999/",
        "/api/v1/statements/abc/",
        "/api/v1/statements/1%00/",
        "/api/v1/speakers/nobody/",
        "/api/v1/speakers/a%00b/",
        "/api/v1/governments/XX/",
        "/api/v1/governments/U%00/",
        "/api/v1/topics/nothing/",
        "/api/v1/nothing/",
        "/api/v2/statements/",
    ],
)
def test_missing_objects_and_routes_are_json_404(seeded, api, path):
    response = api.get(path)

    body = assert_problem(response, 404)
    assert body == problem(404, {"detail": [body["detail"]]})


@pytest.mark.parametrize(
    "path", ["/api/v1/statements/1/", "/api/v1/speakers/olaf-scholz/", "/api/v1/governments/DE/", "/api/v1/topics/"]
)
def test_unknown_parameter_on_any_endpoint_is_400(seeded, api, path):
    response = api.get(path, {"utm_source": "x"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["utm_source"]


def test_error_messages_do_not_echo_huge_values(seeded, api):
    response = api.get(LIST, {"government": "A" * 1_000_000})

    assert_problem(response, 400)
    assert len(response.content) < 600  # the message twice (`detail`, `errors`), never the value


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/api/v1/speakers/", {"kind": "robot"}, "kind"),
        ("/api/v1/speakers/", {"government": "XX"}, "government"),
        ("/api/v1/speakers/", {"stance": "welcoming"}, "stance"),
        ("/api/v1/governments/", {"kind": "empire"}, "kind"),
        ("/api/v1/governments/", {"page_size": "500"}, "page_size"),
        ("/api/v1/topics/", {"q": "x"}, "q"),
        ("/api/v1/topics/", {"cursor": "x"}, "cursor"),
    ],
)
def test_resource_list_bad_parameters_are_400(seeded, api, path, params, parameter):
    response = api.get(path, params)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]
