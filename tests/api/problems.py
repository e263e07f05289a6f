"""What an error looks like on the wire: an RFC 9457 problem document (application/problem+json)
that keeps the API's earlier `errors` member."""

PROBLEM_JSON = "application/problem+json"
MEMBERS = ["type", "title", "status", "detail", "errors"]
TITLES = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Content Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}


def problem(status: int, errors: dict[str, list[str]]) -> dict:
    """The whole body of an `about:blank` problem with these `errors`."""
    detail = "; ".join(
        " ".join(messages) if name == "detail" else f"{name}: {' '.join(messages)}" for name, messages in errors.items()
    )
    return {"type": "about:blank", "title": TITLES[status], "status": status, "detail": detail, "errors": errors}


def assert_problem(response, status: int | tuple[int, ...]) -> dict:
    """A problem document with `status` (or one of them), its members in order; its body."""
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert list(body)[:5] == MEMBERS, body
    assert body["status"] == response.status_code
    assert body["type"] == "about:blank" and body["title"] == TITLES[response.status_code]
    assert body["errors"] and all(isinstance(m, str) and m for ms in body["errors"].values() for m in ms)
    assert isinstance(body["detail"], str) and body["detail"]
    return body
