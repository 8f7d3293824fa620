"""LaTeX math turned into readable, unambiguous Unicode for the terminal.

Cards write formulas in Markdown as ``$...$`` and ``$$...$$``. A terminal cannot typeset them, so this module
parses each formula with pylatexenc's `LatexWalker` (using macro specs of our own, so that ``\\frac``,
``\\sqrt``, accents, ``\\left``/``\\right`` and the ``^``/``_`` scripts receive their arguments) and walks the
node tree into a line of text that reads the way a person would write the formula by hand:

* ``\\sigma(x) = \\frac{1}{1+e^{-x}}`` → ``σ(x) = 1/(1 + e⁻ˣ)``: numerators and denominators that are not
  a single term are parenthesised, and so is a fraction that something multiplies from the right;
* ``\\sum_{k=1}^{K} y_k \\log \\hat{y}_k`` → ``∑ₖ₌₁ᴷ yₖ log ŷₖ``: Unicode sub- and superscripts when every
  character has one, else ``x_(ab)`` / ``x^(1/2)``; combining accents (NFC-composed where possible);
* ``\\left\\lfloor \\frac{H+2p-k}{s} \\right\\rfloor + 1`` → ``⌊(H + 2p − k)/s⌋ + 1``: binary operators and
  relations get one space on each side, the minus sign is U+2212, juxtaposition stays tight;
* matrices become ``[a b; c d]``, ``\\mathbb{R}`` becomes ``ℝ``; unknown macros keep their name.

Conversion never raises: a formula pylatexenc cannot parse (unbalanced braces, a missing argument) is
returned as written, so the person still sees it.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from pylatexenc.latexwalker import (
    LatexCharsNode,
    LatexCommentNode,
    LatexEnvironmentNode,
    LatexGroupNode,
    LatexMacroNode,
    LatexMathNode,
    LatexSpecialsNode,
    LatexWalker,
    LatexWalkerError,
)
from pylatexenc.macrospec import (
    EnvironmentSpec,
    LatexContextDb,
    MacroSpec,
    MacroStandardArgsParser,
    SpecialsSpec,
)

from cvquiz.mathtext import MathSegment, extract_math, split_math

__all__ = ["MathSegment", "extract_math", "latex_to_unicode", "render_math_in_text", "split_math"]

# ---------------------------------------------------------------------------------------------------
# Character tables

_GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",  # \epsilon is the lunate ϵ in print, but readers know ε
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "vartheta": "ϑ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "omicron": "ο",
    "pi": "π",
    "varpi": "ϖ",
    "rho": "ρ",
    "varrho": "ϱ",
    "sigma": "σ",
    "varsigma": "ς",
    "tau": "τ",
    "upsilon": "υ",
    "phi": "φ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Xi": "Ξ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Upsilon": "Υ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
}

_ORDINARY = {
    **_GREEK,
    "infty": "∞",
    "partial": "∂",
    "nabla": "∇",
    "forall": "∀",
    "exists": "∃",
    "nexists": "∄",
    "emptyset": "∅",
    "varnothing": "∅",
    "ell": "ℓ",
    "hbar": "ℏ",
    "imath": "ı",
    "jmath": "ȷ",
    "Re": "ℜ",
    "Im": "ℑ",
    "aleph": "ℵ",
    "prime": "′",
    "cdots": "⋯",
    "ldots": "…",
    "dots": "…",
    "dotsc": "…",
    "dotsb": "⋯",
    "vdots": "⋮",
    "ddots": "⋱",
    "top": "⊤",
    "intercal": "⊤",
    "bot": "⊥",
    "dagger": "†",
    "angle": "∠",
    "degree": "°",
    "checkmark": "✓",
    "square": "□",
    "triangle": "△",
    "neg": "¬",
    "lnot": "¬",
    "%": "%",
    "#": "#",
    "&": "&",
    "$": "$",
    "_": "_",
    "@": "@",
    "backslash": "∖",
}

_BINARY = {
    "cdot": "·",
    "times": "×",
    "div": "÷",
    "pm": "±",
    "mp": "∓",
    "odot": "⊙",
    "otimes": "⊗",
    "oplus": "⊕",
    "ominus": "⊖",
    "circ": "∘",
    "ast": "∗",
    "star": "⋆",
    "bullet": "•",
    "cup": "∪",
    "cap": "∩",
    "setminus": "∖",
    "wedge": "∧",
    "land": "∧",
    "vee": "∨",
    "lor": "∨",
    "bmod": "mod",
    "mod": "mod",
}

_RELATION = {
    "leq": "≤",
    "le": "≤",
    "leqslant": "≤",
    "geq": "≥",
    "ge": "≥",
    "geqslant": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "equiv": "≡",
    "sim": "∼",
    "simeq": "≃",
    "cong": "≅",
    "propto": "∝",
    "in": "∈",
    "notin": "∉",
    "ni": "∋",
    "subset": "⊂",
    "subseteq": "⊆",
    "supset": "⊃",
    "supseteq": "⊇",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "gets": "←",
    "leftrightarrow": "↔",
    "Rightarrow": "⇒",
    "Leftarrow": "⇐",
    "Leftrightarrow": "⇔",
    "implies": "⟹",
    "impliedby": "⟸",
    "iff": "⟺",
    "longrightarrow": "⟶",
    "longleftarrow": "⟵",
    "mapsto": "↦",
    "uparrow": "↑",
    "downarrow": "↓",
    "ll": "≪",
    "gg": "≫",
    "mid": "|",
    "nmid": "∤",
    "parallel": "∥",
    "perp": "⊥",
    "coloneqq": "≔",
    "triangleq": "≜",
    "doteq": "≐",
    "models": "⊨",
    "vdash": "⊢",
    "prec": "≺",
    "succ": "≻",
    "preceq": "⪯",
    "succeq": "⪰",
}

_NAMED_OPERATORS = frozenset(
    {
        "log",
        "ln",
        "lg",
        "exp",
        "sin",
        "cos",
        "tan",
        "cot",
        "sec",
        "csc",
        "arcsin",
        "arccos",
        "arctan",
        "sinh",
        "cosh",
        "tanh",
        "coth",
        "max",
        "min",
        "sup",
        "inf",
        "lim",
        "liminf",
        "limsup",
        "arg",
        "argmax",
        "argmin",
        "det",
        "dim",
        "ker",
        "hom",
        "deg",
        "gcd",
        "lcm",
        "Pr",
        "tr",
        "Tr",
        "diag",
        "sgn",
        "sign",
        "rank",
        "Var",
        "Cov",
        "softmax",
    }
)

_BIG_OPERATORS = {
    "sum": "∑",
    "prod": "∏",
    "coprod": "∐",
    "int": "∫",
    "iint": "∬",
    "iiint": "∭",
    "oint": "∮",
    "bigcup": "⋃",
    "bigcap": "⋂",
    "bigoplus": "⨁",
    "bigotimes": "⨂",
    "bigodot": "⨀",
    "bigvee": "⋁",
    "bigwedge": "⋀",
}

_ACCENTS = {
    "hat": "\u0302",
    "widehat": "\u0302",
    "check": "\u030c",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "bar": "\u0304",
    "overline": "\u0305",
    "underline": "\u0332",
    "vec": "\u20d7",
    "overrightarrow": "\u20d7",
    "dot": "\u0307",
    "ddot": "\u0308",
    "breve": "\u0306",
    "acute": "\u0301",
    "grave": "\u0300",
    "mathring": "\u030a",
}

_OPENING = {
    "lfloor": "⌊",
    "lceil": "⌈",
    "langle": "⟨",
    "lvert": "|",
    "lVert": "‖",
    "{": "{",
    "lbrace": "{",
    "lbrack": "[",
    "ulcorner": "⌜",
}
_CLOSING = {
    "rfloor": "⌋",
    "rceil": "⌉",
    "rangle": "⟩",
    "rvert": "|",
    "rVert": "‖",
    "}": "}",
    "rbrace": "}",
    "rbrack": "]",
    "urcorner": "⌝",
}
_BARS = {"|": "‖", "vert": "|", "Vert": "‖"}
_OPEN_CHARS = "([{⌊⌈⟨"
_CLOSE_CHARS = ")]}⌋⌉⟩"

_SPACING = {
    ",": 1,
    ":": 1,
    ";": 1,
    ">": 1,
    " ": 1,
    "thinspace": 1,
    "medspace": 1,
    "thickspace": 1,
    "enspace": 1,
    "quad": 2,
    "qquad": 4,
    "!": 0,
    "negthinspace": 0,
    "negmedspace": 0,
    "negthickspace": 0,
}

_IGNORED = frozenset(
    {
        "displaystyle",
        "textstyle",
        "scriptstyle",
        "scriptscriptstyle",
        "limits",
        "nolimits",
        "nonumber",
        "notag",
        "mathstrut",
        "strut",
        "allowbreak",
        "relax",
    }
)

_DOUBLE_STRUCK = {
    "C": "ℂ",
    "H": "ℍ",
    "N": "ℕ",
    "P": "ℙ",
    "Q": "ℚ",
    "R": "ℝ",
    "Z": "ℤ",
    "E": "𝔼",
    "1": "𝟙",
}
# Only the script capitals in the Basic Multilingual Plane, which every terminal font has.
_SCRIPT = {
    "B": "ℬ",
    "E": "ℰ",
    "F": "ℱ",
    "H": "ℋ",
    "I": "ℐ",
    "L": "ℒ",
    "M": "ℳ",
    "R": "ℛ",
}

_SUPERSCRIPTS = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδεθιφχ⊤′*∗†∘°",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᵋᶿᶥᵠᵡᵀ′**†°°",
        strict=True,
    )
)
_SUBSCRIPTS = dict(
    zip(
        "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)
_SCRIPT_CHARS = frozenset(_SUPERSCRIPTS.values()) | frozenset(_SUBSCRIPTS.values())

_NEGATED = {
    "=": "≠",
    "∈": "∉",
    "<": "≮",
    ">": "≯",
    "≤": "≰",
    "≥": "≱",
    "⊂": "⊄",
    "⊆": "⊈",
    "∼": "≁",
    "≡": "≢",
    "|": "∤",
}

_ROOTS = {"": "√", "2": "√", "3": "∛", "4": "∜"}

_MATRIX_DELIMITERS = {
    "matrix": ("[", "]"),
    "smallmatrix": ("[", "]"),
    "array": ("[", "]"),
    "bmatrix": ("[", "]"),
    "pmatrix": ("(", ")"),
    "vmatrix": ("|", "|"),
    "Vmatrix": ("‖", "‖"),
    "Bmatrix": ("{", "}"),
}

_TEXT_MACROS = frozenset(
    {"text", "textrm", "textbf", "textit", "textsf", "texttt", "textnormal", "mbox", "hbox"}
)
_FONT_MACROS = frozenset(
    {
        "mathbf",
        "mathrm",
        "mathit",
        "mathsf",
        "mathtt",
        "mathnormal",
        "mathfrak",
        "boldsymbol",
        "bm",
        "mathord",
    }
)
_SIZED_DELIMITERS = frozenset(
    f"{size}{side}" for size in ("big", "Big", "bigg", "Bigg") for side in ("", "l", "r", "m")
)

_MAX_NESTING = 60

# ---------------------------------------------------------------------------------------------------
# pylatexenc context: which macros take which arguments


def _build_context() -> LatexContextDb:
    one_arg = [
        *_ACCENTS,
        *_FONT_MACROS,
        *_TEXT_MACROS,
        "mathcal",
        "mathscr",
        "mathbb",
        "mathop",
        "mathbin",
        "mathrel",
        "boxed",
        "underbrace",
        "overbrace",
        "cancel",
        "phantom",
        "hphantom",
        "vphantom",
        "color",
        "label",
        "pmod",
        "not",
        "left",
        "right",
        "middle",
        "substack",
        *_SIZED_DELIMITERS,
    ]
    two_args = [
        "frac",
        "dfrac",
        "tfrac",
        "cfrac",
        "binom",
        "dbinom",
        "tbinom",
        "overset",
        "underset",
        "stackrel",
        "textcolor",
    ]
    macros = [MacroSpec(name, "{") for name in one_arg]
    macros += [MacroSpec(name, "{{") for name in two_args]
    macros += [
        MacroSpec("sqrt", "[{"),
        MacroSpec("operatorname", "*{"),
        MacroSpec("hspace", "*{"),
        MacroSpec("vspace", "*{"),
        MacroSpec("tag", "*{"),
        MacroSpec("xrightarrow", "[{"),
        MacroSpec("xleftarrow", "[{"),
        MacroSpec("\\", "*["),
    ]
    environments = [
        EnvironmentSpec("array", "{"),
        EnvironmentSpec("subarray", "{"),
        EnvironmentSpec("alignat", "{"),
        EnvironmentSpec("alignat*", "{"),
    ]
    scripts = MacroStandardArgsParser("{")
    specials = [
        SpecialsSpec("&"),
        SpecialsSpec("~"),
        SpecialsSpec("^", args_parser=scripts),
        SpecialsSpec("_", args_parser=scripts),
    ]
    db = LatexContextDb()
    db.add_context_category(
        "cvquiz-math", macros=macros, environments=environments, specials=specials
    )
    db.set_unknown_macro_spec(MacroSpec(""))
    db.set_unknown_environment_spec(EnvironmentSpec(""))
    return db


_CONTEXT = _build_context()

# ---------------------------------------------------------------------------------------------------
# Tokens: the rendered pieces of one level of a formula, before spacing is decided


class _Kind(enum.Enum):
    ATOM = enum.auto()  # a letter, number, symbol or anything already rendered as one unit
    TEXT = enum.auto()  # a word from \text{...}
    BIN = enum.auto()  # + − × · ...: spaced when binary, tight when unary
    REL = enum.auto()  # = < ≤ → ∈ ...: always spaced
    PUNCT = enum.auto()  # , ;: a space after
    OPEN = enum.auto()
    CLOSE = enum.auto()
    SLASH = enum.auto()  # a / typed in the formula
    NAMEDOP = enum.auto()  # log, max, ...: a space after unless a bracket follows
    BIGOP = enum.auto()  # ∑ ∏ ∫ with their limits: a space after
    FRAC = enum.auto()  # a fraction, num/den, parenthesised later if its neighbours need it
    SPACE = enum.auto()  # explicit spacing (\, \quad ~ and spaces in \text)


@dataclass(frozen=True)
class _Tok:
    kind: _Kind
    text: str
    width: int = 0  # SPACE only
    numeric: bool = False  # an ATOM that is a number
    has_sup: bool = False  # carries a superscript (√x² would be ambiguous)
    loose_end: bool = False  # ends in a script written with _ or ^ and no brackets, like "∇_z"


_UNARY_CONTEXT = frozenset(
    {_Kind.OPEN, _Kind.BIN, _Kind.REL, _Kind.PUNCT, _Kind.BIGOP, _Kind.NAMEDOP}
)
_TERM_END = frozenset({_Kind.ATOM, _Kind.TEXT, _Kind.CLOSE, _Kind.FRAC})


class _TooDeep(Exception):
    """The formula nests deeper than any real formula; shown as written instead."""


def _is_unary(toks: Sequence[_Tok], index: int) -> bool:
    return toks[index].kind is _Kind.BIN and (index == 0 or toks[index - 1].kind in _UNARY_CONTEXT)


def _wrap_fractions(toks: Sequence[_Tok]) -> list[_Tok]:
    """Parenthesise fractions that a neighbour would otherwise run into: (1/2)x, (a/b)/c, log(a/b)."""
    result = []
    for index, tok in enumerate(toks):
        if tok.kind is _Kind.FRAC:
            prev = toks[index - 1].kind if index > 0 else None
            nxt = toks[index + 1].kind if index + 1 < len(toks) else None
            after_ok = nxt in (None, _Kind.BIN, _Kind.REL, _Kind.PUNCT, _Kind.CLOSE)
            before_ok = prev not in (_Kind.SLASH, _Kind.FRAC, _Kind.NAMEDOP)
            if not (after_ok and before_ok):
                tok = _Tok(_Kind.ATOM, f"({tok.text})")
        result.append(tok)
    return result


def _soft_space(toks: Sequence[_Tok], index: int) -> bool:
    """Whether the formula reads better with a space between toks[index - 1] and toks[index]."""
    a, b = toks[index - 1], toks[index]
    if a.kind is _Kind.OPEN or b.kind is _Kind.CLOSE:
        return False
    if a.kind is _Kind.BIN and not _is_unary(toks, index - 1):
        return True
    if b.kind is _Kind.BIN and not _is_unary(toks, index):
        return True
    if a.kind in (_Kind.REL, _Kind.PUNCT, _Kind.BIGOP) or b.kind is _Kind.REL:
        return True
    if b.kind in (_Kind.BIGOP, _Kind.NAMEDOP) and a.kind in (*_TERM_END, _Kind.NAMEDOP):
        return True
    if a.kind is _Kind.NAMEDOP:
        return not (b.kind is _Kind.OPEN and b.text in "([") and not b.text.startswith("(")
    return a.loose_end and b.kind in (*_TERM_END, _Kind.OPEN, _Kind.NAMEDOP)


def _join(toks: Sequence[_Tok], *, compact: bool) -> str:
    """Lay tokens out on one line. Compact (inside scripts) drops the automatic spaces."""
    significant: list[_Tok] = []
    gaps: list[int] = []  # explicit space before each significant token
    gap = 0
    for tok in toks:
        if tok.kind is _Kind.SPACE:
            gap = max(gap, tok.width)
        else:
            significant.append(tok)
            gaps.append(gap)
            gap = 0
    significant = _wrap_fractions(significant)
    out = []
    for index, tok in enumerate(significant):
        if index > 0:
            prev = significant[index - 1]
            width = gaps[index]
            if prev.kind is _Kind.OPEN or tok.kind is _Kind.CLOSE:
                width = 0
            elif not compact and _soft_space(significant, index):
                width = max(width, 1)
            out.append(" " * width)
        out.append(tok.text)
    return "".join(out)


def _units(toks: Sequence[_Tok], derivative: bool) -> list[str] | None:
    """The top-level terms of a juxtaposition, or None when an operator makes it compound."""
    units: list[str] = []
    depth = 0
    for index, tok in enumerate(toks):
        if tok.kind is _Kind.OPEN:
            if depth == 0:
                units.append("group")
            depth += 1
            continue
        if tok.kind is _Kind.CLOSE:
            depth = max(0, depth - 1)
            continue
        if depth > 0:
            continue
        if tok.kind in (_Kind.BIN, _Kind.REL, _Kind.PUNCT, _Kind.SLASH, _Kind.BIGOP, _Kind.FRAC):
            return None
        if tok.kind is _Kind.SPACE or (tok.loose_end and index + 1 < len(toks)):
            return None
        if tok.kind is _Kind.NAMEDOP:
            following = toks[index + 1] if index + 1 < len(toks) else None
            if following is None or following.kind is not _Kind.OPEN:
                return None  # "log x": the operator's argument is not delimited
            units.append("call")
        elif tok.text in ("∂", "d") and (tok.text == "∂" or derivative):
            units.append("differential")
        elif tok.numeric:
            units.append("number")
        else:
            units.append("symbol")
    return units


def _single_term(toks: Sequence[_Tok], *, derivative: bool = False) -> bool:
    """Whether a denominator (or root) can go without brackets: x, 2, σ(x), |x|, ∂z, exp(x)."""
    units = _units(toks, derivative)
    if units is None or not units:
        return units is not None
    if len(units) == 1:
        return True
    if units in (["symbol", "group"], ["call", "group"]):
        return True
    pairs = [units[i : i + 2] for i in range(0, len(units), 2)]
    return all(pair == ["differential", "symbol"] for pair in pairs)


def _product(toks: Sequence[_Tok]) -> bool:
    """Whether a numerator can go without brackets: no operator outside brackets, no loose spacing."""
    return _units(toks, derivative=False) is not None


def _to_script(text: str, table: dict[str, str], marker: str) -> tuple[str, bool]:
    """A sub- or superscript in Unicode when every character has a form, else marker + (text)."""
    text = unicodedata.normalize("NFC", text)
    if not text:
        return "", False
    if all(c in table for c in text):
        return "".join(table[c] for c in text), False
    if len(text) == 1:
        return marker + text, True
    if _bracketed(text):
        return marker + text, False  # PE_(pos,2i) rather than PE_((pos,2i))
    return f"{marker}({text})", False


def _bracketed(text: str) -> bool:
    """Whether text is one bracket pair around the rest: (a,b) yes, (a)(b) no."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for index, c in enumerate(text):
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth == 0 and index < len(text) - 1:
            return False
    return depth == 0


