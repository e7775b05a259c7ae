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
Not tasks: "… chịu trách nhiệm thi hành Quyết định này", "nếu có khó khăn, vướng mắc … báo cáo",
"Kính trình", invitations, past results.

Deadlines (`deadline_of`): "trước ngày 3/7/2024", "trước 16 giờ ngày 5/8/2024", "trước ngày 15/12"
(the document's year), "trước ngày 25 tháng 7 năm 2024", "trong tháng 6/2024" (its last day),
"trong quý II/2024" (its last day), "tại kỳ họp tháng 7 năm 2024", "chậm nhất … ngày …", "từ … đến
hết ngày …"; relative ("trong 15 ngày kể từ …") and recurring ones ("trước ngày 15 hằng tháng") keep
the text and no date. Recurrence: hằng tuần / tháng / quý / năm, định kỳ 6 tháng.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import cache

import regex

from .. import rules
from ..models import Task
from ..text.clean import fold
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
    rf"|(?P<letter>[a-zđ])\)\s*|\((?P<paren>\d{{1,2}})\)\s*|(?P<dieu>Điều\s+\d+)\.?\s*|(?P<bullet>[-–•+*])\s*)")
_HEAD_WORDS = (
    r"Ủy ban nhân dân|Uỷ ban nhân dân|UBND|Hội đồng nhân dân|HĐND|Sở|Phòng|Công an|Ban|Văn phòng|Trung tâm|"
    r"Bộ Chỉ huy|Bộ|Cục|Chi cục|Tổng cục|Bảo hiểm xã hội|BHXH|Kho bạc|Thanh tra|Đài|Báo|Ủy ban|Uỷ ban|"
    r"Mặt trận|Hội|Liên đoàn|Tỉnh đoàn|Đoàn|Quỹ|Ngân hàng|Viện|Tòa án|Bệnh viện|Trường|Các|các|"
    r"Chủ tịch|Phó Chủ tịch|Thủ trưởng|Giám đốc|Phó Giám đốc|Tổng Giám đốc|Trưởng ban|Trưởng Ban|Phó Trưởng ban|Chủ nhiệm|Trưởng phòng|Chánh Văn phòng|Lãnh đạo|Tổ công tác|"
    r"Tổ|Trạm|Đảng ủy|Tỉnh ủy|Huyện ủy|Thành ủy|Cơ quan|Doanh nghiệp|Nhà đầu tư|Cục Thuế|Chi nhánh|Công ty|Tập đoàn|"
    r"Kiểm toán|Viện kiểm sát|Đài Phát thanh|Cảnh sát|Bộ đội|Hải quan|Điện lực|Hạt|Vườn quốc gia|Đại học|"
    r"Cổng|Ủy ban Mặt trận|UBMTTQ|MTTQ|Người đứng đầu|Công chức|Cán bộ|Thường trực|Đảng đoàn|Đại biểu|đại biểu"
)
_HEAD = regex.compile(rf"^(?:{_HEAD_WORDS})(?!\p{{L}})")
# words that end an agency name and start the action
_STOP = (r"chủ trì|phối hợp|phối với|có trách nhiệm|chịu trách nhiệm|tham mưu|khẩn trương|(?<!các\s)(?<!những\s)(?<!Các\s)tổ chức(?!\s+(?:chính trị|xã hội|đoàn thể|hội(?!\s+(?:nghị|thảo|thi|chợ|diễn|trại))|tín dụng))|thực hiện|"
         r"triển khai|rà soát|xây dựng|hướng dẫn|chỉ đạo|báo cáo|theo dõi|căn cứ|nghiên cứu|đôn đốc|kiểm tra|"
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
         r"quản lý|đối chiếu|kiểm soát|thanh tra|hành động|sẽ|đã|có nhiệm vụ|có giải pháp|giải đáp|tháo gỡ")
# case matters: a verb in running text is lower case, a name is Title Case ("Bộ Xây dựng" vs "xây dựng")
# "các cơ quan, đơn vị được kiểm tra": a verb after "được" qualifies the name, it does not end it
_STOP_RE = regex.compile(rf"(?<!\p{{L}})(?<!được\s)(?:{_STOP})(?!\p{{L}})")
_VERB_FIRST = regex.compile(rf"^(?:{_STOP}|trường hợp|trong trường hợp)(?!\p{{L}})", regex.IGNORECASE)
_GIAO = regex.compile(r"^(?:Giao|giao|Đề nghị|đề nghị|Yêu cầu|yêu cầu)\s+(?P<rest>.+)$", regex.S)
_NOT_TASK = regex.compile(
    r"nhận được|đã nhận|ghi nhận|biểu dương|gồm có|là cơ quan thường trực|chịu trách nhiệm thi hành|thi hành (?:Quyết định|Nghị quyết|Chỉ thị) này|nếu có khó khăn|"
    r"có vướng mắc|kính trình|kính mời|trân trọng|xin ý kiến|để biết|đã (?:ban hành|tổ chức|thực hiện|triển khai)|"
    r"chịu trách nhiệm trước pháp luật", regex.IGNORECASE)
