"""Turns an identity block into its card, as readers see it.

The card is a heading whose anchor is the identity's id (Markdown, so it enters the table of
contents), then a ``div.identity`` holding: a row of badges (layout, verification, exact) with the
id and buttons to copy a link or the LaTeX; the evidence of the checks behind the verification
badge; the formula exactly as the author wrote it and, for numerator and denominator identities,
the engine's verified conversion to the other layout (the site's layout switch shows one of the
two, see ``assets/javascripts/identities.js``); the "where …" line generated from the
declarations; any prose; and the proof in a collapsed ``details`` with each step marked checked,
unchecked (with the reason) or failed.

What the engine generates (wrappers, badges, evidence, the formula and its conversion as
arithmatex marks them up, the "where" line, the "Also in" line, step marks) never goes through
Markdown: each piece is put in an :class:`HtmlStash`, which leaves a placeholder paragraph in the
Markdown and puts the HTML back into the page after conversion. Markdown converts only the
author's prose and proof text and the few generated lines written in Markdown (a refuted
formula's counterexample, source and linked correction; the assumptions shown necessary), so a
card costs the Markdown conversion little more than the same text without a card.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from .declarations import FUNCTION_KINDS, Binding, Declaration
from .document import Block, Segment
from .model import Display, IdentitySpec
from .plaintext import ReadableTexts
from .project import Report
from .references import COOKBOOK_EDITION, References, wikipedia_url
from .results import (
    NO_DERIVATIVE,
    Assumption,
    Conversion,
    IdentityResult,
    StepResult,
    sizes_text,
)

LAYOUT_LABELS = {
    "numerator": "numerator layout",
    "denominator": "denominator layout",
    "entrywise": "entrywise",
    "differential": "differential form",
}
LAYOUT_HINTS = {
    "numerator": "∂y/∂x has the shape of y by the transpose of x (Jacobian)",
    "denominator": "∂y/∂x has the shape of x by the transpose of y (gradient)",
    "entrywise": "every ∂/∂X means ∂/∂X_ij for the same entry (i, j)",
    "differential": "dX is any direction; d(…) is the differential along it",
}
#: Layouts whose formulas read the same whichever layout the reader chose.
SAME_IN_EVERY_LAYOUT = " · same in every layout"


#: A formula as arithmatex marks it up (inline or displayed), its TeX escaped for HTML.
ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\\[(\[](?P<latex>.*?)\\[)\]]</(?P=tag)>', re.DOTALL
)


@dataclass(frozen=True)
class Correction:
    """The verified identity that replaces a refuted formula: its LaTeX and a link to it."""

    latex: str
    link: str
    title: str


def correction_for(report: Report, spec: IdentitySpec, page_path: str) -> Correction | None:
    """The correction shown beside a refuted formula, linked relative to ``page_path``."""
    target = report.result(spec.corrected) if spec.refuted else None
    if target is None:
        return None
    folder = posixpath.dirname(page_path) or "."
    link = f"{posixpath.relpath(target.spec.location.path, folder)}#{target.spec.id}"
    return Correction(target.spec.formula.latex, link, target.spec.title)


class HtmlStash:
    """HTML kept out of Markdown: a placeholder paragraph in the Markdown, the HTML after it.

    Placeholders are words of letters and digits, which no Markdown extension changes; each sits
    alone in a paragraph, so Markdown turns it into ``<p>word</p>``, which :meth:`restore`
    replaces. The words carry a hash of ``namespace`` (the page), so they do not depend on the
    build and cannot be typed by accident. HTML added after a placeholder, with nothing but empty
    lines between, joins its piece, so a run of generated HTML costs Markdown one paragraph.

    Markup the site search has no use for (badges, buttons, the evidence panel, the converted
    formula, step marks) can wait longer: :meth:`unindexed` puts an HTML comment in its place,
    which the search skips, and :meth:`finish` puts it back into the finished page, after the
    search has indexed the content. The page is the same; the search parses a fraction of it.
    The same way, :meth:`restore` leaves the search every formula of the page (the author's
    prose and the generated HTML alike) as readable text (:mod:`plaintext`): search results are
    plain text, where TeX source reads as noise.

    Under ``mkdocs serve`` a page that did not change keeps its stash from one rebuild to the
    next (:class:`~matrixcheck.page_render.RenderedPages`), and MkDocs converts its Markdown to the
    same HTML again: :meth:`restore`, :meth:`finish` and :meth:`shown_cards` then give back what
    they made last time from that very HTML, and a restore from other HTML first drops the
    formulas an earlier one added, so a long session does not pile them up.
    """

    def __init__(self, namespace: str) -> None:
        self.prefix = "mcstash" + hashlib.sha256(namespace.encode()).hexdigest()[:12] + "n"
        self.pieces: list[str] = []
        self.unindexed_pieces: list[str] = []
        self._card_pieces: int | None = None
        self._restored: _Restored | None = None
        self._finished: tuple[str, str] | None = None
        self._shown: tuple[str, dict[str, ShownCard]] | None = None
        #: The first and the last piece of each card's body (what follows its heading).
        self.cards: dict[str, tuple[int, int]] = {}
        self._sealed = -1
        self.pattern = re.compile(rf"<p>{self.prefix}(\d+)</p>|{self.prefix}(\d+)")
        self.unindexed_pattern = re.compile(
            rf"<!--{self.prefix}u(\d+)-->(?:[^<]*<!--{self.prefix}u\1e-->)?"
        )

    def add(self, lines: list[str], html_text: str) -> None:
        """Append ``html_text`` to the Markdown ``lines``, as a placeholder, or into the last one
        when only empty lines follow it (Markdown puts one line break between two paragraphs,
        however many empty lines part them)."""
        last = len(lines) - 1
        while last > 0 and lines[last] == "":
            last -= 1
        if last < len(lines) - 1 and lines[last].startswith(self.prefix):
            index = int(lines[last][len(self.prefix) :])
            if index > self._sealed:
                self.pieces[index] += "\n" + html_text
                return
        self.pieces.append(html_text)
        lines += ["", f"{self.prefix}{len(self.pieces) - 1}", ""]

    @contextlib.contextmanager
    def card(self, identity_id: str) -> Iterator[None]:
        """Notes which pieces the card's body added in the block spans (it starts with a new
        piece), and closes the last one to whatever comes after (see :meth:`shown_cards`)."""
        first = len(self.pieces)
        yield
        self.cards[identity_id] = (first, len(self.pieces) - 1)
        self._sealed = len(self.pieces) - 1

    def unindexed(self, html_text: str, stand_in: str = "") -> str:
        """A comment that stands for ``html_text`` in a piece until :meth:`finish`, followed by
        ``stand_in`` (escaped text, for the search to index instead) and a closing comment."""
        self.unindexed_pieces.append(html_text)
        mark = f"{self.prefix}u{len(self.unindexed_pieces) - 1}"
        return f"<!--{mark}-->{stand_in}<!--{mark}e-->" if stand_in else f"<!--{mark}-->"

    def restore(self, converted: str, texts: ReadableTexts | None = None) -> str:
        """The HTML Markdown made of the page, with every piece put back and, given ``texts``
        (on a page the search indexes), every formula standing as its readable text until
        :meth:`finish`."""
        searched = texts is not None
        last = self._restored
        if last is not None and (last.converted, last.searched) == (converted, searched):
            if texts is not None:
                texts.reuse(last.texts)
            return last.restored
        if self._card_pieces is None:
            self._card_pieces = len(self.unindexed_pieces)
        del self.unindexed_pieces[self._card_pieces :]
        self._finished = None
        restored = self._pieces_put_back(converted)
        used: dict[str, str] = {}
        if texts is not None:

            def readable(formula: re.Match[str]) -> str:
                latex = html.unescape(formula.group("latex"))
                text = used[latex] = texts.text(latex)
                return self.unindexed(formula.group(0), html.escape(text, quote=False))

            restored = ARITHMATEX.sub(readable, restored)
        self._restored = _Restored(converted, searched, used, restored)
        return restored

    def finish(self, page_html: str) -> str:
        """The finished page (or content) with the unindexed markup put back."""
        if self._finished is not None and self._finished[0] == page_html:
            return self._finished[1]
        finished = self._unindexed_put_back(page_html)
        self._finished = (page_html, finished)
        return finished

    def shown_cards(self, converted: str) -> dict[str, ShownCard]:
        """Each card as the finished page shows it, cut from the HTML Markdown made of the page
        (before :meth:`restore`): its heading, which Markdown put right before the card's first
        piece (found from its closing tag back, so that each search stops at the card), and its
        body, from that piece's placeholder to its last one's. From the HTML it was last given,
        the same cards again (see :class:`~matrixcheck.pages.PrintedCards`)."""
        if self._shown is not None and self._shown[0] == converted:
            return self._shown[1]
        places = {int(m.group(1) or m.group(2)): m.span() for m in self.pattern.finditer(converted)}
        cards = {}
        for identity_id, (first, last) in self.cards.items():
            if first in places and last in places:
                start = places[first][0]
                closing = converted.rfind("</h", 0, start)
                heading = converted.rfind(f"<h{converted[closing + 3]}", 0, closing)
                cut = converted[start : places[last][1]]
                cards[identity_id] = ShownCard(
                    converted[heading:start], self._unindexed_put_back(self._pieces_put_back(cut))
                )
        self._shown = (converted, cards)
        return cards

    def _pieces_put_back(self, converted: str) -> str:
        return self.pattern.sub(
            lambda match: self.pieces[int(match.group(1) or match.group(2))], converted
        )

    def _unindexed_put_back(self, text: str) -> str:
        return self.unindexed_pattern.sub(
            lambda match: self.unindexed_pieces[int(match.group(1))], text
        )


class ShownCard(NamedTuple):
    """A card as its page shows it: the heading's HTML (with the line break after it) and the
    body's, everything after the heading."""

    heading: str
    body: str