def _accent(text: str, mark: str) -> str:
    if len(text) == 1:
        return text + mark
    return "".join(
        c + mark if unicodedata.category(c)[0] in "LN" and c not in _SCRIPT_CHARS else c
        for c in text
    )


def _bar_opens(out: Sequence[_Tok], bar: str) -> bool | None:
    """Decide whether a | or ‖ opens (True), closes (False) or stands alone (None), from what precedes."""
    depth = 0
    for tok in reversed(out):
        if tok.kind is _Kind.CLOSE:
            depth += 1
        elif tok.kind is _Kind.OPEN:
            if depth == 0:
                if tok.text == bar:
                    return False
                break
            depth -= 1
    previous = next((tok for tok in reversed(out) if tok.kind is not _Kind.SPACE), None)
    if previous is None or previous.kind in _UNARY_CONTEXT:
        return True
    return None


# ---------------------------------------------------------------------------------------------------
# Walking the pylatexenc node tree


def _arg_nodes(node: object) -> list[object]:
    if node is None:
        return []
    if isinstance(node, LatexGroupNode):
        return list(node.nodelist)
    return [node]


class _Renderer:
    def __init__(self) -> None:
        self.depth = 0
        self.unknown_macro = False  # set by macro() when the name was not recognised

    def toks(self, nodes: Sequence[object], *, text_mode: bool = False) -> list[_Tok]:
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise _TooDeep
        out: list[_Tok] = []
        after_unknown_macro = False
        for node in nodes:
            if after_unknown_macro and isinstance(node, LatexGroupNode):
                # \relu{x}: the group is probably the unknown macro's argument.
                out.append(_Tok(_Kind.OPEN, "("))
                self.node(node, out, text_mode)
                out.append(_Tok(_Kind.CLOSE, ")"))
                continue
            self.unknown_macro = False
            self.node(node, out, text_mode)
            after_unknown_macro = self.unknown_macro
        self.depth -= 1
        return out

    def string(self, nodes: Sequence[object], *, compact: bool = False) -> str:
        return _join(self.toks(nodes), compact=compact)

    # -- nodes ----------------------------------------------------------------------------------

    def node(self, node: object, out: list[_Tok], text_mode: bool) -> None:
        if isinstance(node, LatexCharsNode):
            if text_mode:
                _text_chars(node.chars, out)
            else:
                _math_chars(node.chars, out)
        elif isinstance(node, LatexGroupNode):
            inner = self.toks(node.nodelist, text_mode=text_mode)
            if [t.kind for t in inner] == [_Kind.PUNCT]:
                inner = [_Tok(_Kind.ATOM, inner[0].text)]  # 1{,}792: a comma inside a number
            out.extend(inner)
        elif isinstance(node, LatexMathNode):
            out.extend(self.toks(node.nodelist))
        elif isinstance(node, LatexMacroNode):
            self.macro(node, out, text_mode)
        elif isinstance(node, LatexSpecialsNode):
            self.specials(node, out)
        elif isinstance(node, LatexEnvironmentNode):
            out.append(self.environment(node))
        elif isinstance(node, LatexCommentNode):
            pass

    def specials(self, node: LatexSpecialsNode, out: list[_Tok]) -> None:
        chars = node.specials_chars
        if chars in ("^", "_"):
            args = node.nodeargd.argnlist if node.nodeargd is not None else []
            body = self.string(_arg_nodes(args[0] if args else None), compact=True)
            if chars == "^":
                script, loose = _to_script(body, _SUPERSCRIPTS, "^")
            else:
                script, loose = _to_script(body, _SUBSCRIPTS, "_")
            _attach(out, script, loose=loose, sup=chars == "^")
        else:  # & outside an environment, ~
            out.append(_Tok(_Kind.SPACE, " ", width=1))

    def args(self, node: LatexMacroNode) -> list[object]:
        return list(node.nodeargd.argnlist) if node.nodeargd is not None else []

    def macro(self, node: LatexMacroNode, out: list[_Tok], text_mode: bool) -> None:
        name = node.macroname
        args = self.args(node)
        if name in _SPACING:
            if _SPACING[name]:
                out.append(_Tok(_Kind.SPACE, " ", width=_SPACING[name]))
        elif name in _IGNORED or name in ("label", "tag", "phantom", "vphantom", "color"):
            pass
        elif name == "hphantom" or name == "hspace":
            out.append(_Tok(_Kind.SPACE, " ", width=1))
        elif name == "vspace":
            pass
        elif name in _ORDINARY:
            out.append(_Tok(_Kind.ATOM, _ORDINARY[name]))
        elif name in _BINARY:
            out.append(_Tok(_Kind.BIN, _BINARY[name]))
        elif name in _RELATION:
            out.append(_Tok(_Kind.REL, _RELATION[name]))
        elif name in _NAMED_OPERATORS:
            out.append(_Tok(_Kind.NAMEDOP, name))
        elif name in _BIG_OPERATORS:
            out.append(_Tok(_Kind.BIGOP, _BIG_OPERATORS[name]))
        elif name in _OPENING:
            out.append(_Tok(_Kind.OPEN, _OPENING[name]))
        elif name in _CLOSING:
            out.append(_Tok(_Kind.CLOSE, _CLOSING[name]))
        elif name in _BARS:
            _bar(out, _BARS[name])
        elif name in _ACCENTS:
            body = self.string(_arg_nodes(args[0] if args else None))
            out.append(_Tok(_Kind.ATOM, _accent(body, _ACCENTS[name])))
        elif name in ("frac", "dfrac", "tfrac", "cfrac"):
            out.append(self.fraction(args))
        elif name in ("binom", "dbinom", "tbinom"):
            out.extend(self.binomial(args))
        elif name == "sqrt":
            out.append(self.root(args))
        elif name in ("left", "right", "middle") or name in _SIZED_DELIMITERS:
            self.delimiter(name, args, out)
        elif name in ("mathbb", "mathcal", "mathscr"):
            table = _DOUBLE_STRUCK if name == "mathbb" else _SCRIPT
            body = self.string(_arg_nodes(args[0] if args else None), compact=True)
            out.append(_Tok(_Kind.ATOM, "".join(table.get(c, c) for c in body)))
        elif name in _FONT_MACROS:
            out.extend(_merge_word(self.toks(_arg_nodes(args[0] if args else None))))
        elif name in _TEXT_MACROS:
            out.extend(self.toks(_arg_nodes(args[0] if args else None), text_mode=True))
        elif name in ("operatorname", "mathop"):
            body = self.string(_arg_nodes(args[-1] if args else None), compact=True)
            out.append(_Tok(_Kind.NAMEDOP, body))
        elif name == "mathbin":
            out.append(_Tok(_Kind.BIN, self.string(_arg_nodes(args[0] if args else None))))
        elif name == "mathrel":
            out.append(_Tok(_Kind.REL, self.string(_arg_nodes(args[0] if args else None))))
        elif name in ("boxed", "underbrace", "overbrace", "cancel", "substack"):
            out.extend(self.toks(_arg_nodes(args[0] if args else None)))
        elif name in ("overset", "underset", "stackrel", "textcolor"):
            out.extend(self.toks(_arg_nodes(args[1] if len(args) > 1 else None)))
        elif name in ("xrightarrow", "xleftarrow"):
            out.append(_Tok(_Kind.REL, "→" if name == "xrightarrow" else "←"))
        elif name == "not":
            body = self.string(_arg_nodes(args[0] if args else None), compact=True)
            out.append(_Tok(_Kind.REL, _NEGATED.get(body, body + "\u0338")))
        elif name == "pmod":
            out.append(_Tok(_Kind.SPACE, " ", width=1))
            out.append(_Tok(_Kind.OPEN, "("))
            out.append(_Tok(_Kind.NAMEDOP, "mod"))
            out.extend(self.toks(_arg_nodes(args[0] if args else None)))
            out.append(_Tok(_Kind.CLOSE, ")"))
        elif name == "\\":
            out.append(_Tok(_Kind.PUNCT, ";"))
        elif text_mode and not name.isalpha():
            out.append(_Tok(_Kind.TEXT, name))
        else:
            # Unknown macro: its name is the best guess at what was meant (\relu → relu).
            out.append(_Tok(_Kind.ATOM, name))
            self.unknown_macro = True

    # -- constructs -----------------------------------------------------------------------------

    def fraction(self, args: list[object]) -> _Tok:
        num = self.toks(_arg_nodes(args[0] if args else None))
        den = self.toks(_arg_nodes(args[1] if len(args) > 1 else None))
        derivative = bool(num) and num[0].text.rstrip("".join(_SUPERSCRIPTS.values())) in ("d", "∂")
        num_text = _join(num, compact=False)
        den_text = _join(den, compact=False)
        if not _product(num):
            num_text = f"({num_text})"
        if not _single_term(den, derivative=derivative):
            den_text = f"({den_text})"
        return _Tok(_Kind.FRAC, f"{num_text}/{den_text}")

    def binomial(self, args: list[object]) -> list[_Tok]:
        n = self.toks(_arg_nodes(args[0] if args else None))
        k = self.toks(_arg_nodes(args[1] if len(args) > 1 else None))
        return [
            _Tok(_Kind.ATOM, "C"),
            _Tok(_Kind.OPEN, "("),
            *n,
            _Tok(_Kind.PUNCT, ","),
            *k,
            _Tok(_Kind.CLOSE, ")"),
        ]

    def root(self, args: list[object]) -> _Tok:
        degree = self.string(_arg_nodes(args[0] if args else None), compact=True)
        body = self.toks(_arg_nodes(args[1] if len(args) > 1 else None))
        if degree in _ROOTS:
            sign = _ROOTS[degree]
        else:
            script, _ = _to_script(degree, _SUPERSCRIPTS, "^")
            sign = script + "√"
        text = _join(body, compact=False)
        # √x and √2 need no brackets; √(x²), √(a + b) and √(σ(x)) do.
        if not (len(body) == 1 and body[0].kind is _Kind.ATOM and not body[0].has_sup):
            text = f"({text})"
        return _Tok(_Kind.ATOM, sign + text)

    def delimiter(self, name: str, args: list[object], out: list[_Tok]) -> None:
        nodes = _arg_nodes(args[0] if args else None)
        delim = ""
        if nodes:
            first = nodes[0]
            if isinstance(first, LatexCharsNode):
                delim = first.chars.strip()[:1]
            elif isinstance(first, LatexMacroNode):
                name_ = first.macroname
                delim = (
                    _OPENING.get(name_)
                    or _CLOSING.get(name_)
                    or _BARS.get(name_)
                    or _RELATION.get(name_)
                    or name_
                )
        if delim == ".":
            delim = ""
        if name == "middle" or name.endswith("m"):
            out.append(_Tok(_Kind.REL, delim))
        elif name == "left" or name.endswith("l"):
            out.append(_Tok(_Kind.OPEN, delim))
        elif name == "right" or name.endswith("r"):
            out.append(_Tok(_Kind.CLOSE, delim))
        elif delim in _OPEN_CHARS:
            out.append(_Tok(_Kind.OPEN, delim))
        elif delim in _CLOSE_CHARS:
            out.append(_Tok(_Kind.CLOSE, delim))
        else:
            _bar(out, delim)

    def environment(self, node: LatexEnvironmentNode) -> _Tok:
        rows: list[list[list[object]]] = [[[]]]
        for child in node.nodelist:
            if isinstance(child, LatexMacroNode) and child.macroname == "\\":
                rows.append([[]])
            elif isinstance(child, LatexSpecialsNode) and child.specials_chars == "&":
                rows[-1].append([])
            else:
                rows[-1][-1].append(child)
        cells = [[self.string(cell).strip() for cell in row] for row in rows]
        cells = [row for row in cells if any(row)]
        name = node.environmentname
        if name in _MATRIX_DELIMITERS:
            opening, closing = _MATRIX_DELIMITERS[name]
            separator = ", " if any(" " in cell for row in cells for cell in row) else " "
            body = "; ".join(separator.join(row) for row in cells)
            return _Tok(_Kind.ATOM, f"{opening}{body}{closing}")
        if name == "cases":
            body = "; ".join(", ".join(cell for cell in row if cell) for row in cells)
            return _Tok(_Kind.ATOM, f"{{{body}}}")
        # align, aligned, gathered, split, equation and unknown environments: & only aligns.
        return _Tok(_Kind.ATOM, "; ".join(" ".join(c for c in row if c) for row in cells))


