"""Shortcuts of the entity extractor, round 4 (issue 12, text-path throughput), each against the
plain code it replaces:

- `_triggers`: the tries' matches read in place at the starts `_trigger_starts` keeps (no generator
  between a match and its dispatch), and after "các" only the capitalised trie tried (`_dispatch`),
  against both tries' `finditer` dispatched as before.
- `_line_matches`: the office line and the drafter's line matched at the start of each line holding
  "VP" / "Lưu", against `finditer` from the same position.
- `one_space` where `regex.sub(r"\\s+", " ", …)` was (the documented equivalence of clean.py).
- Patterns tried only when the text can hold a match: the title's bare body and generic bodies
  after a space, "văn phòng" at a title's end, "Các" at a collective's start, its unit word at the
  end, "đảo" after a unit word, "các phòng" before a word.
- The motto's starts by one literal pattern for each first letter, against the class scan.
- `_resolve`: the flat mentions sorted by key (no tuple a mention), against the tuples.
- units: `_split` (dashes by `re`, `_ABBR` only after one of its letters), `_era_pick` and `_parse`
  with one row left, against the plain code.
(Speed itself is measured by `vanban bench` (the text path's stages), never by a test.)
"""
from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import entities as E
from pipeline.text.clean import one_space


# `_dispatch` as it was: after "các", both tries tried in turn
def _dispatch_plain(text: str, s: int, e0: int, w: str, hits: dict, dispatch: dict, ms: object, inner: list) -> None:
    """A trie match (text[s:e0] == w) that is not one kind's whole word: a word of several kinds,
    or one whose spacing differs from the table's, or "các …" (whose next word is a trigger of its own)."""
    if w[:3] in ("các", "Các") and w[3:4] in (" ", "\t", "\n"):
        # "Các Sở Y tế tỉnh", "các Bộ", "Các Bộ trưởng": the word after "các" is a trigger of its
        # own, which the scan (one match per position, longest first) did not report
        p = E._SPACES.match(text, s + 3).end()
        for rx in ms.rx:
            im = rx.match(text, p)
            if im:
                if im.group(0)[:1].isupper():  # "các xã …" is read by the unit list
                    inner.append((im.start(), im.end(), im.group()))
                break
    printed = w
    kinds = dispatch.get(w)  # (a word of the tables is single-spaced: printed so, it is its own key)
    if kinds is None:
        if " " in w or "\n" in w or "\t" in w:
            w = " ".join(w.split())  # (a trie match opens and ends with a word: `_SPACES.sub(" ", w)`)
        kinds = dispatch.get(w, ())
    for c, pre, k in kinds:
        if pre == w:
            e = e0
        elif printed == w:  # a whole-word prefix of a word printed single-spaced
            e = s + len(pre)
        else:  # a whole-word prefix: its end in the text, over its own spacing
            e = s
            for i, part in enumerate(pre.split(" ")[:k]):
                sm = E._SPACES.match(text, e) if i else None
                if sm:
                    e = sm.end()
                e = text.index(part, e) + len(part)
        if ms.ends[c].match(text, e):
            hits[c].append((s, e))


def _triggers_by_finditer(text):
    """The reference for `_triggers`: both tries' `finditer`, each match dispatched as the scan did."""
    ms = E._master()
    hits = {c: [] for c in E._CATEGORY_END}
    inner = []
    for rx in ms.rx:
        for m in rx.finditer(text):
            w = m.group()
            c = ms.single.get(w)
            if c is not None:
                hits[c].append(m.span())
            else:
                _dispatch_plain(text, m.start(), m.end(), w, hits, ms.dispatch, ms, inner)
    while inner:
        s, e, w = inner.pop()
        c = ms.single.get(w)
        if c is not None:
            hits[c].append((s, e))
        else:
            _dispatch_plain(text, s, e, w, hits, ms.dispatch, ms, inner)
    for v in hits.values():
        v.sort()
    return hits


