"""How the tracker is found: /robots.txt, the sitemap (Django's sitemaps framework) and
/.well-known/security.txt (RFC 9116).

The sitemap lists every public page people would search for: each published statement, speaker,
government and topic (and a topic's positions grid), and the site's own pages. A sitemap file
holds at most 50,000 URLs (sitemaps.org), so each section is paged and /sitemap.xml is the index
of the pages. Statements are paged by blocks of 50,000 ids that hold any published statement,
not by OFFSET: at a million statements a page is one index range scan, where OFFSET 950,000
would read 950,000 rows first.
Every URL is absolute, from TRACKER_SITE_URL (api/links.py), never from the Host a client sent.
"""

import datetime
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db import connection
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone

from api.links import absolute, site_root
from statements.models import Government, Speaker, Statement, Topic

# security.txt's Expires (RFC 9116 §2.5.5 asks for less than a year): it moves on with the
# date, as the contact comes from the deployment's settings, which its operators keep current.
SECURITY_TXT_VALIDITY = datetime.timedelta(days=180)


class SiteSitemap(Sitemap):
    """Absolute URLs on the configured public origin."""

    def get_protocol(self, protocol=None):
        return urlsplit(site_root()).scheme if settings.SITE_URL else super().get_protocol(protocol)

    def get_domain(self, site=None):
        return urlsplit(site_root()).netloc if settings.SITE_URL else super().get_domain(site)


class PagesSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self):
        return [
            "home",
            "statements-page",
            "topics-page",
            "governments-page",
            "speakers-page",
            "matrix-page",
            "check-page",
            "corrections-page",
            "about-page",
        ]

    def location(self, item):
        return reverse(item)


# The id blocks (of `size` ids each: the sitemap's limit) that hold a published statement, found by a skip scan:
# one primary-key probe per block, so at a million statements about 21 probes in one query.
OCCUPIED_BLOCKS = """
WITH RECURSIVE blocks(block) AS (
    SELECT (SELECT (id - 1) / %(size)s FROM statements_statement WHERE status = 'published' ORDER BY id LIMIT 1)
  UNION ALL
    SELECT (SELECT (id - 1) / %(size)s FROM statements_statement
            WHERE status = 'published' AND id > (block + 1) * %(size)s ORDER BY id LIMIT 1)
    FROM blocks WHERE block IS NOT NULL
)
SELECT block FROM blocks WHERE block IS NOT NULL
"""
SITEMAP_BLOCK = 50_000  # a sitemap file's limit (sitemaps.org), and Django's Sitemap.limit


class PublishedStatementIds(Sequence):
    """Published statements as a sequence of SITEMAP_BLOCK-long pages, one per block of ids that
    holds any: a slice [a:b] of page k is the statements with ids in the k-th occupied block, one
    index range scan. A page may hold fewer than 50,000 statements (drafts and retractions leave
    gaps), never more, and never none: a block of ids with no published statement (all drafts,
    retracted, or never used) is no page at all."""

    def __init__(self, size: int = SITEMAP_BLOCK):
        self.size = size
        self._blocks = None

    @property
    def blocks(self) -> list[int]:
        if self._blocks is None:
            with connection.cursor() as cursor:
                cursor.execute(OCCUPIED_BLOCKS, {"size": self.size})
                self._blocks = [block for (block,) in cursor.fetchall()]
        return self._blocks

    def __len__(self) -> int:
        return len(self.blocks) * self.size

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("the sitemap reads published statements by pages of id blocks only")
        start, _stop, _step = index.indices(len(self))
        if not self.blocks:
            return []
        block = self.blocks[start // self.size]
        return list(
            Statement.objects.published()
            .filter(id__gt=block * self.size, id__lte=(block + 1) * self.size)
            .order_by("id")
            .values_list("id", "updated_at", named=True)
        )


class StatementsSitemap(SiteSitemap):
    limit = SITEMAP_BLOCK

    def items(self):
        return PublishedStatementIds(self.limit)

    def location(self, item):
        return reverse("statement-page", args=[item.id])

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        """One aggregate (Django's default would compute lastmod for every statement)."""
        return Statement.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class SpeakersSitemap(SiteSitemap):
    def items(self):
        return Speaker.objects.public().order_by("slug").only("slug")

    def location(self, item):
        return reverse("speaker-page", args=[item.slug])


class GovernmentsSitemap(SiteSitemap):
    def items(self):
        return Government.objects.public().order_by("code").only("code")

    def location(self, item):
        return reverse("government-page", args=[item.code])


class TopicsSitemap(SiteSitemap):
    """Each topic's page and its positions grid (as of today)."""

    def items(self):
        return [
            (name, topic.slug)
            for topic in Topic.objects.public().order_by("slug").only("slug")
            for name in ("topic-page", "positions-page")
        ]

    def location(self, item):
        return reverse(item[0], args=[item[1]])


SITEMAPS = {
    "pages": PagesSitemap,
    "statements": StatementsSitemap,
    "speakers": SpeakersSitemap,
    "governments": GovernmentsSitemap,
    "topics": TopicsSitemap,
}


def sitemap_index(request):
    """/sitemap.xml: every page of every section. Django's index view names them on the Host the
    request came to; they are moved to the configured origin."""
    response = sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap-section")
    asked, root = f"{request.scheme}://{request.get_host()}", site_root(request)
    for item in response.context_data["sitemaps"]:
        item.location = root + item.location.removeprefix(asked)
    return response


def sitemap_section(request, section: str):
    """/sitemap-<section>.xml?p=<page>: up to 50,000 URLs (a page that does not exist: 404)."""
    return sitemap_views.sitemap(request, SITEMAPS, section=section)


def robots_txt(request):
    """What crawlers may read (RFC 9309): the pages; not the admin, the API (programs have it),
    embeds (copies of the pages, for frames), oEmbed, nor the endless query-string variants of
    lists, searches and dated grids (the sitemap lists the pages themselves)."""
    admin = "/" + settings.ADMIN_URL.strip("/") + "/"
    lines = [
        "User-agent: *",
        f"Disallow: {admin}",
        "Disallow: /api/",
        "Disallow: /embed/",
        "Disallow: /oembed",
        "Disallow: /statements/?",
        "Disallow: /statements/*/compare/",
        "Disallow: /check/?",
        "Disallow: /positions/*?",
        "Allow: /",
        "",
        f"Sitemap: {absolute(request, reverse('sitemap-index'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def security_txt(request):
    """RFC 9116: whom to tell about a vulnerability (TRACKER_SECURITY_CONTACT), until when this
    holds, in which language, and where this file lives. Without a configured contact there is
    nothing to say: 404."""
    if not settings.SECURITY_CONTACTS:
        raise Http404("No security contact is configured (TRACKER_SECURITY_CONTACT).")
    expires = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) + SECURITY_TXT_VALIDITY
    lines = [f"Contact: {contact}" for contact in settings.SECURITY_CONTACTS]
    lines += [
        f"Expires: {expires:%Y-%m-%dT%H:%M:%SZ}",
        "Preferred-Languages: en",
        f"Canonical: {absolute(request, reverse('security-txt'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
