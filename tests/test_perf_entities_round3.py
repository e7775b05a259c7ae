"""Shortcuts of the entity extractor, round 3 (issue 12, text-path throughput), each against the
plain code it replaces:

- The law test before a body: the marks of `_LAW_MARKS` looked for with `in` in the 60 characters
  before it, instead of the scan of the three law words; with `_IN_LAW_NAME` after it, the test
  answers as before.
- `_complete_party`: the two party-committee patterns searched only in a name holding " ủy".
- `_trigger_starts`: the rounds hash in intp (no index converted by `take`), against the rounds in
  uint32 as they were.
- An empty text: `not text or text.isspace()` against `not text.strip()`.
(Speed itself is measured by `vanban bench` (the text path's stages), never by a test.)
"""
from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import entities as E
from pipeline.extract.agencies import Jurisdiction

_OLD_LAW_WORDS = re.compile(r"Luật|luật|Pháp lệnh|Nghị quyết")

_LAW_PIECES = ["Luật", "luật", "Bộ luật", "LUẬT", "Pháp lệnh", "pháp lệnh", "Nghị quyết", "nghị quyết", "Thuật",
               "thuật", "uật", "Tổ chức", "Chính phủ", "do", "của", "số", "ngày", "Sở Y tế", "Ủy ban nhân dân",
               "tỉnh", "Quảng Ngãi", "Pháp", "lệnh", "Nghị", "quyết", " ", "  ", "\t", "\n", ",", ".", "(", "x"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_LAW_PIECES), max_size=25).map(" ".join), st.data())
def test_law_marks_answer_as_the_law_words(text, data):
    s = data.draw(st.integers(0, len(text)))
    lo = s - 60 if s > 60 else 0
    w = text[lo:s]
    law1, law2, law3 = E._LAW_MARKS
    new = bool((law1 in w or law2 in w or law3 in w) and E._IN_LAW_NAME.search(text, lo, s))
    old = bool(_OLD_LAW_WORDS.search(text, lo, s) and E._IN_LAW_NAME.search(text, lo, s))
    assert new == old
    if E._IN_LAW_NAME.search(text, lo, s):  # every match holds a mark
        assert any(x in w for x in E._LAW_MARKS)


def _old_complete_party(name, ctx):
    """`_complete_party` as it was: both patterns searched in every name."""
    prov = ctx.province
    pname = E._place_name(prov)
    m = E._rsearch(r"(?<![\p{L}])(Tỉnh|Thành) ủy$", name)
    if m and pname:
        return f"{name} {pname}"
    m = E._rsearch(r"(?<![\p{L}])(Huyện|Thị) ủy$", name)
    if m and ctx.where.district:
        return f"{name} {E._place_name(ctx.where.district)}"
    if E.fold(name) in ("mặt trận tổ quốc việt nam", "ủy ban mặt trận tổ quốc việt nam") and \
            ctx.issuer and not E.fold(ctx.issuer).startswith(("chính phủ", "bộ ", "quốc hội", "thủ tướng")):
        lowest = ctx.where.commune or ctx.where.district or prov
        if lowest:
            return f"{name} {lowest}"
    return name


_PARTY_PIECES = ["Tỉnh", "Thành", "Huyện", "Thị", "ủy", "uỷ", "Ủy", "Ban", "Tuyên giáo", "Dân vận", "Thường trực",
                 "Mặt trận", "Tổ quốc", "Việt Nam", "Ủy ban", "mặt trận", "xTỉnh", "Đảng", " ", "\n", "\t", "-", "x"]
_CONTEXTS = [
    E._context(None, Jurisdiction("tỉnh Quảng Ngãi")),
    E._context(None, Jurisdiction("tỉnh Quảng Ngãi", "huyện Bình Sơn")),
    E._context(None, Jurisdiction("thành phố Hà Nội", "quận Ba Đình", "phường Điện Biên")),
    E._context(None, Jurisdiction()),
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PARTY_PIECES), min_size=1, max_size=6).map(" ".join), st.sampled_from(_CONTEXTS))
def test_complete_party_as_it_was(name, ctx):
    assert E._complete_party(name, ctx) == _old_complete_party(name, ctx)
    assert E._complete_party(name.strip(), ctx) == _old_complete_party(name.strip(), ctx)