_PIECES = ["Ủy ban nhân dân", "UBND", "tỉnh", "Tỉnh", "TỈNH", "Quảng Ngãi", "xã", "xã hội", "Bình Thạnh", "các",
           "Các", "Sở", "Sở,", "ban,", "ngành", "Bộ", "Y tế", "Tài chính", "cơ quan", "ngang bộ", "thuộc",
           "Chính phủ", "ông", "Ông", "bà", "Nguyễn", "Văn", "A", "Hà Nội", "thành phố", "thành  phố", "TP.",
           "Hồ Chí Minh", "Phó Chủ tịch", "Chủ tịch", "PCT", "CT", "lãnh đạo", "Việt Nam", "thị xã", "Đức Phổ",
           "huyện đảo", "Lý Sơn", "phường", "7", "(cũ)", "Trường", "hợp", "đồng chí", "Đ/c", "phòng,", "ban",
           "không", "công", "Thanh tra", "Văn phòng", "Trung ương", "x", ",", ";", ".", ":", "-", " ", "  ",
           "\t", "\n", "\u00a0", "\u2003"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=60), st.sampled_from([" ", "\n", "", "\t"]))
def test_triggers_read_in_place_are_the_finditer(pieces, sep):
    text = sep.join(pieces)
    # short texts (the tries' own finditer) and long ones (the numpy starts, `_SCAN_MIN` and more)
    assert E._triggers(text) == _triggers_by_finditer(text)
    long = (text + "\n") * (E._SCAN_MIN // (len(text) + 1) + 1)
    assert len(long) >= E._SCAN_MIN
    assert E._triggers(long) == _triggers_by_finditer(long)


_LINE_PIECES = ["VP", "VPUB", "VPUBND", "VP UB", "VP  UBND", "UB", "tỉnh", "Lưu", "Lưu:", "Lưu :", "VT", "NC.Châu",
                "NC.", "(", ")", "(3b)", "Châu", "Nguyễn", "KGVX", "TH", ":", ";", ",", ".", "-", "+", "•", " ",
                "  ", "\t", "\n", "\n\n", "x", "P.T.T.Huyền", "phòng:", "CVP,", "PCVP"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_LINE_PIECES), max_size=40).map("".join), st.data())
def test_line_matches_are_the_finditer(text, data):
    lo = data.draw(st.integers(0, len(text)))
    for rx, word in ((E._OFFICE_LINE, "VP"), (E._DRAFTER, "Lưu")):
        want = [(m.span(), m.groupdict()) for m in rx.finditer(text, lo)]
        got = [(m.span(), m.groupdict()) for m in E._line_matches(rx, text, lo, word)]
        assert got == want


_SPACE_PIECES = ["a", "Sở", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", "\x1c", "\x1f", "\x85",
                 "\u200b", "\u2028", "\x0b", "\x0c", ".", "Ủy ban"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_SPACE_PIECES), max_size=20).map("".join))
def test_one_space_is_the_substitution(s):
    assert one_space(s) == regex.compile(r"\s+").sub(" ", s) == E._rsub(r"\s+", " ", s)


_TITLE_PIECES = ["Sở", "Bộ", "Cục", "Ban", "Hội", "hội", "Trung tâm", "Chi cục", "các", "Các", "cơ", "quan", "cơ quan",
                 "đơn vị", "liên quan", "ngang bộ", "thuộc Chính phủ", "Y tế", "Văn phòng", "văn phòng", "VĂN PHÒNG",
                 "Văn  phòng", "PHÒNG", "Phòng", "phòng", "Chánh", "c", "C", "S", "B", "T", "h", "H", ",", " ", "  ",
                 "\t", "\n", "x", "\u00a0"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_TITLE_PIECES), max_size=14).map("".join), st.data())
def test_title_body_patterns_tried_only_where_they_can_match(text, data):
    e = data.draw(st.integers(0, len(text)))
    spaced = text[e:e + 1] in (" ", "\t")
    nxt = text[e + 1:e + 2] if spaced else ""
    if not (nxt in E._BARE_OPEN):
        assert not spaced or E._BARE_BODY.match(text, e) is None
    if not (nxt in ("c", " ", "\t") and (nxt != "c" or text.startswith(("các", "cơ"), e + 1))):
        assert not spaced or E._GENERIC_BODIES.match(text, e) is None
    raw = text[:e]
    if raw.rstrip("\n")[-5:].lower() != "phòng":
        assert E._VAN_PHONG_END.search(raw) is None


