import datetime as dt

from pipeline.extract.agencies import jurisdiction_of
from pipeline.text.clean import normalize_text
from pipeline.extract.references import citation_key, find_citations


def cites(text, **kw):
    t, _ = normalize_text(text)
    return find_citations(t, **kw)


def test_full_citation_with_date_and_relative_issuer():
    where = jurisdiction_of("Ủy ban nhân dân thị xã Đức Phổ", "Ủy ban nhân dân tỉnh Quảng Ngãi")
    [c] = cites("Căn cứ Quyết định số 2750/QĐ-UBND ngày 05/7/2017 của UBND thị xã về việc kiện toàn;", where=where)
    assert (c.cited_type, c.cited_number, c.cited_date) == ("Quyết định", "2750/QĐ-UBND", dt.date(2017, 7, 5))
    assert c.cited_issuer == "Ủy ban nhân dân thị xã Đức Phổ" and c.cited_issuer_raw == "UBND thị xã"
    assert c.relation == "basis" and c.cited_subject.startswith("về việc")


def test_list_sharing_one_type_word_gives_one_row_each():
    cs = cites("Thực hiện các Quyết định số: 2750/QĐ-UBND ngày 05/7/2017, 4799/QĐ-UBND ngày 31/12/2020 của UBND tỉnh;")
    assert [c.cited_number for c in cs] == ["2750/QĐ-UBND", "4799/QĐ-UBND"]
    assert [c.cited_date for c in cs] == [dt.date(2017, 7, 5), dt.date(2020, 12, 31)]
    assert all(c.cited_type == "Quyết định" and c.relation == "implements" for c in cs)
    assert cs[0].cited_issuer_raw == "UBND tỉnh"  # the trailing issuer is shared


def test_date_forms():
    cs = cites("Công văn số 12/UBND-NC ngày 9-5-2017; Nghị định số 56/2017/NĐ-CP ngày 09 tháng 5 năm 2017; "
               "Quyết định 435/QĐ-UBND năm 2020; Kế hoạch số 3/KH-UBND ngày 05.7.2017")
    assert [c.cited_date for c in cs] == [dt.date(2017, 5, 9), dt.date(2017, 5, 9), None, dt.date(2017, 7, 5)]
    assert cs[2].cited_year == 2020


def test_short_form_inherits_date_and_issuer():
    cs = cites("Thực hiện Kế hoạch số 92/KH-UBND ngày 12/4/2024 của UBND tỉnh Quảng Ngãi. "
               "Các sở triển khai mục 18 phần VI Kế hoạch số 92/KH-UBND đúng hạn.")
    full, short = cs
    assert short.short_form and short.cited_date == dt.date(2024, 4, 12)
    assert short.cited_issuer == full.cited_issuer == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert short.part == "mục 18 phần VI"
    assert short.target_id == full.target_id


def test_party_and_typeless_and_type_from_symbol():
    cs = cites("Thực hiện Chỉ thị số 28-CT/TW của Bộ Chính trị và văn bản số 1413/PC04 của Công an tỉnh; "
               "xét Tờ trình 253/TTr-SNV.")
    assert [(c.cited_type, c.cited_number) for c in cs] == [
        ("Chỉ thị", "28-CT/TW"), ("Công văn", "1413/PC04"), ("Tờ trình", "253/TTr-SNV")]


def test_named_laws_with_and_without_number():
    cs = cites("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; "
               "Căn cứ Luật Viên chức số 58/2010/QH12; theo quy định của Luật Trẻ em và Bộ luật Lao động.")
    keys = [citation_key(c) for c in cs]
    assert keys == ["name:luật tổ chức chính quyền địa phương", "58/2010/qh12", "name:luật trẻ em", "name:bộ luật lao động"]
    assert cs[0].cited_date == dt.date(2015, 6, 19)
    assert cs[1].cited_name == "Luật Viên chức"


