"""robots.txt (read by Protego, the robots.txt parser Scrapy crawls with), the sitemap (Django's
sitemaps framework, paged past its 50,000-URL limit) and security.txt (checked by sectxt, an
RFC 9116 validator)."""

import re
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from protego import Protego
from sectxt import Parser

from statements.models import Government, Speaker, Statement, Topic
from tests.factories import StatementFactory
from web import discovery

SITE = "https://tracker.example.org"
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = SITE
    return SITE


def test_robots_txt_lets_crawlers_read_pages_and_names_the_sitemap(site_url, client):
    response = client.get("/robots.txt")

    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    robots = Protego.parse(response.content.decode())
    allowed = ["/", "/statements/", "/statements/12/", "/topics/russian-mobilisation-2022/", "/governments/FI/",
               "/speakers/sanna-marin/", "/positions/russian-mobilisation-2022/", "/corrections/", "/about/",
               "/feeds/statements.atom"]  # fmt: skip
    refused = ["/admin/", "/admin/statements/statement/", "/api/v1/statements/", "/embed/statements/12/",
               "/oembed?url=x", "/statements/?q=asylum", "/statements/?government=FI&stance=restrictive",
               "/check/?text=we+welcome", "/positions/russian-mobilisation-2022/?as_of=2022-09-27",
               "/statements/12/compare/"]  # fmt: skip
    assert [path for path in allowed if not robots.can_fetch(f"{SITE}{path}", "Googlebot")] == []
    assert [path for path in refused if robots.can_fetch(f"{SITE}{path}", "Googlebot")] == []
    assert list(robots.sitemaps) == [f"{SITE}/sitemap.xml"]


def locations(body: bytes, tag: str) -> list[str]:
    root = ElementTree.fromstring(body)
    assert root.tag == f"{NS}{tag}"
    return [element.text for element in root.iter(f"{NS}loc")]


def crawl(client) -> list[str]:
    """Every URL the sitemap names, reading it as a crawler does: the index, then each page."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200 and index["Content-Type"] == "application/xml"
    urls = []
    for page in locations(index.content, "sitemapindex"):
        assert page.startswith(f"{SITE}/sitemap-"), page
        parts = urlsplit(page)
        response = client.get(parts.path, dict(p.split("=") for p in parts.query.split("&") if p))
        assert response.status_code == 200, page
        found = locations(response.content, "urlset")
        assert 0 < len(found) <= (discovery.StatementsSitemap.limit if "statements" in page else 50_000), page
        urls += found
    return urls


def test_the_sitemap_lists_every_public_page_once_on_the_configured_origin(seeded, site_url, client, staff_user):
    from statements import services

    draft = StatementFactory(status="draft")
    gone = Statement.objects.filter(status="published").order_by("id").last()
    services.statement_retract(statement_id=gone.pk, user=staff_user, reason="Withdrawn.")

    urls = crawl(client)

    assert len(urls) == len(set(urls)) and all(url.startswith(f"{SITE}/") for url in urls)
    paths = {urlsplit(url).path for url in urls}
    statements = {f"/statements/{pk}/" for pk in Statement.objects.published().values_list("pk", flat=True)}
    assert {p for p in paths if p.startswith("/statements/") and p != "/statements/"} == statements
    assert f"/statements/{draft.pk}/" not in paths and f"/statements/{gone.pk}/" not in paths
    assert {f"/speakers/{s.slug}/" for s in Speaker.objects.public()} <= paths
    assert {f"/governments/{g.code}/" for g in Government.objects.public()} <= paths
    for topic in Topic.objects.public():
        assert {f"/topics/{topic.slug}/", f"/positions/{topic.slug}/"} <= paths
    assert {"/", "/statements/", "/about/", "/corrections/"} <= paths
    for path in sorted(paths)[:60]:
        assert client.get(path).status_code == 200, path


def test_the_sitemap_pages_statements_past_its_limit(seeded, site_url, client, monkeypatch):
    """50,000 URLs a file (sitemaps.org), shown with a limit of 10: pages by ranges of ids, each
    at most the limit, together every published statement, and a page past the last is a 404."""
    monkeypatch.setattr(discovery.StatementsSitemap, "limit", 10)
    published = set(Statement.objects.published().values_list("pk", flat=True))

    index = locations(client.get("/sitemap.xml").content, "sitemapindex")
    pages = [url for url in index if "/sitemap-statements.xml" in url]

    assert len(pages) >= len(published) // 10 > 1
    seen = []
    for page in pages:
        query = urlsplit(page).query
        response = client.get("/sitemap-statements.xml", {"p": query.split("=")[1]} if query else {})
        found = locations(response.content, "urlset")
        assert len(found) <= 10
        seen += [int(url.rstrip("/").rsplit("/", 1)[1]) for url in found]
    assert sorted(seen) == sorted(published)
    assert client.get("/sitemap-statements.xml", {"p": str(len(pages) + 1)}).status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_a_block_of_ids_without_a_published_statement_is_no_page(seeded, site_url, client, monkeypatch):
    """Ids 1-20 all drafts or retracted (or never used): no sitemap page lists nothing."""
    monkeypatch.setattr(discovery.StatementsSitemap, "limit", 10)
    Statement.objects.filter(id__lte=20).update(status="draft")
    published = set(Statement.objects.published().values_list("pk", flat=True))

    urls = crawl(client)  # every page holds 1 to 10 URLs

    statement_urls = [url for url in urls if re.search(r"/statements/[0-9]+/$", url)]
    assert {int(url.rstrip("/").rsplit("/", 1)[1]) for url in statement_urls} == published


def test_a_sitemap_page_reads_statements_by_an_id_range(seeded, django_assert_max_num_queries, client):
    with django_assert_max_num_queries(2):  # the occupied id blocks (one skip scan), then the page's range
        client.get("/sitemap-statements.xml")


def test_security_txt_names_the_configured_contact(site_url, settings, client):
    settings.SECURITY_CONTACTS = ["mailto:security@example.org", "https://example.org/security"]

    response = client.get("/.well-known/security.txt")

    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    checked = Parser(response.content, urls=f"{SITE}/.well-known/security.txt")
    assert checked.is_valid(), checked.errors
    assert checked.errors == [] and {r["code"] for r in checked.recommendations} <= {"not_signed", "no_encryption"}
    text = response.content.decode()
    assert "Contact: mailto:security@example.org\nContact: https://example.org/security\n" in text
    assert f"Canonical: {SITE}/.well-known/security.txt" in text


def test_without_a_contact_there_is_no_security_txt(settings, client):
    settings.SECURITY_CONTACTS = []
    assert client.get("/.well-known/security.txt").status_code == 404


def test_a_contact_that_is_not_a_uri_stops_the_settings(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import tracker.settings

    monkeypatch.setenv("TRACKER_SECURITY_CONTACT", "security@example.org")
    with pytest.raises(ImproperlyConfigured, match="TRACKER_SECURITY_CONTACT"):
        importlib.reload(tracker.settings)
    monkeypatch.delenv("TRACKER_SECURITY_CONTACT")
    importlib.reload(tracker.settings)
