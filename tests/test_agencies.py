import pytest

from pipeline.extract.agencies import display_name, jurisdiction_of, resolve_issuer, split_bodies


@pytest.mark.parametrize("raw,name", [
    ("ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", "Ủy ban nhân dân tỉnh Lâm Đồng"),
    ("UBND TỈNH LÂM ĐỒNG", "Ủy ban nhân dân tỉnh Lâm Đồng"),
    ("SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "Sở Văn hóa, Thể thao và Du lịch"),
    ("BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Bộ Lao động - Thương binh và Xã hội"),
    ("TỈNH ỦY QUẢNG NGÃI", "Tỉnh ủy Quảng Ngãi"),
    ("ỦY BAN NHÂN DÂN XÃ BÌNH TÂN", "Ủy ban nhân dân xã Bình Tân"),
    ("Uỷ ban nhân dân Tỉnh Khánh Hoà", "Ủy ban nhân dân tỉnh Khánh Hòa"),
    ("BẢO HIỂM XÃ HỘI VIỆT NAM", "Bảo hiểm xã hội Việt Nam"),
])
def test_display_name(raw, name):
    assert display_name(raw) == name


def test_split_bodies():
    assert split_bodies(["UBND TỈNH LÂM ĐỒNG", "SỞ NỘI VỤ"]) == ["UBND TỈNH LÂM ĐỒNG", "SỞ NỘI VỤ"]
    assert split_bodies(["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG"]) == ["ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG"]
    assert split_bodies(["ỦY BAN THƯỜNG VỤ", "QUỐC HỘI"]) == ["ỦY BAN THƯỜNG VỤ QUỐC HỘI"]
    assert split_bodies(["BỘ CÔNG AN", "CÔNG AN TỈNH LÂM ĐỒNG"]) == ["BỘ CÔNG AN", "CÔNG AN TỈNH LÂM ĐỒNG"]


def test_resolve_relative_issuers_by_level():
    commune_2025 = jurisdiction_of("Ủy ban nhân dân xã Bình Sơn", "Ủy ban nhân dân tỉnh Quảng Ngãi")
    assert resolve_issuer("UBND tỉnh", commune_2025) == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    # the commune's district is not in its header: left incomplete rather than guessed
    assert resolve_issuer("UBND huyện", commune_2025) == "Ủy ban nhân dân huyện"
    district = jurisdiction_of("Ủy ban nhân dân huyện Bình Sơn")
    assert resolve_issuer("UBND huyện", district) == "Ủy ban nhân dân huyện Bình Sơn"
    assert resolve_issuer("Chính phủ", district) == "Chính phủ"


def test_tone_slip_in_a_known_central_name():
    from pipeline.extract.agencies import display_name

    assert display_name("BỘ GIÁO DỤC VÀ ĐÀO TÀO") == "Bộ Giáo dục và Đào tạo"