def test_amending_law_number_belongs_to_the_amending_law():
    cs = cites("Căn cứ Luật Viên chức số 58/2010/QH12; Luật sửa đổi, bổ sung một số điều của Luật Cán bộ, "
               "công chức và Luật Viên chức số 52/2019/QH14;")
    a, b = cs[0], cs[1]
    assert b.cited_number == "52/2019/QH14" and b.cited_name.startswith("Luật sửa đổi")
    # the laws the title amends are cited too, and take the Căn cứ paragraph's relation
    named = [c for c in cs[2:]]
    assert [c.cited_name for c in named] == ["Luật Cán bộ, công chức", "Luật Viên chức"]
    assert named[1].cited_number == "58/2010/QH12"  # the name joins the number cited before
    assert {c.relation for c in cs} == {"basis"}


def test_omnibus_amending_title_of_several_laws():
    cs = cites("Căn cứ Luật Đầu tư công số 58/2024/QH15; Luật sửa đổi, bổ sung một số điều của Luật Đấu thầu, "
               "Luật Đầu tư theo phương thức đối tác công tư, Luật Hải quan, Luật Thuế giá trị gia tăng, Luật Thuế "
               "xuất khẩu, thuế nhập khẩu, Luật Đầu tư, Luật Quản lý, sử dụng tài sản công số 90/2025/QH15;")
    amending = [c for c in cs if c.cited_number == "90/2025/QH15"]
    assert len(amending) == 1 and amending[0].cited_name.startswith("Luật sửa đổi, bổ sung")
    names = {c.cited_name for c in cs if c.cited_number is None}
    assert {"Luật Đấu thầu", "Luật Hải quan", "Luật Quản lý, sử dụng tài sản công"} <= names
    assert {c.relation for c in cs} == {"basis"}


def test_name_only_mention_joins_its_numbered_law():
    cs = cites("Căn cứ Luật Tố cáo số 25/2018/QH14; … thi hành Luật Tố cáo.")
    assert {citation_key(c) for c in cs} == {"25/2018/qh14"}


def test_own_number_is_not_a_reference():
    cs = cites("Kế hoạch này thay thế Kế hoạch số 76/KH-UBND. Ban hành kèm theo Quyết định số 95/UBTVQH15.",
               own_number="95/2025/UBTVQH15")
    assert [c.cited_number for c in cs] == ["76/KH-UBND"]


def test_forms_and_phone_numbers_are_not_references():
    assert cites("Theo Mẫu số 01/PCTN; điện thoại 0255/3822; tài khoản 3711/KBNN") == []


def test_spaces_and_typos_inside_numbers():
    cs = cites("Theo Công văn số 3812/SLĐT BXH-VP ngày 28/12/2023 và Quyết định số 416/QĐ- TTg ngày 25/3/2020")
    assert [c.cited_number for c in cs] == ["3812/SLĐTBXH-VP", "416/QĐ-TTg"]


def test_relations_vocabulary():
    text = ("Căn cứ Nghị định số 30/2020/NĐ-CP;\n"
            "Xét đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 253/TTr-SNV;\n"
            "Xét báo cáo của Sở Tư pháp tại Báo cáo số 45/BC-STP;\n"
            "Điều 2. Quyết định này thay thế Quyết định số 12/QĐ-UBND.\n"
            "Điều 3. Bãi bỏ Quyết định số 13/QĐ-UBND.\n"
            "Điều 4. Sửa đổi, bổ sung Điều 5 Quyết định số 14/QĐ-UBND.\n"
            "Quy chế ban hành kèm theo Quyết định số 15/QĐ-UBND.\n"
            "Thực hiện Kế hoạch số 16/KH-UBND, các sở triển khai.\n"
            "Việc này làm theo quy định tại Thông tư số 17/2020/TT-BTC.\n")
    got = {c.cited_number: c.relation for c in cites(text)}
    assert got == {"30/2020/NĐ-CP": "basis", "253/TTr-SNV": "proposal", "45/BC-STP": "report",
                   "12/QĐ-UBND": "replaces", "13/QĐ-UBND": "repeals", "14/QĐ-UBND": "amends",
                   "15/QĐ-UBND": "attached", "16/KH-UBND": "implements", "17/2020/TT-BTC": "mentions"}


