"""Implicit citations (`extract.implicit`): the provisions an amending article repeals without naming
their document again, each form of the module docstring and each case it leaves alone, then the
graph's status of a document so repealed in part. Texts written for the test (fictional numbers,
the drafting grammar of amending acts)."""
from __future__ import annotations

from pipeline.extract.references import find_citations
from pipeline.text.clean import normalize_text

TITLE = "NGHỊ ĐỊNH\nSửa đổi, bổ sung một số điều của Nghị định số 77/2021/NĐ-CP ngày 02 tháng 8 năm 2021 của Chính phủ\n"


def cites(body: str, title: str | None = TITLE, doc_type: str = "Nghị định"):
    text, _ = normalize_text((title or "") + body)
    span = (0, len(title.rstrip("\n"))) if title else None
    return text, find_citations(text, own_number="12/2026/NĐ-CP", title_span=span, doc_type=doc_type)


def implicit(cs):
    return [c for c in cs if c.short_form and c.relation == "repeals" and c.relation_cue and
            c.relation_cue.casefold() == "bãi bỏ"]


def test_form1_an_item_under_an_article_citing_the_amended_document():
    text, cs = cites("Điều 1. Sửa đổi, bổ sung Điều 5 Nghị định số 40/2019/NĐ-CP ngày 10 tháng 5 năm 2019 của Chính phủ\n"
                     "1. Sửa đổi khoản 1 Điều 5 như sau:\n\"1. Cơ quan tiếp nhận hồ sơ.\"\n"
                     "2. Bãi bỏ khoản 2 Điều 5.\nĐiều 2. Hiệu lực thi hành\nNghị định này có hiệu lực từ ngày ký.",
                     title=None)
    [c] = implicit(cs)
    assert (c.cited_number, c.part, c.mention) == ("40/2019/NĐ-CP", "khoản 2 Điều 5", "khoản 2 Điều 5")
    assert text[c.start:c.end] == c.mention
    assert c.cited_date is not None and c.cited_date.year == 2019 and c.target_id == "vb:40/2019/NĐ-CP"


def test_form2_the_heading_names_the_law_by_its_short_name():
    title = "LUẬT\nSửa đổi, bổ sung một số điều của Luật Thủy lợi\n"
    body = ("Quốc hội ban hành Luật sửa đổi, bổ sung một số điều của Luật Thủy lợi số 08/2017/QH14.\n"
            "Điều 1. Sửa đổi, bổ sung một số điều của Luật Thủy lợi\n1. Sửa đổi Điều 3 như sau:\n"
            "\"Điều 3. Giải thích từ ngữ\"\n2. Bãi bỏ:\na) Bãi bỏ khoản 4 Điều 9;\nb) Bãi bỏ Điều 12.\n"
            "Điều 2. Hiệu lực thi hành\nLuật này có hiệu lực từ ngày 01 tháng 7 năm 2026.")
    _, cs = cites(body, title=title, doc_type="Luật")
    got = implicit(cs)
    assert [(c.cited_number, c.part) for c in got] == [("08/2017/QH14", "khoản 4 Điều 9"), ("08/2017/QH14", "Điều 12")]


def test_form3_and_form4_articles_on_provisions_take_the_document_the_title_amends():
    body = ("Điều 1. Sửa đổi, bổ sung, bãi bỏ một số điểm, khoản của Điều 7\n1. Bãi bỏ điểm d khoản 5.\n"
            "2. Bãi bỏ cụm từ \"và khoản 3\" tại khoản 8.\nĐiều 2. Bãi bỏ khoản 5 của Điều 12\n"
            "Điều 3. Điều khoản thi hành\nNghị định này có hiệu lực từ ngày ký.")
    _, cs = cites(body)
    got = implicit(cs)
    assert [(c.cited_number, c.part) for c in got] == [
        ("77/2021/NĐ-CP", "điểm d khoản 5"), ("77/2021/NĐ-CP", 'cụm từ "và khoản 3" tại khoản 8'),
        ("77/2021/NĐ-CP", "khoản 5 của Điều 12")]


def test_an_item_that_names_its_document_is_the_relation_readers():
    body = ("Điều 1. Sửa đổi, bổ sung một số điều của Nghị định số 40/2019/NĐ-CP\n"
            "1. Bãi bỏ Điều 3 Thông tư số 15/2020/TT-BTC ngày 01/3/2020.\nĐiều 2. Hiệu lực thi hành")
    _, cs = cites(body, title=None)
    assert implicit(cs) == []
    assert [c.relation for c in cs if c.cited_number == "15/2020/TT-BTC"] == ["repeals"]


def test_quoted_new_wording_is_not_an_instruction():
    body = ("Điều 1. Sửa đổi, bổ sung một số điều của Nghị định số 40/2019/NĐ-CP\n"
            "1. Bổ sung Điều 5a như sau:\n\"Điều 5a. Thu hồi\n1. Bãi bỏ khoản 2 Điều 5 khi hồ sơ không hợp lệ.\n"
            "2. Trả lại hồ sơ.\"\n2. Bãi bỏ Điều 6.\nĐiều 2. Hiệu lực thi hành")
    _, cs = cites(body, title=None)
    assert [c.part for c in implicit(cs)] == ["Điều 6"]


