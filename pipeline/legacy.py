"""Text layers that are not Unicode Vietnamese: legacy 8-bit fonts, broken font maps.

Before Unicode, Vietnamese was typed with fonts such as .VnTime (TCVN3, "ABC") or VNI-Times that
put accented letters on Latin-1 code points; a PDF printed from such a file extracts as
"Uû ban nh©n d©n" (TCVN3) or "UÛY BAN NHAÂN DAÂN" (VNI). Those are converted back here. A layer
whose font map is simply broken ("UY BAN NHAN DAN ceNG HoA x,l ugr") cannot be decoded and must
be OCR'd: `assess` tells the three apart.

Tables: TCVN3 (TCVN 5712:1993, VN3) lower-case letters and the seven upper-case letters it encodes;
VNI-Windows letters as base letter + mark characters.
"""
from __future__ import annotations

import unicodedata
from functools import cache

import regex

# TCVN3 ("ABC") code points → Unicode. Upper-case accented letters other than these seven were
# typed with the capitals font (.VnTimeH) on the lower-case code points.
_TCVN3 = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}

# VNI-Windows: a base letter followed by mark characters (upper-case forms; lower-case are the
# lower-case of both). Tone: Ù acute, Ø grave, Û hook, Õ tilde, Ï dot; Â circumflex, Ê breve,
# with tone combined: Á À Å Ã Ä (circumflex+tone), É È Ú Ü Ë (breve+tone).
_VNI_MARKS = {
    "Ù": "\u0301", "Ø": "\u0300", "Û": "\u0309", "Õ": "\u0303", "Ï": "\u0323",
    "Â": "\u0302", "Á": "\u0302\u0301", "À": "\u0302\u0300", "Å": "\u0302\u0309", "Ã": "\u0302\u0303", "Ä": "\u0302\u0323",
    "Ê": "\u0306", "É": "\u0306\u0301", "È": "\u0306\u0300", "Ú": "\u0306\u0309", "Ü": "\u0306\u0303", "Ë": "\u0306\u0323",
}
_VNI_LETTERS = {"Ô": "Ơ", "Ö": "Ư", "Ñ": "Đ", "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị", "Î": "Ỵ"}

_VIET_LETTERS = regex.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]",
                              regex.IGNORECASE)
_LETTER = regex.compile(r"\p{L}")
_WORD = regex.compile(r"[\p{L}]+")
_SYLLABLE = regex.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?")


def decode_tcvn3(text: str) -> str:
    return "".join(_TCVN3.get(ord(c), c) if 0xA1 <= ord(c) <= 0xFE else c for c in text)


def decode_vni(text: str) -> str:
    out = []
    for ch in text:
        up = ch.upper()
        if up in _VNI_MARKS and out and out[-1].isalpha():
            out.append(_VNI_MARKS[up])
        elif up in _VNI_LETTERS:
            letter = _VNI_LETTERS[up]
            out.append(letter if ch.isupper() else letter.lower())
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _strip_tone(word: str) -> str:
    d = unicodedata.normalize("NFD", word.lower())
    keep = "".join(c for c in d if c not in "\u0300\u0301\u0303\u0309\u0323")
    return unicodedata.normalize("NFC", keep)


@cache
def _valid_syllable(word: str) -> bool:
    return _SYLLABLE.fullmatch(_strip_tone(word)) is not None


def vietnamese_score(text: str) -> tuple[float, float]:
    """(share of letters with Vietnamese marks, share of words shaped like Vietnamese syllables)."""
    letters = len(_LETTER.findall(text))
    if not letters:
        return 0.0, 0.0
    marked = len(_VIET_LETTERS.findall(text)) / letters
    words = [w for w in _WORD.findall(text) if len(w) > 1 and not w.isupper()]
    if not words:
        words = [w for w in _WORD.findall(text) if len(w) > 1]
    valid = sum(1 for w in words if _valid_syllable(w)) / len(words) if words else 0.0
    return marked, valid


def looks_legacy(text: str) -> bool:
    """A legacy-font layer: Latin-1 letters where Vietnamese ones should be."""
    return assess(text)[0] in {"tcvn3", "vni"}


def assess(text: str) -> tuple[str, str]:
    """("unicode" | "tcvn3" | "vni" | "garbage" | "short", text to use). Decoded text for legacy."""
    letters = len(_LETTER.findall(text))
    if letters < 40:
        return "short", text
    marked, valid = vietnamese_score(text)
    if marked >= 0.08 and valid >= 0.75:
        return "unicode", text
    best = ("garbage", text, marked + valid)
    for name, decode in (("tcvn3", decode_tcvn3), ("vni", decode_vni)):
        dec = decode(text)
        m2, v2 = vietnamese_score(dec)
        if m2 >= 0.08 and v2 >= 0.75 and m2 + v2 > best[2]:
            best = (name, dec, m2 + v2)
    return best[0], best[1]
