"""LaTeX -> Word equations (OMML): latex2mathml's MathML mapped element by element.

Microsoft's MML2OMML.XSL may not be shipped with an application and no kept, permissively
licensed converter exists on PyPI (docs/adr/010-searchable-pdf.md), so this maps the
presentation MathML that latex2mathml writes: tokens, rows, fractions, scripts, roots,
n-ary operators with limits, accents and bars, fences and matrices. An element it does not
know contributes its content, so nothing written is lost.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:  # lxml's element class, for annotations only
    from lxml.etree import _Element as Element

logger = logging.getLogger(__name__)

M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: Operators Word draws as n-ary (big) operators with limits.
NARY = frozenset("∑∏∐∫∬∭∮∯∰⋀⋁⋂⋃⨀⨁⨂⨄⨆")
#: Characters MathML writes over a base for \overline and \underline.
_BARS = frozenset("―¯‾_")
_SKIPPED = frozenset({"annotation", "annotation-xml", "mphantom", "none", "mprescripts"})


def _m(tag: str) -> str:
    return f"{{{M_NS}}}{tag}"


def _el(tag: str, *children: Element, **vals: str) -> Element:
    node = etree.Element(_m(tag))
    for key, value in vals.items():
        node.set(_m(key), value)
    node.extend(children)
    return node


def _prop(tag: str, value: str) -> Element:
    return _el(tag, val=value)


def _run(text: str, *, style: str | None = None) -> Element:
    run = _el("r")
    if style == "normal":
        run.append(_el("rPr", _el("nor")))
    elif style:
        run.append(_el("rPr", _prop("sty", style)))
    t = etree.SubElement(run, _m("t"))
    t.text = text
    t.set(_XML_SPACE, "preserve")
    return run


def _name(node: Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _text(node: Element) -> str:
    return "".join(node.itertext()).strip()


def _box(tag: str, nodes: list[Element]) -> Element:
    """An OMML argument (``m:e``, ``m:num`` ...) holding ``nodes`` converted."""
    box = _el(tag)
    for node in nodes:
        box.extend(_convert(node))
    return box


def _args(node: Element) -> list[Element]:
    return [c for c in node if isinstance(c.tag, str)]


def _fenced_row(children: list[Element]) -> Element | None:
    """``( ... )`` written as fence operators around a row -> a Word delimiter."""
    if len(children) < 2:
        return None
    first, last = children[0], children[-1]
    if not (_name(first) == "mo" and first.get("fence") == "true"):
        return None
    if not (_name(last) == "mo" and last.get("fence") == "true"):
        return None
    props = _el("dPr", _prop("begChr", _text(first)), _prop("endChr", _text(last)))
    return _el("d", props, _row_box("e", children[1:-1]))


def _row_box(tag: str, children: list[Element]) -> Element:
    box = _el(tag)
    box.extend(_row(children))
    return box


def _row(children: list[Element]) -> list[Element]:
    """A row's items; an n-ary operator takes the item after it as its operand."""
    fenced = _fenced_row(children)
    if fenced is not None:
        return [fenced]
    out: list[Element] = []
    i = 0
    while i < len(children):
        node = children[i]
        nary = _nary(node)
        if nary is not None:
            operand = children[i + 1] if i + 1 < len(children) else None
            body = _el("e")
            if operand is not None:
                body.extend(_convert(operand))
                i += 1
            nary.append(body)
            out.append(nary)
        else:
            out.extend(_convert(node))
        i += 1
    return out


def _nary(node: Element) -> Element | None:
    """A sum, product or integral with its limits (its operand is added by the caller)."""
    name = _name(node)
    args = _args(node)
    if name == "mo" and _text(node) in NARY:
        base, lower, upper = node, None, None
    elif name in ("msubsup", "munderover") and len(args) == 3:
        base, lower, upper = args
    elif name in ("msub", "munder") and len(args) == 2:
        base, lower, upper = args[0], args[1], None
    elif name in ("msup", "mover") and len(args) == 2:
        base, lower, upper = args[0], None, args[1]
    else:
        return None
    char = _text(base)
    if _name(base) != "mo" or char not in NARY:
        return None
    loc = "undOvr" if name.startswith("mu") or name.startswith("mo") else "subSup"
    props = _el("naryPr", _prop("chr", char), _prop("limLoc", loc))
    if lower is None:
        props.append(_prop("subHide", "1"))
    if upper is None:
        props.append(_prop("supHide", "1"))
    return _el(
        "nary",
        props,
        _box("sub", [lower] if lower is not None else []),
        _box("sup", [upper] if upper is not None else []),
    )