_DIRECTIVE_LEADIN = regex.compile(
    r"(?:yêu cầu|đề nghị|giao|chỉ đạo|ý kiến (?:chỉ đạo )?như sau|thực hiện (?:một số|các) (?:nội dung|nhiệm vụ)|"
    r"(?:nội dung|nhiệm vụ) (?:sau|như sau))\s*(?:[^:\n]{0,200})?:\s*$", regex.IGNORECASE)
_CUE = regex.compile(r"(?:giao|đề nghị|yêu cầu|trách nhiệm|chủ trì|phối hợp)(?!\p{L})", regex.IGNORECASE)
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
_RELATIVE = regex.compile(r"(?:trong (?:thời hạn|vòng) \d+ ngày|\d+ ngày (?:làm việc )?kể từ|kể từ ngày|theo thời gian quy định|"
                          r"đúng thời hạn|trước hội nghị|thường xuyên)", regex.IGNORECASE)
_RECUR = [
    (regex.compile(r"định kỳ\s+(?:06|6)\s+tháng|6 tháng,? (?:01 lần|một lần|năm)|hằng 6 tháng|sáu tháng một lần", regex.I), "semiannual"),
    (regex.compile(r"(?:hằng|hàng|mỗi)\s+tuần", regex.I), "weekly"),
    (regex.compile(r"(?:hằng|hàng|mỗi)\s+tháng", regex.I), "monthly"),
    (regex.compile(r"(?:hằng|hàng|mỗi)\s+quý", regex.I), "quarterly"),
    (regex.compile(r"(?:hằng|hàng|mỗi)\s+năm", regex.I), "annual"),
]
_REPORT = regex.compile(
    r"(?:báo cáo|gửi)(?:\s+kết quả(?:\s+thực hiện)?)?(?:\s+(?:về|cho|lên))?\s+"
    r"(?P<to>(?:Ủy ban nhân dân|UBND|Chủ tịch|Sở|Bộ|Văn phòng|Thủ tướng|Chính phủ|Ban|Tỉnh ủy|Hội đồng nhân dân|HĐND)"
    r"[^,;.:\n]*?(?:\s*\(qua\s+[^)]{1,80}\))?)(?=\s+(?:để|trước|chậm|theo|trong|định kỳ)|[,;.:\n]|$)")
_THAM_MUU = regex.compile(r"tham mưu\s+(?P<to>(?:Ủy ban nhân dân|UBND|Chủ tịch)[^,;.:\n]*?)(?=\s+(?:ban hành|trình|xem xét|chỉ đạo|quyết định|phê duyệt)|[,;.:\n])")


@dataclass
class _Line:
    start: int
    end: int
    text: str  # without the marker
    body_start: int  # offset where text begins
    kind: str | None  # roman, num, letter, paren, dieu, bullet, None
    label: str | None
    depth: int


def _year_end_month(y: int, m: int) -> dt.date | None:
    try:
        return dt.date(y, m, calendar.monthrange(y, m)[1])
    except ValueError:
        return None


def _roman(s: str) -> int:
    return {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}.get(s.upper(), 0)


def deadline_of(text: str, doc_year: int | None, first_due: bool = False) -> tuple[dt.date | None, str | None, str | None]:
    """(deadline, deadline_text, recurrence) of a clause. A recurring day ("hằng năm … trước ngày
    15/12") has no one deadline, unless `first_due` asks for its first date in the document's year
    (what response tracking checks)."""
    recurrence = None
    for rx, name in _RECUR:
        if rx.search(text):
            recurrence = name
            break
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
    rel = _RELATIVE.search(text)
    if rel:
        return None, None, recurrence
    return None, None, recurrence