@dataclass(frozen=True)
class _Restored:
    """What :meth:`HtmlStash.restore` last made: from which HTML, whether formulas stand as text
    for the search, the readable texts it used, and the result."""

    converted: str
    searched: bool
    texts: dict[str, str]
    restored: str


def render_block(
    block: Block,
    result: IdentityResult | None,
    stash: HtmlStash,
    correction: Correction | None = None,
    proof_open: bool = False,
) -> list[str]:
    """The Markdown lines that replace ``block`` in the page (the proof open if ``proof_open``)."""
    lines = [card_heading(block.spec, block.heading_level), ""]
    with stash.card(block.spec.id):
        lines += _card_body(block, result, stash, correction, proof_open)
    return lines


def card_heading(spec: IdentitySpec, level: int) -> str:
    """The card's heading, in Markdown (so that it enters the table of contents)."""
    return f"{'#' * level} {spec.title} {{#{spec.id} .identity-title}}"


def _card_body(
    block: Block,
    result: IdentityResult | None,
    stash: HtmlStash,
    correction: Correction | None,
    proof_open: bool,
) -> list[str]:
    """What follows the card's heading: its first line a piece of the stash."""
    spec = block.spec
    classes = "identity identity-refuted" if spec.refuted else "identity"
    converted = _converted(result)
    written = f' data-written-layout="{spec.layout}"' if converted else ""
    lines: list[str] = []
    opening = f'<div class="{classes}" data-identity="{spec.id}"{written}>'
    panel = evidence_panel(result) if result is not None and result.ok and not spec.refuted else ""
    stash.add(lines, _badges(spec, result, stash, opening, panel))
    if result is not None and not result.ok:
        lines += error_box([f"{where}: {text}" for where, text in result.failures()])
    for segment in block.segments:
        if segment.in_proof:
            continue
        if segment.kind != "formula":
            lines += list(segment.lines)
            continue
        role = ("mc-as-written", "mc-converted") if converted is not None else ("", "")
        stash.add(lines, _formula(spec.formula.latex, role[0], stash))
        if converted is not None:
            note = html.escape(_converted_note(spec.layout, converted.layout))
            shown = f'<p class="identity-converted-note">{note}</p>'
            stash.add(lines, _formula(converted.latex, role[1], stash, shown, searchable=False))
        if result is not None and result.declarations:
            where = where_line(result.declarations, result.spellings, spec.formula.latex)
            stash.add(lines, f'<p class="identity-where">{inline_math_html(where)}</p>')
            lines += _evidence(result, correction)
    references = references_html(spec.references)
    if references:
        stash.add(lines, references)
    proof = [s for s in block.segments if s.in_proof]
    if proof:
        lines += _proof(proof, spec.proof, result, proof_open, stash)
    stash.add(lines, stash.unindexed("</div>"))
    return lines


