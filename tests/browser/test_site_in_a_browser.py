"""The public site in a real browser (headless Chromium, Playwright) against a live server:
axe-core (axe-playwright-python, a checker nobody here wrote) on every page type and embed, no
horizontal page scroll at 360 and 1280 px (screenshots in artifacts/screenshots/), no request
leaving the host, and a reader's whole task done with JavaScript disabled."""

from urllib.parse import urlsplit

import pytest

from statements import services
from statements.filtering import GOVERNMENT_GROUPS
from statements.models import Statement, Status
from tests.browser.pages import screenshot
from tests.conftest import SEED_FILES, import_file, import_topics

TOPIC = "russian-mobilisation-2022"
SERIOUS = {"serious", "critical"}


@pytest.fixture
def site(transactional_db, live_server):
    import_topics()
    for path in SEED_FILES:
        assert import_file(path).ok
    remark = Statement.objects.get(government="US", said_on="2022-09-27")
    withdrawn = Statement.objects.get(government="US", said_on="2022-09-23")
    services.statement_retract(statement_id=withdrawn.pk, user=None, reason="Withdrawn by the source.")
    rendered = Statement.objects.get(speaker__name="Olaf Scholz", said_on="2022-09-28")  # an English rendering
    untranslated = Statement.objects.get(speaker__name="Catherine Colonna", said_on="2022-09-27")  # none yet
    return live_server.url, {
        "home": "/",
        "statements": "/statements/",
        "search": "/statements/?q=case-by-case",
        "bad-filter": "/statements/?government=XX",
        "statement": f"/statements/{remark.pk}/",
        "speakers": "/speakers/",
        "speaker": f"/speakers/{remark.speaker.slug}/",
        "governments": "/governments/",
        "government": "/governments/US/",
        "topics": "/topics/",
        "topic": f"/topics/{TOPIC}/",
        "positions": f"/positions/{TOPIC}/?as_of=2022-09-27",
        "matrix": "/positions/",
        "check": "/check/",
        "check-result": "/check/?text=we+welcome+all+people+seeking+asylum",
        "about": "/about/",
        "embed-card": f"/embed/statements/{remark.pk}/",
        "embed-list": "/embed/statements/?government=US",
        "embed-grid": f"/embed/positions/{TOPIC}/",
        "embed-matrix": "/embed/positions/",
        "embed-timeline": f"/embed/timeline/{TOPIC}/",
        "retracted": f"/statements/{withdrawn.pk}/",
        "corrections": "/corrections/",
        "compare": f"/statements/{remark.pk}/compare/",
        "embed-retracted-card": f"/embed/statements/{withdrawn.pk}/",
        "embed-grid-retraction": f"/embed/positions/{TOPIC}/?as_of=2022-09-24",
        "statement-rendered": f"/statements/{rendered.pk}/",
        "statement-untranslated": f"/statements/{untranslated.pk}/",
        "embed-card-rendered": f"/embed/statements/{rendered.pk}/",
    }


