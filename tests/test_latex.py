"""Tests for cvquiz.cli.latex: LaTeX formulas as terminal Unicode."""

from __future__ import annotations

import contextlib
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pylatexenc.latexwalker import LatexWalkerError

from cvquiz.cli import latex
from cvquiz.cli.latex import (
    MathSegment,
    extract_math,
    latex_to_unicode,
    render_math_in_text,
    split_math,
)

DECKS = Path(__file__).resolve().parents[1] / "decks"


# --- the examples from the issue, exactly ----------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (r"\sigma(x) = \frac{1}{1+e^{-x}}", "σ(x) = 1/(1 + e⁻ˣ)"),
        (r"\sum_{k=1}^{K} y_k \log \hat{y}_k", "∑ₖ₌₁ᴷ yₖ log ŷₖ"),
        (r"\left\lfloor \frac{H+2p-k}{s} \right\rfloor + 1", "⌊(H + 2p − k)/s⌋ + 1"),
    ],
)
def test_issue_examples(expr: str, expected: str) -> None:
    assert latex_to_unicode(expr) == unicodedata.normalize("NFC", expected)


def test_issue_examples_use_the_intended_code_points() -> None:
    assert latex_to_unicode(r"\sigma(x) = \frac{1}{1+e^{-x}}") == (
        "\u03c3(x) = 1/(1 + e\u207b\u02e3)"
    )
    assert latex_to_unicode(r"\sum_{k=1}^{K} y_k \log \hat{y}_k") == (
        "\u2211\u2096\u208c\u2081\u1d37 y\u2096 log \u0177\u2096"
    )
    assert latex_to_unicode(r"H-k") == "H \u2212 k"