#: Inline math as the "where" line writes it.
INLINE_MATH = re.compile(r"\\\((.*?)\\\)")


def inline_math_html(text: str) -> str:
    """Text with ``\\(…\\)`` math as HTML, the math marked up the way arithmatex marks it up."""
    parts = INLINE_MATH.split(text)
    return "".join(
        f'<span class="arithmatex">\\({html.escape(part, quote=False)}\\)</span>'
        if index % 2
        else html.escape(part, quote=False)
        for index, part in enumerate(parts)
    )


def references_html(references: References) -> str:
    """The small "Also in: …" line naming the Cookbook equations and Wikipedia tables (empty
    without references). Its parts are numbers and known table names: nothing to escape."""
    parts = []
    numbers = references.cookbook_equations
    if numbers:
        label = "eq." if len(numbers) == 1 else "eqs."
        parts.append(f"The Matrix Cookbook ({COOKBOOK_EDITION}), {label} {', '.join(numbers)}")
    for section in references.cookbook_sections:
        parts.append(f"The Matrix Cookbook ({COOKBOOK_EDITION}), §{section}")
    for table in references.wikipedia_tables:
        link = f'<a href="{wikipedia_url(table)}">Matrix calculus: {table.lower()}</a>'
        parts.append(f"Wikipedia, {link}")
    if not parts:
        return ""
    return f'<p class="identity-references">Also in: {"; ".join(parts)}.</p>'


