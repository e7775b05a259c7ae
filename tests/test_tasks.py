"""Task forms on short texts written here (`extract.tasks`)."""
import datetime as dt

from pipeline.extract.tasks import find_tasks, split_agencies


def tasks(text, doc_type="Kế hoạch", year=2026):
    return find_tasks(text, 0, doc_type, [], year, "Ủy ban nhân dân tỉnh Lâm Đồng", None)


def test_an_item_followed_by_its_executor_and_time_is_that_bodys_task():
    text = ("II. NHIỆM VỤ\n"
            "1. Rà soát, kiện toàn tổ chức bộ máy quản lý nhà nước về lao động.\n"
            "- Cơ quan thực hiện: Sở Nội vụ chủ trì, phối hợp với Sở Tài chính và Ủy ban nhân dân các xã.\n"
            "- Thời gian thực hiện: trước ngày 30/6/2026.\n")
    [t] = tasks(text)
    assert t.assignee == "Sở Nội vụ" and t.action.startswith("Rà soát")
    assert t.coordinators == ["Sở Tài chính", "Ủy ban nhân dân các xã"]
    assert t.deadline == dt.datetime(2026, 6, 30)


def test_a_name_holding_a_comma_and_va_keeps_them():
    assert split_agencies("Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh và Sở Tài chính") == [
        "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh", "Sở Tài chính"]
    assert split_agencies("Báo và Đài Phát thanh - Truyền hình Lâm Đồng") == ["Báo và Đài Phát thanh - Truyền hình Lâm Đồng"]


def test_the_owner_named_once_at_the_end_belongs_to_each_item():
    assert split_agencies("Thường trực Hội đồng nhân dân, các Ban, các Tổ đại biểu và đại biểu Hội đồng nhân dân tỉnh") == [
        "Thường trực Hội đồng nhân dân tỉnh", "Các Ban của Hội đồng nhân dân tỉnh",
        "Các Tổ đại biểu Hội đồng nhân dân tỉnh", "Đại biểu Hội đồng nhân dân tỉnh"]


def test_a_verb_inside_a_name_or_after_duoc_does_not_end_it():
    [t] = tasks("III. TỔ CHỨC THỰC HIỆN\n1. Giao Bộ Ngoại giao chủ trì, phối hợp với các bộ, cơ quan liên quan "
                "về việc hướng dẫn thủ tục.\n")
    assert t.assignee == "Bộ Ngoại giao" and t.coordinators == ["Các bộ, cơ quan liên quan"]
    [t] = tasks("III. TỔ CHỨC THỰC HIỆN\n1. Các cơ quan, đơn vị được kiểm tra chuẩn bị hồ sơ trước ngày 15/5/2026.\n")
    assert t.assignee == "Các cơ quan, đơn vị được kiểm tra"


def test_tổ_chức_hội_nghị_is_an_action_not_a_name():
    [t] = tasks("III. TỔ CHỨC THỰC HIỆN\n1. Giao Sở Công Thương chủ trì, phối hợp với các sở, ngành liên quan tổ chức "
                "hội nghị xúc tiến thương mại trước ngày 15/5/2026.\n")
    assert t.coordinators == ["Các sở, ngành liên quan"] and t.deadline == dt.datetime(2026, 5, 15)


def test_a_marker_alone_on_its_line_marks_the_next():
    text = ("III. TỔ CHỨC THỰC HIỆN\n2.\nGiao Sở Y tế:\n- Hướng dẫn các xã triển khai thực hiện Kế hoạch.\n"
            "- Tổng hợp, báo cáo kết quả trước ngày 15/12/2026.\n")
    got = tasks(text)
    assert [t.assignee for t in got] == ["Sở Y tế", "Sở Y tế"] and got[0].section == "III.2"


