"""Is a table cell a number as printed, and with which spreadsheet number format?

One decision for every spreadsheet-facing output (XLSX, the clipboard's HTML, later ones):
a cell becomes a number only when its text is unambiguously one under the document's
conventions, and the number format shows it exactly as it was printed (grouping, decimals,
percent, currency sign, minus or parentheses). Everything else stays text.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


class NumberConvention(enum.Enum):
    """Which separators a document prints numbers with."""

    #: English and most of Asia: "1,823.50".
    DECIMAL_POINT = "point"
    #: Russian, German, French, ...: "1 823,50" (space or no-break space), "1.823,50".
    DECIMAL_COMMA = "comma"


@dataclass(frozen=True, slots=True)
class PrintedNumber:
    """A cell's number: its value and an Excel number format that shows it as printed."""

    value: int | float
    number_format: str


#: Spaces printed between thousands groups: space, no-break, narrow no-break, thin, figure.
_GROUP_SPACES = " \u00a0\u202f\u2009\u2007"
_CURRENCIES = "$€£¥₽₹₩₪₺₴"
#: The same, for other spreadsheet-facing rules (``tables.spreadsheet_safe``).
CURRENCIES, GROUP_SPACES = _CURRENCIES, _GROUP_SPACES
#: More significant digits than a spreadsheet keeps exactly (IEEE double: 15).
_MAX_DIGITS = 15
#: An ungrouped integer this long reads as an identifier (account, phone, INN), not a sum.
_MAX_PLAIN_INT = 9

_AFFIXES = re.compile(
    rf"^(?P<open>\()?(?P<sign>[-−+])?(?P<pre>[{_CURRENCIES}])?\s?(?P<sign2>[-−])?"
    rf"(?P<body>[0-9](?:[0-9{_GROUP_SPACES}.,]*[0-9])?|[.,][0-9]+)"
    rf"(?P<post>\s?[{_CURRENCIES}%])?(?P<close>\))?$"
)
_PLAIN_INT = re.compile(r"^(?:0|[1-9][0-9]*)$")


def _grouped(integer: str, separator: str) -> bool:
    """ "2,273" / "1 823 000" with one separator: 1-3 leading digits, then groups of 3."""
    groups = integer.split(separator)
    return (
        len(groups) > 1
        and 1 <= len(groups[0]) <= 3
        and groups[0][0] != "0"
        and all(len(g) == 3 and g.isdigit() for g in groups[1:])
        and groups[0].isdigit()
    )


def _split(body: str, convention: NumberConvention) -> tuple[str, str, bool] | None:
    """(integer digits, fraction digits, grouped) or None when the body is ambiguous."""
    decimal = "." if convention is NumberConvention.DECIMAL_POINT else ","
    other = "," if decimal == "." else "."
    if body.count(decimal) > 1:
        return None  # "1.2.3": not a number
    integer, _, fraction = body.partition(decimal)
    if fraction and not fraction.isdigit():
        return None
    if not integer:
        return ("", fraction, False) if fraction else None
    split = _integer(integer, convention)
    comma = convention is NumberConvention.DECIMAL_COMMA
    if split is not None and comma and integer.count(other) == 1 and not fraction:
        return None  # "2.273" in a decimal-comma document: 2273 (German) or 2.273 (Russian)
    if split is None:
        if comma and not fraction and other in integer:
            # "1.5" in a decimal-comma document: a dot that cannot be grouping is a point.
            whole, _, part = integer.partition(other)
            if part.isdigit() and len(part) != 3 and _PLAIN_INT.match(whole):
                return whole, part, False
        return None
    return split[0], fraction, split[2]


def _integer(integer: str, convention: NumberConvention) -> tuple[str, str, bool] | None:
    if integer.isdigit():
        if not _PLAIN_INT.match(integer) or len(integer) > _MAX_PLAIN_INT:
            return None  # "007", account numbers
        return integer, "", False
    separators = _GROUP_SPACES + ("," if convention is NumberConvention.DECIMAL_POINT else ".")
    used = {ch for ch in integer if not ch.isdigit()}
    if len(used) != 1 or next(iter(used)) not in separators:
        return None
    separator = used.pop()
    if not _grouped(integer, separator):
        return None
    return integer.replace(separator, ""), "", True