def _converted(result: IdentityResult | None) -> Conversion | None:
    """The verified other-layout form of an identity, if it has one."""
    if result is None or not result.ok or result.conversion is None:
        return None
    return result.conversion if result.conversion.status == "verified" else None


def _formula(
    latex: str, role: str, stash: HtmlStash, after: str = "", searchable: bool = True
) -> str:
    """A display formula as arithmatex marks it up, in a wrapper that carries its LaTeX (for
    copying) and its role in the layout switch, followed by ``after``. The site search indexes
    the formula unless it is not ``searchable`` (the converted form, which repeats the formula),
    and never the wrapper (unindexed)."""
    classes = f"identity-formula {role}".strip()
    excluded = "" if searchable else " data-search-exclude"
    attribute = html.escape(latex.strip(), quote=True)
    opening = f'<div class="{classes}" data-latex="{attribute}"{excluded}>'
    closing = "\n".join(part for part in (after, "</div>") if part)
    if not searchable:
        return stash.unindexed("\n".join((opening, _display_math(latex), closing)))
    return "\n".join((stash.unindexed(opening), _display_math(latex), stash.unindexed(closing)))


def _display_math(latex: str) -> str:
    """A display formula as arithmatex marks up ``$$ … $$``."""
    return f'<div class="arithmatex">\\[\n{html.escape(latex.strip(), quote=False)}\n\\]</div>'


def _converted_note(written: str, shown: str) -> str:
    return (
        f"Shown in {LAYOUT_LABELS[shown]}: converted by the engine from the {LAYOUT_LABELS[written]} "
        f"the author wrote, and verified at build time. The notes and the proof below refer to the "
        f"formula as written."
    )


def _badges(
    spec: IdentitySpec, result: IdentityResult | None, stash: HtmlStash, before: str, after: str
) -> str:
    """The row above the formula: layout, verification and exact badges, the id, copy buttons,
    between ``before`` and ``after`` (the card's opening tag, the evidence panel). All of it but
    the id is unindexed: the search has no use for it."""
    badges = _layout_badges(spec, result)
    if result is None:
        badges.append('<span class="badge badge-failed">not checked</span>')
    elif not result.ok:
        badges.append('<span class="badge badge-failed">✗ check failed</span>')
    elif spec.refuted:
        badges.append(
            '<span class="badge badge-refuted" title="The build found a counterexample">'
            "✗ false: refuted by the build</span>"
        )
    else:
        error = result.max_rel_error or 0.0
        badges.append(
            f'<button type="button" class="badge badge-verified" aria-expanded="false" '
            f'aria-controls="evidence-{spec.id}" title="Show how the build checked it">'
            f"✓ verified · max rel. error {scientific(error)}</button>"
        )
        if result.exact is not None and result.exact.status == "verified":
            badges.append(
                '<span class="badge badge-exact" title="Checked again in exact rational '
                'arithmetic">✓ exact</span>'
            )
    buttons = (
        f'<button type="button" class="identity-action" data-mc-copy="link" data-search-exclude '
        f'aria-label="Copy a link to {spec.id}">Copy link</button>'
        f'<button type="button" class="identity-action" data-mc-copy="latex" data-search-exclude '
        f'aria-label="Copy the LaTeX of {spec.id} as shown">Copy LaTeX</button>'
    )
    status = f'<span class="identity-status" data-search-exclude>{" ".join(badges)}</span>'
    before = f'{before}\n<div class="identity-badges">{status}<span class="identity-actions">'
    identifier = (
        f'<code class="identity-id" title="The permanent id of this identity">#{spec.id}</code>'
    )
    closing = "\n".join(part for part in (f"{buttons}</span></div>", after) if part)
    return stash.unindexed(before) + identifier + stash.unindexed(closing)