def test_amendment_someone_else_makes_is_a_mention():
    [c] = cites("Đề nghị Bộ Nội vụ sớm trình Chính phủ sửa đổi, bổ sung Nghị định số 126/2024/NĐ-CP.")
    assert c.relation == "mentions"


def test_list_under_a_repeal_heading():
    cs = cites("Điều 1. Bãi bỏ toàn bộ các văn bản sau\n\n1. Quyết định số 104/2000/QĐ-TTg ngày 25 tháng 8 năm 2000.\n"
               "2. Quyết định số 63/2002/QĐ-TTg ngày 20 tháng 5 năm 2002.\n")
    assert [c.relation for c in cs] == ["repeals", "repeals"]


def test_spans_point_at_the_mention():
    t, _ = normalize_text("Theo Kế hoạch số 76/KH-UBND ngày 26/3/2024 của UBND tỉnh, các đơn vị báo cáo.")
    [c] = find_citations(t)
    assert t[c.start:c.end] == c.mention and c.mention.startswith("Kế hoạch số 76/KH-UBND")


def test_enclosed_document_is_attached():
    cs = cites("Ủy ban nhân dân tỉnh nhận được Kế hoạch số 1014/KH-C04-P6 ngày 25/02/2026 của Bộ Công an về "
               "phòng, chống ma túy (Kế hoạch số 1014/KH-C04-P6 gửi kèm).")
    assert [c.relation for c in cs] == ["mentions", "attached"]


def test_vv_line_broken_over_lines_governs_its_object():
    from pipeline.document import extract
    from pipeline.models import DocumentRecord

    text, _ = normalize_text("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\nSố: /UBND-NC\nV/v tham mưu triển khai\nCông văn số "
                             "427/BCA-C04\ncủa Bộ Công an\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nKính gửi: Công an tỉnh\n")
    rec = DocumentRecord(doc_id="t", source_path="t", source_sha256="", kind="txt")
    extract(rec, text)
    [c] = rec.citations
    assert c.cited_number == "427/BCA-C04" and c.relation == "implements"


def test_laws_inside_a_named_amending_title():
    cs = cites("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số "
               "điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;")
    names = [(c.cited_name, c.cited_date) for c in cs]
    assert names[1][0].startswith("Luật sửa đổi") and names[1][1] == dt.date(2019, 11, 22)
    assert ("Luật Tổ chức Chính phủ", None) in names
    # the inner law keeps its own date (from its full citation), not the amending law's
    assert names.count(("Luật Tổ chức chính quyền địa phương", dt.date(2015, 6, 19))) == 2
    assert {c.relation for c in cs} == {"basis"}


def test_relations_of_labelled_sections_and_numbered_headings():
    # "* Căn cứ pháp lý:" of a phiếu trình governs the section, up to the next "* "
    cs = cites("4. Phòng chuyên môn đề xuất phương án: * Căn cứ pháp lý: - Về đề nghị kiện toàn: Ngày 04/4/2025, "
               "Chủ tịch UBND tỉnh đã ban hành Quyết định số 607/QĐ-UBND về việc kiện toàn Đội. - Sở Nội vụ có Công "
               "văn số 1547/SNV-TCBC ngày 18/9/2025 về thẩm định. * Từ cơ sở nêu trên, theo Kế hoạch số 9/KH-UBND.")
    assert [c.relation for c in cs] == ["basis", "basis", "mentions"]  # the section ended at "* "
    # a numbered item ending with ":" introduces the list under it
    cs = cites("Điều 7. Hiệu lực thi hành\n1. Thông tư này có hiệu lực từ ngày 01 tháng 02 năm 2026.\n"
               "2. Các Thông tư sau hết hiệu lực kể từ ngày Thông tư này có hiệu lực thi hành:\n"
               "a) Thông tư số 03/2013/TT-BTTTT ngày 22 tháng 01 năm 2013;\nb) Thông tư số 23/2022/TT-BTTTT ngày 30/11/2022.")
    assert [c.relation for c in cs] == ["repeals", "repeals"]


