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
