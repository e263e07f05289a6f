"""Routes of the public site (SPEC §6a): pages for people and the embeds newsrooms frame.

Everything here is read, never written: GET and HEAD only (405 otherwise), but for following a
search by e-mail (/alerts/).
"""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from web import alerts, browse, corrections, discovery, embeds, entities, pages, views

pages_and_embeds = [
    ("", views.home, "home"),
    ("about/", views.about, "about-page"),
    ("corrections/", corrections.corrections_page, "corrections-page"),
    ("check/", views.check_page, "check-page"),
    ("statements/", browse.statements_page, "statements-page"),
    ("statements/<int:pk>/", pages.statement_page, "statement-page"),
    ("statements/<int:pk>/compare/", pages.compare_page, "compare-page"),
    ("speakers/", entities.speakers_page, "speakers-page"),
    ("speakers/<slug:slug>/", entities.speaker_page, "speaker-page"),
    ("governments/", entities.governments_page, "governments-page"),
    ("governments/<str:code>/", entities.government_page, "government-page"),
    ("topics/", entities.topics_page, "topics-page"),
    ("topics/<slug:slug>/", entities.topic_page, "topic-page"),
    ("positions/", pages.matrix_page, "matrix-page"),
    ("positions/<slug:slug>/", pages.positions_page, "positions-page"),
    ("embed/statements/<int:pk>/", embeds.embed_statement, "embed-statement"),
    ("embed/statements/", embeds.embed_statements, "embed-statements"),
    ("embed/positions/", embeds.embed_matrix, "embed-matrix"),
    ("embed/positions/<slug:slug>/", embeds.embed_positions, "embed-positions"),
    ("embed/timeline/<slug:slug>/", embeds.embed_timeline, "embed-timeline"),
    ("robots.txt", discovery.robots_txt, "robots-txt"),
    ("sitemap.xml", discovery.sitemap_index, "sitemap-index"),
    ("sitemap-<slug:section>.xml", discovery.sitemap_section, "sitemap-section"),
    (".well-known/security.txt", discovery.security_txt, "security-txt"),
]

# The quote check also takes POST (SPEC §9: a long text in a non-Latin script does not fit a
# request line): read-only like GET, so CSRF-exempt.
READS_POST = {"check-page"}

# CSRF-exempt: nothing is written, and a POST to a page must meet its 405 (with Allow), not a
# CSRF 403.
urlpatterns = [
    path(route, csrf_exempt(view if name in READS_POST else require_safe(view)), name=name)
    for route, view, name in pages_and_embeds
]
# E-mail alerts (SPEC §11): the only public pages that take a POST (web/alerts.py says which).
urlpatterns += [
    path("alerts/", alerts.follow, name="alerts"),
    path("alerts/confirm/<str:token>/", alerts.confirm, name="alerts-confirm"),
    path("alerts/unsubscribe/<str:token>/", alerts.unsubscribe, name="alerts-unsubscribe"),
    path("alerts/manage/<str:token>/", alerts.manage, name="alerts-manage"),
]
