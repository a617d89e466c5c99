"""The built site, in a real browser: typesetting, offline, deep links, copying, the layout switch.

Why: what readers get is what Chromium makes of the HTML, CSS, MathJax and our scripts, which no
static test can show. Playwright drives Debian's Chromium (``/usr/bin/chromium``) against the
strict build of the session (``built_site``), served from a thread on 127.0.0.1 under the path of
``site_url`` (the sitemap is rewritten to the local origin, as a build with ``SITE_URL`` set to it
would write it, so that Material's instant navigation is active). One browser and one context
serve every test; a tour of every page is taken once and several tests read its findings.

These tests skip only when Chromium is missing outside CI; in CI (``CI`` set) they fail instead.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.request import urlopen

import pytest
from matrixcheck import permalinks

CHROMIUM = Path("/usr/bin/chromium")
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')
#: A numerator-layout and a denominator-layout identity, and an entrywise one.
NUMERATOR_ID, NUMERATOR_PAGE = "quadratic-form", "seed/"
DENOMINATOR_ID = "bilinear-form"
ENTRYWISE_ID = "inverse-of-function"

TYPESET_REPORT = """() => ({
  errors: [...document.querySelectorAll('mjx-merror')].map(e => e.getAttribute('data-mjx-error')),
  untypeset: [...document.querySelectorAll('.arithmatex')]
    .filter(e => !e.querySelector(':scope > mjx-container')).map(e => e.textContent.slice(0, 80)),
  cards: document.querySelectorAll('.identity').length,
  formulas_without_math: [...document.querySelectorAll('.identity-formula')]
    .filter(e => !e.querySelector('mjx-container'))
    .map(e => e.closest('.identity').dataset.identity),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
})"""
TYPESET_DONE = """() => window.MathJax && MathJax.startup && MathJax.startup.promise &&
  [...document.querySelectorAll('.arithmatex')]
    .every(e => e.querySelector(':scope > mjx-container'))"""


@dataclass
class Site:
    """The built site served on localhost: its base URL and root directory."""

    base: str
    root: Path
    records: list[dict]

    def url(self, relative: str) -> str:
        return urljoin(self.base, relative)


@dataclass
class Browsing:
    """The shared browser page and what the context saw: requests and console errors."""

    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _handler(root: Path, prefix: str, built_root: str, base: str):
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def translate_path(self, path: str) -> str:
            local = urlsplit(path).path
            if not local.startswith(prefix):
                return str(root / "__outside_the_site__")
            return super().translate_path("/" + local[len(prefix) :])

        def do_GET(self) -> None:
            if urlsplit(self.path).path == prefix + "sitemap.xml":
                text = (root / "sitemap.xml").read_text(encoding="utf-8")
                body = text.replace(built_root, base).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@pytest.fixture(scope="module")
def site(built_site: Path) -> Iterator[Site]:
    """``built_site`` served at http://127.0.0.1:PORT/<path of site_url>."""
    found = CANONICAL.search((built_site / "index.html").read_text(encoding="utf-8"))
    assert found, "index.html has no canonical link: is site_url set?"
    built_root = found.group(1)  # the site_url of the build, as the home page's canonical URL
    prefix = urlsplit(built_root).path
    server = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    base = f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    server.RequestHandlerClass = _handler(built_site, prefix, built_root, base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    records = json.loads((built_site / "identities.json").read_text(encoding="utf-8"))
    try:
        yield Site(base, built_site, records["identities"])
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browsing(site: Site) -> Iterator[Browsing]:
    """One Chromium, one context (clipboard allowed), one page; every request is recorded."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: install it with apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is not installed (CI installs it; these tests run there)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(site.base))
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        found = Browsing(context.new_page())

        def route(route) -> None:
            found.requests.append(route.request.url)
            if route.request.url.startswith(origin + "/"):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", route)
        found.page.on(
            "console",
            lambda m: found.errors.append(f"console: {m.text}") if m.type == "error" else None,
        )
        found.page.on("pageerror", lambda error: found.errors.append(f"page error: {error}"))
        try:
            yield found
        finally:
            browser.close()


def _open(browsing: Browsing, url: str) -> None:
    page = browsing.page
    page.goto(url)
    page.wait_for_function(TYPESET_DONE)
    page.evaluate("() => matrixcheckTypeset.all")


def _pages(site: Site) -> list[str]:
    """Every page of the site but the 404 page and the page of the identities' stable addresses
    (it only sends the reader on to a card; see ``test_a_stable_address_leads_to_the_card``)."""
    return sorted(
        p.relative_to(site.root).as_posix().removesuffix("index.html")
        for p in site.root.rglob("*.html")
        if p.name != "404.html" and p.relative_to(site.root).as_posix() != permalinks.PAGE
    )


@pytest.fixture(scope="module")
def tour(site: Site, browsing: Browsing) -> dict[str, dict]:
    """Every page loaded once and typeset: MathJax errors, untypeset math, cards, links."""
    findings = {}
    for relative in _pages(site):
        _open(browsing, site.url(relative))
        findings[relative] = browsing.page.evaluate(TYPESET_REPORT)
    return findings


def test_every_page_typesets_without_errors(tour: dict[str, dict]) -> None:
    assert len(tour) >= 10
    for relative, found in tour.items():
        assert found["errors"] == [], relative
        assert found["untypeset"] == [], relative
        assert found["formulas_without_math"] == [], relative


def test_every_identity_card_is_rendered(tour: dict[str, dict], site: Site) -> None:
    by_page: dict[str, int] = {}
    for record in site.records:
        page = record["url"].split("#")[0]
        by_page[page] = by_page.get(page, 0) + 1
    for page, count in by_page.items():
        assert tour[page]["cards"] == count, page
    assert tour["print/"]["cards"] == len(site.records)


def test_no_request_leaves_localhost(tour: dict[str, dict], site: Site, browsing: Browsing) -> None:
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(site.base))
    assert browsing.requests, "no request was recorded"
    assert [url for url in browsing.requests if not url.startswith(origin)] == []


def test_no_console_errors(tour: dict[str, dict], browsing: Browsing) -> None:
    assert browsing.errors == []


@functools.cache
def _ids_at(url: str) -> frozenset[str]:
    with urlopen(url) as response:
        assert response.status == 200, url
        return frozenset(re.findall(r'\bid="([^"]+)"', response.read().decode("utf-8")))


def test_every_internal_link_resolves(tour: dict[str, dict], site: Site) -> None:
    broken = []
    for relative, found in tour.items():
        for link in found["links"]:
            address, fragment = urldefrag(link)
            if not address.startswith(site.base):
                continue
            try:
                ids = _ids_at(address) if not address.endswith(".json") else frozenset()
            except OSError as error:
                broken.append((relative, link, str(error)))
                continue
            if fragment and fragment not in ids:
                broken.append((relative, link, "missing anchor"))
    assert broken == []


def test_every_identity_anchor_opens_at_its_card(site: Site, browsing: Browsing) -> None:
    page = browsing.page
    loaded = None
    misplaced = []
    for record in site.records:
        url = site.url(record["url"])
        address = url.split("#")[0]
        if address != loaded:
            _open(browsing, url)  # a deep link, loaded from scratch
            loaded = address
        else:
            page.goto(url)  # the same page: a jump to another anchor
        if not _in_view(browsing, record["id"]):
            misplaced.append((record["id"], _place(browsing, record["id"])))
    assert misplaced == []


#: Where a card's heading and the card are in the window, and whether its formula is typeset.
PLACE = """(id) => {
  const heading = document.getElementById(id);
  const card = heading && heading.nextElementSibling;
  return heading && card && card.classList.contains('identity') ? {
    top: heading.getBoundingClientRect().top,
    card: card.getBoundingClientRect().top, height: window.innerHeight,
    typeset: !!card.querySelector('.identity-formula mjx-container'),
  } : null;
}"""
#: Whether the card's heading is in the window, with the card's typeset formula below it.
IN_VIEW = f"""(id) => {{
  const place = ({PLACE})(id);
  return !!place && 0 <= place.top && place.top < place.height && place.card < place.height
    && place.typeset;
}}"""


def _place(browsing: Browsing, identity: str) -> dict | None:
    return browsing.page.evaluate(PLACE, identity)


def _in_view(browsing: Browsing, identity: str, seconds: float = 2.0) -> bool:
    """Whether the card comes into view within ``seconds`` (the browser scrolls to an anchor in
    a later frame when it is busy; a card that never comes into view is not in view)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        browsing.page.wait_for_function(IN_VIEW, arg=identity, timeout=seconds * 1000)
    except PlaywrightTimeout:
        return False
    return True


def _card(browsing: Browsing, identity: str):
    return browsing.page.locator(f'.identity[data-identity="{identity}"]')


def _shown_latex(browsing: Browsing, identity: str) -> str:
    card = _card(browsing, identity)
    formula = card.locator(".identity-formula:visible")
    # After an instant navigation the URL changes before the new content is swapped in.
    formula.first.wait_for(state="visible")
    assert formula.count() == 1
    formula.locator("mjx-container").first.wait_for()
    return formula.get_attribute("data-latex")


def _record(site: Site, identity: str) -> dict:
    return next(r for r in site.records if r["id"] == identity)


def _choose_layout(browsing: Browsing, layout: str) -> None:
    browsing.page.select_option("#mc-layout-select", layout)


def _clipboard_after_click(browsing: Browsing, button) -> str:
    browsing.page.evaluate("() => navigator.clipboard.writeText('')")
    button.click()
    browsing.page.wait_for_function("async () => (await navigator.clipboard.readText()) !== ''")
    return browsing.page.evaluate("() => navigator.clipboard.readText()")


def test_copy_link_and_copy_latex(site: Site, browsing: Browsing) -> None:
    _open(browsing, site.url(NUMERATOR_PAGE))
    _choose_layout(browsing, "as-written")
    card = _card(browsing, NUMERATOR_ID)
    link = _clipboard_after_click(browsing, card.locator('[data-mc-copy="link"]'))
    assert link == site.url(f"id/#{NUMERATOR_ID}")
    record = _record(site, NUMERATOR_ID)
    latex = _clipboard_after_click(browsing, card.locator('[data-mc-copy="latex"]'))
    assert latex == record["latex"].strip()
    _choose_layout(browsing, "denominator")
    latex = _clipboard_after_click(browsing, card.locator('[data-mc-copy="latex"]'))
    assert latex == record["other_layout"]["latex"]
    _choose_layout(browsing, "as-written")


def test_a_stable_address_leads_to_the_card(site: Site, browsing: Browsing) -> None:
    """The address "Copy link" gives, opened from elsewhere (as from a course page), lands on
    the card, in view; after instant navigation from the home page to a page one level down,
    "Copy link" still gives the stable address."""
    page = browsing.page
    page.goto(site.url(f"id/#{ENTRYWISE_ID}"))
    page.wait_for_url(site.url(_record(site, ENTRYWISE_ID)["url"]))
    page.wait_for_function(TYPESET_DONE)
    page.evaluate("() => matrixcheckTypeset.visible")
    assert _in_view(browsing, ENTRYWISE_ID)
    _open(browsing, site.url(""))
    # Material has made the links absolute by now.
    page.locator(f'a.md-nav__link[href="{site.url(NUMERATOR_PAGE)}"]').first.click()
    page.wait_for_url(site.url(NUMERATOR_PAGE))
    card = _card(browsing, NUMERATOR_ID)
    link = _clipboard_after_click(browsing, card.locator('[data-mc-copy="link"]'))
    assert link == site.url(f"id/#{NUMERATOR_ID}")


def test_layout_switch_shows_the_verified_conversion_and_persists(
    site: Site, browsing: Browsing
) -> None:
    page = browsing.page
    numerator = _record(site, NUMERATOR_ID)
    assert numerator["layout"] == "numerator"
    assert numerator["other_layout"]["status"] == "verified"
    _open(browsing, site.url(NUMERATOR_PAGE))
    _choose_layout(browsing, "as-written")
    entrywise = _shown_latex(browsing, ENTRYWISE_ID)
    assert _shown_latex(browsing, NUMERATOR_ID) == numerator["latex"].strip()

    _choose_layout(browsing, "denominator")
    assert _shown_latex(browsing, NUMERATOR_ID) == numerator["other_layout"]["latex"]
    assert _shown_latex(browsing, ENTRYWISE_ID) == entrywise
    assert _card(browsing, NUMERATOR_ID).locator(".badge-converted:visible").count() == 1

    # Instant navigation to another page and back keeps the choice, without a full reload.
    start = page.evaluate("() => performance.getEntriesByType('navigation')[0].name")
    page.click("a.md-nav__link[href$='conventions/']")
    page.wait_for_url("**/conventions/")
    page.wait_for_function(TYPESET_DONE)
    assert page.evaluate("() => performance.getEntriesByType('navigation')[0].name") == start
    assert page.input_value("#mc-layout-select") == "denominator"
    page.click(f"a.md-nav__link[href$='{NUMERATOR_PAGE}']")
    page.wait_for_url(f"**/{NUMERATOR_PAGE}")
    page.wait_for_function(TYPESET_DONE)
    assert page.evaluate("() => performance.getEntriesByType('navigation')[0].name") == start
    assert _shown_latex(browsing, NUMERATOR_ID) == numerator["other_layout"]["latex"]

    # A reload (a later visit) keeps it too; choosing "as written" brings the original back.
    _open(browsing, page.url)
    assert _shown_latex(browsing, NUMERATOR_ID) == numerator["other_layout"]["latex"]
    _choose_layout(browsing, "numerator")
    assert _shown_latex(browsing, NUMERATOR_ID) == numerator["latex"].strip()
    denominator = _record(site, DENOMINATOR_ID)
    assert _shown_latex(browsing, DENOMINATOR_ID) == denominator["other_layout"]["latex"]
    _choose_layout(browsing, "as-written")
    assert _shown_latex(browsing, DENOMINATOR_ID) == denominator["latex"].strip()


def test_verification_badge_opens_the_evidence_from_the_keyboard(
    site: Site, browsing: Browsing
) -> None:
    _open(browsing, site.url(NUMERATOR_PAGE))
    badge = _card(browsing, NUMERATOR_ID).locator("button.badge-verified")
    panel = browsing.page.locator(f"#evidence-{NUMERATOR_ID}")
    assert panel.is_hidden() and badge.get_attribute("aria-expanded") == "false"
    badge.focus()
    browsing.page.keyboard.press("Enter")
    assert panel.is_visible() and badge.get_attribute("aria-expanded") == "true"
    for seed in _record(site, NUMERATOR_ID)["seeds"]:
        assert str(seed) in panel.inner_text()
    browsing.page.keyboard.press("Enter")
    assert panel.is_hidden()


def test_readers_without_scripts_see_the_evidence_under_the_badges(
    site: Site, browsing: Browsing
) -> None:
    """Without JavaScript the badge opens nothing; the evidence is shown in the card instead,
    and the panel that scripts fill stays hidden."""
    assert browsing.page.context.browser is not None
    context = browsing.page.context.browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.url(NUMERATOR_PAGE))
        card = page.locator(f'div.identity[data-identity="{NUMERATOR_ID}"]')
        assert card.locator(f"#evidence-{NUMERATOR_ID}").is_hidden()
        shown = card.locator("noscript .identity-evidence")
        assert shown.is_visible()
        text = shown.inner_text()
        assert "Numeric check" in text and "Exact check" in text
        for seed in _record(site, NUMERATOR_ID)["seeds"]:
            assert str(seed) in text
    finally:
        context.close()


