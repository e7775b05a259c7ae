"""Who issued a cited document: the phrases that name it after, before, or only through the symbol."""
import pytest

from pipeline.extract.agencies import jurisdiction_of
from pipeline.text.clean import normalize_text
from pipeline.extract.references import find_citations

LAM_DONG = jurisdiction_of("Ủy ban nhân dân tỉnh Lâm Đồng")
SO_LDTBXH = jurisdiction_of("Sở Lao động - Thương binh và Xã hội", "Ủy ban nhân dân tỉnh Quảng Ngãi")


def issuers(text, where=None):
    t, _ = normalize_text(text)
    return [(c.cited_number, c.cited_issuer_raw, c.cited_issuer) for c in find_citations(t, where=where)]


@pytest.mark.parametrize("text, raw", [
    # spelled-out bodies whose lower-case words are part of the name
    ("theo Công văn số 12/UBND-KT ngày 01/7/2025 của Ủy ban nhân dân tỉnh Lâm Đồng về việc rà soát",
     "Ủy ban nhân dân tỉnh Lâm Đồng"),
    ("thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá", "Bộ Chính trị"),
    ("theo Nghị quyết số 15/NQ-HĐND ngày 10/7/2024 của Hội đồng nhân dân tỉnh Quảng Ngãi khóa XIII, kỳ họp",
     "Hội đồng nhân dân tỉnh Quảng Ngãi khóa XIII"),
    ("Báo cáo số 828/BC-UBPLTP15 ngày 12/8/2025 của Thường trực Ủy ban Pháp luật và Tư pháp về", 
     "Thường trực Ủy ban Pháp luật và Tư pháp"),
    ("Quyết định số 547/2013/QĐ-CTN ngày 22/3/2013 của Chủ tịch nước Cộng hòa xã hội chủ nghĩa Việt Nam về",
     "Chủ tịch nước Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ("Thông tư số 26/2016/TT-BGTVT ngày 11/10/2016 của Bộ trưởng Bộ Văn hóa, Thể thao và Du lịch quy định",
     "Bộ trưởng Bộ Văn hóa, Thể thao và Du lịch"),
    ("Thông tư số 54/2025/TT-BXD ngày 01/8/2025 của Bộ trưởng Bộ Xây dựng công bố danh mục", "Bộ trưởng Bộ Xây dựng"),
    # the name stops before the next document and before a lower-case list
    ("Công điện số 12/CĐ-TTg ngày 28/9/2025 của Thủ tướng Chính phủ và Văn bản số 56/UBND-KT", "Thủ tướng Chính phủ"),
    ("Kế hoạch số 45/KH-UBND ngày 10/02/2024 của UBND tỉnh và các sở, ngành", "UBND tỉnh"),
    ("Thông tư số 26/2013/TT-NHNN của Thống đốc Ngân hàng Nhà nước và Khoản 2 Điều 1 Thông tư",
     "Thống đốc Ngân hàng Nhà nước"),
    # a place's name ends the body's: the verb after it is not part of it, a unit word after it is
    ("Kế hoạch số 31/KH-UBND ngày 04/02/2025 của UBND tỉnh Quảng Ngãi tổ chức hội thi", "UBND tỉnh Quảng Ngãi"),
    ("Quyết định số 9/QĐ-UBND ngày 04/02/2025 của UBND xã Hòa Bắc huyện Hòa Vang về việc", "UBND xã Hòa Bắc huyện Hòa Vang"),
    # lower-case syllables of the body's own name, which its place closes
    ("Công văn số 07/CV-LĐBĐ ngày 12/3/2025 của Liên đoàn Bóng đá tỉnh Quảng Ngãi về việc đăng cai",
     "Liên đoàn Bóng đá tỉnh Quảng Ngãi"),
])
def test_issuer_after_the_mention(text, raw):
    assert issuers(text)[0][1] == raw


@pytest.mark.parametrize("text, number, raw", [
    ("Xét đề nghị của Giám đốc Sở Y tế tại Tờ trình số 45/TTr-SYT ngày 20/02/2024.", "45/TTr-SYT", "Giám đốc Sở Y tế"),
    ("Thực hiện chỉ đạo của UBND tỉnh tại Công văn số 2871/UBND-KGVX ngày 18/9/2025, Sở Y tế",
     "2871/UBND-KGVX", "UBND tỉnh"),
    ("Năm 2025, UBND tỉnh đã ban hành Kế hoạch số 1410/KH-UBND ngày 08/8/2025", "1410/KH-UBND", "UBND tỉnh"),
    ("Sở Tài chính có ý kiến tại Công văn số 356/STC-HCSN ngày 06/02/2024.", "356/STC-HCSN", "Sở Tài chính"),
    ("Ý kiến của Sở Xây dựng: Tại Công văn số 2873/SXD-QLN ngày 15/4/2026", "2873/SXD-QLN", "Sở Xây dựng"),
    # the body that drew the plan up: its name ends before the verb, though "xây dựng" names bodies too
    ("Năm 2025, UBND tỉnh xây dựng Kế hoạch số 69/KH-UBND ngày 03/3/2025", "69/KH-UBND", "UBND tỉnh"),
    ("Công an tỉnh đã xây dựng Kế hoạch số 13/KH-CAT-PC04 ngày 14/7/2025", "13/KH-CAT-PC04", "Công an tỉnh"),
])
def test_issuer_before_the_mention(text, number, raw):
    [(num, got_raw, _)] = issuers(text)
    assert (num, got_raw) == (number, raw)


