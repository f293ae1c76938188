"""A table as clipboard HTML that spreadsheets paste as typed cells, numbers as printed.

Excel reads its own HTML dialect (``x:num`` values, ``mso-number-format`` styles, ``x:str``
to keep text as text); LibreOffice Calc reads its own (``sdval`` values, ``sdnum`` formats).
Every cell carries both, decided by ``parse_printed_number``, so a paste into either keeps
"2,273" a number shown "2,273" and "0.65-1.71" text.
"""

from __future__ import annotations

import html

from desktop.core.mdhtml import inline_html_or_escaped, plain_text
from desktop.core.numbers import NumberConvention, parse_printed_number
from desktop.core.tables import TableCell, TableGrid, span_attrs

#: LibreOffice's sdnum names the language its format code is written in: US English, the
#: language Excel format codes use whatever the document's own.
_SDNUM_LANGUAGE = 1033


def css_string(code: str) -> str:
    """An Excel format code as a double-quoted CSS string, escaped the way Excel writes it.

    Punctuation is backslash-escaped ("\\#\\,\\#\\#0"); a double quote becomes the
    six-digit CSS escape, which no following character can extend.
    """
    out = []
    for ch in code:
        if ch == '"':
            out.append("\\000022")
        elif ch.isascii() and not ch.isalnum() and ch != " ":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


#: Text that a spreadsheet would otherwise read as a formula, number or date stays text.
_TEXT_STYLE = html.escape("mso-number-format:" + css_string("@"))
_TEXT_ATTRS = f' x:str sdnum="{_SDNUM_LANGUAGE};0;@" style="{_TEXT_STYLE}"'


def _cell_html(cell: TableCell, convention: NumberConvention) -> str:
    tag = "th" if cell.header else "td"
    attrs = span_attrs(cell)
    number = parse_printed_number(plain_text(cell.text), convention)
    if number is not None:
        value = repr(number.value) if isinstance(number.value, float) else str(number.value)
        code = number.number_format
        style = html.escape("mso-number-format:" + css_string(code))
        sdnum = html.escape(f"{_SDNUM_LANGUAGE};0;{code}")
        attrs += f' x:num="{value}" sdval="{value}" sdnum="{sdnum}" style="{style}"'
    elif cell.text:
        attrs += _TEXT_ATTRS
    text = inline_html_or_escaped(cell.text)  # "*p*-value" in italics, never raw marks
    return f"<{tag}{attrs}>{text}</{tag}>"


def typed_table_html(grid: TableGrid, convention: NumberConvention) -> str:
    """The ``<table>`` alone, spans kept, text escaped, every cell typed (see the module)."""
    return grid.to_html(lambda cell: _cell_html(cell, convention))


def spreadsheet_html(grid: TableGrid, convention: NumberConvention) -> str:
    """A whole UTF-8 HTML document holding the table, typed for Excel and LibreOffice."""
    return (
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel">'
        '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        '<meta charset="utf-8"></head><body>'
        + typed_table_html(grid, convention)
        + "</body></html>"
    )