def test_xet_and_enclosure_inside_a_proposal_phrase():
    cs = cites("Căn cứ Quyết định số 1187/QĐ-BNV ngày 15/10/2025 của Bộ trưởng Bộ Nội vụ và xét Báo cáo số 228/BC-SNV "
               "ngày 28/11/2025 của Sở Nội vụ;")
    assert [c.relation for c in cs] == ["basis", "report"]
    cs = cites("Thực hiện ý kiến chỉ đạo của UBND tỉnh tại Công văn số 4377/UBND-NC ngày 30/9/2025 về việc xem xét đề nghị "
               "của Ủy ban MTTQ Việt Nam tỉnh Lâm Đồng (kèm theo Công văn số 227/MTTQ-BTT ngày 25/9/2025 của Ban Thường "
               "trực Ủy ban MTTQ Việt Nam về đề nghị công nhận);")
    assert [c.relation for c in cs] == ["implements", "attached"]
    assert cs[1].cited_issuer == "Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam"


def test_repeal_of_a_provision_quy_dinh_tai():
    [c] = cites("2. Thông tư này bãi bỏ quy định tại khoản 1 Điều 2 Thông tư số 08/2025/TT-NHNN ngày 06 tháng 6 năm 2025.")
    assert c.relation == "repeals" and c.part == "khoản 1 Điều 2"


def test_acting_clause_and_phrase_items_under_a_repeal_heading():
    [c] = cites("3. Bãi bỏ số thứ tự 15 tại Biểu phí, lệ phí quy định tại khoản 1 Điều 1 Thông tư số 64/2025/TT-BTC "
                "ngày 30 tháng 6 năm 2025 của Bộ trưởng Bộ Tài chính.")
    assert c.relation == "repeals"
    cs = cites("2. Bãi bỏ một số cụm từ tại các Thông tư sau:\n\na) Cụm từ: “được Bộ giao nhiệm vụ” tại khoản 5 mục VI "
               "của chương trình ban hành kèm theo Thông tư số 19/2013/TT-BGDĐT;\n\nd) Cụm từ “được giao nhiệm vụ” tại "
               "khoản 2 Điều 6 Thông tư số 32/2021/TT-BGDĐT ngày 22 tháng 11 năm 2021.")
    assert [c.relation for c in cs] == ["attached", "repeals"]


def test_a_person_named_luat_is_not_a_law():
    assert cites("| 3 | Ông Luật Đại Nghĩa | Ủy viên |") == []


def test_a_mention_of_an_attached_regulation_carries_the_clause_relation_too():
    cs = cites("Căn cứ Bộ tiêu chí đánh giá ban hành kèm theo Quyết định số 1187/QĐ-BNV ngày 15/10/2025 của Bộ trưởng "
               "Bộ Nội vụ;\nĐiều 9. Bãi bỏ một số điểm của Quy định ban hành kèm theo Thông tư số 09/2023/TT-BGDĐT.\n"
               "2. Thay thế Mẫu số 01 tại Phụ lục I ban hành kèm theo Thông tư số 05/2024/TT-BXD như sau:")
    assert [(c.relation, c.relation_also) for c in cs] == [("attached", "basis"), ("attached", "repeals"),
                                                           ("attached", "amends")]


def test_a_proposal_that_someone_else_act_is_a_mention():
    [c] = cites("Sở Y tế kính trình UBND tỉnh xem xét, ban hành Quyết định phê duyệt Kế hoạch giai đoạn 2024 - 2026 "
                "và thay thế Quyết định số 2105/QĐ-UBND ngày 28/12/2018.")
    assert c.relation == "mentions"
    cs = cites("Thực hiện ý kiến chỉ đạo của UBND tỉnh tại Công văn số 4377/UBND-NC ngày 30/9/2025 về việc xem xét đề "
               "nghị của Ủy ban MTTQ tỉnh (kèm theo Công văn số 227/MTTQ-BTT ngày 25/9/2025);")
    assert (cs[1].relation, cs[1].relation_also) == ("attached", None)  # an enclosure named in passing