# --- many more -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # fractions: brackets only where a compound numerator/denominator or a neighbour needs them
        (r"\frac{1}{4}", "1/4"),
        (r"\frac12", "1/2"),
        (r"\dfrac{a}{b} + \tfrac{c}{d}", "a/b + c/d"),
        (r"\frac{1}{2}(\sigma(z) - y)^2", "(1/2)(σ(z) − y)²"),
        (r"\frac{1}{2}x", "(1/2)x"),
        (r"\frac{\lambda}{2}\lVert w \rVert^2", "(λ/2)‖w‖²"),
        (r"\frac{a}{b}^2", "(a/b)²"),
        (r"\frac{\frac{a}{b}}{c}", "(a/b)/c"),
        (r"\lambda = \frac{1}{2\tau^2}", "λ = 1/(2τ²)"),
        (r"\frac{L(L+1)}{2}", "L(L + 1)/2"),
        (r"\frac{|w|}{b}", "|w|/b"),
        (r"\frac{e^{-x}}{(1+e^{-x})^2}", "e⁻ˣ/(1 + e⁻ˣ)²"),
        (r"\frac{1}{\sigma(x)}", "1/σ(x)"),
        (r"\frac{2|X \cap Y|}{|X| + |Y|}", "(2|X ∩ Y|)/(|X| + |Y|)"),
        (
            r"\mathrm{AdaIN}(x,y) = \sigma(y)\frac{x-\mu(x)}{\sigma(x)} + \mu(y)",
            "AdaIN(x, y) = σ(y)(x − μ(x))/σ(x) + μ(y)",
        ),
        # derivatives read as they are written by hand
        (r"\frac{\partial L}{\partial z_i}", "∂L/∂zᵢ"),
        (r"\frac{d}{dz}\log\sigma = 1 - \sigma", "(d/dz) log σ = 1 − σ"),
        (r"\frac{\partial^2 f}{\partial x^2}", "∂²f/∂x²"),
        (r"\frac{d^2y}{dx^2}", "d²y/dx²"),
        (r"\frac{\partial}{\partial z_i}\frac{e^{z_i}}{S}", "(∂/∂zᵢ)(e^(zᵢ)/S)"),
        (
            r"\frac{\partial L}{\partial w_i} = \frac{\partial L}{\partial z}\,x_i",
            "∂L/∂wᵢ = (∂L/∂z) xᵢ",
        ),
        # roots
        (r"\sqrt{n}", "√n"),
        (r"\sqrt{d_k}", "√dₖ"),
        (r"\sqrt{\hat{v}}", "√v̂"),
        (r"\sqrt{x^2}", "√(x²)"),
        (r"\gamma=\sqrt{\sigma^2+\epsilon}", "γ = √(σ² + ε)"),
        (r"\sqrt{2/\pi}", "√(2/π)"),
        (r"\sqrt[3]{x}", "∛x"),
        (r"\sqrt[n]{x+1}", "ⁿ√(x + 1)"),
        (r"s = \frac{\gamma}{\sqrt{\sigma^2+\epsilon}}", "s = γ/√(σ² + ε)"),
        # scripts: Unicode when every character has a form, else _( ) and ^( )
        (r"x^2 + y_i", "x² + yᵢ"),
        (r"10^{-5}", "10⁻⁵"),
        (r"A^{-1}", "A⁻¹"),
        (r"\theta^{(t)}", "θ⁽ᵗ⁾"),
        (r"b^{gt}", "bᵍᵗ"),
        (r"x^{\top}", "xᵀ"),
        (r"f(x) = w^\top x + b", "f(x) = wᵀx + b"),
        (r"\beta_1^{t-1}", "β₁ᵗ⁻¹"),
        (r"e^{z_i}", "e^(zᵢ)"),
        (r"x^{2^{3}}", "x^(2³)"),
        (r"e^{\frac{1}{2}}", "e^(1/2)"),
        (r"\sigma_B^2", "σ_B²"),
        (r"p_{t_n}", "p_(tₙ)"),
        (r"\nabla_z L = p - y", "∇_z L = p − y"),
        (r"\sum_{j \neq y}", "∑_(j≠y)"),
        (r"PE_{(pos,2i)}", "PE_(pos,2i)"),
        (r"\eta_{\max}", "ηₘₐₓ"),
        (r"w_{\mathrm{ema}}", "wₑₘₐ"),
        (r"\mathrm{softmax}(z)_i", "softmax(z)ᵢ"),
        (r"x_1' = W - x_2", "x₁′ = W − x₂"),
        (r"\tanh'(x) = 1 - \tanh^2(x)", "tanh′(x) = 1 − tanh²(x)"),
        (r"\int_0^\infty e^{-x}\,dx", "∫₀^∞ e⁻ˣ dx"),
        # accents
        (r"\hat{y} \bar{x} \tilde{x}", "ŷx̄x̃"),
        (r"\hat y - y", "ŷ − y"),
        (r"\vec{v}", "v⃗"),
        (r"\dot{x}", "ẋ"),
        (r"\overline{AB}", "A\u0305B\u0305"),
        # operators, relations and spacing
        (r"-x", "−x"),
        (r"y = \pm 1", "y = ±1"),
        (r"a - -b", "a − −b"),
        (r"(-1, 1]", "(−1, 1]"),
        (r"x \le 0", "x ≤ 0"),
        (r"i \ne j", "i ≠ j"),
        (r"p_t \approx 0.968", "pₜ ≈ 0.968"),
        (r"z \in \mathbb{R}^C", "z ∈ ℝ^C"),
        (r"p_t \to 1", "pₜ → 1"),
        (r"w \leftarrow w - \eta g", "w ← w − ηg"),
        (r"a \Rightarrow b", "a ⇒ b"),
        (r"g \odot g", "g ⊙ g"),
        (r"a \otimes b", "a ⊗ b"),
        (r"x \sim p", "x ∼ p"),
        (r"p(w) \propto \exp(-|w|/b)", "p(w) ∝ exp(−|w|/b)"),
        (r"16 \cdot 16 \cdot 3", "16 · 16 · 3"),
        (r"N \times C \times H \times W", "N × C × H × W"),
        (r"p(y \mid x)", "p(y | x)"),
        (r"H(P, Q) = H(P) + \mathrm{KL}(P \parallel Q)", "H(P, Q) = H(P) + KL(P ∥ Q)"),
        (r"\not= \not\in", "≠ ∉"),
        (r"a \bmod b", "a mod b"),
        (r"a \pmod{n}", "a (mod n)"),
        (r"a \quad b \qquad c \, d \! e", "a  b    c de"),
        (r"3 \cdot 3 \cdot 64 + 64 = 1{,}792", "3 · 3 · 64 + 64 = 1,792"),
        # named and big operators
        (r"\log p_k", "log pₖ"),
        (r"f(x) = \log(1+e^x)", "f(x) = log(1 + eˣ)"),
        (r"\max_j z_j", "maxⱼ zⱼ"),
        (r"\mathrm{ReLU}(x) = \max(0,x)", "ReLU(x) = max(0, x)"),
        (r"L = \max\left(0,\ d(a, p) - d(a, n) + m\right)", "L = max(0, d(a, p) − d(a, n) + m)"),
        (
            r"L = -[y \log \sigma(z) + (1 - y)\log(1 - \sigma(z))]",
            "L = −[y log σ(z) + (1 − y) log(1 − σ(z))]",
        ),
        (
            r"\mathrm{KL}(P \parallel Q) = \sum_x P(x) \log \frac{P(x)}{Q(x)}",
            "KL(P ∥ Q) = ∑ₓ P(x) log(P(x)/Q(x))",
        ),
        (r"L = -\log \frac{e^{z_t}}{\sum_j e^{z_j}}", "L = −log(e^(zₜ)/(∑ⱼ e^(zⱼ)))"),
        (r"\mu_B = \frac{1}{m}\sum_{i=1}^{m} x_i", "μ_B = (1/m) ∑ᵢ₌₁ᵐ xᵢ"),
        (r"\lambda \sum W^2", "λ ∑ W²"),
        (r"\prod_{k} a_k", "∏ₖ aₖ"),
        (r"\lim_{n \to \infty} a_n", "lim_(n→∞) aₙ"),
        (r"\operatorname*{arg\,max}_\theta L", "arg max_θ L"),
        (r"\hat{w} = \arg\max_w\, p(D|w)", "ŵ = arg max_w p(D|w)"),
        (
            r"\mathrm{Attention}(Q,K,V) = \mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V",
            "Attention(Q, K, V) = softmax(QKᵀ/√dₖ)V",
        ),
        # delimiters and norms
        (r"\lceil H/s \rceil", "⌈H/s⌉"),
        (r"\|x\|_2^2", "‖x‖₂²"),
        (r"\left\| x - y \right\|", "‖x − y‖"),
        (r"\lVert g \rVert_2", "‖g‖₂"),
        (r"|x| - 0.5\beta", "|x| − 0.5β"),
        (r"\langle x, y \rangle", "⟨x, y⟩"),
        (r"\left. \frac{df}{dx} \right|_{x=0}", "df/dx|ₓ₌₀"),
        (r"\big( x \big)", "(x)"),
        (r"\{x_1,\dots,x_m\}", "{x₁, …, xₘ}"),
        (r"x_l = H_l([x_0, x_1, \dots, x_{l-1}])", "xₗ = Hₗ([x₀, x₁, …, xₗ₋₁])"),
        # fonts, text and symbols
        (r"\mathbb{R}", "ℝ"),
        (r"\mathbb{E}[y]", "𝔼[y]"),
        (r"\mathcal{L}", "ℒ"),
        (r"\mathcal{N}(0, \tau^2)", "N(0, τ²)"),
        (r"\mathbf{y}", "y"),
        (r"\text{h-swish}(x)", "h-swish(x)"),
        (r"\text{if } x > 0", "if x > 0"),
        (r"\mathrm{output\_padding}", "output_padding"),
        (r"\ell_1", "ℓ₁"),
        (r"\cdots \ldots", "⋯…"),
        (r"\infty \partial \nabla", "∞∂∇"),
        (r"\alpha\beta\gamma\Delta\Omega", "αβγΔΩ"),
        (r"\epsilon = \varepsilon", "ε = ε"),
        (r"\binom{n}{k}", "C(n, k)"),
        (r"\boxed{x}", "x"),
        (r"\color{red}{x}", "x"),
        # matrices and cases
        (r"\begin{bmatrix} a & b \\ c & d \end{bmatrix}", "[a b; c d]"),
        (r"\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}", "(1 0; 0 1)"),
        (r"\begin{bmatrix} a+1 & b \\ c & d \end{bmatrix}^\top", "[a + 1, b; c, d]ᵀ"),
        (r"\begin{vmatrix} a & b \\ c & d \end{vmatrix}", "|a b; c d|"),
        (
            r"f(x) = \begin{cases} x & x > 0 \\ 0 & \text{otherwise} \end{cases}",
            "f(x) = {x, x > 0; 0, otherwise}",
        ),
        # unknown macros keep their name; a following group reads as its argument
        (r"\relu{x}", "relu(x)"),
        (r"\foo + 1", "foo + 1"),
        # edge cases
        ("", ""),
        ("   ", ""),
        (r"\%", "%"),
    ],
)
def test_conversions(expr: str, expected: str) -> None:
    assert latex_to_unicode(expr) == unicodedata.normalize("NFC", expected)