def _same_in_every_layout(spec: IdentitySpec, result: IdentityResult | None) -> bool:
    """Entrywise and differential identities, and formulas that take no derivative."""
    if spec.layout in ("entrywise", "differential"):
        return True
    conversion = result.conversion if result is not None else None
    return conversion is not None and conversion.reason == NO_DERIVATIVE


def _layout_badges(spec: IdentitySpec, result: IdentityResult | None) -> list[str]:
    label = LAYOUT_LABELS.get(spec.layout, spec.layout)
    hint = LAYOUT_HINTS.get(spec.layout, "")
    converted = _converted(result)
    if converted is None:
        same = SAME_IN_EVERY_LAYOUT if _same_in_every_layout(spec, result) else ""
        return [f'<span class="badge badge-layout" title="{hint}">{label}{same}</span>']
    other = LAYOUT_LABELS[converted.layout]
    other_hint = (
        f"{LAYOUT_HINTS[converted.layout]}. Converted from the {label} the author wrote by the "
        f"engine and verified at build time"
    )
    return [
        f'<span class="badge badge-layout mc-as-written" title="{hint}">{label}</span>',
        (
            f'<span class="badge badge-layout badge-converted mc-converted" '
            f'title="{other_hint}">{other} · converted ✓</span>'
        ),
    ]


def evidence_panel(result: IdentityResult) -> str:
    """What the verification badge opens: samples, errors, exact check, assumptions, proof.

    The panel is empty in the page, its content beside it in a ``noscript`` element that
    ``identities.js`` moves in when the panel is first opened (or the page printed): while
    scripts run, a browser reads a ``noscript`` as inert text, so the evidence costs the reader's
    browser nothing until asked for (nor the site search index, which never sees it); a reader
    without scripts, whose badge opens nothing, sees it under the badges.
    """
    spec = result.spec
    # The test functions get a column only where there are some.
    functions = any(t.test_functions for t in result.trials)
    # A positive integer (k) gets a column of its values.
    integers = sorted({name for t in result.trials for name in t.integers})
    rows = "".join(
        f"<tr><td>{html.escape(_sizes(t.sizes))}</td>"
        + "".join(f"<td>{t.integers[name]}</td>" for name in integers)
        + f"<td>{t.seed}</td>"
        + (f"<td>{html.escape(t.test_functions or '—')}</td>" if functions else "")
        + "</tr>"
        for t in result.trials
    )
    error = result.max_rel_error or 0.0
    numeric = (
        f"<p><strong>Numeric check</strong>: {len(result.trials)} random samples, largest "
        f"relative error {scientific(error)} (tolerance {scientific(result.tolerance, 0)}).</p>"
    )
    header = '<th scope="col">test functions</th>' if functions else ""
    table = (
        '<table class="identity-samples"><thead><tr><th scope="col">sizes</th>'
        + "".join(f'<th scope="col">{html.escape(name)}</th>' for name in integers)
        + f'<th scope="col">seed</th>{header}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    items = [
        numeric,
        table,
        f"<p><strong>Exact check</strong>: {html.escape(_exact_text(result))}</p>",
        f"<p><strong>Assumptions</strong>: {_assumptions_text(result)}</p>",
        f"<p><strong>Proof</strong>: {_steps_text(result)}</p>",
        f"<p><strong>Other layout</strong>: {html.escape(_conversion_text(result))}</p>",
    ]
    return (
        f'<div class="identity-evidence" id="evidence-{spec.id}" role="region" '
        f'aria-label="How {spec.id} was checked" hidden></div>'
        f'<noscript data-mc-evidence><div class="identity-evidence">{"".join(items)}</div>'
        "</noscript>"
    )


def _sizes(sizes: dict[str, int]) -> str:
    """``m=2, n=3``, or "fixed" when every size is a number in the declarations."""
    return sizes_text(sizes) or "fixed"