def _attach(out: list[_Tok], script: str, *, loose: bool, sup: bool) -> None:
    if not script:
        return
    if out and out[-1].kind is not _Kind.SPACE:
        last = out[-1]
        if last.kind is _Kind.FRAC:
            last = _Tok(_Kind.ATOM, f"({last.text})")
        out[-1] = dataclasses.replace(
            last,
            text=last.text + script,
            has_sup=last.has_sup or sup,
            loose_end=loose,
            numeric=last.numeric and not sup,
        )
    else:
        out.append(_Tok(_Kind.ATOM, script, has_sup=sup, loose_end=loose))


def _bar(out: list[_Tok], bar: str) -> None:
    opens = _bar_opens(out, bar)
    if opens is None:
        out.append(_Tok(_Kind.ATOM, bar))
    else:
        out.append(_Tok(_Kind.OPEN if opens else _Kind.CLOSE, bar))


def _merge_word(toks: list[_Tok]) -> list[_Tok]:
    """\\mathrm{ReLU6} arrives as letters; one word is one term (it matters for brackets)."""
    if len(toks) > 1 and all(t.kind is _Kind.ATOM and not t.loose_end for t in toks):
        return [
            _Tok(
                _Kind.ATOM,
                "".join(t.text for t in toks),
                numeric=all(t.numeric for t in toks),
                has_sup=toks[-1].has_sup,
            )
        ]
    return toks


