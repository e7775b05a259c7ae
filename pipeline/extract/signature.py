"""Signature block (authority prefix, title, name) and the recipient lists.

Entry points: `read_signature(text)`, `read_recipients(text)`.

Signature forms handled (Nghị định 30/2020, Điều 13 and Phụ lục I):
  Stacked lines:   TM. CHÍNH PHỦ / KT. THỦ TƯỚNG / PHÓ THỦ TƯỚNG / (Đã ký) / Nguyễn Hòa Bình
  Flattened table: Nơi nhận: - Bộ Nội vụ; - Lưu: VT, NC.Châu |  | KT. CHỦ TỊCH PHÓ CHỦ TỊCH      Đinh Văn Tuấn
  One line:        - Lưu: VT, ĐMDN (2b). Trung Anh BỘ TRƯỞNG, CHỦ NHIỆM Mai Tiến Dũng
  No prefix:       GIÁM ĐỐC / Nguyễn Văn A ; with a rank: GIÁM ĐỐC / Thiếu tướng Lê Văn B
  Several signers (joint documents): names joined with " - " in printed order.
A staff initial after "Lưu: VT, NC." ("Châu", "Trung Anh") is the drafter, not the signer: the
name must follow a title.

Recipients: "Kính gửi: Sở Tài chính" or a bulleted list; "Nơi nhận:" bullets, one entry per item;
"Lưu: VT, NC" is filing, kept apart.
"""
from __future__ import annotations

import heapq
import re
from functools import cache, lru_cache
from itertools import accumulate, islice

import regex

from .. import rules
from ..text.clean import canonical_tone, one_space
from ..models import Signature, Span
from .regexes import MOTTO, QUOC_HIEU, _matches_at

_GAP = "¶"
_PREFIX_WORDS = ("TM", "KT", "Q", "TL", "TUQ", "T/M", "K/T", r"T\.M", r"K\.T")  # (as patterns)
_PREFIX = rf"(?:{'|'.join(_PREFIX_WORDS)})\s*\.?"
_RANK_FORMS = (r"Thiếu\s+tướng", r"Trung\s+tướng", r"Thượng\s+tướng", r"Đại\s+tướng", r"Đại\s+tá", r"Thượng\s+tá",
               r"Trung\s+tá", r"Thiếu\s+tá", r"Đồng\s+chí", "Ông", "Bà", r"TS\.", r"ThS\.", r"PGS\.?\s*TS\.", r"GS\.?\s*TS\.",
               r"BS\.", r"Ls\.")
_RANK = f"(?:{'|'.join(_RANK_FORMS)})"
# the most words a rank spans, separated by spaces ("Thiếu tướng", "PGS. TS.": two)
_RANK_WORDS = max(form.count(r"\s") + 1 for form in _RANK_FORMS)
# a name: capitalised words; the first may be a one-letter Ê Đê / Jrai particle ("Y Thông", "H' Hen")
_NAME = r"(?:\p{Lu}\p{Ll}+|Y|H'|K')(?:[ ]\p{Lu}\p{Ll}*){1,4}"
# a signed mark: "(Đã ký)", "(ký tên)", "(ký, ghi rõ họ tên)", "[đã ký]". A mark is short: what
# follows its words up to ")" is bounded (SIGNED_TAIL characters), or a text of many "(ký " with no
# ")" made each try of the block pattern read to the end of the text (quadratic in its length)
SIGNED_TAIL = 80
_SIGNED_WORDS = rf"(?:[Đđ]ã\s+ký|[Kk]ý|[Kk]ý\s+tên|[Kk]ý,[^)]{{0,{SIGNED_TAIL}}}|[Đđ]ã\s+ký\s+và\s+đóng\s+dấu)"
_SIGNED_BRACKET = r"\[[^\]\n]{0,40}\]"
_SIGNED = rf"(?:\([ ]?{_SIGNED_WORDS}[^)]{{0,{SIGNED_TAIL}}}\)|{_SIGNED_BRACKET})"  # ("( Đã ký)": a space after "(")


@cache
def _titles_alt() -> str:
    return "|".join(regex.escape(t).replace(r"\ ", r"\s+") for t in rules.signer_titles())


@cache
def _block_re() -> regex.Pattern:
    return regex.compile(_block_pattern(), regex.V1)


# where a block may start: the text's start, a line start (after a gap), or after a sentence
_BLOCK_START = rf"(?:(?<=^|{_GAP}\s?)|(?<=\.\s)|(?<=\p{{Ll}}\s))"


def _block_pattern(reach: bool = True) -> str:
    """The signature block pattern; `reach=False`: without the look-aheads that only make it faster
    (the tests compare the two)."""
    # one line of the block: an optional authority prefix, then upper-case words
    words = r"[\p{Lu}\d][\p{Lu}\d,.\-()/&]*(?:[ ]+[\p{Lu}\d][\p{Lu}\d,.\-()/&]*)*"
    line = rf"(?:{_PREFIX}(?:\s*{words})?|{words})"
    # A start is tried only where a block can be (two look-aheads that every match passes: they
    # change no match, but reject at once the starts that used to extend the lazy block line by
    # line down a column of figures or a sentence, half of the block search). A block opens with a
    # capital or a digit, and holds no lower-case letter; so reading on over everything but a
    # capital before a lower-case letter, a lower-case letter, "[", "Y" and "'", the first of those
    # is where what follows the block begins: a signed mark "(Đã ký)" / "(ký)" (after its "("),
    # a "[…]" mark, a rank, or the name itself (whole, with the break after it), unless it is a
    # "Y" (inside a block, or the "Y" of an Ê Đê name), an "'" ("H' Hen") or the end of the text.
    can_end = rf"(?:[\[Y']|\Z|(?<=\()|(?<=\( )|{_RANK}|{_NAME}(?=\s*(?:{_GAP}|$)))"
    ahead = rf"(?=[\p{{Lu}}\d])(?=(?:[^\p{{Lu}}\p{{Ll}}\[Y']|(?!Y)\p{{Lu}}(?!\p{{Ll}}))*+{can_end})" if reach else ""
    return (
        rf"{_BLOCK_START}{ahead}(?P<block>(?:{line}\s*{_GAP}\s*)*?{line})"
        rf"\s*(?:{_GAP}\s*)*(?:{_SIGNED}\s*(?:{_GAP}\s*)*)*"
        rf"(?:(?P<rank>{_RANK})\s+)?(?P<name>{_NAME})(?=\s*(?:{_GAP}|$))"
    )