def test_every_page_passes_axe_fits_the_screen_and_stays_on_the_host(site, browser):
    from axe_playwright_python.sync_playwright import Axe

    live, pages = site
    host = urlsplit(live).netloc
    axe = Axe()
    problems, elsewhere = [], []
    for width in (360, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.on(
            "request", lambda request: urlsplit(request.url).netloc not in (host, "") and elsewhere.append(request.url)
        )
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        for name, url in pages.items():
            page.goto(live + url)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 0:
                problems.append(f"{name} at {width}px: {overflow}px of horizontal page scroll")
            for violation in axe.run(page).response["violations"]:
                if violation["impact"] in SERIOUS:
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    problems.append(f"{name} at {width}px: axe {violation['id']} ({violation['impact']}): {targets}")
            screenshot(page, f"site-{name}-{width}")
        context.close()
    problems += [f"request left the host: {url}" for url in elsewhere]
    assert problems == []


def test_a_reader_without_javascript_finds_restrictive_eu_statements_and_their_csv(site, browser):
    """From / to "every restrictive statement by an EU government in the week after 21 Sept
    2022", then its CSV link, by choosing and clicking only; then a topic's timeline."""
    live, _pages = site
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(live + "/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Statements").click()
    page.select_option("#f-government", label="EU member states")
    page.select_option("#f-stance", "restrictive")
    page.fill("#f-said_after", "2022-09-21")
    page.fill("#f-said_before", "2022-09-28")
    page.get_by_role("button", name="Show statements").click()
    members = set(GOVERNMENT_GROUPS["eu-members"][1])
    expected = Statement.objects.filter(
        status=Status.PUBLISHED,
        government__in=members,
        stance="restrictive",
        said_on__range=("2022-09-21", "2022-09-28"),
    )
    assert page.locator("#results").inner_text() == (
        f"{expected.count()} restrictive statements by Austria, Belgium, Bulgaria and 24 other governments "
        "said between 21 September 2022 and 28 September 2022"
    )
    assert page.locator("article.card").count() == expected.count() >= 4
    assert set(page.locator("article.card .stance").all_inner_texts()) == {"restrictive"}
    csv_url = page.get_by_role("link", name="CSV", exact=True).get_attribute("href")
    query = urlsplit(csv_url).query
    assert "stance=restrictive" in query and "said_after=2022-09-21" in query and "government=AT," in query
    response = page.request.get(csv_url)
    assert response.ok and len(response.text().strip().splitlines()) == expected.count() + 1
    screenshot(page, "site-eu-restrictive-week-no-js")

    page.get_by_role("navigation", name="Site").get_by_role("link", name="Topics").click()
    page.get_by_role("link", name="Russians fleeing the 2022 mobilisation").first.click()
    bands = page.locator('svg.timeline a:not([tabindex="-1"])')  # one link per change, where it begins
    netherlands = bands.filter(has=page.locator("title", has_text="Netherlands"))
    assert netherlands.count() == 2  # welcoming, then restrictive
    netherlands.nth(1).click()
    assert page.locator("h1").inner_text().endswith("(Netherlands)")
    context.close()


def test_the_timeline_reads_in_greyscale(site, browser):
    """Stances differ by pattern and label, not colour alone: a greyscale screenshot for people
    to look at, and every band of the timeline labelled or titled with its stance."""
    live, pages = site
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(live + pages["topic"])
    page.add_style_tag(content="html { filter: grayscale(1); }")
    screenshot(page, "site-topic-greyscale")
    bands = page.locator("svg.timeline a")
    assert bands.count() > 20
    for title in bands.locator("title").all_text_contents():
        assert any(stance in title for stance in ("welcoming", "conditional", "restrictive", "neutral")), title
    fills = set(page.locator("svg.timeline a > rect").evaluate_all("rects => rects.map(r => r.getAttribute('fill'))"))
    assert fills == {f"url(#tl-{stance})" for stance in ("welcoming", "conditional", "restrictive", "neutral")}
    context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_a_german_remark_reads_first_with_its_english_rendering_beside_it(site, browser, width):
    live, pages = site
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    for name in ("statement-rendered", "embed-card-rendered"):
        page.goto(live + pages[name])
        original = page.locator(".renderings .original blockquote[lang=de]").first.bounding_box()
        rendering = page.locator(".renderings .rendering blockquote[lang=en]").first.bounding_box()
        label = page.locator(".renderings .rendering figcaption").first
        assert label.inner_text() == "Translation: Censor.NET"
        assert label.locator("a").get_attribute("href").startswith("https://m.censor.net/en/news/3370194/")
        if width == 360:  # one above the other, the original first
            assert original["y"] + original["height"] <= rendering["y"], name
        else:  # side by side, the original on the left
            assert original["x"] + original["width"] <= rendering["x"] and abs(original["y"] - rendering["y"]) < 40
        screenshot(page, f"rendering-{name}-{width}")
    page.goto(live + pages["statement-untranslated"])
    assert page.locator(".no-rendering").inner_text() == "No English rendering yet."
    context.close()


def test_a_long_text_in_cyrillic_is_checked_by_post_from_the_form(site, browser):
    """2,000 characters of Cyrillic do not fit a request line once percent-encoded: the form's
    script sends them by POST; a short text stays a shareable GET."""
    live, _pages = site
    page = browser.new_page()
    methods = []
    page.on(
        "request", lambda request: methods.append((request.method, request.url)) if "/check/" in request.url else None
    )
    page.goto(live + "/check/")
    page.fill("#text", ("Мы приветствуем всех людей, ищущих убежище. " * 50)[:2000])
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector("#result")

    assert methods[-1] == ("POST", live + "/check/")
    assert page.locator("textarea#text").input_value().startswith("Мы приветствуем")
    page.fill("#text", "we welcome all people seeking asylum")
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector("#result")
    assert methods[-1][0] == "GET" and "text=we+welcome" in methods[-1][1]
    assert page.locator("#result").inner_text() == "Not what was said"
    page.close()
