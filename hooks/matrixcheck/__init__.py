"""matrixcheck: checks matrix-calculus identities written in LaTeX, independently of MkDocs.

Pipeline: :mod:`document` reads identity blocks from Markdown, :mod:`parser` turns LaTeX into a
:mod:`tree`, :mod:`shapes` infers shapes, :mod:`numeric` evaluates and differentiates, :mod:`check`
compares the sides into :mod:`results`, :mod:`project` gathers a report for a docs directory
(reading unchanged results back from :mod:`cache`), and :mod:`render` and :mod:`records` present
it as cards and JSON.

Importing the package imports nothing else: a build whose results all come from the cache never
loads NumPy or the checker.
"""

__version__ = "0.1.0"