# -- agencies --------------------------------------------------------------------------------
@cache
def _known_names() -> list[str]:
    names = [a.name for a in rules.agencies()]
    names += ["Sở Văn hóa, Thể thao và Du lịch", "Bộ Văn hóa, Thể thao và Du lịch", "Ủy ban Mặt trận Tổ quốc Việt Nam",
              "Sở Lao động - Thương binh và Xã hội", "Bộ Lao động - Thương binh và Xã hội"]
    return sorted({n for n in names if "," in n or " và " in n}, key=rules.longest_first)


def _protect(s: str) -> tuple[str, dict[str, str]]:
    """Hide the commas and "và" of known names so that a list splits between names only."""
    keep: dict[str, str] = {}
    low = fold(s)
    for i, n in enumerate(_known_names()):
        k = fold(n)
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


def normalise_assignee(name: str) -> str:
    name = _R.sub(r"\s+", " ", name).strip(" ,;:.-–")
    name = _R.sub(r"\s+và$", "", name)
    name = _R.sub(r"^(?:Giao|giao|Đề nghị|đề nghị|Yêu cầu|yêu cầu)\s+", "", name)
    name = _R.sub(r"\s*\((?!cũ\)|mới\)|trước sắp xếp\))[^)]*\)", "", name)
    name = expand_abbreviations(name)
    return name[:1].upper() + name[1:] if name else name


def split_agencies(phrase: str) -> list[str]:
    """"Sở Tài chính, Sở Kế hoạch và Đầu tư" → two; "UBND các huyện, thị xã, thành phố" → one."""
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
        if out and (not _HEAD.match(_restore(p, keep)) or "và" in sep and _R.fullmatch(r"\p{L}+", out[-1])):
            joiner = " và " if "và" in sep else ", "
            out[-1] = out[-1] + joiner + p
        else:
            out.append(p)
    return _distribute_owner([normalise_assignee(_restore(p, keep)) for p in out if p.strip()])


_OWNER = regex.compile(r"(?P<body>Hội đồng nhân dân|Ủy ban nhân dân)(?P<level>\s+(?:tỉnh|huyện|xã|thành phố|thị xã|phường))$")


def _distribute_owner(parts: list[str]) -> list[str]:
    """The owner named once at the end of a list belongs to each item: "Thường trực Hội đồng nhân
    dân, các Ban, các Tổ đại biểu và đại biểu Hội đồng nhân dân tỉnh" (every HĐND resolution's
    closing line) is four bodies of the provincial HĐND."""
    if len(parts) < 2:
        return parts
    m = _OWNER.search(parts[-1])
    if not m:
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


def _kind(name: str) -> str:
    low = fold(name)
    if _R.search(r"(?<!\p{L})các(?!\p{L})|(?<!\p{L})những(?!\p{L})|liên quan$|(?<!\p{L})địa phương(?!\p{L})", low):
        return "collective"
    if _R.match(r"(?:phó )?(?:chủ tịch|giám đốc|thủ trưởng|trưởng |chánh|lãnh đạo|công chức|cán bộ|người đứng đầu)", low):
        return "person"
    return "body"


def _subject(text: str) -> tuple[str | None, int]:
    """The agency phrase that opens a clause, and where the action starts (0 when none)."""
    if not _HEAD.match(text) or _VERB_FIRST.match(text):
        return None, 0  # "Tổ chức …", "Ban hành …", "Báo cáo …": an item that opens with its verb
    s, keep = _protect(text[:400])
    # a subject spans no sentence end (a name may hold commas); a ";" between two bodies ("Các sở,
    # ban, ngành; Ủy ban nhân dân các huyện …") is a list, not an end
    p = _R.search(r"[.:](?:\s|$)|;(?!\s*(?:" + _HEAD_WORDS + r")(?!\p{L}))(?:\s|$)|\(", s)
    if p:
        s = s[: p.start()] if s[p.start()] != ":" else s[: p.start() + 1]
    m = _STOP_RE.search(s)
    colon = s.find(":")
    end = m.start() if m else -1
    if 0 <= colon and (end < 0 or colon < end):
        end = colon
    if end <= 0:
        return None, 0
    phrase = _restore(s[:end], keep).rstrip(" ,")
    if len(phrase) > 250 or len(phrase) < 5 or fold(phrase) in {"các", "những", "các cơ", "ban"}:
        return None, 0
    # map back to the original length
    consumed = len(_restore(s[:end], keep))
    return phrase, consumed