_NAME_PIECES = ["Các", "các", "CÁC", "Sở", "sở", "SỞ", "Bộ", "bộ", "ban", "ngành", "phòng", "các phòng", "Các phòng",
                "tỉnh", "Tỉnh", "thành phố", "Thành phố", "TP", "huyện", "xã", "Xã", "đảo", "Đảo", "ĐẢO", "dao", "đao",
                "thị xã", "x", ",", ":", " ", "  ", "\t", "\n", "\u00a0", "\u2003"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_NAME_PIECES), max_size=12).map("".join))
def test_collective_and_unit_patterns_tried_only_where_they_can_match(name):
    if not name.startswith("Các"):
        assert E._rsub(r"^Các(?=\s)", "các", name) == name
    if not name.rstrip("\n").endswith(("tỉnh", "Tỉnh", "thành phố", "Thành phố", "TP", "huyện", "xã")):
        assert E._rsearch(r"\s+(tỉnh|Tỉnh|thành phố|Thành phố|TP|huyện|xã)$", name) is None
    if "ả" not in name and "Ả" not in name:
        assert E._rsub(r"(?i)\s*đảo\s*$", "", name) == name
    low = E.fold(name)
    if not low.startswith("các phòng"):
        assert E._rmatch(r"các phòng\s+\w", low) is None


def test_the_letters_asked_have_no_other_case_in_regex():
    # the tests by `lower` and by `in` above read a letter in any case as `regex` does with (?i)
    import sys

    for letter, cases in (("p", "pP"), ("h", "hH"), ("ò", "òÒ"), ("n", "nN"), ("g", "gG"), ("ả", "ảẢ")):
        rx = regex.compile("(?i)" + regex.escape(letter))
        same = {c for c in map(chr, range(sys.maxunicode + 1)) if rx.fullmatch(c)}
        assert same == set(cases)


_QH_PIECES = ["CỘNG", "Cộng", "cộng", "CONG", "Cong", "con", "Con", "CÔNG", "công", "Độc", "độc", "ĐỘC", "Doc", "đoc",
              "Độc lập", "HÒA", "HOÀ", "hòa", "XÃ", "HỘI", "CHỦ", "NGHĨA", "VIỆT", "NAM", "Tự do", "Hạnh phúc", "-",
              "–", "C", "c", "Đ", "đ", "ộ", "Ộ", "o", "O", "n", "N", " ", "  ", "\n", "\t", "x"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_QH_PIECES), max_size=30).map("".join), st.data())
def test_motto_starts_by_first_letter_are_the_class_scan(text, data):
    end = data.draw(st.integers(0, len(text)))
    got = sorted(c.start() for rx in E._QH_FIRSTS for c in rx.finditer(text, 0, end))
    assert got == [c.start() for c in E._QH_START.finditer(text, 0, end)]
    want, nxt = [], 0
    for m in E._QUOC_HIEU.finditer(text, 0, end):
        want.append(m.span())
    assert [m.span() for m in E._quoc_hieu(text, end)] == want


def _split_plain(text):
    """`units._split` as it was: the dashes substituted by `regex`, `_ABBR` tried on every string."""
    import unicodedata

    from pipeline.extract import units as U
    from pipeline.text.clean import canonical_tone, strip_accents

    s = regex.compile(r"[\u2010-\u2015\u2212]").sub("-", unicodedata.normalize("NFC", text))
    s = canonical_tone(" ".join(s.split())).strip(" .,;:")
    marker = None
    if ")" in s and (m := U._MARKER.search(s)):
        marker = "old" if U._bare(m.group(1)) == "cu" else "new"
        s = s[:m.start()].strip(" .,;:")
    word = None
    if m := U._ABBR.match(s):
        word, s = U._ABBR_WORD[(m.group(1) or m.group(2)).casefold()], s[m.end():]
    else:
        accented, bare = U._word_res()
        m = accented.match(s) or (bare.match(s) if U._bare(s) == s.casefold() else None)
        if m:
            folded = U._bare(" ".join(m.group(1).split()))
            word = U._word_of_bare().get(folded) or next(w for w in U._words() if strip_accents(w) == folded)
            s = m.group(2)
    return word, s.strip(" .,;:"), marker


