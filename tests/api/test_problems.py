"""Every error is an RFC 9457 problem document (application/problem+json) that keeps `errors`:
one of each family, validated by openapi-core against the served schema (component `Problem`);
the bodies nginx writes for what it refuses itself; content negotiation around the media type."""

import json
import re

import pytest
from django.test import Client
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_schema_validator import OAS31Validator

from api.admission import Busy
from tests.api.problems import MEMBERS, PROBLEM_JSON, TITLES, assert_problem, problem
from tests.api.test_contract import served_schema
from tests.conftest import ROOT


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.fixture
def api_schema(db, client):
    return served_schema(client)


def problem_schema(client) -> dict:
    """The served Problem component, as a JSON Schema a validator reads on its own."""
    return client.get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]["Problem"]


def validated(api_schema, response):
    """The response checked by openapi-core against the operation's declared answer."""
    api_schema.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response))
    return response


def test_a_400_names_the_parameter(seeded, client, api_schema):
    response = validated(api_schema, client.get("/api/v1/statements/", {"stance": "welcomin"}))

    message = "'welcomin' is not a stance; use one of welcoming, conditional, restrictive, neutral."
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": f"stance: {message}",
        "errors": {"stance": [message]},
    }


def test_a_400_naming_two_parameters_says_both(seeded, client, api_schema):
    response = validated(api_schema, client.get("/api/v1/statements/", {"stance": "x", "government": "XX"}))

    body = assert_problem(response, 400)
    assert set(body["errors"]) == {"stance", "government"}
    assert all(f"{name}: " in body["detail"] for name in body["errors"])


def test_a_404(seeded, client, api_schema):
    response = validated(api_schema, client.get("/api/v1/speakers/nobody/"))

    assert response.json() == problem(404, {"detail": ["No Speaker matches the given query."]})


def test_a_406_for_an_accept_that_names_no_json(seeded, client, api_schema):
    response = validated(api_schema, client.get("/api/v1/statements/", headers={"accept": "text/html"}))

    body = assert_problem(response, 406)
    assert body == problem(406, {"detail": [body["detail"]]})


def test_a_405_for_a_write(seeded, client):
    response = client.post("/api/v1/statements/", {}, content_type="application/json")

    body = assert_problem(response, 405)
    OAS31Validator(problem_schema(client)).validate(body)  # no operation to check it against: the component


def test_a_415_for_a_body_that_is_neither_form_nor_json(seeded, client, api_schema):
    response = client.post("/api/v1/statements/check/", b"<text/>", content_type="application/xml")

    body = assert_problem(validated(api_schema, response), 415)
    assert list(body["errors"]) == ["detail"]


def test_a_429_is_the_quota_exceeded_problem(seeded, client, api_schema, settings):
    from django.core.cache import cache

    settings.API_RATE_LIMIT = "1/hour"
    cache.clear()
    client.get("/api/v1/statements/", REMOTE_ADDR="192.0.2.9")
    response = validated(api_schema, client.get("/api/v1/statements/", REMOTE_ADDR="192.0.2.9"))
    cache.clear()

    assert response.status_code == 429 and response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert body["type"] == "https://iana.org/assignments/http-problem-types#quota-exceeded"
    assert body["violated-policies"] == ["default"] and body["status"] == 429
    assert (
        body["detail"]
        == body["errors"]["detail"][0]
        == f"Too many requests: 1 per 3600 s. Retry in {response['Retry-After']} s."
    )


def test_a_500_from_a_view(seeded, client, api_schema, monkeypatch):
    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr("api.views.SpeakerViewSet.get_queryset", broken)
    response = validated(api_schema, client.get("/api/v1/speakers/"))

    assert response.json() == problem(
        500, {"detail": ["Something went wrong on our side. It has been logged; try again later."]}
    )
    assert response["Cache-Control"] == "no-store"


