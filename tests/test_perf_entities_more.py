"""More shortcuts of the entity extractor (issue 12, text-path throughput), each against the plain
search or the code it replaces:

- `_field_more`: one test of what may follow a field name ("Sở Y tế" + " tỉnh …", " số 1", " Tỉnh
  ủy", " Quảng Ngãi"); where it fails, none of the four patterns read after the name matches.
- `_inner_heads`: the capital words of a title where a head may open a body reaching the title's
  end, found from the heads' openings; `_title_inner_org` as it read every capital word.
- `_in_text_order`: the sort by start then by the whole key where starts tie, against the one sort.
- `_resolve` (groups made lists only when they overlap, the final order above), as it was.
- `_normalize_org` split in `_org_base` (what does not depend on the document), as it was.
- The function word that ends an upper-case conjunct, found by `split`, as the scan found it.
(Speed itself is measured by build/perf/entities_time.py and `vanban bench`, never by a test.)
"""
from __future__ import annotations

import bisect
import re

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import rules
from pipeline.extract import entities as E
from pipeline.extract.agencies import Jurisdiction, display_name, resolve_issuer
from pipeline.models import Citation

_MORE_PIECES = ["số", "1", "12", "123", "Tỉnh", "Thành", "Huyện", "Thị", "Đảng", "ủy", "uỷ", "uy", "Trung", "ương",
                "tỉnh", "TỈNH", "Tỉnh", "thành phố", "Thành Phố", "huyện", "quận", "xã", "Xã", "phường", "thị xã",
                "thị trấn", "đặc khu", "các", "cấp", "TP", "TP.", "khu", "vực", "Quảng Ngãi", "Lâm Đồng", "Hà Nội",
                "Bình Sơn", "(cũ)", "trực thuộc", "Trung ương", "và", ",", " ", "  ", "\t", "\n", "\u00a0", "hội",
                "chủ", "trì", "x", "Y", "A"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_MORE_PIECES), max_size=10).map(" ".join))
def test_field_more_holds_what_follows_a_field(text):
    t = E._tables()
    more = E._field_more()
    for pos in range(len(text) + 1):
        if more.match(text, pos):
            continue
        assert not E._NUMBERED.match(text, pos), pos
        assert not E._PARTY_TAIL.match(text, pos), pos
        assert E._unit_tail(text, pos, False) is None and E._unit_tail(text, pos, True) is None, pos
        assert not (text[pos:pos + 1] == " " and t.prov_re.match(text, pos + 1)), pos


def _old_title_inner_org(text, s, e, org, ctx):
    """`_title_inner_org` as it was: a head tried at every capital word of the title."""
    t = E._tables()
    for i in E._capital_words(text[s:e], s > 0 and text[s - 1] in " \t"):
        p = s + i
        hm = t.head_re.match(text, p)
        if not hm or hm.end() < e:
            continue
        head = t.heads.get(E.fold(hm.group(0)))
        if head is None or E.fold(head.canonical) == "văn phòng":
            return None
        o = E._org_at(text, p, hm.end())
        if o is None or o.end <= e or (org is not None and o.end < org.end):
            return None
        return o, E._org_norm(o, ctx)
    return None


def _title_pieces():
    t = E._tables()
    titles = sorted(set(t.titles.values()))
    heads = sorted({v for h in rules.entity_org_heads() for v in E._variants(h.head)})
    return titles[::9] + heads[::11] + ["Chánh Thanh tra", "Trưởng Trạm", "Y tế", "Bộ Công an", "Văn phòng",
                                        "UBND", "tỉnh", "các xã", "Ban", "Quản lý", " ", "  ", "\t", "\n", ","]


_TITLE_PIECES = _title_pieces()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TITLE_PIECES), min_size=1, max_size=6).map(" ".join), st.data())
def test_inner_heads_hold_every_head_reaching_the_title_end(text, data):
    t = E._tables()
    ctx = E._context(None, Jurisdiction("tỉnh Quảng Ngãi"))
    s = data.draw(st.integers(0, len(text) - 1))
    e = data.draw(st.integers(s + 1, len(text)))
    spaced = s > 0 and text[s - 1] in " \t"
    want = [i for i in E._capital_words(text[s:e], spaced)
            if (hm := t.head_re.match(text, s + i)) and hm.end() >= e]
    assert set(want) <= set(E._inner_heads(text[s:e], spaced))

    def key(r):
        return None if r is None else (r[0].start, r[0].end, r[0].raw, r[1])
    assert key(E._title_inner_org(text, s, e, None, ctx)) == key(_old_title_inner_org(text, s, e, None, ctx))


def _mentions(draw_list):
    out = []
    for start, length, label, norm, ev in draw_list:
        out.append(E.EntityMention(label, "x" * length, start, start + length, norm, "rule", evidence=ev))
    return out


_MENTION = st.tuples(st.integers(0, 40), st.integers(1, 12), st.sampled_from(E.LABELS),
                     st.sampled_from([None, "", "a", "b", "các a"]), st.sampled_from(["text", "header", "signature"]))