def _exact_text(result: IdentityResult) -> str:
    exact = result.exact
    if exact is None:
        return "not run"
    if exact.status == "verified":
        sizes = "sizes " + "; ".join(_sizes(s) for s in exact.sizes)
        if not any(exact.sizes):
            sizes = "the fixed sizes declared"
        spectral = any(
            d.properties & {"simple spectrum", "simple singular values"}
            for d in result.declarations.values()
        )
        drawn = (
            "; matrices with a simple spectrum or simple singular values drawn with integer ones, "
            "each eigenpair followed along the derivative by solving its defining equations"
            if spectral
            else ""
        )
        return (
            "verified in exact rational arithmetic (exact derivatives on jets; 50 digits where "
            f"logarithms, exponentials, sines, cosines or irrational roots appear{drawn}) at "
            f"{sizes}"
        )
    return f"{exact.status}{': ' + exact.reason if exact.reason else ''}"


def _assumptions_text(result: IdentityResult) -> str:
    if not result.assumptions:
        return "none stated"
    return "; ".join(
        f"{inline_math_html(_symbol_math(result, a.symbol))} "
        f"{html.escape(_assumed(a.property, result.declarations.get(a.symbol)))} "
        f"{_role(a)} — "
        f"{inline_math_html(_evidence_with_math(result, a, str))}"
        for a in result.assumptions
    )


def _role(assumption: Assumption) -> str:
    if assumption.necessary:
        return "shown necessary"
    return "a special case" if assumption.special_case else "not needed"


def _evidence_with_math(
    result: IdentityResult, assumption: Assumption, escape: Callable[[str], str]
) -> str:
    """The evidence of ``assumption``, its text passed through ``escape`` and its symbol, which
    the checker names in words ("inverts an expression in X", "eigenvalues of A"), as math."""
    named = re.compile(
        rf"(?:(?<=\bin )|(?<=\bof )|(?<=\bwhere ))({re.escape(assumption.symbol)})\b"
    )
    parts = named.split(assumption.evidence)
    return "".join(
        _symbol_math(result, part) if index % 2 else escape(part)
        for index, part in enumerate(parts)
    )


def _symbol_math(result: IdentityResult, name: str) -> str:
    """The symbol ``name`` as inline math, spelt as the author wrote it (``\\boldsymbol\\Sigma``)."""
    return rf"\({result.spellings.get(name, name)}\)"


def _steps_text(result: IdentityResult) -> str:
    total = len(result.steps)
    if not total:
        return "no displayed steps"
    checked = sum(1 for s in result.steps if s.status == "checked")
    return f"{checked} of {total} displayed {_steps(total)} checked by machine"


def _conversion_text(result: IdentityResult) -> str:
    conversion = result.conversion
    if conversion is None:
        return "not converted"
    if conversion.status != "verified":
        return f"{conversion.status}: {conversion.reason}"
    error = conversion.max_rel_error or 0.0
    return (
        f"converted to {LAYOUT_LABELS[conversion.layout]} by the engine and verified there "
        f"(largest relative error {scientific(error)}; exact check {conversion.exact})"
    )


def _evidence(result: IdentityResult, correction: Correction | None) -> list[str]:
    """The counterexample of a refuted formula, or the assumptions shown necessary."""
    if result.spec.refuted:
        if result.counterexample is not None:
            found = (
                f"Counterexample found by the build: {result.counterexample.describe()}; "
                f"the two sides differ by a relative error of {result.max_rel_error:.2g}."
            )
        else:
            found = f"Found by the build: {result.message}."
        lines = [_escape(found), "{: .identity-counterexample }", ""]
        if result.spec.source:
            lines += [f"Source: {_linked(result.spec.source)}", "{: .identity-source }", ""]
        if correction is not None:
            lines += [
                f"Correct form, verified by the build: [{correction.title}]({correction.link})",
                "{: .identity-correction }",
                "",
                "$$",
                correction.latex,
                "$$",
                "",
            ]
        return lines
    needed = [a for a in result.assumptions if a.necessary]
    if not needed:
        return []
    parts = [
        f"**{_symbol_math(result, a.symbol)} "
        f"{_assumed(a.property, result.declarations.get(a.symbol))}** — "
        f"{_evidence_with_math(result, a, _escape)}"
        for a in needed
    ]
    return [
        "Assumptions shown necessary: " + "; ".join(parts) + ".",
        "{: .identity-assumptions }",
        "",
    ]


#: A web address in an author's text, without the punctuation that may follow it.
URL = re.compile(r"https?://[^\s()<>]*[^\s()<>.,;:]")


def _linked(text: str) -> str:
    """Markdown ``text`` with its bare web addresses as links (Markdown autolinks)."""
    return URL.sub(lambda match: f"<{match.group(0)}>", text)


def _escape(text: str) -> str:
    """Text shown literally in Markdown: backslashes, emphasis marks and HTML neutralised."""
    text = text.replace("\\", "\\\\").replace("<", "&lt;")
    return text.replace("*", "\\*").replace("_", "\\_").replace("$", "\\$")


