"""The built site loads nothing from third-party hosts and serves MathJax itself.

Why: readers may be offline or behind strict policies, and a CDN or font request would leak
their visits. These tests inspect one strict build (the `built_site` fixture): every resource that
a page, a stylesheet or a script loads must be local, MathJax and its fonts must be in the site,
and the MathJax configuration must limit MathJax to arithmatex output, report undefined macros,
typeset a page's displayed formulas before its hidden ones, and after Material's instant
navigation drop the previous page's state before typesetting the new one.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from matrixcheck import permalinks

MATHJAX = "assets/mathjax/tex-mml-chtml.js"
MATHJAX_CONFIG = "assets/javascripts/mathjax-config.js"
FONT_DIR = "assets/mathjax/output/chtml/fonts/woff-v2"

# Attributes through which an element makes the browser fetch something.
LOADING_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}
# <link> relations that fetch (or connect to) their href; canonical, next, prev... do not.
LOADING_RELS = {
    "stylesheet",
    "preload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "modulepreload",
    "icon",
    "apple-touch-icon",
    "manifest",
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")
# A string literal starting with http(s):// or with //host.tld (protocol-relative).
JS_ABSOLUTE_URL = re.compile(r"""["'`]((?:https?:)?//[^"'`\s]+)""")
JS_URL_START = re.compile(r"https?://|//(?:[\w-]+\.)+[a-z]{2,}\b", re.IGNORECASE)
# Absolute URLs that bundled scripts contain but only request under conditions this site never
# meets; test_conditional_loads_stay_off checks the conditions that depend on the site.
INERT_JS_URLS = {
    "http://www.w3.org/": "XML namespace names, never fetched",
    "https://www.mathjax.org": "link in MathJax's About dialog",
    "https://unpkg.com/mermaid@": "Material loads Mermaid only for pages with a mermaid diagram",
    "https://unpkg.com/resize-observer-polyfill": "Material polyfill, only without ResizeObserver",
    "https://api.github.com/": "Material repository facts, only with repo_url",
    "https://${e}/api/v4/projects/": "Material repository facts (GitLab), only with repo_url",
    "https://cdn.jsdelivr.net/npm/speech-rule-engine@": (
        "speech-rule-engine default; MathJax loads its maps from [mathjax]/sre, and only for the "
        "speech explorer, which is not shipped"
    ),
    "https://cdn.jsdelivr.net/npm/sre-mathmaps-ie@": "speech-rule-engine, IE only",
    "https://cdn.jsdelivr.net/npm/wicked-good-xpath@": "speech-rule-engine, IE only",
}


class _LoadedUrls(HTMLParser):
    """Collects the URLs an HTML page loads, the text of its inline scripts and style blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_js: list[str] = []
        self.inline_css: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in LOADING_ATTRS.get(tag, ()):
            if name == "srcset":
                candidates = values.get(name, "").split(",")
                self.urls += [part.split()[0] for part in candidates if part.strip()]
            elif values.get(name):
                self.urls.append(values[name])
        if tag == "link" and LOADING_RELS & set(values.get("rel", "").lower().split()):
            self.urls.append(values.get("href", ""))
        if "style" in values:
            self.inline_css.append(values["style"])
        self._open = tag if tag in ("script", "style") and "src" not in values else None

    def handle_data(self, data: str) -> None:
        if self._open == "script":
            self.inline_js.append(data)
        elif self._open == "style":
            self.inline_css.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def is_third_party(url: str) -> bool:
    """True for a URL that names a host (http, https or protocol-relative)."""
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") or (not parts.scheme and bool(parts.netloc))


def css_urls(css: str) -> list[str]:
    return [a or b for a, b in CSS_URL.findall(css)]


def uninert_js_urls(js: str) -> list[str]:
    urls = [u for u in JS_ABSOLUTE_URL.findall(js) if JS_URL_START.match(u)]
    return [u for u in urls if not u.startswith(tuple(INERT_JS_URLS))]


def parse(page: Path) -> _LoadedUrls:
    parser = _LoadedUrls()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def pages(site: Path) -> list[Path]:
    found = sorted(site.rglob("*.html"))
    assert found, f"no HTML in {site}"
    return found


def site_root_path(site: Path) -> str:
    """The URL path of the site root (from site_url), which 404.html uses for its links."""
    html = (site / "index.html").read_text(encoding="utf-8")
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html)
    assert canonical, "index.html has no canonical link: is site_url set?"
    return urlsplit(canonical.group(1)).path


def test_pages_load_only_local_resources(built_site: Path) -> None:
    offending = []
    for page in pages(built_site):
        parsed = parse(page)
        urls = parsed.urls + [u for css in parsed.inline_css for u in css_urls(css)]
        offending += [(page.name, u) for u in urls if is_third_party(u)]
        offending += [(page.name, u) for js in parsed.inline_js for u in uninert_js_urls(js)]
    assert not offending


def test_local_resources_of_pages_exist(built_site: Path) -> None:
    root = site_root_path(built_site)
    missing = []
    for page in pages(built_site):
        base = root + page.relative_to(built_site).as_posix()
        for url in parse(page).urls:
            path = urlsplit(urljoin(base, url)).path
            local = not is_third_party(url) and not url.startswith("data:")
            if local and not (built_site / path.removeprefix(root)).exists():
                missing.append((base, url))
    assert not missing


def test_stylesheets_load_only_local_resources(built_site: Path) -> None:
    offending = [
        (css.name, u)
        for css in built_site.rglob("*.css")
        for u in css_urls(css.read_text(encoding="utf-8"))
        if is_third_party(u)
    ]
    assert not offending


def test_scripts_name_no_third_party_url(built_site: Path) -> None:
    offending = [
        (js.relative_to(built_site).as_posix(), u)
        for js in built_site.rglob("*.js")
        for u in uninert_js_urls(js.read_text(encoding="utf-8"))
    ]
    assert not offending


def test_conditional_loads_stay_off(built_site: Path) -> None:
    for page in pages(built_site):
        html = page.read_text(encoding="utf-8")
        assert 'class="mermaid"' not in html, f"{page}: Mermaid would load from a CDN"
        assert 'class="md-source"' not in html, f"{page}: repo_url makes Material call an API"


def test_pages_load_mathjax_config_then_mathjax(built_site: Path) -> None:
    """Every page of the theme; the page of the stable addresses only sends the reader on."""
    for page in pages(built_site):
        if page.relative_to(built_site).as_posix() == permalinks.PAGE:
            continue
        scripts = [u for u in parse(page).urls if u.endswith(".js")]
        names = [urlsplit(u).path.rsplit("/", 1)[-1] for u in scripts]
        assert "mathjax-config.js" in names, page
        assert "tex-mml-chtml.js" in names, page
        assert names.index("mathjax-config.js") < names.index("tex-mml-chtml.js"), page


def test_mathjax_and_its_fonts_are_in_the_site(built_site: Path) -> None:
    mathjax = (built_site / MATHJAX).read_text(encoding="utf-8")
    assert 'resolvePath("output/chtml/fonts/woff-v2"' in mathjax
    fonts = set(re.findall(r"MathJax_[A-Za-z0-9-]+\.woff", mathjax))
    assert len(fonts) >= 20
    assert not [f for f in sorted(fonts) if not (built_site / FONT_DIR / f).is_file()]
    assert (built_site / "assets/mathjax/input/tex/extensions/ams.js").is_file()


NODE_HARNESS = r"""
const fs = require("fs");
const vm = require("vm");
const calls = [];
let handler = null;
// Stand-ins for the page (each holds one displayed and one hidden formula), Material and MathJax.
let formulas = [];
const document = {
  documentElement: {},
  body: { appendChild: () => {} },
  querySelector: () => null,
  querySelectorAll: () => formulas,
  createElement: () => ({
    style: {},
    getBoundingClientRect: () => ({ width: 600, height: 300 }),
    remove: () => {},
  }),
};
const sandbox = {
  document$: { subscribe: (fn) => { handler = fn; } },
  document,
  MutationObserver: class { observe() {} },
  addEventListener: () => {},
  MessageChannel: class {
    constructor() {
      this.port1 = {};
      this.port2 = { postMessage: () => setTimeout(() => this.port1.onmessage(), 0) };
    }
  },
  getComputedStyle: () => ({ fontSize: "16px" }),
  setTimeout,
  performance,
  console,
};
sandbox.window = sandbox;
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(process.argv[2], "utf8"), sandbox);
const config = JSON.parse(JSON.stringify(sandbox.MathJax));
const ready = sandbox.MathJax.startup.ready;
const record = (name) => () => { calls.push(name); return Promise.resolve(); };
sandbox.MathJax = {
  _: { core: { MathItem: { STATE: { METRICS: 110 } } } },
  config: { chtml: {} },
  startup: {
    defaultReady: record("defaultReady"),
    promise: Promise.resolve(),
    document: {},
    output: { clearCache: record("clearCache"), getMetrics: record("getMetrics") },
  },
  typesetClear: record("typesetClear"),
  texReset: record("texReset"),
  typesetPromise: (list) => {
    calls.push("typeset " + list.map((e) => e.name).join(" "));
    return Promise.resolve();
  },
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
(async () => {
  ready();
  await settle();
  const scale = sandbox.MathJax.config.chtml.scale;
  const emissions = [calls.splice(0)];
  for (let i = 0; i < 3; i++) {
    formulas = ["shown", "hidden"].map((name) => ({
      name,
      textContent: "\\(x\\)",
      checkVisibility: () => name === "shown",
    }));
    handler();
    await settle();
    emissions.push(calls.splice(0));
  }
  console.log(JSON.stringify({ config, scale, emissions }));
})();
"""


@pytest.fixture(scope="module")
def mathjax_config_run(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run the built MathJax config in node with stand-ins for Material and MathJax."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    harness = tmp_path_factory.mktemp("node") / "harness.js"
    harness.write_text(NODE_HARNESS, encoding="utf-8")
    config = built_site / MATHJAX_CONFIG
    command = [node, str(harness), str(config)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_mathjax_config_typesets_only_arithmatex(mathjax_config_run: dict) -> None:
    config = mathjax_config_run["config"]
    assert config["tex"]["inlineMath"] == [["\\(", "\\)"]]
    assert config["tex"]["displayMath"] == [["\\[", "\\]"]]
    assert config["tex"]["processEscapes"] and config["tex"]["processEnvironments"]
    assert config["options"] == {"ignoreHtmlClass": ".*|", "processHtmlClass": "arithmatex"}


def test_mathjax_config_disables_noundefined(mathjax_config_run: dict) -> None:
    assert "noundefined" in mathjax_config_run["config"]["tex"]["packages"]["[-]"]


def test_mathjax_config_typesets_displayed_then_hidden_math_and_resets_on_navigation(
    mathjax_config_run: dict,
) -> None:
    assert mathjax_config_run["config"]["startup"]["typeset"] is False
    # The page font's x-height (0.5 em in the stand-in) over the TeX font's.
    assert mathjax_config_run["scale"] == pytest.approx(0.5 / 0.442)
    at_ready, first, *later = mathjax_config_run["emissions"]
    assert at_ready == ["defaultReady"]  # nothing is typeset before the page is there
    assert first == ["typeset shown", "typeset hidden"]  # the displayed formula first
    for calls in later:  # instant navigation: the previous page's state is dropped first
        assert calls == [
            "clearCache",
            "typesetClear",
            "texReset",
            "typeset shown",
            "typeset hidden",
        ]
