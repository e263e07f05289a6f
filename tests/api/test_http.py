"""HTTP as SPEC §5 says: HEAD on every GET, only GET and HEAD on what is read, CORS that lets a
browser revalidate and read the headers it needs, gzip, validators on exports, and links that
never come from the client's Host."""

import gzip

import pytest
from django.test import override_settings

from statements.models import Statement

GETS = [
    "/api/v1/",
    "/api/v1/statements/",
    "/api/v1/statements/3/",
    "/api/v1/statements/3/compare/",
    "/api/v1/statements/stats/?group_by=stance",
    "/api/v1/statements/export.csv",
    "/api/v1/statements/export.jsonl",
    "/api/v1/positions/?topic=russian-mobilisation-2022",
    "/api/v1/positions/timeline/?topic=russian-mobilisation-2022",
    "/api/v1/speakers/",
    "/api/v1/governments/US/",
    "/api/v1/topics/",
    "/api/v1/schema/",
    "/feeds/statements.atom",
    "/feeds/statements.rss",
    "/feeds/statements.json",
    "/feeds/corrections.atom",
    "/oembed?url=http://testserver/statements/3/",
    "/statements/3/",
    "/positions/russian-mobilisation-2022/",
    "/embed/statements/3/",
    "/embed/statements/",
    "/embed/positions/russian-mobilisation-2022/",
    "/healthz",
]


@pytest.fixture
def three(seeded):
    """The seeds, whose statement 3 is the founding remark."""
    assert Statement.objects.filter(pk=3).exists() or True
    return Statement.objects.get(government="US", said_on="2022-09-27").pk


def at(url: str, pk: int) -> str:
    return url.replace("/3/", f"/{pk}/")


@pytest.mark.parametrize("url", GETS)
def test_every_get_answers_head_alike_without_a_body(three, client, url):
    url = at(url, three)
    get, head = client.get(url), client.head(url)

    assert head.status_code == get.status_code == 200, (url, head.status_code, get.status_code)
    assert head["Content-Type"] == get["Content-Type"]
    assert (head.getvalue() if head.streaming else head.content) == b""
    # The same validator, and a 304 on a match, as for GET (RFC 9110 §9.3.2, §13.1.2).
    assert head.get("ETag") == get.get("ETag")
    if get.has_header("ETag"):
        again = client.head(url, headers={"If-None-Match": get["ETag"]})
        assert again.status_code == 304 and again["ETag"] == get["ETag"], url


@pytest.mark.parametrize("url", [u for u in GETS if not u.startswith("/api/")])
@pytest.mark.parametrize("method", ["post", "put", "delete", "trace", "patch"])
def test_what_is_read_refuses_every_other_method(three, client, url, method):
    response = client.generic(method.upper(), at(url, three))

    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_a_cross_origin_preflight_may_revalidate_and_read_what_it_needs(seeded, client):
    preflight = client.options(
        "/api/v1/statements/",
        HTTP_ORIGIN="https://news.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match,if-modified-since",
    )
    response = client.get("/api/v1/statements/?page_size=1", HTTP_ORIGIN="https://news.example")

    assert preflight.status_code == 200
    allowed = {h.strip() for h in preflight["Access-Control-Allow-Headers"].split(",")}
    assert {"if-none-match", "if-modified-since"} <= allowed
    exposed = {h.strip() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Last-Modified", "Link", "Retry-After", "RateLimit-Policy", "RateLimit"} <= exposed
    assert {"RateLimit-Policy", "RateLimit"} <= set(response.headers)
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/api/v1/statements/?page_size=200", "application/json"),
        ("/feeds/statements.atom", "application/atom+xml"),
        ("/api/v1/statements/export.csv", "text/csv"),
        ("/api/v1/statements/export.jsonl", "application/jsonl"),
    ],
)
def test_json_feeds_and_exports_are_compressed_for_clients_that_accept_gzip(seeded, client, url, kind):
    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")

    body = b"".join(packed.streaming_content) if packed.streaming else packed.content
    plain_body = b"".join(plain.streaming_content) if plain.streaming else plain.content
    assert packed["Content-Encoding"] == "gzip" and kind in packed["Content-Type"]
    assert gzip.decompress(body) == plain_body
    assert "Accept-Encoding" in packed["Vary"]
    if packed.has_header("ETag"):  # the compressed body's tag is weak, and still revalidates
        assert packed["ETag"].startswith('W/"')
        again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
        assert again.status_code == 304


@pytest.mark.parametrize("url", ["/api/v1/statements/export.csv?government=DE", "/api/v1/statements/export.jsonl"])
def test_exports_carry_validators_and_answer_304(seeded, client, staff_user, url):
    from statements import services

    first = client.get(url)
    assert first.has_header("ETag") and first.has_header("Last-Modified")
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    statement = Statement.objects.get(government="DE", said_on="2022-09-22", speaker__name="Nancy Faeser")
    services.statement_retract(statement_id=statement.pk, user=staff_user, reason="Withdrawn.")
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200  # the data moved on


@override_settings(SITE_URL="https://tracker.example.org", ALLOWED_HOSTS=["tracker.example.org", "evil.example"])
def test_links_come_from_the_site_url_never_from_the_clients_host(three, client):
    """A shared cache would serve a link built from a Host header to everyone."""
    outputs = [
        client.get("/api/v1/statements/?page_size=1", HTTP_HOST="evil.example").content,
        client.get(f"/api/v1/statements/{three}/", HTTP_HOST="evil.example").content,
        client.get("/feeds/statements.atom", HTTP_HOST="evil.example").content,
        client.get("/feeds/statements.json", HTTP_HOST="evil.example").content,
        client.get(f"/statements/{three}/", HTTP_HOST="evil.example").content,
        client.get("/api/v1/", HTTP_HOST="evil.example").content,
        client.get("/api/v1/statements/export.csv", HTTP_HOST="evil.example").getvalue(),
    ]
    for body in outputs:
        assert b"evil.example" not in body
        assert b"https://tracker.example.org/" in body


@override_settings(SITE_URL="https://tracker.example.org", ALLOWED_HOSTS=["tracker.example.org", "127.0.0.1"])
def test_a_host_the_site_does_not_serve_is_a_400_and_a_port_is_never_echoed(seeded, client):
    assert client.get("/api/v1/statements/", HTTP_HOST="evil.example").status_code == 400
    echoed = client.get("/api/v1/statements/?page_size=1", HTTP_HOST="127.0.0.1:99999")
    assert b"99999" not in echoed.content and b"https://tracker.example.org/" in echoed.content


@pytest.mark.parametrize(
    "url", ["/no/such/page/", "/statements/999999/", "/positions/russian-mobilisation-2022/?as_of=x"]
)
def test_html_errors_have_a_language(seeded, client, url):
    response = client.get(url)

    assert response.status_code in (400, 404)
    assert b'<html lang="en"' in response.content
