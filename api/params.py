"""The strict-parameter rule: an unknown or repeated query parameter is a 400, never ignored.

Neither DRF nor django-filter rejects unknown parameters, so this one check knows each view's
filters, pagination and extra parameters. A typo such as `stanse=` must not return everything.
"""

from dataclasses import dataclass, field

from django import forms
from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from api.filters import CSVFilter, selection
from api.schema import form_parameters
from statements.filtering import WHITE_SPACE, CSVField, StatementFilterForm
from statements.listing import Selection

MAX_NAME_IN_ERROR = 100
# No parameter needs more (100 slugs of 40 characters); bigger values are refused unread.
MAX_VALUE_LENGTH = 4000


def filterset_query_params(filterset_class) -> dict[str, bool]:
    """The parameters a filter set accepts; list filters may be repeated."""
    return {name: isinstance(f, CSVFilter) for name, f in filterset_class.base_filters.items()}


def check_query_params(query_params, allowed: dict[str, bool]) -> None:
    """Raise a 400 naming every unknown, repeated or NUL-carrying parameter.

    `allowed` maps each parameter name to whether it may be repeated.
    """
    errors: dict[str, list[str]] = {}
    for name in query_params:
        values = query_params.getlist(name)
        key = name[:MAX_NAME_IN_ERROR]
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            errors[key] = [f"Unknown parameter. This endpoint accepts: {known}."]
        elif len(values) > 1 and not allowed[name]:
            errors[key] = ["Given more than once; give it once."]
        elif any(len(value) > MAX_VALUE_LENGTH for value in values):
            errors[key] = [f"Too long: at most {MAX_VALUE_LENGTH} characters."]
        elif any("\x00" in value for value in values):
            errors[key] = ["Null characters are not allowed."]
        elif any(not value.strip(WHITE_SPACE) for value in values):
            # An empty value is a client bug (an unfilled template variable), not "no filter".
            errors[key] = ["Empty value; leave the parameter out instead."]
    if errors:
        raise ValidationError(errors)


class StrictQueryParamsMixin:
    """For the resource viewsets (speakers, governments, topics): a list accepts its filter set's
    filters and its paginator's parameters, a detail none; checked before anything runs. (The
    statement endpoints declare theirs as a `Query`.)"""

    def allowed_query_params(self) -> dict[str, bool]:
        if self.detail:
            return {}
        allowed = dict.fromkeys(self.paginator.query_params(), False)
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            allowed |= filterset_query_params(filterset_class)
        return allowed

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):  # other methods get their 405 first
            check_query_params(request.query_params, self.allowed_query_params())


def form_query_params(form_class) -> dict[str, bool]:
    """The parameters a parameter form accepts; list fields may be repeated."""
    return {name: isinstance(field, CSVField) for name, field in form_class.base_fields.items()}


@dataclass(frozen=True)
class Query:
    """An endpoint's query parameters, declared once: its own parameter `form`, the statement
    filters (statements/filtering.py's form) when it takes `filters`, and `extra` parameters read
    elsewhere (the paginator's `cursor` and `page_size`; whether each may be repeated). The strict
    check, the schema and the parsing all read this one declaration, so nothing is declared that
    does not run."""

    form: type[forms.Form] | None = None
    filters: bool = False
    extra: dict[str, bool] = field(default_factory=dict)

    def parameter_forms(self) -> list[type[forms.Form]]:
        """The parameter forms, in the order they are validated."""
        return [form for form in (self.form, StatementFilterForm if self.filters else None) if form is not None]

    def allowed(self) -> dict[str, bool]:
        """Every parameter, and whether it may be repeated (list parameters may)."""
        allowed = dict(self.extra)
        for form_class in self.parameter_forms():
            allowed |= form_query_params(form_class)
        return allowed

    def parameters(self) -> list[OpenApiParameter]:
        """The forms' fields as OpenAPI parameters (`extra` ones are their reader's to document)."""
        return [parameter for form_class in self.parameter_forms() for parameter in form_parameters(form_class)]

    def parse(self, request, data=None) -> tuple[dict, Selection | None]:
        """The query string (or `data`, a QueryDict) checked strictly, once, then validated: the
        form's cleaned data ({} without one) and the filters' Selection (None without them). The
        first of the three to fail is a 400 naming the parameter."""
        data = request.query_params if data is None else data
        check_query_params(data, self.allowed())
        params = validated(self.form, data) if self.form is not None else {}
        return params, selection(data) if self.filters else None


def validated(form_class, data) -> dict:
    """`form_class`'s cleaned data from `data`; a bad value is a 400 naming the parameter."""
    form = form_class(data)
    if not form.is_valid():
        raise ValidationError(
            {name: [e["message"] for e in errors] for name, errors in form.errors.get_json_data().items()}
        )
    return form.cleaned_data


def body_params(request, json_types: dict[str, type] | None = None) -> QueryDict:
    """The parameters of a read sent as POST (a form, or a JSON object), with the query
    string's, as one QueryDict to check like a query string: a parameter given in both is
    "given more than once". In JSON, each value must have its declared type (`json_types`:
    str, int, bool, or list for a list parameter, which also takes one string)."""
    json_types = json_types or {}
    params = request.query_params.copy()
    body = request.data
    if isinstance(body, QueryDict):
        for name in body:
            for value in body.getlist(name):
                params.appendlist(name, value)
        return params
    if not isinstance(body, dict):
        raise ValidationError({"detail": ["The body must be a JSON object of parameters, or a form."]})
    errors = {}
    for name, value in body.items():
        wanted = json_types.get(name, str)
        if wanted is list:
            values = value if isinstance(value, list) else [value]
            ok = bool(values) and all(isinstance(item, str) for item in values)
            message = "Must be a string or a list of strings."
        else:
            if wanted is int and isinstance(value, float) and value.is_integer():
                value = int(value)  # 7.0 is an integer in JSON Schema
            values = [value]
            ok = isinstance(value, wanted) and not (wanted is int and isinstance(value, bool))
            message = {int: "Must be an integer.", bool: "Must be true or false."}.get(wanted, "Must be a string.")
        if not ok:
            errors[str(name)[:MAX_NAME_IN_ERROR]] = [message]
            continue
        params.setlist(name, params.getlist(name) + [_as_text(item) for item in values])
    if errors:
        raise ValidationError(errors)
    return params


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