# The block search tries the pattern only where a block can start (`_iter_blocks`). A block ends
# with a name before a gap or the text's end, and between its start and that name holds no
# "hard" character (a lower-case letter, "[", "'"), except inside a signed mark or a rank:
_HARD_BEFORE = regex.compile(r"[\p{Ll}\[']", regex.V1 | regex.REVERSE)
_START_AT = regex.compile(rf"{_BLOCK_START}(?=[\p{{Lu}}\d])", regex.V1)
# a name before a gap, and before the end of the text (`$` after `\s*` is the end: `\s` holds "\n")
_NAME_BEFORE_GAP = regex.compile(rf"(?<=(?P<name>{_NAME})\s*){_GAP}", regex.V1)
_NAME_BEFORE_END = regex.compile(rf"(?<=(?P<name>{_NAME})\s*)\Z", regex.V1)
# back from a name's end over its words and a rank's: a name holds five words at most
_WORDS_BACK = regex.compile(rf"(?:\S+\s+){{0,{4 + _RANK_WORDS}}}\S+", regex.V1 | regex.REVERSE)
# where a signed mark opens: read up to its words only, as a mark "(…)" reaches the next ")"
_SIGNED_OPENING = regex.compile(rf"\((?={_SIGNED_WORDS})|{_SIGNED_BRACKET}", regex.V1)


def _block_reaches(flat: str) -> list[tuple[int, int]]:
    """(reach, end) for each place a block can end: every match of the block pattern starts in
    (the last hard character before `reach`, `end`].

    A block's text before its name is upper-case lines, gaps, signed marks "(Đã ký)" / "[đã ký]"
    and a rank. Without a signed mark, the hard characters in it are a rank's only: so for each
    name before a gap (the longest, `_NAME_BEFORE_GAP`: a shorter one starts inside it), the reach
    is five words and a rank's words back from the name's end. With a mark, nothing hard precedes
    the first one, where `_SIGNED_OPENING` matches."""
    reaches = []
    for m in _NAME_BEFORE_GAP.finditer(flat):
        end = m.end("name")
        reaches.append((_WORDS_BACK.match(flat, 0, end).start(), end))
    m = _NAME_BEFORE_END.match(flat, len(flat))
    if m is not None:
        end = m.end("name")
        reaches.append((_WORDS_BACK.match(flat, 0, end).start(), end))
    for opening in "([":
        p = flat.find(opening)
        while p >= 0:
            if _SIGNED_OPENING.match(flat, p) is not None:
                reaches.append((p, p))
            p = flat.find(opening, p + 1)
    return reaches


def _iter_blocks(flat: str):
    """The matches of `_block_re().finditer(flat)`, the pattern tried only where a block can start.

    `finditer` tries it at every position, and the leading look-behinds alone cost more than all
    the matching. Here the starts are listed from where blocks can end (`_block_reaches`): each
    start that passes the look-behinds (`_START_AT`) between the last hard character before a
    reach and its end. The reaches are taken in order, each looking back for a hard character
    only as far as the one before it, and no stretch is listed twice (linear time); the pattern is
    matched at the starts in order, skipping those inside the previous match (`_matches_at`)."""
    starts: set[int] = set()
    hard, looked = -1, 0  # the last hard character before `looked`
    listed = 0  # the starts before this are listed, from the last hard character on
    for reach, end in sorted(_block_reaches(flat)):
        h = _HARD_BEFORE.search(flat, looked, reach)
        if h is not None:
            hard = h.start()
        looked = reach
        lo = max(hard + 1, listed)
        if lo <= end:
            starts.update(m.start() for m in _START_AT.finditer(flat, lo, end + 1))
            listed = end + 1
    return _matches_at(_block_re(), flat, starts)


# compiled once: these run per candidate block, and `regex`'s own cache is keyed by the pattern text
_GAP_SPLIT = regex.compile(rf"\s*{_GAP}\s*")
_BEFORE_PREFIX = regex.compile(rf"\s+(?={_PREFIX}\s)")
_PREFIX_RE = regex.compile(_PREFIX)
_PREFIX_WORD = regex.compile(_PREFIX + r"(?:\s|$)")
_HAS_PREFIX = regex.compile(rf"(?:^|\s){_PREFIX}(?:\s|$)")


