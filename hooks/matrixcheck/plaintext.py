"""Formulas as plain Unicode text for the site search: ``∂(aᵀX⁻¹b)/∂X = −X⁻ᵀabᵀX⁻ᵀ``.

Search results are plain text: Material shows a snippet of the indexed text, which MathJax never
typesets, so a formula indexed as its source reads ``\\frac{\\partial \\boldsymbol a^\\text T …``.
:func:`readable` reads the TeX that MathJax reads on this site (any math, not only the subset the
checker parses) and writes what it says in Unicode:

- fonts drop (``\\boldsymbol X`` is ``X``), ``\\mathbb R`` is ``ℝ``; Greek letters, operators and
  relations become their characters; accents become combining marks (``x̂``);
- a script becomes superscript or subscript characters when Unicode has one for each of its
  characters (``X⁻ᵀ``, ``‖x‖₂²``, ``∑ᵢ₌₁ⁿ``), else ``^(…)`` or ``_(…)`` (``ℝ^(m×n)``);
- ``\\frac{a}{b}`` is ``a/b``, with parentheses around a part of more than one factor, except a
  leading differential: ``∂(aᵀXb)/∂X``, ``∂²f/(∂x ∂xᵀ)``; ``\\sqrt{x}`` is ``√x``;
- sized delimiters (``\\left(``, ``\\bigl(``) are plain ones; spacing commands are one space;
- binary operators and relations are spaced (``A + B = C``), a sign that starts a term is not
  (``= −X``), a function name is followed by a space unless brackets follow (``log det X``,
  ``tr(AX)``); an aligned chain reads as one line, a matrix as ``a, b; c, d`` rows.

A command it does not know is kept as written, so nothing the author wrote is lost; a test holds
every formula of the site to known commands. The reader is a recursive descent over TeX tokens,
and each kind of unit (ordinary, operator, relation, …) is printed by one spacing rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

#: A TeX token; a command whose argument is a name or text (``\\begin{aligned}``,
#: ``\\operatorname{tr}``, ``\\text{if }``) is one token with its argument. Spaces separate
#: tokens and are dropped, as TeX drops them in math.
_TOKEN = re.compile(
    r"\\(?:begin|end|operatorname\*?|text[a-z]*|[mh]box)\s*\{[^{}]*\}|\\[A-Za-z]+|\\.|\S", re.DOTALL
)

SUPERSCRIPTS = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδθφχ*′",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᶿᵠᵡ*′",
        strict=True,
    )
)
SUBSCRIPTS = dict(
    zip(
        "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)


def _names(text: str) -> frozenset[str]:
    """The space-separated names of ``text``."""
    return frozenset(text.split())


#: Unit kinds, each with its own spacing rule in :func:`_joined`.
ORD, OP, BIN, REL, PUNCT, SPACE, WORDS, LARGE, FRACTION, CELL, ROW, END = (
    "ord", "op", "bin", "rel", "punct", "space", "words", "large", "fraction", "cell", "row", "end"
)  # fmt: skip

GREEK_NAMES = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
    "pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
)
GREEK = dict(zip(GREEK_NAMES.split(), "αβγδϵεζηθϑικλμνξπϖρϱσςτυϕφχψωΓΔΘΛΞΠΣΥΦΨΩ", strict=True))
#: Commands that stand for one character, with the kind that spaces it.
SYMBOLS: dict[str, tuple[str, str]] = {
    **{name: (letter, ORD) for name, letter in GREEK.items()},
    "partial": ("∂", ORD), "nabla": ("∇", ORD), "infty": ("∞", ORD), "ell": ("ℓ", ORD),
    "emptyset": ("∅", ORD), "prime": ("′", ORD), "dagger": ("†", ORD), "star": ("⋆", ORD),
    "top": ("T", ORD), "intercal": ("T", ORD), "ldots": ("…", ORD), "dots": ("…", ORD),
    "cdots": ("⋯", ORD), "vdots": ("⋮", ORD), "ddots": ("⋱", ORD), "forall": ("∀", ORD),
    "exists": ("∃", ORD), "neg": ("¬", ORD), "imath": ("ı", ORD), "hbar": ("ℏ", ORD),
    "times": ("×", BIN), "otimes": ("⊗", BIN), "oplus": ("⊕", BIN), "odot": ("⊙", BIN),
    "oslash": ("⊘", BIN),
    "circ": ("∘", BIN), "cdot": ("·", BIN), "pm": ("±", BIN), "mp": ("∓", BIN),
    "ast": ("∗", BIN), "setminus": ("∖", BIN), "cup": ("∪", BIN), "cap": ("∩", BIN),
    "wedge": ("∧", BIN), "vee": ("∨", BIN), "div": ("÷", BIN), "bullet": ("•", BIN),
    "in": ("∈", REL), "notin": ("∉", REL), "ni": ("∋", REL), "subset": ("⊂", REL),
    "subseteq": ("⊆", REL), "supset": ("⊃", REL), "supseteq": ("⊇", REL),
    "le": ("≤", REL), "leq": ("≤", REL), "ge": ("≥", REL), "geq": ("≥", REL),
    "ne": ("≠", REL), "neq": ("≠", REL), "approx": ("≈", REL), "equiv": ("≡", REL),
    "sim": ("∼", REL), "simeq": ("≃", REL), "cong": ("≅", REL), "propto": ("∝", REL),
    "ll": ("≪", REL), "gg": ("≫", REL), "prec": ("≺", REL), "preceq": ("⪯", REL),
    "succ": ("≻", REL), "succeq": ("⪰", REL), "mid": ("|", REL), "perp": ("⊥", REL),
    "to": ("→", REL), "rightarrow": ("→", REL), "leftarrow": ("←", REL),
    "gets": ("←", REL), "mapsto": ("↦", REL), "Rightarrow": ("⇒", REL),
    "Leftarrow": ("⇐", REL), "Leftrightarrow": ("⇔", REL), "implies": ("⟹", REL),
    "impliedby": ("⟸", REL), "iff": ("⟺", REL), "Longrightarrow": ("⟹", REL),
    "Longleftarrow": ("⟸", REL), "Longleftrightarrow": ("⟺", REL),
    "longrightarrow": ("⟶", REL), "longmapsto": ("⟼", REL), "coloneqq": ("≔", REL),
    "colon": (":", PUNCT),
    "%": ("%", ORD), "$": ("$", ORD), "#": ("#", ORD), "&": ("&", ORD), "_": ("_", ORD),
}  # fmt: skip
FUNCTION_NAMES = _names(
    "log ln lg exp det sin cos tan cot sec csc sinh cosh tanh coth arcsin arccos arctan "
    "max min sup inf arg lim liminf limsup dim ker deg gcd Pr hom"
)
LARGE_OPERATORS = {"sum": "∑", "prod": "∏", "coprod": "∐", "int": "∫", "oint": "∮",
                   "bigcup": "⋃", "bigcap": "⋂", "bigotimes": "⨂", "bigoplus": "⨁"}  # fmt: skip
OPENING = {"(": "(", "[": "[", "\\{": "{", "\\lbrace": "{", "\\langle": "⟨", "\\lfloor": "⌊",
           "\\lceil": "⌈", "\\lvert": "|", "\\lVert": "‖", "\\lbrack": "["}  # fmt: skip
CLOSING = {")": ")", "]": "]", "\\}": "}", "\\rbrace": "}", "\\rangle": "⟩", "\\rfloor": "⌋",
           "\\rceil": "⌉", "\\rvert": "|", "\\rVert": "‖", "\\rbrack": "]"}  # fmt: skip
#: Delimiters that open a group where none of theirs is open, and close it otherwise.
BARS = {"|": "|", "\\|": "‖", "\\vert": "|", "\\Vert": "‖"}
_DELIMITERS = {**OPENING, **CLOSING, **BARS}
#: Commands that size the delimiter after them, with the side they put it on (None: either).
SIZED = {
    **{f"\\{size}": None for size in ("big", "Big", "bigg", "Bigg")},
    **{f"\\{size}l": "open" for size in ("big", "Big", "bigg", "Bigg")},
    **{f"\\{size}r": "close" for size in ("big", "Big", "bigg", "Bigg")},
    **{f"\\{size}m": "middle" for size in ("big", "Big", "bigg", "Bigg")},
    "\\left": "open",
    "\\right": "close",
    "\\middle": "middle",
}
#: Commands whose one argument is shown in another font: the letters stay (see _FONT_COMMAND).
FONTS = _names(
    "boldsymbol bm bold mathbf mathrm mathit mathsf mathtt mathcal mathscr mathfrak pmb "
    "mathnormal mathord mathbin mathrel"
)
#: Commands whose argument is text: its words are kept as they are.
TEXTS = _names("text textrm textbf textit textsf texttt textnormal mbox hbox")
DOUBLE_STRUCK = dict(zip("RCNZQEPF1", "ℝℂℕℤℚ𝔼ℙ𝔽𝟙", strict=True))
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "tilde": "\u0303", "widetilde": "\u0303",
           "bar": "\u0304", "overline": "\u0305", "dot": "\u0307", "ddot": "\u0308",
           "vec": "\u20d7", "check": "\u030c", "breve": "\u0306", "acute": "\u0301",
           "grave": "\u0300", "underline": "\u0332"}  # fmt: skip
SPACES = _names(", : ; > quad qquad enspace thinspace medspace thickspace space")
#: Commands that print nothing (``\\!`` is a negative space), and those that drop their argument.
IGNORED = _names(
    "! displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits nonumber notag "
    "strut mathstrut allowbreak nobreak relax"
)
DROPPED = _names("label tag color phantom vphantom hphantom hspace vspace")
FRACTIONS = _names("frac tfrac dfrac cfrac")
#: Environments written as rows of cells, with the brackets they put around them.
MATRICES = {"matrix": ("", ""), "smallmatrix": ("", ""), "pmatrix": ("(", ")"),
            "bmatrix": ("[", "]"), "Bmatrix": ("{", "}"), "vmatrix": ("|", "|"),
            "Vmatrix": ("‖", "‖"), "cases": ("{", ""), "array": ("", "")}  # fmt: skip
DIFFERENTIALS = frozenset("∂dδ∇")
_SPACE_RUN = re.compile(r" {2,}")
#: Kinds after which ``+`` or ``−`` is a sign, not an operation between two terms.
_BEFORE_A_SIGN = frozenset(("", BIN, REL, PUNCT, OP, LARGE, SPACE, CELL, ROW))
#: A font command: its argument is printed as it is, so the command itself is dropped first.
_FONT_COMMAND = re.compile(rf"\\(?:{'|'.join(sorted(FONTS))})(?![A-Za-z])")
CHARACTERS = {"-": ("−", BIN), "+": ("+", BIN), "*": ("∗", BIN), "=": ("=", REL),
              "<": ("<", REL), ">": (">", REL), ":": (":", REL), ",": (",", PUNCT),
              ";": (";", PUNCT), "~": (" ", SPACE), "&": ("", CELL)}  # fmt: skip


@dataclass(slots=True)
class _Unit:
    """One printed piece: its text, its kind (spacing) and whether it is a bracketed group."""

    text: str
    kind: str = ORD
    bracketed: bool = False


def readable(latex: str) -> str:
    """The formula ``latex`` (TeX math, without its ``\\( \\)`` or ``\\[ \\]``) as Unicode text."""
    return _joined(_Reader(latex).units(""))


class ReadableTexts:
    """The readable text of each formula a build asks for: taken from ``known`` (what an earlier
    build used, kept in memory under ``mkdocs serve`` and in the result cache's directory
    otherwise) when it is there, else made by :func:`readable`. :attr:`used` is what this build
    asked for, which the next one starts from."""

    def __init__(self, known: dict[str, str] | None = None) -> None:
        self.known = known or {}
        self.used: dict[str, str] = {}

    def text(self, latex: str) -> str:
        text = self.used.get(latex)
        if text is None:
            text = self.known.get(latex)
            if text is None:
                text = readable(latex)
            self.used[latex] = text
        return text

    def reuse(self, texts: dict[str, str]) -> None:
        """Count ``texts`` (formula to text, as :meth:`text` gave them) as asked for by this build."""
        self.used.update(texts)

    @property
    def changed(self) -> bool:
        """Whether this build asked for other formulas than the earlier one."""
        return self.used != self.known


class _Reader:
    """Reads TeX tokens into units; groups, scripts and arguments are read recursively.

    The tokens are kept reversed, so that the next one is popped off the end.
    """

    def __init__(self, latex: str) -> None:
        self.tokens = _TOKEN.findall(_FONT_COMMAND.sub(" ", latex))
        self.tokens.reverse()

    def units(self, closer: str) -> list[_Unit]:
        """Units until ``closer`` (``}``, a bar, ``close`` for any closing delimiter, ``end``)
        or the end of the input; the closer is consumed."""
        return self._read(closer)[0]

    def _read(self, closer: str) -> tuple[list[_Unit], str]:
        """:meth:`units`, and the closing delimiter that ended them (empty if none did)."""
        units: list[_Unit] = []
        tokens = self.tokens
        while tokens:
            token = tokens.pop()
            if token not in _STRUCTURE:
                unit = self._unit(token)
                if unit is None:
                    continue
                if unit.kind == END:
                    if closer == "end":
                        break
                    continue
                units.append(unit)
            elif token == "}":
                if closer == "}":
                    break
            elif token in "^_":
                _attach(units, _script(token, _joined(self._argument())))
            elif token == "'":
                _attach(units, "′")
            else:
                side, delimiter = self._delimiter(token)
                if side == "close" or (side == "bar" and closer == delimiter):
                    if closer in ("close", delimiter):
                        return units, delimiter
                    units.append(_Unit(delimiter))
                elif side == "middle":
                    units.append(_Unit(delimiter, REL))
                else:
                    inner, closing = self._read(delimiter if side == "bar" else "close")
                    units.append(_Unit(f"{delimiter}{_joined(inner)}{closing}", ORD, True))
        return units, ""

    def _delimiter(self, token: str) -> tuple[str, str]:
        """Whether ``token`` (with the delimiter after it, for ``\\left`` and ``\\big``) opens,
        closes, may do either (a bar) or stands between (``\\middle``), and the delimiter as
        printed (``\\left.`` prints none)."""
        if token in SIZED:
            side = SIZED[token]
            token = self.tokens.pop() if self.tokens else "."
            if side is not None:
                return side, _DELIMITERS.get(token, "" if token == "." else token)
        if token in OPENING:
            return "open", OPENING[token]
        if token in CLOSING:
            return "close", CLOSING[token]
        return "bar", BARS.get(token, token)

    def _argument(self) -> list[_Unit]:
        """A command's argument: a braced group or the next single unit (with its own
        arguments, as in ``^\\text T``)."""
        if not self.tokens:
            return []
        token = self.tokens.pop()
        if token == "{":
            return self.units("}")
        unit = self._unit(token)
        return [] if unit is None else [unit]

    def _unit(self, token: str) -> _Unit | None:
        """The unit of one token and its arguments (None for a token that prints nothing)."""
        if token in CHARACTERS:
            return _Unit(*CHARACTERS[token])
        if token == "{":
            return _Unit(_joined(self.units("}")))
        if token[0] != "\\":
            return _Unit(token)
        name, _, argument = token[1:].partition("{")
        name = name.rstrip()
        handler = _COMMANDS.get(name)
        if handler is not None:
            return handler(self, name, argument[:-1])
        if name in SYMBOLS:
            return _Unit(*SYMBOLS[name])
        if name in SPACES or not name.strip():
            return _Unit(" ", SPACE)
        if name in IGNORED:
            return None
        return _Unit(token, WORDS)

    def _math_operator(self, name: str, argument: str) -> _Unit:
        return _Unit(_joined(self._argument()), OP)

    def _text(self, name: str, argument: str) -> _Unit:
        if not argument and self.tokens:
            argument = self.tokens.pop()
        words = " ".join(argument.split())
        return _Unit(words, WORDS if " " in words or len(words) > 1 else ORD)

    def _operator_name(self, name: str, argument: str) -> _Unit:
        return _Unit(" ".join(argument.split()), OP)

    def _function(self, name: str, argument: str) -> _Unit:
        return _Unit(name, OP)

    def _large(self, name: str, argument: str) -> _Unit:
        return _Unit(LARGE_OPERATORS[name], LARGE)

    def _double_struck(self, name: str, argument: str) -> _Unit:
        letters = _joined(self._argument())
        return _Unit("".join(DOUBLE_STRUCK.get(letter, letter) for letter in letters))

    def _accent(self, name: str, argument: str) -> _Unit:
        text = _joined(self._argument())
        mark = ACCENTS[name]
        return _Unit(f"{text}{mark}" if len(text) == 1 else f"({text}){mark}")

    def _fraction(self, name: str, argument: str) -> _Unit:
        numerator, denominator = self._argument(), self._argument()
        return _Unit(f"{_fraction_part(numerator)}/{_fraction_part(denominator)}", FRACTION)

    def _root(self, name: str, argument: str) -> _Unit:
        degree = ""
        if self.tokens and self.tokens[-1] == "[":
            self.tokens.pop()
            degree = _joined(self.units("close"))
        radicand = self._argument()
        sign = {"": "√", "3": "∛", "4": "∜"}.get(degree)
        if sign is None:
            sign = _script("^", degree) + "√"
        return _Unit(sign + _wrapped(radicand))

    def _dropped(self, name: str, argument: str) -> None:
        self._argument()

    def _environment(self, name: str, argument: str) -> _Unit:
        environment = argument
        if environment == "array":
            self._argument()
        units = self.units("end")
        if environment not in MATRICES:
            return _Unit(_joined(units))
        opening, closing = MATRICES[environment]
        rows = _split(units, ROW)
        text = "; ".join(", ".join(_joined(cell) for cell in _split(row, CELL)) for row in rows)
        return _Unit(f"{opening}{text}{closing}", ORD, bool(opening))

    def _row(self, name: str, argument: str) -> _Unit:
        return _Unit("", ROW)

    def _end(self, name: str, argument: str) -> _Unit:
        return _Unit("", END)


_COMMANDS: dict[str, Callable[[_Reader, str, str], _Unit | None]] = {
    "mathop": _Reader._math_operator,
    **dict.fromkeys(TEXTS, _Reader._text),
    **dict.fromkeys(("operatorname", "operatorname*"), _Reader._operator_name),
    **dict.fromkeys(FUNCTION_NAMES, _Reader._function),
    **dict.fromkeys(LARGE_OPERATORS, _Reader._large),
    **dict.fromkeys(("mathbb", "Bbb"), _Reader._double_struck),
    **dict.fromkeys(ACCENTS, _Reader._accent),
    **dict.fromkeys(FRACTIONS, _Reader._fraction),
    "sqrt": _Reader._root,
    **dict.fromkeys(DROPPED, _Reader._dropped),
    "begin": _Reader._environment,
    "end": _Reader._end,
    "\\": _Reader._row,
}
_STRUCTURE = frozenset(("}", "^", "_", "'", *SIZED, *OPENING, *CLOSING, *BARS))


def _script(mark: str, text: str) -> str:
    """``text`` as a superscript (``mark`` ``^``) or subscript (``_``): in script characters if
    Unicode has one for each of its characters, else after the mark."""
    text = text.replace(" ", "")
    table = SUPERSCRIPTS if mark == "^" else SUBSCRIPTS
    if text and all(character in table for character in text):
        return "".join(table[character] for character in text)
    return f"{mark}({text})" if len(text) > 1 else f"{mark}{text}"


def _attach(units: list[_Unit], text: str) -> None:
    """``text`` (a script, a prime) appended to the last unit; successive primes become one
    character (``f''`` reads ``f″``)."""
    if not units:
        units.append(_Unit(""))
    units[-1].text = (units[-1].text + text).replace("′′", "″").replace("″′", "‴")


def _split(units: list[_Unit], kind: str) -> list[list[_Unit]]:
    parts: list[list[_Unit]] = [[]]
    for unit in units:
        if unit.kind == kind:
            parts.append([])
        else:
            parts[-1].append(unit)
    return parts


def _joined(units: list[_Unit]) -> str:
    """The units as one line, each kind spaced by its rule (see the module's docstring)."""
    if len(units) == 1 and units[0].kind == ORD:
        return units[0].text
    parts: list[str] = []
    previous = ""
    for index, unit in enumerate(units):
        kind, text = unit.kind, unit.text
        if kind == ORD or (kind == BIN and previous in _BEFORE_A_SIGN):
            parts.append(text)
        elif kind in (BIN, REL, WORDS):
            parts.append(f" {text} ")
        elif kind == FRACTION:
            parts.append(f" {text} " if previous in (ORD, OP, FRACTION) else f"{text} ")
        elif kind == PUNCT:
            parts.append(f"{text} ")
        elif kind in (OP, LARGE):
            following = units[index + 1] if index + 1 < len(units) else None
            before = " " if previous in (ORD, OP) and parts[-1][-1:] not in "/(" else ""
            after = "" if following is None or following.bracketed else " "
            parts.append(f"{before}{text}{after}")
        else:
            parts.append(" ")
        previous = kind
    line = "".join(parts)
    return (_SPACE_RUN.sub(" ", line) if "  " in line else line).strip()


def _single(units: list[_Unit]) -> bool:
    """Whether ``units`` read as one factor (or none): one unit, or a function applied to
    brackets."""
    return len(units) < 2 or (len(units) == 2 and units[0].kind == OP and units[1].bracketed)


def _wrapped(units: list[_Unit]) -> str:
    text = _joined(units)
    return text if _single(units) else f"({text})"


def _differential(unit: _Unit) -> bool:
    return (
        unit.kind == ORD
        and unit.text[:1] in DIFFERENTIALS
        and (len(unit.text) == 1 or all(c in SUPERSCRIPTS.values() for c in unit.text[1:]))
    )


def _fraction_part(units: list[_Unit]) -> str:
    """A numerator or denominator: ``∂f``, ``∂(aᵀXb)``, ``(∂x ∂xᵀ)``, ``2`` or ``(a + b)``."""
    units = [unit for unit in units if unit.kind != SPACE]
    if len(units) < 2 or not _differential(units[0]):
        return _wrapped(units)
    pairs = [units[index : index + 2] for index in range(0, len(units), 2)]
    if len(pairs) > 1 and all(
        len(pair) == 2 and _differential(pair[0]) and not _differential(pair[1]) for pair in pairs
    ):
        return f"({' '.join(pair[0].text + pair[1].text for pair in pairs)})"
    return units[0].text + _wrapped(units[1:])
