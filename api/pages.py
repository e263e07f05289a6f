"""Public HTML pages: the statement permalink that citations and the API's `permalink` point to."""

from django.http import Http404
from django.shortcuts import render

from api.serializers import citation
from statements.models import Statement, Status


def statement_page(request, pk: int):
    """A published statement, with its corrections. A retracted one answers 410 Gone with the
    retraction notice and no quote; a draft does not exist for the public (404)."""
    statement = Statement.objects.published_or_retracted().for_detail().filter(pk=pk).first()
    if statement is None:
        raise Http404("No such statement")
    permalink = request.build_absolute_uri(request.path)
    if statement.status == Status.RETRACTED:
        return render(
            request, "api/statement_retracted.html", {"statement": statement, "permalink": permalink}, status=410
        )
    return render(
        request,
        "api/statement.html",
        {"statement": statement, "citation": citation(statement, permalink), "permalink": permalink},
    )
