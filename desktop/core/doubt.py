"""Whether a quick read (a screen capture) looks too doubtful to replace the clipboard with.

Small or blurred on-screen text read badly shows as almost nothing, as punctuation soup, or
as a "table" of one column (lines the layout model boxed as rows). Facts, not words: the
window says them in the user's language.
"""

from __future__ import annotations

from desktop.core.document import Document
from desktop.core.messages import Code, Msg
from desktop.core.tableblock import BlockTable, read_table_block

#: Fewer letters and digits than this is "almost no text".
MIN_WORD_CHARS = 3
#: Below this share of letters and digits among the printed characters, it reads as noise.
MIN_WORD_SHARE = 0.5


def read_doubt(doc: Document) -> Msg | None:
    """Why ``doc``'s text should not silently go to the clipboard; None when it looks fine."""
    texts = [p.text for p in doc.pages if p.text and not p.blocks]
    texts += [b.text or "" for p in doc.pages for b in p.blocks if b.category != "Table"]
    tables = []
    for block in (b for p in doc.pages for b in p.blocks if b.is_table):
        for part in read_table_block(block.text or ""):
            if isinstance(part, BlockTable):  # every table of the block, with its caption
                tables.append(part.grid)
                texts += [part.caption, *(c.text for c in part.grid.cells)]
            else:  # the text around its tables
                texts.append(part)
    printed = [ch for ch in "".join(texts) if not ch.isspace()]
    word_chars = sum(ch.isalnum() for ch in printed)
    if word_chars < MIN_WORD_CHARS:
        return Msg.of(Code.DOUBT_LITTLE_TEXT)
    if any(grid.cols == 1 and grid.rows > 1 for grid in tables):
        return Msg.of(Code.DOUBT_ONE_COLUMN_TABLE)
    if word_chars < MIN_WORD_SHARE * len(printed):
        return Msg.of(Code.DOUBT_GARBLED)
    return None
