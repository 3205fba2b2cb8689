"""A character the PDF font lacks prints as a visible placeholder, never as a wrong character:
the coverage table is the CMap's, and every PDF's text goes through the one substitution."""

from __future__ import annotations

import unicodedata
from itertools import pairwise

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from propdesk.core.glyphs import MISSING, RANGES, drawable, printable
from propdesk.core.pdf import FONT, cid_font


def test_every_character_of_gb2312_and_ascii_is_drawable() -> None:
    """The table agrees with what the font is known to have: all of GB 2312 (the Adobe-GB1
    collection's base) and printable ASCII."""
    missing = []
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if not drawable(ch):
                missing.append(ch)
    assert missing == []
    assert all(drawable(chr(c)) for c in range(0x20, 0x7F))
    assert all(lo <= hi for lo, hi in RANGES)
    assert all(a[1] < b[0] for a, b in pairwise(RANGES))


def test_text_the_font_can_draw_comes_back_unchanged_and_nothing_else_does() -> None:
    everything = "".join(chr(c) for lo, hi in RANGES for c in range(lo, hi + 1))
    assert printable(everything) == everything
    lacking = [chr(c) for c in range(0x20, 0x30000) if not 0xD800 <= c <= 0xDFFF]
    lacking = [ch for ch in lacking if not drawable(ch)]
    assert len(lacking) > 100_000
    assert all(printable(f"甲{ch}乙") != f"甲{ch}乙" for ch in lacking)
    # a letter the font lacks is the placeholder (per code point, once decomposed), or its
    # canonical equivalent where the font has that (Ω for the ohm sign)
    letters = [ch for ch in lacking if ch.isalnum()]
    assert all(
        set(printable(ch)) == {MISSING} or printable(ch) == unicodedata.normalize("NFC", ch)
        for ch in letters
    )


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("厨房漏水，¥45，№3", "厨房漏水，¥45，№3"),  # drawable: unchanged
        ("漏水😭了", f"漏水{MISSING}了"),
        ("👨\u200d👩\u200d👧一家", f"{MISSING}一家"),  # a ZWJ family is one emoji
        ("👍🏽好", f"{MISSING}好"),  # with its skin tone
        ("🇨🇳🇺🇸", MISSING * 2),  # two flags
        ("❤️", MISSING),  # with its presentation selector
        ("𠀀先生", f"{MISSING}先生"),  # CJK extension B, beyond the font
        ("堃喆犇", "堃喆犇"),  # rare in names, but in the font
        ("艾力·买买提", "艾力・买买提"),  # the middle dot: GB 2312's, the same glyph
        ("a\u00a0b", "a\u3000b"),  # a space the font lacks: the ideographic space
        ("a\tb\r", "a b "),
        ("e\u0301", "é"),  # composed first
        ("\u200bx\ufeff", "x"),  # invisible marks go
    ],
)
def test_printable(text: str, printed: str) -> None:
    assert printable(text) == printed


def test_the_font_measures_and_writes_the_substituted_text() -> None:
    cid_font()
    assert stringWidth("a😭b", FONT, 10) == stringWidth(f"a{MISSING}b", FONT, 10)
    assert stringWidth("👨\u200d👩\u200d👧", FONT, 10) == stringWidth(MISSING, FONT, 10)
    from reportlab.pdfbase.pdfmetrics import getFont

    assert getFont(FONT).formatForPdf("😭") == getFont(FONT).formatForPdf(MISSING)