@pytest.mark.parametrize(
    "expr",
    [
        r"\frac{a}{",
        r"{{a}",
        r"a}b{",
        r"x^",
        r"\left",
        r"\sqrt[3",
        r"\begin{foo} a \end{bar}",
        "{" * 3000,
    ],
)
def test_malformed_formulas_come_back_as_written(expr: str) -> None:
    assert latex_to_unicode(expr) == expr.strip()


def test_deep_nesting_falls_back_instead_of_recursing_forever() -> None:
    expr = r"\frac{" * 200 + "}{}" * 200
    assert latex_to_unicode(expr) == expr


# --- Markdown text with formulas -------------------------------------------------------------------


def test_render_math_in_text_converts_inline_and_display_formulas() -> None:
    text = r"Sigmoid: $\sigma(x) = \frac{1}{1+e^{-x}}$. Sum: $$\sum_i x_i$$ done."
    assert render_math_in_text(text) == "Sigmoid: σ(x) = 1/(1 + e⁻ˣ). Sum: ∑ᵢ xᵢ done."


def test_render_math_in_text_leaves_escaped_dollars_code_and_prices_alone() -> None:
    assert render_math_in_text(r"costs \$5, not $x$") == r"costs \$5, not x"
    assert render_math_in_text("costs $10 and $20 today") == "costs $10 and $20 today"
    assert render_math_in_text("costs $10 and $x$ ok") == "costs $10 and x ok"
    assert render_math_in_text("use `$HOME` and `a $b$ c`") == "use `$HOME` and `a $b$ c`"
    assert render_math_in_text("```\n$x$\n```\n$y$") == "```\n$x$\n```\ny"
    assert render_math_in_text("$ x $ stays") == "$ x $ stays"
    assert render_math_in_text("$a$1 stays") == "$a$1 stays"
    assert render_math_in_text("unclosed $x") == "unclosed $x"
    assert render_math_in_text("$x\n\ny$") == "$x\n\ny$"


