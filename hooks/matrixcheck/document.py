"""Reads identity blocks and display formulas out of a Markdown page, with line numbers.

The syntax (documented on the authoring page)::

    /// identity | Title
        id: stable-anchor
        layout: denominator
        symbols:
          X: matrix n x n, invertible

    $$ the formula $$

    //// proof
    prose and display-math steps
    ////
    ///

Only YAML (``yaml.safe_load``, see :mod:`options`) and LaTeX are read from a page; nothing in it is
executed. Fenced code blocks are skipped, so an example of the syntax inside ```` ``` ```` is never
an identity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from .errors import AuthorError
from .model import Display, IdentitySpec, Location, PageProblem
from .options import read_options
from .references import References, parse_references

IDENTITY_OPEN = re.compile(r"^///\s*(?P<kind>identity|refuted)\s*(?:\|\s*(?P<title>.*?))?\s*$")
PROOF_OPEN = re.compile(r"^////\s*proof\s*$")
PROOF_CLOSE = re.compile(r"^////\s*$")
BLOCK_CLOSE = re.compile(r"^///\s*$")
HEADING = re.compile(r"^(#{1,6})\s")
#: An explicit anchor on a heading, ``## Title {#anchor}`` (attr_list).
HEADING_ANCHOR = re.compile(r"\{[^}]*#([\w-]+)[^}]*\}\s*$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
EXEMPTION = re.compile(r"^\s*<!--\s*unchecked:\s*(?P<reason>.*?)\s*-->\s*$")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
REFERENCE_OPTIONS = ("cookbook", "wikipedia")
OPTIONS = {
    "identity": ("id", "layout", "symbols", *REFERENCE_OPTIONS),
    "refuted": ("id", "layout", "symbols", "corrected", "source", *REFERENCE_OPTIONS),
}
DISPLAY_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"))
#: A line that can open or close anything the scanner looks for (a fence, a block, a proof, a
#: heading, a display) starts with one of these characters, after any whitespace; every other line
#: is prose, passed over without trying each pattern on it.
SIGNIFICANT = re.compile(r"\s*[`~/#$\\]")
OPTION_INDENT = "    "


@dataclass(frozen=True)
class Segment:
    """A run of lines inside an identity block: prose, the formula, or one proof step."""

    kind: str
    lines: tuple[str, ...]
    in_proof: bool = False


@dataclass
class Block:
    """An identity block: its spec, its line span in the scanned text, and its segments."""

    spec: IdentitySpec
    first_line: int
    last_line: int
    heading_level: int
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Page:
    """Everything read from one page, and the text (without front matter) it was read from."""

    path: str
    blocks: list[Block] = field(default_factory=list)
    problems: list[PageProblem] = field(default_factory=list)
    text: str = ""


def strip_front_matter(text: str) -> tuple[str, int]:
    """Remove a YAML front matter block; return the rest and the number of lines removed."""
    if text.split("\n", 1)[0].strip() != "---":
        return text, 0  # without splitting the whole page into lines
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[index + 1 :]), index + 1
    return text, 0


def read_page(text: str, path: str, line_offset: int = 0) -> Page:
    """Scan Markdown ``text``; reported lines are ``line_offset`` + 1-based line in ``text``."""
    return _Scanner(text, path, line_offset).scan()


class _Scanner:
    def __init__(self, text: str, path: str, line_offset: int) -> None:
        self.lines = text.split("\n")
        self.page = Page(path, text=text)
        self.offset = line_offset
        self.index = 0
        self.heading_level = 1
        self.anchors: dict[str, int] = {}

    def location(self, index: int) -> Location:
        return Location(self.page.path, index + 1 + self.offset)

    def problem(self, index: int, message: str, identity_id: str = "") -> None:
        self.page.problems.append(PageProblem(self.location(index), message, identity_id))

    def scan(self) -> Page:
        while self.index < len(self.lines):
            line = self.lines[self.index]
            if not SIGNIFICANT.match(line):
                self.index += 1
            elif FENCE.match(line):
                self.index = self._skip_fence(self.index)
            elif IDENTITY_OPEN.match(line):
                self._identity()
            elif HEADING.match(line):
                self.heading_level = len(line) - len(line.lstrip("#"))
                anchor = HEADING_ANCHOR.search(line)
                if anchor:
                    self.anchors.setdefault(anchor.group(1), self.index)
                self.index += 1
            elif _display_opening(line):
                display, end = self._display(self.index)
                self._stray_display(display)
                self.index = end + 1
            else:
                self.index += 1
        self._anchor_collisions()
        return self.page

    def _anchor_collisions(self) -> None:
        """A heading anchor equal to an identity's id would give two elements the same id."""
        for block in self.page.blocks:
            index = self.anchors.get(block.spec.id)
            if index is not None:
                self.problem(
                    index,
                    f"the heading's anchor '#{block.spec.id}' is also the id of the identity at "
                    f"line {block.spec.location.line} (fix: give the heading another anchor; "
                    "identity ids are permalinks)",
                    block.spec.id,
                )

    def _skip_fence(self, start: int) -> int:
        match = FENCE.match(self.lines[start])
        assert match is not None
        marker = match.group(1)
        for index in range(start + 1, len(self.lines)):
            stripped = self.lines[index].strip()
            if stripped.startswith(marker[0] * len(marker)) and not stripped.strip(marker[0]):
                return index + 1
        return len(self.lines)

    def _display(self, start: int) -> tuple[Display, int]:
        """Read a display starting at line ``start``; return it and its last line index."""
        first = self.lines[start].strip()
        opening, closing = _display_opening(first) or ("$$", "$$")
        rest = first[len(opening) :]
        if rest.rstrip().endswith(closing) and rest.strip():
            latex = rest.rstrip()[: -len(closing)]
            return self._make_display(latex, start), start
        body = [rest]
        for index in range(start + 1, len(self.lines)):
            stripped = self.lines[index].rstrip()
            if stripped.endswith(closing):
                body.append(stripped[: -len(closing)])
                return self._make_display("\n".join(body), start), index
            body.append(self.lines[index])
        self.problem(
            start,
            f"display math opened with {opening} is never closed (fix: end it with {closing})",
        )
        return self._make_display("\n".join(body), start), len(self.lines) - 1

    def _make_display(self, latex: str, start: int) -> Display:
        exemption = None
        if start > 0:
            match = EXEMPTION.match(self.lines[start - 1])
            if match:
                exemption = match.group("reason")
        return Display(latex.strip(), self.location(start), exemption)

    def _stray_display(self, display: Display) -> None:
        if "\\partial" not in display.latex or "=" not in display.latex:
            return
        if display.exemption is None:
            self.page.problems.append(
                PageProblem(
                    display.location,
                    "this display formula looks like a derivative identity but is not checked "
                    "(fix: put it in a '/// identity' block, or mark it with "
                    "'<!-- unchecked: <reason> -->' on the line above)",
                )
            )
        elif not display.exemption:
            self.page.problems.append(
                PageProblem(
                    display.location,
                    "the 'unchecked:' comment gives no reason (fix: say why the formula is not checked)",
                )
            )

    def _identity(self) -> None:
        start = self.index
        header = IDENTITY_OPEN.match(self.lines[start])
        assert header is not None
        title = (header.group("title") or "").strip()
        kind = header.group("kind")
        option_lines: list[str] = []
        cursor = start + 1
        while cursor < len(self.lines) and self.lines[cursor].startswith(OPTION_INDENT):
            option_lines.append(self.lines[cursor][len(OPTION_INDENT) :])
            cursor += 1
        options = self._options(start, option_lines)
        identity_id = str(options.get("id", "")) if options is not None else ""
        segments, displays, end = self._body(start, cursor, identity_id)
        self.index = end + 1
        if options is None:
            return
        spec = self._spec(start, kind, title, options, segments, displays)
        if spec is not None:
            level = min(self.heading_level + 1, 6)
            self.page.blocks.append(Block(spec, start, end, level, segments))

    def _options(self, start: int, option_lines: list[str]) -> dict | None:
        try:
            options = read_options("\n".join(option_lines)) if option_lines else None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = start + 1 + (mark.line if mark is not None else 0)
            reason = getattr(error, "problem", None) or "invalid YAML"
            fix = getattr(error, "fix", None) or (
                "check the indentation, colons and brackets of the options, which are YAML"
            )
            declared = re.search(r"^id:\s*(\S+)\s*$", "\n".join(option_lines), re.MULTILINE)
            self.problem(
                line,
                f"cannot read the identity's options: {reason} (fix: {fix})",
                declared.group(1) if declared else "",
            )
            return None
        if not isinstance(options, dict):
            self.problem(
                start,
                "the identity has no options (fix: indent 'id:', 'layout:' and 'symbols:' by 4 "
                "spaces directly below the '/// identity | Title' line)",
            )
            return None
        return options

    def _body(
        self, start: int, cursor: int, identity_id: str
    ) -> tuple[list[Segment], list[tuple[Display, bool]], int]:
        segments: list[Segment] = []
        displays: list[tuple[Display, bool]] = []
        text: list[str] = []
        in_proof = False

        def flush() -> None:
            if text:
                segments.append(Segment("text", tuple(text), in_proof))
                text.clear()

        index = cursor
        while index < len(self.lines):
            line = self.lines[index]
            if not SIGNIFICANT.match(line):
                text.append(line)
                index += 1
                continue
            if BLOCK_CLOSE.match(line):
                if in_proof:
                    self.problem(
                        index,
                        "the proof is not closed (fix: end it with '////' before the block's '///')",
                        identity_id,
                    )
                flush()
                return segments, displays, index
            if PROOF_OPEN.match(line) or PROOF_CLOSE.match(line):
                opening = PROOF_OPEN.match(line) is not None
                if opening == in_proof:
                    self.problem(
                        index,
                        f"unexpected '{line.strip()}' in the identity (fix: open the proof with '//// proof' "
                        "and close it with '////')",
                        identity_id,
                    )
                flush()
                in_proof = opening
                index += 1
                continue
            if FENCE.match(line):
                end = self._skip_fence(index)
                text.extend(self.lines[index:end])
                index = end
                continue
            if _display_opening(line):
                display, end = self._display(index)
                flush()
                kind = "step" if in_proof else "formula"
                segments.append(Segment(kind, tuple(self.lines[index : end + 1]), in_proof))
                displays.append((display, in_proof))
                index = end + 1
                continue
            text.append(line)
            index += 1
        self.problem(
            start, "the identity block is never closed (fix: end it with a line '///')", identity_id
        )
        flush()
        return segments, displays, len(self.lines) - 1

    def _spec(
        self,
        start: int,
        kind: str,
        title: str,
        options: dict,
        segments: list[Segment],
        displays: list[tuple[Display, bool]],
    ) -> IdentitySpec | None:
        identity_id = str(options.get("id", ""))
        problems_before = len(self.page.problems)
        allowed = OPTIONS[kind]
        unknown = sorted(set(map(str, options)) - set(allowed))
        if unknown:
            self.problem(
                start,
                f"unknown option(s) {', '.join(unknown)} (fix: the options of '/// {kind}' are "
                f"{', '.join(allowed)})",
                identity_id,
            )
        if not IDENTIFIER.match(identity_id):
            self.problem(
                start,
                f"the id '{identity_id}' is not a valid id (fix: use lowercase letters and digits "
                "joined by hyphens, such as 'inverse-bilinear')",
                identity_id,
            )
        if not title:
            self.problem(
                start, "the identity has no title (fix: write '/// identity | Title')", identity_id
            )
        required = (
            ("layout", "symbols", "corrected") if kind == "refuted" else ("layout", "symbols")
        )
        for key in required:
            if key not in options:
                self.problem(
                    start,
                    f"the identity has no '{key}:' option (fix: add it; see the authoring page)",
                    identity_id,
                )
        formulas = [display for display, in_proof in displays if not in_proof]
        if len(formulas) != 1:
            self.problem(
                start,
                f"an identity holds exactly one display formula outside its proof, found "
                f"{len(formulas)} (fix: move derivations into the '//// proof')",
                identity_id,
            )
        references = self._references(start, options, identity_id)
        if len(self.page.problems) > problems_before:
            return None
        return IdentitySpec(
            id=identity_id,
            title=title,
            layout=str(options["layout"]),
            symbols=options["symbols"],
            formula=formulas[0],
            location=self.location(start),
            proof=[display for display, in_proof in displays if in_proof],
            refuted=kind == "refuted",
            corrected=str(options.get("corrected", "")),
            source=str(options.get("source", "")),
            references=references,
        )

    def _references(self, start: int, options: dict, identity_id: str) -> References:
        try:
            return parse_references(options.get("cookbook"), options.get("wikipedia"))
        except AuthorError as error:
            self.problem(start, error.describe(), identity_id)
            return References()


def _display_opening(line: str) -> tuple[str, str] | None:
    stripped = line.strip()
    for opening, closing in DISPLAY_DELIMITERS:
        if stripped.startswith(opening):
            return opening, closing
    return None