@settings(max_examples=500, deadline=None)
@given(st.lists(_MENTION, max_size=30))
def test_text_order_is_the_sort_by_the_whole_key(drawn):
    ms = _mentions(drawn)
    want = sorted(ms, key=lambda c: (c.start, -(c.end - c.start), c.label, c.normalized or ""))
    got = E._in_text_order(list(ms))
    assert [id(x) for x in got] == [id(x) for x in want]


def _old_resolve(cands, blocked):
    """`_resolve` as it was."""
    if len(blocked) == 1:
        a, b = blocked[0]
        cands = [c for c in cands if c.end > c.start and not (c.start < b and a < c.end)]
    elif blocked:
        cands = [c for c in cands if c.end > c.start and not any(c.start < b and a < c.end for a, b in blocked)]

    def greedy(items):
        items.sort(key=lambda c: (-(c.end - c.start), c.evidence == "text", -E._PRIORITY[c.label], c.start, c.label,
                                  c.normalized or "", c.link or ""))
        taken, out = [], []
        for c in items:
            i = bisect.bisect_left(taken, (c.start, c.start))
            clash = (i > 0 and taken[i - 1][1] > c.start) or (i < len(taken) and taken[i][0] < c.end)
            if clash:
                continue
            taken.insert(i, (c.start, c.end))
            out.append(c)
        return out

    def pick(items):
        items.sort(key=E._START_END)
        out, group, end = [], [], -1
        for c in items:
            if c.start >= end and group:
                out.extend(group if len(group) == 1 else greedy(group))
                group = []
            group.append(c)
            end = c.end if c.end > end or len(group) == 1 else end
        if group:
            out.extend(group if len(group) == 1 else greedy(group))
        return out

    flat = pick([c for c in cands if c.label != "TITLE"])
    titles = pick([c for c in cands if c.label == "TITLE"])
    spans = sorted((c.start, c.end, c) for c in flat)
    starts = [x[0] for x in spans]
    kept = []
    for ttl in titles:
        i = bisect.bisect_left(starts, ttl.start)
        ok = not (i > 0 and spans[i - 1][1] > ttl.start)
        j = i
        while ok and j < len(spans) and spans[j][0] < ttl.end:
            if spans[j][1] > ttl.end or spans[j][2].label != "ORG":
                ok = False
            j += 1
        if ok:
            kept.append(ttl)
    out = flat + kept
    out.sort(key=lambda c: (c.start, -(c.end - c.start), c.label, c.normalized or ""))
    return out


@settings(max_examples=500, deadline=None)
@given(st.lists(_MENTION, max_size=30), st.lists(st.tuples(st.integers(0, 40), st.integers(1, 10)), max_size=2))
def test_resolve_is_as_it_was(drawn, blocked):
    blocked = [(a, a + n) for a, n in blocked]
    ms = _mentions(drawn)
    assert [id(x) for x in E._resolve(list(ms), blocked)] == [id(x) for x in _old_resolve(list(ms), blocked)]


def _old_normalize_org(raw, hint, collective, ctx):
    """`_normalize_org` as it was, in one piece (uncached)."""
    base = hint or raw
    base = E.canonical_tone(E._rsub(r"\s+", " ", base)).strip(" ,;.")
    base = E._expand_field_abbr(base)
    if base.isupper() or E.fold(base) in E._tables().heads and E._tables().heads[E.fold(base)].alone and not hint:
        h = E._tables().heads.get(E.fold(base))
        if h and ctx.issuer and E.fold(ctx.issuer).startswith(E.fold(h.canonical)) and h.grammar == "unit":
            return ctx.issuer
    if collective:
        if base.isupper():
            name = display_name(base)
        elif " của " in base:
            a, b = base.split(" của ", 1)
            name = f"{E._expand_heads(a)} của {b}"
        else:
            name = E._expand_heads(base)
        name = E._rsub(r"^Các(?=\s)", "các", name).replace(": ", " ").replace(":", " ")
        if not name.startswith("các ") and E._rmatch(r"(?i)(?:sở|bộ)\s*,", name):
            name = "các " + name
        m = E._rsearch(r"\s+(tỉnh|Tỉnh|thành phố|Thành phố|TP|huyện|xã)$", name)
        if m:
            unit = {"tp": "thành phố"}.get(E.fold(m.group(1)), E.fold(m.group(1)))
            lvl = ctx.where.level(unit)
            if lvl:
                name = name[: m.start()] + " " + lvl
        if E.fold(name).endswith("trực thuộc tỉnh ủy") and ctx.province:
            name += " " + ctx.province.split(" ", 1)[1]
        return name
    name = E._expand_heads(base)
    try:
        name = resolve_issuer(name, ctx.where) or name
    except Exception:
        pass
    try:
        from pipeline.extract.identity import canonical_cited_issuer

        c = Citation(mention=raw, start=0, end=0, cited_issuer=name, cited_issuer_raw=raw, cited_date=ctx.on)
        name = canonical_cited_issuer(c, ctx.where, ctx.on) or name
    except Exception:
        pass
    name = E._rsub(r"\s+", " ", name).strip()
    lowest = ctx.where.commune or ctx.where.district
    if lowest and not E._HAS_UNIT.search(name) and E.fold(name).startswith(("phòng ", "trạm ", "công chức ")):
        name = f"{name} {lowest}"
    return E._complete_party(name, ctx)


