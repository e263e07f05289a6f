"""The README's examples are what the code answers: every `curl` followed by a response block is
run against the seed data (ids as a fresh `./dev serve` gives them) and compared.

How a README example is read (keep to it when writing one):
- a ```sh block with `curl` commands, then a block with the response to the last of them:
  ```json (compared as data), ```xml (each element shown must be in the answer), ```csv (the
  header exactly, each row shown must begin a row of the answer) or ``` starting `HTTP/1.1`
  (the status and the headers shown);
- inside a ```sh block, a `curl … # 400` line followed by a line of JSON is a request and its answer;
- "…" elides: a value "…" is anything, a key "…" means "and other keys", a string with "…" must
  contain its other parts in order, a list with a string item holding "…" may have more items
  (the others must appear in order), and a date-time such as 2026-11-24T22:22:59.648975Z stands
  for any date-time (import times differ);
- `If-None-Match: "…"` is sent with the ETag the same URL has just answered.
"""

import gzip
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import ROOT, import_seeds

README = ROOT / "README.md"
HOST = "127.0.0.1:8000"
ORIGIN = f"http://{HOST}"
ELLIPSIS = "…"
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
FENCE = re.compile(r"^(\s*)```(\w*)\s*$")  # blocks may be indented under a list item


@dataclass
class Example:
    line: int
    curl: list[str]
    kind: str  # json | xml | csv | http
    expected: str
    status: int | None = None
    problems: list[str] = field(default_factory=list)


def blocks(text: str):
    """(line number, language, body) of every fenced block."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        indent, language = match.groups()
        start, body = index + 1, []
        index += 1
        while index < len(lines) and not lines[index].strip().startswith("```"):
            body.append(lines[index].removeprefix(indent))
            index += 1
        yield start, language, "\n".join(body)
        index += 1


def curl_words(line: str) -> list[str] | None:
    words = shlex.split(line, comments=True)
    return words if words and words[0] == "curl" else None


def examples(text: str) -> list[Example]:
    found: list[Example] = []
    previous_curl = None
    for start, language, body in blocks(text):
        if language == "sh":
            previous_curl = None
            lines = body.splitlines()
            for offset, line in enumerate(lines):
                words = curl_words(line) if "curl " in line else None
                if not words:
                    continue
                previous_curl = (start + offset, words)
                status = re.search(r"#\s*(\d{3})\b", line)
                following = lines[offset + 1].strip() if offset + 1 < len(lines) else ""
                if status and following.startswith("{"):
                    found.append(Example(start + offset, words, "json", following, int(status.group(1))))
                    previous_curl = None
            continue
        kind = {"json": "json", "xml": "xml", "csv": "csv"}.get(language)
        if not language and body.startswith("HTTP/1.1"):
            kind = "http"
        if previous_curl and kind:
            found.append(Example(previous_curl[0], previous_curl[1], kind, body))
        previous_curl = None
    return found


def request(client: Client, words: list[str]):
    """Run a curl command line with Django's test client (method, headers, URL)."""
    method, headers, url = "GET", {}, None
    args = iter(words[1:])
    for word in args:
        if word in ("-I", "--head"):
            method = "HEAD"
        elif word in ("-H", "--header"):
            name, _, value = next(args).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "--compressed":
            headers["Accept-Encoding"] = "gzip"
        elif word.startswith("http"):
            url = word
        elif word in ("-X", "--request"):
            method = next(args)
    assert url and url.startswith(ORIGIN), f"not a URL of the local server: {url}"
    path = url[len(ORIGIN) :]
    if headers.get("If-None-Match", "").startswith('"'):
        headers["If-None-Match"] = client.get(path, headers={"host": HOST})["ETag"]
    response = client.generic(method, path, headers={"host": HOST, **headers})
    body = response.getvalue() if response.streaming else response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return response, body.decode("utf-8")


