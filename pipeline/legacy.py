"""Legacy Vietnamese 8-bit font encodings (TCVN3/ABC, VNI) in text layers.

Before Unicode, Vietnamese was typed with fonts such as .VnTime (TCVN3) or VNI-Times that place
accented letters on Latin-1 code points. A PDF made from such a document has a text layer that
extracts as "Uû ban nh©n d©n" or "UÛY BAN NHAÂN DAÂN". This module tells such text apart from
real Vietnamese so that the page is not taken at face value.
"""
from __future__ import annotations

import regex

# Latin-1 letters and signs that TCVN3 and VNI use for Vietnamese letters; they are rare in real
# Vietnamese Unicode text, which uses the precomposed letters of U+1EA0–U+1EF9 and a few Latin-1 ones.
_LEGACY_MARKS = set("¸µ¶·¹¨©ª«®¯°±²³´½¾ÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßåæçëîïñ÷øûüþÄÅÂØÙÕÏÛÑ")
_VIETNAMESE = regex.compile(r"[\u1ea0-\u1ef9ăđơưĂĐƠƯ]")


def looks_legacy(text: str) -> bool:
    """True when the text reads like a legacy-font layer rather than Unicode Vietnamese."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 40:
        return False
    marks = sum(1 for c in text if c in _LEGACY_MARKS)
    viet = len(_VIETNAMESE.findall(text))
    return marks >= 10 and marks > 3 * viet
