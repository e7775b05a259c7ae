"""Assigned tasks: who must do what, with whom, by when, and what must be sent back to whom.

Why: an auditor's first question about a directive is who was ordered to do what by when, and
whether the report it asked for came back. The grammar of assignment in administrative documents is
regular (Nghị định 30/2020 thể thức, and the clerks' habits), so rules read it.

Forms handled (each a branch of `find_tasks`):
  Form 1, giao:             "Giao Sở Y tế chủ trì, phối hợp với Sở Tài chính … hướng dẫn …"
  Form 2, đề nghị / yêu cầu: "Đề nghị Ủy ban MTTQ Việt Nam tỉnh … phối hợp tuyên truyền …",
                             "Yêu cầu Sở Xây dựng, các sở, ngành và UBND các xã liên quan xác định …"
  Form 3, subject + verb:   "Sở Tài chính, Sở Kế hoạch và Đầu tư phối hợp với Sở Y tế hoàn thiện …",
                             "UBND các huyện, thị xã, thành phố có trách nhiệm xây dựng kế hoạch …"
  Form 4, agency heading:   "1. Sở Y tế" / "b) Giao Sở Nội vụ:" / "2. UBND các huyện:" followed by a
                             paragraph or "-" items: the heading is the assignee of the items under it
  Form 5, công văn items:   "Chủ tịch UBND tỉnh yêu cầu:" + items that name nobody → each recipient of
                             "Kính gửi"; a lead-in that names the doers ("đề nghị các đơn vị …:") → that
                             phrase, one collective assignee
  Form 6, split clauses:    an item whose ";" clauses carry different time phrases gives one task each
  Form 7, later subject:    "4. UBND huyện A ban hành … . UBND các huyện báo cáo …": each subject its task
  Form 8, schedule table:   "Nội dung | Trách nhiệm thực hiện | Thời gian": each row a task of its cell
  Form 9, executor block:   items closed by "- Cơ quan thực hiện: X chủ trì, phối hợp với Y; Z", "- Đơn
                             vị phối hợp: …", "- Thời gian thực hiện: …": each item since the previous
                             block is X's task (`_executor_blocks`)
  Form 10, heading leads:   "a) Sở Tài chính chủ trì, phối hợp các sở, ban, ngành" and "c) Bộ Chỉ huy
                             quân sự tỉnh chỉ đạo … và đề nghị Bộ Tư lệnh Vùng Cảnh sát biển 3" (no
                             action) head the items below them
  Form 11, ask after topic: "a) Việc điều chỉnh chủ trương đầu tư: Đề nghị Nhà đầu tư hoàn thiện …",
                             "5. Bộ Y tế đề nghị BHXH Việt Nam chỉ đạo …" (any body's "đề nghị/giao X")
  Form 12, list time:       "I. NHỮNG NHIỆM VỤ CẦN TRIỂN KHAI NGAY TRONG THÁNG 12/2025": the heading's
                             time is the deadline of the items under it that have none of their own
A lead-in of a letter ("Chủ tịch UBND tỉnh yêu cầu:") covers the whole outline under it: the body
paragraph of a heading ("3. Sở Tư pháp" / "Tập trung thực hiện …") does not end it, and a heading
over items ("I. NHỮNG NHIỆM VỤ …", "1. Nhiệm vụ, giải pháp chung") is no item. Form 7 also splits at
";" and after "Đồng thời," / "Riêng" / "từ ngày …," ("…; Thủ trưởng các cơ quan, đơn vị chỉ đạo …").
Not tasks: "… chịu trách nhiệm thi hành Quyết định này", "nếu có khó khăn, vướng mắc … báo cáo",
"Kính trình", invitations, past results, approvals and facts ("Thống nhất …", "Đại hội đã biểu quyết
…", "Chủ tịch Hội: Ông …", "thông báo để … biết"), reported news ("… đưa tin"), and a "đề nghị"
addressed to a body above the issuer (a commune's plan asking a Sở: `_upward`), the preamble
("Theo đề nghị của … tại Tờ trình …"), the issuer's guidance ("Bộ Y tế hướng dẫn thực hiện … như
sau:"), a heading that tells what a body did ("Phòng … đã phối hợp …, trong đó:"), a copula ("Hội …
(mới) là tổ chức xã hội - nghề nghiệp …"), an entitlement ("Mỗi cơ quan … được đề xuất 01 tập thể"),
the parts headed Mục đích / Yêu cầu / Phạm vi / Đối tượng / Mục tiêu / Chỉ tiêu / Nguyên tắc / Kinh
phí and the items of an article that approves, publishes or permits ("Điều 1. Phê duyệt danh mục …:"),
and a closing exhortation after the tasks ("Đề nghị các cơ quan … quan tâm thực hiện./.").
Names: abbreviations of rules/tasks_names.tsv are expanded (BHXH, KCB, VCCI …) and a known name
written with other punctuation is respelt ("Sở Văn hóa Thể thao Du lịch" → "Sở Văn hóa, Thể thao
và Du lịch"); a short parenthesis stays in the name ("(cũ)", "(trước sắp xếp)"); a bare head noun
after the full name ("giao Trung tâm chủ trì …") takes the full name (`_resolve_short_names`); a
level closing a list reaches the mass organisations before it ("Ủy ban MTTQ Việt Nam và các tổ chức
chính trị - xã hội tỉnh" → "… Việt Nam tỉnh").

Speed: most lines cannot assign work, so every per-line test is guarded by a plain substring or
first-character check before its regex, rows of tables that are not task schedules are dropped
first, the heading in force is recomputed only when the outline stack changes (the section path
only when a line may give work), and the closing provisions of a decree and the end of a letter
are found with `str.rfind` / literal searches instead of multi-line regex scans. The cue words are
found once per document, case-insensitively in the text itself (`_lines` gives each line its `cue`
flag); the not-task words, the deadline and recurrence keywords and the words of a composition
heading or a lead-in are plain substring tests on the lower-cased clause before any case-insensitive
regex, each word's search behind a search for one rarer letter of it (`_any_of`: one character is
found many times faster than a word); names met again (`split_agencies`, `normalise_assignee`,
`_kind`, `_level`, `_subject`) come from a cache. The ~200 verbs that end a name are looked up by the
clause's words (`_StopWords`, same matches as the alternation), the ~100 head words by the text's
first word (`_head`), each branch of a joined regex runs behind its own literal pre-check
(`_not_task_item`, `_maybe_annex`, `_PAST`, `_may_open_marker`, `_INNER_ASK`), the end of a subject
is tried only at its signs (`_subject_end`), no pattern is built at run time, a run of "|" rows
without a cue or a column name is passed over at once, the executor blocks are looked for at the
lines `_read_lines` saw open with "C" or "Đ" only, and a plain paragraph line while nothing is open,
and a line of the recipients list, take fast paths in `find_tasks`. tests/test_perf_tasks*.py
compare each shortcut with the plain search.

Deadlines (`deadline_of`): "trước ngày 3/7/2024", "trước 16 giờ ngày 5/8/2024", "trước ngày 15/12"
(the document's year), "trước ngày 25 tháng 7 năm 2024", "trong tháng 6/2024" (its last day),
"trong quý II/2024" (its last day), "tại kỳ họp tháng 7 năm 2024", "chậm nhất … ngày …", "từ … đến
hết ngày …"; relative ("trong 15 ngày kể từ …") and recurring ones ("trước ngày 15 hằng tháng") keep
the text and no date. Recurrence: hằng tuần / tháng / quý / năm, định kỳ 6 tháng.
"""
from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from itertools import islice
import datetime as dt
from dataclasses import dataclass
from functools import cache, lru_cache

import regex

from .. import rules
from ..models import Task
from ..text.clean import fold, one_space
from .agencies import expand_abbreviations

# -- compiled once ---------------------------------------------------------------------------
@cache
def _rx(pattern: str, flags: int = 0) -> regex.Pattern:
    return regex.compile(pattern, flags)


class _R:
    """regex's module functions over patterns compiled once (the module's own cache costs more)."""

    @staticmethod
    def search(p, s, flags=0):
        return _rx(p, flags).search(s)

    @staticmethod
    def match(p, s, flags=0):
        return _rx(p, flags).match(s)

    @staticmethod
    def fullmatch(p, s, flags=0):
        return _rx(p, flags).fullmatch(s)

    @staticmethod
    def sub(p, repl, s, count=0, flags=0):
        return _rx(p, flags).sub(repl, s, count)

    @staticmethod
    def split(p, s, maxsplit=0, flags=0):
        return _rx(p, flags).split(s, maxsplit)

    @staticmethod
    def finditer(p, s, flags=0):
        return _rx(p, flags).finditer(s)


# -- outline ---------------------------------------------------------------------------------
_ROMAN = r"(?:I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII)"
_MARKER = regex.compile(
    rf"^[ \t]*(?:(?P<roman>{_ROMAN})[.\s]\s*|(?P<num>\d{{1,2}}(?:\.\d{{1,2}}){{0,3}})(?:[.)]\s*|\s+(?=\p{{Lu}}))"
    rf"|(?P<letter>[a-zđ])\)\s*|\((?P<paren>\d{{1,2}})\)\s*|(?P<dieu>Điều\s+\d+)[.:]\s*|(?P<bullet>[-–•+*])\s*)")
_HEAD_WORDS = (
    r"Ủy ban nhân dân|Uỷ ban nhân dân|UBND|Hội đồng nhân dân|HĐND|Sở|Phòng|Công an|Ban|Văn phòng|Trung tâm|"
    r"Bộ Chỉ huy|Bộ|Cục|Chi cục|Tổng cục|Bảo hiểm xã hội|BHXH|Kho bạc|Thanh tra|Đài|Báo|Ủy ban|Uỷ ban|"
    r"Mặt trận|Hội|Liên đoàn|Tỉnh đoàn|Đoàn|Quỹ|Ngân hàng|Viện|Tòa án|Bệnh viện|Trường|Các|các|"
    r"Chủ tịch|Phó Chủ tịch|Thủ trưởng|Giám đốc|Phó Giám đốc|Tổng Giám đốc|Trưởng ban|Trưởng Ban|Phó Trưởng ban|Chủ nhiệm|Trưởng phòng|Chánh Văn phòng|Lãnh đạo|Tổ công tác|"
    r"Tổ|Trạm|Đảng ủy|Tỉnh ủy|Huyện ủy|Thành ủy|Cơ quan|Doanh nghiệp|Nhà đầu tư|Cục Thuế|Chi nhánh|Công ty|Tập đoàn|"
    r"Kiểm toán|Viện kiểm sát|Đài Phát thanh|Cảnh sát|Bộ đội|Hải quan|Điện lực|Hạt|Vườn quốc gia|Đại học|"
    r"Cổng|Ủy ban Mặt trận|UBMTTQ|MTTQ|Người đứng đầu|Công chức|Cán bộ|Thường trực|Đảng đoàn|Đại biểu|đại biểu|"
    r"Hiệp hội|Tổng Liên đoàn|Liên hiệp|Tổng công ty|Hợp tác xã|Tạp chí|Trưởng|Mỗi|mỗi"
)
_HEAD = regex.compile(rf"^(?:{_HEAD_WORDS})(?!\p{{L}})")
_HEAD_FIRST = frozenset(w[0] for w in _HEAD_WORDS.split("|"))
# the first two characters of the head words (each has two or more): a text opening with other two
# cannot open with a head word, and most lines are told so by one set look-up
_HEAD_PREFIXES = frozenset(w[:2] for w in _HEAD_WORDS.split("|"))
_LEAD_LETTERS = regex.compile(r"\p{L}+")
_LETTER = regex.compile(r"\p{L}")


def _head_index(words: str) -> dict[str, tuple[bool, tuple[str, ...]]] | None:
    """`_HEAD_WORDS` by first word: (the word is a head word by itself, the longer head words that
    open with it). None when a head word is not plain words of letters (then `_head` is the regex)."""
    out: dict[str, tuple[bool, tuple[str, ...]]] = {}
    for w in words.split("|"):
        if not regex.fullmatch(r"\p{L}+(?: \p{L}+)*", w):
            return None
        first = w.split(" ", 1)[0]
        alone, longer = out.get(first, (False, ()))
        out[first] = (True, longer) if w == first else (alone, longer + (w,))
    return out


_HEAD_INDEX = _head_index(_HEAD_WORDS)


def _head(t: str) -> bool:
    """`_HEAD.match(t)` as a truth value, by a dictionary look-up of the text's first word (the
    alternation of ~100 head words cost 1.5 µs a call, and it is asked of most lines). A head word
    is followed by a non-letter, so the text's run of leading letters is exactly the head word's
    first word; a one-word head word then matches at once, a longer one needs its following words
    and a non-letter after them."""
    if _HEAD_INDEX is None:
        return _HEAD.match(t) is not None
    if t[:2] not in _HEAD_PREFIXES:
        return False
    word = t.partition(" ")[0]
    entry = _HEAD_INDEX.get(word)
    if entry is None:
        if word.isalpha():
            return False  # the run of leading letters is that word (every `isalpha` letter is \p{L})
        m = _LEAD_LETTERS.match(t)
        entry = _HEAD_INDEX.get(m.group()) if m is not None else None
        if entry is None:
            return False
    if entry[0]:
        return True
    for w in entry[1]:
        if t.startswith(w) and _LETTER.match(t, len(w)) is None:
            return True
    return False
# words that end an agency name and start the action
_STOP = (r"chủ trì|phối hợp|phối với|có trách nhiệm|chịu trách nhiệm|tham mưu|khẩn trương|(?<!các\s)(?<!những\s)(?<!Các\s)tổ chức(?!\s+(?:chính trị|xã hội|đoàn thể|hội(?!\s+(?:nghị|thảo|thi|chợ|diễn|trại))|tín dụng|đảng|cơ sở đảng|kinh tế|quốc tế|phi chính phủ|có liên quan|liên quan|cá nhân)(?!\p{L})|\s*,\s*cá nhân)|thực hiện|"
         r"triển khai|rà soát|(?<!đầu tư\s)xây dựng|hướng dẫn|chỉ đạo|báo cáo|theo dõi|căn cứ|nghiên cứu|đôn đốc|kiểm tra|"
         r"tăng cường|bố trí|tiếp tục|ban hành|đẩy nhanh|tập trung|chủ động|quan tâm|cung cấp|gửi|lập|"
         r"hoàn thành|hoàn thiện|thẩm định|trình|tuyên truyền|phổ biến|nắm|giám sát|đề xuất|tiếp nhận|"
         r"có ý kiến|cử|thông báo|giải quyết|xử lý|phân công|bảo đảm|đảm bảo|duy trì|tạo điều kiện|vận động|"
         r"cập nhật|công khai|thống kê|tổng hợp|làm việc|tham gia|theo chức năng|căn cứ chức năng|"
         r"trong phạm vi|nghiêm túc|kịp thời|thường xuyên|sớm|cần|phải|được giao|có văn bản|tiếp thu|"
         r"xem xét|lựa chọn|phân bổ|sử dụng|thành lập|chuẩn bị|ưu tiên|rút kinh nghiệm|đánh giá|"
         r"tiến hành|cân đối|làm chủ đầu tư|lãnh đạo|khắc phục|hỗ trợ|rà soát|tiếp tục|(?<!Ngoại\s)giao|đề nghị|yêu cầu|"
         r"nhận được|ghi nhận|thống nhất|cho phép|chỉ định|phê bình|biểu dương|là cơ quan|gồm có|gồm|"
         r"tập huấn|ứng dụng|đẩy mạnh|vận hành|thu thập|đăng ký|kết nối|nâng cao|mở|dừng|tạm dừng|"
         r"không được|không để|nghiêm cấm|chấn chỉnh|tuyển|điều động|chấp hành|thu hồi|"
         r"định kỳ|hằng tháng|hằng năm|trước ngày|trong tháng|trong quý|ngay|phấn đấu|cam kết|"
         r"(?<!Ban\s)(?<!ban\s)quản lý|đối chiếu|kiểm soát|thanh tra|hành động|sẽ|đã|có nhiệm vụ|có giải pháp|giải đáp|tháo gỡ|"
         r"đưa|phát huy|định hướng|huy động|xác định|phát hiện|đấu tranh|ngăn chặn|trao đổi|chia sẻ|lồng ghép|"
         r"quán triệt|bàn giao|treo|điều chỉnh|sửa đổi|bổ sung|khảo sát|thẩm tra|phê duyệt|tăng|giảm|"
         r"thu hút|khuyến khích|mời|tiếp tục|nắm chắc|rà soát|tổng kết|sơ kết|làm rõ|hoàn tất|ký|"
         r"phát động|chăm lo|bảo vệ|thúc đẩy|cấp phát|cấp thẻ|cấp giấy|(?<!đầu tư\s)xây|sửa chữa|niêm yết|đăng tải|"
         r"tham dự|dự(?!\s+(?:án|toán|thảo|kiến|báo|trữ|phòng))|tiếp|chuyển|nộp|lấy ý kiến|góp ý|trả lời|công bố|áp dụng|nâng cấp|tránh|kiện toàn|củng cố|"
         r"trực tiếp|kính trình|kính gửi|kính đề nghị|kính báo cáo|kính mời|biểu quyết|thảo luận")
