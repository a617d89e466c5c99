"""Stable addresses of identities, ``id/#<id>``: one page that sends the reader on to any
identity, wherever it is now.

Why: an identity's direct address is its page and its id (``seed/#inverse-bilinear``), which
breaks when the identity moves to another page. Instructors link to single identities from their
course pages, so every identity also has an address that never moves. It is one static page,
``id/index.html``, holding one list item per identity, whose HTML id is the identity's id and
whose link goes to the card; a line of script follows the link named by the address's fragment.
Without scripts the browser still scrolls to that item, one click from the card, and a link
checker that checks fragments finds a mistyped or removed id missing. One page, not one per
identity: writing a thousand small files (and their directories) cost a build about a second on
a slow file system.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

#: The page of the stable addresses, below the site's root.
PAGE = "id/index.html"
#: The script that follows the link of the item the fragment names (if there is one).
FOLLOW = (
    "(function () {\n"
    "  var id = decodeURIComponent(window.location.hash.slice(1));\n"
    "  var item = id && document.getElementById(id);\n"
    '  var link = item && item.querySelector("a");\n'
    "  if (link) {\n"
    "    window.location.replace(link.href);\n"
    "  }\n"
    "})();\n"
)


def permalink(identity_id: str) -> str:
    """The stable address of an identity, relative to the site's root."""
    return f"id/#{identity_id}"


def redirect_page(identities: Iterable[tuple[str, str, str]]) -> str:
    """The page at ``id/``: an item per ``(id, title, url)``, the URL relative to the site's root
    with its ``#id`` anchor, in the order given."""
    items = "".join(
        f'<li id="{html.escape(identity_id)}"><a href="../{html.escape(url)}">'
        f"{html.escape(title)}</a> <code>#{html.escape(identity_id)}</code></li>\n"
        for identity_id, title, url in identities
    )
    return (
        "<!doctype html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        "<title>Identities by id</title>\n"
        "</head>\n"
        "<body>\n"
        "<h1>Identities by id</h1>\n"
        "<p>The address <code>id/#&lt;id&gt;</code> leads to the identity with that id, wherever "
        'it is on the site; <a href="../">the reference</a>.</p>\n'
        f"<ul>\n{items}</ul>\n"
        f"<script>\n{FOLLOW}</script>\n"
        "</body>\n"
        "</html>\n"
    )