def _coordinators(text: str) -> list[str]:
    """The bodies after "phối hợp (với)", "cùng với": only when an agency phrase follows ("phối hợp
    tuyên truyền" has no partner)."""
    m = _COORD_CUE.search(text)
    if not m:
        return []
    rest = text[m.end():].lstrip()
    if not _HEAD.match(rest):
        return []
    subj, at = _subject(rest)
    if subj is None:
        cut = _R.search(r"[;:.]|\s+(?:để|nhằm|trong việc)\s", rest)
        subj = rest[: cut.start()] if cut else rest[:150]
    subj = _R.sub(r"\s+(?:để|nhằm|trong việc|thực hiện|về|tại)(?!\p{L}).*$", "", subj.strip())
    return split_agencies(subj) if subj else []


def _report_to(text: str) -> str | None:
    m = _REPORT.search(text) or _THAM_MUU.search(text)
    if not m:
        return None
    to = _R.sub(r"\s+(?:kết quả|tình hình).*$", "", m.group("to")).strip(" ,")
    return normalise_assignee(to) if to else None


# -- the document ----------------------------------------------------------------------------
_BARE_MARKER = regex.compile(r"^[ \t]*(?:(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})[.)]|(?P<letter>[a-zđ])\)|(?P<roman>"
                            + _ROMAN + r")\.)[ \t]*$")


def _lines(text: str, start: int, end: int) -> list[_Line]:
    """The outline's lines with their markers. A marker alone on its line ("2." then "Giao Sở Lao
    động - Thương binh và Xã hội:" on the next, as table-less exports lay items out) marks the
    line after it."""
    out = []
    pos = start
    pending = None  # (kind, label) of a bare marker line
    for raw in text[start:end].split("\n"):
        ln_start, ln_end = pos, pos + len(raw)
        pos = ln_end + 1
        if not raw.strip():
            continue
        bare = _BARE_MARKER.match(raw)
        if bare:
            pending = next((k, bare.group(k)) for k in ("num", "letter", "roman") if bare.group(k))
            continue
        m = _MARKER.match(raw)
        kind = label = None
        body = raw
        b0 = ln_start
        if m and m.end() < len(raw):
            for k in ("roman", "num", "letter", "paren", "dieu", "bullet"):
                if m.group(k):
                    kind, label = k, m.group(k)
                    break
            body = raw[m.end():]
            b0 = ln_start + m.end()
        elif pending:
            kind, label = pending
        pending = None
        lead = len(body) - len(body.lstrip())
        out.append(_Line(ln_start, ln_end, body.strip(), b0 + lead, kind, label, 0))
    return out


_LEVEL = {"roman": 0, "dieu": 0, "num": 1, "letter": 2, "paren": 2, "bullet": 3}


def _heading_agency(line: _Line) -> tuple[list[str], list[str]] | None:
    """An agency heading: "1. Sở Y tế", "b) Giao Sở Nội vụ:", "2. UBND các huyện, thị xã:" (no action)."""
    t = line.text.rstrip()
    if len(t) > 220:
        return None
    resp = _R.match(r"^(?:Trách nhiệm|Nhiệm vụ) của\s+(?P<who>.+?)\s*:?$", t)
    if resp and _HEAD.match(resp.group("who")):
        return split_agencies(resp.group("who")), []
    m = _GIAO.match(t)
    body = m.group("rest") if m else t
    if not _HEAD.match(body):
        return None
    if not t.endswith(":"):
        # a heading without a colon is a bare list of bodies: "1. Sở Y tế", "6. Sở A, Đài B, Báo C"
        # (a numbered or lettered line: a "-" line naming a body is a member of a list, not a heading)
        if line.kind not in {"num", "letter", "roman", "paren"}:
            return None
        if _STOP_RE.search(body) or len(body) > 150 or body.endswith("."):
            return None
        names = split_agencies(body)
        return (names, []) if names else None
    body = body[:-1].strip()
    coords = _coordinators(body + ":")
    head = _R.split(r",?\s*(?:chủ trì|phối hợp|phối với|cùng với)(?!\p{L})", body)[0]
    if _STOP_RE.search(head):
        head = _STOP_RE.split(head)[0]
    names = split_agencies(head)
    return (names, coords) if names else None