@lru_cache(maxsize=4096)
def _split_block(block: str) -> tuple[str | None, str]:
    """"TM. CHÍNH PHỦ ¶ KT. THỦ TƯỚNG ¶ PHÓ THỦ TƯỚNG" → ("TM. Chính phủ / KT. Thủ tướng", "Phó Thủ tướng");
    "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" on one line → ("KT. Chủ tịch", "Phó Chủ tịch").
    A pure function of the block's text (cached: blocks repeat across the documents of one body)."""
    parts: list[str] = []
    for raw in _GAP_SPLIT.split(block):
        raw = one_space(raw).strip(" ,")
        if not raw:
            continue
        # several prefixes on one line: "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH"
        for piece in _BEFORE_PREFIX.split(raw):
            piece = piece.strip()
            if not piece:
                continue
            m = _known_title_re().search(piece)
            if m and m.start("t") > 0:
                head = piece[: m.start("t")].strip()
                parts.extend([head, m.group("t")] if head else [m.group("t")])
            else:
                parts.append(piece)
    # a bare prefix line ("TL.") belongs to the line after it
    merged: list[str] = []
    for p in parts:
        if merged and _PREFIX_RE.fullmatch(merged[-1]):
            merged[-1] = merged[-1] + " " + p
        else:
            merged.append(p)
    # whatever precedes the first authority prefix ("VT, CSYT." of a flattened Lưu line) is not the block
    first_prefix = next((i for i, p in enumerate(merged) if _PREFIX_WORD.match(p)), 0)
    merged = merged[first_prefix:]
    if not merged:
        return None, ""
    auth = " / ".join(_case(a) for a in merged[:-1]) or None
    return auth, _case(merged[-1])


_GAP_RE = regex.compile(r"[\n|\t\f][ \t\n|\f]*|[ ]{3,}[ \t\n|\f]*")


_GAP_MARK = f" {_GAP} "
_GAP_KEEP = regex.compile(f"({_GAP_RE.pattern})")
# In a text without "|", tab, form feed or three spaces, a gap can only open at a newline: there it
# is `_GAP_RE`'s first branch, a newline and the blanks after it. The stdlib `re` splits at that by
# its fast search for the newline; `regex` tries the whole pattern at every character.
_NEWLINE_GAP_KEEP = re.compile(r"(\n[ \t\n|\f]*)")


def _split_gaps(text: str) -> list[str]:
    """`_GAP_KEEP.split(text)`: the text split at its gaps, the gaps kept."""
    if "|" in text or "\t" in text or "\f" in text or "   " in text:
        return _GAP_KEEP.split(text)
    return _NEWLINE_GAP_KEEP.split(text)


class _FlatAnchors:
    """The (flat, original) anchor pairs of a `_flatten`ed window, listed only when an offset is
    mapped back (`_unflat`), from the window's parts as `_flatten` split it: nearly every window
    flattened is mapped back (the one holding the block), and splitting it again to list its gaps
    cost more than flattening it."""

    __slots__ = ("_parts", "_base", "_pairs")

    def __init__(self, parts: list[str], base: int):
        self._parts, self._base, self._pairs = parts, base, None

    def pairs(self) -> list[tuple[int, int]]:
        if self._pairs is None:
            # parts: [text, gap, text, gap, …, text]; a text starts, in the original, after every
            # part before it, and in the flat text after every text before it and a mark each
            lengths = list(map(len, self._parts))
            orig = accumulate(lengths, initial=self._base)
            flat = accumulate(map(len(_GAP_MARK).__add__, lengths[0:-1:2]), initial=0)
            self._pairs = list(zip(flat, islice(orig, 0, None, 2)))
        return self._pairs


def _flatten(text: str, base: int = 0) -> tuple[str, "_FlatAnchors"]:
    """Newlines, table bars and wide gaps → " ¶ "; returns the flat text and its (flat, original)
    anchor pairs to map a flat offset back (see `_unflat`), listed on demand. (The text is split at
    its gaps, the gaps kept, and its texts joined with the mark: what `_GAP_RE.sub` gives.)"""
    parts = _split_gaps(text)
    return _GAP_MARK.join(parts[0::2]), _FlatAnchors(parts, base)


def _unflat(anchors, flat_pos: int) -> int:
    import bisect

    if isinstance(anchors, _FlatAnchors):
        anchors = anchors.pairs()
    i = bisect.bisect_right(anchors, (flat_pos, float("inf"))) - 1
    f, o = anchors[max(i, 0)]
    return o + (flat_pos - f)


# `_case`'s patterns, compiled once: `regex.match(pattern_string, …)` looks each up in the module's
# cache by its text on every call, which cost more than the match itself
_PREFIX_REST = regex.compile(rf"({_PREFIX})\s*(.*)$")
_BODY_WORD = regex.compile(r"(?:ỦY|UỶ|HỘI|BỘ|SỞ|BAN|CHÍNH|QUỐC|TỈNH|THƯỜNG)\b")
_MINISTER = regex.compile(r"BỘ\s+TRƯỞNG")
_OFFICE_WORDS = regex.compile(r"(?<=\s)(chủ\s+tịch|thủ\s+tướng|giám\s+đốc|chủ\s+nhiệm|bộ\s+trưởng|trưởng\s+ban|chánh\s+văn\s+phòng)")


@lru_cache(maxsize=4096)
def _case(s: str) -> str:
    """"KT. CHỦ TỊCH" → "KT. Chủ tịch"; "PHÓ THỦ TƯỚNG" → "Phó Thủ tướng".

    A pure function of its string, cached: signature lines repeat across documents ("KT. CHỦ TỊCH")."""
    from .agencies import display_name

    m = _PREFIX_REST.match(s)
    prefix, rest = (m.group(1).replace(" ", ""), m.group(2)) if m else ("", s)
    words = rest.split()
    if not words:
        return prefix
    # a body after TM. ("TM. ỦY BAN NHÂN DÂN") is a name of a body; a title is a person's office
    if _BODY_WORD.match(rest) and not _MINISTER.match(rest):
        body = display_name(rest)
    else:
        low = rest.lower()
        body = low[:1].upper() + low[1:]
        # office words that keep a capital inside titles
        body = _OFFICE_WORDS.sub(lambda w: w.group(0)[0].upper() + w.group(0)[1:], body)
    return canonical_tone(f"{prefix} {body}".strip())


