"""Public HTML pages: the statement permalink that citations and the API's `permalink` point to."""

from django.shortcuts import get_object_or_404, render

from api.serializers import citation
from statements.models import Statement


def statement_page(request, pk: int):
    statement = get_object_or_404(Statement.objects.published().for_api(), pk=pk)
    permalink = request.build_absolute_uri()
    return render(
        request,
        "api/statement.html",
        {"statement": statement, "citation": citation(statement, permalink.split("?")[0]), "permalink": permalink},
    )
