"""Helpers for browser tests: screenshots kept for people, and logging in through the real form."""

from tests.conftest import ROOT

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PASSWORD = "a-long-test-password"


def screenshot(page, name: str) -> None:
    """Keep a picture of `page` for people to look at (artifacts/screenshots/, git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(browser, live_url: str, username: str, password: str = PASSWORD, viewport=(1280, 800)):
    """A new browser context (its own cookies: one editor) logged in through the admin's login form."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.goto(f"{live_url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_url}/admin/")
    return page
