"""LaTeX → Unicode rendering of card maths (learndl_cli.mathtext)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from learndl_cli.mathtext import latex_to_unicode, leftover_latex, render_math

try:  # hypothesis is a test extra; the property tests are skipped without it
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None

ROOT = Path(__file__).resolve().parents[1]
DECKS = ROOT / "decks"


def table(*rows: tuple[str, str]):
    return pytest.mark.parametrize(("src", "expected"), rows, ids=[r[0] for r in rows])


# --------------------------------------------------------------------------------------------
# Symbols.


@table(
    (r"\alpha\beta\gamma\delta", "αβγδ"),
    (r"\theta, \lambda, \mu, \sigma, \tau, \phi, \varphi, \omega", "θ, λ, μ, σ, τ, ϕ, φ, ω"),
    (r"\lambda \mu", "λμ"),  # as in LaTeX, the space only ends the name
    (r"\Gamma\Delta\Theta\Lambda\Sigma\Phi\Psi\Omega", "ΓΔΘΛΣΦΨΩ"),
    (r"\epsilon", "ϵ"),
    (r"\varepsilon", "ε"),
    (r"\ell", "ℓ"),
    (r"\eta_t", "ηₜ"),
    (r"\Delta x", "Δx"),
)
def test_greek(src, expected):
    assert latex_to_unicode(src) == expected


@table(
    (r"a \cdot b", "a · b"),
    (r"a \times b", "a × b"),
    (r"a\div b", "a ÷ b"),
    (r"\pm 1", "±1"),
    (r"a \pm b", "a ± b"),
    (r"\mathbf{A} \odot \mathbf{B}", "𝐀 ⊙ 𝐁"),
    (r"a \otimes b", "a ⊗ b"),
    (r"f \circ g", "f ∘ g"),
    (r"a \le b", "a ≤ b"),
    (r"a\leq b", "a ≤ b"),
    (r"a \ge b", "a ≥ b"),
    (r"a \ne b", "a ≠ b"),
    (r"a \neq b", "a ≠ b"),
    (r"a \approx b", "a ≈ b"),
    (r"\epsilon \sim N(0, 1)", "ϵ ∼ N(0, 1)"),
    (r"p \propto q", "p ∝ q"),
    (r"a \equiv b", "a ≡ b"),
    (r"x \in A", "x ∈ A"),
    (r"x \notin A", "x ∉ A"),
    (r"A \subset B", "A ⊂ B"),
    (r"f: X \to Y", "f: X → Y"),
    (r"a \rightarrow b", "a → b"),
    (r"\theta \leftarrow \theta - \eta g", "θ ← θ - ηg"),
    (r"x \mapsto y", "x ↦ y"),
    (r"P \Rightarrow Q", "P ⇒ Q"),
    (r"P \iff Q", "P ⟺ Q"),
    (r"a=b", "a = b"),
    (r"x<0", "x < 0"),
    (r"\infty", "∞"),
    (r"-\infty", "-∞"),
    (r"\partial L", "∂L"),
    (r"\nabla f", "∇f"),
    (r"\forall x \exists y", "∀x ∃y"),
    (r"x_1, \ldots, x_n", "x₁, …, xₙ"),
    (r"x_1 + \cdots + x_n", "x₁ + ⋯ + xₙ"),
    (r"1, \dots, n", "1, …, n"),
    (r"\vdots", "⋮"),
    (r"f^\prime", "f′"),
    (r"y'", "y′"),
    (r"P(A \mid B)", "P(A | B)"),
    (r"\not= \not\in", "≠ ∉"),
    (r"\langle \mathbf{x}, \mathbf{w} \rangle", "⟨𝐱, 𝐰⟩"),
    (r"\{1, 2\}", "{1, 2}"),
    (r"\lfloor x \rfloor + \lceil y \rceil", "⌊x⌋ + ⌈y⌉"),
    (r"a*b", "a ∗ b"),
)
def test_operators_and_relations(src, expected):
    assert latex_to_unicode(src) == expected


@table(
    (r"\mathbf{X}^\top", "𝐗ᵀ"),
    (r"\mathbf{x}^{\top}\mathbf{y}", "𝐱ᵀ𝐲"),
    (r"\mathbf{A}^\intercal", "𝐀ᵀ"),
    (r"\mathbf{1}^\top \mathbf{x}", "𝟏ᵀ 𝐱"),
    (r"W^T", "Wᵀ"),
    (r"\top", "⊤"),
    (r"\mathbf{w}^*", "𝐰∗"),
)
def test_transpose_and_star(src, expected):
    assert latex_to_unicode(src) == expected


# --------------------------------------------------------------------------------------------
# Big operators and functions.


@table(
    (r"\sum_{i=1}^n x_i", "∑ᵢ₌₁ⁿ xᵢ"),
    (r"\sum_k \exp(o_k)", "∑ₖ exp(oₖ)"),
    (r"\sum_{j=1}^q y_j", "∑_(j=1)^q y_j"),
    (r"\sum_{x \in \mathcal{D}} l", "∑_(x∈𝒟) l"),
    (r"\sum_{\tau=0}^{t-1} \beta^\tau", "∑_(τ=0)^(t-1) β^τ"),
    (r"\prod_{t=1}^T P(x_t)", "∏ₜ₌₁ᵀ P(xₜ)"),
    (r"\prod_{n=1}^k p_n", "∏ₙ₌₁ᵏ pₙ"),
    (r"\int_0^1 x\,dx", "∫₀¹ x dx"),
    (r"\int_{-\infty}^{\infty} f", "∫_(-∞)^∞ f"),
    (r"\max_x f", "maxₓ f"),
    (r"\max_{\theta} f", "max_θ f"),
    (r"\min_k o_k", "minₖ oₖ"),
    (r"\argmax_y p", "argmax_y p"),
    (r"\operatorname*{argmax}_{\theta} L", "argmax_θ L"),
    (r"\operatorname{argmin}_{\mathbf{w}, b} L", "argmin_(𝐰,b) L"),
    (r"\lim_{n \to \infty} a_n", "lim_(n→∞) a_n"),
    (r"\log\sum\exp", "log ∑ exp"),
    (r"\sum", "∑"),
)
def test_big_operators(src, expected):
    assert latex_to_unicode(src) == expected


@table(
    (r"\exp(x)", "exp(x)"),
    (r"\log x", "log x"),
    (r"\ln x", "ln x"),
    (r"\sin x + \cos x", "sin x + cos x"),
    (r"\tanh(x)", "tanh(x)"),
    (r"\cos\theta", "cos θ"),
    (r"\sigma(x)", "σ(x)"),
    (r"\log_2 n", "log₂ n"),
    (r"\tanh^2(x)", "tanh²(x)"),
    (r"x\log x", "x log x"),
    (r"4\operatorname{sigmoid}(x)", "4 sigmoid(x)"),
    (r"\operatorname{softmax}(\mathbf{o})_j", "softmax(𝐨)ⱼ"),
    (r"\mathrm{ReLU}(x)", "ReLU(x)"),
    (r"\mathrm{d}x", "dx"),
    (r"\text{if } x > 0", "if x > 0"),
    (r"x \text{ otherwise}", "x otherwise"),
    (r"\textbf{ab1}", "𝐚𝐛𝟏"),
    (r"\text{其中 } \mathbf{x} \text{ 是输入}", "其中 𝐱 是输入"),
    (r"\text{当 $x>0$ 时}", "当 x > 0 时"),
)
def test_functions_and_text(src, expected):
    assert latex_to_unicode(src) == expected


# --------------------------------------------------------------------------------------------
# Fonts and accents.


@table(
    (r"\mathbf{x}", "𝐱"),
    (r"\mathbf{W}", "𝐖"),
    (r"\mathbf{0}", "𝟎"),
    (r"\mathbf{1}", "𝟏"),
    (r"\mathbf{Wx}", "𝐖𝐱"),
    (r"\boldsymbol{\theta}", "𝛉"),
    (r"\boldsymbol{\Theta}", "𝚯"),
    (r"\boldsymbol{\mu}", "𝛍"),
    (r"\mathbb{R}", "ℝ"),
    (r"\mathbb{E}", "𝔼"),
    (r"\mathbb{N} \mathbb{Z} \mathbb{1}", "ℕ ℤ 𝟙"),
    (r"\mathcal{L}", "ℒ"),
    (r"\mathcal{D}", "𝒟"),
    (r"\mathcal{B}", "ℬ"),
    (r"\mathbb{R}^{n \times d}", "ℝ^(n×d)"),
    (r"\mathbb{R}^n", "ℝⁿ"),
    (r"\mathit{x}", "x"),
)
def test_fonts(src, expected):
    assert latex_to_unicode(src) == expected


@table(
    (r"\hat{y}", "y\u0302"),
    (r"\hat{y}_j", "ŷⱼ"),
    (r"\hat{\mathbf{y}}", "𝐲\u0302"),
    (r"\bar{x}", "x\u0304"),
    (r"\tilde{h}", "h\u0303"),
    (r"\tilde{\mathbf{H}}_t", "𝐇\u0303ₜ"),
    (r"\vec{v}", "v\u20d7"),
    (r"\dot{x}", "x\u0307"),
    (r"\overline{xy}", "x\u0305y\u0305"),
    (r"\hat{xy}", "hat(xy)"),
    (r"\hat y", "ŷ"),
)
def test_accents(src, expected):
    assert latex_to_unicode(src) == expected


# --------------------------------------------------------------------------------------------
# Fractions, roots, scripts.


@table(
    (r"\frac{a}{b}", "a/b"),
    (r"\frac{a+b}{c+d}", "(a+b)/(c+d)"),
    (r"\frac{1}{n}", "1/n"),
    (r"\frac12", "1/2"),
    (r"\dfrac{x}{2}", "x/2"),
    (r"\tfrac{1}{2}", "1/2"),
    (r"\frac{1}{2\sigma^2}", "1/(2σ²)"),
    (r"\frac{\partial L}{\partial w}", "∂L/∂w"),
    (r"\frac{1}{|B|}", "1/|B|"),
    (r"\frac{1}{\sqrt{d}}", "1/√d"),
    (r"\frac{1}{2}(y - y')^2", "(1/2)(y - y′)²"),
    (r"\frac{\lambda}{2}\|\mathbf{w}\|^2", "(λ/2)‖𝐰‖²"),
    (r"1 - \frac{1}{2}", "1 - 1/2"),
    (r"\frac{1}{n}\sum_i x_i", "(1/n)∑ᵢ xᵢ"),
    (r"\frac{\mathbf{v}_t}{1-\beta_1^t}", "𝐯ₜ/(1-β₁ᵗ)"),
)
def test_fractions(src, expected):
    assert latex_to_unicode(src) == expected


@table(
    (r"\sqrt{x}", "√x"),
    (r"\sqrt{d_k}", "√dₖ"),
    (r"\sqrt{x+y}", "√(x+y)"),
    (r"\sqrt{2\pi}", "√(2π)"),
    (r"\sqrt[3]{x}", "³√x"),
    (r"\sqrt[n]{x}", "ⁿ√x"),
    (r"\sqrt[q]{x}", "x^(1/q)"),
    (r"\sqrt{\frac{6}{n}}", "√(6/n)"),
)
def test_roots(src, expected):
    assert latex_to_unicode(src) == expected


@table(
    (r"x_i", "xᵢ"),
    (r"x^2", "x²"),
    (r"x_i^2", "xᵢ²"),
    (r"x^{(i)}", "x⁽ⁱ⁾"),
    (r"x_{t-1}", "xₜ₋₁"),
    (r"x_{ij}", "xᵢⱼ"),
    (r"x^{-1}", "x⁻¹"),
    (r"10^{-6}", "10⁻⁶"),
    (r"e^{x}", "eˣ"),
    (r"\beta_1^t", "β₁ᵗ"),
    (r"W^{(l)}", "W⁽ˡ⁾"),
    (r"W^{(L)}", "W⁽ᴸ⁾"),
    (r"n_\mathrm{in}", "nᵢₙ"),
    (r"n_\text{out}", "nₒᵤₜ"),
    (r"p_{i, 2j}", "pᵢ,₂ⱼ"),
    # fallbacks: a character without a Unicode script form
    (r"x_{q}", "x_q"),
    (r"\mathbf{b}_q", "𝐛_q"),
    (r"\mathbf{W}_{hq}", "𝐖_(hq)"),
    (r"W^{(q)}", "W^(q)"),
    (r"W^{(Q)}", "W^(Q)"),
    (r"x^{1/2}", "x^(1/2)"),
    (r"e^{x_i}", "e^(x_i)"),
    (r"p_n^{1/2^n}", "p_n^(1/2^n)"),
    (r"\mathrm{len}_{\text{label}}", "len_(label)"),
    (r"x_{t-\tau}", "x_(t-τ)"),
    (r"y_{t'}", "y_t′"),
    (r"x_\mathbf{i}", "x_𝐢"),
    (r"^2", "²"),
)
def test_scripts(src, expected):
    assert latex_to_unicode(src) == expected


# --------------------------------------------------------------------------------------------
# Delimiters, spacing, environments, odd constructs.


@table(
    (r"\|\mathbf{x}\|", "‖𝐱‖"),
    (r"\|\mathbf{x}\|_2", "‖𝐱‖₂"),
    (r"\lVert x \rVert_2", "‖x‖₂"),
    (r"\left( a \right)", "(a)"),
    (r"\left[ b \right]", "[b]"),
    (r"\big( c \big)", "(c)"),
    (r"\Bigl[ d \Bigr]", "[d]"),
    (r"\left. \frac{a}{b} \right|_{x=0}", "a/b|ₓ₌₀"),
    (r"\left\{ x \right\}", "{x}"),
    (r"\left\langle a, b \right\rangle", "⟨a, b⟩"),
    (r"\Big(1 + x\Big)", "(1 + x)"),
    (r"|x|", "|x|"),
)
def test_delimiters(src, expected):
    assert latex_to_unicode(src) == expected


@table(
    (r"a\,b", "a b"),
    (r"a\;b", "a b"),
    (r"a\:b", "a b"),
    (r"a\!b", "ab"),
    (r"a~b", "a b"),
    (r"a\quad b", "a   b"),
    (r"a\qquad b", "a     b"),
    (r"a \\ b", "a b"),
)
def test_spacing(src, expected):
    assert latex_to_unicode(src) == expected


@table(
    (r"\begin{bmatrix} a & b \\ c & d \end{bmatrix}", "[a b; c d]"),
    (r"\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}", "(1 0; 0 1)"),
    (r"\begin{bmatrix} 1 & 2 & 3 \end{bmatrix}", "[1 2 3]"),
    (r"\begin{aligned} a &= b + c \\ &= d \end{aligned}", "a = b + c; = d"),
    (r"f(x) = \begin{cases} x & x > 0 \\ 0 & \text{otherwise} \end{cases}",
     "f(x) = {x, x > 0; 0, otherwise}"),
    (r"\begin{array}{cc} a & b \end{array}", "a b"),
    (r"\left(\begin{matrix} a & b \\ c & d \end{matrix}\right)", "(a b; c d)"),
    (r"\begin{vmatrix} a & b \\ c & d \end{vmatrix}", "|a b; c d|"),
)
def test_environments_inline(src, expected):
    assert latex_to_unicode(src) == expected


@table(
    (r"\begin{bmatrix} a & b \\ c & d \end{bmatrix}", "⎡ a  b ⎤\n⎣ c  d ⎦"),
    (r"\begin{pmatrix} 1 \\ 2 \\ 3 \end{pmatrix}", "⎛ 1 ⎞\n⎜ 2 ⎟\n⎝ 3 ⎠"),
    (r"\begin{aligned} a &= b + c \\ d &= e \end{aligned}", "a = b + c\nd = e"),
    (r"\begin{aligned} L &= x \\ &= y + z \end{aligned}", "L = x\n  = y + z"),
    (r"\begin{aligned} L &=x \\ &=y \end{aligned}", "L = x\n  = y"),
    (r"|x| = \begin{cases} x & x \ge 0 \\ -x & x < 0 \end{cases}",
     "|x| = ⎰ x    x ≥ 0\n      ⎱ -x   x < 0"),
    (r"a \\ b", "a\nb"),
    (r"\mathbf{R} = \begin{bmatrix} \cos\theta & -\sin\theta \\ \sin\theta & \cos\theta "
     r"\end{bmatrix}", "𝐑 = ⎡ cos θ  -sin θ ⎤\n    ⎣ sin θ  cos θ  ⎦"),
)
def test_environments_display(src, expected):
    assert latex_to_unicode(src, display=True) == expected


@table(
    (r"\underbrace{a+b}_{\text{sum}} = c", "a+b = c"),
    (r"\overset{\text{def}}{=}", "≝"),
    (r"x \overset{\text{def}}{=} y", "x ≝ y"),
    (r"\underset{x}{\operatorname{argmax}} f", "argmaxₓ f"),
    (r"\overset{!}{=}", "=^!"),
    (r"\binom{n}{k}", "C(n, k)"),
    (r"a \pmod{n}", "a (mod n)"),
    (r"\color{red}{x}", "x"),
    (r"\textcolor{red}{x}", "x"),
    (r"\displaystyle \sum_i x_i", "∑ᵢ xᵢ"),
    (r"x \label{eq:1}", "x"),
    (r"\sum_{\substack{i \\ j}} x", "∑ᵢ,ⱼ x"),
)
def test_misc_constructs(src, expected):
    assert latex_to_unicode(src) == expected


@table(
    (r"\foo", "foo"),
    (r"\foo x", "foo x"),
    (r"\foo{bar}", "foo(bar)"),
    (r"\norm{\mathbf{x}}_2 + \abs{y}", "‖𝐱‖₂ + |y|"),
    (r"\R^n", "ℝⁿ"),
    (r"\frac{a", "a/"),
    (r"x}}{", "x"),
    (r"\mathbf", ""),
    (r"\sqrt", "√"),
    ("^", ""),
    ("_", ""),
    ("\\", ""),
    (r"\\", ""),
    (r"{{{x", "x"),
    (r"\left(", "("),
    (r"\begin{bmatrix} a & b", "[a b]"),
    (r"\end{aligned}", ""),
    (r"x^^2", "x²"),
    ("", ""),
)
def test_unknown_and_malformed(src, expected):
    assert latex_to_unicode(src) == expected


# --------------------------------------------------------------------------------------------
# Real formulas from d2l.


@table(
    (r"\hat{y}_j = \frac{\exp(o_j)}{\sum_k \exp(o_k)}", "ŷⱼ = exp(oⱼ)/(∑ₖ exp(oₖ))"),
    (r"l(\mathbf{y}, \hat{\mathbf{y}}) = -\sum_{j=1}^q y_j \log \hat{y}_j",
     "l(𝐲, 𝐲̂) = -∑_(j=1)^q y_j log ŷ_j"),
    (r"\mathbf{H}_t = \mathbf{Z}_t \odot \mathbf{H}_{t-1} + (1 - \mathbf{Z}_t) \odot "
     r"\tilde{\mathbf{H}}_t", "𝐇ₜ = 𝐙ₜ ⊙ 𝐇ₜ₋₁ + (1 - 𝐙ₜ) ⊙ 𝐇̃ₜ"),
    (r"\mathbf{R}_t = \sigma(\mathbf{X}_t \mathbf{W}_{xr} + \mathbf{H}_{t-1} \mathbf{W}_{hr} + "
     r"\mathbf{b}_r)", "𝐑ₜ = σ(𝐗ₜ 𝐖ₓᵣ + 𝐇ₜ₋₁ 𝐖ₕᵣ + 𝐛ᵣ)"),
    (r"\mathbf{C}_t = \mathbf{F}_t \odot \mathbf{C}_{t-1} + \mathbf{I}_t \odot "
     r"\tilde{\mathbf{C}}_t", "𝐂ₜ = 𝐅ₜ ⊙ 𝐂ₜ₋₁ + 𝐈ₜ ⊙ 𝐂̃ₜ"),
    (r"\operatorname{softmax}\left(\frac{\mathbf{Q}\mathbf{K}^\top}{\sqrt{d}}\right)\mathbf{V}",
     "softmax(𝐐𝐊ᵀ/√d)𝐕"),
    (r"\hat{\mathbf{v}}_t = \frac{\mathbf{v}_t}{1-\beta_1^t}", "𝐯̂ₜ = 𝐯ₜ/(1-β₁ᵗ)"),
    (r"\mathbf{x}_t \leftarrow \mathbf{x}_{t-1} - \frac{\eta \hat{\mathbf{v}}_t}"
     r"{\sqrt{\hat{\mathbf{s}}_t} + \epsilon}", "𝐱ₜ ← 𝐱ₜ₋₁ - η𝐯̂ₜ/(√𝐬̂ₜ + ϵ)"),
    (r"\lfloor (n_h-k_h+p_h+s_h)/s_h \rfloor", "⌊(nₕ-kₕ+pₕ+sₕ)/sₕ⌋"),
    (r"\frac{\lambda}{2}\|\mathbf{w}\|^2", "(λ/2)‖𝐰‖²"),
    (r"U\left(-\sqrt{\frac{6}{n_\mathrm{in}+n_\mathrm{out}}}, "
     r"\sqrt{\frac{6}{n_\mathrm{in}+n_\mathrm{out}}}\right)",
     "U(-√(6/(nᵢₙ+nₒᵤₜ)), √(6/(nᵢₙ+nₒᵤₜ)))"),
    (r"\exp\left(\min\left(0, 1-\frac{\mathrm{len}_{\text{label}}}{\mathrm{len}_{\text{pred}}}"
     r"\right)\right)\prod_{n=1}^k p_n^{1/2^n}",
     "exp(min(0, 1-len_(label)/len_(pred)))∏_(n=1)^k p_n^(1/2^n)"),
    (r"\exp\left(-\frac{1}{n}\sum_{t=1}^n \log P(x_t \mid x_{t-1}, \dots, x_1)\right)",
     "exp(-(1/n)∑ₜ₌₁ⁿ log P(xₜ | xₜ₋₁, …, x₁))"),
    (r"\mathbf{w}^*, b^* = \operatorname{argmin}_{\mathbf{w}, b} \frac{1}{n}\sum_{i=1}^n "
     r"l^{(i)}(\mathbf{w}, b)", "𝐰∗, b∗ = argmin_(𝐰,b) (1/n)∑_(i=1)^n l^(i)(𝐰, b)"),
    (r"\frac{1}{ \sqrt{2\pi\sigma^2} } \exp\left(-\frac{1}{2\sigma^2}(x - \mu)^2\right)",
     "(1/√(2πσ²)) exp(-(1/(2σ²))(x - μ)²)"),
    (r"\log \hat{y}_j = o_j - \bar{o} - \log \sum_k \exp(o_k - \bar{o})",
     "log ŷⱼ = oⱼ - ō - log ∑ₖ exp(oₖ - ō)"),
    (r"\nabla_{\mathbf{x}} \mathbf{x}^\top \mathbf{A} \mathbf{x} = "
     r"(\mathbf{A} + \mathbf{A}^\top)\mathbf{x}", "∇_𝐱 𝐱^T 𝐀 𝐱 = (𝐀 + 𝐀^T)𝐱"),
    (r"\operatorname{BN}(\mathbf{x}) = \gamma \odot \frac{\mathbf{x} - \hat{\boldsymbol{\mu}}_B}"
     r"{\hat{\boldsymbol{\sigma}}_B} + \beta", "BN(𝐱) = γ ⊙ (𝐱 - 𝛍̂_B)/𝛔̂_B + β"),
    (r"\mathbf{g} \leftarrow \min\left(1, \frac{\theta}{\|\mathbf{g}\|}\right)\mathbf{g}",
     "𝐠 ← min(1, θ/‖𝐠‖)𝐠"),
    (r"\alpha(\mathbf{q}, \mathbf{k}_i) = \frac{\exp(a(\mathbf{q}, \mathbf{k}_i))}"
     r"{\sum_{j=1}^m \exp(a(\mathbf{q}, \mathbf{k}_j))}",
     "α(𝐪, 𝐤ᵢ) = exp(a(𝐪, 𝐤ᵢ))/(∑ⱼ₌₁ᵐ exp(a(𝐪, 𝐤ⱼ)))"),
    (r"p_{i, 2j} = \sin\left(\frac{i}{10000^{2j/d}}\right)", "p_(i,2j) = sin(i/10000^(2j/d))"),
    (r"E[h'] = (1-p)\frac{h}{1-p} = h", "E[h′] = (1-p)(h/(1-p)) = h"),
    (r"\mathbf{H}_t^{(l)} = \phi_l(\mathbf{H}_t^{(l-1)} \mathbf{W}_{xh}^{(l)} + "
     r"\mathbf{b}_h^{(l)})",
     "𝐇ₜ⁽ˡ⁾ = ϕₗ(𝐇ₜ⁽ˡ⁻¹⁾ 𝐖ₓₕ⁽ˡ⁾ + 𝐛ₕ⁽ˡ⁾)"),
)
def test_d2l_formulas(src, expected):
    assert latex_to_unicode(src) == expected
    assert leftover_latex(expected) == []


# --------------------------------------------------------------------------------------------
# render_math on Markdown.

INDENT = "\u200b\u00a0\u00a0\u00a0\u00a0"


@table(
    ("no maths here", "no maths here"),
    (r"softmax $\hat{y}_j$ of $o_j$", "softmax ŷⱼ of oⱼ"),
    (r"a price of \$5 and \$6", "a price of $5 and $6"),
    (r"costs $5 and $6 today", "costs $5 and $6 today"),
    ("unbalanced $x", "unbalanced $x"),
    ("unbalanced $$x", "unbalanced $$x"),
    ("a lone $ sign", "a lone $ sign"),
    (r"code `$\alpha$` stays", r"code `$\alpha$` stays"),
    (r"code ``a ` $\alpha$`` stays, $\beta$ not", r"code ``a ` $\alpha$`` stays, β not"),
    ("$x$", "x"),
    (r"$\alpha$$\beta$", "αβ"),
    ("$x$, $y$.", "x, y."),
    ("- item $x^2$\n- item $y_i$", "- item x²\n- item yᵢ"),
    (r"{{c1::$\frac{2}{n}$}}", "{{c1::2/n}}"),
    (r"暂退法以概率 $p$ 将单元置零，并除以 $1-p$", "暂退法以概率 p 将单元置零，并除以 1-p"),
    ("$a\n\nb$", "$a\n\nb$"),
)
def test_render_math_inline(src, expected):
    assert render_math(src) == expected


def test_render_math_display_on_own_line():
    out = render_math(r"Softmax: $$\hat{y} = \frac{a}{b}$$ where $a$ is...")
    assert out == f"Softmax:\n\n{INDENT}ŷ = a/b\n\nwhere a is..."


def test_render_math_display_block():
    src = "Text before.\n\n$$\n\\sum_{i=1}^n x_i\n$$\n\nText after."
    assert render_math(src) == f"Text before.\n\n{INDENT}∑ᵢ₌₁ⁿ xᵢ\n\nText after."


def test_render_math_display_multiline_uses_hard_breaks():
    out = render_math(r"$$\begin{bmatrix} a & b \\ c & d \end{bmatrix}$$")
    first, second = out.split("\n")
    assert first.endswith("  ")  # Markdown hard line break
    assert first.startswith(INDENT) and second.startswith(INDENT)
    assert "⎡" in first and "⎣" in second


def test_render_math_leaves_fenced_code():
    src = "```python\nx = '$\\alpha$'  # $y$\n```\n\nThen $\\alpha$.\n\n~~~\n$$\\beta$$\n~~~\n"
    out = render_math(src)
    assert "x = '$\\alpha$'  # $y$" in out
    assert "$$\\beta$$" in out
    assert "Then α." in out


def test_render_math_escaped_dollar_inside_math():
    assert render_math(r"$\$5 + x$") == "$5 + x"


def test_render_math_unclosed_fence_is_code():
    src = "```\n$\\alpha$ forever"
    assert render_math(src) == src


def test_render_math_with_rich_markdown():
    from rich.console import Console
    from rich.markdown import Markdown

    src = (r"看 $$\mathbf{R} = \begin{bmatrix} a & b \\ c & d \end{bmatrix}$$ 和 "
           r"$\mathbf{W}_{hq}$、$x_q^*$、$a*b*c$")
    console = Console(width=80, record=True, color_system=None)
    console.print(Markdown(render_math(src)))
    text = console.export_text().replace("\u00a0", " ")
    assert "⎡ a  b ⎤" in text and "⎣ c  d ⎦" in text
    lines = [line for line in text.splitlines() if "⎡" in line or "⎣" in line]
    assert lines[0].index("⎡") == lines[1].index("⎣")  # columns stay aligned
    assert "𝐖_(hq)" in text and "x_q∗" in text and "a ∗ b ∗ c" in text
    assert "\\" not in text


# --------------------------------------------------------------------------------------------
# leftover_latex.


@table(
    ("plain text", []),
    (r"still \frac{a}{b} here", [r"\frac"]),
    (r"`\frac` in code", []),
    ("```\n\\alpha\n```\n\\beta", [r"\beta"]),
    (r"escaped \_ and \* are Markdown", []),
)
def test_leftover_latex(src, expected):
    assert leftover_latex(src) == expected


# --------------------------------------------------------------------------------------------
# Robustness and speed.


def test_deep_nesting_never_raises():
    for src in ("{" * 5000 + "x", "\\frac" * 3000, "x^" * 3000 + "2", "\\sqrt{" * 2000):
        out = latex_to_unicode(src)
        assert leftover_latex(out) == []
        render_math("$" + src + "$")


if given is not None:
    _latexish = st.lists(
        st.sampled_from(list("\\{}^_&$`ab xy12+-=()[]|'~,.") + [
            "\\frac", "\\sqrt", "\\alpha", "\\mathbf", "\\left", "\\right", "\\begin{cases}",
            "\\end{cases}", "\\begin{bmatrix}", "\\\\", "\\text{", "\\foo", "\\sum_", "\\hat",
            "\\overset", "\\underbrace", "\\not", "\\operatorname*", "中", "\n", "\\$", "$$",
        ]),
        max_size=40,
    ).map("".join)

    @settings(max_examples=400, deadline=None, database=None)
    @given(st.text(max_size=200))
    def test_property_any_text_never_raises(text):
        out = render_math(text)
        assert isinstance(out, str)
        if "$" not in text:
            assert out == text  # nothing to do, nothing lost

    @settings(max_examples=600, deadline=None, database=None)
    @given(_latexish)
    def test_property_latex_fragments_never_raise_nor_leak(body):
        out = latex_to_unicode(body)
        assert leftover_latex(out) == []
        assert leftover_latex(latex_to_unicode(body, display=True)) == []
        render_math(body)

    @settings(max_examples=400, deadline=None, database=None)
    @given(st.lists(st.tuples(st.text(alphabet="abc xyz.,", max_size=8),
                              st.lists(st.sampled_from(
                                  list("abxyz12{}^_ ") + ["\\frac", "\\alpha", "\\mathbf",
                                                          "\\foo", "\\sqrt", "\\hat"]),
                                  min_size=1, max_size=12).map("".join)), max_size=5))
    def test_property_markdown_maths_leaves_no_latex(parts):
        # Plain words around `$…$` formulas made of letters, backslash commands and braces.
        text = "".join(f"{words} ${body.strip() or 'x'}$ " for words, body in parts)
        out = render_math(text)
        assert leftover_latex(out) == []
        for words, _ in parts:
            assert words.strip() in out


# --------------------------------------------------------------------------------------------
# Every formula in the shipped decks.

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
_INLINE_CODE = re.compile(r"(`+).+?\1", re.S)
_FORMULA = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?!\d)", re.S)


def deck_formulas() -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for path in sorted(DECKS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        text = _INLINE_CODE.sub(" ", _FENCE.sub("\n", text))
        for m in _FORMULA.finditer(text):
            found.setdefault(m.group(0), path.name)
    return sorted(found.items(), key=lambda kv: (kv[1], kv[0]))


def test_deck_formulas_render_without_latex():
    formulas = deck_formulas()
    if not formulas:
        pytest.skip("no deck files with maths yet")
    bad = []
    for src, name in formulas:
        out = render_math(src)
        if leftover_latex(out) or ("$" in out and "\\$" not in src):
            bad.append(f"{name}: {src!r} -> {out!r}")
    assert not bad, "\n".join(bad)


def test_deck_files_render_without_latex_outside_code():
    paths = sorted(DECKS.glob("*.md"))
    if not paths:
        pytest.skip("no deck files yet")
    bad = []
    for path in paths:
        source = path.read_text(encoding="utf-8")
        rendered = render_math(source)
        for cmd in leftover_latex(rendered):
            bad.append(f"{path.name}: {cmd}")
        if "\\$" not in source:
            outside_code = _INLINE_CODE.sub(" ", _FENCE.sub("\n", rendered))
            for line in outside_code.splitlines():
                if "$" in line:  # an unbalanced or unrecognised formula delimiter
                    bad.append(f"{path.name}: unrendered $ in {line.strip()[:80]!r}")
    assert not bad, "\n".join(bad)


# -- one script style per formula, and TeX's infix fractions ---------------------------------

from learndl_cli.mathtext import render_formula  # noqa: E402


@pytest.mark.parametrize(
    "src, expected",
    [
        (r"{\partial l\over\partial W^t}", "∂l/∂Wᵗ"),
        (r"{a+b \over c} x", "((a+b)/c) x"),
        (r"{n \choose k}", "C(n, k)"),
        (r"\dfrac{1}{2}", "1/2"),
        (r"\tfrac{a}{b+c}", "a/(b+c)"),
        (r"\operatorname{softmax}(\mathbf{o})", "softmax(𝐨)"),
        (r"\text{if } x > 0", "if x > 0"),
        (r"\mathbf{W}_k \boldsymbol{W}_k", "𝐖ₖ 𝐖ₖ"),
    ],
)
def test_commands_named_in_the_issue(src, expected):
    assert latex_to_unicode(src) == expected


def test_one_script_needing_the_fallback_makes_the_whole_formula_fall_back():
    both = render_formula(r"\mathbf{W}_q \in \mathbb{R}^{h\times q}, \mathbf{W}_k")
    assert both.text == "𝐖_q ∈ ℝ^(h×q), 𝐖_k"
    assert both.style == "fallback" and both.missing == ("q", "h×q")
    alone = render_formula(r"\mathbf{W}_k")
    assert alone.text == "𝐖ₖ" and alone.style == "unicode"
    assert render_formula(r"\mathbf{W}_i^{(q)}, \mathbf{W}_i^{(k)}").text == "𝐖_i^(q), 𝐖_i^(k)"
    assert render_formula("x + 1").style == "none"


def test_marks_are_not_scripts_and_transpose_follows_the_style():
    assert latex_to_unicode(r"\mathbf{w}^*, \mathbf{X}^\top") == "𝐰∗, 𝐗ᵀ"
    assert latex_to_unicode(r"\mathbf{w}^*, \mathbf{X}^\top, y_q") == "𝐰∗, 𝐗^T, y_q"
    assert latex_to_unicode(r"\sqrt[3]{x}") == "³√x"
    assert latex_to_unicode(r"\sqrt[3]{x} + y_q") == "x^(1/3) + y_q"


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from learndl_cli.mathtext.symbols import SUB, SUP  # noqa: E402

_SCRIPT_GLYPHS = (set(SUB.values()) | set(SUP.values())) - set(",′″∗†°")
_atom = st.sampled_from(["x", "y", r"\mathbf{W}", r"\theta", "2", r"\hat{y}", r"\sum", r"\max", "(a+b)"])
_script = st.sampled_from(["i", "q", "t-1", "(i)", "(q)", r"h\times q", "2", "T", r"\top", "*", "n", "xy", "k"])
_term = st.tuples(_atom, st.sampled_from(["", "_"]), _script, st.sampled_from(["", "^"]), _script).map(
    lambda t: t[0] + (f"{t[1]}{{{t[2]}}}" if t[1] else "") + (f"{t[3]}{{{t[4]}}}" if t[3] else ""))


@settings(max_examples=300, deadline=None)
@given(st.lists(_term, min_size=1, max_size=6), st.sampled_from([" + ", ", ", " = ", " "]))
def test_no_formula_mixes_script_styles(terms, sep):
    src = sep.join(terms)
    out = render_formula(src)
    has_unicode = any(ch in _SCRIPT_GLYPHS for ch in out.text)
    has_fallback = "_" in out.text or "^" in out.text
    assert not (has_unicode and has_fallback), (src, out)
    assert out.text == render_formula(src).text  # the same LaTeX, the same text