_ORG_PIECES = ["UBND", "ỦY BAN NHÂN DÂN", "Ủy ban nhân dân", "Uỷ ban nhân dân", "tỉnh", "huyện", "xã", "Sở", "Y tế",
               "LĐTBXH", "Lao động - Thương binh và Xã hội", "Tỉnh ủy", "Ban", "Tuyên giáo", "Phòng", "Trạm Y tế",
               "các", "Các", "Sở,", "ban,", "ngành", "của", "Đảng", "Bộ", "Tài chính", "Mặt trận Tổ quốc Việt Nam",
               "Quảng Ngãi", "Bình Sơn", "TP", ":", " ", "  ", "\t", "HĐND", "Thường trực", "Văn phòng", "(cũ)"]
_CONTEXTS = [(None, Jurisdiction("tỉnh Quảng Ngãi", "huyện Bình Sơn", "xã Bình Thạnh")),
             (None, Jurisdiction("tỉnh Lâm Đồng")), (None, Jurisdiction())]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ORG_PIECES), min_size=1, max_size=6).map(" ".join),
       st.sampled_from([None, "Văn phòng Ủy ban nhân dân", "Bộ Y tế", "UBND tỉnh"]), st.booleans(),
       st.sampled_from(range(len(_CONTEXTS))), st.sampled_from([None, "Ủy ban nhân dân tỉnh Quảng Ngãi"]))
def test_normalize_org_split_is_as_it_was(raw, hint, collective, k, issuer):
    header, where = _CONTEXTS[k]
    ctx = E._context(header, where)
    if issuer:  # the issuer as `_context` sets it from a header
        ctx = E._interned(E._Context(ctx.where, ctx.on, issuer, ctx.province, ctx.central))
    assert E._normalize_org(raw, hint, collective, ctx) == _old_normalize_org(raw, hint, collective, ctx)


_UPPER_WORDS = ["CHỨC", "VỤ", "CỦA", "NGƯỜI", "KÝ", "VỀ", "TẠI", "Y", "TẾ", "THEO", "ĐỂ", "CÁC", "ĐÃ", "Ở", "DO"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_UPPER_WORDS), min_size=1, max_size=6), st.sampled_from([" ", "\t", " \t", "  "]))
def test_function_word_found_by_split_is_the_scan(words, sep):
    word = sep.join(words)
    scan = next((w.start() for w in E._rfinditer(r"\S+", word) if w.group(0).lower() in E._FUNC_WORDS), None)
    assert (not E._FUNC_WORDS.isdisjoint(word.lower().split())) == (scan is not None)


def test_precompiled_patterns_are_the_ones_they_replace():
    # the patterns once looked up in `_rx` by their text, now module constants (same engine, flags)
    assert E._TM_BEFORE.pattern == r"(?:TM|T/M)\.?[ \t]*$" and isinstance(E._TM_BEFORE, regex.Pattern)
    assert E._XA_HOI.pattern == r"\s*h[ộo]i" and E._XA_HOI.flags & regex.I
    assert E._DIGITS.pattern == r"[\d ]+" and isinstance(E._DIGITS, regex.Pattern)
    assert E._CAC_TITLE.pattern == r"(?:^|(?<=[\s(]))([Cc]ác)[ \t]+$" and isinstance(E._CAC_TITLE, regex.Pattern)
    assert E._VAN_PHONG_END.pattern == r"(?i)văn\s+phòng$" and isinstance(E._VAN_PHONG_END, regex.Pattern)
    assert E._SPACES.pattern == r"\s+" and isinstance(E._SPACES, re.Pattern)


_ERA_PIECES = [" ", "\t", "  ", "(", ")", "cũ", "mới", "CŨ", "Cũ", "x", "\n", "(cũ)", " (mới)", "\t(cũ)"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_ERA_PIECES), max_size=8).map("".join))
def test_era_of_is_the_era_pattern(text):
    # `_era_of` returns at once unless a space or a tab is followed by another, or "(" comes first
    for end in range(len(text) + 1):
        m = E._ERA_AT.match(text, end)
        assert E._era_of(text, end) == (" (cũ)" if m and m.group(1).lower() == "cũ" else ""), end


_ABBR_PIECES = [" ", "\t", "  ", "(", ")", "BHXH", "KH&ĐT", "x", "\n", "Việt Nam", "(BHXH)", " (BHYT) "]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_ABBR_PIECES), max_size=8).map("".join))
def test_inserted_abbreviation_opens_as_the_test_before_it_says(text):
    # `_org_at` tries `_INSERTED_ABBR` only where its opening can be: "(", or a space or a tab
    # followed by another or by "("
    for end in range(len(text) + 1):
        if E._INSERTED_ABBR.match(text, end):
            assert text[end:end + 2] in E._PAREN_OPENINGS or text[end:end + 1] == "(", end