# An authority prefix opens a block when a capital (the body or the title) or a line end follows it,
# not a lower-case word: "KT theo TT 23" (kỹ thuật) in the rows of a price table, "TM và DL" are not
# prefixes, and a window around each of hundreds of them made the search read the whole table.
# A signed mark "(Đã ký)" is a trigger too: a resolution of the Quốc hội signs "CHỦ TỊCH QUỐC HỘI / (Đã
# ký) / Trần Thanh Mẫn" with no prefix and no "Nơi nhận", before annexes longer than the end's window.
_TRIGGER = regex.compile(rf"(?<![\p{{L}}])(?:{_PREFIX}\s(?![ \t]*\p{{Ll}})|(?:Nơi\s+nhận)|\([ ]?[Đđ]ã[ ]ký\))")


def _trigger_openings() -> tuple[regex.Pattern | re.Pattern, ...]:
    r"""What every trigger opens with, each led by its literal: found by a fast literal search,
    where `_TRIGGER` itself (a look-behind, then an alternation) is tried at every character. Each
    pattern is one pass over the whole text, so the prefix words sharing a first letter share one
    ("TM", "TL", "TUQ", "T/M", "T.M"; "KT", "K/T", "K.T"; "Q"), then "Nơi": four passes instead of
    ten. No word holds its first letter again after its start, so the matches of one pattern never
    hide another start of the same pattern. The prefix words' patterns are compiled with `re`,
    which finds a one-letter literal faster than `regex` (and "Nơi" slower): the same literals,
    and `re`'s `\s` holds every `\s` of `regex` (tests/test_perf_signature_openings.py), so the
    starts found are the same or more (an extra start is tried and fails)."""
    families: dict[str, list[str]] = {}
    for w in _PREFIX_WORDS:
        families.setdefault(w[0], []).append(w[1:])
    return tuple(re.compile(rf"{first}(?:{'|'.join(rests)})(?=\s*\.?\s)") for first, rests in families.items()) + (
        regex.compile(r"Nơi(?=\s+nhận)"), regex.compile(r"\((?=[ ]?[Đđ]ã[ ]ký\))"))


_TRIGGER_OPENINGS = _trigger_openings()
WINDOW = 1500
# A window starts at a line start so that the block's first line is whole, but looks back at most
# this far for it: a text that is one huge line (a dump, a flattened table) must not make every
# window reach back to its beginning (no extractor may be super-linear in its input).
LINE_BACK = 5000


def _window_start(text: str, a: int) -> int:
    """The start of the line holding `a`, if within LINE_BACK characters; else `a` itself."""
    if not a:
        return 0
    lo = max(0, a - LINE_BACK)
    nl = text.rfind("\n", lo, a)
    if nl >= 0:
        return nl + 1
    return 0 if lo == 0 else a


def _windows(text: str) -> list[tuple[int, int]]:
    """Where a signature block can be: the end of the text and around every authority prefix or
    "Nơi nhận" (a document with annexes signs before them). Merged, in order."""
    return list(_iter_windows(text))


# The triggers are read a chunk of the text at a time, so that the windows come one by one and the
# reading stops where the signature is settled (`_read_signature`): the text after the window that
# settles it (annexes, attached papers; a quarter of the corpus) is not read. A chunk is large,
# since each costs a search per opening. It ends after a character that no opening's match nor its
# look-ahead can hold (not blank, and none of the prefix words' characters, ".", or those of "Nơi
# nhận"): a search bounded there tries every start before it exactly as a search of the whole text
# does (no try reaches that character), so the chunks' matches are the whole text's.
TRIGGER_CHUNK = 65536
_OPENING_CHARS = frozenset("".join(w.replace("\\", "") for w in _PREFIX_WORDS) + ".Nơinhận")


def _chunk_end(text: str, at: int) -> int:
    """The first offset ≥ `at` after a character that can end a chunk (or the text's end)."""
    n = len(text)
    while at < n:
        c = text[at - 1]
        if not c.isspace() and c not in _OPENING_CHARS:
            return at
        at += 1
    return n


def _trigger_spans(text: str):
    """The windows around the triggers, in order (those of `iter_from_openings(_TRIGGER, …)`), and
    after each chunk read (None, e): every later trigger starts at or after e."""
    n = len(text)
    pos, end = 0, 0  # end: the end of the last trigger (a start before it is inside it)
    while pos < n:
        e = _chunk_end(text, pos + TRIGGER_CHUNK)
        for s in sorted({m.start() for o in _TRIGGER_OPENINGS for m in o.finditer(text, pos, e)}):
            if s < end:
                continue
            m = _TRIGGER.match(text, s)
            if m is not None:
                end = m.end()
                yield max(0, s - WINDOW), min(n, end + WINDOW)
        pos = e
        yield None, e


def _iter_windows(text: str):
    """`_windows(text)` (every trigger read at once, as the tests' plain reference does) one window at a time: a window is given once no later trigger nor the
    end of the text can reach it, and the text is read no further than that needs. (The windows
    are merged in the order of their starts, the end's window among them, as the plain sort does.)"""
    n = len(text)
    last = max(0, n - 2 * WINDOW)  # the window at the end of the text: (last, n)
    last_pending = True
    cur: list[int] | None = None

    def add(a: int, b: int) -> tuple[int, int] | None:
        """Merge (a, b) into the current window; the window it closes, if any."""
        nonlocal cur
        if cur is not None and a <= cur[1]:
            cur[1] = max(cur[1], b)
            return None
        done = (cur[0], cur[1]) if cur is not None else None
        cur = [a, b]
        return done

    for a, b in _trigger_spans(text):
        if a is None:  # every later trigger's window starts at or after b - WINDOW
            if cur is not None and b - WINDOW > cur[1] and not (last_pending and last <= cur[1]):
                yield cur[0], cur[1]
                cur = None
            continue
        if last_pending and last <= a:
            last_pending = False
            done = add(last, n)
            if done is not None:
                yield done
        done = add(a, b)
        if done is not None:
            yield done
    if last_pending:
        done = add(last, n)
        if done is not None:
            yield done
    if cur is not None:
        yield cur[0], cur[1]