def test_one_executor_block_closes_several_items_and_a_partner_line_adds_coordinators():
    text = ("II. NỘI DUNG\n"
            "3.1. Rà soát quy trình giải quyết tranh chấp lao động.\n"
            "3.2. Tập huấn hòa giải viên lao động.\n"
            "- Cơ quan thực hiện: Sở Nội vụ chủ trì, phối hợp với Liên đoàn Lao động tỉnh; các sở, ngành liên quan.\n"
            "- Đơn vị phối hợp: Ủy ban nhân dân các xã.\n"
            "- Thời gian thực hiện: Trong tháng 8/2026.\n")
    got = tasks(text)
    assert [t.action[:8] for t in got] == ["Rà soát ", "Tập huấn"]
    assert all(t.assignee == "Sở Nội vụ" and t.deadline == dt.datetime(2026, 8, 31) for t in got)
    assert got[0].coordinators == ["Liên đoàn Lao động tỉnh", "Các sở, ngành liên quan", "Ủy ban nhân dân các xã"]


def test_a_partner_after_voi_need_not_be_an_agency_word_and_one_inside_the_object_does_not_count():
    [t] = tasks("III. TỔ CHỨC THỰC HIỆN\n1. Bộ Chỉ huy quân sự tỉnh phối hợp với cấp ủy, chính quyền địa phương "
                "khu vực biên giới đẩy mạnh tuyên truyền.\n")
    assert t.coordinators == ["Cấp ủy, chính quyền địa phương khu vực biên giới"]
    [t] = tasks("III. TỔ CHỨC THỰC HIỆN\n1. Liên đoàn Lao động tỉnh chỉ đạo các cấp công đoàn chủ động phối hợp với "
                "cơ quan liên quan chăm lo đời sống người lao động.\n")
    assert t.coordinators == []


def test_approvals_facts_and_upward_proposals_are_not_tasks():
    text = ("Chủ tịch Ủy ban nhân dân tỉnh có ý kiến như sau:\n"
            "1. Thống nhất với hồ sơ báo cáo kết quả đại hội của Hội Nông dân tỉnh.\n"
            "2. Đại hội đã biểu quyết số lượng Ban Chấp hành: 25 thành viên.\n"
            "3. Chủ tịch Hội: Ông Nguyễn Văn A.\n")
    assert find_tasks(text, 0, "Công văn", ["Hội Nông dân tỉnh"], 2025, "Ủy ban nhân dân tỉnh Lâm Đồng", None) == []
    got = find_tasks("1. Rà soát nhân lực các điểm trạm; đề nghị Sở Y tế bổ sung 01 bác sĩ.\n", 0, "Kế hoạch", [], 2025,
                     "Ủy ban nhân dân xã Đức Hòa", None)
    assert [t.assignee for t in got] == []


def test_a_known_name_written_another_way_is_normalised():
    assert split_agencies("Sở Văn hóa Thể thao Du lịch, BHXH tỉnh") == ["Sở Văn hóa, Thể thao và Du lịch",
                                                                         "Bảo hiểm xã hội tỉnh"]


def letter(text, recipients, year=2025):
    return find_tasks(text, 0, "Công văn", recipients, year, "Ủy ban nhân dân tỉnh Lâm Đồng", None)


def test_a_lead_in_covers_the_outline_below_it_and_a_heading_is_no_item():
    text = ("Để cải thiện các chỉ số, Chủ tịch Ủy ban nhân dân tỉnh yêu cầu:\n"
            "I. NHIỆM VỤ CẦN TRIỂN KHAI NGAY TRONG THÁNG 12/2025\n"
            "1. Sở Tư pháp\n"
            "Tập trung thực hiện Kế hoạch kiểm tra văn bản.\n"
            "2. Sở Tài chính\n"
            "a) Tham mưu tháo gỡ khó khăn trong giải ngân vốn đầu tư công.\n"
            "II. NHIỆM VỤ NĂM 2026\n"
            "1. Nhiệm vụ chung\n"
            "a) Đẩy mạnh cải cách thủ tục hành chính.\n")
    got = letter(text, ["Các sở, ban, ngành", "Ủy ban nhân dân các xã"])
    assert [(t.assignee, t.section) for t in got] == [
        ("Sở Tư pháp", "I.1"), ("Sở Tài chính", "I.2.a"),
        ("Các sở, ban, ngành", "II.1.a"), ("Ủy ban nhân dân các xã", "II.1.a")]
    # the heading's month is the deadline of the items under it that have none of their own
    assert got[0].deadline == got[1].deadline == dt.datetime(2025, 12, 31) and got[2].deadline is None


