"""Helpers shared by the engine tests: building identities in code and reading the seed page.

Why: most engine tests state an identity (LaTeX, layout, declarations) and look at what the
checker makes of it; writing an ``IdentitySpec`` by hand each time would bury the mathematics.
The seed helpers read ``docs/seed.md`` itself, so the tests check the page as it is written.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import markdown
from matrixcheck.cache import DEFAULT_DIRECTORY
from matrixcheck.check import check_identity
from matrixcheck.document import Block
from matrixcheck.model import Display, IdentitySpec, Location
from matrixcheck.plaintext import ReadableTexts
from matrixcheck.project import read_file, read_specs
from matrixcheck.render import Correction, HtmlStash, render_block
from matrixcheck.results import IdentityResult
from mkdocs.utils.yaml import yaml_load

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
SEED_PAGE = DOCS / "seed.md"

#: The fields every record of identities.json carries (issue 2's list).
RECORD_FIELDS = (
    "id",
    "title",
    "url",
    "source",
    "latex",
    "layout",
    "assumptions",
    "status",
    "max_rel_error",
    "sizes",
    "seeds",
    "proof_steps_checked",
    "proof_steps_total",
)

#: The seven seed identities, in page order.
SEED_IDS = (
    "transpose-of-derivative",
    "inverse-of-function",
    "inverse-bilinear",
    "linear-form",
    "bilinear-form",
    "quadratic-form",
    "weighted-residual",
)


def make_spec(
    latex: str,
    layout: str,
    symbols: object,
    proof: tuple[str, ...] | list[str] = (),
    identity_id: str = "test-identity",
) -> IdentitySpec:
    """An identity as a page would declare it, located at ``test.md:1`` (steps at 10, 11, …)."""
    return IdentitySpec(
        id=identity_id,
        title="Test identity",
        layout=layout,
        symbols=symbols,
        formula=Display(latex, Location("test.md", 1)),
        location=Location("test.md", 1),
        proof=[Display(step, Location("test.md", 10 + i)) for i, step in enumerate(proof)],
    )


def check(
    latex: str,
    layout: str,
    symbols: object,
    proof: tuple[str, ...] | list[str] = (),
    identity_id: str = "test-identity",
) -> IdentityResult:
    """Check an identity built with :func:`make_spec`."""
    return check_identity(make_spec(latex, layout, symbols, proof, identity_id))


def author_error(latex: str, layout: str, symbols: object) -> str:
    """The message of an identity that must be an author error, which must say how to fix it."""
    result = check(latex, layout, symbols)
    assert result.status == "error", result.message
    assert "(fix: " in result.message, result.message
    return result.message


@functools.lru_cache(maxsize=1)
def seed_blocks() -> dict[str, Block]:
    """The identity blocks of ``docs/seed.md``, read as the build reads them, keyed by id."""
    page = read_file(SEED_PAGE, "seed.md")
    assert not page.problems, page.problems
    return {block.spec.id: block for block in page.blocks}


@functools.cache
def seed_result(identity_id: str) -> IdentityResult:
    """The check of a seed identity exactly as the page states it (computed once per session)."""
    return check_identity(seed_blocks()[identity_id].spec)


def seed_spec(identity_id: str, **changes: object) -> IdentitySpec:
    """A seed identity's spec, optionally with fields replaced (formula LaTeX via ``latex``)."""
    spec = seed_blocks()[identity_id].spec
    latex = changes.pop("latex", None)
    if latex is not None:
        changes["formula"] = dataclasses.replace(spec.formula, latex=latex)
    return dataclasses.replace(spec, **changes)


def header_line(text: str, identity_id: str) -> int:
    """The 1-based line of the ``/// identity`` header of the block whose options hold the id."""
    lines = text.split("\n")
    option = re.compile(rf"^\s+id:\s*{re.escape(identity_id)}\s*$")
    for index, line in enumerate(lines):
        if option.match(line):
            for header in range(index, -1, -1):
                if lines[header].startswith("/// identity"):
                    return header + 1
    raise AssertionError(f"no identity block with id {identity_id}")


def formula_line(text: str, identity_id: str) -> int:
    """The 1-based line of the ``$$`` that opens the formula of the block with this id."""
    lines = text.split("\n")
    for index in range(header_line(text, identity_id), len(lines)):
        if lines[index].strip().startswith("$$"):
            return index + 1
    raise AssertionError(f"no formula in the identity block with id {identity_id}")