def _old_trigger_starts(text, op):
    """`_trigger_starts` as it was: the rounds hashed in uint32 (a uint16 table of spaces)."""
    n = len(text)
    raw = (text + "\0" * (E._OPENING_CHARS + 1)).encode("utf-16-le")
    if len(raw) != 2 * (n + E._OPENING_CHARS + 1):
        return None
    a = np.frombuffer(raw, dtype=np.uint16)
    spaces = op.spaces.astype(np.uint16)
    mask = np.uint32((1 << E._HASH_BITS) - 1)
    idxs, hs = [], []
    for off in (0, 1):
        u = np.frombuffer(raw, dtype=np.uint32, count=(len(raw) - 2 * off) // 4, offset=2 * off)
        x = (u * np.uint32(E._MUL_PAIR)) >> np.uint32(32 - E._PAIR_BITS)
        i = np.flatnonzero(op.pair.take(x))
        hs.append(x[i])
        idxs.append(i * 2 + off)
    idx = np.concatenate(idxs)
    h = np.concatenate(hs)
    inside = idx < n
    idx, h = idx[inside], h[inside]
    starts = [idx[op.whole[2].take(h)]]
    for L in range(3, E._OPENING_CHARS + 1):
        h = ((h * np.uint32(E._MUL_NEXT)) ^ spaces.take(a[L - 1:].take(idx))) & mask
        starts.append(idx[op.whole[L].take(h)])
        if L == E._OPENING_CHARS:
            break
        keep = op.prefix[L].take(h)
        idx, h = idx[keep], h[keep]
        if len(idx) <= E._FEW_LEFT:
            starts.append(idx)
            break
    found = np.concatenate(starts)
    if op.single_chars:
        more = []
        for c in op.single_chars:
            i = text.find(c)
            while i != -1:
                more.append(i)
                i = text.find(c, i + 1)
        found = np.concatenate([found, np.array(more, dtype=found.dtype)])
    found.sort()
    capital = op.upper.take(a[found])
    return found[capital].tolist(), found[~capital].tolist()


def _trigger_pieces():
    ms = E._master()
    words = sorted(ms.dispatch)
    spaced = [w.replace(" ", sep, 1) for w in words[::5] for sep in ("  ", "\t", "\n", "\u00a0", "\u3000")]
    return words[::2] + spaced + ["không ", "công ", "ông", "phải", "phạm", "thành", "cơ quan", "Nguyễn", "Văn",
                                  " ", "\n", "\u2003", "\U0001F600", "1", "x", "ả"]


_TRIGGER_PIECES = _trigger_pieces()


def _long(parts):
    text = " ".join(parts)
    filler = " văn bản số 12 ngày 3 tháng 4 thành lập cơ quan nhà nước. "
    while len(text) < E._SCAN_MIN:
        text = filler + text
    return text


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_TRIGGER_PIECES), min_size=1, max_size=400).map(_long))
def test_trigger_starts_in_intp_as_in_uint32(text):
    op = E._master().openings
    assert E._trigger_starts(text, op) == _old_trigger_starts(text, op)


def test_trigger_starts_in_intp_on_every_word():
    op = E._master().openings
    text = "\n".join(" ".join(_TRIGGER_PIECES[i::3]) for i in range(3)) * 2
    text = text.replace("\U0001F600", "")
    got = E._trigger_starts(text, op)
    assert got is not None and min(map(len, got)) > E._FEW_LEFT
    assert got == _old_trigger_starts(text, op)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([" ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\x1c", "\x85", "\u200b",
                                         "a", "Ủ", "\ufeff"]), max_size=8))
def test_empty_text_as_strip(text):
    assert (not text or text.isspace()) == (not text.strip())
    assert (E.find_entities(text) == []) or text.strip()
