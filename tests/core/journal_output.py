"""A dots.ocr layout_all answer for tests/fixtures/journal_page_tables.jpg, WRITTEN BY HAND.

No model outputs are published for the fixtures, so this imitates the model's format
(DOTS_OCR.md): boxes in MODEL-input pixels (the page is 1700x2250, the model sees
1708x2240), reading order, tables as HTML with thead/tbody, colspan/rowspan and empty
cells, Markdown elsewhere, Picture-free page.
"""

from __future__ import annotations

import json

MODEL_W, MODEL_H = 1708, 2240
ORIG_W, ORIG_H = 1700, 2250

_T2_ROWS = [
    ("Never Exposed (reference group)", "2,273", "315", "1.00", "–", "1,823", "1.00", "–"),
    ("Ever Exposed", "189", "24", "1.06", "0.65–1.71", "184", "1.18", "0.95–1.46"),
    ("Duration of exposure", "", "", "", "", "", "", ""),
    ("≤5 years", "52", "12", "1.14", "0.57–2.30", "49", "1.25", "0.84–1.86"),
    ("6–15 years", "62", "8", "0.98", "0.44–2.20", "52", "1.04", "0.71–1.51"),
    ("≥16 years", "73", "4", "1.02", "0.36–2.90", "82", "1.27", "0.92–1.76"),
    ("*p*-value of test for linear trend", "", "", "", "0.90", "", "", "0.13"),
    ("Weighted duration of exposure", "", "", "", "", "", "", ""),
    ("≤6 months", "62", "14", "1.54", "0.79–2.99", "57", "1.10", "0.76–1.59"),
    ("7 months to 1 year", "35", "3", "0.60", "0.17–2.13", "40", "1.39", "0.87–2.20"),
    (">1 year", "90", "7", "0.84", "0.37–1.91", "86", "1.17", "0.87–1.59"),
    ("*p*-value of test for linear trend", "", "", "", "0.75", "", "", "0.13"),
    ("Intensity of exposure", "", "", "", "", "", "", ""),
    ("Low", "84", "11", "1.05", "0.52–2.12", "85", "1.24", "0.91–1.70"),
    ("Medium", "70", "10", "1.19", "0.56–2.49", "66", "1.11", "0.79–1.57"),
    ("High", "35", "3", "0.80", "0.23–2.74", "32", "1.14", "0.70–1.85"),
]

_T3_ROWS = [
    ("Never Exposed (Ref group)", "1,823", "2,273", "1.00", "", "1,823", "2,273", "1.00", ""),
    ("Ever Exposed", "117", "108", "1.22", "0.90–1.67", "1,36", "129", "1.19", "0.91–1.55"),
    ("Duration of exposure", "", "", "", "", "", "", "", ""),
    ("≤5 years", "40", "37", "1.45", "0.92–2.31", "30", "40", "0.97", "0.60–1.58"),
    ("6–15 years", "29", "43", "0.79", "0.47–1.31", "42", "41", "1.21", "0.78–1.88"),
    ("≥16 years", "48", "28", "1.63", "0.93–2.88", "64", "48", "1.36", "0.90–2.06"),
    (
        "*p*-value of test for linear<br>trend (with ref cat)",
        "",
        "",
        "0.23",
        "",
        "",
        "",
        "0.11",
        "",
    ),
]


def _tr(cells: tuple[str, ...]) -> str:
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


TABLE_II = (
    '<table><thead><tr><th rowspan="2"></th><th rowspan="2">Controls</th>'
    '<th colspan="3">Hodgkin lymphoma</th><th colspan="3">Non-Hodgkin lymphoma</th></tr>'
    "<tr><th>Cases</th><th>OR</th><th>95% CI</th><th>Cases</th><th>OR</th><th>95% CI</th>"
    "</tr></thead><tbody>" + "".join(_tr(r) for r in _T2_ROWS) + "</tbody></table>"
)

