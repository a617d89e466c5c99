"""Benchmark of the build gate (``make bench``): what checking costs next to a plain MkDocs build.

Not a test (pytest collects only ``test_*.py``): timings depend on the machine, so targets are
reported here, never asserted. For N = 50, 200 and 1000 it generates a synthetic site from the
real identities of ``docs/`` (every ``/// identity`` block, renamed ``<id>-<copy>`` so that each
copy is sampled at its own seeds, spread over pages of varied sizes, 3 to 60 identities, and the
site's two pages made from the report: the status table and the printable reference), then
times, side by side:

- ``plain``: the same pages built without the checking hook;
- ``cold``: a build with every check and an empty cache;
- ``warm``: the same build again, every result read from the cache;
- ``edit``: the build after editing one identity's formula, which re-checks only that one;
- ``serve``: what an author waits for under ``mkdocs serve``: the rebuild after each of three
  edits of one identity, as MkDocs reports it ("Documentation built in … seconds"), with and
  without the checking hook (median of the three).

Plain, cold, warm and edit are each the median of three rounds, a round being one build of each
kind right after the other (the cold one from an empty cache, the edit a new formula text): the
machine's speed drifts, and within a round it shifts all four alike.

Each is printed as seconds and as a ratio to the plain build. Then the noise floor (median and
largest relative error over all verified identities of the largest site) and the time until
MathJax has typeset the largest page in headless Chromium: every displayed formula (the target),
then every formula including the hidden ones typeset in the background, and the longest task the
main thread ran meanwhile (how long the page may not respond to input). The last lines are
``ratio NAME VALUE`` for cold_50, cold_200, cold_1000, warm_200 and edit_200.

The hook's modules are byte-compiled first (into ``hooks/**/__pycache__``), as MkDocs, Material
and every installed package are by pip: where ``PYTHONDONTWRITEBYTECODE`` is set, Python would
otherwise compile the engine from source in every build, a cost that plain builds do not pay.

Usage: ``python tests/bench.py [--sizes 50 200 1000] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import functools
import http.server
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "hooks"))
sys.path.insert(0, str(REPO / "tests"))

from matrixcheck.document import read_page, strip_front_matter
from support import mkdocs_serve

PAGE_SIZES = (3, 8, 15, 30, 60, 5, 12, 40)
#: The real site's pages made from the report (every identity's status, every card to print):
#: a checked build fills them, a plain one leaves them empty, as on the real site.
GENERATED_PAGES = ("status.md", "print.md")
CHECK_HOOK = "  - hooks/identities.py\n"
CHROMIUM = "/usr/bin/chromium"


def real_blocks() -> list[tuple[str, str]]:
    """``(id, block text)`` of every verified-identity block of ``docs/``, in page order."""
    blocks = []
    for path in sorted((REPO / "docs").glob("*.md")):
        body, _ = strip_front_matter(path.read_text(encoding="utf-8"))
        lines = body.split("\n")
        for block in read_page(body, path.name).blocks:
            if not block.spec.refuted:
                text = "\n".join(lines[block.first_line : block.last_line + 1])
                blocks.append((block.spec.id, text))
    return blocks


def renamed(identity_id: str, text: str, copy: int) -> str:
    """The block with its id (and only its id option) renamed for copy ``copy``."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.strip() == f"id: {identity_id}":
            lines[index] = line.replace(identity_id, f"{identity_id}-{copy}")
            return "\n".join(lines)
    raise ValueError(f"no 'id: {identity_id}' line in the block")


