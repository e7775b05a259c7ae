"""The task reader's shortcuts of this round answer what the plain searches answer (issue 12).

`_later_ask` finds the first ask word with one `re` alternation of the literals (leftmost start, as
the least of six `find`s); `_not_task`, `_not_task_item` and `_composition_head` are remembered per string (a heading line
is asked twice), the remembered answer being the function's own.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import tasks as T

_PIECES = ["giao", "Giao", "GIAO", "gia", "o", "đề nghị", "Đề nghị", "đề", " nghị", "yêu cầu", "Yêu cầu", "yêu", " cầu",
           " ", "\n", ",", "x", "Sở", "İ", "Ngoại giao", "đã ", "nhận được", "kính mời", "Thống nhất", ": Ông A",
           "thông báo để", " biết", "đang ", "Chủ tịch"]


def _texts(max_size=14):
    return st.lists(st.sampled_from(_PIECES), max_size=max_size).map("".join)


@settings(max_examples=1500, deadline=None)
@given(_texts())
def test_first_ask_word_by_one_alternation_is_the_least_find(body):
    plain = min((i for i in map(body.find, T._ASK_WORDS) if i >= 0), default=-1)
    m = T._ASK_WORD.search(body)
    assert (m.start() if m else -1) == plain


@settings(max_examples=800, deadline=None)
@given(_texts())
def test_remembered_not_task_answers_are_the_functions_own(t):
    for fn in (T._not_task, T._not_task_item, T._composition_head):
        assert fn(t) == fn.__wrapped__(t)
        assert fn(t) == fn.__wrapped__(t)  # (remembered)
    assert T._not_task(t) == any(w in t.lower() for w in T._NOT_TASK_WORDS)
    assert T._not_task_item(t) == (T._NOT_TASK_ITEM.search(t) is not None)
