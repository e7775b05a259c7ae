"""The shortcuts of the entity extractor (issue 12, text-path throughput) answer exactly what the
plain searches they replace answered.

- The trigger scan (`entities._trigger_starts` + `_matches_at`): both character tries tried only
  where the hashed openings of their words say a match can start, against `finditer` over every
  position, on texts long enough to take the numpy path, with every spacing the tries accept.
- The end of a person's name over its own spacing (`_person_name`), against the regex built from
  its words as before.
- "After a capitalised word" read backwards (`_AFTER_CAPITAL`, reverse search), against the
  forward search.
- The capitalised words of a title (`_capital_words`, once per title), against the word-start scan.
- A known field in one call (`_known_field_re`), against the abbreviation then the field pattern.
- The body of a title found from the spaces of its form (`_body_of`), against every title tried
  longest first.
(Speed itself is measured by `vanban bench`, never by a test.)
"""
from __future__ import annotations

import re

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import entities as E


def _spans(found):
    return [[m.span() for m in ms] for ms in found]


def _plain_matches(text):
    ms = E._master()
    return [list(ms.rx[0].finditer(text)), list(ms.rx[1].finditer(text))]


def _pieces():
    ms = E._master()
    words = sorted(ms.dispatch)
    # every trigger word, some with their spaces spelled otherwise (the tries read `\s+`)
    spaced = [w.replace(" ", sep, 1) for w in words[::7] for sep in ("  ", "\t", "\n", "\u00a0", " \u2003")]
    other = ["không ", "công ", "ông", "Ông", "bà", "các", "Các", " ", "  ", "\t", "\n", "\u00a0", "\u3000",
             ",", ".", ":", ";", "(", ")", "-", "Nguyễn", "Văn", "A", "Lê", "xã hội", "Hà", "thành",
             "phố", "Y", "TT", "Bộ", "tế", "ngành", "QĐ-UBND", "76/KH-UBND", "1", "x"]
    return words + spaced + other


_PIECES = _pieces()


def _long(parts):
    """A text long enough for the numpy path, whatever the parts drawn."""
    text = " ".join(parts)
    filler = " văn bản số 12 ngày 3 tháng 4. "
    while len(text) < E._SCAN_MIN:
        text = filler + text
    return text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=60).map(_long))
def test_trigger_starts_hold_every_match_and_give_the_finditer(text):
    ms = E._master()
    starts = E._trigger_starts(text, ms.openings)
    plain = _plain_matches(text)
    for found, at in zip(plain, starts):  # each trie: every start of its matches is kept
        assert {m.start() for m in found} <= set(at)
    for m in plain[0] + plain[1]:  # a match opens and ends with a word: `_dispatch` joins its split
        assert " ".join(m.group().split()) == E._SPACES.sub(" ", m.group())
    assert _spans(E._matches_at(text, ms, starts)) == _spans(plain)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=40).map("".join))
def test_trie_matches_are_the_finditer_on_any_text(text):
    # short texts take `finditer` itself; long ones the scan (the text repeated past the threshold)
    ms = E._master()
    assert _spans(E._trie_matches(text, ms)) == _spans(_plain_matches(text))
    long = (text + "\n") * (E._SCAN_MIN // (len(text) + 1) + 1)
    assert _spans(E._trie_matches(long, ms)) == _spans(_plain_matches(long))


def test_a_character_beyond_the_bmp_takes_the_plain_scan():
    text = _long(["Ủy ban nhân dân tỉnh Quảng Ngãi", "\U0001F600", "ông Nguyễn Văn A", "các Sở"])
    ms = E._master()
    assert E._trigger_starts(text, ms.openings) is None
    assert _spans(E._trie_matches(text, ms)) == _spans(_plain_matches(text))


def _old_person_name(text, pos, cue):
    """`_person_name` as it was: the end read by a regex of the name's words, within 200 characters."""
    t = E._tables()
    m = E._NAME_RUN.match(text, pos)
    if not m:
        return None
    words = m.group(0).split()
    keep = []
    for i, w in enumerate(words):
        lw = w.lower()
        if i > 0 and (lw in E._TITLE_WORDS and not (lw == "văn" and i == 1)) and w not in t.surnames | {"Thị", "Văn"}:
            break
        keep.append(w)
    words = keep
    if not words:
        return None
    first = words[0]
    if cue:
        if first.lower() in E._TITLE_WORDS and first not in t.surnames:
            return None
        if len(words) > 4:
            words = words[:4]
    else:
        if first not in t.surnames or len(words) < 2:
            return None
        if len(words) > 5:
            return None
    name = " ".join(words)
    end = pos + len(name)
    mm = regex.match(r"[ \t]+".join(regex.escape(w) for w in words), text[pos:pos + 200])
    if mm:
        end = pos + mm.end()
    return pos, end


_NAME_PIECES = ["Nguyễn", "Văn", "Thị", "Lê", "A", "Phó", "Chủ", "tịch", "Giám", "đốc", "Hà", "Nội", " ", "  ", "\t",
                " " * 120, "\t" * 90, ",", "\n", "H'Hen", "Đức", "Sở"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_NAME_PIECES), max_size=14).map("".join), st.booleans())
