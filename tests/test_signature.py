from pipeline.text.clean import normalize_text
from pipeline.extract.signature import read_recipients, read_signature


def sig(text):
    t, _ = normalize_text(text)
    return read_signature(t)


def test_stacked_prefixes():
    s = sig("Điều 16. Trách nhiệm thi hành\n\nTM. CHÍNH PHỦ\n\nKT. THỦ TƯỚNG\n\nPHÓ THỦ TƯỚNG\n(Đã ký)\n\nNguyễn Hòa Bình")
    assert s.signer == "Nguyễn Hòa Bình"
    assert s.signer_title == "TM. Chính phủ / KT. Thủ tướng / Phó Thủ tướng"


def test_flattened_table_with_drafter_initial():
    s = sig("báo cáo./.\nNơi nhận:\t - Bộ Nội vụ; - Sở Nội vụ;\t  - Lưu: VT, NC.Châu |  | KT. CHỦ TỊCH PHÓ CHỦ TỊCH      Đinh Văn Tuấn")
    assert s.signer == "Đinh Văn Tuấn"
    assert s.signer_title == "KT. Chủ tịch / Phó Chủ tịch"


def test_one_line_with_staff_name_before_title():
    s = sig("Nơi nhận:\n- Như trên;\n- Lưu: VT, ĐMDN (2b). Trung Anh BỘ TRƯỞNG, CHỦ NHIỆM Mai Tiến Dũng")
    assert s.signer == "Mai Tiến Dũng"


def test_no_prefix_title_and_rank():
    s = sig("Trân trọng./.\nGIÁM ĐỐC\n\nThiếu tướng Trương Minh Đương")
    assert s.signer == "Trương Minh Đương" and s.signer_title == "Giám đốc"


def test_unsigned_draft_has_no_signer():
    assert sig("Nơi nhận:\n- Như trên;\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n").signer is None


def test_recipients_and_filing():
    t, _ = normalize_text("Kính gửi:\n- Sở Tài chính;\n- Sở Y tế.\n\nNội dung.\nNơi nhận:\n- Như trên;\n- Chủ tịch UBND tỉnh;\n"
                          "- Lưu: VT, NC.\nTL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG\n\nĐỗ Tấn Sương")
    rec, filing = read_recipients(t)
    assert rec[:2] == ["Sở Tài chính", "Sở Y tế"]
    assert "Chủ tịch UBND tỉnh" in rec
    assert filing == ["VT, NC"] and not any("Lưu" in r for r in rec)


def test_internal_paper_signed_by_the_office_head_box():
    text = ("4.3. Không thống nhất Lý do:……… 5. Độ mật: Không\n"
            "PHÒNG XỬ LÝ CHÍNH: NỘI CHÍNH | LÃNH ĐẠO VĂN PHÒNG ........................ Ngày     tháng 11 năm 2025     Đỗ Tấn Sương\n"
            "Chuyên viên Ngày 06 tháng 11 năm 2025          Trương Hải Châu | Lãnh đạo phòng Ngày  06  tháng 11 năm 2025   "
            "       Nguyễn Tuấn Anh | LÃNH ĐẠO VĂN PHÒNG ........................ Ngày     tháng 11 năm 2025     Đỗ Tấn Sương\n"
            "KÍNH TRÌNH CHỦ TỊCH UBND TỈNH ........................ Ngày     tháng 11 năm 2025      Hồ Văn Mười\n")
    sig = read_signature(text)
    assert sig.signer == "Đỗ Tấn Sương" and sig.signer_title.lower() == "lãnh đạo văn phòng"


def test_note_ends_with_its_drafter():
    sig = read_signature("Kính trình lãnh đạo xem xét, quyết định./.\n                  Chuyên viên: Trương Hải Châu\n\n"
                         "Ý kiến của lãnh đạo UBND tỉnh:\n")
    assert sig.signer == "Trương Hải Châu"