def test_an_approval_article_and_a_scope_section_list_no_tasks():
    text = ("Điều 1. Phê duyệt danh mục sửa chữa trạm y tế, cụ thể như sau:\n"
            "1. Trạm Y tế xã A: sửa chữa nhà trạm; kinh phí 620 triệu đồng.\n"
            "Điều 2. Tổ chức thực hiện\n"
            "1. Phòng Y tế theo dõi, kiểm tra tiến độ; tổng hợp, báo cáo trước ngày 15/7/2024.\n")
    [t] = find_tasks(text, 0, "Quyết định", [], 2024, "Ủy ban nhân dân huyện Mộ Đức", None)
    assert t.assignee == "Phòng Y tế" and t.deadline == dt.datetime(2024, 7, 15)  # one time phrase: one task
    text = ("II. ĐỐI TƯỢNG THI ĐUA\n- Các phòng chuyên môn và tổ chức tương đương thuộc các cơ quan.\n"
            "III. TỔ CHỨC THỰC HIỆN\n1. Sở Nội vụ hướng dẫn, theo dõi phong trào thi đua.\n")
    assert [t.assignee for t in tasks(text)] == ["Sở Nội vụ"]


def test_a_short_parenthesis_and_a_short_back_reference_keep_the_name():
    text = ("Điều 3. Hội Công chứng viên tỉnh A, Hội Công chứng viên tỉnh B (cũ) có trách nhiệm chuyển giao "
            "toàn bộ tài sản cho Hội mới.\n")
    assert [t.assignee for t in find_tasks(text, 0, "Quyết định", [], 2025, "Ủy ban nhân dân tỉnh Lâm Đồng", None)] == [
        "Hội Công chứng viên tỉnh A", "Hội Công chứng viên tỉnh B (cũ)"]
    text = ("1. Giao Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh chủ trì rà soát danh mục dự án.\n"
            "2. Giao Trung tâm chủ trì, phối hợp với các đơn vị liên quan tổ chức Hội nghị đối thoại.\n")
    got = letter(text, [])
    assert {t.assignee for t in got} == {"Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh"}


def test_a_later_clause_with_its_own_subject_and_a_closing_exhortation():
    text = ("Ủy ban nhân dân các phường, xã có trách nhiệm kiểm tra việc treo cờ ở địa bàn dân cư; Thủ trưởng các cơ "
            "quan, đơn vị chỉ đạo việc treo cờ ở các đơn vị thuộc quyền quản lý.\n"
            "Đề nghị các cơ quan, địa phương quan tâm thực hiện./.\n")
    got = find_tasks(text, 0, "Thông báo", [], 2026, "Ủy ban nhân dân thành phố Hà Nội", None)
    assert [t.assignee for t in got] == ["Ủy ban nhân dân các phường, xã", "Thủ trưởng các cơ quan, đơn vị"]


def test_the_preamble_is_no_task_and_a_shared_level_reaches_the_front():
    text = ("Theo đề nghị của Hội Luật gia tỉnh và Sở Tư pháp tại Tờ trình số 62/TTr-STP.\n"
            "Điều 2. Đề nghị Ủy ban MTTQ Việt Nam và các tổ chức chính trị - xã hội tỉnh tăng cường giám sát.\n")
    got = find_tasks(text, 0, "Quyết định", [], 2025, "Ủy ban nhân dân tỉnh Lâm Đồng", None)
    assert [t.assignee for t in got] == ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "Các tổ chức chính trị - xã hội tỉnh"]


