"""Stance timelines in Chromium at a phone's and a desktop's width, on the three seed topics
(issue 23, point 7): at 360 px each opens on its dense period, with JavaScript off (CSS
`scroll-initial-target`) and in a browser without that property (the script's fallback); at 1280
px the whole picture fits and the dense period has most of its width; the names stay beside
their rows; axe-core finds nothing serious. Screenshots in artifacts/screenshots/ for people."""

import re

import pytest

from statements.models import Topic
from tests.browser.pages import screenshot
from tests.conftest import import_seeds

TOPICS = ["russian-mobilisation-2022", "ukrainian-refugees-2022", "afghan-evacuation-2021"]
SERIOUS = {"serious", "critical"}
GEOMETRY = """figure => {
  const plot = figure.querySelector('.tl-plot'), focus = figure.querySelector('svg.tl-focus');
  const panels = [...figure.querySelectorAll('svg.timeline')];
  const box = plot.getBoundingClientRect(), at = focus.getBoundingClientRect();
  return {scroll: plot.scrollLeft, focusOffset: at.left - box.left + plot.scrollLeft, focusLeft: at.left - box.left,
          clientWidth: plot.clientWidth, scrollWidth: plot.scrollWidth, focusWidth: at.width,
          panelsWidth: panels.reduce((sum, svg) => sum + svg.getBoundingClientRect().width, 0)};
}"""


@pytest.fixture
def live(transactional_db, live_server):
    import_seeds()
    return live_server.url


def pages_with_timelines() -> dict[str, str]:
    pages = {f"topic-{slug}": f"/topics/{slug}/" for slug in TOPICS}
    pages |= {f"embed-timeline-{slug}": f"/embed/timeline/{slug}/" for slug in TOPICS}
    return pages


def geometry(page) -> dict:
    return page.locator("figure.chart", has=page.locator("svg.tl-focus")).first.evaluate(GEOMETRY)


@pytest.mark.parametrize("javascript", [False, True], ids=["css", "script"])
def test_at_360_px_every_timeline_opens_on_its_dense_period(live, browser, javascript):
    context = browser.new_context(viewport={"width": 360, "height": 800}, java_script_enabled=javascript)
    page = context.new_page()
    if javascript:  # a browser without scroll-initial-target (Firefox, Safari): the script must do it
        page.add_init_script("CSS.supports = () => false;")
        page.route(
            re.compile(r".*/site\.css$"),
            lambda route: route.fulfill(
                response=(fetched := route.fetch()),
                body=fetched.text().replace("scroll-initial-target: nearest;", ""),
            ),
        )
    problems = []
    for name, url in pages_with_timelines().items():
        page.goto(live + url)
        shape = geometry(page)
        earlier = page.locator("svg.tl-earlier").count() > 0
        initial_target = page.locator("svg.tl-focus").first.evaluate("svg => getComputedStyle(svg).scrollInitialTarget")
        assert initial_target == ("none" if javascript else "nearest"), name  # the path under test
        assert shape["scrollWidth"] > shape["clientWidth"], name  # a phone scrolls the picture...
        if earlier and abs(shape["scroll"] - shape["focusOffset"]) > 1:  # ...and starts where it is dense
            problems.append(f"{name}: scrolled to {shape['scroll']}, the dense period is at {shape['focusOffset']}")
        if abs(shape["focusLeft"]) > 1:
            problems.append(f"{name}: the dense period begins {shape['focusLeft']} px from the picture's left edge")
        if not javascript:
            screenshot(page, f"timeline-{name}-360")
    context.close()
    assert problems == []


def test_at_1280_px_the_picture_fits_and_the_dense_period_has_most_of_it(live, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for name, url in pages_with_timelines().items():
        page.goto(live + url)
        shape = geometry(page)
        assert shape["scroll"] == 0 and shape["scrollWidth"] <= shape["clientWidth"], name
        assert shape["focusWidth"] / shape["panelsWidth"] >= 0.7, name
        screenshot(page, f"timeline-{name}-1280")
    context.close()


def test_the_names_stay_beside_their_rows_while_the_picture_scrolls(live, browser):
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(f"{live}/topics/{TOPICS[0]}/")
    names = page.locator(".tl-names div")
    before = names.first.bounding_box()

    page.locator(".tl-plot").first.evaluate("plot => { plot.scrollLeft = plot.scrollWidth; }")

    assert names.first.bounding_box() == before  # the names did not move
    assert names.count() == Topic.objects.get(slug=TOPICS[0]).statements.values("government").distinct().count()
    for i in range(names.count()):
        name, government = names.nth(i).bounding_box(), names.nth(i).inner_text()
        band = page.locator("svg.timeline a", has=page.locator("title", has_text=f"{government}:")).last.locator("rect")
        box = band.bounding_box()
        assert abs((name["y"] + name["height"] / 2) - (box["y"] + box["height"] / 2)) <= 3, government
    context.close()


def test_pages_with_three_topics_pass_axe_at_both_widths(live, browser):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    pages = pages_with_timelines() | {
        "government-three-topics": "/governments/GB/",
        "matrix-three-topics": "/positions/?as_of=2022-10-31",
        "embed-matrix-three-topics": "/embed/positions/?as_of=2022-10-31",
    }
    problems = []
    for width in (360, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        for name, url in pages.items():
            page.goto(live + url)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 0:
                problems.append(f"{name} at {width}px: {overflow}px of horizontal page scroll")
            for violation in axe.run(page).response["violations"]:
                if violation["impact"] in SERIOUS:
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    problems.append(f"{name} at {width}px: axe {violation['id']} ({violation['impact']}): {targets}")
            if name.startswith(("government", "matrix")):
                screenshot(page, f"three-topics-{name}-{width}")
        context.close()
    assert problems == []