def test_kinh_gui_list_after_the_flattened_right_header_column():
    text = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\nSố:           /UBND-NC\nV/v tập trung thực hiện các giải pháp\nKính gửi:\n"
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nLâm Đồng, ngày         tháng 12 năm 2025\n"
            "- Các cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh;\n- Ban Quản lý các khu công nghiệp.\n\nNội dung.")
    recipients, _ = read_recipients(text)
    assert recipients == ["Các cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh", "Ban Quản lý các khu công nghiệp"]
    from pipeline.extract.header import read_header
    h = read_header(text)
    assert (h.place, h.issue_year) == ("Lâm Đồng", 2025)


def test_office_numbering_outside_the_grammars_is_kept_as_printed():
    from pipeline.extract.header import read_header

    h = read_header("UBND TỈNH LÂM ĐỒNG\nVĂN PHÒNG\n\nSố:10-01/26/PT-NC\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nPHIẾU TRÌNH\n")
    assert (h.number, h.symbol, h.doc_type) == ("10-01/26/PT-NC", "PT-NC", "Phiếu trình")


# -- OCR'd signature blocks under a seal: noise around the name, misread marks ----------------------
import pytest  # noqa: E402

from pipeline.extract.signature import read_signature as _read, repair_name  # noqa: E402


@pytest.mark.parametrize("tail,name", [
    # a seal's remains between title and name, the surname's tone misread
    ("TM. CHÍNH PHỦ\nKT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\n(Đã ký)\n\nl\n\n-\n\nf\n\nTrận Hồng Hà", "Trần Hồng Hà"),
    # a stray mark between two syllables
    ("CHỦ TỊCH QUỐC HỘI\n(Đã ký)\n\n\\ TT\nỲ\n\nvo\n\nTrần ˆ Thanh Mẫn", "Trần Thanh Mẫn"),
    # syllables joined by a hyphen, a vowel's hat misread
    ("KT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\n(Đã ký)\nÍ Sị,\n` /\nHồ Đức-Phóc", "Hồ Đức Phớc"),
    # a capital read as a digit
    ("Nơi nhận:\n- Như trên;\n- Lưu: VI NC.Châu\nTL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG\n®\n\\\n/\nĐỗ Tấn 6ương", "Đỗ Tấn Sương"),
    # the name glued to the Lưu line of the other column
    ("Nơi nhận:\n- UBND huyện (b/c);\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n- Trạm Y tế xã; Ú\n"
     "- Lưu: VT Phạm Thị Hồng Nhạn", "Phạm Thị Hồng Nhạn"),
])
def test_ocr_noise_around_the_signer_name(tail, name):
    text = "Các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành Quyết định này./.\n\n" + tail
    assert _read(text, ocr=True).signer == name


def test_name_syllables_repaired_only_where_the_table_knows_one():
    assert repair_name("Hồ Đúc Phóc") == "Hồ Đức Phớc"
    assert repair_name("Nguyễn Hưu Tuấn") == "Nguyễn Hữu Tuấn"
    assert repair_name("Đỉnh Văn Tuấn") == "Đinh Văn Tuấn"
    # a syllable that is itself a name stays: "Tân" may be "Tấn", nothing on the page says which
    assert repair_name("Đỗ Tân Sương") == "Đỗ Tân Sương"


def test_typed_names_are_not_repaired():
    text = "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\nGIÁM ĐỐC\n\nHồ Đúc Phóc"
    assert _read(text).signer == "Hồ Đúc Phóc"  # not OCR'd: as printed


def test_a_signed_mark_finds_a_block_before_long_annexes():
    from pipeline.extract.signature import read_signature

    annex = "\n".join(f"{i}\n\nBáo cáo động thái số {i}\n\nBộ Chính trị, Ban Bí thư,\n" for i in range(400))
    text = ("Nghị quyết này được Quốc hội thông qua ngày 10 tháng 12 năm 2025.\n\nCHỦ TỊCH QUỐC HỘI\n\n( Đã ký)\n\n"
            "Trần Văn Hùng\n\nPHỤ LỤC 1\n\nDANH MỤC\n" + annex)
    assert read_signature(text).signer == "Trần Văn Hùng"