_UNIT_PIECES = ["TP.", "Tp", "tp", "TX.", "tx ", "TT.", "Q.", "q.", "P.", "p.", "H.", "h.", "X.", "x.", "T", "t", "Q",
                "P", "H", "X", "thành phố", "Thành phố", "THÀNH PHỐ", "tỉnh", "TỈNH", "huyện", "xã", "phường", "thị xã",
                "Hồ Chí Minh", "Đức Phổ", "Lâm Đồng", "Khánh Hoà", "3", "03", "(cũ)", "(mới)", "( cu )", "\u2010",
                "\u2013", "\u2212", "-", " ", "  ", "\t", ".", ",", ":", "\u00a0"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_UNIT_PIECES), max_size=8).map("".join))
def test_unit_split_is_the_plain_split(text):
    from pipeline.extract import units as U

    assert U._split.__wrapped__(text) == _split_plain(text)


def test_the_abbreviation_letters_have_no_other_case_in_regex():
    import sys

    from pipeline.extract import units as U

    for letter in "tqphx":
        rx = regex.compile("(?i)" + letter)
        same = {c for c in map(chr, range(sys.maxunicode + 1)) if rx.fullmatch(c)}
        assert same == {letter, letter.upper()} and same <= U._ABBR_FIRST


def _era_pick_plain(cands, on, marker):
    """`units._era_pick` as it was: the gaps computed for one row too."""
    import datetime as dt

    from pipeline.extract.units import REFORM

    if marker:
        want_old = marker == "old"
        cands = [c for c in cands if c[0].old == want_old]
        if not cands:
            return []
        if want_old and (on is None or on >= REFORM):
            on = REFORM - dt.timedelta(days=1)
        elif not want_old and (on is None or on < REFORM):
            on = REFORM
    d = on or REFORM
    gaps = [r.gap(d) for r, _ in cands]
    best = min(gaps)
    return [c for c, g in zip(cands, gaps) if g == best]


def _parse_plain(text, on, within, force_old=False):
    """`units._parse` as it was: the highest level and the ambiguity asked of one row too."""
    from pipeline.extract import units as U

    word, name, marker = U._split(text)
    cands = U._candidates(word, name)
    if within:
        spec = U._within(within, on)
        cands = [c for c in cands if U._within_ok(c[0], spec)]
    if not cands:
        return None
    cands = _era_pick_plain(cands, on, "old" if force_old else marker)
    if not cands:
        return None
    top = min(U._LEVELS.index(r.level) for r, _ in cands)
    cands = [c for c in cands if U._LEVELS.index(c[0].level) == top]
    r, shown = cands[0]
    if len({(c[0].province, c[0].district, c[1]) for c in cands}) > 1:
        shown = shown if len({c[1] for c in cands}) == 1 else f"{word or r.word} {U._title(name, True)}"
        province = r.province if len({c[0].province for c in cands}) == 1 else None
        r = U._Row(r.level, r.word, shown, province, None, r.old)
    base = r.name if r.level == "province" else r.province
    province = U._old_province_on(base, on) if (r.old and base) else base
    return U.Unit(r.level, shown, province, r.district if r.level == "commune" else None, r.old)


_PLACES = ["tỉnh Quảng Ngãi", "huyện Bình Sơn", "xã Bình Thạnh", "xã Bình Thạnh (cũ)", "thành phố Huế", "tỉnh Thừa Thiên Huế",
           "Lâm Đồng", "tỉnh Lâm Đồng (mới)", "thị xã Đức Phổ", "huyện Đức Phổ", "xã Ia Lang", "phường 3", "quận 1",
           "TP. Hồ Chí Minh", "Bình Thuận", "tỉnh Bình Thuận (cũ)", "xã Tân Phong", "phường Tân Phong", "Tân Phong",
           "huyện Đức Cơ", "đặc khu Lý Sơn", "huyện Lý Sơn", "xã Đình Xuyên", "Hà Nội", "thành phố Hà Nội", "Kon Tum",
           "xã Không Có", "Nguyễn Văn A", "xã Bình Sơn", "huyện Gia Lâm"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_PLACES), st.sampled_from([None, "2019-05-01", "2024-12-31", "2025-01-15", "2025-07-01", "2026-01-01"]),
       st.sampled_from([None, "tỉnh Quảng Ngãi", "tỉnh Gia Lai", "huyện Bình Sơn", "tỉnh Lâm Đồng", "thành phố Hà Nội"]),
       st.booleans())