class _LazyWindows:
    """The windows of a text, read as far as they are asked for and kept: the later readers
    (`_read_signature(side=True)`, `_read_loose`) go over them again, and on to the rest."""

    __slots__ = ("_rest", "_got")

    def __init__(self, text: str):
        self._rest, self._got = _iter_windows(text), []

    def __iter__(self):
        i = 0
        while True:
            if i == len(self._got):
                nxt = next(self._rest, None)
                if nxt is None:
                    return
                self._got.append(nxt)
            yield self._got[i]
            i += 1


_SIDE_GAP = regex.compile(r"\t+|[ ]{3,}")


def _right_column(text: str, base: int) -> tuple[str, list[tuple[int, int]]]:
    """The right column of side-by-side lines ("Nơi nhận:\t\tTL. CHỦ TỊCH" / "- Như trên;\t CHÁNH VĂN
    PHÒNG" / …, a .doc table printed as text): right parts of split lines and deeply indented lines,
    each line kept with its offset."""
    out, anchors, flat_len = [], [], 0
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        parts = [(m.start(), m.end()) for m in _SIDE_GAP.finditer(line.rstrip())]
        piece, off = None, None
        inner = [(a, b) for a, b in parts if a > 0 and line[:a].strip()]
        if inner:
            a, b = inner[-1]
            piece, off = line[b:].strip(), b
        elif parts and parts[0][0] == 0 and (parts[0][1] >= 20 or line.startswith("\t\t")):
            piece, off = line[parts[0][1]:].strip(), parts[0][1]
        if piece:
            anchors.append((flat_len, base + start + off))
            out.append(piece)
            flat_len += len(piece) + 3
    return f" {_GAP} ".join(out), anchors or [(0, base)]


def read_signature(text: str, ocr: bool = False) -> Signature:
    """The signature block. `ocr`: the text was OCR'd, so the name read is also repaired syllable
    by syllable (`repair_name`)."""
    sig = _find_signature(text)
    if ocr and sig.signer:
        sig.signer = " - ".join(repair_name(n) for n in sig.signer.split(" - "))
    return sig


def _find_signature(text: str) -> Signature:
    windows = _LazyWindows(text)
    sig = _read_signature(text, side=False, windows=windows)
    if sig.signer is None:
        sig = _read_signature(text, side=True, windows=windows)
    if sig.signer is None:
        sig = _read_loose(text, windows)
    if sig.signer is None:
        sig = _read_internal(text)
    if sig.signer is None:
        sig = _read_last_name(text)
    return sig


# A scanned signature block whose title was lost under the seal still ends with the signer's name,
# often with a rank: "Thiếu tướng Trương Minh Đương", "Nguyễn T hị Lê Dung" (a syllable split by
# OCR). Read only after the recipients list, from the last lines of the text.
_LAST_RANK = r"(?:Thiếu|Trung|Thượng|Đại)\s+(?:tướng|tá|úy)\s+"
_SPLIT_SYLLABLE = regex.compile(r"(?<!\p{L})(?P<a>[TVHĐNMQXKBC])\s(?P<b>hị|ăn|ữu|ức|gọc|inh|uang|hanh|uân|ồng|im|á|ông|ình|rọng|uốc)(?!\p{L})")
_LAST_NAME_LINE = regex.compile(rf"^[ \t]*(?:{_LAST_RANK})?(?P<name>\p{{Lu}}\p{{Ll}}*(?:\s+\p{{Lu}}\p{{Ll}}*){{1,4}})[ \t.]*$", regex.MULTILINE)


# after a recipient item's ";" or after the abbreviation closing a "Lưu: VT" line, the drafter's
# initial glued to it included ("Lưu: VT, NC.Châu Hồ Văn Mười")
_GLUED_NAME = regex.compile(r"(?:;|(?<=^[ \t]*-?[ \t]*Lưu\s*[:;]?[^\n]*\b\p{Lu}{2,}(?:[.,]\p{Lu}\p{Ll}+)?[.,]?))[ \t]+"
                            r"(?P<name>\p{Lu}\p{Ll}+(?:[ ]\p{Lu}\p{Ll}*){2,3})[ \t]*$", regex.MULTILINE)
# what ends the signature part: an appendix or an attached paper's own header
_APPENDIX = regex.compile(r"^[ \t]*(?:DANH\s+SÁCH|PHỤ\s+LỤC|Phụ\s+lục|BẢNG|QUY\s+(?:ĐỊNH|CHẾ)|ĐIỀU\s+LỆ|"
                          r"CỘNG\s+HÒA|ỦY\s+BAN\s+NHÂN\s+DÂN)\b", regex.MULTILINE)


def _strip(w: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", w.replace("Đ", "D").replace("đ", "d"))
                   if unicodedata.category(c) != "Mn").casefold()


@cache
def _bare_surnames() -> dict[str, str]:
    """Surnames by their letters without tone marks, when only one surname has those letters."""
    out: dict[str, list[str]] = {}
    for sn in rules.surnames():
        out.setdefault(_strip(sn), []).append(sn)
    return {k: v[0] for k, v in out.items() if len(v) == 1}