def test_render_math_in_text_escapes_markdown_in_formulas() -> None:
    text = r"$x_{ab} * y$ and $\begin{bmatrix} a & b \end{bmatrix}$ and *emphasis*"
    assert render_math_in_text(text) == r"x\_(ab) \* y and \[a b\] and *emphasis*"
    assert render_math_in_text(text, escape_markdown=False) == "x_(ab) * y and [a b] and *emphasis*"


def test_split_math_and_extract_math() -> None:
    assert split_math("a $x$ b $$y$$") == [
        MathSegment("a ", is_math=False),
        MathSegment("x", is_math=True),
        MathSegment(" b ", is_math=False),
        MathSegment("y", is_math=True, display=True),
    ]
    assert extract_math(r"$a$, \$b, $$c$$ and `$d$`") == ["a", "c"]


def _rejoin(segments: list[MathSegment]) -> str:
    parts = []
    for segment in segments:
        if not segment.is_math:
            parts.append(segment.text)
        elif segment.display:
            parts.append(f"$${segment.text}$$")
        else:
            parts.append(f"${segment.text}$")
    return "".join(parts)


_markdownish = st.lists(
    st.sampled_from([*"$\\`x \n1{}", "$$", "```", r"\frac{1}{2}", "\n\n"]), max_size=30
).map("".join)