def find_tasks(text: str, body_start: int = 0, doc_type: str | None = None, recipients: list[str] | None = None,
               doc_year: int | None = None, issuer: str | None = None, subject: str | None = None) -> list[Task]:
    """Every task the document assigns, in order (Forms 1–6 of the module docstring)."""
    if doc_type in {"Báo cáo", "Tờ trình", "Giấy mời"}:
        return []
    end = len(text)
    if doc_type in _NORMATIVE_TYPES:
        # a law, decree or circular assigns work in its closing provisions ("Chương … TỔ CHỨC THỰC
        # HIỆN", "Điều … Trách nhiệm thi hành", "Điều khoản thi hành"), not in its rules
        m = None
        for m in _CLOSING.finditer(text, body_start, end):
            pass
        body_start = m.start() if m else max(body_start, int(end * 0.85))
    lines = _lines(text, body_start, end)
    in_tcth = doc_type not in {"Kế hoạch", "Quyết định", "Chương trình", "Đề án"}
    tasks: list[Task] = []
    # stack of (level, names, coords, label, deadline-for-list)
    stack: list[tuple[int, list[str] | None, list[str], str | None]] = []
    lead_in: list[str] | None = None
    recipients = [normalise_assignee(r) for r in (recipients or []) if r.strip()]
    quoted = False
    in_recipients = False
    composition = False
    table: dict | None = None
    last_content: _Line | None = None
    for idx, ln in enumerate(lines):
        # Form 8: a schedule table "Nội dung | Trách nhiệm thực hiện | Thời gian (Năm 2026)": each row
        # is a task of the body in its responsibility cell
        raw_line = text[ln.start:ln.end]
        if " | " in raw_line:
            cells = [c.strip() for c in raw_line.split(" | ")]
            head = _table_header(cells)
            if head:
                table = head
                continue
            if table and len(cells) == table["n"]:
                tasks.extend(_row_tasks(cells, table, ln, raw_line, doc_year))
                continue
        elif table and ln.kind is None and not ln.text.startswith(("-", "+")):
            table = None
        # the members of a body the document sets up ("Điều 1. Thành lập Ban Chỉ đạo … gồm:",
        # "Ông X, Giám đốc Sở Y tế, Phó Trưởng ban") are a list of people, not of tasks
        if ln.kind in {"dieu", "roman"}:
            composition = bool(_COMPOSITION_HEAD.search(ln.text))
        elif ln.text.endswith(":") and _COMPOSITION_HEAD.search(ln.text):
            composition = True
        if composition or ("," in ln.text and _MEMBER_WORDS.search(ln.text) and _MEMBER.search(ln.text)):
            continue
        # the "Nơi nhận:" list and the signature stack assign nothing; an attached paper after them
        # (a Quy chế, a Kế hoạch "ban hành kèm theo") is read again
        if _RECIPIENTS_START.match(ln.text):
            in_recipients = True
            continue
        if in_recipients:
            if _ANNEX_TITLE.match(ln.text):
                in_recipients = False
                stack, lead_in = [], None
            continue
        # Form 9: an item followed by its executor and its time ("- Cơ quan thực hiện: Sở Nội vụ chủ
        # trì, phối hợp với …", "- Thời gian thực hiện: Quý II/2026"): the item is that body's task
        ex = _EXECUTOR.match(ln.text)
        if ex:
            if last_content is not None:
                nxt = lines[idx + 1] if idx + 1 < len(lines) else None
                when = nxt.text if nxt is not None and _TIME_LINE.match(nxt.text) else ""
                tasks.extend(_executor_tasks(ex.group("who"), last_content, ln, when, doc_year,
                                             ".".join(x[3] for x in stack if x[3]) or None))
            continue
        if _TIME_LINE.match(ln.text):
            continue
        last_content = ln
        # text quoted from another document ("“1. Theo quy định …”") assigns nothing here
        if quoted or ln.text.startswith(("“", '"')) and not _R.search(r"[”\"]\s*[.;,]?\s*$", ln.text[1:]):
            quoted = not _R.search(r"[”\"]\s*[.;,]?\s*$", ln.text) if (quoted or len(ln.text) > 1) else quoted
            if ln.text.startswith(("“", '"')) and not quoted and not _R.search(r"[”\"]", ln.text[1:]):
                quoted = True
            continue
        if not ln.kind and not ln.text.rstrip().endswith(":") and lead_in is not None:
            lead_in = None  # a plain paragraph ends the list a lead-in opened
        if len(ln.text) < 120 and ln.kind in {"roman", "dieu", "num", None} and _TCTH.search(ln.text):
            in_tcth = True
        lvl = _LEVEL.get(ln.kind, 4) if ln.kind else (stack[-1][0] + 0.5 if stack else -0.5)
        if ln.kind:
            while stack and stack[-1][0] >= lvl:
                stack.pop()
        section = ".".join(x[3] for x in stack if x[3]) or None
        label = ln.label if ln.kind and ln.kind != "bullet" else None
        if ln.kind == "dieu" and label:
            label = label.replace("  ", " ")
        head = _heading_agency(ln) if (ln.kind or ln.text.endswith(":")) and len(ln.text) <= 220 else None
        if head and (in_tcth or ln.text.endswith(":") or ln.kind in {"num", "letter"}):
            stack.append((lvl, head[0], head[1], label))
            continue
        if ln.kind and ln.kind != "bullet":
            stack.append((lvl, None, [], label))
            section = ".".join(x[3] for x in stack if x[3]) or None
        colon = ln.text.rstrip().endswith(":")
        inherited = next((x for x in reversed(stack) if x[1]), None)
        if not colon and not inherited and not lead_in and not _HEAD.match(ln.text) and not _CUE.search(ln.text):
            continue  # nothing on this line can assign work
        if _NOT_TASK.search(ln.text):
            continue
        if colon and _DIRECTIVE_LEADIN.search(ln.text[-260:]):
            # Form 5: a lead-in that names nobody points at the addressees of a letter or notice
            letter = doc_type in {"Công văn", "Thông báo", "Văn bản", "Công điện", None}
            lead_in = _leadin_doers(ln.text) or ((recipients or None) if letter else None)
            continue
        if colon and not inherited and not lead_in and not _HEAD.match(ln.text) and not _CUE.search(ln.text):
            continue
        tasks.extend(_clause_tasks(ln, text, inherited, lead_in if not inherited else None, in_tcth, section,
                                   doc_year, doc_type))
    own = fold(expand_abbreviations(issuer)) if issuer else None
    # the issuer does not assign work to itself: "UBND tỉnh nhận được …", "UBND tỉnh sẽ …"
    tasks = [t for t in tasks if not (own and own.startswith(fold(t.assignee)) and len(fold(t.assignee)) > 12)]
    if subject and _SETS_UP.match(subject):
        # a decision that sets up a body lists that body's standing duties: not tasks, unless dated
        tasks = [t for t in tasks if t.deadline or not _MEMBER_OF_BODY.search(t.assignee)]
    return tasks