def repair_name(name: str) -> str:
    """A name as OCR read it, its marks repaired from the tables: a surname whose tone mark was
    misread ("Trận" → "Trần", "Đỉnh" → "Đinh"; only where one surname has those letters), and a
    middle or given syllable misread into one that is no name syllable (`name_confusions.tsv`:
    "Đúc" → "Đức", "Hưu" → "Hữu"). A syllable that is a name is kept as read, right or wrong:
    "Dương" may be "Đương", "Tân" may be "Tấn", and nothing on the page says which."""
    parts = name.split()
    if not parts:
        return name
    if parts[0] not in rules.surnames():
        parts[0] = _bare_surnames().get(_strip(parts[0]), parts[0])
    fixes = rules.name_confusions()
    return " ".join([parts[0]] + [fixes.get(p, p) for p in parts[1:]])


_NOISE_CHARS = "ˆ`'’\".,:;_-~^*|"


_HYPHEN_JOIN = regex.compile(r"(?<=\p{Ll})[-–—](?=\p{Lu})")
_DIGIT_LETTER = {"6": "S", "5": "S", "8": "B", "0": "Ô", "1": "L"}
# given names that a misread capital turns into digits ("6ương"): checked before the digit is replaced
_DIGIT_OK = frozenset("Sương Sơn Sang Sáng Sinh Sỹ Sĩ Bình Bảo Bắc Bích Bằng Bá Lan Linh Long Lâm Lộc Lực Luân Lương Ly".split())


def _clean_name_segment(seg: str) -> str:
    """A name line as OCR leaves it under a seal: stray marks between the syllables ("Trần ˆ Thanh
    Mẫn", "Nguyễn . Minh"), a quote glued to one ("Mạnh' Hùng"), syllables joined by a hyphen
    ("Hồ Đức-Phóc"), a capital read as a digit when that gives a name syllable ("Đỗ Tấn 6ương"),
    a lone lower-case letter at its end ("Trương Hải Châu r"). The Ê Đê / Jrai particles "H'" and
    "K'" stay."""
    keep = []
    for t in _HYPHEN_JOIN.sub(" ", seg).split():
        if t[:1] in _DIGIT_LETTER and len(t) > 2 and t[1:].isalpha() and t[1:].islower():
            fixed = _DIGIT_LETTER[t[0]] + t[1:]
            if fixed in rules.surnames() or fixed in _DIGIT_OK:
                t = fixed
        if t in ("H'", "K'"):
            keep.append(t)
            continue
        t = t.strip(_NOISE_CHARS)
        if not t or (len(t) == 1 and not t.isupper()):
            continue
        keep.append(t)
    return " ".join(keep)


def _repair_surname(name: str) -> str:
    first = name.split()[0]
    if first in rules.surnames():
        return name
    return _bare_surnames().get(_strip(first), first) + name[len(first):]


def _name_in_segment(cand: str) -> tuple[str | None, int | None]:
    """A segment that is only a person's name led by a surname (a rank before it allowed): the
    name and its end in the segment; or, read through OCR noise (`_clean_name_segment`) and with
    the surname's misread tone mark restored, the name and None (its end is the segment's)."""
    nm = _NAME_LINE.match(cand)
    if nm and nm.group("name").split()[0] in rules.surnames():
        return nm.group("name"), nm.end()
    cleaned = _clean_name_segment(cand)
    nm = _NAME_LINE.match(cleaned) if cleaned else None
    if nm:
        fixed = _repair_surname(nm.group("name"))
        if fixed.split()[0] in rules.surnames():
            return fixed, None
    return None, None


def _read_last_name(text: str) -> Signature:
    sig = Signature()
    nn = text.rfind("Nơi nhận")
    if nn < 0:
        return sig
    tail_start = nn
    # the signature part ends at an appendix or attached paper (a list of members after a decision)
    end = min(len(text), nn + 1500)
    ap = _APPENDIX.search(text, nn, end)
    if ap:
        end = ap.start()
    elif len(text) - nn > 1500:
        return sig
    tail = _SPLIT_SYLLABLE.sub(lambda m: m.group("a") + m.group("b"), text[tail_start:end])
    surnames = rules.surnames()
    bare = _bare_surnames()
    cands = [(m.start("name"), m.group("name")) for m in _LAST_NAME_LINE.finditer(tail)]
    # the signature column merged into the recipients list by the layout: "- Văn phòng Quốc hội;
    # Nguyên Xuân Phúc" (a surname whose tone mark OCR lost is restored from the table)
    cands += [(m.start("name"), m.group("name")) for m in _GLUED_NAME.finditer(tail)]
    for at, name in sorted(cands, reverse=True):
        first = name.split()[0]
        if first not in surnames and bare.get(_strip(first)):
            name = bare[_strip(first)] + name[len(first):]
        if name.split()[0] in surnames and 2 <= len(name.split()) <= 5:
            sig.signer = name
            start = tail_start + at
            if start >= 0:  # the span covers the name as printed (a split syllable included)
                end = text.find("\n", start)
                sig.span = Span(start, (end if end >= 0 else len(text)))
            return sig
    return sig


# Internal papers of an office (phiếu trình, tờ trình nội bộ) are not signed under TM./KT.: a
# table of boxes holds each reviewer's role, a date and a name, and the office head's box is the
# one that signs the paper; a plain note ends with its drafter.
#   "LÃNH ĐẠO VĂN PHÒNG ........ Ngày     tháng 11 năm 2025     Đỗ Tấn Sương"
#   "Chuyên viên: Trương Hải Châu"
_OFFICE_HEAD_BOX = regex.compile(
    rf"(?P<title>LÃNH\s+ĐẠO\s+(?:VĂN\s+PHÒNG|SỞ|PHÒNG|ĐƠN\s+VỊ))[\s.…_]*(?:Ngày[^\n|]{{0,40}}?năm\s*\d{{4}})?[ \t]+"
    rf"(?P<name>{_NAME})[ \t]*(?=$|\n|\|)", regex.V1 | regex.MULTILINE)