@given(st.one_of(st.text(), _markdownish))
def test_split_math_loses_nothing(text: str) -> None:
    assert _rejoin(split_math(text)) == text


@given(st.one_of(st.text(), _markdownish))
def test_render_math_in_text_never_raises(text: str) -> None:
    assert isinstance(render_math_in_text(text), str)


# --- never raising ---------------------------------------------------------------------------------

_MACROS = sorted(
    {*latex._ORDINARY, *latex._BINARY, *latex._RELATION, *latex._NAMED_OPERATORS}
    | {*latex._BIG_OPERATORS, *latex._ACCENTS, *latex._OPENING, *latex._CLOSING, *latex._BARS}
    | {*latex._SPACING, *latex._FONT_MACROS, *latex._TEXT_MACROS, *latex._SIZED_DELIMITERS}
    | {"frac", "sqrt", "left", "right", "middle", "binom", "mathbb", "mathcal", "operatorname"}
    | {"not", "pmod", "overset", "textcolor", "mathop", "mathbin", "mathrel", "hspace", "unknown"}
)
_latexish = st.lists(
    st.sampled_from(
        [
            *(f"\\{name}" for name in _MACROS),
            *"{}[]()^_&~$%|'!-+=<>/*,;:. \nxy12",
            "\\\\",
            r"\begin{bmatrix}",
            r"\end{bmatrix}",
            r"\begin{cases}",
            r"\end{cases}",
            r"\begin{aligned}",
            r"\end{aligned}",
        ]
    ),
    max_size=30,
).map("".join)


@given(st.one_of(_latexish, st.text()))
def test_latex_to_unicode_never_raises_and_gives_one_line(expr: str) -> None:
    result = latex_to_unicode(expr)
    assert isinstance(result, str)
    assert "\n" not in result or result == expr.strip()


@given(st.one_of(_latexish, st.text()))
def test_the_converter_fails_only_in_the_documented_ways(expr: str) -> None:
    # latex_to_unicode also has a last-resort net; this checks that the net is never needed.
    with contextlib.suppress(LatexWalkerError, RecursionError, latex._TooDeep):
        assert isinstance(latex._convert(expr), str)


# --- every formula in the bundled decks ------------------------------------------------------------


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _deck_formulas() -> list[tuple[str, str]]:
    formulas = []
    for path in sorted(DECKS.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            deck = yaml.safe_load(handle)
        for text in _strings(deck):
            formulas.extend((path.name, formula) for formula in extract_math(text))
    return formulas


_BRACE_SOURCES = (r"\{", r"\}", r"\lbrace", r"\rbrace", r"\begin{cases}", r"\begin{Bmatrix}")


def test_every_deck_formula_converts_cleanly() -> None:
    formulas = _deck_formulas()
    if not formulas:
        pytest.skip("no bundled decks with formulas yet")
    failures = []
    for deck, formula in formulas:
        result = latex_to_unicode(formula)
        leftovers = "\\"
        if not any(source in formula for source in _BRACE_SOURCES):
            leftovers += "{}"
        if any(c in result for c in leftovers):
            failures.append(f"{deck}: ${formula}$ -> {result}")
    assert not failures, "formulas that did not convert:\n" + "\n".join(failures)