_RESP_COL = regex.compile(r"^(?:Trách nhiệm(?:\s+thực hiện)?|(?:Đơn vị|Cơ quan)\s+(?:chủ trì|thực hiện|thực hiện chính|tham mưu|được giao)(?:\s+thực hiện)?)$", regex.I)
_COORD_COL = regex.compile(r"^(?:Đơn vị|Cơ quan)\s+phối hợp", regex.I)
_TIME_COL = regex.compile(r"^(?:Thời gian|Thời hạn|Tiến độ)", regex.I)
_CONTENT_COL = regex.compile(r"^(?:Nội dung|Nhiệm vụ|Công việc|Tên nhiệm vụ|Hoạt động)", regex.I)
_ANY_DATE = regex.compile(rf"(?:ngày\s+)?(?:{_DATE})")


_EXECUTOR = regex.compile(r"^(?:Cơ quan|Đơn vị)\s+(?:chủ trì\s+)?(?:thực hiện|chủ trì|thực hiện chính)\s*:\s*(?P<who>\S.*)$")
_TIME_LINE = regex.compile(r"^(?:Thời gian|Thời hạn|Tiến độ)(?:\s+(?:thực hiện|hoàn thành))?\s*:")


def _executor_tasks(who: str, item: _Line, ln: _Line, when: str, doc_year: int | None,
                    section: str | None) -> list[Task]:
    """Form 9: the task of an item whose executor line follows it."""
    s, keep = _protect(who)
    m = _R.search(r"\s+(?:chủ trì|phối hợp|cùng)(?!\p{L})|[.(]", s)
    subj = _restore(s[: m.start()] if m else s, keep).strip(" ,;.")
    names = split_agencies(subj) if subj else []
    coords = _coordinators(who)
    deadline, dtext, recur = deadline_of(when, doc_year) if when else (None, None, None)
    if not recur:
        recur = deadline_of(item.text, doc_year)[2]
    return [Task(assignee=n, action=item.text[:200], start=item.body_start, end=ln.end,
                 coordinators=[c for c in coords if fold(c) != fold(n)],
                 deadline=dt.datetime.combine(deadline, dt.time()) if deadline else None,
                 deadline_text=dtext, assignee_kind=_kind(n), recurrence=recur, report_to=_report_to(item.text),
                 section=section) for n in names if n]


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
    if not who or not _HEAD.match(normalise_assignee(who)):
        return []
    content = cells[table["content"]] if table["content"] is not None else ""
    when = cells[table["time"]] if table["time"] is not None else ""
    year = table["year"] or doc_year
    deadline = None
    dtext = when or None
    recur = deadline_of(when, year)[2] if when else None
    ms = list(_ANY_DATE.finditer(when)) if when else []
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

    m = _R.search(r"Nơi nhận\s*:", text)
    cut = min(_body_end(text), m.start() if m else len(text))
    return read_recipients(text[:cut], body_start)[0]


