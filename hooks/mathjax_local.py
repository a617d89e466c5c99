"""MkDocs hook: serve MathJax from the built site itself.

Why: pages must load nothing from third-party hosts (no CDN, no web fonts), and `make site`
should need only Python. The PyPI wheel `django-static-mathjax` ships MathJax 3.2.2's es5 build
(and needs no Django). In `on_files` this hook adds the subset the pages use to MkDocs' file list
as generated files under `assets/mathjax/`, so `mkdocs build` copies them into the site and
`mkdocs serve` serves them, without writing anything into docs/.

Not named `mathjax.py`, which would shadow the wheel's `mathjax` package under `PYTHONPATH=hooks`.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

DISTRIBUTION = "django-static-mathjax"
ES5_IN_DISTRIBUTION = "mathjax/static/mathjax/es5"
DEST_DIR = "assets/mathjax"
# The combined component, the TeX extensions it may autoload, and the CHTML web fonts. Left out:
# the SVG output, the other combined components, and the speech/explorer accessibility modules.
SUBSET = ("tex-mml-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2")


def es5_dir() -> Path:
    """Return the directory of MathJax's es5 build inside the installed wheel."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        message = f"{DISTRIBUTION} is not installed: pip install -r requirements.txt"
        raise PluginError(message) from exc
    root = Path(str(dist.locate_file(ES5_IN_DISTRIBUTION)))
    if not (root / SUBSET[0]).is_file():
        raise PluginError(f"MathJax's {SUBSET[0]} is missing under {root}")
    return root


def subset_files(root: Path) -> Iterator[Path]:
    """Yield the files of SUBSET, relative to root, in a stable order."""
    for entry in SUBSET:
        path = root / entry
        if path.is_dir():
            yield from sorted(p.relative_to(root) for p in path.rglob("*") if p.is_file())
        else:
            yield Path(entry)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add MathJax's files to the site as generated files under DEST_DIR."""
    root = es5_dir()
    for rel in subset_files(root):
        uri = f"{DEST_DIR}/{rel.as_posix()}"
        files.append(File.generated(config, uri, abs_src_path=str(root / rel)))
    return files