def compare(expected, actual, where: str = "") -> list[str]:
    """Where `actual` does not match `expected` (with the README's elisions)."""
    if expected == ELLIPSIS:
        return []
    if isinstance(expected, str):
        if not isinstance(actual, str):
            return [f"{where}: expected a string like {expected!r}, got {actual!r}"]
        if DATETIME.match(expected):
            return [] if DATETIME.match(actual) else [f"{where}: expected a date-time, got {actual!r}"]
        if ELLIPSIS in expected:
            return [] if _in_order(expected, actual) else [f"{where}: {actual!r} does not read {expected!r}"]
        return [] if expected == actual else [f"{where}: expected {expected!r}, got {actual!r}"]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        problems = []
        for key, value in expected.items():
            if key == ELLIPSIS:
                continue
            if key not in actual:
                problems.append(f"{where}.{key}: missing")
                continue
            problems += compare(value, actual[key], f"{where}.{key}")
        extra = set(actual) - set(expected)
        if extra and ELLIPSIS not in expected:
            problems.append(f"{where}: keys not shown (add them or a '…' key): {sorted(extra)}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {actual!r}"]
        elided = any(isinstance(item, str) and ELLIPSIS in item for item in expected)
        shown = [item for item in expected if not (elided and isinstance(item, str) and ELLIPSIS in item)]
        if not elided:
            if len(expected) != len(actual):
                return [f"{where}: {len(expected)} items shown, {len(actual)} answered"]
            return [
                p
                for index, (e, a) in enumerate(zip(expected, actual, strict=True))
                for p in compare(e, a, f"{where}[{index}]")
            ]
        position = 0
        for item in shown:  # each shown item matches a later answered item, in order
            while position < len(actual) and compare(item, actual[position]):
                position += 1
            if position == len(actual):
                return [f"{where}: no item (in order) matches {json.dumps(item, ensure_ascii=False)[:200]}"]
            position += 1
        return []
    return [] if expected == actual else [f"{where}: expected {expected!r}, got {actual!r}"]


def _in_order(pattern: str, text: str) -> bool:
    position = 0
    for part in (p.strip() for p in pattern.split(ELLIPSIS)):
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


def check(example: Example, client: Client) -> list[str]:
    response, body = request(client, example.curl)
    problems = []
    if example.status is not None and response.status_code != example.status:
        problems.append(f"status {response.status_code}, README says {example.status}")
    if example.kind == "json":
        problems += compare(json.loads(example.expected), json.loads(body), "$")
    elif example.kind == "csv":
        expected_lines, lines = example.expected.splitlines(), body.splitlines()
        if expected_lines[0] != lines[0]:
            problems.append(f"CSV header differs: {lines[0]!r}")
        for row in expected_lines[1:]:
            if not any(_in_order(row, line) and line.startswith(row.split(ELLIPSIS)[0]) for line in lines[1:]):
                problems.append(f"no CSV row reads {row!r}")
    elif example.kind == "xml":
        for fragment in re.findall(r"<(\w+)>([^<…]+)</\1>|(\w+)=\"([^\"…]+)\"", example.expected):
            shown = fragment[1] or fragment[3]
            if shown.strip() and shown.replace("&amp;", "&") not in body.replace("&amp;", "&"):
                problems.append(f"the feed has no {shown!r}")
    elif example.kind == "http":
        status_line, *header_lines = example.expected.splitlines()
        if int(status_line.split()[1]) != response.status_code:
            problems.append(f"status {response.status_code}, README says {status_line}")
        for line in header_lines:
            name, _, value = line.partition(":")
            if name == ELLIPSIS or not value:
                continue
            if not response.has_header(name.strip()):
                problems.append(f"no {name.strip()} header")
            elif name.strip() in ("Cache-Control", "Content-Type", "Vary") and response[name.strip()] != value.strip():
                problems.append(f"{name.strip()}: {response[name.strip()]!r}, README says {value.strip()!r}")
    return problems


EXAMPLES = examples(README.read_text(encoding="utf-8"))


def test_the_readme_has_examples_to_check():
    assert len(EXAMPLES) >= 15, [e.line for e in EXAMPLES]


@pytest.mark.django_db(transaction=True)
def test_every_readme_example_answers_as_shown():
    call_command("flush", interactive=False)  # empty, ids from 1: the database a first `./dev serve` makes
    import_seeds()
    client = Client()
    problems = []
    for example in EXAMPLES:
        problems += [f"README.md:{example.line}: {problem}" for problem in check(example, client)]
    assert not problems, "\n".join(problems)


def test_readme_paths_exist():
    """Files and folders the README names by path are there."""
    text = README.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:statements|api|web|tracker|tests|bench|seeds|deploy)/[\w./-]+)`", text))
    assert named, "the README names no files"
    missing = sorted(name for name in named if not (Path(ROOT) / name.rstrip("/")).exists())
    assert not missing, missing