def test_person_name_end_is_the_regex_of_its_words(text, cue):
    for pos in range(len(text)):
        assert E._person_name(text, pos, cue) == _old_person_name(text, pos, cue), pos


_BEFORE_PIECES = ["Giám đốc", "ông", "bà", "Sở", ")", "(", ":", "-", "–", ",", " ", "\t", "tại", "xã", "ÔNG", "a", "Đ"]
_AFTER_CAPITAL_FORWARD = regex.compile(r"(?:[\p{Lu}][\p{L}]*|\)|ông|bà)[ \t]*[:\-–,]?[ \t]*$")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_BEFORE_PIECES), max_size=12).map("".join))
def test_after_capital_backwards_is_the_forward_search(before):
    assert bool(E._AFTER_CAPITAL.search(before)) == bool(_AFTER_CAPITAL_FORWARD.search(before))


_WORD_START = regex.compile(r"(?<=[ \t])\S")
_TITLE_PIECES = ["Chánh", "Thanh", "tra", "Trưởng", "Trạm", "Y", "tế", " ", "  ", "\t", "\n", "\u00a0", "ĐỐC", "a", "-", ","]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_TITLE_PIECES), max_size=10).map("".join), st.integers(0, 3))
def test_capital_words_are_the_word_starts_with_a_capital(text, s):
    # as `_title_inner_org` read them: every word start (after a space or a tab) in text[s:], kept
    # when a capital opens it
    s = min(s, len(text))
    want = tuple(w.start() - s for w in _WORD_START.finditer(text, s) if text[w.start()].isupper())
    assert E._capital_words(text[s:], s > 0 and text[s - 1] in " \t") == want


def _field_pieces():
    t = E._tables()
    return sorted(t.field_abbr)[:40] + ["Y tế", "Tài chính", "Nội vụ", "Lao động - Thương binh và Xã hội", "LĐTBXH",
                                         "Kế hoạch và Đầu tư", "KH&ĐT", " ", "\t", "và", "&", "-", ",", "Xây dựng", "tế"]


_FIELD_PIECES = _field_pieces()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FIELD_PIECES), max_size=8).map("".join))
def test_known_field_in_one_call_is_the_two_patterns(text):
    t = E._tables()
    for pos in range(len(text) + 1):
        m = t.field_abbr_re.match(text, pos) or t.fields_re.match(text, pos)
        got = E._known_field_re().match(text, pos)
        assert (got.end() if got else None) == (m.end() if m else None), pos


def _old_body_of(n):
    """`_body_of` as it was: every title tried, longest first."""
    t = E._tables()
    titles = sorted(set(t.titles.values()) | set(t.title_abbr.values()), key=lambda x: (-len(x), x))
    if n.startswith("các "):
        n = n[4:]
    for title in titles:
        if n.startswith(title + " "):
            return n[len(title) + 1:]
    return None


def _body_pieces():
    t = E._tables()
    return sorted(set(t.titles.values()))[:60] + sorted(set(t.title_abbr.values())) + [
        "các ", " ", "  ", "Ủy ban nhân dân tỉnh Lâm Đồng", "Sở Y tế", "Phó", "Chủ tịch", "Thường trực", "x"]


_BODY_PIECES = _body_pieces()


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_BODY_PIECES), max_size=5).map(" ".join))
def test_body_of_a_title_by_its_spaces_is_the_longest_title_first(n):
    mention = E.EntityMention("TITLE", n, 0, len(n), n, "rule")
    assert E._body_of(mention, E._tables()) == _old_body_of(n)


def test_trigger_scan_on_a_long_text_of_every_piece():
    # many positions left after each round (the rounds run to the end), every word of both tries
    text = "\n".join(" ".join(_PIECES[i::5]) for i in range(5)) * 3
    ms = E._master()
    starts = E._trigger_starts(text, ms.openings)
    assert min(map(len, starts)) > E._FEW_LEFT
    assert _spans(E._matches_at(text, ms, starts)) == _spans(_plain_matches(text))


