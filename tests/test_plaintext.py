"""The readable text of formulas that the site search indexes (``matrixcheck.plaintext``)."""

from __future__ import annotations

import pytest
from matrixcheck.plaintext import readable

CASES = {
    # fonts drop, transposes and inverses become superscripts
    r"\boldsymbol a^\text T \boldsymbol X^{-1} \boldsymbol b": "aᵀX⁻¹b",
    r"\mathbf{x}^\top \bm y^{\mathsf T} \boldsymbol z^T": "xᵀyᵀzᵀ",
    r"\boldsymbol X^{-\text T}": "X⁻ᵀ",
    # a script Unicode cannot write character by character keeps its mark
    r"\boldsymbol X \in \mathbb{R}^{m\times n}": "X ∈ ℝ^(m×n)",
    r"\|\boldsymbol X\|_F": "‖X‖_F",
    r"\sum_{i=1}^n X_{ii}": "∑ᵢ₌₁ⁿ Xᵢᵢ",
    r"\lim_{t \to 0} f(t)": "lim_(t→0) f(t)",
    # fractions: a leading differential stays outside the parentheses
    r"\frac{\partial \boldsymbol a^\text T \boldsymbol X \boldsymbol b}{\partial \boldsymbol X}": (
        "∂(aᵀXb)/∂X"
    ),
    r"\frac{\partial \operatorname{tr}(\boldsymbol A \boldsymbol X)}{\partial \boldsymbol X}": (
        "∂tr(AX)/∂X"
    ),
    r"\frac{\partial \log\det\boldsymbol X}{\partial \boldsymbol X}": "∂(log det X)/∂X",
    r"\frac{\partial^2 f}{\partial \boldsymbol x \, \partial \boldsymbol x^{\text T}}": (
        "∂²f/(∂x ∂xᵀ)"
    ),
    r"\frac{df}{dx}": "df/dx",
    r"\frac{\boldsymbol x^\text T \boldsymbol A \boldsymbol x}{\boldsymbol x^\text T \boldsymbol x}": (
        "(xᵀAx)/(xᵀx)"
    ),
    r"\tfrac12 \|\boldsymbol A\boldsymbol x - \boldsymbol b\|_2^2": "1/2 ‖Ax − b‖₂²",
    r"-\frac{1}{2} x": "−1/2 x",
    r"\sqrt{\boldsymbol x^\text T \boldsymbol x} + \sqrt[3]{y}": "√(xᵀx) + ∛y",
    # signs, operations and relations
    r"\boldsymbol A + \boldsymbol B = -\boldsymbol C": "A + B = −C",
    r"\boldsymbol A \otimes \boldsymbol B \ne \boldsymbol B \odot \boldsymbol A": "A ⊗ B ≠ B ⊙ A",
    r"d\boldsymbol p \oslash \boldsymbol p": "dp ⊘ p",
    r"\sigma(x)(1-\sigma(x))": "σ(x)(1 − σ(x))",
    r"x \quad\Longleftrightarrow\quad y": "x ⟺ y",
    # function names: a space unless brackets follow
    r"\log|\det(\boldsymbol A + \boldsymbol X)|": "log|det(A + X)|",
    r"\exp(\boldsymbol X) \det \boldsymbol X^{-1}": "exp(X) det X⁻¹",
    r"1/\det \boldsymbol X": "1/det X",
    # sized and paired delimiters
    r"\operatorname{tr}\Big(\boldsymbol A \bigl(\boldsymbol X - \boldsymbol B\bigr)\Big)": (
        "tr(A(X − B))"
    ),
    r"\left\langle \boldsymbol A, \boldsymbol B \right\rangle": "⟨A, B⟩",
    r"\left. f \right|_{x=0}": "f|ₓ₌₀",
    r"\big\| \boldsymbol x \big\|_2": "‖x‖₂",
    # accents, text and environments
    r"\hat{\boldsymbol x} + \bar y": "x\u0302 + y\u0304",
    r"f(x) \text{ if } x > 0": "f(x) if x > 0",
    (
        r"\begin{aligned} d(\boldsymbol a^\text T \boldsymbol X \boldsymbol b) "
        r"&= \boldsymbol a^\text T d\boldsymbol X \, \boldsymbol b \\ "
        r"&= \operatorname{tr}(\boldsymbol b \boldsymbol a^\text T d\boldsymbol X) \end{aligned}"
    ): "d(aᵀXb) = aᵀdX b = tr(baᵀdX)",
    r"f\big(\begin{smallmatrix}\boldsymbol X & \boldsymbol V \\ 0 & \boldsymbol X\end{smallmatrix}\big)": (
        "f(X, V; 0, X)"
    ),
    r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}": "(1, 2; 3, 4)",
    # what the reader does not know is kept as written
    r"\unknowncommand x": r"\unknowncommand x",
}


@pytest.mark.parametrize(("latex", "text"), CASES.items())
def test_a_formula_reads_as_plain_text(latex: str, text: str) -> None:
    assert readable(latex) == text


def test_unbalanced_input_still_reads() -> None:
    assert readable(r"[0, 1)") == "[0, 1)"
    assert readable(r"\right) x }") == ")x"
    assert readable(r"\frac{a}") == "a/"
    assert readable("") == ""