def test_unit_parse_is_the_plain_parse(text, on, within, force_old):
    import datetime as dt

    from pipeline.extract import units as U

    d = dt.date.fromisoformat(on) if on else None
    assert U._parse.__wrapped__(text, d, within, force_old) == _parse_plain(text, d, within, force_old)


# `_resolve` as it was: the mentions by span as (start, end, mention) tuples
def _resolve_plain(cands: list[EntityMention], blocked: list[tuple[int, int]]) -> list[EntityMention]:
    """No two mentions of ORG, PER and LOC overlap (the longest wins; on equal length the header's
    and the signer's, then the higher label); TITLEs do not overlap one another, and a TITLE may
    hold the body it heads ("Phó Chủ tịch UBND tỉnh" ⊃ "UBND tỉnh") but never cut a mention."""
    import bisect

    if len(blocked) == 1:  # the motto, in nearly every document
        a, b = blocked[0]
        cands = [c for c in cands if c.end > c.start and not (c.start < b and a < c.end)]
    elif blocked:
        cands = [c for c in cands if c.end > c.start and not any(c.start < b and a < c.end for a, b in blocked)]

    def greedy(items: list[EntityMention]) -> list[EntityMention]:
        items.sort(key=lambda c: (-(c.end - c.start), c.evidence == "text", -E._PRIORITY[c.label], c.start, c.label, c.normalized or "", c.link or ""))
        taken: list[tuple[int, int]] = []
        out: list[EntityMention] = []
        for c in items:
            i = bisect.bisect_left(taken, (c.start, c.start))
            clash = (i > 0 and taken[i - 1][1] > c.start) or (i < len(taken) and taken[i][0] < c.end)
            if clash:
                continue
            taken.insert(i, (c.start, c.end))
            out.append(c)
        return out

    def pick(items: list[EntityMention]) -> list[EntityMention]:
        # the greedy choice only depends on the mentions a mention overlaps: run it on each group
        # of overlapping mentions (most mentions overlap none and are kept as they are: a group
        # is made a list only when a second mention joins it)
        items.sort(key=E._START_END)
        out: list[EntityMention] = []
        append = out.append
        first = None                       # the first mention of the current group
        group: list[EntityMention] | None = None   # the group, once it holds two mentions or more
        end = -1
        for c in items:
            if c.start >= end:
                if group is not None:
                    out.extend(greedy(group))
                    group = None
                elif first is not None:
                    append(first)
                first = c
                end = c.end
            else:
                if group is None:
                    group = [first]
                group.append(c)
                if c.end > end:
                    end = c.end
        if group is not None:
            out.extend(greedy(group))
        elif first is not None:
            append(first)
        return out

    flat = pick([c for c in cands if c.label != "TITLE"])
    titles = pick([c for c in cands if c.label == "TITLE"])
    spans = sorted((c.start, c.end, c) for c in flat)
    starts = [x[0] for x in spans]
    kept_titles = []
    for ttl in titles:
        i = bisect.bisect_left(starts, ttl.start)
        ok = True
        # a mention that starts before the title and runs into it, or starts inside and runs out
        if i > 0 and spans[i - 1][1] > ttl.start:
            ok = False
        j = i
        while ok and j < len(spans) and spans[j][0] < ttl.end:
            if spans[j][1] > ttl.end or spans[j][2].label != "ORG":
                ok = False
            j += 1
        if ok:
            kept_titles.append(ttl)
    out = flat + kept_titles
    return E._in_text_order(out)


_LABELS = ["ORG", "LOC", "PER", "TITLE"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_LABELS), st.integers(0, 60), st.integers(1, 15),
                          st.sampled_from(["text", "header", "signature"]), st.sampled_from(["a", "b", None])),
                max_size=40),
       st.sampled_from([[], [(0, 3)], [(10, 20)], [(5, 8), (30, 35)]]))
def test_resolve_is_the_plain_resolve(items, blocked):
    def mentions():
        return [E.EntityMention(lab, "x" * n, s, s + n, norm, "rule", evidence=ev) for lab, s, n, ev, norm in items]
    got = E._resolve(mentions(), list(blocked))
    want = _resolve_plain(mentions(), list(blocked))
    key = lambda ms: [(m.label, m.start, m.end, m.normalized, m.evidence) for m in ms]
    assert key(got) == key(want)
