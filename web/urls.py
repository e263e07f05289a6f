"""Routes of the public site's pages (SPEC §6a)."""

from django.urls import path
from django.views.decorators.http import require_safe

from web import views

urlpatterns = [
    path("check/", require_safe(views.check_page), name="check-page"),
]
