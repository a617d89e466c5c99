"""MkDocs hook: the build gate. Checks every identity before anything is written, renders cards.

Why a hook: every formula a reader sees must be checked from the very LaTeX on the page, and a
broken one must stop the build. The checking itself lives in the ``matrixcheck`` package next to
this file (it knows nothing about MkDocs and also runs as ``python -m matrixcheck check docs``);
this file only adapts it to MkDocs' events:

- ``on_pre_build`` checks the whole docs directory. It runs before MkDocs cleans ``site/``, so a
  failing ``mkdocs build`` exits non-zero with one line per problem (page:line, id, evidence) and
  leaves the previous site untouched. Under ``mkdocs serve`` it reports and carries on.
  Results of unchanged identities are read back from the on-disk cache (``.cache/matrixcheck``,
  see ``matrixcheck.cache``); only new or edited identities are checked, in parallel. The cache
  lives as long as the process: under ``serve`` (which keeps hook modules across rebuilds) a
  rebuild takes unchanged results from memory.
- ``on_nav`` notes each page's title in navigation order, for the generated pages;
- ``on_files`` adds ``identities.json`` to the site (so pages may link to it), notes the URL of
  every identity, and adds the page of the identities' stable addresses ``id/#<id>``, which sends
  the reader on to each wherever it is (``matrixcheck.permalinks``); under ``serve`` a record
  whose result, spec and URL did not change keeps its line (``matrixcheck.records.RecordLines``);
- ``on_page_markdown`` replaces each ``/// identity`` block by its card and each
  ``<!-- identities: … -->`` marker by its generated content (status table, sample record, the whole
  reference), see ``matrixcheck.page_render``; under ``serve`` a failing identity shows as a red
  box on its page, and a page none of whose text, results or generated content changed keeps
  its last rendering. The cards' own HTML is kept out of Markdown in the page's stash
  (``matrixcheck.render.HtmlStash``);
- ``on_page_content`` notes each card as its page shows it, for the printable page, and
  puts that HTML back into the converted page, except the markup the site
  search excludes anyway (badges, buttons, evidence, converted formulas, step marks), which
  ``on_post_page`` puts into the finished page (with the cards on the printable page, whose
  page titles alone went through Markdown): the search, which indexes the content in between,
  then parses a fraction of each card. Until then each formula of a page the search indexes (not
  one whose front matter says ``search: exclude``) stands as its readable text, which is what
  search results show (``matrixcheck.plaintext``; a build starts from the texts the last one
  used, in memory under ``serve``, else from the cache directory);
- ``on_post_build`` stores those texts in the cache directory when they changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from matrixcheck.cache import ResultCache
from matrixcheck.page_render import RenderedPages
from matrixcheck.pages import PrintedCards
from matrixcheck.permalinks import PAGE, redirect_page
from matrixcheck.plaintext import ReadableTexts
from matrixcheck.project import Report, check_docs
from matrixcheck.records import RecordLines, identities_json
from matrixcheck.render import HtmlStash, ShownCard
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

log = get_plugin_logger("identities")


DATA_FILE = "identities.json"


class _State:
    """What the hook knows: whether we serve, the result cache, the pages as last rendered, the
    lines of ``identities.json`` and the cards of the printable page (all for the whole
    process); for the current build, the report, each identity's URL, page titles, the HTML
    stash of each page from its Markdown event to its finished HTML, each card as its page shows
    it (for the printable page), and the readable texts of its formulas."""

    serving = False
    cache: ResultCache | None = None
    pages = RenderedPages()
    records = RecordLines()
    printed = PrintedCards()
    report: Report | None = None
    urls: ClassVar[dict[str, str]] = {}
    titles: ClassVar[dict[str, str]] = {}
    stashes: ClassVar[dict[str, HtmlStash]] = {}
    cards: ClassVar[dict[str, tuple[str, ShownCard]]] = {}
    texts = ReadableTexts()


def on_startup(command: str, dirty: bool) -> None:
    _State.serving = command == "serve"
    _State.cache = None
    _State.pages = RenderedPages()
    _State.records = RecordLines()
    _State.printed = PrintedCards()
    _State.texts = ReadableTexts()


def on_pre_build(config: MkDocsConfig) -> None:
    docs_dir = Path(config.docs_dir)
    project_dir = Path(config.config_file_path).parent
    if _State.cache is None:
        _State.cache = ResultCache.configured(project_dir)
    known = _State.texts.used or (_State.cache.load_texts() if _State.cache else {})
    _State.texts = ReadableTexts(known)
    report = check_docs(docs_dir, _label(docs_dir, project_dir), _State.cache)
    _State.report, _State.urls, _State.titles, _State.stashes = report, {}, {}, {}
    _State.cards = {}
    _State.pages.retain({page.path for page in report.pages})
    for note in report.notes:
        log.info(note)
    messages = report.messages()
    for message in messages:
        log.error(message)
    if messages and not _State.serving:
        raise PluginError(
            f"{len(messages)} identity problem(s); nothing was built. {report.summary()}"
        )
    log.info(f"{report.summary()} ({report.cache_summary()})")


def _label(docs_dir: Path, project_dir: Path) -> str:
    try:
        return docs_dir.relative_to(project_dir).as_posix()
    except ValueError:
        return docs_dir.as_posix()


def on_files(files: Files, config: MkDocsConfig) -> Files:
    report = _State.report
    if report is None:
        return files
    for result in report.results:
        page = files.get_file_from_path(result.spec.location.path)
        if page is not None:
            _State.urls[result.spec.id] = f"{page.url}#{result.spec.id}"
    data = identities_json(report, _State.urls, _State.records)
    files.append(File.generated(config, DATA_FILE, content=data))
    addresses = [
        (r.spec.id, r.spec.title, _State.urls[r.spec.id])
        for r in report.results
        if r.spec.id in _State.urls
    ]
    files.append(File.generated(config, PAGE, content=redirect_page(addresses)))
    return files


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    _State.titles = {page.file.src_uri: page.title or page.file.src_uri for page in nav.pages}
    return nav


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    report = _State.report
    if report is None:
        return markdown
    src = page.file.src_uri
    rendered = _State.pages.render(markdown, src, report, _State.titles, _State.urls, page.url)
    for problem in rendered.problems:
        log.error(f"{report.label}/{problem.location}: {problem.message}")
    if rendered.problems and not _State.serving:
        count = len(rendered.problems)
        raise PluginError(f"{count} marker problem(s) on {src}; nothing was built")
    _State.stashes[src] = rendered.stash
    return rendered.markdown


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    stash = _State.stashes.get(page.file.src_uri)
    if stash is None:
        return html
    for identity_id, shown in stash.shown_cards(html).items():
        _State.cards[identity_id] = (page.url, shown)
    searched = not (page.meta.get("search") or {}).get("exclude")
    return stash.restore(html, _State.texts if searched else None)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    stash = _State.stashes.pop(page.file.src_uri, None)
    if stash is None:
        return output
    return _State.printed.page(stash.finish(output), _State.cards, page.url)


def on_post_build(config: MkDocsConfig) -> None:
    if _State.cache is not None and _State.texts.changed:
        _State.cache.store_texts(_State.texts.used)
