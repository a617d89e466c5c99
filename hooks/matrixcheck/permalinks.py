"""Stable addresses of identities: ``id/<id>/``, a page that sends the reader on to the identity
wherever it is now.

Why: an identity's direct address is its page and its id (``seed/#inverse-bilinear``), which
breaks when the identity moves to another page. Instructors link to single identities from their
course pages, so every identity also has an address that never moves: a small static page that
redirects to the direct address (a ``<meta>`` refresh, which needs no script). An id that no
identity has has no such page, so a link checker reports a link to a removed identity as
missing (404) instead of following it to a page without it.
"""

from __future__ import annotations

import html

#: The directory of the stable addresses, below the site's root.
DIRECTORY = "id"


def permalink(identity_id: str) -> str:
    """The stable address of an identity, relative to the site's root (a directory URL)."""
    return f"{DIRECTORY}/{identity_id}/"


def redirect_file(identity_id: str) -> str:
    """The file, relative to the site's root, that serves :func:`permalink`."""
    return f"{permalink(identity_id)}index.html"


def redirect_page(identity_id: str, title: str, url: str) -> str:
    """The page at :func:`permalink` that redirects to ``url`` (relative to the site's root,
    with the ``#id`` anchor)."""
    target = html.escape("../../" + url)
    name = html.escape(title)
    return (
        "<!doctype html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>{name}</title>\n"
        '<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        "</head>\n"
        "<body>\n"
        f'<p><a href="{target}">{name}</a> (<code>#{html.escape(identity_id)}</code>)</p>\n'
        "</body>\n"
        "</html>\n"
    )
