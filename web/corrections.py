"""`/corrections/`: the corrections log, every public correction, retraction and reinstatement,
newest first (the page of the corrections feed; retraction notices and cards link here)."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render

from statements.models import Correction, Status
from web.pages import bad_request

PAGE_SIZE = 50


def corrections_page(request):
    """50 notes a page (`page`: a whole number from 1; anything else is a 400 naming it)."""
    notes = (
        Correction.objects.filter(statement__status__in=[Status.PUBLISHED, Status.RETRACTED])
        .select_related("statement__speaker", "statement__government", "statement__topic")
        .order_by("-created_at", "-id")
    )
    try:
        page = Paginator(notes, PAGE_SIZE).page(request.GET.get("page", "1"))
    except (PageNotAnInteger, EmptyPage):
        return bad_request("page: must be the number of a page of this log (1 to the last).")
    return render(request, "web/corrections.html", {"section": "corrections", "page": page})
