"""The search page in a real Chromium (Debian's /usr/bin/chromium) against gunicorn-served Pinpoint.

One server and one browser per module; each test opens its own context, so tests
do not depend on their order.  Skips when Chromium or the playwright package is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.prerequisites import ON_CI

from tests.servers import pinpoint_server

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    if ON_CI:
        raise RuntimeError("CI must provide Debian's chromium at /usr/bin/chromium (see .ci/run)")
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)
from playwright import sync_api  # noqa: E402  (a test extra: its absence is an install error, not a skip)

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
CFR_TITLE = "The U.S.-Japan Security Alliance"
CFR_SENTENCE = "Locals deeply resent the outsize burden of hosting U.S. troops"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def base_url(seeds_index):
    with pinpoint_server(seeds_index, workers=1) as (base, _proc):
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    # Console errors include Content-Security-Policy violations and script errors.
    tab.console_errors = []
    tab.on("console", lambda msg: msg.type == "error" and tab.console_errors.append(msg.text))
    tab.on("pageerror", lambda exc: tab.console_errors.append(str(exc)))
    yield tab
    context.close()


def search(page, q: str):
    page.goto("/")
    page.fill("#q", q)
    with page.expect_navigation():
        page.press("#q", "Enter")


def first_card(page):
    return page.locator("ol.hits article.hit").first


def test_search_from_the_form_shows_cards_without_console_errors(page):
    search(page, "Futenma")
    assert re.search(r"[?&]q=Futenma\b", page.url)
    assert page.locator("#results-heading").inner_text().endswith("for “Futenma”")
    card = first_card(page)
    assert card.locator("h3").inner_text() == CFR_TITLE
    assert card.locator("blockquote mark").first.inner_text().lower() == "futenma"
    assert card.locator("button.copy").first.is_visible(), "script un-hides the copy buttons"
    assert page.console_errors == []


def test_clicking_an_author_facet_filters_and_the_url_says_so(page):
    search(page, "alliance")
    link = page.locator("section[aria-labelledby='facet-author'] a").first
    author = link.inner_text().strip()
    with page.expect_navigation():
        link.click()
    assert "author=" in page.url
    bylines = page.locator("ol.hits p.byline .authors").all_inner_texts()
    assert bylines and all(author.split(",")[0] in b for b in bylines)
    assert page.locator("ul.active-filters").inner_text().count("remove") == 1


def test_changing_the_style_rerenders_the_citations(page):
    search(page, "Futenma")
    with page.expect_navigation():
        page.select_option("#style", "mla")
    assert "style=mla" in page.url
    first_card(page).locator("summary").click()
    assert first_card(page).locator("dd.reference").inner_text().startswith("Xu, Beina.")


def test_copy_buttons_put_the_citation_on_the_clipboard_and_announce_it(page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    search(page, "Futenma")
    card = first_card(page)
    for name in ("Copy citation", "Copy quote with citation"):
        button = card.get_by_role("button", name=name, exact=True)
        expected = button.get_attribute("data-copy")
        button.click()
        # CSP forbids eval, so wait with a locator rather than wait_for_function.
        sync_api.expect(page.locator("#announcer")).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == expected
    assert "Xu" in expected and re.search(r"\(Xu, 2014, paras?\. \d+", expected)


def test_quote_lookup_from_its_tab(page):
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Find the source of a quote").click()
    page.fill("#quote", f"“{CFR_SENTENCE}”")
    with page.expect_navigation():
        page.get_by_role("button", name="Find source").click()
    assert "mode=quote" in page.url and "quote=" in page.url
    card = first_card(page)
    assert card.locator("h3").inner_text() == CFR_TITLE
    assert card.locator(".badge").inner_text() == "Exact match"


def test_a_bad_query_shows_what_went_wrong_with_status_400(page):
    page.goto("/")
    page.fill("#q", '"security treaty')
    with page.expect_navigation() as navigation:
        page.press("#q", "Enter")
    assert navigation.value.status == 400
    alert = page.get_by_role("alert")
    assert "quotation mark" in alert.inner_text()
    assert page.locator("details.help").get_attribute("open") is not None
    assert page.input_value("#q") == '"security treaty'


def test_keyboard_alone_reaches_search_results_and_a_passage(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "focus must be visible"
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("Futenma")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for _ in range(40):  # tab forward from the search box to the first result's title link
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('h3.hit-title') !== null"):
            break
    else:
        pytest.fail("Tab never reached the first result")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/passages/" in page.url
    assert page.locator("h1").inner_text() == CFR_TITLE


def test_readable_at_phone_width(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        tab = context.new_page()
        tab.goto("/?q=alliance&style=chicago-notes")
        first_card(tab).locator("summary").click()
        assert tab.evaluate("document.documentElement.scrollWidth") <= 375, "no sideways scrolling"
        size = tab.evaluate("parseFloat(getComputedStyle(document.querySelector('blockquote')).fontSize)")
        assert size >= 14
    finally:
        context.close()
