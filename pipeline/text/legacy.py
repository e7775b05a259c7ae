"""Text layers that are not Unicode Vietnamese: legacy 8-bit fonts, broken font maps.

Before Unicode, Vietnamese was typed with fonts such as .VnTime (TCVN3, "ABC") or VNI-Times that
put accented letters on Latin-1 code points; a PDF printed from such a file extracts as
"Uû ban nh©n d©n" (TCVN3) or "UÛY BAN NHAÂN DAÂN" (VNI). Those are converted back here. A layer
whose font map is simply broken ("UY BAN NHAN DAN ceNG HoA x,l ugr") cannot be decoded and must
be OCR'd: `assess` tells the three apart.

Tables (rules/legacy_encodings.tsv): TCVN3 (TCVN 5712:1993, VN3) lower-case letters and the seven
upper-case letters it encodes; VNI-Windows letters as base letter + mark characters.
"""
from __future__ import annotations

import unicodedata
from functools import cache

import regex

from .. import rules

@cache
def _tables() -> tuple[dict[int, str], dict[str, str], dict[str, str]]:
    """(TCVN3 code point → letter, VNI mark → combining marks, VNI letter → letter) from rules/."""
    tcvn3: dict[int, str] = {}
    marks: dict[str, str] = {}
    letters: dict[str, str] = {}
    for enc, code, uni in rules.read_table("legacy_encodings.tsv", 3):
        if enc == "tcvn3":
            tcvn3[int(code[2:], 16)] = uni
        elif enc == "vni_mark":
            marks[code] = "".join(chr(int(u[2:], 16)) for u in uni.split())
        elif enc == "vni_letter":
            letters[code] = uni
    return tcvn3, marks, letters


_VIET_LETTERS = regex.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]",
                              regex.IGNORECASE)
_LETTER = regex.compile(r"\p{L}")
_WORD = regex.compile(r"[\p{L}]+")
_SYLLABLE = regex.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?")


def decode_tcvn3(text: str) -> str:
    table = _tables()[0]
    return "".join(table.get(ord(c), c) if 0xA1 <= ord(c) <= 0xFE else c for c in text)


def decode_vni(text: str) -> str:
    _, vni_marks, vni_letters = _tables()
    out = []
    for ch in text:
        up = ch.upper()
        if up in vni_marks and out and out[-1].isalpha():
            out.append(vni_marks[up])
        elif up in vni_letters:
            letter = vni_letters[up]
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


# Common words of administrative text that are never written without their marks, and the form a
# scanner's OCR layer leaves when it drops them. Their toneless forms are valid syllables (so the
# syllable check does not see the loss), but real documents write them bare in under 5% of uses
# (measured over ../shared/corpus dev + local: at most 4.5%); a layer past `MARKS_LOST_SHARE` lost them.
_MARKED_WORDS = {"cua": "của", "va": "và", "ngay": "ngày", "thang": "tháng", "duoc": "được", "cac": "các",
                 "voi": "với", "nguoi": "người", "huyen": "huyện", "quyet": "quyết", "dinh": "định", "so": "số",
                 "ve": "về", "nhung": "những", "thuc": "thực", "hien": "hiện", "nhan": "nhân", "dan": "dân"}
_MARKED_FORMS = set(_MARKED_WORDS.values())
MARKS_LOST_SHARE = 0.25
MARKS_LOST_MIN_WORDS = 10  # fewer common words than this: no verdict


def marks_lost_share(text: str) -> float | None:
    """Share of the common words of `_MARKED_WORDS` written without their marks (None: too few)."""
    bare = marked = 0
    for w in _WORD.findall(text.lower()):
        if w in _MARKED_WORDS:
            bare += 1
        elif w in _MARKED_FORMS:
            marked += 1
    n = bare + marked
    return bare / n if n >= MARKS_LOST_MIN_WORDS else None


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