_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_RELATION_CHARS = "=<>≤≥≠≈≡∼∝∈∉⊂⊆⊃⊇→←↔⇒⇐⇔↦≪≫∥⊥≔"
_BINARY_CHARS = "+×·÷±∓⊙⊗⊕∘∪∩∧∨"
_TWO_CHAR_RELATIONS = {"<=": "≤", ">=": "≥", "!=": "≠", ":=": "≔", "->": "→"}


def _math_chars(chars: str, out: list[_Tok]) -> None:
    i = 0
    while i < len(chars):
        c = chars[i]
        pair = chars[i : i + 2]
        number = _NUMBER_RE.match(chars, i)
        if c.isspace():
            i += 1
            continue
        if pair in _TWO_CHAR_RELATIONS:
            out.append(_Tok(_Kind.REL, _TWO_CHAR_RELATIONS[pair]))
            i += 2
            continue
        if number:
            out.append(_Tok(_Kind.ATOM, number.group(), numeric=True))
            i = number.end()
            continue
        if c in "-−":
            out.append(_Tok(_Kind.BIN, "−"))
        elif c in _BINARY_CHARS or c == "*":
            out.append(_Tok(_Kind.BIN, c))
        elif c in _RELATION_CHARS or c == ":":
            out.append(_Tok(_Kind.REL, c))
        elif c in ",;":
            out.append(_Tok(_Kind.PUNCT, c))
        elif c in "([":
            out.append(_Tok(_Kind.OPEN, c))
        elif c in ")]":
            out.append(_Tok(_Kind.CLOSE, c))
        elif c in "|‖":
            _bar(out, c)
        elif c == "/":
            out.append(_Tok(_Kind.SLASH, "/"))
        elif c in "'′":
            _attach(out, "′", loose=False, sup=False)
        elif c == "!" and out and out[-1].kind is not _Kind.SPACE:
            _attach(out, "!", loose=False, sup=False)
        else:
            out.append(_Tok(_Kind.ATOM, c))
        i += 1