def test_a_report_repeals_nothing():
    text = "Bãi bỏ 12 thủ tục hành chính tại Quyết định số 123/QĐ-UBND ngày 5/3/2024 của UBND tỉnh."
    [acting] = cites(text)
    [reported] = cites(text, doc_type="Báo cáo")
    assert (acting.relation, reported.relation) == ("repeals", "mentions")


def test_misspelt_type_word_in_a_basis_paragraph():
    cs = cites("Căn cứ Nghị quyết số 93/NQ-CP ngày 16/4/2025 của Chính phủ; Hướng dân số 37/HD-BCA-C04 ngày 24/9/2025 "
               "của Bộ Công an và Kế hoạch số 2126/KH-UBND ngày 20/8/2025 của UBND tỉnh.")
    assert [(c.cited_type, c.relation) for c in cs] == [("Nghị quyết", "basis"), ("Hướng dẫn", "basis"),
                                                        ("Kế hoạch", "basis")]


def test_a_code_printed_with_a_capital_luat_is_the_code():
    cs = cites("tập trung vào các quy định của Bộ Luật Hình sự, Luật sửa đổi, bổ sung một số điều của Bộ Luật hình "
               "sự liên quan tội phạm về ma túy")
    assert [(c.cited_type, c.cited_name) for c in cs] == [
        ("Bộ luật", "Bộ luật Hình sự"), ("Luật", "Luật sửa đổi, bổ sung một số điều của Bộ Luật hình sự")]


def test_an_amending_law_name_ends_with_the_last_law_it_amends():
    # what follows the list of known laws is the sentence's, not the name's
    cs = cites("Chính phủ trình Luật sửa đổi, bổ sung một số điều của Luật Nhà ở thành dự án Luật Nhà ở (sửa đổi)")
    assert cs[0].cited_name == "Luật sửa đổi, bổ sung một số điều của Luật Nhà ở"
    cs = cites("theo Luật sửa đổi, bổ sung một số điều của Luật Thuế giá trị gia tăng, Luật Thuế tiêu thụ đặc biệt và "
               "Luật Quản lý thuế và sửa đổi một số điều khác")
    assert cs[0].cited_name == ("Luật sửa đổi, bổ sung một số điều của Luật Thuế giá trị gia tăng, Luật Thuế tiêu thụ "
                                "đặc biệt và Luật Quản lý thuế")
    # a law the gazetteer does not know in the list: its end is not known, the name is read as before
    cs = cites("theo Luật sửa đổi, bổ sung một số điều của Luật Nhà ở, Luật Chưa Biết Tên; và các văn bản")
    assert cs[0].cited_name == "Luật sửa đổi, bổ sung một số điều của Luật Nhà ở, Luật Chưa Biết Tên"


def test_a_fellow_of_a_repealed_decree_after_a_law_in_its_title_is_repealed_too():
    body = ("Điều 20. Hiệu lực thi hành\n1. Nghị định này có hiệu lực từ ngày 01 tháng 7 năm 2026.\n"
            "2. Nghị định số 41/2018/NĐ-CP ngày 12 tháng 3 năm 2018 của Chính phủ quy định chi tiết một số điều "
            "của Luật Thủy sản và Nghị định số 17/2022/NĐ-CP ngày 31 tháng 1 năm 2022 của Chính phủ sửa đổi, bổ "
            "sung một số điều của Nghị định số 41/2018/NĐ-CP hết hiệu lực kể từ ngày Nghị định này có hiệu lực.\n")
    rel = {}
    for c in cites(body, doc_type="Nghị định"):
        rel.setdefault(c.cited_number or c.cited_name, []).append(c.relation)
    assert rel["41/2018/NĐ-CP"][0] == "repeals" and rel["17/2022/NĐ-CP"] == ["repeals"]
    assert rel["Luật Thủy sản"] == ["mentions"]  # inside the first decree's title


