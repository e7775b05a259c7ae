import datetime as dt

from pipeline.text.clean import normalize_text
from pipeline.extract.header import read_header


def header(text):
    t, _ = normalize_text(text)
    return read_header(t)


def test_docx_layout_blank_draft():
    h = header("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\nSố:         /BC-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
               "Độc lập - Tự do - Hạnh phúc\nLâm Đồng, ngày       tháng 01 năm 2026\n\nBÁO CÁO\n"
               "Tổ chức, hoạt động và quản lý hội năm 2025\n\nThực hiện quy định tại Nghị định số 126/2024/NĐ-CP;")
    assert h.doc_type == "Báo cáo"
    assert h.number is None and h.symbol == "BC-UBND"
    assert h.issue_date is None and h.issue_year == 2026
    assert h.place == "Lâm Đồng"
    assert h.issuer == "Ủy ban nhân dân tỉnh Lâm Đồng"
    assert h.subject == "Tổ chức, hoạt động và quản lý hội năm 2025"


def test_vbpl_layout_normative():
    h = header("CHÍNH PHỦ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nĐộc lập - Tự do - Hạnh phúc\n\n"
               "Số: 249/2025/NĐ-CP\nHà Nội, ngày 19 tháng 09 năm 2025\n\nNGHỊ ĐỊNH\n\nQuy định cơ chế thu hút chuyên gia\n\n"
               "Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;")
    assert (h.doc_type, h.number, h.symbol) == ("Nghị định", "249/2025/NĐ-CP", "NĐ-CP")
    assert h.issue_date == dt.date(2025, 9, 19)
    assert h.issuer == "Chính phủ" and h.place == "Hà Nội"


def test_flattened_header_one_line():
    h = header("ỦY BAN NHÂN DÂN TỈNH KON TUM -------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc ----\n"
               "Số: 435/QĐ-UBND Kon Tum, ngày 04 tháng 5 năm 2020 QUYẾT ĐỊNH V/V BAN HÀNH CHƯƠNG TRÌNH HÀNH ĐỘNG\n"
               "Căn cứ Luật tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;")
    assert h.doc_type == "Quyết định" and h.number == "435/QĐ-UBND"
    assert h.place == "Kon Tum" and h.issue_date == dt.date(2020, 5, 4)
    assert h.issuer == "Ủy ban nhân dân tỉnh Kon Tum"


def test_cong_van_by_vv_and_parent_body():
    h = header("UBND TỈNH LÂM ĐỒNG\nSỞ NỘI VỤ\nSố: 519/SNV-TCCC\nV/v báo cáo tình hình tổ chức hội\n"
               "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nLâm Đồng, ngày 05 tháng 11 năm 2025\n\n"
               "Kính gửi: Ủy ban nhân dân tỉnh")
    assert h.doc_type == "Công văn"
    assert h.issuer == "Sở Nội vụ" and h.issuer_parent == "Ủy ban nhân dân tỉnh Lâm Đồng"
    assert h.subject == "báo cáo tình hình tổ chức hội"


def test_split_issuer_line_and_law_number_label():
    h = header("ỦY BAN THƯỜNG VỤ\n\nQUỐC HỘI\n\n-------\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\n"
               "Độc lập - Tự do - Hạnh phúc\n\nNghị quyết số: 95/2025/UBTVQH15\n\nHà Nội, ngày 13 tháng 8 năm 2025\n\n"
               "NGHỊ QUYẾT\n\nVề việc thí điểm\n\nCăn cứ Hiến pháp;")
    assert h.issuer == "Ủy ban Thường vụ Quốc hội" and h.issuer_parent is None
    assert h.number == "95/2025/UBTVQH15" and h.doc_type == "Nghị quyết"


def test_party_header():
    h = header("TỈNH ỦY QUẢNG NGÃI\n*\nSố 05-CT/TU\nĐẢNG CỘNG SẢN VIỆT NAM\nQuảng Ngãi, ngày 18 tháng 12 năm 2023\n\n"
               "CHỈ THỊ\nvề tăng cường y tế cơ sở\n\nThực hiện Nghị quyết số 20-NQ/TW;")
    assert h.issuer == "Tỉnh ủy Quảng Ngãi" and h.number == "05-CT/TU" and h.doc_type == "Chỉ thị"


def test_right_column_first_and_district_issuer():
    h = header("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nBình Sơn, ngày 15 tháng 4 năm 2024\n"
               "ỦY BAN NHÂN DÂN\nHUYỆN BÌNH SƠN\nSố: 112/KH-UBND\n\nKẾ HOẠCH\nThực hiện Kế hoạch số 76/KH-UBND\n")
    assert h.issuer == "Ủy ban nhân dân huyện Bình Sơn" and h.number == "112/KH-UBND"
    assert h.place == "Bình Sơn"


def test_no_header_issuer_from_body_lower_confidence():
    h = header("Trong năm qua, UBND thị xã Đức Phổ báo cáo kết quả thực hiện như sau:\n1. Về tổ chức")
    assert h.issuer == "Ủy ban nhân dân thị xã Đức Phổ"
    assert h.issuer_confidence is not None and h.issuer_confidence < 1.0


def test_body_phrase_is_not_a_number_line():
    h = header("THAM LUẬN\nGiải pháp phòng chống ma túy\nUBND thành phố Hải Phòng\n\nThực hiện Kết luận số 96-KL/TW ngày 30/9/2024")
    assert h.number is None


