"""A cell is a number only when it reads as one, and its format shows it exactly as printed."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.numbers import (
    NumberConvention,
    PrintedNumber,
    infer_convention,
    parse_printed_number,
)

POINT = NumberConvention.DECIMAL_POINT
COMMA = NumberConvention.DECIMAL_COMMA


def render(value: float, code: str) -> str:
    """What a spreadsheet in an English locale shows for ``value`` under the format ``code``.

    Covers the format codes parse_printed_number writes: sections, quoted literals, ``0``,
    ``#``, ``#,##0``, fixed decimals and ``%``.
    """
    sections = re.findall(r'(?:"[^"]*"|[^;"])+', code)
    section = sections[0]
    sign = ""
    if value < 0:
        if len(sections) > 1:
            section = sections[1]
        else:
            sign = "-"
        value = -value
    number = re.search(r"[#0,]+(?:\.0+)?%?", section.replace('"', "\0"))
    assert number is not None, code
    spec = number.group(0)
    if spec.endswith("%"):
        value *= 100
    decimals = len(spec.split(".")[1].rstrip("%")) if "." in spec else 0
    shown = f"{Decimal(repr(value)):,.{decimals}f}" if "," in spec else f"{value:.{decimals}f}"
    if spec.startswith("#") and "," not in spec and shown.startswith("0."):
        shown = shown[1:]  # "#.00" shows 0.05 as ".05"
    if spec.endswith("%"):
        shown += "%"
    literal = section[: number.start()] + shown + section[number.end() :]
    return sign + literal.replace('"', "")


# ---------------------------------------------------------------- examples


@pytest.mark.parametrize(
    ("text", "convention", "value", "shown"),
    [
        ("2,273", POINT, 2273, "2,273"),
        ("2,273", COMMA, 2.273, "2.273"),
        ("1,823.50", POINT, 1823.5, "1,823.50"),
        ("1 823,50", COMMA, 1823.5, "1,823.50"),
        ("1\u00a0823", COMMA, 1823, "1,823"),
        ("1\u202f823,5", COMMA, 1823.5, "1,823.5"),
        ("1.823.000", COMMA, 1823000, "1,823,000"),
        ("1.00", POINT, 1.0, "1.00"),
        ("0.90", POINT, 0.9, "0.90"),
        ("12.5%", POINT, 0.125, "12.5%"),
        ("12,5 %", COMMA, 0.125, "12.5%"),
        ("(1,234)", POINT, -1234, "(1,234)"),
        ("-12", POINT, -12, "-12"),
        ("−3.5", POINT, -3.5, "−3.5"),
        ("+5", POINT, 5, "+5"),
        ("$1,234.50", POINT, 1234.5, "$1,234.50"),
        ("1 234,50 ₽", COMMA, 1234.5, "1,234.50 ₽"),
        ("€ 12", POINT, 12, "€ 12"),
        ("-$ 12", POINT, -12, "-$ 12"),
        ("(12.5%)", POINT, -0.125, "(12.5%)"),
        (".05", POINT, 0.05, ".05"),
        ("0", POINT, 0, "0"),
    ],
)
def test_given_a_printed_number_then_it_is_that_number_shown_as_printed(
    text: str, convention: NumberConvention, value: float, shown: str
) -> None:
    number = parse_printed_number(text, convention)
    assert number is not None
    assert number.value == pytest.approx(value)
    assert render(number.value, number.number_format) == shown


@pytest.mark.parametrize(
    ("text", "convention"),
    [
        ("0.65–1.71", POINT),  # a range
        ("0.65-1.71", POINT),
        ("–", POINT),  # a dash for "none"
        ("-", POINT),
        ("n/a", POINT),
        ("007", POINT),  # a code with leading zeros
        ("00.5", POINT),
        ("40817810099910004312", POINT),  # an account number
        ("1234567890", POINT),  # ten ungrouped digits: an identifier, not a sum
        ("1,36", POINT),  # a decimal comma in an English document: ambiguous
        ("2,5", POINT),
        ("1,2345", POINT),
        ("2.273", COMMA),  # 2273 in German, 2.273 in Russian: ambiguous
        ("$1,234.50", COMMA),
        ("1.2.3", POINT),
        ("12 -", POINT),
        ("$12%", POINT),
        ("(-12)", POINT),
        ("(12", POINT),
        ("1e5", POINT),
        ("", POINT),
        ("Ever Exposed", POINT),
        ("2019-01-05", POINT),
        ("1/2", POINT),
        ("12:30", POINT),
        ("1,234,5678", POINT),
        ("1 23", COMMA),
        ("1.234567890123456789", POINT),  # more digits than a spreadsheet keeps
    ],
)
def test_given_text_that_is_not_surely_a_number_then_it_stays_text(
    text: str, convention: NumberConvention
) -> None:
    assert parse_printed_number(text, convention) is None


# ---------------------------------------------------------------- properties

GROUP_SPACES = (" ", "\u00a0", "\u202f")


@st.composite
def printed_numbers(draw: st.DrawFn) -> tuple[str, NumberConvention, Decimal, str]:
    """(printed text, its convention, its value, what an English spreadsheet should show)."""
    convention = draw(st.sampled_from([POINT, COMMA]))
    grouped = draw(st.booleans())
    # at most 11 + 4 digits: within the 15 significant digits a spreadsheet keeps exactly
    whole = draw(st.integers(0, 10**11 - 1 if grouped else 10**9 - 1))
    decimals = draw(st.integers(0, 4))
    fraction = draw(st.integers(0, 10**decimals - 1)) if decimals else 0
    sign = draw(st.sampled_from(["", "-", "−", "()"]))
    affix = draw(st.sampled_from(["", "%", "$", " ₽"]))
    if convention is COMMA and affix == "$":
        affix = "€"

    def printed(group: str, point: str) -> str:
        integer = f"{whole:,}".replace(",", group) if grouped else str(whole)
        return integer + (f"{point}{fraction:0{decimals}d}" if decimals else "")

    if convention is POINT:
        body = printed(",", ".")
    else:
        body = printed(draw(st.sampled_from(GROUP_SPACES)), ",")
    english = printed(",", ".")
    if affix in ("$", "€"):
        body, english = affix + body, affix + english
    elif affix:
        body, english = body + affix, english + affix
    if sign == "()":
        body, english = f"({body})", f"({english})"
    else:
        body, english = sign + body, sign + english
    value = Decimal(f"{whole}.{fraction:0{decimals}d}" if decimals else str(whole))
    if affix == "%":
        value /= 100
    if sign:
        value = -value
    return body, convention, value, english


@given(printed_numbers())
def test_property_every_printed_number_reads_back_as_its_value_and_its_look(
    case: tuple[str, NumberConvention, Decimal, str],
) -> None:
    text, convention, value, english = case
    number = parse_printed_number(text, convention)
    assert isinstance(number, PrintedNumber), text
    assert Decimal(repr(number.value)) == pytest.approx(
        value, rel=Decimal("1e-12"), abs=Decimal("1e-12")
    )
    shown = render(number.value, number.number_format)
    if value == 0 and english.startswith(("-", "−", "(")):
        return  # minus zero shows as zero in every spreadsheet
    assert shown == english


@given(st.text(max_size=40), st.sampled_from([POINT, COMMA]))
def test_property_any_text_is_decided_without_error(
    text: str, convention: NumberConvention
) -> None:
    number = parse_printed_number(text, convention)
    if number is not None:
        assert any(ch.isdigit() for ch in text)
        assert isinstance(number.value, int | float)


@given(st.from_regex(r"0[0-9]{1,8}", fullmatch=True), st.sampled_from([POINT, COMMA]))
def test_property_codes_with_leading_zeros_stay_text(
    text: str, convention: NumberConvention
) -> None:
    assert parse_printed_number(text, convention) is None


@given(st.integers(10**9, 10**30))
def test_property_long_ungrouped_digit_strings_stay_text(digits: int) -> None:
    assert parse_printed_number(str(digits), POINT) is None
    assert parse_printed_number(str(digits), COMMA) is None


@given(
    st.decimals(0, 1000, places=2, allow_nan=False),
    st.decimals(0, 1000, places=2, allow_nan=False),
    st.sampled_from(["-", "–", "—", " - "]),
)
def test_property_ranges_stay_text(low: Decimal, high: Decimal, dash: str) -> None:
    assert parse_printed_number(f"{low}{dash}{high}", POINT) is None


# ---------------------------------------------------------------- the document's language


def test_given_russian_text_then_the_decimal_separator_is_a_comma() -> None:
    texts = ["Выручка за 2023 год, тыс. руб.", "Итого по региону", "Q1 2023"]
    assert infer_convention(texts) is COMMA


def test_given_german_text_then_the_decimal_separator_is_a_comma() -> None:
    texts = ["Der Umsatz und die Kosten für das Jahr", "Summe der Erlöse mit Steuer"]
    assert infer_convention(texts) is COMMA


def test_given_english_text_then_the_decimal_separator_is_a_point() -> None:
    texts = [
        "OR, odds ratio, adjusted for age, sex, center, and cumulative exposure",
        "ODDS RATIO OF HODGKIN LYMPHOMA AND NON-HODGKIN LYMPHOMA FOR INDICATORS",
    ]
    assert infer_convention(texts) is POINT


def test_given_no_words_then_the_decimal_separator_is_a_point() -> None:
    assert infer_convention(["2,273", "1.00"]) is POINT
    assert infer_convention([]) is POINT
