"""Error pages in the site's layout with DJANGO_DEBUG=false (its default under the test runner):
400, 403, 404, 405, 429, 500 and 503 say what happened in words, with the site's navigation, skip
link, `lang` and footer; API paths keep JSON; pages, feeds and oEmbed answer writes with 405 and
Allow, never a CSRF 403."""

import pytest
from bs4 import BeautifulSoup
from django.db import OperationalError
from django.test import Client

from tests.api.problems import problem
from tests.conftest import import_seeds


@pytest.fixture
def seeds(db):
    import_seeds()


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def assert_site_layout(response, status: int, words: str):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    html = BeautifulSoup(response.content, "html.parser")
    assert html.html["lang"] == "en"
    assert html.select_one("a.skip[href='#content']") is not None
    assert html.select_one("header.site nav a[href='/statements/']") is not None
    assert html.select_one("footer.site") is not None
    assert words in html.select_one("main").text
    return html


def test_a_missing_page_is_a_404_in_the_layout(seeds, browser):
    assert_site_layout(browser.get("/no/such/page/"), 404, "There is no page at this address")
    assert_site_layout(browser.get("/statements/999999/"), 404, "There is no page at this address")


def test_the_api_keeps_json(seeds, browser):
    response = browser.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json() == problem(404, {"detail": ["Not found."]})
    response = browser.post("/api/v1/statements/", {})
    assert response.status_code == 405 and "errors" in response.json()
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("path", ["/", "/statements/", "/about/", "/topics/", "/embed/statements/"])
def test_writes_to_pages_are_405_with_allow_not_a_csrf_403(seeds, browser, path, method):
    response = getattr(browser, method)(path)

    html = assert_site_layout(response, 405, "can only be read")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
    assert "GET, HEAD" in html.text


@pytest.mark.parametrize("method", ["post", "put", "delete"])
@pytest.mark.parametrize("path", ["/feeds/statements.atom", "/feeds/statements.json", "/oembed"])
def test_writes_to_feeds_and_oembed_are_405_with_allow_in_json(seeds, browser, path, method):
    response = getattr(browser, method)(path)

    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
    assert response["Content-Type"] == "application/problem+json"
    assert "not allowed" in response.json()["errors"]["detail"][0]
    assert response.json()["detail"] == response.json()["errors"]["detail"][0]


def test_the_check_page_is_rate_limited_like_the_api_with_a_page(seeds, browser, settings):
    from django.core.cache import cache

    from api.middleware import LOCAL_COUNTS

    settings.API_RATE_LIMIT = "2/hour"
    cache.clear()
    LOCAL_COUNTS.clear()
    answers = [browser.get("/check/", REMOTE_ADDR="192.0.2.77") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert_site_layout(answers[-1], 429, "Too many requests")
    assert int(answers[-1]["Retry-After"]) >= 1
    cache.clear()


def test_a_csrf_failure_in_the_admin_is_a_403_page(seeds, browser):
    response = browser.post("/admin/login/", {"username": "a", "password": "b"})
    assert_site_layout(response, 403, "security token")


def test_a_database_failure_in_a_page_is_a_503_page_and_json_in_the_api(seeds, browser, monkeypatch):
    """What PostgreSQL's absence raises (Django's OperationalError around psycopg's), injected
    where the pages read: the real failure is the deploy tests' (tests/deploy/)."""
    import psycopg

    from web import browse

    def unreachable(*args, **kwargs):
        try:
            raise psycopg.OperationalError("connection failed: Connection refused")
        except psycopg.OperationalError as exc:
            raise OperationalError("connection failed: Connection refused") from exc

    monkeypatch.setattr(browse, "latest_rows", unreachable)
    monkeypatch.setattr("web.views.latest_rows", unreachable)
    response = browser.get("/")
    assert_site_layout(response, 503, "database behind the tracker is unavailable")
    assert response["Retry-After"] == "10"
    assert response["Cache-Control"] == "no-store"


def test_an_unexpected_error_is_a_500_page(seeds, browser, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("web.views.latest_rows", broken)
    assert_site_layout(browser.get("/"), 500, "Something went wrong on our side")