_DRAFTER = regex.compile(rf"^[ \t]*(?P<title>Chuyên\s+viên|Người\s+(?:lập|trình|soạn\s+thảo))[ \t]*:[ \t]*(?P<name>{_NAME})"
                         rf"(?:[ \t]+[^\s\p{{Lu}}]{{1,2}})?[ \t]*$",
                         regex.V1 | regex.MULTILINE)


def _read_internal(text: str) -> Signature:
    sig = Signature()
    tail_start = max(0, len(text) - 6000)
    for rx in (_OFFICE_HEAD_BOX, _DRAFTER):
        found = list(rx.finditer(text, tail_start))
        found = [m for m in found if m.group("name").split()[0] in rules.surnames()]
        if found:
            m = found[-1]
            sig.signer = m.group("name")
            sig.signer_title = _case(one_space(m.group("title")))
            sig.span = Span(m.start(), m.end())
            return sig
    return sig


@cache
def _known_title_re() -> regex.Pattern:
    """A segment or a block's last line that ends with a known title."""
    return regex.compile(rf"(?:^|\s)(?P<t>{_titles_alt()})$")


_SEGMENT = regex.compile(rf"[^{_GAP}]+")
_NAME_LINE = regex.compile(rf"^(?:(?P<rank>{_RANK})\s+)?(?P<name>{_NAME})$", regex.V1)


def _read_loose(text: str, windows: list[tuple[int, int]] | None = None) -> Signature:
    """Last resort for OCR'd and interleaved blocks: a known title segment, then within a few
    segments (a seal's remains "_ \\&j -", the Nơi nhận items of the other column) a segment that
    is only a person's name led by a Vietnamese surname."""
    sig = Signature()
    known = _known_title_re()
    for a, b in windows if windows is not None else _windows(text):
        a = _window_start(text, a)
        flat, anchors = _flatten(text[a:b], a)
        segs = [(m.start(), m.end(), m.group(0).strip(" \"'“”`.,:;_-")) for m in _SEGMENT.finditer(flat)]
        for k, (s0, s1, seg) in enumerate(segs):
            tm = known.search(seg)
            if not tm or not seg.isupper() and not _PREFIX_RE.match(seg):
                continue
            for s2, s3, cand in segs[k + 1: k + 12]:
                name, end = _name_in_segment(cand)
                if name:
                    block = seg
                    if k and _PREFIX_RE.match(segs[k - 1][2]) and segs[k - 1][2].isupper():
                        block = segs[k - 1][2] + f" {_GAP} " + seg
                    auth, title = _split_block(block)
                    sig.signer = name
                    sig.signer_title = " / ".join(x for x in (auth, title) if x)
                    sig.authority = auth
                    sig.span = Span(_unflat(anchors, s0), _unflat(anchors, s2 + end if end is not None else s3))
                    return sig
    return sig


def _read_signature(text: str, side: bool, windows: list[tuple[int, int]] | None = None) -> Signature:
    sig = Signature()
    known = _known_title_re()
    cands = []  # (match, anchors)
    settled = False
    for a, b in windows if windows is not None else _windows(text):
        # start the window at a line start so that the block's first line is whole
        a = _window_start(text, a)
        flat, anchors = _right_column(text[a:b], a) if side else _flatten(text[a:b], a)
        for m in _iter_blocks(flat):
            block = m.group("block")
            last_line = _GAP_SPLIT.split(block.strip())[-1]
            has_prefix = _HAS_PREFIX.search(block) is not None
            if not (has_prefix or known.search(one_space(last_line).strip(" ,."))):
                continue
            first = m.group("name").split()[0]
            if first not in rules.surnames() and not has_prefix:
                continue
            cands.append((m, anchors, has_prefix))
            settled = settled or has_prefix
        if settled:
            # a window holding a block with a prefix settles it: that block is chosen (the first
            # with a prefix) and its co-signers are in the same window, so later windows (annexes,
            # attached papers) are not read, nor looked for
            break
    if not cands:
        return sig
    with_prefix = [x for x in cands if x[2]]
    chosen = with_prefix[0] if with_prefix else cands[0]
    group = [chosen]
    for x in cands[cands.index(chosen) + 1:]:
        if x[1] is group[-1][1] and x[0].start() - group[-1][0].end() < 400:
            group.append(x)
        else:
            break
    names, titles, auths = [], [], []
    for m, _, _ in group:
        auth, title = _split_block(m.group("block"))
        names.append(m.group("name"))
        titles.append(" / ".join(x for x in (auth, title) if x))
        auths.append(auth)
    sig.signer = " - ".join(names)
    sig.signer_title = " - ".join(titles)
    sig.authority = auths[0]
    first_m, first_anchors, _ = group[0]
    last_m, last_anchors, _ = group[-1]
    sig.span = Span(_unflat(first_anchors, first_m.start("block")), _unflat(last_anchors, last_m.end("name")))
    return sig