# case matters: a verb in running text is lower case, a name is Title Case ("Bộ Xây dựng" vs "xây dựng")
# "các cơ quan, đơn vị được kiểm tra": a verb after "được" qualifies the name, it does not end it
_STOP_RE_PLAIN = regex.compile(rf"(?<!\p{{L}})(?<!được\s)(?:{_STOP})(?!\p{{L}})")


def _top_alternatives(pattern: str) -> list[str]:
    """The top-level branches of an alternation (a "|" inside a group or a class is not a branch)."""
    out, depth, cur, i = [], 0, [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            cur.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[":
            j = pattern.index("]", i + 1)
            cur.append(pattern[i:j + 1])
            i = j + 1
            continue
        depth += c == "("
        depth -= c == ")"
        if c == "|" and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    out.append("".join(cur))
    return out


class _StopWords:
    """`_STOP_RE_PLAIN` with the same matches (start, end, text), found about three times faster.

    Why: the alternation of ~200 verbs is tried at every position of a clause (12 µs a line), and it
    is searched in every subject, partner and heading. Every branch opens with a lower-case word
    followed by a space or by the branch's end, so a match can only start at a word that is the
    first word of some branch: the words of the text are listed by one cheap regex, and at each
    word that opens a branch only the branches of that word are tried, in their original order
    (two branches that match at one position share their first word, so the order among them is
    all that decides which one matches, as in the full alternation). If an edit of `_STOP` breaks
    that shape, the plain regex is used instead."""

    _WORD = regex.compile(r"(?<!\p{L})\p{L}+")

    def __init__(self, stop: str):
        groups: dict[str, list[str]] = {}
        ok = True
        for alt in _top_alternatives(stop):
            core = regex.sub(r"^(?:\(\?<![^()]*\))+", "", alt)  # the branch's own lookbehinds stay in it
            m = regex.match(r"(\p{Ll}+)(?: |$|\(\?[!=])", core)  # (a look-ahead may follow the word: "dự(?!\s+án)")
            if not m:
                ok = False
                break
            groups.setdefault(m.group(1), []).append(alt)
        self.by_word = {w: regex.compile(r"(?<!được\s)(?:" + "|".join(alts) + r")(?!\p{L})") for w, alts in groups.items()} if ok else None

    def search(self, s: str, pos: int = 0, endpos: int | None = None):
        if self.by_word is None:
            return _STOP_RE_PLAIN.search(s, pos, len(s) if endpos is None else endpos)
        if endpos is None:
            endpos = len(s)
        get = self.by_word.get
        for w in self._WORD.finditer(s, pos, endpos):
            rx = get(w.group())
            if rx is not None:
                m = rx.match(s, w.start(), endpos)
                if m is not None:
                    return m
        return None

    def match(self, s: str):
        """A verb at the very start of `s` (`_STOP_RE_PLAIN.match`)."""
        if self.by_word is None:
            return _STOP_RE_PLAIN.match(s)
        w = self._WORD.match(s)
        rx = self.by_word.get(w.group()) if w is not None else None
        return rx.match(s) if rx is not None else None

    def head(self, s: str) -> str:
        """The text before the first verb (`_STOP_RE_PLAIN.split(s)[0]`)."""
        m = self.search(s)
        return s[: m.start()] if m else s


_STOP_RE = _StopWords(_STOP)
_VERB_FIRST = regex.compile(rf"^(?!(?:Thanh tra|Kiểm toán)\s+(?:tỉnh|huyện|thành phố|Chính phủ|Nhà nước|Bộ|Sở|các)(?!\p{{L}}))"
                            rf"(?:{_STOP}|trường hợp|trong trường hợp)(?!\p{{L}})", regex.IGNORECASE)


def _first_words(pattern: str) -> frozenset[str] | None:
    """The first words of the branches of an alternation of verbs (each opens with a lower-case
    word followed by a space, a look-ahead or the branch's end, after its own lookbehinds); None
    when one does not."""
    out = set()
    for alt in _top_alternatives(pattern):
        m = regex.match(r"(\p{Ll}+)(?: |$|\(\?[!=])", regex.sub(r"^(?:\(\?<![^()]*\))+", "", alt))
        if not m:
            return None
        out.add(m.group(1))
    return frozenset(out)


_VERB_FIRST_WORDS = _first_words(_STOP + "|trường hợp|trong trường hợp")
# the characters `regex.IGNORECASE` matches with a letter of those words that do not lower-case to
# it (tests/test_perf_tasks_round3.py finds them among every code point)
_CASE_ODD = frozenset("İſ")


def _verb_first(t: str) -> bool:
    """`_VERB_FIRST.match(t)` as a truth value, its alternation of ~200 verbs tried only when the
    text's leading run of letters, lower-cased, is the first word of one of its branches (it is
    asked of every clause that opens with an agency word, and most open with a name, not a verb).
    A match reads its branch's first word case-insensitively, each character a letter that
    lower-cases to the word's (but those of `_CASE_ODD`), then a space or a non-letter: that word
    is the text's run of leading letters."""
    if _VERB_FIRST_WORDS is None:
        return _VERB_FIRST.match(t) is not None
    m = _LEAD_LETTERS.match(t)
    if m is None:
        return False
    w = m.group()
    if w.lower() not in _VERB_FIRST_WORDS and _CASE_ODD.isdisjoint(w):
        return False
    return _VERB_FIRST.match(t) is not None


_GIAO = regex.compile(r"^(?:Giao|giao|Đề nghị|đề nghị|Yêu cầu|yêu cầu)\s+(?P<rest>.+)$", regex.S)
_NOT_TASK_WORDS = (
    "nhận được", "đã nhận", "ghi nhận", "biểu dương", "gồm có", "là cơ quan thường trực", "chịu trách nhiệm thi hành",
    "thi hành quyết định này", "thi hành nghị quyết này", "thi hành chỉ thị này", "nếu có khó khăn", "có vướng mắc",
    "kính trình", "kính mời", "trân trọng", "xin ý kiến", "để biết", "đã ban hành", "đã tổ chức", "đã thực hiện",
    "đã triển khai", "chịu trách nhiệm trước pháp luật", "đưa tin", "cho biết")


def _anchor_groups(words: tuple[str, ...], anchors: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`words` grouped under the first of `anchors` each holds (a word with none is its own anchor):
    a word can be in a text only if its anchor is, so one test rules out its whole group."""
    groups: dict[str, list[str]] = {}
    for w in words:
        groups.setdefault(next((a for a in anchors if a in w), w), []).append(w)
    return tuple((a, tuple(ws)) for a, ws in groups.items())


def _guard_letter(w: str) -> str | None:
    """The letter of `w` least likely in a text: one with a tone mark of Latin Extended Additional
    ("ậ", "ể", "ờ"), else an accented letter of Latin-1 ("ã", "ó"), else another non-ASCII letter
    ("đ", "ư"); None for a word of ASCII letters."""
    def rank(c: str) -> int:
        o = ord(c)
        return 0 if 0x1EA0 <= o <= 0x1EFF else 1 if 0xC0 <= o <= 0xFF else 2 if o > 127 else 3
    c = min(w, key=rank)
    return c if rank(c) < 3 else None


def _any_of(words: tuple[str, ...]):
    """`lambda s: any(w in s for w in words)`, each word's search behind a search for its
    `_guard_letter`: a search for one character is a fast scan, a search for a word costs a setup
    and a slower scan, and most lines lack most of the words' rarer letters (the 13 not-task
    anchors cost 2 µs a line searched as words). Written out as one expression, compiled once from
    the words (a loop over them cost as much as the plain searches)."""
    terms = [f"({g!r} in s and {w!r} in s)" if g else f"{w!r} in s" for w in words for g in (_guard_letter(w),)]
    return eval("lambda s: " + (" or ".join(terms) or "False"))  # the terms are literals of `words`


_NOT_TASK_GROUPS = _anchor_groups(_NOT_TASK_WORDS, ("đã ", "nhận", "thi hành", "biết", "kính ", "có "))
_NOT_TASK_ANCHORS = tuple(a for a, _ in _NOT_TASK_GROUPS)
_HAS_NOT_TASK_ANCHOR = _any_of(_NOT_TASK_ANCHORS)
# the groups with the `_guard_letter` of their anchor ("" when it has none: every text holds "")
_NOT_TASK_GUARDED = tuple((_guard_letter(a) or "", a, ws) for a, ws in _NOT_TASK_GROUPS)


@lru_cache(maxsize=4096)
def _not_task(t: str) -> bool:
    """A line that receives, praises, closes a decision, invites, submits or reports ("chịu trách
    nhiệm thi hành Quyết định này", "kính mời", "Kính trình", "đã ban hành", "… đưa tin"): plain
    substring tests on the lower-cased line (a case-insensitive regex alternation cost four times more),
    a group of words tested only when a word they share is there (`_NOT_TASK_GROUPS`). Remembered:
    a heading line is asked twice (as a heading's body, then as a line), 13 scans of it each time."""
    low = t.lower()
    if not _HAS_NOT_TASK_ANCHOR(low):
        return False  # most lines: no anchor, told by one expression (`_any_of`)
    for g, anchor, words in _NOT_TASK_GUARDED:
        if g in low and anchor in low:
            for w in words:
                if w in low:
                    if w == "là cơ quan thường trực" and _OBLIGED_AFTER.search(low, low.find(w)):
                        continue  # "Sở Nội vụ là cơ quan thường trực …, có trách nhiệm …": its duty is a task
                    return True
    return False


_OBLIGED_AFTER = regex.compile(r"có trách nhiệm|có nhiệm vụ|chủ trì")
# an item that approves, permits, appoints or reports a fact assigns nothing (SPEC: "Thống nhất …",
# "Cho phép …", "Đại hội đã biểu quyết …", "Chủ tịch Hội: Ông …"), unless a later sentence of it
# gives work ("Thống nhất tổ chức Hội nghị …. Giao Trung tâm …:")
_NOT_TASK_ITEM = regex.compile(
    r"^(?:Thống nhất|Đồng ý|Chấp thuận|Cho phép|Chỉ định|Phê bình|Biểu dương|Ghi nhận|Công nhận|Phê chuẩn)(?!\p{L})"
    r"|^(?!(?:" + _STOP + r")(?!\p{L}))\p{Lu}[^,;:.]{0,60}?\s(?:đã|đang)\s(?!được giao)"
    r"|^[^:]{0,60}:\s*(?:Ông|Bà|ông|bà|Đồng chí|đồng chí)\s+\p{Lu}"
    r"|thông báo để\s[^.;]{0,160}?\sbiết(?!\p{L})")
# literal pre-checks of `_NOT_TASK_ITEM` and of the executor-block lines (`_TIME_LINE`, `_EXECUTOR` …)
_NOT_TASK_ITEM_STARTS = ("Thống nhất", "Đồng ý", "Chấp thuận", "Cho phép", "Chỉ định", "Phê bình", "Biểu dương", "Ghi nhận",
                         "Công nhận", "Phê chuẩn")
_NTI_APPROVES = regex.compile(r"(?:Thống nhất|Đồng ý|Chấp thuận|Cho phép|Chỉ định|Phê bình|Biểu dương|Ghi nhận|Công nhận|Phê chuẩn)(?!\p{L})")
_NTI_PAST = regex.compile(r"(?!(?:" + _STOP + r")(?!\p{L}))\p{Lu}[^,;:.]{0,60}?\s(?:đã|đang)\s(?!được giao)")
_NTI_PERSON = regex.compile(r"[^:]{0,60}:\s*(?:Ông|Bà|ông|bà|Đồng chí|đồng chí)\s+\p{Lu}")
_NTI_NOTICE = regex.compile(r"thông báo để\s[^.;]{0,160}?\sbiết(?!\p{L})")


@lru_cache(maxsize=4096)
def _not_task_item(t: str) -> bool:
    """`_NOT_TASK_ITEM.search(t)` as a truth value: its four branches apart, each tried only when the
    words it needs are in the line (the joined search cost 12 µs a line, mostly on lines that hold
    none of them). Remembered: a line ending with ":" is asked twice."""
    return bool(t.startswith(_NOT_TASK_ITEM_STARTS) and _NTI_APPROVES.match(t)
                or _HAS_PAST_WORD(t) and _NTI_PAST.match(t)
                or ":" in t and _NTI_PERSON.match(t)
                or "ể" in t and "thông báo để" in t and _NTI_NOTICE.search(t))


_HAS_PAST_WORD = _any_of(("đã", "đang"))
_BLOCK_STARTS = ("Thời gian", "Thời hạn", "Tiến độ", "Cơ quan", "Đơn vị")
_LATER_GIVES = regex.compile(r"[.;]\s+(?:Giao|Yêu cầu|Đề nghị)\s|[.;]\s+(?:" + _HEAD_WORDS + r")[^.;]{0,120}?\s(?:có trách nhiệm|chủ trì)")
_DIRECTIVE_LEADIN = regex.compile(
    r"(?:yêu cầu|đề nghị|giao|chỉ đạo|ý kiến (?:chỉ đạo )?như sau|thực hiện (?:một số|các) (?:nội dung|nhiệm vụ)|"
    r"(?:nội dung|nhiệm vụ) (?:sau|như sau))\s*(?:[^:\n]{0,200})?:\s*$", regex.IGNORECASE)
_CUE = regex.compile(r"(?:giao|đề nghị|yêu cầu|trách nhiệm|chủ trì|phối hợp)(?!\p{L})", regex.IGNORECASE)
_CUE_WORDS = ("giao", "đề nghị", "yêu cầu", "trách nhiệm", "chủ trì", "phối hợp")


def _has_cue(t: str) -> bool:
    """`_CUE` without the regex (a case-insensitive regex costs more than lower-casing the line)."""
    low = t.lower()
    return any(w in low for w in _CUE_WORDS)

_TCTH = regex.compile(r"(?:TỔ CHỨC THỰC HIỆN|Tổ chức thực hiện|TRÁCH NHIỆM|[Tt]rách nhiệm (?:thực hiện|của))")

# -- deadlines -------------------------------------------------------------------------------
_D = r"(?P<d>\d{1,2})"
_M = r"(?P<m>\d{1,2})"
_Y = r"(?P<y>(?:19|20)\d\d)"
_DATE = rf"{_D}\s*[/.-]\s*{_M}(?:\s*[/.-]\s*{_Y})?|{_D}\s+tháng\s+{_M}(?:\s+năm\s+{_Y})?"
_DEADLINE = regex.compile(
    r"(?P<text>(?:(?:hoàn thành|thực hiện|báo cáo|gửi)\s+(?:[^.;\n]{0,60}?\s)?)?"
    r"(?:(?:trước|chậm nhất(?:\s+là)?|chậm nhất đến|không quá|đến hết|hạn chót)\s+(?:\d{1,2}\s*(?:giờ|h)(?:\s*\d{1,2})?(?:\s+(?:00\s+)?phút)?,?\s+)?"
    rf"(?:ngày\s+)?(?:{_DATE})"
    r"|trong\s+(?:tháng\s+(?P<mm>\d{1,2})\s*(?:[/-]|\s+năm\s+)\s*(?P<my>(?:19|20)\d\d)|(?i:quý)\s+(?P<q>I{1,3}|IV|[1-4])\s*(?:[/-]|\s+năm\s+)\s*(?P<qy>(?:19|20)\d\d))"
    r"|(?:tại|trong)\s+kỳ họp\s+(?:thường lệ\s+)?tháng\s+(?P<km>\d{1,2})\s*(?:[/-]|\s+năm\s+)\s*(?P<ky>(?:19|20)\d\d)"
    r"|ngay trong tháng\s+(?P<nm>\d{1,2})\s*(?:[/-]|\s+năm\s+)\s*(?P<ny>(?:19|20)\d\d)))",
    regex.IGNORECASE)
_DIGIT = re.compile(r"\d")
_DEADLINE_WORDS = ("trước", "chậm nhất", "không quá", "đến hết", "hạn chót", "tháng", "quý")
_RECUR = [
    (regex.compile(r"định kỳ\s+(?:06|6)\s+tháng|6 tháng,? (?:01 lần|một lần|năm)|hằng 6 tháng|sáu tháng một lần", regex.I), "semiannual"),
    (regex.compile(r"(?:hằng|hàng|mỗi)\s+tuần", regex.I), "weekly"),
    (regex.compile(r"(?:hằng|hàng|mỗi)\s+tháng", regex.I), "monthly"),
    (regex.compile(r"(?:hằng|hàng|mỗi)\s+quý", regex.I), "quarterly"),
    (regex.compile(r"(?:hằng|hàng|mỗi)\s+năm", regex.I), "annual"),
]
# the unit word every match of each holds: a plain test on the lower-cased clause before the
# pattern ("hàng" and "mỗi" are in many clauses that name no period)
_RECUR_UNITS = ("tháng", "tuần", "tháng", "quý", "năm")
_REPORT = regex.compile(
    r"(?:báo cáo|gửi)(?:\s+kết quả(?:\s+thực hiện)?)?(?:\s+(?:về|cho|lên))?\s+"
    r"(?P<to>(?:Ủy ban nhân dân|UBND|Chủ tịch|Sở|Bộ|Văn phòng|Thủ tướng|Chính phủ|Ban|Tỉnh ủy|Hội đồng nhân dân|HĐND)"
    r"[^,;.:\n]*?(?:\s*\(qua\s+[^)]{1,80}\))?)(?=\s+(?:để|trước|chậm|theo|trong|định kỳ)|[,;.:\n]|$)")
_THAM_MUU = regex.compile(r"tham mưu\s+(?P<to>(?:Ủy ban nhân dân|UBND|Chủ tịch)[^,;.:\n]*?)(?=\s+(?:ban hành|trình|xem xét|chỉ đạo|quyết định|phê duyệt)|[,;.:\n])")


@dataclass(slots=True)
class _Line:
    start: int
    end: int
    text: str  # without the marker
    body_start: int  # offset where text begins
    kind: str | None  # roman, num, letter, paren, dieu, bullet, None
    label: str | None
    depth: int
    cue: bool = True  # holds a word of `_CUE_WORDS` in any case (found once per document by `_lines`)


def _year_end_month(y: int, m: int) -> dt.date | None:
    try:
        return dt.date(y, m, calendar.monthrange(y, m)[1])
    except ValueError:
        return None


def _roman(s: str) -> int:
    return {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}.get(s.upper(), 0)


# the words of those tests, each searched behind a letter of it (`_any_of`)
_HAS_RECUR_WORD = _any_of(("hằng", "hàng", "mỗi"))
_HAS_DEADLINE_WORD = _any_of(("trước", "chậm nhất", "không quá", "đến hết", "hạn chót"))
_HAS_PERIOD_WORD = _any_of(("tháng", "quý"))


def deadline_of(text: str, doc_year: int | None, first_due: bool = False) -> tuple[dt.date | None, str | None, str | None]:
    """(deadline, deadline_text, recurrence) of a clause. A recurring day ("hằng năm … trước ngày
    15/12") has no one deadline, unless `first_due` asks for its first date in the document's year
    (what response tracking checks)."""
    recurrence = None
    low = text.lower()
    # every _RECUR form has "hằng", "hàng" or "mỗi", but the half-year ones, which have "tháng" and
    # "6" or "sáu" (looked for as "áu": the case-insensitive "s" of the regex also matches "ſ")
    if _HAS_RECUR_WORD(low) or "á" in low and "tháng" in low and ("6" in low or "áu" in low):
        for (rx, name), unit in zip(_RECUR, _RECUR_UNITS):
            if unit in low and rx.search(text):
                recurrence = name
                break
    if not _DIGIT.search(text) \
            or not (_HAS_DEADLINE_WORD(low) or _HAS_PERIOD_WORD(low) and ("trong" in low or "ỳ" in low and "kỳ họp" in low)):
        # every _DEADLINE form has a number and one of _DEADLINE_WORDS; its "tháng" and "quý" forms
        # have "trong" or "kỳ họp" too ("trong tháng 6/2024", "tại kỳ họp tháng 7 năm 2024": a date
        # "ngày 15 tháng 7 năm 2024" with no word before it is none)
        return None, None, recurrence
    if first_due:
        recurrence_for_date = None
    else:
        recurrence_for_date = recurrence
    best = None
    for m in _DEADLINE.finditer(text):
        date = None
        g = m.groupdict()
        try:
            if g["d"] and g["m"]:
                # "hằng năm … trước ngày 15/12": a recurring day has no one date
                y = int(g["y"]) if g["y"] else (doc_year if recurrence_for_date is None else None)
                if y:
                    date = dt.date(y, int(g["m"]), int(g["d"]))
            elif g["mm"]:
                date = _year_end_month(int(g["my"]), int(g["mm"]))
            elif g["q"]:
                q = _roman(g["q"])
                date = _year_end_month(int(g["qy"]), 3 * q) if q else None
            elif g["km"]:
                date = _year_end_month(int(g["ky"]), int(g["km"]))
            elif g["nm"]:
                date = _year_end_month(int(g["ny"]), int(g["nm"]))
        except ValueError:
            date = None
        tail = text[m.end(): m.end() + 12]
        if _R.match(r"\s*(?:hằng|hàng)\s+(?:tháng|năm|quý|tuần)", tail) and not g["y"] and not first_due:
            # "trước ngày 15 hằng tháng", "trước ngày 15/12 hằng năm": recurring, no one date
            if best is None:
                best = (None, m.group("text"))
            continue
        if date is not None:
            return date, m.group("text").strip(), recurrence
        if best is None:
            best = (None, m.group("text"))
    if best:
        return None, best[1].strip(), recurrence
    return None, None, recurrence


# -- agencies --------------------------------------------------------------------------------
@cache
def _known_names() -> list[str]:
    names = [a.name for a in rules.agencies()]
    names += ["Sở Văn hóa, Thể thao và Du lịch", "Bộ Văn hóa, Thể thao và Du lịch", "Ủy ban Mặt trận Tổ quốc Việt Nam",
              "Sở Lao động - Thương binh và Xã hội", "Bộ Lao động - Thương binh và Xã hội"]
    return sorted({n for n in names if "," in n or " và " in n}, key=rules.longest_first)


@cache
def _known_keys() -> tuple[tuple[str, ...], tuple[tuple[int, str, str, str], ...]]:
    """(the first words of the known names, (index, name, folded name, its first word) of each):
    folded once, not at every clause."""
    keys = []
    for i, n in enumerate(_known_names()):
        k = fold(n)
        keys.append((i, n, k, k.split(" ", 1)[0] + " "))
    return tuple(dict.fromkeys(h for *_, h in keys)), tuple(keys)


def _protect(s: str) -> tuple[str, dict[str, str]]:
    """Hide the commas and "và" of known names so that a list splits between names only.

    Speed: a known name holds a comma or " và " and opens with one of a few words ("sở ", "bộ ",
    "ủy ", "ban "): a clause without them is returned at once, and only the names whose first word
    is in the clause are looked for (hiding a name puts a tag of control characters and digits in
    its place, which cannot make a first word appear)."""
    keep: dict[str, str] = {}
    if "," not in s and not (("v" in s or "V" in s) and ("à" in s or "À" in s or "\u0300" in s or "\u0340" in s)):
        # no comma and no "và" in the folded text either: folding makes no "," and makes an "à" only of
        # an "à" in some case or of an "a" with a combining grave accent (U+0300, or U+0340, which
        # normalises to it), a "v" only of "v" or "V" (a clause of 400 characters cost 4 µs to fold)
        return s, keep
    low = fold(s)
    if "," not in low and " và " not in low:
        return s, keep
    heads, keys = _known_keys()
    present = [h for h in heads if h in low]
    if not present:
        return s, keep
    for i, n, k, h in keys:
        if h not in present:
            continue
        pos = low.find(k)
        while pos >= 0:
            tag = f"\x00{i}\x00"
            original = s[pos: pos + len(n)]
            keep[tag] = original
            s = s[:pos] + tag + s[pos + len(n):]
            low = fold(s)
            pos = low.find(k)
    return s, keep


def _restore(s: str, keep: dict[str, str]) -> str:
    for tag, original in keep.items():
        s = s.replace(tag, original)
    return s


@cache
def _name_abbreviations() -> tuple[regex.Pattern, dict[str, str]]:
    """rules/tasks_names.tsv: abbreviations inside a body's name (BHXH, KCB, VCCI …)."""
    rows = [(a.strip(), e.strip()) for a, e in rules.read_table("tasks_names.tsv", 2) if a.strip()]
    alts = "|".join(regex.escape(a) for a, _ in sorted(rows, key=lambda r: -len(r[0])))
    return regex.compile(rf"(?<![\p{{L}}&])(?:{alts})(?![\p{{L}}&])"), dict(rows)


_LOOSE_SPLIT = regex.compile(r"[\s,\-–]+")


def _loose(name: str) -> tuple[str, ...]:
    """Words of a name without punctuation and "và": "Sở Văn hóa - Thể thao và Du lịch" and "Sở Văn
    hóa Thể thao Du lịch" have the same key."""
    return tuple([w for w in _LOOSE_SPLIT.split(fold(name)) if w and w != "và"])


@cache
def _canonical_names() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Known names of several fields (a comma, "và" or "-" inside), by first word, longest first."""
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for n in _known_names():
        key = _loose(n)
        if len(key) >= 3:
            out.setdefault(key[0], []).append((key, n))
    for v in out.values():
        v.sort(key=lambda kv: -len(kv[0]))
    return out


def _canonical(name: str) -> str:
    """A known name written with other punctuation ("Sở Văn hóa Thể thao Du lịch", "Sở Văn hóa -
    Thể thao và Du lịch", "Sở Khoa học Công nghệ") → its spelling in the rules (SPEC: short or typo
    forms are normalised); the rest of the name ("… tỉnh Lâm Đồng") is kept."""
    key = _loose(name)
    if len(key) < 3:
        return name
    for k, full in _canonical_names().get(key[0], ()):
        if key[: len(k)] == k:
            # the original text of the first len(k) words
            words = list(regex.finditer(r"[^\s,\-–]+", name))
            words = [w for w in words if fold(w.group()) != "và"]
            if len(words) < len(k):
                return name
            end = words[len(k) - 1].end()
            return full + name[end:]
    return name


_ASK_OPENERS = ("Giao", "giao", "Đề nghị", "đề nghị", "Yêu cầu", "yêu cầu")


@lru_cache(maxsize=8192)
def normalise_assignee(name: str) -> str:
    # each substitution only where it can change the name (a substitution that finds nothing still
    # cost a microsecond): white space runs as `one_space` (the same substitution, skipped on a
    # printable name without two spaces), a trailing "và", an opening ask word, a parenthesis
    name = one_space(name).strip(" ,;:.-–")
    if name.endswith("và"):
        name = _R.sub(r"\s+và$", "", name)
    if name.startswith(_ASK_OPENERS):
        name = _R.sub(r"^(?:Giao|giao|Đề nghị|đề nghị|Yêu cầu|yêu cầu)\s+", "", name)
    if "(" in name:
        name = _R.sub(r"\s*\((?!cũ\)|mới\)|trước sắp xếp\))[^)]*\)", "", name)
    name = expand_abbreviations(name)
    rx, table = _name_abbreviations()
    if rx.search(name):
        name = rx.sub(lambda m: table[m.group(0)], name)
    name = _canonical(name)
    return name[:1].upper() + name[1:] if name else name


def split_agencies(phrase: str) -> list[str]:
    """"Sở Tài chính, Sở Kế hoạch và Đầu tư" → two; "UBND các huyện, thị xã, thành phố" → one.
    The same phrases come back in every document ("các sở, ban, ngành"): answers are cached."""
    return list(_split_agencies(phrase))


@lru_cache(maxsize=8192)
def _split_agencies(phrase: str) -> tuple[str, ...]:
    s, keep = _protect(phrase.strip())
    # split keeping the separators: a piece that is not a name of its own ("Thương mại" of "Trung
    # tâm Xúc tiến Đầu tư, Thương mại và Du lịch") is joined back with the separator it had
    pieces = _R.split(r"(\s*,\s*|\s+và\s+|\s*;\s*)", s)
    out: list[str] = []
    sep = ""
    for i, p in enumerate(pieces):
        if i % 2:
            sep = p
            continue
        p = p.strip()
        if not p:
            continue
        # a piece that is not a name of its own, or a head word left alone before "và" ("Báo và
        # Đài Phát thanh - Truyền hình": one body), is joined back with its separator
        if out and (not _head(_restore(p, keep)) and not ("và" in sep and _R.match(r"địa phương(?!\p{L})", p)
                                                                and _R.match(r"\p{Lu}", out[-1]) and not out[-1].startswith("Các"))
                    or "và" in sep and _R.fullmatch(r"\p{L}+", out[-1]) and not out[-1].isupper()
                    # "lực lượng … của lực lượng Công an, Hải quan": a short list inside a "của" complement
                    or "," in sep and _R.search(r"(?<!\p{L})của(?:\s+\S+){1,4}$", out[-1]) and len(p.split()) <= 2
                    and not p.lower().startswith("các")
                    or "," in sep and _BARE_CLASS.fullmatch(p) and _BARE_CLASS.fullmatch(out[-1].split(", ")[-1])):
            joiner = " và " if "và" in sep else ", "
            out[-1] = out[-1] + joiner + p
        else:
            out.append(p)
    return tuple(_distribute_owner([normalise_assignee(_restore(p, keep)) for p in out if p.strip()]))


_BARE_CLASS = regex.compile(r"(?:[Cc]ác|[Mm]ọi)\s+(?:cấp|ngành|giới|tầng lớp)")
_LEVEL_END = regex.compile(r"\s(?:tỉnh|huyện|xã|thành phố|thị xã|cùng cấp|các cấp)$")
_MASS_ORG = regex.compile(r"(?:Ủy ban Mặt trận Tổ quốc(?: Việt Nam)?|Hội Nông dân|Hội Liên hiệp Phụ nữ|Hội Cựu chiến binh|"
                          r"Đoàn Thanh niên(?: Cộng sản Hồ Chí Minh)?|Liên đoàn Lao động)$")
_OWNER = regex.compile(r"(?P<body>Hội đồng nhân dân|Ủy ban nhân dân)(?P<level>\s+(?:tỉnh|huyện|xã|thành phố|thị xã|phường))$")


def _distribute_owner(parts: list[str]) -> list[str]:
    """The owner named once at the end of a list belongs to each item: "Thường trực Hội đồng nhân
    dân, các Ban, các Tổ đại biểu và đại biểu Hội đồng nhân dân tỉnh" (every HĐND resolution's
    closing line) is four bodies of the provincial HĐND."""
    if len(parts) < 2:
        return parts
    m = _OWNER.search(parts[-1])
    if not m:
        # "Ủy ban MTTQ Việt Nam và các tổ chức chính trị - xã hội tỉnh": the level closing the list
        # belongs to the mass organisations before it that name none
        lv = _LEVEL_END.search(parts[-1])
        if lv:
            parts = [p + lv.group(0) if _MASS_ORG.match(p) and not _LEVEL_END.search(p) else p for p in parts[:-1]] + [parts[-1]]
        return parts
    owner = m.group("body") + m.group("level")
    out = []
    for p in parts[:-1]:
        if p.endswith(m.group("body")):
            p = p + m.group("level")
        elif _R.fullmatch(r"(?:[Cc]ác\s+)?Ban", p):
            p = f"{p} của {owner}"
        elif _R.fullmatch(r"(?:[Cc]ác\s+)?Tổ đại biểu", p):
            p = f"{p} {owner}"
        out.append(p)
    return out + [parts[-1]]


@lru_cache(maxsize=8192)
def _kind(name: str) -> str:
    low = fold(name)
    if _R.search(r"(?<!\p{L})các(?!\p{L})|(?<!\p{L})những(?!\p{L})|liên quan$|(?<!\p{L})địa phương(?!\p{L})", low):
        return "collective"
    if _R.match(r"(?:phó )?(?:chủ tịch|giám đốc|thủ trưởng|trưởng |chánh|lãnh đạo|công chức|cán bộ|người đứng đầu)", low):
        return "person"
    return "body"


_SUBJECT_END = regex.compile(r"[.:](?:\s|$)|;(?!\s*(?:" + _HEAD_WORDS + r")(?!\p{L}))(?:\s|$)|\(|\slà\s(?!cơ quan)")


_SUBJECT_END_SIGNS = (".", ":", ";", "(")


def _subject_end(s: str) -> int:
    """Where `_SUBJECT_END.search(s)` starts (-1: nowhere), tried only where a match can start: at
    a ".", ":", ";" or "(" (the first character of three branches) or one character before "là"
    (the white space before " là "), each found by `str.find` (the search tried its
    four branches at every position up to the end of the clause's first sentence). The pattern
    looks behind nothing, so the first place it matches at is where the search starts."""
    best = len(s)
    for ch in _SUBJECT_END_SIGNS:
        i = s.find(ch, 0, best)
        while i >= 0:
            if _SUBJECT_END.match(s, i) is not None:
                best = i
                break
            i = s.find(ch, i + 1, best)
    i = s.find("là", 1, best + 1)
    while i >= 1:
        if _SUBJECT_END.match(s, i - 1) is not None:
            best = i - 1
            break
        i = s.find("là", i + 1, best + 1)
    return best if best < len(s) else -1


_LEAD_TIME = regex.compile(r"(?:(?:Hằng|Hàng)\s+(?:năm|tháng|quý|tuần)|Định kỳ[^,;.:]{0,30}|"
                           r"Trong (?:năm|tháng|quý|thời gian|giai đoạn)[^,;.:]{0,40}|Trước ngày[^,;.:]{0,30}|"
                           r"Từ (?:ngày|năm|nay)[^,;.:]{0,40}|Chậm nhất[^,;.:]{0,40}|Sau khi[^,;.:]{0,80})\s*,\s+")
_LEAD_TIME_FIRST = frozenset("HĐTCS")  # the first letters of `_LEAD_TIME`'s branches


@lru_cache(maxsize=4096)
def _subject(text: str) -> tuple[str | None, int]:
    """The agency phrase that opens a clause, and where the action starts (0 when none). Cached: a
    quarter of the clauses are read twice (as a heading's body, as a later sentence)."""
    if not _head(text):
        # "Hằng năm, Công an tỉnh có trách nhiệm …", "Trong năm 2026, Sở Y tế chủ trì …": a time phrase
        # before the subject (the subject is read after it; the phrase stays in the clause)
        lm = _LEAD_TIME.match(text) if text[:1] in _LEAD_TIME_FIRST else None
        if lm is None or not _head(text[lm.end():]):
            return None, 0
        phrase, consumed = _subject(text[lm.end():])
        return (phrase, lm.end() + consumed) if phrase else (None, 0)
    if _verb_first(text):
        return None, 0  # "Tổ chức …", "Ban hành …", "Báo cáo …": an item that opens with its verb
    s, keep = _protect(text[:400])
    if "(" in s:
        # "Hội Công chứng viên tỉnh Đắk Nông (cũ) có trách nhiệm …": a short parenthesis is part of the
        # name; it is hidden (same length) so that neither its words nor its "(" end the subject
        s_find = _SHORT_PAREN.sub(lambda m: "\x01" * len(m.group()), s)
    else:
        s_find = s
    # a subject spans no sentence end (a name may hold commas); a ";" between two bodies ("Các sở,
    # ban, ngành; Ủy ban nhân dân các huyện …") is a list, not an end
    p = _subject_end(s_find)
    if p >= 0:
        cut = p if s_find[p] != ":" else p + 1
        s, s_find = s[:cut], s_find[:cut]
    m = _STOP_RE.search(s_find)
    colon = s_find.find(":")
    end = m.start() if m else -1
    if 0 <= colon and (end < 0 or colon < end):
        end = colon
    if end <= 0:
        return None, 0
    phrase = _restore(s[:end], keep).rstrip(" ,")
    if len(phrase) > 250 or len(phrase) < 5 or fold(phrase) in {"các", "những", "các cơ", "ban"}:
        return None, 0
    if "ợ" in phrase and "được" in phrase and _QUOTA.search(phrase):
        return None, 0  # "Mỗi cơ quan, đơn vị, địa phương được đề xuất 01 (một) tập thể": an entitlement
    # map back to the original length
    consumed = len(_restore(s[:end], keep))
    return phrase, consumed


# what may stand before "phối hợp" for it to be the assignee's own verb: the start of the action, a
# clause boundary, "và", "chủ trì," or an adverb; "chỉ đạo các phòng … phối hợp làm việc với đơn vị
# tư vấn" has it inside the object (SPEC: such a partner is not a coordinator)
_COORD_OWN = regex.compile(r"(?:^|[,;.:(]|(?<!\p{L})(?:và|chủ trì|tiếp tục|chủ động|thường xuyên|kịp thời|khẩn trương|"
                           r"đồng thời|trực tiếp|có trách nhiệm|cần|phải|tích cực|nghiên cứu|cùng|mình))\s*$", regex.IGNORECASE)
# a causative verb earlier in the clause makes its object the doer of "phối hợp": "Chỉ đạo các cấp
# công đoàn chủ động phối hợp với cơ quan …" (the partner is the object's, not the assignee's)
_CAUSATIVE = regex.compile(r"(?<!\p{L})(?:chỉ đạo|hướng dẫn|đôn đốc|yêu cầu|đề nghị|huy động|vận động|giao)(?!\p{L})[^,;.]*$",
                           regex.IGNORECASE)
# where a partner phrase ends (besides a verb of _STOP): a purpose or scope phrase, a sentence end
_PARTNER_END = regex.compile(r"\s+(?:để|nhằm|trong|theo|thực hiện|đối với|về việc|về công tác)(?!\p{L})|[.:]|;(?!\s*(?:" + _HEAD_WORDS + r")(?!\p{L}))")
# a verb right after a class noun qualifies it: "các doanh nghiệp cung cấp dịch vụ …"
_QUALIFIED = regex.compile(r"(?:nghiệp|vị|chức|sở|quan|lượng)\s+$")
_BARE_HEAD = regex.compile(r"(?:^|[,;]\s*|\s(?:và|các)\s+)(?:Ban|Tổ|Hội đồng|Trung tâm)\s+$")  # "Ban quản lý …": a name


def _strip_partner_tail(phrase: str) -> str:
    phrase = _R.sub(r"\s*\([^()]{0,60}\)", "", phrase)
    pos = 0
    while True:
        m = _STOP_RE.search(phrase, pos)
        if not m:
            break
        if m.start() == 0 or _BARE_HEAD.search(phrase, 0, m.start()) or (
                _QUALIFIED.search(phrase, 0, m.start()) and m.group(0) in {"cung cấp", "kinh doanh", "sản xuất", "hoạt động"}):
            pos = m.end()
            continue
        phrase = phrase[: m.start()]
        break
    e = _PARTNER_END.search(phrase)
    if e:
        phrase = phrase[: e.start()]
    return phrase.strip(" ,;.-–")


def _coordinators(text: str, block: bool = False, every: bool = False, anywhere: bool = False) -> list[str]:
    """The bodies after "phối hợp (với)", "cùng với" (SPEC, coordinators).

    Form 1: "chủ trì, phối hợp với Sở Tài chính, Sở Xây dựng tổ chức …": the partner phrase runs to
            the next verb; "phối hợp tuyên truyền" (no "với" and no body after it) has no partner.
    Form 2: "phối hợp với cấp ủy, chính quyền địa phương khu vực biên giới …": after "với" the
            partner need not open with an agency word.
    Form 3 (`block`): an executor line "X chủ trì, phối hợp với A; B; C." lists partners to its end.
    Form 4 (`every`): an item with several "phối hợp" clauses ("Phối hợp Ban Cơ yếu …; … Phối hợp
            Công an tỉnh để …") has each clause's partners.
    Only a "phối hợp" that is the assignee's own verb counts (`_COORD_OWN`), unless `anywhere`."""
    if not ("ợ" in text and "hợp" in text or "ù" in text and "cùng" in text or "ố" in text and "phối" in text):
        return []  # (each word behind a letter of it, as `_any_of`)
    out: list[str] = []
    for m in _COORD_CUE.finditer(text):
        if not anywhere and not block and (not _COORD_OWN.search(text[max(0, m.start() - 40): m.start()])
                                           or _CAUSATIVE.search(text[max(0, m.start() - 120): m.start()])):
            continue
        rest = text[m.end():].lstrip(" ,")
        cue = m.group(0).lower()
        if not _head(rest) and not ("với" in cue or "cùng" in cue):
            continue
        if _verb_first(rest):
            continue
        if block:
            phrase = _R.sub(r"\s*\([^()]{0,60}\)", "", rest)
            phrase = _R.split(r"\.(?:\s|$)", phrase)[0]
            tail = _STOP_RE.search(phrase)
            while tail and (_BARE_HEAD.search(phrase, 0, tail.start()) or _QUALIFIED.search(phrase, 0, tail.start())
                            and tail.group(0) in {"cung cấp", "kinh doanh", "sản xuất", "hoạt động"}):
                tail = _STOP_RE.search(phrase, tail.end())
            if tail and tail.start() > 0:
                phrase = phrase[: tail.start()]
            phrase = phrase.strip(" ,;.-–")
        else:
            phrase = _strip_partner_tail(rest[:400])
        for c in split_agencies(phrase) if phrase else []:
            if c and len(c) > 2 and all(fold(c) != fold(x) for x in out):
                out.append(c)
        if not every and not block and out:
            break
    return out


_HAS_REPORT_WORD = _any_of(("báo cáo", "gửi"))


def _report_to(text: str) -> str | None:
    m = (_HAS_REPORT_WORD(text) and _REPORT.search(text)
         or "ư" in text and "tham mưu" in text and _THAM_MUU.search(text))
    if not m:
        return None
    to = _R.sub(r"\s+(?:kết quả|tình hình).*$", "", m.group("to")).strip(" ,")
    return normalise_assignee(to) if to else None


# -- the document ----------------------------------------------------------------------------
_BARE_MARKER = regex.compile(r"^[ \t]*(?:(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})[.)]|(?P<letter>[a-zđ])\)|(?P<roman>"
                            + _ROMAN + r")\.|(?P<dieu>Điều\s+\d+)[.:])[ \t]*$")


def _cue_line_starts_plain(chunk: str, start: int) -> tuple[set[int], list[int]]:
    """Start offsets of the lines of `chunk` that hold a word of `_CUE_WORDS` in any case (as a set,
    and sorted). The words are found in the lower-cased text, and each hit is given the line around
    it (one `rfind`). A hit is read in the lower-cased text's offsets, as it always was (they differ
    only after an "İ", which lower-cases to two characters); one that falls on a line break marks
    no line."""
    low = chunk.lower()
    n = len(chunk)
    starts: set[int] = set()
    for w in _CUE_WORDS:
        i = low.find(w)
        while i >= 0:
            if i < n and chunk[i] != "\n":
                starts.add(chunk.rfind("\n", 0, i) + 1 + start)
            i = low.find(w, i + 1)
    return starts, sorted(starts)


# each cue word as a case-insensitive literal: `regex` matches a character of it exactly when the
# character lower-cases to it, except "İ" (which `str.lower` makes two characters)
_CUE_RXS = tuple(regex.compile(regex.escape(w), regex.IGNORECASE) for w in _CUE_WORDS)


def _cue_line_starts(chunk: str, start: int) -> tuple[set[int], list[int]]:
    """`_cue_line_starts_plain` without lower-casing the text: each word is searched for case-
    insensitively in the text itself (lower-casing a long annex and searching it six times cost a
    tenth of the task reading). The hits are the same: a character of the text matches a letter of
    a word exactly when it lower-cases to that letter, save "İ"; a text holding "İ" (whose lower
    case shifts the offsets the plain search reads) takes the plain search. No word holds a line
    break, so a hit never falls on one; no word overlaps itself, so the non-overlapping matches
    mark the same lines."""
    if "İ" in chunk:
        return _cue_line_starts_plain(chunk, start)
    starts: set[int] = set()
    add = starts.add
    rfind = chunk.rfind
    for rx in _CUE_RXS:
        for m in rx.finditer(chunk):
            add(rfind("\n", 0, m.start()) + 1 + start)
    return starts, sorted(starts)


# a run of lines that are "|" rows of a table or blank (`re`'s \s is `str.isspace`, as `str.strip`)
_TABLE_RUN = re.compile(r"(?:[^\S\n]*\|[^\n]*(?:\n|\Z)|[^\S\n]*\n)*")
_TABLE_CUE_WORDS = ("rách nhiệm", "Đơn vị", "Cơ quan", "RÁCH NHIỆM", "ĐƠN VỊ", "CƠ QUAN")


def _holds_table_word(chunk: str, a: int, b: int) -> bool:
    """`any(chunk.find(w, a, b) >= 0 for w in _TABLE_CUE_WORDS)`: the upper-case words looked for
    only when a letter of theirs that the rest of a text seldom has ("Ơ", "Ệ") is in the range (a
    search for one character is many times faster than one for a word, on a price list of a million
    characters)."""
    return (chunk.find("rách nhiệm", a, b) >= 0 or chunk.find("Đơn vị", a, b) >= 0 or chunk.find("Cơ quan", a, b) >= 0
            or chunk.find("Ơ", a, b) >= 0 and (chunk.find("ĐƠN VỊ", a, b) >= 0 or chunk.find("CƠ QUAN", a, b) >= 0)
            or chunk.find("Ệ", a, b) >= 0 and chunk.find("RÁCH NHIỆM", a, b) >= 0)


_DIGITS = frozenset("0123456789")
_BULLETS = frozenset("-–•+*")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzđ")


def _lines(text: str, start: int, end: int) -> list[_Line]:
    """The outline's lines with their markers (`_read_lines`)."""
    return _read_lines(text, start, end)[0]


_EXEC_FIRST = frozenset("CĐ")  # the first letters of an executor line ("Cơ quan …", "Đơn vị …")


def _read_lines(text: str, start: int, end: int) -> tuple[list[_Line], list[int]]:
    """The outline's lines with their markers, and the indices of those whose text opens with "C"
    or "Đ" (the lines `_executor_blocks` looks at: an executor line opens with "Cơ quan" or "Đơn
    vị"; told here by the first character the loop has at hand, not by a search of the text). A
    marker alone on its line ("2." then "Giao Sở Lao động - Thương binh và Xã hội:" on the next, as
    table-less exports lay items out) marks the line after it.

    Speed: one marker regex per line that can open with a marker (`m.lastgroup` names the kind,
    `_may_open_marker` rules out "Đồng …", "(Ký …)", "2024 …" first), and none for the common "- ",
    "a) ", "1. ", "12) " followed by text (their match is known); the cue words are found once in
    the text (`_cue_line_starts`) and each line is told whether it holds one (`_Line.cue`); a row
    of a "|" table that holds no cue and no responsibility column, before any table that could be a
    schedule of tasks, is dropped here (`find_tasks` skipped it anyway), and a whole run of such
    rows (a price list of thousands of rows) is dropped at once, its lines not even visited, when
    no row of it holds a cue or a column name."""
    out: list[_Line] = []
    append = out.append
    cands: list[int] = []
    pos = start
    pending = None  # (kind, label) of a bare marker line
    chunk = text[start:end]
    cue_at, cue_sorted = _cue_line_starts(chunk, start)
    schedule_seen = False
    checked_to = -1  # [.., checked_to): a run read row by row
    it = iter(chunk.split("\n"))
    for raw in it:
        if not raw:
            pos += 1
            continue
        ln_start = pos
        pos += len(raw) + 1
        body = raw.strip()
        if not body:
            continue
        cue = ln_start in cue_at
        c = body[0]
        if c == "|" and not schedule_seen and not cue:
            if ln_start >= checked_to:
                a = ln_start - start
                b = _TABLE_RUN.match(chunk, a).end()
                k = bisect_left(cue_sorted, ln_start)
                if not (k < len(cue_sorted) and cue_sorted[k] < b + start) and not _holds_table_word(chunk, a, b):
                    pending = None
                    # rows of a price list or a catalogue, none with a cue or a column name: the
                    # lines that start before b are passed over at once (the run ends after a line
                    # break or at the end of the text)
                    more = chunk.count("\n", a, b - 1)
                    if more:
                        next(islice(it, more - 1, None), None)
                    pos = b + start
                    continue
                checked_to = b + start
            if _table_cue(body):
                schedule_seen = True
            else:
                pending = None
                continue  # a row of a price list or a catalogue
        elif not schedule_seen and "|" in body and " | " in body and _table_cue(body):
            schedule_seen = True
        if c not in _MARKER_FIRST and not (c.islower() and body[1:2] == ")"):
            # no outline marker can open this line (most lines): skip the marker regex
            if pending:
                kind, label = pending
                pending = None
            else:
                kind = label = None
            # (`pos - 1` is the line's end; a line with no space around it is its own body)
            if c in _EXEC_FIRST:
                cands.append(len(out))
            append(_Line(ln_start, pos - 1, body, ln_start if body is raw else ln_start + len(raw) - len(raw.lstrip()),
                         kind, label, 0, cue))
            continue
        # "- Text", "a) Text", "1. Text", "12) Text": what `_MARKER` would match, without it (the
        # character after the marker's one space is no space, so the marker is not bare)
        r0 = raw[0]
        if r0 in _BULLETS:
            e = 2 if raw[1:2] == " " and len(raw) > 2 and not raw[2].isspace() else 0
        elif r0 in _LETTERS:
            e = 3 if raw[1:3] == ") " and len(raw) > 3 and not raw[3].isspace() else 0
        elif r0 in _DIGITS:
            if raw[1:2] in (".", ")") and raw[2:3] == " " and len(raw) > 3 and not raw[3].isspace():
                e = 3
            elif raw[1:2] in _DIGITS and raw[2:3] in (".", ")") and raw[3:4] == " " and len(raw) > 4 \
                    and not raw[4].isspace():
                e = 4
            else:
                e = 0
        else:
            e = 0
        if e:
            if pending:
                append(_Line(ln_start, ln_start, "", ln_start, pending[0], pending[1], 0, False))
                pending = None
            kind = "bullet" if e == 2 else "letter" if r0 in _LETTERS else "num"
            if raw[e] in _EXEC_FIRST:
                cands.append(len(out))
            append(_Line(ln_start, ln_start + len(raw), raw[e:].rstrip(), ln_start + e, kind,
                         raw[:e - 2] if kind == "num" else r0, 0, cue))
            continue
        ln_end = ln_start + len(raw)
        m = _MARKER.match(raw) if _may_open_marker(raw) else None
        kind = label = None
        b0 = ln_start
        if m is not None:
            if m.end() >= len(raw.rstrip()):
                bare = _BARE_MARKER.match(raw)
                if bare:
                    pending = (bare.lastgroup, bare.group(bare.lastgroup))
                    continue
            else:
                if pending:
                    # "Điều 2." alone, then "1. Trưởng ban …": the bare marker heads the numbered lines
                    append(_Line(ln_start, ln_start, "", ln_start, pending[0], pending[1], 0, False))
                    pending = None
                kind = m.lastgroup
                label = m.group(kind)
                b0 = ln_start + m.end()
                body = raw[m.end():]
                lead = len(body) - len(body.lstrip())
                body = body.strip()
                if body[:1] in _EXEC_FIRST:
                    cands.append(len(out))
                append(_Line(ln_start, ln_end, body, b0 + lead, kind, label, 0, cue))
                continue
        if pending:
            kind, label = pending
            pending = None
        if c in _EXEC_FIRST:
            cands.append(len(out))
        append(_Line(ln_start, ln_end, body, ln_start + len(raw) - len(raw.lstrip()), kind, label, 0, cue))
    return out, cands


_MARKER_FIRST = frozenset("0123456789IVX(-–•+*Đ")
_NOT_AFTER_NUMBER = frozenset(",/%-:;'")
_ANY_DIGIT = regex.compile(r"\d")


def _may_open_marker(raw: str) -> bool:
    """False when `_MARKER.match(raw)` surely fails, told by the first characters (lines opening
    with "Đ", "(", "V", "X" or a number are mostly not items: "Đồng thời", "(Ký, ghi họ tên)",
    "2024", "10%"): "Đ" opens only "Điều", "(" only "(<digits>)", a Roman numeral is followed by
    itself, "." or a space, never by another letter, and a number by one or two digits only and
    then by neither a letter nor a sign like "," "/" "%"."""
    r0, r1 = raw[:1], raw[1:2]
    if r0 == "Đ":
        return raw.startswith("Điều")
    if r0 == "(":
        return r1 in _DIGITS or _ANY_DIGIT.match(r1) is not None  # `\d` is any decimal digit
    if r0 in "IVX":
        return not (r1.isalpha() and r1 not in "IVX")
    if r0 in _DIGITS:
        # a number is followed by ".", ")" or a space: not by nothing ("3", a page number), a third
        # digit, a letter, or a sign
        if r1 in _DIGITS:
            r2 = raw[2:3]
            return not (r2 == "" or r2 in _DIGITS or r2.isalpha() or r2 in _NOT_AFTER_NUMBER)
        return not (r1 == "" or r1.isalpha() or r1 in _NOT_AFTER_NUMBER)
    return True


_COMPOSITION_KINDS = frozenset({"dieu", "roman"})  # a heading of these kinds says whether members are listed
_LEVEL = {"roman": 0, "dieu": 0, "num": 1, "letter": 2, "paren": 2, "bullet": 3}


# headings of parts that assign nothing (SPEC: scope, object of application, aims, targets, principles,
# funding; an article that approves, publishes, permits or appoints lists what it approves)
_ZONE_KINDS = frozenset({"roman", "num", "dieu"})
# ("II. CHỈ TIÊU, NHIỆM VỤ", "I. MỤC TIÊU, NHIỆM VỤ VÀ GIẢI PHÁP": a part that also names the tasks holds
# them, under its own "b) Nhiệm vụ"; its "a) Mục tiêu" is still a part of targets)
_NO_TASK_SECTION = regex.compile(r"^(?:MỤC ĐÍCH|Mục đích|PHẠM VI|Phạm vi|ĐỐI TƯỢNG|Đối tượng|MỤC TIÊU|Mục tiêu|CHỈ TIÊU|Chỉ tiêu|"
                                 r"NGUYÊN TẮC|Nguyên tắc|KINH PHÍ|Kinh phí)(?!\p{L})"
                                 r"(?![^.;:]*(?:NHIỆM VỤ|[Nn]hiệm vụ|GIẢI PHÁP|[Gg]iải pháp|TỔ CHỨC THỰC HIỆN|[Tt]ổ chức thực hiện))"
                                 r"[^.;:]{0,100}:?$|^(?:YÊU CẦU|Yêu cầu)\s*:?$")
_NO_TASK_ARTICLE = regex.compile(r"^(?:Phê duyệt|Công bố|Công nhận|Cho phép|Chỉ định|Phê bình|Khen thưởng|Tặng|Thống nhất|"
                                 r"Chấp thuận|Đồng ý|Phê chuẩn|Phạm vi|Đối tượng)(?!\p{L})")
# the first letters of their branches
_NO_TASK_SECTION_FIRST = frozenset("MPĐCNKY")
_NO_TASK_ARTICLE_FIRST = frozenset("PCKTĐ")
_GUIDANCE = regex.compile(r"(?<!\p{L})hướng dẫn(?!\p{L})(?![^:]*(?:yêu cầu|đề nghị|giao(?!\p{L})))")
_PAST = regex.compile(r"\s(?:đã|đang)\s(?!được giao)|trong đó\s*:\s*$")
_HEADING_LEAD = regex.compile(r"^(?P<who>[^,;:]{3,120}?)\s+chủ trì,?\s*(?:phối hợp|phối với|cùng)(?:\s+với)?\s+(?P<partners>.+)$")
_HEADING_ASK = regex.compile(r"^(?P<who>[^,;:]{3,120}?)\s+chỉ đạo\s+[^,;:]{1,80}?\s+và\s+đề nghị\s+(?P<other>.+)$")


_RESP_OPENERS = ("Trách nhiệm của", "Nhiệm vụ của")  # what `_RESP_OF` opens with
_HEADING_KINDS = frozenset({"num", "letter", "roman", "paren"})  # the markers of a heading without a colon
_RESP_OF = regex.compile(r"^(?:Trách nhiệm|Nhiệm vụ) của\s+(?P<who>.+?)\s*:?$")


def _heading_agency(line: _Line) -> tuple[list[str], list[str]] | None:
    """An agency heading: "1. Sở Y tế", "b) Giao Sở Nội vụ:", "2. UBND các huyện, thị xã:" (no action)."""
    t = line.text.rstrip()
    if len(t) > 220:
        return None
    if t[:2] not in _HEAD_PREFIXES and t[:1] not in "TNGgĐđYy":
        return None  # opens with neither "Trách nhiệm/Nhiệm vụ của", "Giao/Đề nghị/Yêu cầu" nor an agency word
    resp = _RESP_OF.match(t) if t.startswith(_RESP_OPENERS) else None
    if resp and _head(resp.group("who")):
        return split_agencies(resp.group("who")), []
    colon = t.endswith(":")
    if not colon and line.kind not in _HEADING_KINDS:
        # a heading without a colon is a bare list of bodies: "1. Sở Y tế", "6. Sở A, Đài B, Báo C"
        # (a numbered or lettered line: a "-" line naming a body is a member of a list, not a heading);
        # told before the tests below, which cannot make it one
        return None
    m = _GIAO.match(t) if t[:1] in "GgĐđYy" else None  # what `_GIAO` opens with
    body = m.group("rest") if m else t
    if not _head(body) or _verb_first(body) or ((_HAS_PAST_WORD(body) or "ó" in body and "trong đó" in body)
                                                              and _PAST.search(body)) or _not_task(body):
        return None  # "Sở Y tế trân trọng kính mời:" heads a list of guests
    if not colon:
        if len(body) > 200 or body.endswith((".", ";")):
            return None
        stop = _STOP_RE.search(body)
        if stop:
            # "a) Sở Tài chính chủ trì, phối hợp các sở, ban, ngành": leads and partners, no action
            lead = _HEADING_LEAD.match(body)
            if lead and _head(lead.group("who")):
                partners = lead.group("partners")
                if _strip_partner_tail(partners) == partners.strip(" ,;.-–"):
                    return split_agencies(lead.group("who")), split_agencies(partners)
            # "c) Bộ Chỉ huy quân sự tỉnh chỉ đạo lực lượng Bộ đội Biên phòng và đề nghị Bộ tư lệnh Vùng
            # Cảnh sát biển 3": a body the issuer cannot order is asked; both lead the items below
            ask = _HEADING_ASK.match(body)
            if ask and _head(ask.group("who")) and _head(ask.group("other")) \
                    and not _STOP_RE.search(ask.group("other")):
                return split_agencies(ask.group("who")) + split_agencies(ask.group("other")), []
            return None
        names = split_agencies(body)
        return (names, []) if names else None
    body = body[:-1].strip()
    coords = _coordinators(body + ":", anywhere=True)
    head = _R.split(r",?\s*(?:chủ trì|phối hợp|phối với|cùng với)(?!\p{L})", body)[0]
    if _STOP_RE.search(head):
        head = _STOP_RE.head(head)
    names = split_agencies(head)
    return (names, coords) if names else None


# the types whose lead-in ("Chủ tịch UBND tỉnh yêu cầu:") points at the addressees of "Kính gửi":
# `find_tasks` reads its `recipients` (what `addressees` gives) for these types only, so a caller
# may skip `addressees` for the others
LETTER_TYPES = frozenset({"Công văn", "Thông báo", "Văn bản", "Công điện", None})
_UNSET = object()


def _path_of(stack: list) -> tuple[str | None, tuple | None]:
    """The section path ("II.1.a") of the outline stack and the time its lists state, if any."""
    when = None
    for x in reversed(stack):
        if x[4]:
            when = x[4]
            break
    return ".".join([x[3] for x in stack if x[3]]) or None, when


def find_tasks(text: str, body_start: int = 0, doc_type: str | None = None, recipients: list[str] | None = None,
               doc_year: int | None = None, issuer: str | None = None, subject: str | None = None) -> list[Task]:
    """Every task the document assigns, in order (Forms 1–6 of the module docstring)."""
    if doc_type in {"Báo cáo", "Tờ trình"}:
        return []  # a Giấy mời is read: the invitation is no task, an ask beside it is ("Đề nghị UBND các xã chuẩn bị báo cáo …")
    end = len(text)
    if doc_type in _NORMATIVE_TYPES:
        # a law, decree or circular assigns work in its closing provisions ("Chương … TỔ CHỨC THỰC
        # HIỆN", "Điều … Trách nhiệm thi hành", "Điều khoản thi hành"), not in its rules
        at = _last_closing(text, body_start)
        body_start = at if at is not None else max(body_start, int(end * 0.85))
    lines, cands = _read_lines(text, body_start, end)
    in_tcth = doc_type not in {"Kế hoạch", "Quyết định", "Chương trình", "Đề án"}
    tasks: list[Task] = []
    # stack of (level, names, coords, label, deadline-for-list)
    stack: list[tuple[int, list[str] | None, list[str], str | None]] = []
    lead_in: list[str] | None = None
    # the addressees are the doers of a letter's lead-in only (Form 5); other types never read them
    recipients = [normalise_assignee(r) for r in (recipients or []) if r.strip()] if doc_type in LETTER_TYPES else []
    quoted = False
    in_recipients = False
    composition = False
    table: dict | None = None
    # an executor line opens with "Cơ quan" or "Đơn vị": without a line opening with "C" or "Đ" there
    # is no block
    if cands:
        blocks, covered = _executor_blocks(lines, cands)
    else:
        blocks, covered = {}, set()
    issuer_level = _level(issuer)
    item_sections: dict[int, str | None] = {}
    state = None
    after_heading = False
    skip_lvl: float | None = None
    for idx, ln in enumerate(lines):
        t = ln.text
        # Fast path for a line of the recipients list and the signature stack, or of an attached
        # paper's tail read as if it were one (a decree's forms after "Nơi nhận:"): with no table
        # open, a line that holds no "|" (no table row or header), is neither an Điều nor a Roman
        # heading nor ends with ":" (it cannot set `composition`) and holds no word of an annex
        # title goes, through every test below, to a `continue` that changes no state.
        if in_recipients and table is None and "|" not in t and not t.endswith(":") \
                and ln.kind not in _COMPOSITION_KINDS and not _could_be_annex(t):
            continue
        # Fast path for the commonest line: a plain paragraph line (no marker, no cue word, no ":" at
        # its end, no "|") while nothing is open that could make it work (no lead-in, no heading
        # agency in force, no table, no skipped part, no composition, no quote, no recipients list)
        # and that opens neither with an agency, nor the recipients or the signature, nor a quote, nor
        # names the closing part: every test below would let it through to "nothing on this line can
        # assign work", and it changes no state but `after_heading` (which only a lead-in reads,
        # and a lead-in is set after it is written again).
        if ln.kind is None and not ln.cue and lead_in is None and state is not None and state[1] is None \
                and table is None and skip_lvl is None and not (composition or in_recipients or quoted) \
                and "|" not in t and not t.endswith(":") and idx not in covered and idx not in blocks:
            first = t[:1]
            if not (t[:2] in _HEAD_PREFIXES and _head(t)) and first not in '“"' \
                    and not (t.startswith(_RECIPIENTS_OPENERS) and _RECIPIENTS_START.match(t)) \
                    and not (len(t) < 120 and ("ệ" in t or "Ệ" in t) and _closing_words(t)):
                after_heading = False
                continue
        if table is None and t[:1] == "|" and not ln.cue and not _table_cue(t):
            continue  # a row of a table that is not a schedule of tasks (a price list, a catalogue)
        # Form 8: a schedule table "Nội dung | Trách nhiệm thực hiện | Thời gian (Năm 2026)": each row
        # is a task of the body in its responsibility cell
        raw_line = text[ln.start:ln.end] if "|" in t else t
        if "|" in t and " | " in raw_line:  # (a line without "|" is its own raw line)
            cells = [c.strip() for c in raw_line.split(" | ")]
            head = _table_header(cells) if ("rách nhiệm" in raw_line or "Đơn vị" in raw_line or "Cơ quan" in raw_line
                                            or "RÁCH NHIỆM" in raw_line or "ĐƠN VỊ" in raw_line or "CƠ QUAN" in raw_line
                                            or "hủ trì" in raw_line or "HỦ TRÌ" in raw_line) else None
            if head:
                table = head
                continue
            if table and len(cells) == table["n"]:
                tasks.extend(_row_tasks(cells, table, ln, raw_line, doc_year))
                continue
            if not table and raw_line.lstrip().startswith("|") and not _has_cue(raw_line):
                continue  # a row of a table that is not a schedule of tasks (a price list, a catalogue)
        elif table and ln.kind is None and not ln.text.startswith(("-", "+")):
            table = None
        # the members of a body the document sets up ("Điều 1. Thành lập Ban Chỉ đạo … gồm:",
        # "Ông X, Giám đốc Sở Y tế, Phó Trưởng ban") are a list of people, not of tasks
        if ln.kind in _COMPOSITION_KINDS:
            composition = _composition_head(ln.text)
        elif ln.text.endswith(":") and _composition_head(ln.text):
            composition = True
        if composition or "," in t and _member_line(t):
            continue
        # the "Nơi nhận:" list and the signature stack assign nothing; an attached paper after them
        # (a Quy chế, a Kế hoạch "ban hành kèm theo") is read again
        first = ln.text[:1]
        if ln.text.startswith(_RECIPIENTS_OPENERS) and _RECIPIENTS_START.match(ln.text):
            in_recipients = True
            continue
        if in_recipients:
            if _maybe_annex(ln.text) and _ANNEX_TITLE.match(ln.text):
                in_recipients = False
                stack, lead_in, state, skip_lvl = [], None, None, None
            continue
        # Form 9: an item followed by its executor and its time ("- Cơ quan thực hiện: Sở Nội vụ chủ
        # trì, phối hợp với …", "- Thời gian thực hiện: Quý II/2026"): the item is that body's task
        if idx in blocks:
            items, who, partners, when = blocks[idx]
            heads = [lines[it[0]] for it in items]
            if heads:
                tasks.extend(_executor_tasks(who, partners, heads, ln, when, doc_year,
                                             [item_sections.get(it[0]) for it in items]))
            continue
        if first in "CĐT" and t.startswith(_BLOCK_STARTS) and (_TIME_LINE.match(t) or _PARTNER_LINE.match(t) or _EXECUTOR.match(t)):
            continue
        # text quoted from another document ("“1. Theo quy định …”") assigns nothing here
        if quoted or ln.text.startswith(("“", '"')) and not _R.search(r"[”\"]\s*[.;,]?\s*$", ln.text[1:]):
            quoted = not _R.search(r"[”\"]\s*[.;,]?\s*$", ln.text) if (quoted or len(ln.text) > 1) else quoted
            if ln.text.startswith(("“", '"')) and not quoted and not _R.search(r"[”\"]", ln.text[1:]):
                quoted = True
            continue
        if not ln.kind and not ln.text.rstrip().endswith(":") and lead_in is not None and not after_heading:
            # a plain paragraph ends the list a lead-in opened, unless it is the body of a heading
            # ("3. Sở Tư pháp" / "Tập trung thực hiện Kế hoạch số 36/KH-STP …")
            lead_in = None
        after_heading = bool(ln.kind) and ln.kind != "bullet" and len(t) < 160 and not t.endswith((".", ";", ":"))
        if len(t) < 120 and ln.kind in {"roman", "dieu", "num", None} and ("ệ" in t or "Ệ" in t) and _closing_words(t) \
                and _TCTH.search(t):
            in_tcth = True
        colon = t.endswith(":")
        if ln.kind or colon:
            lvl = _LEVEL.get(ln.kind, 4) if ln.kind else (stack[-1][0] + 0.5 if stack else -0.5)
            if ln.kind:
                while stack and stack[-1][0] >= lvl:
                    stack.pop()
                    state = None
                if skip_lvl is not None and lvl <= skip_lvl:
                    skip_lvl = None
                if ln.kind in _ZONE_KINDS and len(t) < 400 and (
                        t[:1] in _NO_TASK_SECTION_FIRST and _NO_TASK_SECTION.match(t) if ln.kind != "dieu"
                        else t[:1] in _NO_TASK_ARTICLE_FIRST and _NO_TASK_ARTICLE.match(t)):
                    skip_lvl = lvl  # scope, targets, funding, an approval: nothing under it is a task
            if skip_lvl is not None:
                continue
            label = ln.label if ln.kind and ln.kind != "bullet" else None
            if ln.kind == "dieu" and label:
                label = label.replace("  ", " ")
            # (a "-" or "Điều" line without a colon heads nothing but "Trách nhiệm của …": told here)
            head = _heading_agency(ln) if len(t) <= 220 and (
                colon or ln.kind in _HEADING_KINDS or t.startswith(_RESP_OPENERS)) else None
            if head is None and colon and _not_task_item(t):
                # "Thống nhất tổ chức Hội nghị … . Giao Trung tâm …:": the sentence that gives work heads
                later = _LATER_GIVES.search(t)
                if later:
                    rest = t[later.start() + 1:].lstrip()
                    head = _heading_agency(_Line(ln.start, ln.end, rest, ln.body_start, ln.kind, ln.label, 0))
            if head and (in_tcth or colon or ln.kind in {"num", "letter"}):
                stack.append((lvl, head[0], head[1], label, None))
                state = None
                continue
            if ln.kind and ln.kind != "bullet":
                # "I. NHỮNG NHIỆM VỤ CẦN TRIỂN KHAI NGAY TRONG THÁNG 12/2025": a time stated once for a
                # list applies to every item of it that has no time of its own (SPEC, deadline)
                when = None
                if after_heading and ("háng" in t or "HÁNG" in t or "uý" in t or "UÝ" in t or "uỹ" in t):
                    d = deadline_of(t, doc_year)
                    if d[0] is not None:
                        when = d[:2]
                stack.append((lvl, None, [], label, when))
                state = None
        elif skip_lvl is not None:
            if not _is_title_case_line(t):
                continue
            skip_lvl = None  # an upper-case title ("… CHƯƠNG TRÌNH HÀNH ĐỘNG. II. NỘI DUNG HOẠT ĐỘNG") ends it
        if state is None:
            # the heading in force, recomputed when the stack changes; the section path and the time
            # of the list are filled in when a line needs them (most lines are passed over first)
            named = None
            for x in reversed(stack):  # (a loop: a generator costs more on these short stacks)
                if x[1]:
                    named = x
                    break
            state = [_UNSET, named, _UNSET]
        inherited = state[1]
        if idx in covered:
            if state[0] is _UNSET:
                state[0], state[2] = _path_of(stack)
            item_sections[idx] = state[0]
            continue  # Form 9: the executor block after it says whose task it is
        if not colon and not inherited and not lead_in and not ln.cue and not (t[:2] in _HEAD_PREFIXES and _head(t)):
            continue  # nothing on this line can assign work
        if _not_task(t) or first in "TX" and _PREAMBLE.match(t):
            continue
        if _not_task_item(t):
            later = _LATER_GIVES.search(ln.text)
            if not later:
                continue
            # only the sentence that gives work: "Thống nhất … . Hiệp hội … có trách nhiệm …"
            cut = later.start() + 1 + (len(ln.text[later.start() + 1:]) - len(ln.text[later.start() + 1:].lstrip()))
            ln = _Line(ln.start, ln.end, ln.text[cut:], ln.body_start + cut, None, ln.label, ln.depth, _has_cue(ln.text[cut:]))
        if colon and _directive_leadin(ln.text[-260:]):
            # Form 5: a lead-in that names nobody points at the addressees of a letter or notice; the
            # issuer's guidance ("Bộ Y tế hướng dẫn thực hiện một số nội dung … như sau:") asks nothing
            letter = doc_type in LETTER_TYPES
            lead_in = _leadin_doers(ln.text) or ((recipients or None) if letter and not _GUIDANCE.search(ln.text[-260:])
                                                 else None)
            continue
        if colon and not inherited and not lead_in and not _head(ln.text) and not ln.cue:
            continue
        item_lead = lead_in if not inherited else None
        if item_lead and after_heading and (_is_title_case_line(t) or idx + 1 < len(lines)
                                            and _LEVEL.get(lines[idx + 1].kind, -1) > _LEVEL.get(ln.kind, 9)):
            item_lead = None  # a heading over the items ("I. NHỮNG NHIỆM VỤ …", "1. Nhiệm vụ, giải pháp chung")
        if state[0] is _UNSET:
            state[0], state[2] = _path_of(stack)
        section, list_when = state[0], state[2]
        found = _clause_tasks(ln, text, inherited, item_lead, in_tcth, section, doc_year, doc_type, issuer_level)
        if tasks and found:
            # a closing exhortation repeats the tasks listed above it (SPEC: "Yêu cầu Thủ trưởng … nghiêm
            # túc thực hiện", "Đề nghị các cơ quan … quan tâm thực hiện", "… tổ chức thực hiện tốt các
            # nội dung trên")
            found = [tk for tk in found if not _EXHORT.match(tk.action)]
        if list_when:
            for tk in found:
                if not tk.deadline_text and not tk.recurrence:
                    tk.deadline, tk.deadline_text = dt.datetime.combine(list_when[0], dt.time()), list_when[1]
        tasks.extend(found)
    _resolve_short_names(tasks)
    own = _issuer_key(issuer) if issuer and tasks else None
    # the issuer does not assign work to itself: "UBND tỉnh nhận được …", "UBND tỉnh sẽ …"
    tasks = [t for t in tasks if not (own and own.startswith(fold(t.assignee)) and len(fold(t.assignee)) > 12)]
    if subject and _SETS_UP.match(subject):
        # a decision that sets up a body lists that body's standing duties: not tasks, unless dated
        tasks = [t for t in tasks if t.deadline or not _MEMBER_OF_BODY.search(t.assignee)]
    return tasks


@lru_cache(maxsize=1024)
def _issuer_key(issuer: str) -> str:
    """The issuer's name with its abbreviations expanded, folded (the same issuers sign document
    after document, and expanding runs some thirty substitutions)."""
    return fold(expand_abbreviations(issuer))


_SHORT_HEADS = frozenset({"trung tâm", "ban", "hội", "quỹ", "ban quản lý", "công ty", "nhà đầu tư", "tổ công tác",
                          "đoàn", "liên đoàn", "hiệp hội", "viện", "bệnh viện", "trường"})
_FUNCTION_WORDS = frozenset({"các", "và", "của", "thuộc", "những", "cùng", "với", "tại", "trên"})


def _resolve_short_names(tasks: list[Task]) -> None:
    """Names written short after the full name (SPEC: `Trung tâm` → the full name used earlier in the
    text), and a full name with a dropped word ("Trung tâm Xúc đầu tư, Thương mại và Du lịch" beside
    "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh"), take the document's full spelling.
    Surface forms: a bare head noun (Trung tâm, Ban, Hội, Quỹ, Công ty, Ban Quản lý …) after a name
    that opens with it; a name of six words or more whose words all occur, in order, in another name
    of the document that has the same first two words and one to two more words, one of them inside."""
    if len(tasks) < 2:
        return
    names = list(dict.fromkeys(n for t in tasks for n in (t.assignee, *t.coordinators)))  # in order, once each
    keys = {n: _loose(n) for n in names}
    mapping: dict[str, str] = {}
    for i, n in enumerate(names):
        k = keys[n]
        if " ".join(k) in _SHORT_HEADS:
            # the nearest earlier full name with that head, else a later one
            order = names[:i][::-1] + names[i + 1:]
            # the full name goes on in capitals ("Trung tâm Xúc tiến …"), not with a clause ("Tổ công tác tự …")
            full = next((m for m in order if len(keys[m]) > len(k) and keys[m][:len(k)] == k
                         and _R.match(r"\s*\p{Lu}", _R.sub(r"^(?:\S+\s+){%d}" % (len(k) - 1) + r"\S+", "", m))), None)
            if full:
                mapping[n] = full
            continue
        if len(k) < 6 or "các" in k:
            continue
        for m in names:
            km = keys[m]
            extra = len(km) - len(k)
            if m == n or not 1 <= extra <= 2 or km[:2] != k[:2]:
                continue
            it = iter(km)
            if not all(w in it for w in k):
                continue
            # the missing words: one must lie inside the name (a dropped word, not a longer name)
            j, missing_inside = 0, False
            for pos, w in enumerate(km):
                if j < len(k) and w == k[j]:
                    j += 1
                elif j < len(k) and w not in _FUNCTION_WORDS:
                    missing_inside = True
            if missing_inside:
                mapping[n] = m
                break
    if not mapping:
        return
    for t in tasks:
        if t.assignee in mapping:
            t.assignee = mapping[t.assignee]
            t.assignee_kind = _kind(t.assignee)
        if any(c in mapping for c in t.coordinators):
            cs: list[str] = []
            for c in t.coordinators:
                c = mapping.get(c, c)
                if fold(c) != fold(t.assignee) and c not in cs:
                    cs.append(c)
            t.coordinators = cs


_TABLE_CUE = regex.compile(r"rách nhiệm|Đơn vị|Cơ quan|ĐƠN VỊ|CƠ QUAN|TRÁCH NHIỆM|hủ trì|HỦ TRÌ")


def _table_cue(t: str) -> bool:
    """`_TABLE_CUE` as substring tests: the column names of a schedule of tasks."""
    # each word behind a letter of it that a line is told to lack by one fast one-character search
    # (a search for a word of several letters costs several times more)
    return ("ơ" in t and ("Đơn vị" in t or "Cơ quan" in t) or "Ơ" in t and ("ĐƠN VỊ" in t or "CƠ QUAN" in t)
            or "ệ" in t and "rách nhiệm" in t or "Ệ" in t and "RÁCH NHIỆM" in t
            or "ì" in t and "hủ trì" in t or "Ì" in t and "HỦ TRÌ" in t)


def _closing_words(t: str) -> bool:
    """`"HỰC HIỆN" in t or "hực hiện" in t or "RÁCH NHIỆM" in t or "rách nhiệm" in t` (the words of
    `_TCTH`), each behind a one-character search for a letter of it, as `_table_cue`."""
    return ("ệ" in t and ("hực hiện" in t or "rách nhiệm" in t)
            or "Ệ" in t and ("HỰC HIỆN" in t or "RÁCH NHIỆM" in t))


# the responsibility and partner columns: "Trách nhiệm thực hiện", "Cơ quan chủ trì", "Cơ quan, đơn vị
# chủ trì", "Chủ trì thực hiện" / "Đơn vị phối hợp", "Phối hợp thực hiện"
_RESP_COL = regex.compile(r"^(?:Trách nhiệm(?:\s+thực hiện)?|(?:(?:Đơn vị|Cơ quan)(?:,\s*đơn vị)?\s+)?(?:chủ trì|thực hiện|thực hiện chính|tham mưu|được giao)(?:\s+thực hiện)?)$", regex.I)
_COORD_COL = regex.compile(r"^(?:(?:Đơn vị|Cơ quan)(?:,\s*đơn vị)?\s+)?phối hợp", regex.I)
_TIME_COL = regex.compile(r"^(?:Thời gian|Thời hạn|Tiến độ)", regex.I)
_CONTENT_COL = regex.compile(r"^(?:Nội dung|Nhiệm vụ|Công việc|Tên nhiệm vụ|Hoạt động)", regex.I)
_ANY_DATE = regex.compile(rf"(?:ngày\s+)?(?:{_DATE})")
_CITED_IN_CELL = regex.compile(r"(?<!\p{L})số\s*\d|\d/(?:\d{4}/)?\p{Lu}")  # a document's number in a cell


_EXECUTOR = regex.compile(r"^(?:Cơ quan|Đơn vị)\s+(?:chủ trì\s+)?(?:thực hiện|chủ trì|thực hiện chính)\s*:\s*(?P<who>\S.*)$")
_PARTNER_LINE = regex.compile(r"^(?:Cơ quan|Đơn vị)\s+phối hợp(?:\s+thực hiện)?\s*:\s*(?P<who>\S.*)$")
_TIME_LINE = regex.compile(r"^(?:Thời gian|Thời hạn|Tiến độ)(?:\s+(?:thực hiện|hoàn thành))?\s*:")
_INLINE_TIME = regex.compile(r"\s*[-–]\s*(?=(?:Thời gian|Thời hạn|Tiến độ)(?:\s+(?:thực hiện|hoàn thành))?\s*:)")
_BLOCK_KINDS = {"num", "letter", "paren"}


def _is_title_case_line(t: str) -> bool:
    letters = [c for c in t[:60] if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _executor_blocks(lines: list[_Line], cands: list[int] | None = None) -> tuple[dict[int, tuple[list[list[int]], str, str, str]], set[int]]:
    """Form 9 layout: numbered items closed by an executor block ("- Cơ quan thực hiện: X chủ trì,
    phối hợp với Y", "- Đơn vị phối hợp: …", "- Thời gian thực hiện: …"). The block applies to every
    item since the previous block (SPEC: one block that closes several numbered items applies to
    each of them); a numbered line shallower than the items is their topic heading and ends the
    look-back, as do a Roman or Điều heading, an upper-case title, a lead-in ending in ":" and the
    previous block. Returns {executor line: (items as line indices, executor, partners, time)}
    and the lines the blocks own (not read again as items of a heading or a lead-in). `cands`: the
    indices, in order, of the lines that may be executor lines (all when None)."""
    blocks: dict[int, tuple[list[list[int]], str, str, str]] = {}
    covered: set[int] = set()
    block_line: set[int] = set()
    for idx in range(len(lines)) if cands is None else cands:
        ln = lines[idx]
        if ln.text[:2] not in ("Cơ", "Đơ") or not _EXECUTOR.match(ln.text):
            continue
        who = _EXECUTOR.match(ln.text).group("who")
        when = partners = ""
        inline = _INLINE_TIME.search(who)
        if inline:
            who, when = who[: inline.start()], who[inline.end():]
        j = idx + 1
        while j < len(lines) and j <= idx + 2:
            t = lines[j].text
            pm = _PARTNER_LINE.match(t)
            if pm:
                partners = pm.group("who")
            elif _TIME_LINE.match(t):
                when = t
            else:
                break
            block_line.add(j)
            j += 1
        block_line.add(idx)
        items: list[list[int]] = []
        buf: list[int] = []
        level = None
        k = idx - 1
        while k >= 0 and idx - k <= 15:
            c = lines[k]
            if k in block_line or c.kind in {"roman", "dieu"} or c.text.endswith(":") or _is_title_case_line(c.text):
                break
            if c.kind in _BLOCK_KINDS:
                lv = _LEVEL[c.kind]
                if level is not None and lv < level:
                    break  # the topic heading of the items
                level = lv if level is None else level
                items.insert(0, [k] + buf)
                buf = []
            elif c.kind in (None, "bullet"):
                buf.insert(0, k)
            k -= 1
        if not items and buf:
            items = [[buf[-1]]]
        elif buf and not items:
            items = [buf]
        blocks[idx] = (items, who, partners, when)
        covered.update(i for it in items for i in it)
    return blocks, covered


def _executor_tasks(who: str, partners: str, items: list[_Line], ln: _Line, when: str, doc_year: int | None,
                    sections: list[str | None]) -> list[Task]:
    """Form 9: the tasks of the items an executor block closes, one per item and lead."""
    s, keep = _protect(who)
    m = _R.search(r"\s+(?:chủ trì|phối hợp|cùng)(?!\p{L})|[.(]", s)
    subj = _restore(s[: m.start()] if m else s, keep).strip(" ,;.")
    if subj:
        cut = _STOP_RE.search(subj)  # "Sở Thông tin và Truyền thông đôn đốc, hướng dẫn …"
        if cut and cut.start() > 0:
            subj = subj[: cut.start()].strip(" ,;.")
    names = split_agencies(subj) if subj else []
    coords = _coordinators(who, block=True) + (split_agencies(_strip_partner_tail(partners)) if partners else [])
    deadline, dtext, recur = deadline_of(when, doc_year) if when else (None, None, None)
    if when and not dtext:
        dtext = _R.sub(r"^(?:Thời gian|Thời hạn|Tiến độ)(?:\s+(?:thực hiện|hoàn thành))?\s*:\s*", "", when).strip(" .;") or None
    out = []
    for item, section in zip(items, sections):
        own = _coordinators(item.text, every=True)
        item_recur = recur or deadline_of(item.text, doc_year)[2]
        for n in names:
            if not n:
                continue
            cs = []
            for c in coords + own:
                if fold(c) != fold(n) and all(fold(c) != fold(x) for x in cs):
                    cs.append(c)
            out.append(Task(assignee=n, action=item.text[:200], start=item.body_start, end=ln.end, coordinators=cs,
                            deadline=dt.datetime.combine(deadline, dt.time()) if deadline else None,
                            deadline_text=dtext, assignee_kind=_kind(n), recurrence=item_recur,
                            report_to=_report_to(item.text), section=section))
    return out


def _table_header(cells: list[str]) -> dict | None:
    resp = next((i for i, c in enumerate(cells) if _RESP_COL.match(c)), None)
    if resp is None or not any(_CONTENT_COL.match(c) or _TIME_COL.match(c) for c in cells):
        return None
    year = _R.search(r"(?:19|20)\d\d", " ".join(cells))
    return {"n": len(cells), "resp": resp,
            "coord": next((i for i, c in enumerate(cells) if _COORD_COL.match(c)), None),
            "time": next((i for i, c in enumerate(cells) if _TIME_COL.match(c)), None),
            "content": next((i for i, c in enumerate(cells) if _CONTENT_COL.match(c)), None),
            "year": int(year.group(0)) if year else None}


def _row_tasks(cells: list[str], table: dict, ln: _Line, raw: str, doc_year: int | None) -> list[Task]:
    who = cells[table["resp"]]
    if not who or not _head(normalise_assignee(who)):
        return []
    content = cells[table["content"]] if table["content"] is not None else ""
    when = cells[table["time"]] if table["time"] is not None else ""
    year = table["year"] or doc_year
    deadline = None
    dtext = when or None
    recur = deadline_of(when, year)[2] if when else None
    # a bare date in the time cell is the deadline ("30/6/2026"), not the date of a document the cell
    # cites ("Theo Điều 17 Nghị định số 52/2015/NĐ-CP ngày 28/5/2015": read as a phrase, or none)
    ms = list(_ANY_DATE.finditer(when)) if when and not _CITED_IN_CELL.search(when) else []
    if ms and recur is None:
        g = ms[-1].groupdict()
        try:
            y = int(g["y"]) if g["y"] else year
            deadline = dt.date(y, int(g["m"]), int(g["d"])) if y else None
        except (TypeError, ValueError):
            deadline = None
    elif when:
        deadline = deadline_of(when, year)[0]
    coords = split_agencies(cells[table["coord"]]) if table["coord"] is not None and cells[table["coord"]] else []
    names = split_agencies(who)
    return [Task(assignee=n, action=content[:200], start=ln.start, end=ln.end, coordinators=coords,
                 deadline=dt.datetime.combine(deadline, dt.time()) if deadline else None, deadline_text=dtext,
                 assignee_kind=_kind(n), recurrence=recur, report_to=None, section=None) for n in names]


def addressees(text: str, body_start: int = 0) -> list[str]:
    """The "Kính gửi:" list only (not "Nơi nhận"): the bodies a công văn tells what to do."""
    from .signature import read_recipients

    # one pass over the occurrences of "Nơi nhận" gives both the first one followed by a colon
    # ("Nơi nhận\s*:") and the first one in the last part of the text that `_body_end` wants
    n = len(text)
    lo = int(n * 0.3)
    at, best = -1, n
    i = text.find("Nơi nhận")
    while i >= 0 and (at < 0 or best == n):
        if at < 0 and text[i + 8: i + 40].lstrip()[:1] == ":":
            at = i
        if best == n and i >= lo and _NOI_NHAN.match(text, i):
            best = i
        i = text.find("Nơi nhận", i + 1)
    # a signature mark after the first "Nơi nhận:" cannot make the cut earlier: it is not looked for
    cut = min(_body_end(text, best, at + 1 if at >= 0 else None), at if at >= 0 else n)
    return read_recipients(text[:cut], body_start)[0]


_LEADIN_DOERS = regex.compile(r"(?:yêu cầu|đề nghị|giao)\s+(?P<who>(?:" + _HEAD_WORDS + r")[^:]{0,200}?)\s+"
                              r"(?:" + _STOP + r")(?!\p{L})", regex.IGNORECASE)


def _leadin_doers(line: str) -> list[str] | None:
    m = _LEADIN_DOERS.search(line)
    if m and _head(m.group("who")):
        return [normalise_assignee(m.group("who"))]
    return None


def _may_hold(t: str, words: tuple[str, ...]) -> bool:
    """False when no word of `words` (lower case) is in `t` in any case, as a case-insensitive regex
    reads case: a character matches a letter there exactly when it lower-cases to it, save "İ",
    which lower-cases to "i" and a combining dot (then the answer is True: the regex decides)."""
    low = t.lower()
    holds = _HOLDS.get(words)
    if holds is None:
        holds = _HOLDS[words] = _any_of(words)
    return "i\u0307" in low or holds(low)


_HOLDS: dict[tuple[str, ...], object] = {}  # `_any_of` of each tuple of words `_may_hold` is asked


# what every match of `_COMPOSITION_HEAD` and of `_DIRECTIVE_LEADIN` holds (in some case)
_COMPOSITION_WORDS = ("gồm", "thành lập", "kiện toàn", "thành phần", "cơ cấu tổ chức")
_LEADIN_WORDS = ("yêu cầu", "đề nghị", "giao", "chỉ đạo", "ý kiến", "thực hiện", "nội dung", "nhiệm vụ")


@lru_cache(maxsize=4096)
def _composition_head(t: str) -> bool:
    """`_COMPOSITION_HEAD.search(t)` as a truth value, the regex tried only when its words are there.
    Remembered: a heading line is asked again when it ends with ":"."""
    return _may_hold(t, _COMPOSITION_WORDS) and _COMPOSITION_HEAD.search(t) is not None


def _directive_leadin(t: str) -> bool:
    """`_DIRECTIVE_LEADIN.search(t)` as a truth value, the regex tried only when its words are there."""
    return _may_hold(t, _LEADIN_WORDS) and _DIRECTIVE_LEADIN.search(t) is not None


_COMPOSITION_HEAD = regex.compile(r"(?:^(?:Thành lập|Kiện toàn|Thành phần|Cơ cấu tổ chức)(?!\p{L})|"
                                   r"(?:gồm(?:\s+có)?|gồm các (?:thành viên|ông,? bà|đồng chí)|thành phần(?: gồm)?)\s*:\s*$)",
                                   regex.IGNORECASE)
_MEMBER = regex.compile(r",\s*(?:Phó\s+)?(?:Trưởng [Bb]an|Thành viên|Ủy viên|Uỷ viên|Tổ trưởng|Tổ phó|Thư ký|Chủ tịch Hội đồng|"
                        r"Phó Chủ tịch Hội đồng)(?:\s+[\p{L}\s]{0,40})?\s*[.;]?\s*$")
# the preamble of a decision: "Theo đề nghị của Hội … và Sở Tư pháp tại Tờ trình số …", "Xét đề nghị của …"
_PREAMBLE = regex.compile(r"^(?:Theo|Xét)\s+(?:đề nghị|đề xuất|Tờ trình|báo cáo)(?!\p{L})")
_EXHORT = regex.compile(
    r"(?:(?:nghiêm túc|quan tâm|khẩn trương|kịp thời|chủ động|tổ chức|triển khai|thực hiện|chỉ đạo|phối hợp)(?:\s*,\s*|\s+và\s+|\s+))+"
    r"(?:(?:tốt|nghiêm|có hiệu quả|đầy đủ)\s+)?(?:(?:các|những) nội dung (?:nêu )?trên|nội dung (?:Công văn|Thông báo|Kế hoạch|"
    r"Chỉ thị|Quyết định|văn bản) này|(?:Công văn|Thông báo|Chỉ thị|văn bản) này)(?!\p{L})"
    r"|(?:nghiêm túc|quan tâm|khẩn trương)\s+(?:triển khai\s+)?thực hiện\s*[./]*\s*$", regex.IGNORECASE)
_QUOTA = regex.compile(r"\sđược\s(?:\S+\s){1,3}\d")
_SHORT_PAREN = regex.compile(r"\([^()\n]{1,60}\)")
_ADVERBIAL = regex.compile(r"^(?:Căn cứ|Trên cơ sở|Để|Nhằm|Trong (?:thời gian|quá trình|thời hạn)|Theo|Sau khi)[^;:]{3,200}?,\s+"
                           r"(?=(?:" + _HEAD_WORDS + r")(?!\p{L}))")
_COORD_CUE = regex.compile(r"(?<!\p{L})(?:phối hợp(?:\s+chặt chẽ)?(?:\s+(?:với|cùng))?|phối với|cùng với)(?!\p{L})", regex.IGNORECASE)
_SENTENCE = regex.compile(r"[.;]\s+(?:(?:Đồng thời|đồng thời|Riêng|riêng|[Tt]ừ ngày [\d/]+|[Ss]au khi [^,;.]{3,60}),\s+)?"
                          r"(?=(?:" + _HEAD_WORDS + r"|Mỗi)(?!\p{L}))")
_SETS_UP = regex.compile(r"^(?:V/v\s+|Về việc\s+)?(?:thành lập|kiện toàn|củng cố|bổ sung thành viên)", regex.IGNORECASE)
_MEMBER_OF_BODY = regex.compile(r"Trưởng [Bb]an|Phó Trưởng|[Tt]hành viên|Tổ giúp việc|[Cc]ơ quan [Tt]hường trực|Ban Chỉ đạo|"
                                r"Hội đồng|Tổ công tác|Tổ trưởng|Ủy viên|Chủ tịch Hội đồng")


def _member_line(t: str) -> bool:
    """`_MEMBER.search(t)` as a truth value (a line naming a member and his role: "Ông X, Giám đốc Sở
    Y tế, Phó Trưởng ban"), tried at the line's last comma only: nothing after the comma that opens
    a match can be a comma, so a match opens at the last one. (Every line of the outline is asked;
    five substring tests before the search cost more than this.)"""
    k = t.rfind(",")
    return k >= 0 and _MEMBER.match(t, k) is not None


_MEMBER_WORDS = regex.compile(r"Trưởng|Thành viên|Ủy viên|Uỷ viên|Tổ trưởng|Tổ phó|Thư ký|Chủ tịch Hội đồng")
# what every match of `_RECIPIENTS_START` opens with (a line opening with "T" is mostly no "TM.")
_RECIPIENTS_OPENERS = ("Nơi nhận", "TM.", "KT.", "TL.", "TUQ.", "Q.")
_RECIPIENTS_START = regex.compile(r"^(?:Nơi nhận\s*:|(?:TM|KT|TL|TUQ|Q)\.\s*\p{Lu})")
# the title of a paper attached after the signature; web exports put "Quyết định 435/QĐ-UBND năm
# 2020. " before it, and its line names what it is attached to "(Ban hành kèm theo Quyết định …)"
_ANNEX_TITLE = regex.compile(r"^(?:[^\n.]{0,80}?\bnăm\s+\d{4}\.\s*)?(?:QUY CHẾ|QUY ĐỊNH|KẾ HOẠCH|CHƯƠNG TRÌNH|ĐỀ ÁN|"
                             r"PHƯƠNG ÁN|PHỤ LỤC|DANH MỤC|HƯỚNG DẪN)(?!\p{L})|^\(?(?:Ban hành )?[Kk]èm theo\s")
_ANNEX_KEYS = ("QUY CHẾ", "QUY ĐỊNH", "KẾ HOẠCH", "CHƯƠNG TRÌNH", "ĐỀ ÁN", "PHƯƠNG ÁN", "PHỤ LỤC", "DANH MỤC", "HƯỚNG DẪN",
               "èm theo")


def _maybe_annex(t: str) -> bool:
    """Every `_ANNEX_TITLE` holds one of these words: every line after "Nơi nhận" is tested, and the
    regex's lazy prefix cost 3.5 µs a line."""
    return _HAS_ANNEX_KEY(t)


_HAS_ANNEX_KEY = _any_of(_ANNEX_KEYS)
_ANNEX_OPENERS = tuple(k for k in _ANNEX_KEYS if k.isupper())


def _could_be_annex(t: str) -> bool:
    """False when `_maybe_annex(t) and _ANNEX_TITLE.match(t)` is surely false: a title opens with
    its word, or with "(", "Ban hành", "Kèm theo", or names a year ("năm 2020. ") before its word."""
    return t.startswith(_ANNEX_OPENERS) or t[:1] in "(BKk" or "ă" in t and "năm" in t and _maybe_annex(t)


_NORMATIVE_TYPES = {"Luật", "Bộ luật", "Pháp lệnh", "Nghị định", "Thông tư", "Thông tư liên tịch", "Nghị quyết liên tịch",
                    "Hiến pháp", "Văn bản hợp nhất"}
_CLOSING = regex.compile(r"(?m)^[ \t]*(?:Chương\s+[IVXLC]+\s*[.:]?\s*)?(?:TỔ CHỨC THỰC HIỆN|ĐIỀU KHOẢN THI HÀNH|"
                         r"Điều\s+\d+\.\s*(?:Tổ chức thực hiện|Trách nhiệm thi hành|Trách nhiệm tổ chức thực hiện|"
                         r"Điều khoản thi hành|Hiệu lực thi hành))")
# the key phrases of `_CLOSING`, the most frequent closing headings first: the answer does not depend
# on the order, but a heading found early bounds the search for the other phrases to the text after it
_CLOSING_KEYS = ("Hiệu lực thi hành", "Trách nhiệm thi hành", "Điều khoản thi hành", "Tổ chức thực hiện",
                 "Trách nhiệm tổ chức thực hiện", "TỔ CHỨC THỰC HIỆN", "ĐIỀU KHOẢN THI HÀNH")


_CLOSING_GUARDS = tuple((k, _guard_letter(k)) for k in _CLOSING_KEYS)


def _last_closing(text: str, start: int) -> int | None:
    """Start of the last `_CLOSING` heading at or after `start`: each key phrase is looked up from
    the end with `str.rfind` and the heading regex is tried on its line only (scanning the whole
    decree with the multi-line regex cost more than the rest of the task reading). The answer is the
    latest start of any phrase's last heading, so once one is found the other phrases are looked for
    after it only (`rfind` from `best`: an occurrence before it could not raise it)."""
    best = None
    for key, g in _CLOSING_GUARDS:
        hi = len(text)
        if g is not None and text.find(g, start if best is None else max(start, best)) < 0:
            continue  # a letter of the phrase is not there (an upper-case "Ổ", "Ề" seldom is)
        while True:
            k = text.rfind(key, start if best is None else max(start, best), hi)
            if k < 0:
                break
            line0 = max(text.rfind("\n", 0, k) + 1, start)
            # "Chương V" may stand on the line above ("\s*" of the regex spans the line break)
            q = line0 - 1
            while q > start and text[q] in " \t\n":
                q -= 1
            prev0 = max(text.rfind("\n", 0, q) + 1, start) if line0 > start else line0
            m = (_CLOSING.match(text, prev0, k + len(key)) if prev0 < line0 else None)
            if not m or m.end() != k + len(key):
                m = _CLOSING.match(text, line0, k + len(key))
            if m and m.end() == k + len(key):
                best = m.start() if best is None else max(best, m.start())
                break
            hi = k
    return best


_BODY_END = regex.compile(r"(?m)Nơi nhận[ \t]*:|^[ \t]*(?:TM|KT|TL|TUQ|Q)\.[ \t]*\p{Lu}")


_SIGN_LINE = re.compile(r"\n[ \t]*(?P<mark>(?:TM|KT|TL|TUQ|Q)\.)[ \t]*(\w)")
_NOI_NHAN = re.compile(r"Nơi nhận[ \t]*:")


def _body_end(text: str, best: int | None = None, stop: int | None = None) -> int:
    """Where the main text ends: the recipients list ("Nơi nhận:") or the signature stack (TM./KT.),
    the first of them in the last part of the text (used for the Kính gửi list; `find_tasks` reads
    on through an attached paper, skipping the recipients and the signature). Same result as
    `_BODY_END`, found with literal searches (the multi-line regex scanned every position).
    `best`: the "Nơi nhận:" the caller has found already; `stop`: no mark at or after it matters."""
    lo = int(len(text) * 0.3)
    if best is None:
        best = len(text)
        m = _NOI_NHAN.search(text, lo)
        if m:
            best = m.start()
    # the mark opens its line: searching from the line break lets the regex skip to each "\n"
    # (an alternation that must be tried at every position cost five times more)
    for m in _SIGN_LINE.finditer(text, max(text.rfind("\n", 0, lo), 0), best if stop is None else min(best, stop)):
        if m.start("mark") >= lo and m.group(2).isupper():
            return m.start() + 1  # the regex's "^[ \t]*" match starts at the line
    return best


_LEVELS = [
    (regex.compile(r"^(?:các\s+)?(?:bộ(?!\s+(?:tư lệnh|chỉ huy|đội))|chính phủ|thủ tướng|văn phòng chính phủ|quốc hội|ban bí thư|trung ương|tổng cục|cục|"
                   r"bảo hiểm xã hội việt nam|ngân hàng nhà nước việt nam)(?!\p{L})"), 0),
    (regex.compile(r"^(?:(?:phó )?chủ tịch |thường trực )?(?:ủy ban nhân dân|hội đồng nhân dân) (?:tỉnh|thành phố (?:hà nội|hồ chí minh|"
                   r"hải phòng|đà nẵng|cần thơ|huế))(?!\p{L})|^tỉnh ủy"), 1),
    (regex.compile(r"^(?:sở|ban|công an tỉnh|bảo hiểm xã hội tỉnh|thanh tra tỉnh|văn phòng ủy ban nhân dân tỉnh)(?!\p{L})"), 2),
    (regex.compile(r"^(?:(?:phó )?chủ tịch )?(?:ủy ban nhân dân|hội đồng nhân dân) (?:huyện|thị xã|thành phố|quận)(?!\p{L})|^phòng(?!\p{L})"), 3),
    (regex.compile(r"^(?:(?:phó )?chủ tịch )?(?:ủy ban nhân dân|hội đồng nhân dân) (?:xã|phường|thị trấn|đặc khu)(?!\p{L})"), 4),
]


@lru_cache(maxsize=4096)
def _level(name: str | None) -> int | None:
    """Rank of a body in the State hierarchy (0 central … 4 commune), None when unknown or a class."""
    if not name:
        return None
    low = fold(expand_abbreviations(name))
    for rx, lv in _LEVELS:
        if rx.search(low):
            return lv
    return None


def _upward(names: list[str], issuer_level: int | None) -> bool:
    """"Đề nghị Sở Y tế bổ sung …" in a commune's plan asks a higher body: a proposal, not a task (SPEC)."""
    if issuer_level is None:
        return False
    lv = [_level(n) for n in names]
    return bool(lv) and all(x is not None and x < issuer_level for x in lv)


# "…: Đề nghị Nhà đầu tư hoàn thiện hồ sơ …", "…, giao Sở Y tế …": an ask after the item's topic or an
# opening clause; "Sở Nội vụ có văn bản đề nghị các cơ quan …" is the doer's own letter (its object)
_LATER_ASK = regex.compile(r"(?:^|[,;.:]\s+|(?<!văn bản)\s)(?P<v>giao|đề nghị|yêu cầu|(?<=[.:]\s+)(?:Giao|Đề nghị|Yêu cầu))\s+"
                           r"(?P<rest>(?:" + _HEAD_WORDS + r")(?!\p{L}).+)$")


_ASK_WORDS = ("giao", "đề nghị", "yêu cầu", "Giao", "Đề nghị", "Yêu cầu")
# the first of them in a text (`re`: an alternation of literals is one pass, where six `find` were six)
_ASK_WORD = re.compile("|".join(map(re.escape, _ASK_WORDS)))
_HAS_ASK_WORD = _any_of(_ASK_WORDS)
_SPACE_BEFORE = regex.compile(r"\s*", regex.REVERSE)


def _later_ask(body: str):
    """`_LATER_ASK.search(body)`, started where its first match can start: the ask word of a match
    is one of `_ASK_WORDS`, and the match opens at most at the sign before the spaces before the
    first of them (the search tried its alternation at every position of the clause before)."""
    w = _ASK_WORD.search(body) if _HAS_ASK_WORD(body) else None  # (most clauses hold none: `_any_of` tells)
    if w is None or not _ask_before_head(body, w):
        return None
    return _LATER_ASK.search(body, max(_SPACE_BEFORE.match(body, 0, w.start()).start() - 1, 0))


_SPACE_RUN = regex.compile(r"\s+")


def _ask_before_head(body: str, w) -> bool:
    """False when no ask word of `body` (from the match `w` of `_ASK_WORD` on) is followed by white
    space and an agency word, as the ask word of every match of `_LATER_ASK` is (most clauses that
    hold "giao" or "đề nghị" hold it in "giao thông", "theo đề nghị của …", and the search tried its
    alternation at every position after it). The ask words cannot overlap one another, so the
    non-overlapping matches of `_ASK_WORD` are all their occurrences; a head word opens with a
    letter, so it starts where the run of white space ends."""
    while w is not None:
        s = _SPACE_RUN.match(body, w.end())
        if s is not None and _head(body[s.end():]):
            return True
        w = _ASK_WORD.search(body, w.end())
    return False


# "chủ trì, phối hợp với Sở … xây dựng …": the partner phrase before the action's own verb
_PARTNER_LEAD = regex.compile(r"^(?:chủ trì,?\s*)?(?:phối hợp(?: với)?|cùng với)\s+.+?(?=\s+(?:" +
                              _STOP.replace("phối hợp|phối với|", "") + r")(?!\p{L}))")


_INNER_ASK_SUBJECTS = ("Chủ tịch", "Phó Chủ tịch", "Thường trực", "Ban Thường vụ", "Ủy ban nhân dân", "UBND", "Bộ trưởng",
                       "Thủ tướng", "Bộ", "Sở", "Lãnh đạo")
_INNER_ASK = regex.compile(r"^(?:" + "|".join(_INNER_ASK_SUBJECTS) + r")[^;:]{0,80}?\s(?P<v>giao|đề nghị|yêu cầu)\s+(?P<rest>.+)$",
                           regex.S)
# what `_ADVERBIAL` opens with
_ADVERBIAL_STARTS = ("Căn cứ", "Trên cơ sở", "Để", "Nhằm", "Trong ", "Theo", "Sau khi")


def _clause_tasks(ln: _Line, text: str, inherited, lead_in, in_tcth: bool, section: str | None,
                  doc_year: int | None, doc_type: str | None, issuer_level: int | None = None) -> list[Task]:
    body = ln.text
    names: list[str] | None = None
    coords: list[str] = []
    action_at = 0
    m = _GIAO.match(body) if body[:1] in "GgĐđYy" else None
    # the issuer's lead-in is read only when the clause does not open with the ask itself, and only
    # when it opens with one of its subjects and holds one of its verbs (literals every match has)
    inner = _INNER_ASK.match(body) if m is None and body.startswith(_INNER_ASK_SUBJECTS) and (
        "giao" in body or "đề nghị" in body or "yêu cầu" in body) else None
    if inner and not _STOP_RE.search(body, 0, inner.start("v")) and _head(inner.group("rest")):
        # "Chủ tịch UBND tỉnh giao Sở …": the issuer's lead-in; "UBND các huyện rà soát … đề nghị hỗ
        # trợ" is a subject with its own verb, and "đề nghị" there is part of the action
        m = inner
    if m:  # Form 1 / 2
        rest = m.group("rest")
        subj, at = _subject(rest)
        if subj:
            names = split_agencies(subj)
            action_at = (len(body) - len(rest)) + at
            if fold(body[: m.start("rest")]).endswith(("đề nghị", "kiến nghị")) and _upward(names, issuer_level):
                return []
    else:
        # "Căn cứ nội dung Kế hoạch này …, các sở, ban, ngành … xây dựng …": the subject follows the
        # opening adverbial clause
        adv = _ADVERBIAL.match(body) if body.startswith(_ADVERBIAL_STARTS) else None
        if adv:
            body_off = adv.end()
            subj, at = _subject(body[body_off:])
            if subj and _STOP_RE.match(body[body_off + at:].lstrip()):
                names = split_agencies(subj)
                action_at = body_off + at
        subj, at = (None, 0) if names else _subject(body)
        if names:
            pass
        elif subj and (_STOP_RE.match(body[at:].lstrip()) or body[at:].lstrip().startswith(":")):  # Form 3
            names = split_agencies(subj)
            action_at = at
        else:
            lm = _later_ask(body)
            if lm:
                subj, at = _subject(lm.group("rest"))
                if subj:
                    names = split_agencies(subj)
                    action_at = lm.start("rest") + at
                    if lm.group("v").lower() == "đề nghị" and _upward(names, issuer_level):
                        return []
    if names is None:
        if inherited:  # Form 4
            names, coords = list(inherited[1]), list(inherited[2])
        elif lead_in and ln.kind:  # Form 5
            names = list(lead_in)
        else:
            return []
    action = body[action_at:].lstrip(" ,:")
    own_coords = _coordinators(action, every=True)
    if own_coords:
        coords = own_coords
    if action.startswith(("chủ trì", "phối hợp", "cùng với")):  # what `_PARTNER_LEAD` opens with
        action = _PARTNER_LEAD.sub("", action).lstrip(" ,")
    else:
        action = action.lstrip(" ,")
    if len(action) < 8 or not _R.search(r"\p{L}{3}", action):
        return []
    # Form 7: a later sentence with a subject of its own is that subject's task ("4. UBND huyện Sơn Tây
    # ban hành kế hoạch … . UBND các huyện, thị xã, thành phố báo cáo … trước ngày 15/7/2024.")
    extra: list[Task] = []
    # a sentence break is a "." or ";" with a space after it: an action without one before its last
    # character has no later sentence
    last = len(action) - 1
    for sm in _SENTENCE.finditer(action) if action.find(".", 0, last) >= 0 or action.find(";", 0, last) >= 0 else ():
        rest = action[sm.end():]
        subj, at = _subject(rest)
        if subj and _STOP_RE.match(rest[at:].lstrip()):
            sub_line = _Line(ln.start, ln.end, rest, ln.body_start + action_at + sm.end(), None, None, ln.depth)
            extra = _clause_tasks(sub_line, text, None, None, in_tcth, section, doc_year, doc_type, issuer_level)
            action = action[:sm.start() + 1]
            break
    clauses = _split_clauses(action)
    out = []
    for cl in clauses:
        deadline, dtext, recur = deadline_of(cl, doc_year)
        report = _report_to(cl)
        for n in names:
            if not n:
                continue
            out.append(Task(assignee=n, action=cl[:200], start=ln.body_start + action_at, end=ln.end,
                            coordinators=[c for c in coords if fold(c) != fold(n)],
                            deadline=dt.datetime.combine(deadline, dt.time()) if deadline else None,
                            deadline_text=dtext, assignee_kind=_kind(n), recurrence=recur, report_to=report,
                            section=section))
    return out + extra


def _split_clauses(action: str) -> list[str]:
    """Form 6: split at ";" only when the clauses carry different time phrases."""
    parts = [p.strip() for p in action.split(";") if p.strip()]
    if len(parts) < 2:
        return [action]
    out: list[str] = []
    timed = []
    for p in parts:
        d = deadline_of(p, None)
        timed.append((bool(d[1]) or bool(_R.search(r"kỳ họp|\b(?:19|20)\d\d\b", p) and _R.search(r"tại|trong|trước", p)), bool(d[2])))
    if sum(t for t, _ in timed) < 2 and not any(r for _, r in timed):
        return [action]  # one time phrase at the end of an item applies to the whole item
    for p, (has_date, has_recur) in zip(parts, timed):
        has_time = has_date or has_recur
        if out and not has_time:
            out[-1] = out[-1] + "; " + p
        else:
            out.append(p)
    # clauses before the first timed one belong together; keep order
    return out if len(out) > 1 else [action]


__all__ = ["find_tasks", "addressees", "deadline_of", "split_agencies", "normalise_assignee", "LETTER_TYPES"]
