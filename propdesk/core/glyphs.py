"""What the PDF font can draw, and the one substitution every PDF goes through.

The printable forms use ReportLab's built-in CID font STSong-Light. It is not embedded: the PDF
names it and the reader draws it from Adobe's GB1 character collection, reached through the CMap
UniGB-UCS2-H (Unicode's basic plane to Adobe-GB1-4 glyph ids). A character that CMap does not map
(an emoji, a character outside GBK such as many of CJK extension B) would be drawn as glyph 0 or,
beyond the basic plane, as two unmapped surrogates: nothing, or a wrong character. ``printable``
puts the visible placeholder □ in its place (one per emoji, however many code points it is made
of), and spaces the font lacks become the ideographic space, as wide as ReportLab measures them.

RANGES lists the code points the CMap maps; bin/pdf-glyphs writes it from the CMap file (Debian's
poppler-data)."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import cache

MISSING = "□"  # U+25A1, in GB 2312: what a character the font lacks prints as
WIDE_SPACE = "\u3000"  # the ideographic space: one em, as ReportLab measures a space it lacks
# Code points that never draw anything: zero-width spaces and joiners, the word joiner, the BOM,
# the soft hyphen, variation selectors (emoji or text presentation).
INVISIBLE = frozenset(
    {0x00AD, 0x200B, 0x200C, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0xFE00, 0xFE10)}
    | set(range(0xE0100, 0xE01F0))
)
ZWJ = 0x200D
# The same character under another code point the font has: GB 2312's middle dot is U+30FB
# (CID 99); GB 18030, and so what people type, says U+00B7 (艾力·买买提, 投诉 · 书面投诉).
ALIASES = {"\u00b7": "\u30fb"}
# What extends the emoji before it: skin tones, the keycap, tag characters (subdivision flags).
EXTENDERS = frozenset({*range(0x1F3FB, 0x1F400), 0x20E3, *range(0xE0020, 0xE0080)})
REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)  # two of them make one flag

# fmt: off
RANGES: tuple[tuple[int, int], ...] = (
    # 28840 code points in 150 ranges, from UniGB-UCS2-H
    (0x0020, 0x007E), (0x00A4, 0x00A5), (0x00A7, 0x00A8), (0x00B0, 0x00B1), (0x00D7, 0x00D7),
    (0x00E0, 0x00E1), (0x00E8, 0x00EA), (0x00EC, 0x00ED), (0x00F2, 0x00F3), (0x00F7, 0x00F7),
    (0x00F9, 0x00FA), (0x00FC, 0x00FC), (0x0101, 0x0101), (0x0113, 0x0113), (0x011B, 0x011B),
    (0x012B, 0x012B), (0x014D, 0x014D), (0x016B, 0x016B), (0x01CE, 0x01CE), (0x01D0, 0x01D0),
    (0x01D2, 0x01D2), (0x01D4, 0x01D4), (0x01D6, 0x01D6), (0x01D8, 0x01D8), (0x01DA, 0x01DA),
    (0x01DC, 0x01DC), (0x01F9, 0x01F9), (0x02C7, 0x02C7), (0x02C9, 0x02CB), (0x02D9, 0x02D9),
    (0x0391, 0x03A1), (0x03A3, 0x03A9), (0x03B1, 0x03C1), (0x03C3, 0x03C9), (0x0401, 0x0401),
    (0x0410, 0x044F), (0x0451, 0x0451), (0x1E3F, 0x1E3F), (0x2010, 0x2010), (0x2013, 0x2016),
    (0x2018, 0x2019), (0x201C, 0x201D), (0x2025, 0x2026), (0x2030, 0x2030), (0x2032, 0x2033),
    (0x2035, 0x2035), (0x203B, 0x203B), (0x20AC, 0x20AC), (0x2103, 0x2103), (0x2105, 0x2105),
    (0x2109, 0x2109), (0x2116, 0x2116), (0x2121, 0x2121), (0x2160, 0x216B), (0x2170, 0x2179),
    (0x2190, 0x2193), (0x2196, 0x2199), (0x2208, 0x2208), (0x220F, 0x220F), (0x2211, 0x2211),
    (0x2215, 0x2215), (0x221A, 0x221A), (0x221D, 0x2220), (0x2223, 0x2223), (0x2225, 0x2225),
    (0x2227, 0x222B), (0x222E, 0x222E), (0x2234, 0x2237), (0x223D, 0x223D), (0x2248, 0x2248),
    (0x224C, 0x224C), (0x2252, 0x2252), (0x2260, 0x2261), (0x2264, 0x2267), (0x226E, 0x226F),
    (0x2295, 0x2295), (0x2299, 0x2299), (0x22A5, 0x22A5), (0x22BF, 0x22BF), (0x22EF, 0x22EF),
    (0x2312, 0x2312), (0x2460, 0x2469), (0x2474, 0x249B), (0x2500, 0x254B), (0x2550, 0x2573),
    (0x2581, 0x258F), (0x2593, 0x2595), (0x25A0, 0x25A1), (0x25B2, 0x25B3), (0x25BC, 0x25BD),
    (0x25C6, 0x25C7), (0x25CB, 0x25CB), (0x25CE, 0x25CF), (0x25E2, 0x25E5), (0x2605, 0x2606),
    (0x2609, 0x2609), (0x2640, 0x2640), (0x2642, 0x2642), (0x2E80, 0x2E99), (0x2E9B, 0x2EF3),
    (0x2F00, 0x2FD5), (0x2FF0, 0x2FFB), (0x3000, 0x3003), (0x3005, 0x3017), (0x301D, 0x301E),
    (0x3021, 0x3029), (0x3033, 0x3035), (0x3038, 0x303A), (0x303E, 0x303F), (0x3041, 0x3094),
    (0x309B, 0x309E), (0x30A1, 0x30FE), (0x3105, 0x312C), (0x31A0, 0x31B7), (0x3220, 0x3229),
    (0x3231, 0x3231), (0x32A3, 0x32A3), (0x338E, 0x338F), (0x339C, 0x339E), (0x33A1, 0x33A1),
    (0x33C4, 0x33C4), (0x33CE, 0x33CE), (0x33D1, 0x33D2), (0x33D5, 0x33D5), (0x3400, 0x4DB5),
    (0x4E00, 0x9FA5), (0xE816, 0xE818), (0xE81E, 0xE81E), (0xE826, 0xE826), (0xE82B, 0xE82C),
    (0xE831, 0xE832), (0xE83B, 0xE83B), (0xE843, 0xE843), (0xE854, 0xE855), (0xE864, 0xE864),
    (0xF92C, 0xF92C), (0xFA0D, 0xFA0F), (0xFA11, 0xFA11), (0xFA13, 0xFA14), (0xFA18, 0xFA18),
    (0xFA1F, 0xFA21), (0xFA23, 0xFA24), (0xFA27, 0xFA29), (0xFE30, 0xFE30), (0xFE49, 0xFE52),
    (0xFE54, 0xFE57), (0xFE59, 0xFE66), (0xFE68, 0xFE6B), (0xFF01, 0xFF5E), (0xFFE0, 0xFFE5),
)
# fmt: on
_STARTS = [lo for lo, _hi in RANGES]
# Any character outside RANGES: one search in C decides that most text needs nothing done.
_UNDRAWABLE = re.compile(
    "[^" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in RANGES) + "]"
)


@cache
def drawable(ch: str) -> bool:
    """True when the PDF font has a glyph for the character ``ch``."""
    cp = ord(ch)
    i = bisect_right(_STARTS, cp) - 1
    return i >= 0 and RANGES[i][0] <= cp <= RANGES[i][1]


def printable(text: str) -> str:
    """``text`` with every character the PDF font lacks replaced by MISSING, never by another
    character (but for ALIASES, the same character under a code point the font has): an emoji
    sequence (joined by ZWJ, with a skin tone, a flag's two letters) becomes one MISSING;
    invisible marks are dropped; a control character or a space the font lacks becomes a space.
    Text the font can draw comes back unchanged."""
    if _UNDRAWABLE.search(text) is None:
        return text
    out: list[str] = []
    joined = False  # the character before was a ZWJ after a placeholder
    indicators = 0  # regional indicators in the current placeholder run
    for ch in unicodedata.normalize("NFC", text):
        cp = ord(ch)
        after_missing = bool(out) and out[-1] == MISSING
        if drawable(ch):
            out.append(ch)
        elif ch in ALIASES:
            out.append(ALIASES[ch])
        elif cp < 0x20 or 0x7F <= cp < 0xA0:
            out.append(" ")
        elif cp == ZWJ:
            joined = after_missing
            continue
        elif cp in INVISIBLE:
            continue
        elif ch.isspace():
            out.append(WIDE_SPACE)
        elif cp in REGIONAL_INDICATORS:
            if after_missing and indicators % 2 == 1:
                indicators += 1
                continue
            indicators = 1
            out.append(MISSING)
        elif (joined or cp in EXTENDERS) and after_missing:
            pass  # part of the emoji already replaced
        else:
            out.append(MISSING)
            indicators = 0
        joined = False
    return "".join(out)
