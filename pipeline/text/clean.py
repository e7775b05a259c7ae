"""Text normalisation: the one place where raw text becomes the text that offsets refer to.

Why a separate stage: every extractor assumes one canonical spelling of dashes, slashes, spaces and
symbol letters; the stored page text is this normalised text, so a span (start, end) found by any
extractor points at the same characters an auditor sees in `pages.parquet`.

Handled (all tables in `rules/`):
  - Unicode NFC (PDF text layers and Word files often hold NFD: "Quyết" as u + combining marks);
  - dash/slash/space/quote variants (characters.tsv, scope everywhere): "56/2017/NĐ–CP" → "56/2017/NĐ-CP";
  - look-alike letters inside symbols only (scope in_symbol): Cyrillic "TT-BTС" → "TT-BTC";
  - Windows/Mac line ends → "\\n";
  - glued web-portal furniture (boilerplate.tsv): portal title lines, chunk prefixes, footers.

Not handled here, on purpose: tone placement (Uỷ/Ủy) stays as printed in the text; `fold` makes
the variants compare equal and extracted names use the modern form (`canonical_tone`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import regex

from .. import rules


@cache
def _everywhere_table() -> dict[int, str]:
    everywhere, _ = rules.character_map()
    return {ord(k): v for k, v in everywhere.items()}


@cache
def _everywhere_re() -> re.Pattern:
    """The `everywhere` characters as one class. `re`, not `regex`: a class of literal characters
    means the same to both, and `re` scans a long text for it about three times faster."""
    everywhere, _ = rules.character_map()
    return re.compile("[" + "".join(re.escape(c) for c in everywhere) + "]")


def _fold_characters(text: str) -> str:
    """characters.tsv `everywhere` map; a regex finds the few variants faster than str.translate
    walks every character of a long text."""
    return _fold_special(text)[0]


@cache
def _special_re() -> re.Pattern:
    """The `everywhere` characters and the `in_symbol` look-alikes as one class (`re`, as
    `_everywhere_re`): `normalize_text` reads a text once for both, not once per table."""
    everywhere, in_symbol = rules.character_map()
    return re.compile("[" + "".join(re.escape(c) for c in (*everywhere, *in_symbol)) + "]")


def _fold_special(text: str, scan: tuple[bytes, frozenset[str] | None] | None = None) -> tuple[str, tuple[str, ...]]:
    """The `everywhere` map applied (as `_fold_characters`), and the `in_symbol` look-alikes the
    text holds (left as they are: `_fix_symbol_lookalikes` reads the tokens around them).

    Most texts hold none of the ~55 characters, or only the two curly quotes, yet a character
    class read every character of every text (a quarter of normalisation). `_special_groups` says
    which characters can be in the text at all from the high bytes of its UTF-16 code units
    (Vietnamese text uses a handful of 256-character blocks, the special characters a few others),
    then each possible one is tested with `in` and replaced with `str.replace`: memory-speed
    passes. A character outside the blocks of Vietnamese letters is looked up in the set of those
    the text holds, when `_scan` listed them (`scan`: the text's `_scan`, when known), not searched
    for. The result is the one-pass class substitution's: the characters are replaced one by
    one, but no replacement holds a special character (`_special_groups` checks it), so no pass
    changes what another one finds; the look-alikes are never replaced, so those of the folded
    text are those of the text."""
    groups = _special_groups()
    if groups is None:  # a table whose replacements hold special characters: the plain class
        return _fold_special_plain(text)
    table = rules.character_map()[0]
    high, rare = _scan(text) if scan is None else scan
    lookalikes = []
    for block, chars in groups:
        if rare is not None and (block is None or block not in _DENSE_BLOCKS):  # (None: outside the BMP: none)
            held = rare
        elif block is not None and block not in high:
            continue
        else:
            held = text
        for c in chars:
            if c in held:
                got = table.get(c)
                if got is None:
                    lookalikes.append(c)
                else:
                    text = text.replace(c, got)
    return text, tuple(lookalikes)


# The blocks of the letters of Vietnamese (Basic Latin and Latin-1, Latin Extended-A, Latin Extended
# Additional) as UTF-16 high bytes: they hold nearly every character of a text; the characters of
# any other block are few (quotes, dashes, a Cyrillic look-alike).
_DENSE_BLOCKS = b"\x00\x01\x1e"
# `_scan` lists the other characters when they are at most this fraction of the text: each costs a
# step of a Python loop, the listing spares a search of the whole text per special character and NFC
_RARE_SHARE = 256


def _scan(text: str) -> tuple[bytes, frozenset[str] | None]:
    """The high bytes of the text's UTF-16 code units, and the set of its characters outside
    `_DENSE_BLOCKS` when they are few and the text is all in the BMP (else None). They are found
    with `bytes.find` in the high bytes (memchr), so the text is read at memory speed."""
    high = text.encode("utf-16-le", "surrogatepass")[1::2]  # each code unit's high byte
    rest = high.translate(None, _DENSE_BLOCKS)
    if not rest:
        return high, frozenset()
    if len(rest) * _RARE_SHARE > len(text):
        return high, None
    blocks = set(rest)
    if any(0xD8 <= b <= 0xDF for b in blocks):  # a surrogate: code units are not characters
        return high, None
    chars = set()
    for b in blocks:
        i = high.find(b)
        while i >= 0:
            chars.add(text[i])
            i = high.find(b, i + 1)
    return high, frozenset(chars)


def _nfc(text: str, rare: frozenset[str] | None) -> str:
    """`unicodedata.normalize("NFC", text)`, skipped when the text is NFC for sure: every character
    of the dense blocks and every one of `rare` (the others, `_scan`) is a starter that NFC neither
    changes nor composes with what precedes it (`_nfc_inert`), so the NFC quick check says yes."""
    if rare is not None and _dense_blocks_inert() and all(map(_nfc_inert, rare)):
        return text
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=4096)
def _nfc_inert(c: str) -> bool:
    """NFC leaves `c` as it is wherever it stands: combining class 0, its own NFC, and no canonical
    composition takes it as its second character (Hangul vowels and trailing consonants compose
    by the Hangul algorithm, not by the table)."""
    cp = ord(c)
    return (unicodedata.combining(c) == 0 and unicodedata.normalize("NFC", c) == c and cp not in _composing_seconds()
            and not (0x1161 <= cp <= 0x1175 or 0x11A8 <= cp <= 0x11C2))


@cache
def _composing_seconds() -> frozenset[int]:
    """The second characters of the two-character canonical decompositions of the BMP (no
    decomposition outside the BMP ends with a BMP character: tests/test_perf_clean.py)."""
    out = set()
    for cp in range(0x10000):
        d = unicodedata.decomposition(chr(cp))
        if d and d[0] != "<":
            parts = d.split()
            if len(parts) == 2:
                out.add(int(parts[1], 16))
    return frozenset(out)


@cache
def _dense_blocks_inert() -> bool:
    return all(_nfc_inert(chr(b << 8 | lo)) for b in _DENSE_BLOCKS for lo in range(256))


@cache
def _special_groups() -> tuple[tuple[bytes | None, tuple[str, ...]], ...] | None:
    """The `everywhere` and `in_symbol` characters by their UTF-16 high byte (None: outside the
    BMP, where a character is two code units: always tested); None when a replacement holds a
    special character (then replacing one character at a time could differ from one pass)."""
    everywhere, in_symbol = rules.character_map()
    specials = (*everywhere, *in_symbol)
    if any(c in got for got in everywhere.values() for c in specials):
        return None
    groups: dict[bytes | None, list[str]] = {}
    for c in specials:
        groups.setdefault(bytes([ord(c) >> 8]) if ord(c) <= 0xFFFF else None, []).append(c)
    return tuple((block, tuple(chars)) for block, chars in groups.items())


def _fold_special_plain(text: str) -> tuple[str, tuple[str, ...]]:
    """`_fold_special` as one substitution of the character class over the whole text (the two
    classes are disjoint and no `everywhere` replacement is a look-alike, so the look-alikes of
    the folded text are those of the text)."""
    table = rules.character_map()[0]
    seen = []

    def one(m: re.Match) -> str:
        c = m.group(0)
        got = table.get(c)
        if got is None:
            seen.append(c)
            return c
        return got

    return _special_re().sub(one, text), tuple(dict.fromkeys(seen))


@dataclass(frozen=True)
class _Boilerplate:
    name: str
    where: str  # start / end / line / anywhere (boilerplate.tsv)
    rx: regex.Pattern
    needles: tuple[str, ...]  # literals one of which every match holds
    anchor: regex.Pattern | None  # a pattern matching inside every match (`start`, `anywhere`)
    opener: re.Pattern | None = None  # what opens the first line of every match (`line`, `end`)
    opened: re.Pattern | None = None  # a line break followed by `opener`

    @property
    def starts_at_anchor(self) -> bool:
        """The anchor captures `start`: where every match of the pattern starts (boilerplate.tsv)."""
        return self.anchor is not None and "start" in self.anchor.groupindex


@cache
def _boilerplate_res() -> tuple[_Boilerplate, ...]:
    """The patterns of boilerplate.tsv. The anchor of a `line` or `end` pattern opens the first
    line of every match: it is compiled with `re` (literals and simple classes, which mean the same
    to both modules), which finds a line break followed by it several times faster than `regex`."""
    out = []
    for name, where, pattern, needles, anchor in rules.boilerplate():
        rx = regex.compile(pattern, regex.MULTILINE)
        if anchor and where in ("line", "end"):
            out.append(_Boilerplate(name, where, rx, needles, None, re.compile(anchor, re.MULTILINE),
                                    re.compile(rf"\n(?=(?:{anchor}))", re.MULTILINE)))
        else:
            out.append(_Boilerplate(name, where, rx, needles,
                                    regex.compile(anchor, regex.MULTILINE) if anchor else None))
    return tuple(out)


_LATIN_OR_DIGIT = regex.compile(r"[\p{Latin}\d]")
_NOT_FOREIGN = regex.compile(r"[\p{Latin}\d/\-()]")


@cache
def _lookalike_char_re() -> re.Pattern:
    """The `in_symbol` look-alikes as one class (`re`: literal characters, as `_everywhere_re`)."""
    _, in_symbol = rules.character_map()
    return re.compile("[" + "".join(re.escape(c) for c in in_symbol) + "]")


def _fix_symbol_lookalikes(text: str, present: tuple[str, ...] | None = None) -> str:
    """Look-alike letters folded in the tokens that read as symbols (`_fold_token`). `present`:
    the look-alikes the text holds, when known (`_fold_special`): their places are then listed with
    `str.find` rather than by the class read over every character."""
    _, in_symbol = rules.character_map()
    if present is None:
        if not _lookalike_char_re().search(text):  # the common case: nothing to fold
            return text
        places = [m.start() for m in _lookalike_char_re().finditer(text)]
    else:
        places = sorted(i for c in present for i in _find_all(text, c))
    # only the tokens around each look-alike are examined
    out, pos = [], 0
    for at in places:
        if at < pos:
            continue
        a = at
        while a > 0 and _TOKEN_CHAR.match(text[a - 1]):
            a -= 1
        b = at + 1
        while b < len(text) and _TOKEN_CHAR.match(text[b]):
            b += 1
        out.append(text[pos:a])
        out.append(_fold_token(text[a:b], in_symbol))
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _find_all(text: str, c: str):
    i = text.find(c)
    while i >= 0:
        yield i
        i = text.find(c, i + 1)


_TOKEN_CHAR = regex.compile(r"[\p{L}\p{N}/\-()]")


def _fold_token(token: str, in_symbol: dict[str, str]) -> str:
    latin = _LATIN_OR_DIGIT.search(token)
    foreign = _NOT_FOREIGN.sub("", token)
    if latin and len(foreign) <= max(2, len(token) // 3):
        return "".join(in_symbol.get(c, c) for c in token)
    return token


def remove_boilerplate(text: str) -> tuple[str, int]:
    """Strip portal furniture; returns the text and the number of characters removed.

    A pattern is searched only where a match can be: almost no document holds portal furniture,
    and a pattern's scan of a long text costs many times a literal search (boilerplate.tsv).
    A `line` or `end` pattern with an anchor is tried only at the starts of the lines the anchor
    opens (`_opened_lines`: one `re` scan for a line break followed by it, where the needles were
    each one scan of the whole text, and an `end` pattern tried at every position of the tail); a
    `line` pattern with needles only at the start of the lines that hold a needle
    (`_line_matches`); a pattern whose anchor marks where its matches start, only there
    (`_anchored_matches`); any other pattern only in a text that holds one of its needles and a
    match of its anchor."""
    removed = 0
    for b in _boilerplate_res():
        rx = b.rx
        if b.where in ("line", "anywhere") and (b.where == "line" and (b.needles or b.opener) or b.starts_at_anchor):
            if b.opener is not None:
                spans = _spans_from(text, rx, set(_opened_lines(text, b)))
            elif b.where == "line":
                spans = _line_matches(text, b)
            else:
                spans = _anchored_matches(text, b)
            if spans:
                kept = zip([0] + [e for _, e in spans], [s for s, _ in spans] + [len(text)])
                new = "".join(text[a:z] for a, z in kept)
                removed += len(text) - len(new)
                text = new
            continue
        if b.needles and not any(n in text for n in b.needles):
            continue  # no match can hold none of them
        if b.anchor is not None and b.anchor.search(text) is None:
            continue
        if b.where == "start":
            m = rx.match(text)
            if m:
                removed += m.end() - m.start()
                text = text[m.end():]
        elif b.where == "end":
            tail_start = max(0, len(text) - 1500)
            if b.opener is not None:  # the leftmost match: the first at a line the anchor opens
                m = next(filter(None, (rx.match(text, s) for s in _opened_lines(text, b, tail_start))), None)
            else:
                m = rx.search(text, tail_start)
            if m:
                removed += len(text) - m.start()
                text = text[: m.start()].rstrip() + "\n"
        else:  # line / anywhere
            new, n = rx.subn("", text)
            if n:
                removed += len(text) - len(new)
                text = new
    return text, removed


def _opened_lines(text: str, b: _Boilerplate, pos: int = 0) -> list[int]:
    """The starts of the lines at or after `pos` that `b.opener` opens, in order: every match of a
    `line` or `end` pattern with an anchor starts at one (its `^`, boilerplate.tsv), and `rx.match`
    there is what `finditer`/`search` find there (look-behinds and `^` see the text before it).
    `b.opened` (a line break followed by the opener) matches one character, so no match hides
    another."""
    starts = [m.start() + 1 for m in b.opened.finditer(text, max(0, pos - 1))]
    if pos == 0 and b.opener.match(text) is not None:
        starts.insert(0, 0)
    return starts


def _line_matches(text: str, b: _Boilerplate) -> list[tuple[int, int]]:
    """The spans `b.rx.finditer(text)` finds, for a `line` pattern whose needles stand on the first
    line of every match (boilerplate.tsv): a match starts at a line start (its `^`), so only the
    starts of lines holding a needle are tried, in order, each past the previous match's end."""
    starts = set()
    for needle in b.needles:
        i = text.find(needle)
        while i >= 0:
            starts.add(text.rfind("\n", 0, i) + 1)
            i = text.find(needle, i + 1)
    return _spans_from(text, b.rx, starts)


def _anchored_matches(text: str, b: _Boilerplate) -> list[tuple[int, int]]:
    """The spans `b.rx.finditer(text)` finds, for a pattern whose anchor captures a group `start`
    where every match of the pattern starts (boilerplate.tsv): the anchor leads with a literal,
    which the `regex` module finds fast, and reads the match's opening backwards from it with a
    look-behind; the pattern itself, led by a look-behind and an alternation of words, was tried
    at every position of every text holding the anchor. Anchor matches never overlap the next
    match's anchor (the anchor holds one literal "năm" …), so `finditer` sees every one."""
    return _spans_from(text, b.rx, {m.start("start") for m in b.anchor.finditer(text)})


def _spans_from(text: str, rx: regex.Pattern, starts: set[int]) -> list[tuple[int, int]]:
    """`rx` matched at each start in order, each past the previous match's end: the spans of
    `rx.finditer(text)` when every match starts at one of `starts` (a match at a start is the one
    `finditer` finds there; look-behinds and `^` see the text before it). No boilerplate pattern
    matches the empty string."""
    spans, pos = [], 0
    for s in sorted(starts):
        if s < pos:
            continue
        m = rx.match(text, s)
        if m is not None:
            spans.append(m.span())
            pos = max(m.end(), s + 1)
    return spans


def normalize_text(text: str, strip_boilerplate: bool = True) -> tuple[str, int]:
    """Raw text → canonical text (see module docstring). Returns (text, boilerplate chars removed)."""
    scan = _scan(text)
    nfc = _nfc(text, scan[1])
    if nfc is not text:  # (normalize returns the text itself when it is NFC)
        text, scan = nfc, None
    if "\r" in text:  # (a scan for one character is far cheaper than two replace passes)
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # (no block listed changes)
    text, lookalikes = _fold_special(text, scan)
    if lookalikes:
        text = _fix_symbol_lookalikes(text, lookalikes)
    text = _join_broken_symbols(text)
    removed = 0
    if strip_boilerplate:
        text, removed = remove_boilerplate(text)
    return text, removed


# A document number broken at the end of a line after its hyphen ("Công văn 1676/SNV-" / "TCBC nêu
# trên", "126/2024/NĐ-" / "CP thì"): the two halves are one symbol. Only an upper-case run follows.
_BROKEN_SYMBOL = regex.compile(r"(?<=\d/(?:\d{4}/)?[\p{Lu}\d]{1,12})-\n(?=\p{Lu}[\p{Lu}\d]{0,11}(?![\p{Ll}]))")


@cache
def _footnote_re() -> regex.Pattern:
    r"""A footnote mark glued to a normative number ("Nghị định số 126/2024/NĐ-CP1, Sở …"): the
    digits after a known central agency abbreviation that never takes digits are not the symbol's.

    Group 1 is the number, kept; the digits after it are dropped. The number is matched forwards
    rather than as a look-behind before the digits: a leading look-behind is tried at every
    position of the text (a fifth of normalisation), a leading `\d/` only where a number starts.
    The matches are the same: the digits removed are followed by punctuation or a space, which no
    number holds, so one match's number never overlaps the previous match."""
    return regex.compile(r"(\d/\d{4}/[\p{Lu}Đ]{1,8}-(?:" + "|".join(map(regex.escape, _footnote_abbrs())) + r"))\d{1,2}(?=[,.;:)]|\s)")


@cache
def _footnote_abbrs() -> tuple[str, ...]:
    """The central agency abbreviations that never take digits, longest first."""
    return tuple(sorted({a.abbr for a in rules.agencies() if a.level == "central" and a.abbr and not a.abbr[-1].isdigit()}
                        | {"CP", "TTg"}, key=len, reverse=True))


@cache
def _footnote_hint() -> re.Pattern:
    """What every `_footnote_re` match holds: "-", an abbreviation, a digit (`re`: literals and a
    digit class, which mean the same to both modules; led by the literal "-", which `re` scans for
    fast). Three texts in a thousand hold a footnote mark; the hint rules out nearly all others."""
    return re.compile("-(?:" + "|".join(map(re.escape, _footnote_abbrs())) + r")\d")


def _join_broken_symbols(text: str) -> str:
    """Broken symbols joined and glued footnote marks dropped (`_BROKEN_SYMBOL`, `_footnote_re`).

    Each is tried only where what every match holds is: a "-\n", or "-" + an agency abbreviation
    + a digit (`_footnote_hint`). One `re` scan lists both (`_break_or_hint`: led by the literal
    "-", which `re` finds faster than `str.find` a two-character needle, and than the `regex`
    patterns' own scan of every position). The footnote substitution runs when the text holds a
    hint, or when joining made one: a hint the text did not hold spans a joined line break, so it
    is looked for only around each (`_hint_reach`)."""
    breaks, hinted = [], False
    for m in _break_or_hint().finditer(text):
        if m.group().endswith("\n"):
            breaks.append(m.start())
        else:
            hinted = True
    if breaks:
        text, joined = _join_at(text, breaks)
        if not hinted and joined:
            reach, hint = _hint_reach(), _footnote_hint()
            hinted = any(hint.search(text, max(0, j - reach), j + reach + 2) for j in joined)
    return _footnote_re().sub(r"\1", text) if hinted else text


def _join_at(text: str, breaks: list[int]) -> tuple[str, list[int]]:
    """`_BROKEN_SYMBOL.sub("-", text)` when `breaks` are the places of the text's "-\n" (the only
    places a match can be: every match is a "-\n" between two look-arounds, which read the
    unchanged text, as `sub` reads them), and where the kept hyphens stand in the joined text."""
    out, pos, joined = [], 0, []
    for i in breaks:
        if _BROKEN_SYMBOL.match(text, i) is not None:
            out.append(text[pos:i + 1])  # the hyphen kept, the line break dropped
            joined.append(i - len(joined))
            pos = i + 2
    if not out:
        return text, joined
    out.append(text[pos:])
    return "".join(out), joined


@cache
def _break_or_hint() -> re.Pattern:
    """A "-\n" or a `_footnote_hint`, in one scan (both lead with the literal "-"). No match hides
    another's start: a hint holds no line break and ends with a digit, a "-\n" ends with the break.
    The abbreviations are grouped by their first letter ("B(?:TC|NNPTNT|…)"): each of the many "-"
    of a text tries one branch a letter, not one an abbreviation (the same places match: the scan
    is used for where its matches start, which "-\n" there are, and whether a hint is there)."""
    families: dict[str, list[str]] = {}
    for a in _footnote_abbrs():
        families.setdefault(a[0], []).append(a[1:])
    alternation = "|".join(re.escape(first) + "(?:" + "|".join(map(re.escape, rests)) + ")"
                           for first, rests in families.items())
    return re.compile("-(?:\n|(?:" + alternation + r")\d)")


@cache
def _hint_reach() -> int:
    """A hint is at most this long less one ("-", the longest abbreviation, a digit): one that spans
    the hyphen kept at j and the character after it lies within [j - reach, j + reach + 2)."""
    return 1 + max(map(len, _footnote_abbrs()))


_HYPHEN_BREAK = re.compile("-\n")


def _join_broken_lines(text: str, first: int = 0) -> str:
    """`_BROKEN_SYMBOL.sub("-", text)`, tried only at the "-\n" from `first` on (`_join_at`)."""
    return _join_at(text, [m.start() for m in _HYPHEN_BREAK.finditer(text, first)])[0]


@cache
def _tone_re() -> tuple[regex.Pattern, dict[str, str]]:
    mapping: dict[str, str] = {}
    for old, new in rules.tone_variants():
        mapping[old] = new
        mapping[old.upper()] = new.upper()
        mapping[old[0].upper() + old[1:]] = new[0].upper() + new[1:]
    # only at the end of a syllable: "hoà" → "hòa" but "hoàn" (tone on a, correct) untouched
    alternatives = "|".join(sorted(map(regex.escape, mapping), key=len, reverse=True))
    return regex.compile(rf"(?:{alternatives})(?!\p{{L}})"), mapping


def canonical_tone(s: str) -> str:
    """Old-style tone placement → modern ("Uỷ ban" → "Ủy ban", "hoà" → "hòa").

    The old forms are two letters replaced where no letter follows (`_tone_re`). They are found by
    `_tone_hint` (`re`, a class for each letter: several times faster than the `regex`
    alternation) and replaced by hand, so a string without one, or whose pairs all stand inside a
    word ("hoạch", "toàn", "khoản"), is returned after one search. The same replacements: no
    second letter of a pair is a first letter, so the search's matches never hide a pair, and a
    letter is what `\\p{L}` of `regex` matches (`str.isalpha` says yes to none it does not, and
    `regex`'s newer tables hold letters `str.isalpha` does not know: those are asked of `regex`):
    tests/test_perf_small_round4.py."""
    hint = _tone_hint()
    rx, mapping = _tone_re()
    if hint is None:
        return rx.sub(lambda m: mapping[m.group(0)], s)
    first = hint.search(s)  # (most strings hold no pair: one search, no iterator, is cheaper)
    if first is None:
        return s
    out, pos = None, 0
    for m in hint.finditer(s, first.start()):  # (the matches of `finditer(s)`: two classes, no look-around)
        end = m.end()
        if end < len(s) and (s[end].isalpha() or _A_LETTER.match(s, end) is not None):
            continue
        got = mapping.get(m.group())
        if got is None:
            continue
        if out is None:
            out = []
        out.append(s[pos:m.start()])
        out.append(got)
        pos = end
    if out is None:
        return s
    out.append(s[pos:])
    return "".join(out)


_A_LETTER = regex.compile(r"\p{L}")


@cache
def _tone_hint() -> re.Pattern | None:
    """What every old form holds: its first letter, then its second (`re`: two classes of literal
    characters, which mean the same to both modules); None when an old form is not two letters."""
    _, mapping = _tone_re()
    if any(len(k) != 2 for k in mapping):
        return None
    firsts, seconds = ({k[i] for k in mapping} for i in (0, 1))
    return re.compile("[" + "".join(map(re.escape, sorted(firsts))) + "][" + "".join(map(re.escape, sorted(seconds))) + "]")


_SPACES = regex.compile(r"\s+")


def one_space(s: str) -> str:
    """`regex.compile(r"\\s+").sub(" ", s)`: every run of white space one space. A printable string
    without two spaces in a row is returned as it is: every `\\s` of `regex` but the space is a
    character `isprintable` rejects (tests/test_perf_clean.py), so each of its runs is one space
    already. (On the short names it is asked about, the substitution cost fifteen times the test.)"""
    return s if s.isprintable() and "  " not in s else _SPACES.sub(" ", s)


@lru_cache(maxsize=65536)
def fold(s: str | None) -> str:
    """Comparison key: NFC, modern tone placement, case-folded, single spaces, no trailing dots.

    Each step is skipped where it cannot change the string (on ten thousand short strings a pass,
    the calls cost more than the work): the `everywhere` table only when a character of it is there
    (`str.translate` looks every character up in a dict), the space runs only where there can be one
    that is not a single space (`one_space`)."""
    if not s:
        return ""
    s = unicodedata.normalize("NFC", s)
    if _everywhere_re().search(s) is not None:
        s = s.translate(_everywhere_table())
    return one_space(canonical_tone(s).casefold()).strip(" .,;:")


def strip_accents(s: str) -> str:
    """ASCII-ish key for fuzzy lookups ("Lâm Đồng" → "lam dong")."""
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in s if unicodedata.category(c) != "Mn").casefold()
