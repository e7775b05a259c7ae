"""Repair of OCR'd numbers, dates and names; legacy font layers; per-page routing."""
import pytest

from pipeline.text.legacy import assess, decode_tcvn3, decode_vni
from pipeline.text.read import route_page
from pipeline.text.repair import repair_segment, repair_text


@pytest.mark.parametrize("raw,fixed", [
    ("Số: 26/2021/TI-BTC", "Số: 26/2021/TT-BTC"),
    ("theo Chỉ thị số 12/C1-UBND", "theo Chỉ thị số 12/CT-UBND"),
    ("Tờ trình số 45/TIr-SYT", "Tờ trình số 45/TTr-SYT"),
    ("Nghị quyết số 15/NQ-HĐÑD", "Nghị quyết số 15/NQ-HĐND"),
    ("Nghị quyết số 26/2021/7NQ-CP", "Nghị quyết số 26/2021/NQ-CP"),
    ("Số: UBND-KGVX", "Số: /UBND-KGVX"),
    ("Quyết định số l2/QĐ-UBND", "Quyết định số 12/QĐ-UBND"),
    ("Kết luận số 28-C1/TW", "Kết luận số 28-CT/TW"),
    ("ngày 2O tháng 5 năm 2O24", "ngày 20 tháng 5 năm 2024"),
    ("CÔNG AN TĨNH LÂM ĐÓNG", "CÔNG AN TỈNH LÂM ĐỒNG"),
    ("Lâm Đông, ngày 15 tháng 12 năm 2025", "Lâm Đồng, ngày 15 tháng 12 năm 2025"),
    ("VIỄN THÔNG LÂẦM ĐÔNG", "VIỄN THÔNG LÂM ĐỒNG"),  # a vowel read twice
    ("Quyết định số 28/2025/QĐ-11g của Thủ tướng", "Quyết định số 28/2025/QĐ-TTg của Thủ tướng"),
    ("và Kế hoạch số 2126:KH-UBND ngày", "và Kế hoạch số 2126/KH-UBND ngày"),
    ("Nghị định số 95/2022NĐ-CP ngày", "Nghị định số 95/2022/NĐ-CP ngày"),
    ("Kế hoạch số 2126/KH-BND ngày", "Kế hoạch số 2126/KH-UBND ngày"),  # the narrow U dropped
    ("Luật số 65/2023/QH15 ngày 19/02/2025;", "Luật số 65/2025/QH15 ngày 19/02/2025;"),
    ("số 28/2025/QĐ-TTg ngày 24/8/2625 của", "số 28/2025/QĐ-TTg ngày 24/8/2025 của"),
    ("số 12/2024/NĐ-CP ngày 5 tháng 2 năm 2084", "số 12/2024/NĐ-CP ngày 5 tháng 2 năm 2024"),
])
def test_repairs(raw, fixed):
    assert repair_text(raw) == fixed


def test_repair_leaves_good_text_and_unknown_symbols_alone():
    for s in ["76/KH-UBND ngày 26/3/2024", "số 1413/PC04", "Điểm 8/10", "ngày +2 tháng 12 năm 2025",
              "lúc 10:30 ngày 5/8/2024", "số 09/2019/NĐ-CP ngày 24/01/2021"]:  # years 2 digits apart: not a slip
        assert repair_text(s) == s
    assert repair_segment("XYZQ") == "XYZQ"


def test_tcvn3_and_vni_layers_are_decoded():
    unicode_text = ("Ủy ban nhân dân tỉnh Lâm Đồng báo cáo kết quả thực hiện công tác phòng, chống ma túy "
                    "năm 2025 như sau: các sở, ngành đã triển khai thực hiện nghiêm túc.")
    from pipeline.text.legacy import _tables

    back = {v: chr(k) for k, v in _tables()[0].items()}
    tcvn3 = "".join(back.get(c, c) for c in unicode_text)
    assert "nh©n d©n" in tcvn3
    kind, text = assess(tcvn3)
    assert kind == "tcvn3" and text == unicode_text
    assert decode_tcvn3("B¶o Th¾ng") == "Bảo Thắng"
    vni = "UÛY BAN NHAÂN DAÂN tænh Laâm Ñoàng baùo caùo keát quaû thöïc hieän coâng taùc phoøng, choáng ma tuùy naêm 2025"
    kind, text = assess(vni)
    assert kind == "vni" and text.startswith("ỦY BAN NHÂN DÂN tỉnh Lâm Đồng báo cáo kết quả")
    assert decode_vni("Ñoàng") == "Đồng"


def test_routing_of_text_layers():
    good = "Ủy ban nhân dân tỉnh Lâm Đồng báo cáo kết quả thực hiện công tác phòng, chống ma túy năm 2025."
    assert not route_page(1, good).needs_ocr
    assert route_page(1, "   \n ").reason == "no_text_layer"
    broken = ("UY BAN NHAN DAN ceNG HoA x,l ugr cnu Ncnin vtpr xlrvr TINH LAM DONG DQc l$p - Trl do - Hqnh phric "
              "so:f60tCNa-usND LdmDing,ngdy7L thdng ndm2025 GIAY MOI Uy ban nhdn dAn tinh t6 chric bu,ii lam viec")
    assert route_page(1, broken).reason == "garbage"
    legacy = route_page(1, "Uû ban nh©n d©n tØnh L©m §ång b¸o c¸o kÕt qu¶ thùc hiÖn c«ng t¸c phßng, chèng ma tóy")
    assert not legacy.needs_ocr and legacy.engine == "legacy:tcvn3" and "Lâm Đồng" in legacy.text


def test_ocr_slips_in_party_and_joint_symbols():
    from pipeline.text.repair import repair_text

    assert repair_text("SỐ 37- C1/TW NGÀY 03") == "SỐ 37-CT/TW NGÀY 03"
    assert repair_text("Chỉ thị số 37-CT/IW ngày") == "Chỉ thị số 37-CT/TW ngày"
    assert repair_text("số 16/2009/TTLI-BTTTT-BCA") == "số 16/2009/TTLT-BTTTT-BCA"
    assert repair_text("Nghị quyết số: 105/2025/UBTVQHI15") == "Nghị quyết số: 105/2025/UBTVQH15"


def test_quoc_hoi_term_that_lost_a_digit_is_restored_from_the_year():
    from pipeline.text.repair import repair_text

    out = repair_text("căn cứ Luật số 202/2025/QH5 và Luật số 63/2025/QH15; Nghị quyết số 5/2016/QH4; 9/1999/QH10")
    assert "202/2025/QH15" in out and "63/2025/QH15" in out and "5/2016/QH14" in out
    assert "9/1999/QH10" in out  # a year outside the table is left as read


def test_symbol_letters_misread_as_their_look_alikes_are_repaired_only_into_known_symbols():
    from pipeline.text.repair import repair_text

    assert repair_text("Thông tư số 23/2024/TT-BVT") == "Thông tư số 23/2024/TT-BYT"  # V for Y
    assert repair_text("Hướng dẫn số 37/HD-BCA-CG4") == "Hướng dẫn số 37/HD-BCA-C04"  # G for 0
    assert repair_text("Công văn số 12/VNG-KT") == "Công văn số 12/VNG-KT"  # no known symbol results: kept
