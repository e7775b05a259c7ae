"""The signature triggers' openings compiled with `re` find every start `regex` found.

`signature._trigger_openings` compiles the prefix words' openings with `re` (a faster search for a
one-letter literal): the same literals, and a `\\s` that holds every `\\s` of `regex`, so the starts
are the same or more, and `_TRIGGER` matched at them gives its `finditer`.
"""
from __future__ import annotations

import re

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import signature
from pipeline.extract.regexes import iter_from_openings


def test_re_spaces_hold_every_regex_space():
    for cp in range(0x110000):
        c = chr(cp)
        if regex.match(r"\s", c):
            assert re.match(r"\s", c), hex(cp)


_PIECES = ["TM", "KT", "Q", "TL", "TUQ", "T/M", "K/T", "T.M", "K.T", ".", " ", "\t", "\n", "\x1c", "\x1f", "\x85", "\u2028",
           "\u00a0", "\u3000", "Nơi", "nhận", "Nơi  nhận", "UBND", "xTM", "a", "Đ", "CHỦ TỊCH", "theo", "ĐQ", ":", "T", "K"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=16).map("".join))
def test_trigger_openings_give_the_finditer(text):
    got = iter_from_openings(signature._TRIGGER, text, signature._TRIGGER_OPENINGS)
    assert [m.span() for m in got] == [m.span() for m in signature._TRIGGER.finditer(text)]
    plain = [regex.compile(o.pattern) for o in signature._TRIGGER_OPENINGS]
    assert {m.start() for o in plain for m in o.finditer(text)} <= {
        m.start() for o in signature._TRIGGER_OPENINGS for m in o.finditer(text)}