def error_box(messages: list[str]) -> list[str]:
    """Red paragraphs, one per message, shown while serving a page that fails its checks."""
    lines = []
    for message in messages:
        lines += [f"✗ {_escape(message)}", "{: .identity-error }", ""]
    return lines


def _proof(
    segments: list[Segment],
    displays: list[Display],
    result: IdentityResult | None,
    is_open: bool,
    stash: HtmlStash,
) -> list[str]:
    """The proof's ``details``: its text through Markdown, each step's formula and mark stashed
    (``displays`` are the steps' formulas, in the order of the step segments). The search sees
    the summary and the proof, not the ``details`` element around them (unindexed)."""
    steps = result.steps if result is not None else []
    checked = sum(1 for s in steps if s.status == "checked")
    total = sum(1 for s in segments if s.kind == "step")
    kind = "success" if total and checked == total else "note"
    opened = " open" if is_open else ""
    summary = f"Proof ({checked} of {total} {_steps(total)} checked by machine)"
    lines: list[str] = []
    opening = stash.unindexed(f'<details class="{kind}"{opened}>')
    stash.add(lines, f"{opening}\n<summary>{summary}</summary>")
    pending = iter(steps)
    formulas = iter(displays)
    for segment in segments:
        if segment.kind != "step":
            lines += list(segment.lines)
            continue
        stash.add(lines, _display_math(next(formulas).latex))
        stash.add(lines, stash.unindexed(_step_mark(next(pending, None))))
    stash.add(lines, stash.unindexed("</details>"))
    return lines


def _steps(total: int) -> str:
    """ "step" or "steps", after ``total``."""
    return "step" if total == 1 else "steps"


def _step_mark(step: StepResult | None) -> str:
    """The line under a proof step: checked (with its error), not checked (why) or failed."""
    if step is None:
        kind, text = "unchecked", "step not checked"
    elif step.status == "checked":
        kind, text = "checked", f"step checked (relative error {scientific(step.max_rel_error)})"
    elif step.status == "unchecked":
        kind, text = "unchecked", f"step not checked: {step.reason}"
    else:
        kind, text = "failed", "step failed its check"
    return f'<p class="proof-step proof-step-{kind}" data-search-exclude>{html.escape(text)}</p>'


def where_line(declarations: dict[str, Declaration], spellings: dict[str, str], latex: str) -> str:
    """``where \\(\\boldsymbol a, \\boldsymbol b \\in \\mathbb{R}^{n}\\), …`` in formula order."""

    def position(name: str) -> int:
        found = latex.find(spellings.get(name, name))
        return found if found >= 0 else len(latex)

    order = sorted(declarations, key=position)
    groups: dict[tuple, list[str]] = {}
    for name in order:
        declaration = declarations[name]
        key = (declaration.kind, declaration.shape, declaration.argument, declaration.stated)
        key += (declaration.binding,)
        groups.setdefault(key, []).append(spellings.get(name, name))
    phrases = [
        _phrase(declarations_key[:4], names) + _bound(declarations_key[4], spellings)
        for declarations_key, names in groups.items()
    ]
    # An appositive ("v, the unit eigenvector of A for λ_i") ends with a comma before "and".
    appositive = any(key[4] is not None for key in list(groups)[:-1])
    if len(phrases) > 1:
        phrases[-1] = "and " + phrases[-1]
    separator = ", " if len(phrases) > 2 or appositive else " "
    return "where " + separator.join(_joined_formulas(phrases, separator)) + "."


#: At most this many "a ∈ ℝⁿ" are joined in one formula: inline math does not wrap.
JOINED_AT_MOST = 3


def _joined_formulas(phrases: list[str], separator: str) -> list[str]:
    r"""Runs of phrases that are one formula and nothing else, each run as one formula.

    ``\(a \in …\), \(X \in …\)`` reads the same as ``\(a \in …,\, X \in …\)`` and costs the
    browser one formula to typeset instead of two. Only a list separated by commas is joined.
    """
    if separator != ", ":
        return phrases
    joined: list[str] = []
    size = 0  # how many phrases joined[-1] holds when it is one formula; 0 when it is not
    for phrase in phrases:
        if 0 < size < JOINED_AT_MOST and _one_formula(phrase):
            joined[-1] = joined[-1][:-2] + r",\, " + phrase[2:]
            size += 1
        else:
            joined.append(phrase)
            size = 1 if _one_formula(phrase) else 0
    return joined