CONTRAST = """() => {
  const rgba = s => { const m = s.match(/[\\d.]+/g).map(Number); return m.length === 3 ? [...m, 1] : m; };
  const over = (top, under) => under.map((v, i) => v * (1 - top[3]) + top[i] * top[3]);
  const background = element => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const colour = rgba(getComputedStyle(e).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255]);
  };
  const luminance = c => c.map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const shown = [...document.querySelectorAll(
    '.identity .badge, .identity-id, .identity-action, .identity-where, .identity-references, ' +
    '.identity-converted-note, .identity-assumptions, .proof-step')]
    .filter(e => e.getClientRects().length > 0);
  return shown.map(e => {
    const under = background(e);
    const text = over(rgba(getComputedStyle(e).color), under);
    const [light, dark] = [luminance(text), luminance(under)].sort((a, b) => b - a);
    return [e.className, (light + 0.05) / (dark + 0.05)];
  });
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_card_text_is_readable_in_both_palettes(site: Site, browsing: Browsing, scheme) -> None:
    """Every badge and generated line of a card, converted ones included, has the contrast WCAG
    AA asks of small text (4.5:1) against what is behind it."""
    assert browsing.page.context.browser is not None
    context = browsing.page.context.browser.new_context(color_scheme=scheme)
    context.add_init_script("localStorage.setItem('matrixcheck.layout', 'denominator')")
    try:
        page = context.new_page()
        page.goto(site.url(NUMERATOR_PAGE))
        page.wait_for_function(TYPESET_DONE)
        palette = page.evaluate("() => document.body.dataset.mdColorScheme")
        ratios = page.evaluate(CONTRAST)
    finally:
        context.close()
    assert palette == {"light": "default", "dark": "slate"}[scheme]
    classes = {name for name, _ in ratios}
    assert {"badge badge-layout badge-converted mc-converted", "identity-where"} <= classes
    low = sorted({(name, round(ratio, 2)) for name, ratio in ratios if ratio < 4.5})
    assert not low, low


def test_status_table_sorts_by_a_column(site: Site, browsing: Browsing) -> None:
    _open(browsing, site.url("status/"))
    table = browsing.page.locator(".mc-sortable table")
    assert table.locator("tbody tr").count() == len(site.records)
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    column = headers.index("max rel. error")
    header = table.locator("thead th").nth(column)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    cells = table.locator(f"tbody tr td:nth-child({column + 1})").all_inner_texts()
    numbers = [float(c) for c in cells if c.strip()]
    assert numbers == sorted(numbers) and len(numbers) > len(site.records) // 2


def test_search_results_show_formulas_as_readable_text(site: Site, browsing: Browsing) -> None:
    _open(browsing, site.url(""))
    page = browsing.page
    page.keyboard.press("/")
    page.keyboard.type("inverse trace")
    results = page.locator(".md-search-result__item")
    results.first.wait_for()
    texts = " ".join(results.all_inner_texts())
    assert "the traces of (XᵀCX)⁻¹" in texts and "d(X⁻¹) = −X⁻¹ dX X⁻¹" in texts
    assert "\\" not in texts
    # The names in a formula are words the search matches (in TeX, "\log\det\boldsymbol" was one).
    page.keyboard.press("Control+A")
    page.keyboard.type("log det")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.md-search-result__item')]"
        ".some(item => item.innerText.includes('∂(log det X)/∂X'))"
    )
    page.keyboard.press("Escape")


def test_narrow_screens_scroll_long_formulas_inside_the_card(
    site: Site, browsing: Browsing
) -> None:
    page = browsing.page
    page.set_viewport_size({"width": 360, "height": 740})
    try:
        for relative in ("traces/", "inverses/", "losses/", "functions/", "print/"):
            _open(browsing, site.url(relative))
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, relative
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


#: How the shown display formula of a card scrolls, and what its background is made of.
FORMULA_BOX = r"""(id) => {
  const card = document.querySelector(`div.identity[data-identity="${id}"]`);
  const box = [...card.querySelectorAll('.identity-formula mjx-container[display="true"]')]
    .find(e => e.getClientRects().length > 0);
  const style = getComputedStyle(box);
  return {overflow: box.scrollWidth - box.clientWidth, attachment: style.backgroundAttachment,
          gradients: (style.backgroundImage.match(/gradient\(/g) || []).length};
}"""


def test_a_formula_wider_than_its_card_shows_a_shadow_where_it_continues(
    site: Site, browsing: Browsing
) -> None:
    """Covers that scroll with the formula over shadows that stay at the box's edges: a shadow
    shows on each side the formula continues past, none on a formula that fits (on a narrow
    screen, where the widest lines of the long formulas still scroll)."""
    page = browsing.page
    page.set_viewport_size({"width": 560, "height": 900})
    try:
        _open(browsing, site.url("inverses/"))
        wide = page.evaluate(FORMULA_BOX, "inverse-shifted-congruence-trace")
        fits = page.evaluate(FORMULA_BOX, "inverse-trace-shifted")
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
    assert wide["overflow"] > 0 and fits["overflow"] <= 0
    for box in (wide, fits):
        assert box["attachment"] == "local, local, scroll, scroll" and box["gradients"] == 4


#: The cards whose shown display formula is wider than its box (it scrolls).
SCROLLING_FORMULAS = """() => [...document.querySelectorAll('div.identity mjx-container[display="true"]')]
  .filter(e => e.getClientRects().length > 0 && !e.closest('details'))
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .map(e => e.closest('.identity').dataset.identity)"""


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_no_card_formula_scrolls_on_a_desktop_screen(
    site: Site, browsing: Browsing, layout: str
) -> None:
    """Formulas too wide for a line are set on several lines, by the author (the formula as
    written) and by the engine (the formula converted to the other layout)."""
    page = browsing.page
    _open(browsing, site.url(""))
    page.evaluate(f"localStorage.setItem('matrixcheck.layout', '{layout}')")
    try:
        scrolling = {}
        for relative in _pages(site):
            _open(browsing, site.url(relative))
            found = page.evaluate(SCROLLING_FORMULAS)
            if found:
                scrolling[relative] = found
    finally:
        page.evaluate("localStorage.removeItem('matrixcheck.layout')")
    assert scrolling == {}


#: A page with many collapsed proofs.
PROOFS_PAGE = "traces/"
#: An init script: when the page's displayed formulas are typeset, before the background pass
#: has typeset any hidden one (this callback is the first one queued on the promise), counts the
#: untypeset displayed and hidden formulas, runs REVEAL (a function body given ``document``) and,
#: once every formula it returns is typeset, resolves ``window.mcRevealed`` with the counts, the
#: number of those formulas untypeset right after REVEAL and of hidden ones untypeset at the end.
REVEAL_AFTER_VISIBLE = """(() => {
  let api;
  Object.defineProperty(window, 'matrixcheckTypeset', {configurable: true, get: () => api,
    set: (value) => { api = value; window.mcRevealed = value.visible.then(atVisible); }});
  const typeset = e => !!e.querySelector(':scope > mjx-container');
  const count = (shown) => [...document.querySelectorAll('.arithmatex')]
    .filter(e => e.checkVisibility() === shown && !typeset(e)).length;
  function atVisible() {
    const before = {displayed: count(true), hidden: count(false)};
    const revealed = (function (document) { REVEAL })(document);
    const untypeset = revealed.filter(e => !typeset(e)).length;
    const give_up = performance.now() + 20000;
    return new Promise((resolve, reject) => {
      const check = () => revealed.every(typeset)
        ? resolve({before, revealed: revealed.length, untypeset, hiddenLeft: count(false)})
        : performance.now() > give_up ? reject(new Error('revealed math left untypeset'))
        : setTimeout(check, 5);
      check();
    });
  }
})();"""
#: What is left untypeset, typeset twice (output nested in output) or in error, and how many
#: formulas there are.
COUNTS = """() => ({
  untypeset: [...document.querySelectorAll('.arithmatex')]
    .filter(e => !e.querySelector(':scope > mjx-container')).length,
  nested: document.querySelectorAll('mjx-container mjx-container').length,
  errors: document.querySelectorAll('mjx-merror').length,
  formulas: document.querySelectorAll('.arithmatex').length,
})"""
#: COUNTS once every formula of the current page is typeset.
AFTER_ALL = f"() => matrixcheckTypeset.all.then({COUNTS})"


#: An init script that holds the background pass: a MessageChannel that delivers nothing.
HELD_BACKGROUND = """window.MessageChannel = class {
  constructor() { this.port1 = {}; this.port2 = {postMessage() {}}; }
};
"""


def _reveal_after_visible(
    browsing: Browsing, url: str, reveal: str, background: bool = False
) -> tuple[dict, dict]:
    """``window.mcRevealed`` (see REVEAL_AFTER_VISIBLE) on a fresh tab at ``url``, then COUNTS.

    Unless ``background``, the background pass never runs (its steps are posted on a
    MessageChannel whose messages are never delivered), so that whatever is typeset after the
    displayed formulas was typeset by what ``reveal`` did.
    With it, COUNTS is taken once every formula is typeset.
    """
    tab = browsing.page.context.new_page()
    try:
        held = "" if background else HELD_BACKGROUND
        tab.add_init_script(held + REVEAL_AFTER_VISIBLE.replace("REVEAL", reveal))
        tab.goto(url)
        found = tab.evaluate("() => window.mcRevealed")
        if background:
            tab.evaluate("() => matrixcheckTypeset.all")
        return found, tab.evaluate(COUNTS)
    finally:
        tab.close()


def test_displayed_formulas_first_then_every_hidden_one(site: Site, browsing: Browsing) -> None:
    found, after = _reveal_after_visible(browsing, site.url(PROOFS_PAGE), "return [];", True)
    assert found["before"]["displayed"] == 0
    assert found["before"]["hidden"] > 0  # the hidden ones wait for the background pass
    assert after["formulas"] > 100
    assert (after["untypeset"], after["nested"], after["errors"]) == (0, 0, 0)


def test_opening_a_collapsed_proof_typesets_its_math_at_once(
    site: Site, browsing: Browsing
) -> None:
    reveal = """const proofs = [...document.querySelectorAll('details:not([open])')]
                  .filter(d => d.querySelector('.arithmatex'));
                const proof = proofs[proofs.length - 1];
                proof.querySelector('summary').click();
                return [...proof.querySelectorAll('.arithmatex')];"""
    found, after = _reveal_after_visible(browsing, site.url(PROOFS_PAGE), reveal)
    assert found["revealed"] > 0 and found["untypeset"] == found["revealed"]
    assert found["hiddenLeft"] > 0  # the other proofs, left to the (held) background pass
    assert (after["nested"], after["errors"]) == (0, 0)


def test_switching_layout_typesets_the_converted_formulas_at_once(
    site: Site, browsing: Browsing
) -> None:
    _open(browsing, site.url(NUMERATOR_PAGE))
    _choose_layout(browsing, "as-written")
    reveal = """const select = document.getElementById('mc-layout-select');
                select.value = 'denominator';
                select.dispatchEvent(new Event('change'));
                return [...document.querySelectorAll(
                  '.identity[data-written-layout="numerator"] .mc-converted .arithmatex')];"""
    try:
        found, after = _reveal_after_visible(browsing, site.url(NUMERATOR_PAGE), reveal)
    finally:
        _choose_layout(browsing, "as-written")
    assert found["revealed"] > 0 and found["untypeset"] == found["revealed"]
    assert found["hiddenLeft"] > 0  # the proofs, left to the (held) background pass
    assert (after["nested"], after["errors"]) == (0, 0)


def test_instant_navigation_typesets_the_new_page(site: Site, browsing: Browsing) -> None:
    page = browsing.page
    _open(browsing, site.url(NUMERATOR_PAGE))
    start = page.evaluate("() => performance.getEntriesByType('navigation')[0].name")
    page.evaluate("() => { window.mcPreviousTypeset = window.matrixcheckTypeset; }")
    page.evaluate(
        f"() => document.querySelector(\"a.md-nav__link[href$='{PROOFS_PAGE}']\").click()"
    )
    page.wait_for_url(f"**/{PROOFS_PAGE}")
    page.wait_for_function("() => window.matrixcheckTypeset !== window.mcPreviousTypeset")
    assert page.evaluate("() => performance.getEntriesByType('navigation')[0].name") == start
    after = page.evaluate(AFTER_ALL)
    assert after["formulas"] > 100
    assert (after["untypeset"], after["nested"], after["errors"]) == (0, 0, 0)


def test_printing_typesets_every_formula_first(site: Site, browsing: Browsing) -> None:
    reveal = """window.dispatchEvent(new Event('beforeprint'));
                const math = [...document.querySelectorAll('.arithmatex')];
                const missed = math.filter(e => !e.querySelector(':scope > mjx-container'));
                window.dispatchEvent(new Event('afterprint'));
                if (missed.length) { throw new Error(missed.length + ' left for printing'); }
                return math;"""
    found, after = _reveal_after_visible(browsing, site.url(PROOFS_PAGE), reveal)
    assert found["before"]["hidden"] > 0 and found["hiddenLeft"] == 0
    assert (after["untypeset"], after["nested"], after["errors"]) == (0, 0, 0)


#: The display formulas wider than their box, and their font sizes, once a frame has been drawn.
OVERFLOWING_FORMULAS = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
  const boxes = [...document.querySelectorAll('mjx-container[display="true"]')];
  done({wider: boxes.filter(b => b.scrollWidth > b.clientWidth + 1).length,
        sizes: boxes.map(b => b.style.fontSize).join()});
})))"""


def test_printed_formulas_are_scaled_to_the_page_and_restored_after(
    site: Site, browsing: Browsing
) -> None:
    page = browsing.page
    page.set_viewport_size({"width": 794, "height": 1123})  # an A4 page at 96 dpi
    try:
        _open(browsing, site.url("print/"))
        page.evaluate("window.matrixcheckTypeset.all")
        screen = page.evaluate(OVERFLOWING_FORMULAS)
        page.emulate_media(media="print")
        page.wait_for_function("window.matchMedia('print').matches")
        printed = page.evaluate(OVERFLOWING_FORMULAS)
        page.emulate_media(media="screen")
        page.wait_for_function("!window.matchMedia('print').matches")
        restored = page.evaluate(OVERFLOWING_FORMULAS)
    finally:
        page.emulate_media(media=None)
        page.set_viewport_size({"width": 1280, "height": 900})
    assert screen["wider"] > 0  # on screen, they scroll inside the card
    assert printed["wider"] == 0
    assert restored == screen