def _leadin_doers(line: str) -> list[str] | None:
    m = _R.search(r"(?:yêu cầu|đề nghị|giao)\s+(?P<who>(?:" + _HEAD_WORDS + r")[^:]{0,200}?)\s+"
                     r"(?:" + _STOP + r")(?!\p{L})", line, regex.IGNORECASE)
    if m and _HEAD.match(m.group("who")):
        return [normalise_assignee(m.group("who"))]
    return None


_COMPOSITION_HEAD = regex.compile(r"(?:^(?:Thành lập|Kiện toàn|Thành phần|Cơ cấu tổ chức)(?!\p{L})|"
                                   r"(?:gồm(?:\s+có)?|gồm các (?:thành viên|ông,? bà|đồng chí)|thành phần(?: gồm)?)\s*:\s*$)",
                                   regex.IGNORECASE)
_MEMBER = regex.compile(r",\s*(?:Phó\s+)?(?:Trưởng [Bb]an|Thành viên|Ủy viên|Uỷ viên|Tổ trưởng|Tổ phó|Thư ký|Chủ tịch Hội đồng|"
                        r"Phó Chủ tịch Hội đồng)(?:\s+[\p{L}\s]{0,40})?\s*[.;]?\s*$")
_ADVERBIAL = regex.compile(r"^(?:Căn cứ|Trên cơ sở|Để|Nhằm|Trong (?:thời gian|quá trình)|Theo|Sau khi)[^;:]{3,200}?,\s+"
                           r"(?=(?:" + _HEAD_WORDS + r")(?!\p{L}))")
_COORD_CUE = regex.compile(r"(?<!\p{L})(?:phối hợp(?:\s+chặt chẽ)?(?:\s+với)?|phối với|cùng với)(?!\p{L})", regex.IGNORECASE)
_SENTENCE = regex.compile(r"[.]\s+(?=(?:" + _HEAD_WORDS + r")(?!\p{L}))")
_SETS_UP = regex.compile(r"^(?:V/v\s+|Về việc\s+)?(?:thành lập|kiện toàn|củng cố|bổ sung thành viên)", regex.IGNORECASE)
_MEMBER_OF_BODY = regex.compile(r"Trưởng [Bb]an|Phó Trưởng|[Tt]hành viên|Tổ giúp việc|[Cc]ơ quan [Tt]hường trực|Ban Chỉ đạo|"
                                r"Hội đồng|Tổ công tác|Tổ trưởng|Ủy viên|Chủ tịch Hội đồng")
_MEMBER_WORDS = regex.compile(r"Trưởng|Thành viên|Ủy viên|Uỷ viên|Tổ trưởng|Tổ phó|Thư ký|Chủ tịch Hội đồng")
_RECIPIENTS_START = regex.compile(r"^(?:Nơi nhận\s*:|(?:TM|KT|TL|TUQ|Q)\.\s*\p{Lu})")
# the title of a paper attached after the signature; web exports put "Quyết định 435/QĐ-UBND năm
# 2020. " before it, and its line names what it is attached to "(Ban hành kèm theo Quyết định …)"
_ANNEX_TITLE = regex.compile(r"^(?:[^\n.]{0,80}?\bnăm\s+\d{4}\.\s*)?(?:QUY CHẾ|QUY ĐỊNH|KẾ HOẠCH|CHƯƠNG TRÌNH|ĐỀ ÁN|"
                             r"PHƯƠNG ÁN|PHỤ LỤC|DANH MỤC|HƯỚNG DẪN)(?!\p{L})|^\(?(?:Ban hành )?[Kk]èm theo\s")
_NORMATIVE_TYPES = {"Luật", "Bộ luật", "Pháp lệnh", "Nghị định", "Thông tư", "Thông tư liên tịch", "Nghị quyết liên tịch",
                    "Hiến pháp", "Văn bản hợp nhất"}