def test_a_task_verb_is_not_an_issuer():
    # "Sở Nội vụ đã tham mưu UBND tỉnh đã ban hành …": the body that issued is the one next to the verb
    [(_, raw, _)] = issuers("Sở Nội vụ đã tham mưu UBND tỉnh đã ban hành Kế hoạch số 213/KH-UBND ngày 15/7/2025")
    assert raw == "UBND tỉnh"


def test_bare_head_names_the_citing_body_itself():
    [(_, raw, resolved)] = issuers("Quyết định này thay thế Quyết định số 102/QĐ-SLĐTBXH ngày 15/3/2023 của Giám đốc Sở.",
                                   SO_LDTBXH)
    assert raw == "Giám đốc Sở" and resolved == "Giám đốc Sở Lao động - Thương binh và Xã hội"


def test_province_body_from_the_symbol_takes_the_citing_province():
    [(_, raw, resolved)] = issuers("Công văn số 144/SNV-TCBC ngày 18/7/2025 về việc rà soát", LAM_DONG)
    assert raw is None and resolved == "Sở Nội vụ tỉnh Lâm Đồng"
    # UBND of which level the symbol does not say
    [(_, _, resolved)] = issuers("Kế hoạch số 3664/KH-UBND ngày 20/3/2026 về cải cách", LAM_DONG)
    assert resolved is None


def test_joint_issuers_and_district_party_committee():
    ba_to = jurisdiction_of("Ủy ban nhân dân huyện Ba Tơ", "Ủy ban nhân dân tỉnh Quảng Ngãi")
    t, _ = normalize_text("Căn cứ Thông tư liên tịch số 12/2015/TTLT-BTC-BNV ngày 10/3/2015 của Bộ Tài chính và Bộ Nội vụ; "
                          "Thông báo kết luận số 123-TB/HU ngày 2/2/2024 của Thường trực Huyện ủy.")
    a, b = find_citations(t, where=ba_to)
    assert (a.cited_type, a.cited_issuer) == ("Thông tư liên tịch", "Bộ Tài chính và Bộ Nội vụ")
    assert b.cited_issuer == "Thường trực Huyện ủy Ba Tơ"


def test_symbol_picks_the_author_of_two_proposing_bodies():
    t, _ = normalize_text("Xét đề nghị của Hội Công chứng viên tỉnh Đắk Nông và Sở Tư pháp tại Tờ trình số 62/TTr-STP "
                          "ngày 12/9/2025; Báo cáo số 15/BC-SKHCN ngày 20/01/2026 của Sở Khoa học và Công nghệ.")
    a, b = find_citations(t, where=LAM_DONG)
    assert a.cited_issuer_raw == "Sở Tư pháp" and a.cited_issuer == "Sở Tư pháp tỉnh Lâm Đồng"
    assert b.cited_issuer_raw == "Sở Khoa học và Công nghệ"


def test_body_that_enacted_the_first_item_enacted_the_list():
    t, _ = normalize_text("- UBND tỉnh ban hành Kế hoạch số 3450/KH-UBND ngày 17/3/2026 về việc triển khai thực hiện "
                          "Nghị quyết số 57-NQ/TW trên địa bàn tỉnh năm 2026; Kế hoạch số 3664/KH-UBND ngày 20/3/2026 cải "
                          "cách hành chính. Kế hoạch số 3708/KH-UBND ngày 21/3/2026 về khoa học.")
    cs = {c.cited_number: c.cited_issuer for c in find_citations(t, where=LAM_DONG)}
    assert cs["3450/KH-UBND"] == cs["3664/KH-UBND"] == "Ủy ban nhân dân tỉnh Lâm Đồng"
    assert cs["57-NQ/TW"] != "Ủy ban nhân dân tỉnh Lâm Đồng"  # inside the subject, not an item
    assert cs["3708/KH-UBND"] is None  # a new sentence


def test_the_enacted_list_takes_items_after_va_and_ends_at_an_item_with_its_own_body():
    t, _ = normalize_text("UBND tỉnh xây dựng Kế hoạch số 69/KH-UBND ngày 03/3/2025 và Kế hoạch số 70/KH-UBND ngày "
                          "03/3/2025 về phối hợp; Công văn số 146/UBND-KT ngày 30/01/2026 theo chỉ đạo của Bộ Tài chính "
                          "tại Công văn số 848/BTC-QLCS ngày 22/01/2026 và Công văn số 642/BTC-QLCS ngày 16/01/2026.")
    cs = {c.cited_number: c.cited_issuer_raw for c in find_citations(t, where=LAM_DONG)}
    assert cs["69/KH-UBND"] == cs["70/KH-UBND"] == cs["146/UBND-KT"] == "UBND tỉnh"
    assert cs["848/BTC-QLCS"] == "Bộ Tài chính"
    assert cs["642/BTC-QLCS"] is None  # not the province's: the list of what it enacted ended at 848