def generate(target: Path, count: int, blocks: list[tuple[str, str]]) -> list[str]:
    """A project with ``count`` identities; returns the page names, largest first."""
    docs = target / "docs"
    shutil.copytree(REPO / "docs" / "assets", docs / "assets")
    (target / "hooks").symlink_to(REPO / "hooks")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config = config[: config.index("nav:")] + config[config.index("theme:") :]
    config = config.replace("validation:", "not_in_nav: |\n  /*.md\nvalidation:")
    (target / "mkdocs.yml").write_text(config, encoding="utf-8")
    (target / "mkdocs-plain.yml").write_text(config.replace(CHECK_HOOK, ""), encoding="utf-8")
    pages: dict[str, list[str]] = {}
    made = 0
    while made < count:
        size = min(PAGE_SIZES[len(pages) % len(PAGE_SIZES)], count - made)
        name = f"page-{len(pages):03d}.md"
        pages[name] = []
        for index in range(made, made + size):
            identity_id, text = blocks[index % len(blocks)]
            pages[name].append(renamed(identity_id, text, index // len(blocks)))
        made += size
    (docs / "index.md").write_text("# Benchmark\n", encoding="utf-8")
    for name in GENERATED_PAGES:
        shutil.copy2(REPO / "docs" / name, docs / name)
    for name, texts in pages.items():
        body = f"# {name}\n\n" + "\n\n".join(texts) + "\n"
        (docs / name).write_text(body, encoding="utf-8")
    return sorted(pages, key=lambda name: -len(pages[name]))


def build(project: Path, config: str, site: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (its processes together) of one ``mkdocs build``.

    A failed build stops the benchmark. CPU time is printed too because on a shared machine the
    wall clock also measures the other users' load.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", config, "-d", str(site)],
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        sys.exit(f"mkdocs build failed in {project}:\n{completed.stderr[-3000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu


def edit_formula(path: Path) -> None:
    """Put one more thin space (``\\,``, which the checker reads as nothing) at the start of the
    formula of the first identity on the page at ``path``: the formula's text changes, so the
    identity misses the cache and is checked again (a new title would not: the check does not
    read it)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("/// identity |"))
    opening = next(i for i in range(first, len(lines)) if lines[i].strip() == "$$")
    lines[opening + 1] = "\\, " + lines[opening + 1]
    path.write_text("\n".join(lines), encoding="utf-8")


def serve_rebuilds(project: Path, config: str, page: str, edits: int = 3) -> float:
    """Median seconds of the rebuilds ``mkdocs serve`` reports after ``edits`` edits of ``page``."""
    with mkdocs_serve(project, config) as server:
        server.next_build()
        server.wait_serving()
        seconds = []
        for _ in range(edits):
            time.sleep(0.5)
            edit_formula(project / "docs" / page)
            seconds.append(server.next_build()[0])
        return statistics.median(seconds)


def measure(project: Path, pages: list[str]) -> dict[str, tuple[float, float]]:
    """``(wall, CPU)`` seconds per kind of build, each the median of three rounds.

    A round builds plain, cold (from an empty cache), warm and after an edit, one right after
    the other, so that a drift of the machine's speed between rounds shifts all four alike.
    """
    site = project / "site"
    runs: dict[str, list[tuple[float, float]]] = {"plain": [], "cold": [], "warm": [], "edit": []}
    for _ in range(3):
        runs["plain"].append(build(project, "mkdocs-plain.yml", site))
        shutil.rmtree(project / ".cache", ignore_errors=True)
        runs["cold"].append(build(project, "mkdocs.yml", site))
        runs["warm"].append(build(project, "mkdocs.yml", site))
        edit_formula(project / "docs" / pages[-1])
        runs["edit"].append(build(project, "mkdocs.yml", site))
    figures = {
        kind: (
            statistics.median(r[0] for r in kind_runs),
            statistics.median(r[1] for r in kind_runs),
        )
        for kind, kind_runs in runs.items()
    }
    figures["serve-plain"] = (serve_rebuilds(project, "mkdocs-plain.yml", pages[-1]), 0.0)
    figures["serve"] = (serve_rebuilds(project, "mkdocs.yml", pages[-1]), 0.0)
    return figures


def noise(site: Path) -> tuple[float, float]:
    """Median and largest relative error of the verified identities in ``identities.json``."""
    records = json.loads((site / "identities.json").read_text(encoding="utf-8"))["identities"]
    errors = [r["max_rel_error"] for r in records if r["status"] == "verified"]
    return statistics.median(errors), max(errors)


@contextlib.contextmanager
def served(directory: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


#: The time since navigation start at which every displayed formula of the page was typeset
#: (the page records it: the load event, which the benchmark waits for, often comes later), and
#: the displayed formulas untypeset then (none, unless the signal is wrong).
DISPLAYED_TYPESET = """() => matrixcheckTypeset.visible.then((milliseconds) => [milliseconds,
  [...document.querySelectorAll('.arithmatex')]
    .filter(e => e.checkVisibility() && !e.querySelector(':scope > mjx-container')).length])"""
#: The same once every formula, hidden ones included, is typeset.
ALL_TYPESET = """() => matrixcheckTypeset.all.then((milliseconds) => [milliseconds,
  [...document.querySelectorAll('.arithmatex')]
    .filter(e => !e.querySelector(':scope > mjx-container')).length])"""
#: An init script that records the main thread's long tasks (over 50 ms) as [start, duration].
RECORD_LONG_TASKS = """window.mcLongTasks = [];
new PerformanceObserver((list) => list.getEntries().forEach(
  (task) => window.mcLongTasks.push([task.startTime, task.duration])
)).observe({type: 'longtask', buffered: true});"""
#: The longest of them that started between two times (milliseconds; 0 if none did).
LONGEST_TASK = """([start, end]) => Math.max(0,
  ...window.mcLongTasks.filter(([at]) => at >= start && at < end).map(([, length]) => length))"""


def typeset_seconds(site: Path, page: str) -> tuple[float, float, float]:
    """Seconds from navigation start until MathJax has typeset ``page``: every displayed formula
    (the reader's wait; hidden ones, in collapsed proofs or in the layout not chosen, are typeset
    afterwards in the background), then every formula; and the longest main-thread task (in
    seconds) that started in between, while the page is shown and the background pass runs.
    Medians of three loads."""
    from playwright.sync_api import sync_playwright

    with served(site) as root, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            context = browser.new_context()
            context.add_init_script(RECORD_LONG_TASKS)
            tab = context.new_page()
            times = []
            for _ in range(3):
                tab.goto(f"{root}{page.removesuffix('.md')}/", wait_until="load")
                displayed, pending = tab.evaluate(DISPLAYED_TYPESET)
                if pending:
                    sys.exit(f"{pending} displayed formula(s) on {page} were not typeset")
                everything, pending = tab.evaluate(ALL_TYPESET)
                if pending:
                    sys.exit(f"{pending} formula(s) on {page} were not typeset")
                tab.wait_for_timeout(100)  # the observer reports a task after it ends
                longest = tab.evaluate(LONGEST_TASK, [displayed, everything])
                times.append((displayed / 1000, everything / 1000, longest / 1000))
            return (
                statistics.median(t[0] for t in times),
                statistics.median(t[1] for t in times),
                statistics.median(t[2] for t in times),
            )
        finally:
            browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--keep", type=Path, help="generate the sites here and keep them")
    arguments = parser.parse_args()
    blocks = real_blocks()
    compileall.compile_dir(REPO / "hooks", quiet=1)
    root = arguments.keep or Path(tempfile.mkdtemp(prefix="matrixcheck-bench-"))
    figures: dict[int, dict[str, tuple[float, float]]] = {}
    largest: tuple[Path, str] | None = None
    print(f"{len(blocks)} real identities; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}")
    print("wall-clock seconds, ratio to plain in brackets; then CPU seconds of all processes")
    print(
        f"{'N':>5} {'plain':>6} {'cold':>14} {'warm':>14} {'edit':>14} {'edit-plain':>10}"
        f" | cpu {'plain':>6} {'cold':>6} {'warm':>6} {'edit':>6}"
        f" | serve {'plain':>6} {'edit':>6} {'added':>6}"
    )
    try:
        for count in arguments.sizes:
            project = root / f"site-{count}"
            shutil.rmtree(project, ignore_errors=True)
            project.mkdir(parents=True)
            pages = generate(project, count, blocks)
            f = figures[count] = measure(project, pages)
            plain = f["plain"][0]
            walls = " ".join(
                f"{f[k][0]:>6.2f} ({f[k][0] / plain:>4.2f})" for k in ("cold", "warm", "edit")
            )
            cpus = " ".join(f"{f[k][1]:>6.2f}" for k in ("plain", "cold", "warm", "edit"))
            served, served_plain = f["serve"][0], f["serve-plain"][0]
            serve = f"{served_plain:>6.2f} {served:>6.2f} {served - served_plain:>6.2f}"
            print(
                f"{count:>5} {plain:>6.2f} {walls} {f['edit'][0] - plain:>10.2f} | cpu {cpus}"
                f" | serve {serve}",
                flush=True,
            )
            largest = (project / "site", pages[0])
        assert largest is not None
        median, worst = noise(largest[0])
        print(f"noise floor over verified identities: median {median:.2e}, largest {worst:.2e}")
        displayed, everything, longest = typeset_seconds(*largest)
        print(
            f"largest page ({largest[1]}) typeset in Chromium: displayed formulas {displayed:.2f} s,"
            f" all formulas (hidden ones in the background) {everything:.2f} s,"
            f" longest main-thread task meanwhile {longest * 1000:.0f} ms"
        )
    finally:
        if arguments.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    for name, count, kind in (
        ("cold_50", 50, "cold"),
        ("cold_200", 200, "cold"),
        ("cold_1000", 1000, "cold"),
        ("warm_200", 200, "warm"),
        ("edit_200", 200, "edit"),
    ):
        if count in figures:
            print(f"ratio {name} {figures[count][kind][0] / figures[count]['plain'][0]:.2f}")
    if 200 in figures:
        served = figures[200]["serve"][0] / figures[200]["serve-plain"][0]
        print(f"ratio serve_edit_200 {served:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