def _convert(node: Element) -> list[Element]:
    """One MathML element as OMML elements."""
    name = _name(node)
    args = _args(node)
    if name in _SKIPPED or not name:
        return []
    if name in ("mi", "mn", "mo", "ms"):
        text = _text(node)
        style = None if name == "mi" and len(text) == 1 else "p"
        return [_run(text, style=style)] if text else []
    if name == "mtext":
        text = "".join(node.itertext())
        return [_run(text, style="normal")] if text else []
    if name == "mspace":
        return [_run(" ")]
    nary = _nary(node)
    if nary is not None:
        nary.append(_el("e"))
        return [nary]
    if name == "mfrac" and len(args) == 2:
        return [_el("f", _box("num", [args[0]]), _box("den", [args[1]]))]
    if name == "msup" and len(args) == 2:
        return [_el("sSup", _box("e", [args[0]]), _box("sup", [args[1]]))]
    if name in ("msub", "munder") and len(args) == 2 and _is_limit(args[0]):
        return [_el("limLow", _box("e", [args[0]]), _box("lim", [args[1]]))]
    if name == "msub" and len(args) == 2:
        return [_el("sSub", _box("e", [args[0]]), _box("sub", [args[1]]))]
    if name == "msubsup" and len(args) == 3:
        return [
            _el("sSubSup", _box("e", [args[0]]), _box("sub", [args[1]]), _box("sup", [args[2]]))
        ]
    if name == "msqrt":
        props = _el("radPr", _prop("degHide", "1"))
        return [_el("rad", props, _el("deg"), _row_box("e", args))]
    if name == "mroot" and len(args) == 2:
        return [_el("rad", _box("deg", [args[1]]), _box("e", [args[0]]))]
    if name in ("mover", "munder") and len(args) == 2:
        return [_over_under(name, args[0], args[1])]
    if name == "munderover" and len(args) == 3:
        lower = _el("limLow", _box("e", [args[0]]), _box("lim", [args[1]]))
        return [_el("limUpp", _el("e", lower), _box("lim", [args[2]]))]
    if name == "mtable":
        return [_matrix(args)]
    if name == "mfenced":
        props = _el(
            "dPr", _prop("begChr", node.get("open", "(")), _prop("endChr", node.get("close", ")"))
        )
        return [_el("d", props, *[_box("e", [a]) for a in args])]
    # math, mrow, mstyle, mpadded, semantics, menclose and anything unknown: their content
    return _row(args) if args else ([_run(_text(node))] if _text(node) else [])


def _is_limit(node: Element) -> bool:
    """``lim``, ``max``, ``sup`` ...: a named operator whose subscript Word sets beneath it."""
    text = _text(node)
    return _name(node) == "mo" and len(text) > 1 and text.isalpha()


def _over_under(name: str, base: Element, mark: Element) -> Element:
    char = _text(mark)
    if len(char) == 1 and (node_is_accent(base, mark) or char in _BARS):
        if char in _BARS:
            pos = "top" if name == "mover" else "bot"
            return _el("bar", _el("barPr", _prop("pos", pos)), _box("e", [base]))
        return _el("acc", _el("accPr", _prop("chr", char)), _box("e", [base]))
    tag = "limUpp" if name == "mover" else "limLow"
    return _el(tag, _box("e", [base]), _box("lim", [mark]))


def node_is_accent(base: Element, mark: Element) -> bool:
    """MathML marks an accent on the over/under element or on its operator."""
    parent = base.getparent()
    flags = (parent.get("accent") if parent is not None else None, mark.get("accent"))
    return "true" in flags


def _matrix(rows: list[Element]) -> Element:
    matrix = _el("m")
    for row in rows:
        cells = _args(row) if _name(row) in ("mtr", "mlabeledtr") else [row]
        mr = _el("mr")
        for cell in cells:
            mr.append(_row_box("e", _args(cell) if _name(cell) == "mtd" else [cell]))
        matrix.append(mr)
    return matrix


def mathml_to_omml(mathml: str) -> Element:
    """A ``<math>`` element as an ``m:oMath`` element (ValueError if it is not XML)."""
    try:
        root = etree.fromstring(mathml.encode("utf-8"), etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise ValueError(str(exc)) from None
    omath = _el("oMath")
    omath.extend(_convert(root))
    return omath


def latex_to_omml(latex: str) -> Element | None:
    """``latex`` as a Word equation, or None where latex2mathml cannot read it."""
    if not latex.strip():
        return None
    try:
        from latex2mathml.converter import convert

        return mathml_to_omml(convert(latex))
    except Exception as exc:  # latex2mathml raises many types on LaTeX it cannot read
        logger.info("formula kept as LaTeX text: %s", type(exc).__name__)
        return None
