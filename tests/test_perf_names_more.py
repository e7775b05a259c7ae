"""Shortcuts in the name lookups (units, identity, agencies) answer what the plain code answered."""
from __future__ import annotations

import unicodedata

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import identity, units
from pipeline.text.clean import canonical_tone

_PIECES = ["Khánh Hoà", "Hòa", "03", "0", "10", "phường 3", "Quận 1", " ", "  ", "\t", "-", "'", ".", "(cũ)", "(mới)", "( cũ )",
           "Ia Lang", "Đắk Lắk", "x0", "00", "0x", "²", "٣", "Ⅻ", "ǅ", "\u0301", "TP. Huế", "tỉnh", ")", "(", "A", "a"]
_TEXTS = st.one_of(st.text(max_size=30), st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))


def test_isalnum_characters_are_letters_or_numbers_to_regex():
    rx = regex.compile(r"[\p{L}\p{N}]")
    assert all(rx.match(chr(cp)) for cp in range(0x110000) if chr(cp).isalnum())


@settings(max_examples=3000, deadline=None)
@given(_TEXTS)
def test_unit_key_is_the_plain_key(name):
    plain = units._LEADING_ZERO.sub("", units._NOT_KEY.sub("", canonical_tone(name).casefold()))
    assert units._key(name) == plain


@settings(max_examples=2000, deadline=None)
@given(_TEXTS)
def test_unit_split_is_the_plain_split(text):
    """`_split` looks for a "(cũ)" mark only in a text holding ")" (the mark's own)."""
    if not text.strip():
        return
    got = units._split.__wrapped__(text)
    s = units._DASHES.sub("-", unicodedata.normalize("NFC", text))
    s = canonical_tone(" ".join(s.split())).strip(" .,;:")
    assert (got[2] is not None) == (units._MARKER.search(s) is not None)


@settings(max_examples=2000, deadline=None)
@given(_TEXTS)
def test_place_tail_is_the_plain_split(name):
    plain = identity._NEW.sub("", identity._OLD.sub("", name))
    m = identity._PLACE_TAIL.search(plain)
    assert identity._place_tail.__wrapped__(name) == ((plain[: m.start()], m.group(0)) if m else (plain, None))
