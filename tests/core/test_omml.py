"""LaTeX -> OMML: the Word structures each construct becomes (checked by path, not by string)."""

from __future__ import annotations

import pytest
from lxml import etree

from desktop.core.omml import M_NS, latex_to_omml, mathml_to_omml

NS = {"m": M_NS}


def _omml(latex: str) -> etree._Element:
    omath = latex_to_omml(latex)
    assert omath is not None
    return omath


def _text(node: etree._Element) -> str:
    return "".join(node.itertext())


@pytest.mark.parametrize(
    ("latex", "path", "inside"),
    [
        (r"\frac{a+b}{2}", "m:f/m:num", "a+b"),
        (r"\frac{a+b}{2}", "m:f/m:den", "2"),
        (r"x^{2}", "m:sSup/m:sup", "2"),
        (r"x_i", "m:sSub/m:sub", "i"),
        (r"x_i^2", "m:sSubSup/m:sup", "2"),
        (r"\sqrt{y}", "m:rad/m:e", "y"),
        (r"\sqrt[3]{z}", "m:rad/m:deg", "3"),
        (r"\sum_{i=1}^{n} i", "m:nary/m:sub", "i=1"),
        (r"\sum_{i=1}^{n} i", "m:nary/m:e", "i"),
        (r"\int_0^1 f", "m:nary/m:sup", "1"),
        (r"\hat{x}", "m:acc/m:e", "x"),
        (r"\overline{AB}", "m:bar/m:e", "AB"),
        (r"\lim_{x\to 0} f", "m:limLow/m:lim", "x→0"),
        (r"\left( a \right)", "m:d/m:e", "a"),
        (r"\begin{matrix} a & b \\ c & d \end{matrix}", "m:m/m:mr[2]/m:e[2]", "d"),
        (r"\text{если } x", "m:r/m:t", "если"),
    ],
)
def test_each_construct_becomes_its_word_structure(latex: str, path: str, inside: str) -> None:
    found = _omml(latex).xpath(path, namespaces=NS)
    assert found, etree.tostring(_omml(latex)).decode()
    assert inside in _text(found[0]).replace("\u00a0", " ")


def test_nary_operator_and_its_limits_are_kept() -> None:
    props = _omml(r"\prod_{k=1}^{m} k").xpath("m:nary/m:naryPr", namespaces=NS)[0]
    assert props.xpath("m:chr/@m:val", namespaces=NS) == ["∏"]
    no_limits = _omml(r"\int f").xpath("m:nary/m:naryPr", namespaces=NS)[0]
    assert no_limits.xpath("m:subHide/@m:val", namespaces=NS) == ["1"]


def test_nothing_written_is_lost_from_an_unknown_element() -> None:
    mathml = (
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><mrow><mi>a</mi>'
        "<menclose><mn>42</mn></menclose><mphantom><mi>hidden</mi></mphantom></mrow></math>"
    )
    omath = mathml_to_omml(mathml)
    assert _text(omath) == "a42"


@pytest.mark.parametrize("latex", ["", "   ", r"\frac{", r"\begin{matrix"])
def test_unreadable_latex_gives_none(latex: str) -> None:
    assert latex_to_omml(latex) is None


def test_not_xml_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        mathml_to_omml("<math><mi>")