def _text_chars(chars: str, out: list[_Tok]) -> None:
    for piece in re.split(r"(\s+)", chars):
        if not piece:
            continue
        if piece.isspace():
            out.append(_Tok(_Kind.SPACE, " ", width=1))
        else:
            out.append(_Tok(_Kind.TEXT, piece))


# ---------------------------------------------------------------------------------------------------
# Public API


def _convert(expr: str) -> str:
    """Convert or raise (LatexWalkerError, RecursionError, _TooDeep); `latex_to_unicode` catches."""
    walker = LatexWalker(expr, latex_context=_CONTEXT, tolerant_parsing=False)
    nodes, _, _ = walker.get_latex_nodes()
    text = _join(_Renderer().toks(nodes), compact=False)
    return unicodedata.normalize("NFC", text).strip()


def latex_to_unicode(expr: str) -> str:
    """Render one LaTeX math expression (without the ``$``) as readable Unicode text.

    Args:
        expr: the formula, e.g. ``\\sigma(x) = \\frac{1}{1+e^{-x}}``.

    Returns:
        One line of text, e.g. ``σ(x) = 1/(1 + e⁻ˣ)``, NFC-normalised. A formula that cannot be parsed
        (unbalanced braces, a macro missing its argument) comes back as written, stripped.
    """
    try:
        return _convert(expr)
    except (LatexWalkerError, RecursionError, _TooDeep):
        return expr.strip()
    except Exception:  # pragma: no cover - a safety net: showing a card must not crash the drill
        return expr.strip()


_MARKDOWN_SPECIAL_RE = re.compile(r"([\\`*_\[\]<>~|#])")


def render_math_in_text(text: str, *, escape_markdown: bool = True) -> str:
    """Replace every formula in Markdown text by its Unicode rendering and leave the rest alone.

    Args:
        text: Markdown text with ``$...$`` and ``$$...$$`` formulas.
        escape_markdown: backslash-escape the Markdown punctuation in rendered formulas (``*``, ``_``,
            brackets, ``|`` ...) so that a Markdown renderer shows them literally instead of reading
            emphasis or links; turn off for plain-text output.

    Returns:
        The text with formulas rendered.
    """
    out = []
    for segment in split_math(text):
        if not segment.is_math:
            out.append(segment.text)
            continue
        rendered = latex_to_unicode(segment.text)
        if escape_markdown:
            rendered = _MARKDOWN_SPECIAL_RE.sub(r"\\\1", rendered)
        out.append(rendered)
    return "".join(out)
