"""Embeds in a real browser: headless Chromium (Debian's) driven by Playwright, against a live server.

A page on another origin embeds a statement card and the positions grid with the oEmbed
snippets. Screenshots go to artifacts/screenshots/ (git-ignored) for people to look at.
"""

import functools
import http.server
import json
import re
import threading
import urllib.parse
import urllib.request

import pytest

from statements.models import Statement
from tests.browser.pages import screenshot
from tests.conftest import SEED_FILE, import_file
from tests.factories import StatementFactory

GRID_PAGE = "/positions/russian-mobilisation-2022/?as_of=2022-09-27"
HOSTILE = "<img src=x onerror=alert(1)></blockquote><script>alert(2)</script>"


def oembed_html(live_url: str, page: str, **params) -> str:
    query = urllib.parse.urlencode({"url": f"{live_url}{page}", "format": "json", **params})
    with urllib.request.urlopen(f"{live_url}/oembed?{query}", timeout=10) as response:
        return json.loads(response.read())["html"]


@pytest.fixture
def host_page(tmp_path):
    """A static web server on 127.0.0.1 (the live server is on localhost: another origin)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_news_page_embeds_a_card_and_the_grid(transactional_db, live_server, host_page, browser):
    import_file(SEED_FILE)
    remark = Statement.objects.get(government="US", said_on="2022-09-27")
    hostile = StatementFactory(quote=HOSTILE, topic=remark.topic)
    live = live_server.url.replace("127.0.0.1", "localhost")
    folder, host = host_page
    (folder / "favicon.ico").write_bytes(b"")
    (folder / "article.html").write_text(
        "<!doctype html><html><body><h1>A news article</h1>"
        f"<div id=card>{oembed_html(live, f'/statements/{remark.pk}/')}</div>"
        f"<div id=grid>{oembed_html(live, GRID_PAGE)}</div>"
        f"<div id=hostile>{oembed_html(live, f'/statements/{hostile.pk}/', maxheight=120)}</div>"
        "</body></html>",
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": 900, "height": 900})
    problems, dialogs = [], []
    page.on("console", lambda message: message.type in ("error", "warning") and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(f"{host}/article.html", wait_until="load")

    card = page.frame_locator("#card iframe")
    assert "we welcome any folks who are seeking asylum" in card.locator("blockquote").inner_text(timeout=30_000)
    assert card.locator(".stance").first.inner_text() == "welcoming"
    grid = page.frame_locator("#grid iframe")
    stances = {
        code: grid.locator(f'tr[data-government="{code}"]').get_attribute("data-stance")
        for code in ("US", "DE", "FI", "PL")
    }
    assert stances == {"US": "welcoming", "DE": "welcoming", "FI": "restrictive", "PL": "restrictive"}
    # The iframes follow their content's height (the embed's messages, the host snippet's lines).
    page.wait_for_function("Number(document.querySelector('#grid iframe').height) > 400", timeout=30_000)
    # ... exactly: the host's iframe is as tall as the embed's content, so the last row shows.
    content = grid.locator("body").evaluate("body => Math.ceil(body.getBoundingClientRect().height)")
    page.wait_for_function(f"Number(document.querySelector('#grid iframe').height) === {content}", timeout=30_000)
    page.wait_for_function("Number(document.querySelector('#card iframe').height) !== 320", timeout=30_000)
    # The host asked for at most 120 px for the third: the iframe keeps to it, its card scrolls inside.
    assert page.locator("#hostile iframe").bounding_box()["height"] <= 120
    hostile_text = page.frame_locator("#hostile iframe").locator("blockquote").inner_text()
    assert hostile_text == HOSTILE  # shown as text, never run
    assert dialogs == [] and problems == []

    screenshot(page, "article-with-embeds")
    page.goto(f"{live}/positions/russian-mobilisation-2022/?as_of=2022-09-27")
    screenshot(page, "positions-page")
    page.goto(f"{live}/statements/{remark.pk}/")
    screenshot(page, "statement-page")
    assert problems == []


def test_pages_other_than_embeds_refuse_to_be_framed(transactional_db, live_server, host_page, browser):
    statement = StatementFactory()
    live = live_server.url.replace("127.0.0.1", "localhost")
    folder, host = host_page
    (folder / "frame.html").write_text(
        f'<!doctype html><iframe id="page" src="{live}/statements/{statement.pk}/"></iframe>', encoding="utf-8"
    )
    page = browser.new_page()

    with page.expect_console_message(lambda message: "frame" in message.text.lower(), timeout=30_000) as refusal:
        page.goto(f"{host}/frame.html", wait_until="load")

    assert "refused" in refusal.value.text.lower() or "frame-ancestors" in refusal.value.text
    assert page.frame_locator("#page").locator("blockquote").count() == 0  # not rendered inside the frame


def test_the_api_docs_work_offline_under_the_strict_csp(transactional_db, live_server, browser):
    page = browser.new_page()
    problems = []
    page.on("console", lambda message: message.type in ("error", "warning") and problems.append(message.text))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))

    page.goto(f"{live_server.url}/api/docs/", wait_until="networkidle")

    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock").count() >= 14  # every operation, from the local schema
    assert problems == []
    screenshot(page, "api-docs")


def test_a_page_on_another_origin_revalidates_with_fetch(transactional_db, live_server, host_page, browser):
    """A newsroom's script on its own origin pages through the API and revalidates: the preflight
    lets If-None-Match through, and ETag, Link and the RateLimit fields are readable."""
    import_file(SEED_FILE)
    live = live_server.url.replace("127.0.0.1", "localhost")
    folder, host = host_page
    (folder / "favicon.ico").write_bytes(b"")
    (folder / "app.html").write_text("<!doctype html><title>newsroom app</title>", encoding="utf-8")
    page = browser.new_page()
    page.goto(f"{host}/app.html")

    result = page.evaluate(
        """async (api) => {
            const first = await fetch(api, {cache: "no-store"});
            const etag = first.headers.get("ETag");
            const again = await fetch(api, {cache: "no-store", headers: {"If-None-Match": etag}});
            return {status: first.status, etag, link: first.headers.get("Link"),
                    ratelimit: first.headers.get("RateLimit"), revalidated: again.status,
                    count: (await first.json()).count};
        }""",
        f"{live}/api/v1/statements/?page_size=2",
    )

    assert result["status"] == 200 and result["count"] == 44
    assert (
        result["etag"]
        and result["link"].endswith('rel="next"')
        and re.fullmatch(r'"default";r=\d+;t=\d+', result["ratelimit"])
    )
    assert result["revalidated"] == 304


def test_an_article_that_embedded_a_statement_shows_its_retraction(transactional_db, live_server, host_page, browser):
    """The newsroom's article embedded a card (and a list holding it) with the oEmbed snippet;
    the statement is then retracted. In Chromium, on the article's own origin, the frames still
    render: the card says it was retracted, when and why, and links the corrections log."""
    from statements import services

    import_file(SEED_FILE)
    remark = Statement.objects.get(government="US", said_on="2022-09-27")
    live = live_server.url.replace("127.0.0.1", "localhost")
    folder, host = host_page
    (folder / "favicon.ico").write_bytes(b"")
    (folder / "article.html").write_text(
        "<!doctype html><html><body><h1>A news article</h1>"
        f"<div id=card>{oembed_html(live, f'/statements/{remark.pk}/')}</div>"
        f'<div id=list><iframe src="{live}/embed/statements/?government=US" title="US" width="600" height="600">'
        "</iframe></div></body></html>",
        encoding="utf-8",
    )
    services.statement_retract(statement_id=remark.pk, user=None, reason="The White House corrected its transcript.")
    page = browser.new_page(viewport={"width": 900, "height": 900})
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{host}/article.html", wait_until="load")

    card = page.frame_locator("#card iframe").locator("article.retracted")
    text = card.inner_text(timeout=30_000)
    day = remark.corrections.get(kind="retraction").created_at
    assert "Retracted." in text and f"{day.day} {day:%B %Y}" in text
    assert "Reason: The White House corrected its transcript." in text
    assert card.get_by_role("link", name="Corrections log").get_attribute("href") == f"{live}/corrections/"
    assert "we welcome any folks" not in page.frame_locator("#card iframe").locator("body").inner_text()
    listed = page.frame_locator("#list iframe").locator("article.retracted")
    assert "The White House corrected its transcript." in listed.inner_text(timeout=30_000)
    # the card's frame follows its content's height, as for any card
    page.wait_for_function("Number(document.querySelector('#card iframe').height) !== 320", timeout=30_000)
    assert problems == []
    screenshot(page, "article-with-a-retracted-card")


def test_embed_snippets_fit_a_phone(transactional_db, live_server, host_page, browser):
    """An article on a 360 px phone with every kind of embed pasted as oEmbed (and the pages)
    give it: nothing makes the article wider than the screen, and each frame is as wide as the
    article's column."""
    from tests.conftest import import_topics

    import_topics()
    import_file(SEED_FILE)
    remark = Statement.objects.get(government="US", said_on="2022-09-27")
    live = live_server.url.replace("127.0.0.1", "localhost")
    folder, host = host_page
    (folder / "favicon.ico").write_bytes(b"")
    pages = [f"/statements/{remark.pk}/", GRID_PAGE, "/positions/", "/topics/russian-mobilisation-2022/"]
    snippets = "".join(f'<div class="embed">{oembed_html(live, page)}</div>' for page in pages)
    (folder / "phone.html").write_text(
        '<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{margin:0;padding:0 16px;font:16px sans-serif}</style></head>"
        f"<body><h1>A news article</h1><p>Some text.</p>{snippets}</body></html>",
        encoding="utf-8",
    )
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()

    page.goto(f"{host}/phone.html", wait_until="load")
    page.frame_locator(".embed iframe >> nth=0").locator("blockquote").wait_for(timeout=30_000)

    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    widths = page.evaluate("[...document.querySelectorAll('iframe')].map(f => f.getBoundingClientRect().width)")
    screenshot(page, "article-with-embeds-360")
    assert overflow <= 0, f"the article scrolls {overflow} px sideways at 360 px"
    assert widths == [328] * len(pages)  # the column: 360 px less the article's 2 × 16 px margins
    # the card's frame takes the height its content needs at that width
    page.wait_for_function(
        "(() => { const f = document.querySelector('.embed iframe'); return Number(f.height) !== 320; })()",
        timeout=30_000,
    )
    context.close()