# -- the fast forms of the rules give the answers of the plain ones -------------------------------
_CLAUSES = [
    "Sở Tài chính chủ trì, phối hợp với Sở Xây dựng tổ chức thực hiện trước ngày 30/6/2026.",
    "các cơ quan, đơn vị được kiểm tra có trách nhiệm cung cấp hồ sơ",
    "Ban quản lý dự án đầu tư xây dựng tỉnh tiếp tục rà soát; nắm chắc tình hình, tiếp tục theo dõi",
    "Các tổ chức chính trị - xã hội tỉnh tuyên truyền; các tổ chức, cá nhân tổ chức hội nghị",
    "UBND các huyện căn cứ chức năng, nhiệm vụ xây dựng kế hoạch; làm chủ đầu tư dự án",
    "Thanh tra tỉnh Kiểm tra việc chấp hành",
    "Sở Ngoại giao giao Sở Nội vụ gửi báo cáo",
    "giaox chủ trìa tăng",
    "Ban Quản lý dự án đầu tư xây dựng số 1 dự họp; dự toán, dự thảo và dự án",
    "",
]


def test_the_verb_index_finds_what_the_verb_alternation_finds():
    """`_StopWords` stands for the ~200-branch regex: same start, end and text at every offset."""
    from pipeline.extract.tasks import _STOP_RE, _STOP_RE_PLAIN

    def key(m):
        return None if m is None else (m.start(), m.end(), m.group(0))

    assert _STOP_RE.by_word is not None  # the shape it relies on holds for `_STOP`
    for s in _CLAUSES:
        for pos in range(0, len(s) + 1, 3):
            for end in (None, len(s) // 2, len(s)):
                e = len(s) if end is None else end
                assert key(_STOP_RE.search(s, pos, end)) == key(_STOP_RE_PLAIN.search(s, pos, e)), (s, pos, end)
            assert key(_STOP_RE.match(s[pos:])) == key(_STOP_RE_PLAIN.match(s[pos:])), (s, pos)
        assert _STOP_RE.head(s) == _STOP_RE_PLAIN.split(s)[0]


def test_the_not_task_item_branches_answer_as_the_joined_regex():
    from pipeline.extract.tasks import _NOT_TASK_ITEM, _not_task_item

    for s in _CLAUSES + ["Thống nhất tổ chức Hội nghị", "Thống nhấtx", "Đại hội đã biểu quyết thông qua",
                         "Chủ tịch Hội: Ông Nguyễn Văn A", "Sở Y tế thông báo để các đơn vị được biết.",
                         "đã triển khai", "Sở Y tế đang được giao nhiệm vụ"]:
        assert _not_task_item(s) == bool(_NOT_TASK_ITEM.search(s)), s


def test_common_markers_read_without_the_marker_regex_as_with_it():
    """`_lines` reads "- ", "a) ", "1. ", "12) " itself: the kind, label, text and offsets are the regex's."""
    from pipeline.extract.tasks import _MARKER, _lines

    rows = ["- Sở Y tế", "a) Giao Sở Nội vụ:", "1. Rà soát", "12) Báo cáo", "1.2. Sở A", "1. 5 tỷ đồng", "b)  hai",
            "-  x", "• Mục", "+ Sở B", "đ) Sở C", "Điều 3. Sở D", "\t- tab"]
    text = "\n".join(rows)
    got = _lines(text, 0, len(text))
    pos = 0
    expected = []
    for raw in rows:
        m = _MARKER.match(raw)
        if m and m.end() < len(raw.rstrip()):
            body = raw[m.end():]
            expected.append((m.lastgroup, m.group(m.lastgroup), body.strip(), pos + m.end() + len(body) - len(body.lstrip())))
        pos += len(raw) + 1
    assert [(ln.kind, ln.label, ln.text, ln.body_start) for ln in got if ln.kind] == expected


def test_a_part_of_targets_and_tasks_holds_the_tasks_under_its_own_heading():
    text = ("II. CHỈ TIÊU, NHIỆM VỤ\n1. Cải cách thể chế\na) Mục tiêu\n"
            "- 100% văn bản được cập nhật kịp thời.\nb) Nhiệm vụ\n"
            "- Giao Công an tỉnh tham mưu Ủy ban nhân dân tỉnh triển khai ứng dụng số trong công tác giám sát.\n"
            "- Sở Tư pháp tham mưu Ủy ban nhân dân tỉnh tổ chức lấy ý kiến Nhân dân.\n")
    assert [t.assignee for t in tasks(text)] == ["Công an tỉnh", "Sở Tư pháp"]
    # a part of targets alone still assigns nothing
    assert tasks("I. MỤC TIÊU\n- Sở Tư pháp tham mưu Ủy ban nhân dân tỉnh tổ chức lấy ý kiến.\n") == []


def test_an_annex_table_with_lead_and_partner_columns():
    text = ("PHỤ LỤC\nPHÂN CÔNG THỰC HIỆN NHIỆM VỤ\n"
            "STT | Nhiệm vụ | Sản phẩm | Thời gian hoàn thành | Chủ trì thực hiện | Phối hợp thực hiện | Theo dõi, kiểm tra\n"
            "I | Cải cách thể chế |  |  |  |  | \n"
            "1 | Cập nhật văn bản lên cơ sở dữ liệu. | Văn bản được cập nhật | Theo Điều 17 Nghị định số 52/2015/NĐ-CP ngày "
            "28/5/2015 của Chính phủ | Sở Tư pháp | Văn phòng UBND tỉnh | Sở Tư pháp\n"
            "2 | Hoàn thành Trung tâm điều hành. | Trung tâm hoạt động | 30/6/2026 | Văn phòng UBND tỉnh | Sở Khoa học và "
            "Công nghệ | Sở Nội vụ\n")
    got = [(t.assignee, t.coordinators, t.deadline) for t in tasks(text)]
    assert got == [("Sở Tư pháp", ["Văn phòng Ủy ban nhân dân tỉnh"], None),  # the cell's date is the decree's
                   ("Văn phòng Ủy ban nhân dân tỉnh", ["Sở Khoa học và Công nghệ"], dt.datetime(2026, 6, 30))]


def test_truc_tiep_ends_a_name():
    [t] = tasks("3. Công an tỉnh Lâm Đồng trực tiếp quản lý, chỉ đạo Đội phản ứng nhanh.\n", doc_type="Quyết định")
    assert t.assignee == "Công an tỉnh Lâm Đồng"


def test_a_project_board_keeps_its_name():
    # "dự án", "xây dựng" inside a body's name are not the verbs "dự", "xây"
    [t] = tasks("- Giao Ban Quản lý dự án đầu tư xây dựng số 1 chủ trì, phối hợp với Sở Xây dựng rà soát hồ sơ.\n",
                doc_type="Thông báo")
    assert t.assignee == "Ban Quản lý dự án đầu tư xây dựng số 1" and t.coordinators == ["Sở Xây dựng"]


def test_a_time_phrase_before_the_subject():
    got = [(t.assignee, t.action[:23]) for t in tasks(
        "6. Hằng năm, Công an tỉnh có trách nhiệm xây dựng dự toán gửi Sở Tài chính thẩm định.\n"
        "7. Trong năm 2026, Sở Y tế chủ trì, phối hợp với Sở Tài chính rà soát danh mục.\n", doc_type="Quyết định")]
    assert got == [("Công an tỉnh", "có trách nhiệm xây dựng"), ("Sở Y tế", "rà soát danh mục.")]
    assert tasks("Hằng năm, tổ chức sơ kết.\n", doc_type="Quyết định") == []  # no subject after it


def test_a_standing_office_with_a_duty_is_a_task():
    got = [t.assignee for t in tasks("1. Sở Nội vụ là cơ quan thường trực của Hội đồng, có trách nhiệm làm đầu mối "
                                     "cho Hội đồng.\n2. Sở Tư pháp là cơ quan thường trực của Ban.\n", doc_type="Quyết định")]
    assert got == ["Sở Nội vụ"]  # a copula alone assigns nothing