def test_a_503_when_every_quote_check_slot_is_taken(seeded, client, api_schema, monkeypatch):
    def busy():
        raise Busy

    monkeypatch.setattr("api.quotecheck.quote_check_slot", busy)
    response = validated(api_schema, client.get("/api/v1/statements/check/", {"text": "we welcome all refugees"}))

    assert response.json() == problem(
        503, {"detail": ["Too many quote checks are running right now. Try again in a few seconds."]}
    )
    assert response["Retry-After"] == "2"


def test_django_refusals_on_api_paths_are_problems_too(db, client):
    """handler400: a Host the site does not serve, before any view runs."""
    response = client.get("/api/v1/statements/", headers={"host": "evil.example"})

    body = assert_problem(response, 400)
    assert list(body) == MEMBERS


@pytest.mark.parametrize("path", ["/feeds/statements.json", "/feeds/events.atom"])
def test_feed_errors_are_problems(db, client, path):
    body = assert_problem(client.get(path, {"stance": "x"}), 400)
    assert list(body["errors"]) == ["stance"]


def test_oembed_errors_are_problems(db, client):
    body = assert_problem(client.get("/oembed", {"url": "http://testserver/statements/1/", "format": "xml"}), 501)
    assert body == problem(501, {"format": ["Only json is supported."]})


def test_accepting_only_problem_json_is_never_a_406(seeded, client):
    """A client that names only the error format gets JSON answers, and problems for errors."""
    listed = client.get("/api/v1/statements/", headers={"accept": PROBLEM_JSON})
    refused = client.get("/api/v1/statements/", {"stance": "x"}, headers={"accept": PROBLEM_JSON})
    plain = client.get("/api/v1/statements/", {"stance": "x"}, headers={"accept": "application/json"})

    assert listed.status_code == 200 and listed["Content-Type"].startswith("application/json")
    assert assert_problem(refused, 400) == assert_problem(plain, 400)  # JSON either way


NGINX_BODIES = re.compile(r"location = /_errors/(\d{3}) \{.*?return 200 '(.*?)\\n';", re.S)


def test_the_bodies_nginx_writes_are_problems_the_schema_declares(db, client):
    """deploy/nginx.conf answers 413, 414, 429 (its pacing of quote checks), 431 and 503 itself:
    problem documents valid against the served `Problem`, each declared for the statement list or
    the quote check (413 for its POST)."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    bodies = dict(NGINX_BODIES.findall(conf))

    assert re.search(r"location /_errors/ \{[^}]*default_type application/problem\+json;", conf)
    assert sorted(bodies) == ["413", "414", "429", "431", "503"]
    for code, text in bodies.items():
        body = json.loads(text)
        OAS31Validator(schema["components"]["schemas"]["Problem"]).validate(body)
        assert body["status"] == int(code) and body["detail"] == body["errors"]["detail"][0]
        if code == "429":  # the quote checks' pace, a policy of its own
            assert body["type"] == "https://iana.org/assignments/http-problem-types#quota-exceeded"
            assert body["violated-policies"] == ["checks"]
        else:
            assert body["type"] == "about:blank" and body["title"] == TITLES[int(code)]
    listing = schema["paths"]["/api/v1/statements/"]["get"]["responses"]
    check_post = schema["paths"]["/api/v1/statements/check/"]["post"]["responses"]
    checks = (("413", check_post), ("429", check_post))
    for code, responses in (("414", listing), ("431", listing), ("503", listing), *checks):
        assert responses[code]["content"] == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def test_every_declared_error_is_a_problem(db, client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    assert list(response["content"]) == [PROBLEM_JSON], (path, method, code)


def test_the_schema_declares_the_ratelimit_fields_not_the_old_headers(db, client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    listing = schema["paths"]["/api/v1/statements/"]["get"]["responses"]

    assert {"RateLimit-Policy", "RateLimit"} <= set(listing["200"]["headers"])
    assert {"RateLimit-Policy", "RateLimit", "Retry-After"} <= set(listing["429"]["headers"])
    assert "Retry-After" in listing["503"]["headers"]
    text = json.dumps(schema)
    assert "RateLimit-Limit" not in text and "RateLimit-Remaining" not in text and "X-RateLimit" not in text