_CLOSING = regex.compile(r"(?m)^[ \t]*(?:Chương\s+[IVXLC]+\s*[.:]?\s*)?(?:TỔ CHỨC THỰC HIỆN|ĐIỀU KHOẢN THI HÀNH|"
                         r"Điều\s+\d+\.\s*(?:Tổ chức thực hiện|Trách nhiệm thi hành|Trách nhiệm tổ chức thực hiện|"
                         r"Điều khoản thi hành|Hiệu lực thi hành))")
_BODY_END = regex.compile(r"(?m)Nơi nhận[ \t]*:|^[ \t]*(?:TM|KT|TL|TUQ|Q)\.[ \t]*\p{Lu}")


def _body_end(text: str) -> int:
    """Where the main text ends: the recipients list ("Nơi nhận:") or the signature stack (TM./KT.),
    the first of them in the last part of the text (used for the Kính gửi list; `find_tasks` reads
    on through an attached paper, skipping the recipients and the signature)."""
    m = _BODY_END.search(text, int(len(text) * 0.3))
    return m.start() if m else len(text)


def _clause_tasks(ln: _Line, text: str, inherited, lead_in, in_tcth: bool, section: str | None,
                  doc_year: int | None, doc_type: str | None) -> list[Task]:
    body = ln.text
    names: list[str] | None = None
    coords: list[str] = []
    action_at = 0
    inner = _R.match(r"^(?:Chủ tịch|Phó Chủ tịch|Thường trực|Ban Thường vụ|Ủy ban nhân dân|UBND|Bộ trưởng|Thủ tướng|"
                        r"Lãnh đạo)[^;:]{0,80}?\s(?P<v>giao|đề nghị|yêu cầu)\s+(?P<rest>.+)$", body, regex.S)
    m = _GIAO.match(body)
    if inner and not m:
        m = inner
    if m:  # Form 1 / 2
        rest = m.group("rest")
        subj, at = _subject(rest)
        if subj:
            names = split_agencies(subj)
            action_at = (len(body) - len(rest)) + at
    else:
        # "Căn cứ nội dung Kế hoạch này …, các sở, ban, ngành … xây dựng …": the subject follows the
        # opening adverbial clause
        adv = _ADVERBIAL.match(body)
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
            lm = _R.search(r"(?:^|[,;.:]\s+|\s)(?P<v>giao|đề nghị|yêu cầu)\s+(?P<rest>(?:" + _HEAD_WORDS + r")(?!\p{L}).+)$", body)
            if lm:
                subj, at = _subject(lm.group("rest"))
                if subj:
                    names = split_agencies(subj)
                    action_at = lm.start("rest") + at
    if names is None:
        if inherited:  # Form 4
            names, coords = list(inherited[1]), list(inherited[2])
        elif lead_in and ln.kind:  # Form 5
            names = list(lead_in)
        else:
            return []
    action = body[action_at:].lstrip(" ,:")
    own_coords = _coordinators(action)
    if own_coords:
        coords = own_coords
    action = _R.sub(r"^(?:chủ trì,?\s*)?(?:phối hợp(?: với)?|cùng với)\s+.+?(?=\s+(?:" +
                       _STOP.replace("phối hợp|phối với|", "") + r")(?!\p{L}))", "", action).lstrip(" ,")
    if len(action) < 8 or not _R.search(r"\p{L}{3}", action):
        return []
    # Form 7: a later sentence with a subject of its own is that subject's task ("4. UBND huyện Sơn Tây
    # ban hành kế hoạch … . UBND các huyện, thị xã, thành phố báo cáo … trước ngày 15/7/2024.")
    extra: list[Task] = []
    for sm in _SENTENCE.finditer(action):
        rest = action[sm.end():]
        subj, at = _subject(rest)
        if subj and _STOP_RE.match(rest[at:].lstrip()):
            sub_line = _Line(ln.start, ln.end, rest, ln.body_start + action_at + sm.end(), None, None, ln.depth)
            extra = _clause_tasks(sub_line, text, None, None, in_tcth, section, doc_year, doc_type)
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
    for p in parts:
        d = deadline_of(p, None)
        has_time = bool(d[1]) or bool(d[2]) or bool(_R.search(r"kỳ họp|\b(?:19|20)\d\d\b", p) and _R.search(r"tại|trong|trước", p))
        if out and not has_time:
            out[-1] = out[-1] + "; " + p
        else:
            out.append(p)
    # clauses before the first timed one belong together; keep order
    return out if len(out) > 1 else [action]


__all__ = ["find_tasks", "addressees", "deadline_of", "split_agencies", "normalise_assignee"]