def _one_formula(phrase: str) -> bool:
    return phrase.startswith(r"\(") and phrase.endswith(r"\)") and phrase.count(r"\(") == 1


def scientific(value: float, digits: int = 1) -> str:
    """``value`` in scientific notation as people write it: ``1.4e-16``, ``1e-9``, ``0``."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _space(shape: tuple) -> str:
    rows, columns = shape
    if rows == columns == 1:
        return r"\mathbb{R}"
    if columns == 1:
        return rf"\mathbb{{R}}^{{{rows}}}"
    return rf"\mathbb{{R}}^{{{rows}\times {columns}}}"


#: How a property reads after a symbol, where the plain name is no adjective.
WITH_WORDING = {
    "simple spectrum": "with a simple spectrum",
    "simple singular values": "with simple singular values",
}
#: How a property reads after the symbol's space in the "where" line, where the plain name does
#: not (positive definite matrices are symmetric, see the conventions).
PROPERTY_WORDING = {**WITH_WORDING, "positive definite": "symmetric positive definite"}


#: Properties of every entry, as they read after a vector or a matrix (where "x ∈ ℝⁿ nonzero"
#: would say x ≠ 0, and a "positive" matrix could be read as positive definite).
ENTRY_WORDING = {"positive": "with positive entries", "nonzero": "with nonzero entries"}


def _entrywise(kind: str, shape: tuple) -> bool:
    """Whether a symbol's properties hold entry by entry: a vector's or a matrix's do."""
    return kind not in (*FUNCTION_KINDS, "integer") and tuple(shape) != (1, 1)


def _assumed(name: str, declaration: Declaration | None) -> str:
    """A property as an assumption names it after its symbol: "Σ with a simple spectrum", and
    "F with invertible values" for a function, whose properties describe its values."""
    if declaration is not None and declaration.is_function:
        return f"with {name} values"
    if declaration is not None and _entrywise(declaration.kind, declaration.shape):
        return ENTRY_WORDING.get(name, WITH_WORDING.get(name, name))
    return WITH_WORDING.get(name, name)


def _described(stated: tuple[str, ...], entrywise: bool) -> str:
    """The properties after a symbol's space: adjectives joined by "and", then "with" phrases
    ("symmetric and invertible", "invertible with a simple spectrum", "with nonzero entries")."""
    wording = {**PROPERTY_WORDING, **ENTRY_WORDING} if entrywise else PROPERTY_WORDING
    words = [wording.get(p, p) for p in stated]
    adjectives = [w for w in words if not w.startswith("with ")]
    phrases = [w for w in words if w.startswith("with ")]
    parts = [_and(adjectives)] if adjectives else []
    if phrases:
        parts.append(" and ".join(phrases))
    return " ".join(parts)


def _and(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _bound(binding: Binding | None, spellings: dict[str, str]) -> str:
    """``, the unit eigenvector of A for λ_i`` for a bound symbol; empty otherwise."""
    if binding is None:
        return ""
    of = spellings.get(binding.of, binding.of)
    if not binding.index:
        return rf", the {binding.kind} of \({of}\) as columns"
    value = "lambda" if "eigenvector" in binding.kind else "sigma"
    index = rf"\{binding.index}" if binding.index in ("max", "min") else binding.index
    unit = "unit " if binding.kind == "eigenvector" else ""
    return rf", the {unit}{binding.kind} of \({of}\) for \(\{value}_{{{index}}}\)"


def _phrase(key: tuple, names: list[str]) -> str:
    kind, shape, argument, stated = key
    joined = ", ".join(names)
    adjectives = _described(stated, _entrywise(kind, shape))
    if kind == "scalar function":
        return rf"\({joined}\colon \mathbb{{R}} \to \mathbb{{R}}\) smooth (applied entrywise)"
    if kind == "integer":
        return rf"\({joined} \in \mathbb{{N}},\ {joined} \ge 1\)"
    if kind == "function":
        text = rf"\({joined}\colon {_space(argument)} \to {_space(shape)}\) differentiable"
        return text + (f" with {adjectives} values" if adjectives else "")
    space = _space(shape if kind != "row vector" else (1, shape[1]))
    if kind == "row vector":
        space = rf"\mathbb{{R}}^{{1\times {shape[1]}}}"
    text = rf"\({joined} \in {space}\)"
    return text + (f" {adjectives}" if adjectives else "")