def test_every_embed_fits_the_size_its_oembed_answer_promises(transactional_db, live_server, browser):
    """oEmbed's width and height are what a newsroom's CMS sizes the iframe to: the embed shown
    at that width needs no horizontal scrolling, for each kind and each seed topic."""
    from tests.conftest import import_seeds

    import_seeds()
    live = live_server.url
    remark = Statement.objects.get(government="US", said_on="2022-09-27")
    pages = [f"/statements/{remark.pk}/", GRID_PAGE, "/positions/"]
    pages += [f"/topics/{slug}/" for slug in Statement.objects.values_list("topic__slug", flat=True).distinct()]
    wider = []
    for url in pages:
        query = urllib.parse.urlencode({"url": f"{live}{url}", "format": "json"})
        with urllib.request.urlopen(f"{live}/oembed?{query}", timeout=10) as response:
            answer = json.loads(response.read())
        src = answer["html"].split('src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        page = browser.new_page(viewport={"width": answer["width"], "height": answer["height"]})
        page.goto(src)
        overflow = page.evaluate(
            "Math.max(...[document.documentElement, ...document.querySelectorAll('*')]"
            ".filter(e => e === document.documentElement || ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))"
            ".map(e => e.scrollWidth - e.clientWidth))"
        )
        page.close()
        if overflow > 0:
            wider.append(f"{url}: the embed is {overflow} px wider than oEmbed's {answer['width']}")
    assert not wider, wider