@functools.cache
def docs_specs() -> dict[str, IdentitySpec]:
    """Every identity of ``docs/``, by id."""
    return {spec.id: spec for spec in read_specs(DOCS)}


@functools.cache
def _site_extensions() -> tuple[list[str], dict[str, dict]]:
    """The Markdown extensions of ``mkdocs.yml``, with their options."""
    config = yaml_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    listed = config["markdown_extensions"]
    names = [next(iter(item)) if isinstance(item, dict) else item for item in listed]
    options = {
        next(iter(item)): next(iter(item.values())) for item in listed if isinstance(item, dict)
    }
    return names, options


def card_html(
    block: Block,
    result: IdentityResult | None,
    correction: Correction | None = None,
    proof_open: bool = False,
) -> str:
    """A card as the site shows it: rendered, converted by the site's Markdown, stash restored."""
    return card_views(block, result, correction, proof_open)[1]


def card_views(
    block: Block,
    result: IdentityResult | None,
    correction: Correction | None = None,
    proof_open: bool = False,
) -> tuple[str, str]:
    """A card as the site search parses it (before ``on_post_page``) and as the site shows it."""
    names, options = _site_extensions()
    stash = HtmlStash(block.spec.location.path)
    lines = render_block(block, result, stash, correction, proof_open)
    converter = markdown.Markdown(extensions=names, extension_configs=options)
    indexed = stash.restore(converter.convert("\n".join(lines)), ReadableTexts())
    return indexed, stash.finish(indexed)


def copy_project(target: Path) -> Path:
    """A copy of the parts of the repository that a build reads."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "docs", target / "docs", ignore=ignore)
    shutil.copytree(REPO / "hooks", target / "hooks", ignore=ignore)
    shutil.copy2(REPO / "mkdocs.yml", target / "mkdocs.yml")
    return target


def build_environment() -> dict[str, str]:
    """The build's environment; the copies share the repository's result cache, so that only the
    identity a case breaks is checked again (a cached result is reused only for an unchanged
    identity and an unchanged engine, so every case still tests the whole gate)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    env.setdefault("MATRIXCHECK_CACHE", str(REPO / DEFAULT_DIRECTORY))
    return env


class ServeSession:
    """A running ``mkdocs serve``: the log lines it has written so far, and its pages."""

    BUILT = "Documentation built in "
    SERVING = "Serving on "

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.url = ""
        self.log: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        assert process.stderr is not None
        stream = process.stderr
        threading.Thread(target=lambda: [self._lines.put(x) for x in stream], daemon=True).start()

    def _next_line(self, timeout: float) -> str:
        line = self._lines.get(timeout=timeout)
        self.log.append(line)
        if self.SERVING in line:
            self.url = line.split(self.SERVING)[1].strip()
        return line

    def next_build(self, timeout: float = 300) -> tuple[float, list[str]]:
        """Wait for the next build to end: the seconds MkDocs reports and its log lines."""
        lines = []
        while True:
            lines.append(self._next_line(timeout))
            if self.BUILT in lines[-1]:
                return float(lines[-1].split(self.BUILT)[1].split()[0]), lines

    def wait_serving(self, timeout: float = 300) -> str:
        """Wait until the server serves (and so watches the files): its URL."""
        while not self.url:
            self._next_line(timeout)
        return self.url

    def page(self, path: str) -> str:
        """The served page at ``path`` (relative to the site's root)."""
        with urllib.request.urlopen(self.wait_serving() + path, timeout=60) as response:
            return response.read().decode("utf-8")


@contextmanager
def mkdocs_serve(
    project: Path, config: str = "mkdocs.yml", cache: Path | None = None
) -> Iterator[ServeSession]:
    """``mkdocs serve`` of ``project`` on a free local port, stopped on exit; its result cache is
    the repository's unless ``cache`` names another directory."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        # Any -W option keeps MkDocs from installing its filter of repeated log messages, which
        # would drop a rebuild's "Documentation built in 0.40 seconds" seen once before.
        [
            *(sys.executable, "-W", "ignore::DeprecationWarning", "-m", "mkdocs", "serve"),
            *("-f", config, "-a", f"127.0.0.1:{port}"),
        ],
        cwd=project,
        env={**build_environment(), **({"MATRIXCHECK_CACHE": str(cache)} if cache else {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield ServeSession(process)
    finally:
        process.terminate()
        process.wait(timeout=60)