def test_portal_metadata_block_fills_a_missing_header():
    h = header("Số hiệu: 12/2024/TT-BTC\nLoại văn bản: Thông tư\nCơ quan ban hành: Bộ Tài chính\n"
               "Ngày ban hành: 05/03/2024\nNgười ký: Nguyễn Văn A\n\nĐiều 1. Phạm vi điều chỉnh")
    assert (h.number, h.doc_type, h.issuer, str(h.issue_date)) == ("12/2024/TT-BTC", "Thông tư", "Bộ Tài chính", "2024-03-05")
    assert h.issuer_source == "portal"


def test_issuer_guessed_from_the_place_line_is_flagged():
    h = header("Quảng Ngãi, ngày 12 tháng 6 năm 2024\n\nKính gửi: Sở Y tế\nNội dung công văn.")
    assert h.issuer == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert h.issuer_source == "place" and h.issuer_confidence < 0.5


def test_citation_date_in_a_sentence_is_not_the_date_line():
    h = header("THAM LUẬN\nGiải pháp phòng, chống ma túy\nbám sát chỉ đạo của Bộ Chính trị tại Kết luận số "
               "96-KL/TW, ngày 30/9/2024 về tiếp tục thực hiện")
    assert h.issue_date is None and h.place is None


def test_text_without_a_type_is_a_van_ban():
    h = header("ĐIỂM TỔNG HỢP\nSTT | CHỈ SỐ | ĐIỂM\n1 | Công khai | 18")
    assert h.doc_type == "Văn bản"


def test_district_and_commune_headers_after_and_before_2025():
    h = header("ỦY BAN NHÂN DÂN\nHUYỆN BA TƠ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
               "Số: 215/BC-UBND\nBa Tơ, ngày 14 tháng 6 năm 2024\nBÁO CÁO\nKết quả giảm nghèo")
    assert (h.issuer, h.number, h.place, h.issue_date) == ("Ủy ban nhân dân huyện Ba Tơ", "215/BC-UBND", "Ba Tơ",
                                                           dt.date(2024, 6, 14))
    h = header("ỦY BAN NHÂN DÂN\nĐẶC KHU PHÚ QUỐC\nSố: 301/UBND-VP\nV/v triển khai Công điện số 12/CĐ-TTg\n"
               "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nPhú Quốc, ngày 3 tháng 10 năm 2025")
    assert (h.issuer, h.doc_type, h.issue_date) == ("Ủy ban nhân dân đặc khu Phú Quốc", "Công văn", dt.date(2025, 10, 3))
    h = header("ĐẢNG BỘ TỈNH QUẢNG NGÃI\nĐẢNG ỦY XÃ TRÀ BỒNG\n*\nSố 12-KH/ĐU\nĐẢNG CỘNG SẢN VIỆT NAM\n"
               "Trà Bồng, ngày 05 tháng 8 năm 2025\nKẾ HOẠCH\ntriển khai Nghị quyết số 57-NQ/TW")
    assert (h.issuer, h.issuer_parent, h.number) == ("Đảng ủy xã Trà Bồng", "Đảng bộ tỉnh Quảng Ngãi", "12-KH/ĐU")


def test_resolution_dated_by_the_session_that_passed_it():
    h = header("ỦY BAN THƯỜNG VỤ QUỐC HỘI\nNghị quyết số: 105/2025/UBTVQH15\nNGHỊ QUYẾT\nVề Chương trình\n"
               "Điều 1. …\nNghị quyết này được Ủy ban Thường vụ Quốc hội khóa XV thông qua tại Phiên họp thứ 49 ngày "
               "26 tháng 9 năm 2025.")
    assert h.issue_date == dt.date(2025, 9, 26)


def test_issuer_named_in_the_body_when_there_is_no_header():
    h = header("TỜ TRÌNH\nVề việc giải thể Hiệp hội\n\nKính gửi: Chủ tịch UBND tỉnh Lâm Đồng\nNgày 30/8/2025, Sở Nội vụ "
               "nhận được Đơn đề nghị của Hiệp hội; ngày 15/9/2025 Sở Nội vụ ban hành Tờ trình số 300/TTr-SNV.\n")
    assert (h.issuer, h.issuer_source) == ("Sở Nội vụ", "body")
    h = header("THAM LUẬN\nGiải pháp xây dựng xã, phường không ma túy\n\nUBND TP. Hồ Chí Minh\n\nXác định tội phạm ma túy …")
    assert h.issuer == "Ủy ban nhân dân thành phố Hồ Chí Minh"


def test_central_symbol_names_the_issuer_better_than_the_place_guess():
    h = header("Số: 28/2021/NĐ-CP\nHà Nội, ngày 26 tháng 3 năm 2021\nNGHỊ ĐỊNH\nQuy định xử phạt\nCăn cứ Luật Tổ chức Chính phủ;")
    assert (h.issuer, h.issuer_source) == ("Chính phủ", "symbol")


def test_vnpt_unit_under_its_group():
    h = header("TẬP ĐOÀN BƯU CHÍNH VIỄN THÔNG VIỆT NAM\nVIỄN THÔNG LÂM ĐỒNG\nSố: 187/TTr-VNPT\n"
               "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nLâm Đồng, ngày 2 tháng 3 năm 2025\nTỜ TRÌNH\nVề việc")
    assert h.issuer.lower() == "viễn thông lâm đồng" and h.issuer_parent.lower().startswith("tập đoàn bưu chính")