TABLE_III = (
    '<table><thead><tr><th></th><th colspan="4">Beef meat</th>'
    '<th colspan="4">Chicken meat</th></tr><tr><th></th>'
    + "<th>Cases</th><th>Controls</th><th>OR</th><th>95% CI</th>" * 2
    + "</tr></thead><tbody>"
    + "".join(_tr(r) for r in _T3_ROWS)
    + "</tbody></table>"
)

BLOCKS: list[dict[str, object]] = [
    {
        "bbox": [664, 175, 1084, 199],
        "category": "Page-header",
        "text": "EXPOSURE TO MEAT AND RISK OF LYMPHOMA",
    },
    {"bbox": [1488, 173, 1538, 199], "category": "Page-header", "text": "2763"},
    {
        "bbox": [257, 219, 1459, 241],
        "category": "Caption",
        "text": "TABLE II – ODDS RATIO OF HODGKIN LYMPHOMA AND NON-HODGKIN LYMPHOMA FOR "
        "INDICATORS OF EXPOSURE TO MEAT",
    },
    {"bbox": [167, 245, 1545, 703], "category": "Table", "text": TABLE_II},
    {
        "bbox": [191, 719, 1224, 743],
        "category": "Footnote",
        "text": "OR, odds ratio, adjusted for age, sex, center, and cumulative exposure to "
        "pesticides; CI, confidence interval.",
    },
    {
        "bbox": [317, 828, 1396, 849],
        "category": "Caption",
        "text": "TABLE III – ODDS RATIO OF ALL NON-HODGKIN LYMPHOMA FOR EXPOSURE TO SPECIFIC "
        "TYPES OF MEAT—ALL NHL",
    },
    {"bbox": [167, 854, 1545, 1266], "category": "Table", "text": TABLE_III},
    {
        "bbox": [191, 1697, 1402, 1721],
        "category": "Footnote",
        "text": "OR, odds ratio adjusted for age, sex, center, cumulative exposure to pesticides "
        "and other types of meat; CI, confidence interval.",
    },
    {
        "bbox": [167, 1752, 838, 1818],
        "category": "Text",
        "text": "sponding OR of non-Hodgkin lymphoma was 1.18 (95% CI 0.95–1.46): also for this "
        "group of lymphoma, no trend was apparent for any indicator of exposure.",
    },
    {
        "bbox": [167, 1828, 838, 2022],
        "category": "Text",
        "text": "When the analysis on non-Hodgkin lymphoma was repeated for specific types of meat "
        "(Table III), the OR for ever exposure to beef meat was 1.22 (95% CI 0.95–1.67), and "
        "the OR for ever exposure to chicken meat was 1.19 (95% CI 0.91–1.55). The remaining "
        "meat types, namely pork meat and mutton meat, showed either no effect or small "
        "nonsignificant increases in lymphoma risk. Exposure for more than 15 years to beef "
        "meat resulted in an OR of 1.63 (95% CI 0.93–2.88). An increase in risk was also "
        "observed",
    },
    {
        "bbox": [876, 1752, 1545, 1818],
        "category": "Text",
        "text": "for long-term exposure to chicken meat (OR = 1.36, 95% CI 0.90–2.06). The results "
        "on intensity of exposure did not suggest a difference among meat types.",
    },
    {
        "bbox": [876, 1828, 1545, 2022],
        "category": "Text",
        "text": "In the analyses stratified by lymphoma type, whose results are reported in Table "
        "IV, an increased risk among workers exposed to beef meat was mainly apparent for "
        "diffuse large B-cell lymphoma (OR = 1.49, 95%CI 0.96–2.33), chronic lymphocytic "
        "leukemia/small lymphocytic lymphoma (OR = 1.35, 95% CI 0.78–2.34), and multiple "
        "myeloma (OR = 1.40, 95%CI 0.67–2.94). Stronger increases in risk were observed for "
        "each of these 3 subtypes after 16 years or more of exposure (OR 2.00, 95% CI "
        "0.87–4.61; OR",
    },
]

#: The raw answer text as the model streams it (compact JSON array, UTF-8 kept).
JOURNAL_OUTPUT = json.dumps(BLOCKS, ensure_ascii=False)