def _quoted(text: str) -> str:
    return '"' + text.replace('"', "") + '"' if text else ""


def parse_printed_number(
    text: str, convention: NumberConvention = NumberConvention.DECIMAL_POINT
) -> PrintedNumber | None:
    """The number a cell prints, with a format that shows it the same, or None for text.

    Ranges ("0.65-1.71"), dashes, "n/a", leading zeros ("007"), long digit strings
    (account numbers), a decimal separator the convention does not use ("2,5" in an English
    document) and more digits than a spreadsheet keeps exactly all stay text.
    """
    stripped = text.strip()
    match = _AFFIXES.match(stripped)
    if match is None:
        return None
    opened, closed = match["open"] is not None, match["close"] is not None
    signs = [s for s in (match["sign"], match["sign2"]) if s]
    post = (match["post"] or "").strip()
    if opened != closed or len(signs) > 1 or (opened and signs):
        return None
    currency = match["pre"] or (post if post != "%" else "")
    if match["pre"] and post:
        return None  # "$12€", "$12%"
    split = _split(match["body"], convention)
    if split is None:
        return None
    integer, fraction, grouped = split
    digits = (integer + fraction).lstrip("0")
    if len(digits) > _MAX_DIGITS:
        return None
    sign = signs[0] if signs else ""
    negative = opened or sign in ("-", "−")
    number = Decimal(f"{integer or '0'}.{fraction or '0'}")
    percent = post == "%"
    if percent:
        number /= 100
    if negative:
        number = -number
    value: int | float = int(number) if not fraction and not percent else float(number)

    code = ("#,##0" if grouped else ("#" if not integer else "0")) + (
        "." + "0" * len(fraction) if fraction else ""
    )
    if match["pre"]:
        after = stripped[match.end("pre") : match.end("pre") + 1]
        code = _quoted(match["pre"] + (" " if after.isspace() else "")) + code
    if percent:
        code += "%"
    elif currency:
        code += _quoted((match["post"] or "").replace(post, "") + post)
    if opened:
        code = f"{code};({code})"
    elif sign == "−":
        code = f'{code};"−"{code}'
    elif sign == "+":
        code = f'"+"{code};-{code}'
    return PrintedNumber(value, code)


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD = re.compile(r"[^\W\d_]+")
#: Function words of decimal-comma languages (German, French, Spanish, Italian) and of
#: English; each set lists words that do not occur as words of the other.
_COMMA_WORDS = frozenset(
    [
        "der",
        "die",
        "das",
        "und",
        "nicht",
        "mit",
        "für",
        "ist",
        "den",
        "dem",
        "des",
        "von",
        "zu",
        "auf",
        "eine",
        "einer",
        "le",
        "la",
        "les",
        "et",
        "est",
        "une",
        "pour",
        "dans",
        "du",
        "sur",
        "pas",
        "el",
        "los",
        "las",
        "y",
        "del",
        "para",
        "por",
        "una",
        "es",
        "con",
        "que",
        "il",
        "gli",
        "della",
        "sono",
    ]
)
_POINT_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "for",
        "with",
        "that",
        "this",
        "are",
        "was",
        "from",
        "by",
    ]
)


def infer_convention(texts: Iterable[str]) -> NumberConvention:
    """Decimal comma for Cyrillic-dominant text or text in a decimal-comma language.

    The rule, in order: more Cyrillic than Latin letters -> decimal comma (Russian,
    Ukrainian, ...); else more function words of German/French/Spanish/Italian than of
    English (at least three) -> decimal comma; else decimal point.
    """
    cyrillic = latin = comma_words = point_words = 0
    for text in texts:
        cyrillic += len(_CYRILLIC.findall(text))
        latin += len(_LATIN.findall(text))
        for word in _WORD.findall(text.lower()):
            comma_words += word in _COMMA_WORDS
            point_words += word in _POINT_WORDS
    if cyrillic > latin:
        return NumberConvention.DECIMAL_COMMA
    if comma_words >= 3 and comma_words > point_words:
        return NumberConvention.DECIMAL_COMMA
    return NumberConvention.DECIMAL_POINT