def test_what_a_circulars_title_guides_is_not_its_fellow():
    # another kind after "và" is part of the title; so is the last item of an amending title's list
    body = ("2. Thông tư này thay thế Thông tư số 12/2019/TT-BTC ngày 02 tháng 4 năm 2019 của Bộ trưởng Bộ Tài "
            "chính hướng dẫn thi hành Luật Quản lý thuế và Nghị định số 126/2020/NĐ-CP ngày 19 tháng 10 năm 2020.\n"
            "3. Thông tư này bãi bỏ Thông tư số 08/2025/TT-BTC ngày 06 tháng 6 năm 2025 của Bộ trưởng Bộ Tài chính "
            "sửa đổi, bổ sung một số điều của Thông tư số 43/2015/TT-BTC ngày 31 tháng 12 năm 2015 của Bộ trưởng "
            "Bộ Tài chính và Thông tư số 29/2024/TT-BTC ngày 28 tháng 6 năm 2024 của Bộ trưởng Bộ Tài chính.\n")
    rel = {c.cited_number: c.relation for c in cites(body, doc_type="Thông tư") if c.cited_number}
    assert rel["12/2019/TT-BTC"] == "replaces" and rel["126/2020/NĐ-CP"] != "replaces"
    assert rel["08/2025/TT-BTC"] == "repeals" and rel["29/2024/TT-BTC"] != "repeals"


def test_bare_numbers_after_a_type_word_and_so():
    cs = cites("Công an Thành phố đã ban hành Quyết định số 335 phê duyệt Đề án; Nghị quyết số 163 ngày 27/11/2024 "
               "của Quốc hội; Thực hiện Chỉ thị số 36-CT/TW ngày 16/8/2019 của Bộ Chính trị. Tiếp tục thực hiện Chỉ "
               "thị số 36 của Bộ Chính trị.")
    got = [(c.cited_type, c.cited_number, c.cited_date, c.cited_issuer_raw, c.short_form) for c in cs]
    assert got == [("Quyết định", "335", None, "Công an Thành phố", False),
                   ("Nghị quyết", "163", dt.date(2024, 11, 27), "Quốc hội", False),
                   ("Chỉ thị", "36-CT/TW", dt.date(2019, 8, 16), "Bộ Chính trị", False),
                   ("Chỉ thị", "36-CT/TW", dt.date(2019, 8, 16), "Bộ Chính trị", True)]  # a short form of the full


def test_what_a_bare_number_is_not():
    # a year, a part, a form's footnote, a law's number, a number with a letter or a decimal
    assert cites("Kế hoạch năm 2025; Quy định tại mục số 7 điểm a khoản 3; Theo Quyết định số4: ........ ngày; "
                 "Luật số 12; Quyết định số 12a; Thông báo số 1.234 người") == []


def test_a_technical_standards_code_is_no_document():
    assert cites("ban hành kèm theo Thông tư này: 1. QCVN 101:2025/BNNMT - Quy chuẩn kỹ thuật quốc gia; "
                 "theo TCVN 5574:2018/BXD") == []


def test_the_constitution_before_a_comma_and_a_law_name_ending_before_de():
    names = [c.cited_name for c in cites("Tuân thủ Hiến pháp, pháp luật; Chính phủ trình Luật Đặc xá để trình Chủ "
                                          "tịch nước xem xét, quyết định.")]
    assert names == ["Hiến pháp", "Luật Đặc xá"]


def test_a_number_ocr_broke_is_no_bare_number():
    assert [c.cited_number for c in cites("theo Kế hoạch số 12§/KH-UBND ngày 30/3/2026 của UBND Thành phố")] == []
