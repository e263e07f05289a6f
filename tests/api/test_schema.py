"""The OpenAPI schema is the inventory; the docs page works offline."""

import re

import yaml

from tests.api.problems import problem

ENDPOINTS = [
    "/api/v1/statements/",
    "/api/v1/statements/{id}/",
    "/api/v1/speakers/",
    "/api/v1/speakers/{slug}/",
    "/api/v1/governments/",
    "/api/v1/governments/{code}/",
    "/api/v1/topics/",
    "/api/v1/topics/{slug}/",
    "/api/v1/positions/",
    "/api/v1/positions/timeline/",
    "/api/v1/statements/{id}/compare/",
    "/api/v1/statements/stats/",
]
STATEMENT_PARAMETERS = {
    "government",
    "speaker",
    "stance",
    "topic",
    "language",
    "is_translation",
    "said_after",
    "said_before",
    "updated_since",
    "q",
    "ordering",
    "cursor",
    "page_size",
}

COMPARISON_PARAMETERS = {
    "/api/v1/positions/": {"topic", "as_of", "government", "stance"},
    "/api/v1/positions/timeline/": {"topic", "government"},
    "/api/v1/statements/{id}/compare/": {"government", "stance"},
    "/api/v1/statements/stats/": {"group_by", "bucket"} | STATEMENT_PARAMETERS - {"ordering", "cursor", "page_size"},
}


def test_schema_documents_every_endpoint_and_parameter(db, api):
    response = api.get("/api/v1/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert set(ENDPOINTS) <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/statements/"]["get"]["parameters"]}
    assert parameters == STATEMENT_PARAMETERS
    for path in ENDPOINTS:
        operation = schema["paths"][path]["get"]
        assert {"200", "400", "404"} <= set(operation["responses"]), path
        assert all(p.get("description") for p in operation.get("parameters", []) if p["in"] == "query"), path
        assert operation["responses"]["200"]["content"]["application/json"]["schema"], path
    for path, expected in COMPARISON_PARAMETERS.items():
        operation = schema["paths"][path]["get"]
        assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} == expected, path
    assert {"topic"} == {
        p["name"] for p in schema["paths"]["/api/v1/positions/"]["get"]["parameters"] if p.get("required")
    }


def test_docs_page_loads_only_local_assets(db, client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        if asset.startswith("/static/"):
            assert client.get(asset).status_code == 200, asset


def test_schema_as_json_and_strict_parameters(db, api):
    assert api.get("/api/v1/schema/", {"format": "json"}).json()["openapi"].startswith("3.")
    response = api.get("/api/v1/schema/", {"formt": "json"})
    assert response.status_code == 400
    assert response.json() == problem(400, {"formt": ["Unknown parameter. This endpoint accepts: format."]})
    assert response["Content-Type"] == "application/problem+json"
    assert api.get("/api/v1/schema/", {"format": "xml"}).json() == problem(400, {"format": ["Use yaml or json."]})


def test_every_operation_accepts_exactly_the_query_parameters_it_documents(db, api):
    """What the schema declares is what the strict check runs: an unknown parameter's 400 names
    the accepted ones, and they are the documented ones, for every GET in the schema."""
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    examples = {"id": "1", "slug": "x", "code": "DE"}
    checked = 0
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        documented = sorted(p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query")
        url = re.sub(r"{(\w+)}", lambda match: examples[match[1]], path)
        response = api.get(url, {"no_such_parameter": "1"})
        assert response.status_code == 400, path
        accepted = response.json()["errors"]["no_such_parameter"][0]
        assert accepted == f"Unknown parameter. This endpoint accepts: {', '.join(documented) or 'none'}.", path
        checked += 1
    assert checked >= 19