def test_no_guess_without_an_amended_document_read():
    # the heading names a document no citation was read for (a Quy chế without a number); an article
    # that amends nothing; "Bãi bỏ:" alone
    body = ("Điều 1. Sửa đổi, bổ sung một số điều của Quy chế phối hợp liên ngành\n1. Bãi bỏ Điều 4.\n"
            "Điều 2. Phạm vi điều chỉnh\n1. Bãi bỏ khoản 1 Điều 2.\nĐiều 3. Sửa đổi Điều 8\n2. Bãi bỏ:\n")
    _, cs = cites(body, title="NGHỊ ĐỊNH\nQuy định chi tiết một số điều\n")
    assert implicit(cs) == []


def test_a_report_recounts_a_repeal_it_does_not_make():
    body = ("Điều 1. Sửa đổi, bổ sung Điều 5 Nghị định số 40/2019/NĐ-CP\n2. Bãi bỏ khoản 2 Điều 5.\n")
    _, cs = cites(body, title=None, doc_type="Báo cáo")
    assert implicit(cs) == []


def test_the_graph_says_partly_repealed_with_the_provision(tmp_path):
    from pipeline.graph.query import Graph
    from pipeline.ingest import ingest

    def doc(number, date, title, body):
        return (f"CHÍNH PHỦ\nSố: {number}\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                f"Hà Nội, {date}\n\nNGHỊ ĐỊNH\n{title}\n\n{body}\n\nNơi nhận:\n- Lưu: VT.\n\n"
                "TM. CHÍNH PHỦ\nTHỦ TƯỚNG\n\nNguyễn Văn An\n")

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(doc("40/2019/NĐ-CP", "ngày 10 tháng 5 năm 2019", "Quy định về hồ sơ",
                                   "Điều 1. Phạm vi\nĐiều 2. Hồ sơ\nĐiều 5. Thời hạn"), encoding="utf-8")
    (src / "b.txt").write_text(doc(
        "12/2026/NĐ-CP", "ngày 15 tháng 1 năm 2026",
        "Sửa đổi, bổ sung Điều 5 Nghị định số 40/2019/NĐ-CP ngày 10 tháng 5 năm 2019 của Chính phủ",
        "Điều 1. Sửa đổi, bổ sung Điều 5 Nghị định số 40/2019/NĐ-CP ngày 10 tháng 5 năm 2019 của Chính phủ\n"
        "1. Sửa đổi khoản 1 Điều 5 như sau:\n\"1. Thời hạn là 10 ngày.\"\n2. Bãi bỏ khoản 2 Điều 5.\n"
        "Điều 2. Hiệu lực thi hành\nNghị định này có hiệu lực từ ngày ký."), encoding="utf-8")
    out = tmp_path / "out"
    s = ingest([str(src)], str(out))
    assert s.failed == 0 and s.written == 2
    with Graph(out) as g:
        st = g.status("40/2019/NĐ-CP")
    assert st["status"] == "partly_repealed"  # never "repealed": one clause went, the decree stands
    parts = {(a["relation"], a["part"]) for a in st["acts"]}
    assert ("repeals", "khoản 2 Điều 5") in parts and any(r == "amends" for r, _ in parts)


def test_article_heads_are_the_patterns_matches():
    from hypothesis import given, settings, strategies as st

    import regex

    from pipeline.extract import implicit

    pieces = ["Điều", "Điều 5. ", "Điều 12a: ", " ", "\t", "\n", "x", "5", ".", ":", "a", "“", "Điều 3", "  Điều 7.", "đ"]

    @settings(max_examples=1500, deadline=None)
    @given(st.lists(st.sampled_from(pieces), max_size=20).map("".join))
    def check(text):
        plain = regex.compile(r"(?m)^[ \t]*Điều[ \t]+\d+[a-zđ]?[ \t]*[.:][ \t]*")  # "^" tried at every character
        assert [m.span() for m in implicit._article_heads(text)] == [m.span() for m in plain.finditer(text)]

    check()


def _plain_quoted(text: str, pos: int) -> bool:
    """The walk `_Quotes` computes at once: “ opens, ” closes (never below zero), each straight quote
    toggles; the state after the last mark before `pos`."""
    depth = straight = 0
    for ch in text[:pos]:
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth = depth - 1 if depth > 0 else 0
        elif ch == '"':
            straight += 1
    return depth > 0 or straight % 2 == 1


def test_quoted_positions_are_the_plain_walk():
    from hypothesis import given, settings, strategies as st

    from pipeline.extract import implicit

    @settings(max_examples=1500, deadline=None)
    @given(st.lists(st.sampled_from(["“", "”", '"', "a", "\n", " ", "Điều", "😀"]), max_size=30).map("".join))
    def check(text):
        q = implicit._Quotes(text)
        assert [q(p) for p in range(len(text) + 1)] == [_plain_quoted(text, p) for p in range(len(text) + 1)]

    check()
