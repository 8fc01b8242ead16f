"""The one rule for text that comes from outside (DESIGN.md §6).

An event is forever, and whatever the API accepts every read model (SQLite, PostgreSQL)
and every export (xlsx, csv) must be able to hold. So text is refused, with a clear
message, when it holds:

- control characters: NUL and the rest of C0 (U+0000–U+001F), DEL and C1
  (U+007F–U+009F); a tab and a line break only where the field takes lines;
- lone surrogates (U+D800–U+DFFF: not characters; no UTF-8 encoder writes them);
- Unicode noncharacters (U+FDD0–U+FDEF and U+xFFFE/U+xFFFF of every plane: XML, and
  therefore xlsx, cannot hold U+FFFE/U+FFFF);
- bidirectional embedding, override and isolate controls (U+202A–U+202E,
  U+2066–U+2069) and the line and paragraph separators (U+2028, U+2029), which make
  text display as something other than what it is;
- nothing visible: only spaces, zero-width or other format characters.

`problem` is the single check; the API applies it to every string of every request
(the lenient form, lines allowed) and the domain's `clean_*` functions apply it with
the field's own rule (lines or not, required or not, its length).
"""

from __future__ import annotations

import re
import unicodedata

# The characters no text field takes. Lines (\t, \n) are allowed separately.
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17)
)
_ALWAYS = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 but tab, LF, CR; DEL; C1
    "\ud800-\udfff"  # lone surrogates
    "\u2028\u2029\u202a-\u202e\u2066-\u2069" + _NONCHARACTERS  # separators, bidi controls
)
_IN_LINE = re.compile(f"[{_ALWAYS}\t\n\r]")
_IN_LINES = re.compile(f"[{_ALWAYS}]")

# Categories that show something: letters, numbers, punctuation, symbols; but for the
# letters and symbols that are drawn as nothing (Hangul fillers, the Braille blank,
# Khmer's inherent vowels).
_VISIBLE = ("L", "N", "P", "S")
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")


def problem(value: str, *, lines: bool = True) -> str | None:
    """What is wrong with the text, as a short Chinese phrase, or None when it is fine.

    `lines`: whether tab and line breaks (\\n, \\r) are allowed (free text), or not
    (a name, a title, a place)."""
    found = (_IN_LINES if lines else _IN_LINE).search(value)
    if found is None:
        return None
    ch = found.group()
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return "含有无效的字符编码"
    if ch in "\t\n\r":
        return "不能换行或含制表符"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return "含有改变文字方向的控制字符"
    if ch in "\u2028\u2029":
        return "含有不可见的分隔符"
    if code <= 0x9F:
        return f"含有控制字符（U+{code:04X}）"
    return f"含有非字符码位（U+{code:04X}）"


def visible(value: str) -> bool:
    """Whether the text shows anything: at least one letter, number, punctuation mark
    or symbol (not only spaces, zero-width or other format characters)."""
    return any(unicodedata.category(ch)[0] in _VISIBLE and ch not in _BLANK for ch in value)


def normalise_lines(value: str) -> str:
    """Line breaks as \\n (a browser's textarea sends \\r\\n)."""
    return value.replace("\r\n", "\n").replace("\r", "\n")
