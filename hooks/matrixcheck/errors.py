"""Author-facing errors: what is wrong, where, and how to fix it.

Every problem the engine finds in a page (malformed LaTeX, an undeclared symbol, a shape mismatch,
a bad declaration) is raised as an :class:`AuthorError`. Callers turn it into a one-line report
``page:line: [id] message (hint)``; no traceback ever reaches an author.
"""

from __future__ import annotations


class AuthorError(Exception):
    """A problem in an author's page, with an optional hint on how to fix it.

    ``column`` is a character offset into the LaTeX source when the error comes from the parser.
    """

    def __init__(self, message: str, hint: str = "", column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.column = column

    def describe(self) -> str:
        """The message and the hint as one sentence-like line."""
        text = self.message
        if self.hint:
            text += f" (fix: {self.hint})"
        return text