def _old_dispatch(text, s, e0, w, hits, dispatch, ms, inner):
    """`_dispatch` as it was: the word's spacing collapsed by a regex, every prefix's end looked for."""
    if w[:3] in ("các", "Các") and w[3:4] in (" ", "\t", "\n"):
        p = E._SPACES.match(text, s + 3).end()
        for rx in ms.rx:
            im = rx.match(text, p)
            if im:
                if im.group(0)[:1].isupper():
                    inner.append((im.start(), im.end(), im.group()))
                break
    if " " in w or "\n" in w or "\t" in w:
        w = E._SPACES.sub(" ", w)
    for c, pre, k in dispatch.get(w, ()):
        if pre == w:
            e = e0
        else:
            e = s
            for i in range(k):
                sm = E._SPACES.match(text, e) if i else None
                if sm:
                    e = sm.end()
                e = text.index(pre.split(" ")[i], e) + len(pre.split(" ")[i])
        if ms.ends[c].match(text, e):
            hits[c].append((s, e))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=40).map(" ".join))
def test_dispatch_of_every_match_is_as_it_was(text):
    ms = E._master()
    for m in _plain_matches(text)[0] + _plain_matches(text)[1]:
        got, want = {c: [] for c in E._CATEGORY_END}, {c: [] for c in E._CATEGORY_END}
        inner_got, inner_want = [], []
        E._dispatch(text, m.start(), m.end(), m.group(), got, ms.dispatch, ms, inner_got)
        _old_dispatch(text, m.start(), m.end(), m.group(), want, ms.dispatch, ms, inner_want)
        assert (got, inner_got) == (want, inner_want)


_TAIL_PIECES = ["tỉnh", "Tỉnh", "TỈNH", "huyện", "xã", "các", "cấp", "TP.", "khu vực", "Lâm Đồng", "Bình Sơn", "(cũ)",
                "(mới)", "(CŨ)", " ", "  ", "\t", "\n", "\u00a0", ",", "và", "(", ")", "UBND", "a", "1"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TAIL_PIECES), max_size=10).map("".join))
def test_tail_patterns_open_with_whitespace(text):
    # `_unit_tail` and `_era_of` return at once where the text goes on with no whitespace (no "(")
    for pos in range(len(text) + 1):
        if not text[pos:pos + 1].isspace():
            assert E._unit_tail(text, pos, False) is None and E._unit_tail(text, pos, True, True) is None
            assert not (E._UNIT_TAIL.match(text, pos) or E._ALL_LEVELS.match(text, pos)
                        or E._UNIT_TAIL_UPPER_NL.match(text, pos))
        if text[pos:pos + 1] not in (" ", "\t", "("):
            assert E._ERA_AT.match(text, pos) is None


_GAP_PIECES = [",", "và", "các", " ", "\t", "  ", "\n", "Sở", ";", "x", "vàng", "các\t"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_GAP_PIECES), max_size=8).map("".join), st.integers(0, 3), st.integers(0, 3))
def test_list_gap_read_in_place_is_the_gap_fullmatch(gap, before, after):
    # `_titles` reads the gap between two titles in place (pos, endpos) with `re`, as `regex` read the slice
    text = "x" * before + gap + "y" * after
    want = regex.fullmatch(r"[ \t]*(?:,|và)[ \t]*(?:các[ \t]+)?", gap)
    got = E._LIST_GAP.fullmatch(text, before, before + len(gap))
    assert bool(got) == bool(want)


def test_capitals_set_is_the_capital_class():
    # `_field_at` tests the next character against a set, where it matched `[{_UP}]`
    rx = regex.compile(rf"[{E._UP}]")
    assert all(bool(rx.match(chr(i))) == (chr(i) in E._CAPITALS) for i in range(0x3000))


def _old_head_expand_re():
    """The heads' pattern as it was: their alternation, longest first."""
    from pipeline import rules
    table = {}
    for h in rules.entity_org_heads():
        for v in sorted(E._variants(h.head)):
            table.setdefault(v, h.canonical)
    alt = "|".join(r"\s+".join(re.escape(w) for w in k.split()) for k in sorted(table, key=lambda x: (-len(x), x)))
    return regex.compile(rf"(?<![\p{{L}}\d])(?:{alt})(?![\p{{L}}\d])")


def _head_pieces():
    from pipeline import rules
    heads = sorted({v for h in rules.entity_org_heads() for v in E._variants(h.head)})
    return heads[::3] + ["Y tế", "tỉnh", "Lâm Đồng", " ", "  ", "\t", "\n", ",", "x", "1", "các", "-"]


_HEAD_PIECES = _head_pieces()
_OLD_HEADS = _old_head_expand_re()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_HEAD_PIECES), max_size=8).map(" ".join))
def test_heads_as_a_trie_match_as_their_alternation(name):
    rx, _table = E._head_expand_re()
    assert [m.span() for m in rx.finditer(name)] == [m.span() for m in _OLD_HEADS.finditer(name)]
