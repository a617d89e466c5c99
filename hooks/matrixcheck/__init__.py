"""matrixcheck: checks matrix-calculus identities written in LaTeX, independently of MkDocs.

Pipeline: :mod:`document` reads identity blocks from Markdown, :mod:`parser` turns LaTeX into a
:mod:`tree`, :mod:`shapes` infers shapes, :mod:`numeric` evaluates and differentiates, :mod:`check`
compares the sides, :mod:`project` gathers a report for a docs directory, and :mod:`render` and
:mod:`records` present it as Markdown cards and JSON.
"""

from .check import IdentityResult, check_identity
from .project import Report, check_docs

__all__ = ["IdentityResult", "Report", "check_docs", "check_identity"]
__version__ = "0.1.0"