_KINH_GUI = regex.compile(r"Kính\s+gửi\s*:?\s*", regex.IGNORECASE)
_NOI_NHAN = regex.compile(r"Nơi\s+nhận\s*:?\s*", regex.IGNORECASE)
# `_NOI_NHAN` is looked for in the whole text and `_KINH_GUI` in the header and after it, each
# tried at every character. A match opens with its words in any case: so one letter of them is
# looked for, in each of its cases, where the rest follows, and the pattern is tried where the
# words would start. The letter is the second ("ơ" of "Nơi", "í" of "Kính"): fewer places have it
# than have "N" or "K". A lower-case letter is found by the stdlib `re` (its fast search for a
# leading literal, the rest tested in C), an upper-case one, rare in running text, by `str.find`
# (at memory speed), the rest tested at each. The cases are those that `regex`'s IGNORECASE
# matches (simple case folding: "i" also matches "İ"), checked against every character by the
# tests; `re`'s "\s" (`str.isspace`) holds every character `regex`'s does.
_CASES = {"ơ": "ơƠ", "i": "iIİ", "n": "nN", "h": "hH", "ậ": "ậẬ", "í": "íÍ", "g": "gG", "ử": "ửỬ"}


def _letter_finders(words: str, at: int) -> tuple[int, tuple[tuple[str, re.Pattern], ...]]:
    """(at, (case, its pattern) for each case of the letter at `at` in `words`): the pattern
    matches the letter where the rest of the words follows in any case (a space: any blanks)."""
    rest = "".join(r"\s+" if c == " " else f"[{_CASES[c]}]" for c in words[at + 1:])
    return at, tuple((case, re.compile(rf"{case}(?={rest})")) for case in _CASES[words[at]])


_KINH_GUI_LETTER = _letter_finders("Kính gửi", 1)
_NOI_NHAN_LETTER = _letter_finders("Nơi nhận", 1)


def _letter_places(text: str, case: str, rx: re.Pattern, pos: int, endpos: int):
    """Where `rx` (one case's pattern of `_letter_finders`) matches, in order."""
    if case.isupper():
        p = text.find(case, pos, endpos)
        while p >= 0:
            if rx.match(text, p, endpos):
                yield p
            p = text.find(case, p + 1, endpos)
    else:
        for m in rx.finditer(text, pos, endpos):
            yield m.start()


def _search_by_letter(rx: regex.Pattern, letter: tuple[int, tuple[tuple[str, re.Pattern], ...]], text: str,
                      endpos: int | None = None) -> regex.Match | None:
    """`rx.search(text, 0, endpos)`: the pattern tried where its words would start, before each
    place their letter is found (`_letter_finders`), in order."""
    at, finders = letter
    endpos = len(text) if endpos is None else endpos
    for p in heapq.merge(*(_letter_places(text, case, f, at, endpos) for case, f in finders)):
        m = rx.match(text, p - at, endpos)
        if m is not None:
            return m
    return None


_LUU = regex.compile(r"^\s*Lưu\s*:?\s*", regex.IGNORECASE)


_ITEM_SPLIT = regex.compile(r"(?:^|\n|;\s*)\s*[-+•]\s+|\n|;\s*(?=\S)")
_BULLET = regex.compile(r"[-+•]")
_TABLE_GAP = regex.compile(r"\s{4,}|\t|\|")
_SIGNING_PREFIX = regex.compile(r"(?:TM|KT|TL|TUQ|Q)\.")


def _items(segment: str) -> list[str]:
    parts = _ITEM_SPLIT.split(segment)
    return [p.strip(" ;.,\t") for p in parts if p and p.strip(" ;.,\t")]


_HEADER_FURNITURE = regex.compile(
    rf"[ \t]*\n?[ \t]*(?:{QUOC_HIEU}|{MOTTO}|[^\n,]{{2,40}},\s*ngày[^\n]{{0,30}}năm\s*\d{{4}}|[-_=*]{{3,}})[ \t]*(?:\n|$)",
    regex.IGNORECASE)


def read_recipients(text: str, header_end: int = 0) -> tuple[list[str], list[str]]:
    """(recipients, filing) from "Kính gửi:" and "Nơi nhận:" lists."""
    recipients: list[str] = []
    filing: list[str] = []
    km = _search_by_letter(_KINH_GUI, _KINH_GUI_LETTER, text, min(len(text), max(header_end, 0) + 3000))
    if km:
        start = km.end()
        # a header table flattened cell by cell puts the right column after "Kính gửi:"
        while (fm := _HEADER_FURNITURE.match(text, start)) is not None and fm.end() > start:
            start = fm.end()
        seg_end = _list_end(text, start, bullets_only=False)
        for it in _items(text[start:seg_end]):
            if len(it) < 150:
                recipients.append(it)
    nm = _search_by_letter(_NOI_NHAN, _NOI_NHAN_LETTER, text)
    if nm:
        seg_end = _list_end(text, nm.end(), bullets_only=True)
        for it in _items(text[nm.end():seg_end]):
            lm = _LUU.match(it)
            if lm:
                filing.append(it[lm.end():].strip())
            elif len(it) < 150 and not _SIGNING_PREFIX.match(it):
                recipients.append(it)
    seen = set()
    out = []
    for r in recipients:
        key = r.casefold()
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out, filing


def _list_end(text: str, start: int, bullets_only: bool) -> int:
    """End of a list: the first line that is neither a bullet nor a continuation, or a table gap."""
    pos = start
    n = len(text)
    first = True
    while pos < n:
        nl = text.find("\n", pos)
        nl = n if nl < 0 else nl
        line = text[pos:nl]
        gap = _TABLE_GAP.search(line.strip())
        if gap and not first:
            return pos
        if gap:
            # flattened table: the list ends at the gap
            return pos + line.find(line.strip()) + gap.start()
        s = line.strip()
        if not s:
            if first:
                pos = nl + 1
                continue
            return pos
        if not first and bullets_only and not _BULLET.match(s):
            return pos
        if not first and not bullets_only and not _BULLET.match(s):
            return pos
        if _LUU.match(s.lstrip("-+• ")):
            return nl
        first = False
        pos = nl + 1
    return n
