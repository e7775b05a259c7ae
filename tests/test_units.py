import datetime as dt

import pytest

from pipeline.extract.units import (
    REFORM,
    Unit,
    canonical_place,
    district_of_commune,
    parse_unit,
    predecessors,
    province_of,
    province_on,
    successor_province,
)

BEFORE = dt.date(2024, 5, 1)
AFTER = dt.date(2025, 9, 1)


# ---- parse_unit ----------------------------------------------------------------------------------

def test_commune_before_reform_with_its_district():
    assert parse_unit("xã Ia Lang", on=BEFORE, within="tỉnh Gia Lai") == Unit(
        "commune", "xã Ia Lang", "tỉnh Gia Lai", "huyện Đức Cơ", True)


def test_old_commune_named_after_reform_lies_in_the_new_province():
    u = parse_unit("xã Ia Lang", on=AFTER)
    assert (u.old, u.district, u.province) == (True, "huyện Đức Cơ", "tỉnh Gia Lai")


def test_commune_after_reform_has_no_district():
    assert parse_unit("xã Bình Sơn", on=AFTER, within="tỉnh Quảng Ngãi") == Unit(
        "commune", "xã Bình Sơn", "tỉnh Quảng Ngãi", None, False)
    assert parse_unit("đặc khu Lý Sơn") == Unit("commune", "đặc khu Lý Sơn", "tỉnh Quảng Ngãi", None, False)


def test_ambiguous_commune_is_not_guessed():
    u = parse_unit("xã Bình Sơn", on=BEFORE)  # ten communes of that name before the reform
    assert (u.name, u.province, u.district) == ("xã Bình Sơn", None, None)
    # two wards "phường 1" in tỉnh Quảng Trị: the province is known, the district is not
    u = parse_unit("phường 1", on=BEFORE, within="tỉnh Quảng Trị")
    assert (u.province, u.district) == ("tỉnh Quảng Trị", None)


def test_within_a_district_decides():
    u = parse_unit("phường 03", within="thành phố Đông Hà")
    assert u == Unit("commune", "phường 3", "tỉnh Quảng Trị", "thành phố Đông Hà", True)


def test_within_excludes():
    assert parse_unit("xã Ia Lang", on=BEFORE, within="tỉnh Lâm Đồng") is None


def test_within_new_province_covers_its_predecessors_after_the_reform():
    # tỉnh Bình Định joined tỉnh Gia Lai: in 2025 "tỉnh Gia Lai" includes it, in 2024 it does not
    u = parse_unit("thị xã An Nhơn", on=AFTER, within="tỉnh Gia Lai")
    assert (u.level, u.province) == ("district", "tỉnh Gia Lai")
    assert parse_unit("thị xã An Nhơn", on=BEFORE, within="tỉnh Gia Lai") is None
    assert parse_unit("thị xã An Nhơn", on=BEFORE).province == "tỉnh Bình Định"


def test_districts_and_city_levels():
    assert parse_unit("huyện Bình Sơn") == Unit("district", "huyện Bình Sơn", "tỉnh Quảng Ngãi", None, True)
    assert parse_unit("thành phố Quảng Ngãi").level == "district"
    assert parse_unit("tỉnh Quảng Ngãi").level == "province"
    assert parse_unit("thành phố Hồ Chí Minh").level == "province"


def test_province_before_and_after_reform():
    assert parse_unit("tỉnh Lâm Đồng") == Unit("province", "tỉnh Lâm Đồng", "tỉnh Lâm Đồng", None, False)
    assert parse_unit("tỉnh Lâm Đồng", on=BEFORE).old is True
    # an old province named after the reform: still the old unit, lying in its successor
    assert parse_unit("tỉnh Bình Thuận", on=AFTER) == Unit(
        "province", "tỉnh Bình Thuận", "tỉnh Lâm Đồng", None, True)


def test_marked_old_and_new():
    assert parse_unit("tỉnh Lâm Đồng (cũ)", on=AFTER).old is True
    assert parse_unit("tỉnh Lâm Đồng (mới)", on=BEFORE).old is False
    assert parse_unit("tỉnh Bình Thuận (cũ)", on=AFTER).name == "tỉnh Bình Thuận"
    assert parse_unit("tỉnh Bình Thuận (mới)") is None  # no post-reform unit of that name
    assert parse_unit("đặc khu Lý Sơn (cũ)") is None


def test_unknown_date_prefers_post_reform_if_the_name_exists_there():
    assert parse_unit("huyện Đức Cơ").old is True          # only before
    assert parse_unit("phường Sa Pa").old is False        # both: the new one
    assert parse_unit("phường Sa Pa", on=BEFORE).district == "thị xã Sa Pa"


def test_spelling_forms():
    assert parse_unit("TỈNH LÂM ĐỒNG").name == "tỉnh Lâm Đồng"
    assert parse_unit("TINH LAM DONG").name == "tỉnh Lâm Đồng"
    assert parse_unit("tỉnh Khánh Hoà").name == "tỉnh Khánh Hòa"
    assert parse_unit("TX. Đức Phổ").name == "thị xã Đức Phổ"
    assert parse_unit("Q.1", on=BEFORE).name == "quận 1"
    assert parse_unit("TP.HCM").name == "thành phố Hồ Chí Minh"
    assert parse_unit("Lâm Đồng").name == "tỉnh Lâm Đồng"  # bare name: the highest level


def test_former_and_reworded_units_keep_their_written_name():
    # huyện Tây Trà merged into huyện Trà Bồng (2020); huyện Đức Phổ became a thị xã (2020)
    assert parse_unit("huyện Tây Trà", on=BEFORE) == Unit("district", "huyện Tây Trà", "tỉnh Quảng Ngãi", None, True)
    assert parse_unit("huyện Đức Phổ", on=BEFORE) == Unit("district", "huyện Đức Phổ", "tỉnh Quảng Ngãi", None, True)


def test_hue():
    assert parse_unit("thành phố Huế", on=BEFORE) == Unit(
        "district", "thành phố Huế", "tỉnh Thừa Thiên Huế", None, True)
    assert parse_unit("thành phố Huế").level == "province"
    assert parse_unit("tỉnh Thừa Thiên Huế", on=BEFORE).level == "province"


@pytest.mark.parametrize("odd", ["", "   ", "xã Không Có Thật", "tỉnh", "Ủy ban nhân dân tỉnh Lâm Đồng", None, 42, ["x"]])
def test_odd_input_gives_none(odd):
    assert parse_unit(odd) is None
    assert parse_unit("xã Ia Lang", on="not a date", within=odd) is not None


def test_dates_of_other_types():
    assert parse_unit("tỉnh Bình Thuận", on=dt.datetime(2025, 9, 1, 8, 0)).province == "tỉnh Lâm Đồng"
    assert parse_unit("tỉnh Bình Thuận", on="2025-09-01").province == "tỉnh Lâm Đồng"


# ---- district_of_commune -------------------------------------------------------------------------

def test_district_of_commune():
    assert district_of_commune("xã Ia Lang") == "huyện Đức Cơ"
    assert district_of_commune("Xã Ia Lang", "tỉnh Gia Lai", BEFORE) == "huyện Đức Cơ"
    assert district_of_commune("xã Ia Lang", "tỉnh Gia Lai", AFTER) == "huyện Đức Cơ"
    assert district_of_commune("xã Ia Lang", "tỉnh Gia Lai (cũ)", AFTER) == "huyện Đức Cơ"


def test_district_of_commune_ambiguous_or_unknown():
    assert district_of_commune("xã Bình Sơn") is None
    assert district_of_commune("xã Bình Sơn", "tỉnh Nghệ An") is None  # two in Nghệ An
    assert district_of_commune("xã Bình Sơn", "tỉnh Quảng Ngãi", AFTER) is None  # a 2025 commune only
    assert district_of_commune("xã Không Có Thật") is None
    assert district_of_commune("huyện Đức Cơ") is None  # not a commune
    assert district_of_commune(None) is None


# ---- province_of ---------------------------------------------------------------------------------

def test_province_of():
    assert province_of("huyện Bình Sơn") == "tỉnh Quảng Ngãi"
    assert province_of("thị xã Đức Phổ") == "tỉnh Quảng Ngãi"
    assert province_of("huyện Đắk Hà", BEFORE) == "tỉnh Kon Tum"
    assert province_of("huyện Đắk Hà", AFTER) == "tỉnh Quảng Ngãi"
    assert province_of("huyện Châu Thành") is None  # in several provinces
    assert province_of("huyện Không Có") is None


# ---- provinces across the reform -----------------------------------------------------------------

def test_successor_province():
    assert successor_province("tỉnh Bình Thuận") == "tỉnh Lâm Đồng"
    assert successor_province("tỉnh Lâm Đồng") == "tỉnh Lâm Đồng"
    assert successor_province("tỉnh Kon Tum") == "tỉnh Quảng Ngãi"
    assert successor_province("TỈNH BÀ RỊA - VŨNG TÀU") == "thành phố Hồ Chí Minh"
    assert successor_province("tỉnh Thừa Thiên Huế") == "thành phố Huế"
    assert successor_province("tỉnh Bình Thuận (cũ)") == "tỉnh Lâm Đồng"
    assert successor_province("tỉnh Atlantis") is None


def test_predecessors():
    assert predecessors("tỉnh Lâm Đồng") == ["tỉnh Bình Thuận", "tỉnh Đắk Nông", "tỉnh Lâm Đồng"]
    assert predecessors("TP. Hồ Chí Minh") == ["tỉnh Bà Rịa - Vũng Tàu", "tỉnh Bình Dương", "thành phố Hồ Chí Minh"]
    assert predecessors("thành phố Hà Nội") == ["thành phố Hà Nội"]
    assert predecessors("tỉnh Bình Thuận") == []  # not a post-reform province
    assert predecessors("tỉnh Atlantis") == []


def test_province_on():
    assert province_on("tỉnh Bình Thuận", AFTER) == "tỉnh Lâm Đồng"
    assert province_on("tỉnh Bình Thuận", REFORM) == "tỉnh Lâm Đồng"
    assert province_on("tỉnh Bình Thuận", BEFORE) == "tỉnh Bình Thuận"
    assert province_on("tỉnh Bình Thuận", None) == "tỉnh Bình Thuận"
    assert province_on("tỉnh Bình Thuận (cũ)", AFTER) == "tỉnh Bình Thuận"
    assert province_on("TỈNH KON TUM", AFTER) == "tỉnh Quảng Ngãi"
    assert province_on("tỉnh Lâm Đồng", BEFORE) == "tỉnh Lâm Đồng"
    assert province_on("thành phố Huế", BEFORE) == "tỉnh Thừa Thiên Huế"
    assert province_on("tỉnh Thừa Thiên Huế", dt.date(2025, 2, 1)) == "thành phố Huế"
    assert province_on("Bộ Nội vụ", AFTER) == "Bộ Nội vụ"  # not a province: as given


# ---- canonical_place -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw,shown", [
    ("TỈNH LÂM ĐỒNG", "tỉnh Lâm Đồng"),
    ("TP. Hồ Chí Minh", "thành phố Hồ Chí Minh"),
    ("Tp Huế", "thành phố Huế"),
    ("tỉnh Bình Thuận (cũ)", "tỉnh Bình Thuận"),
    ("Thành Phố Bắc Kạn", "thành phố Bắc Kạn"),
    ("tỉnh Bà Rịa – Vũng Tàu", "tỉnh Bà Rịa - Vũng Tàu"),
    ("HUYỆN ĐỨC CƠ", "huyện Đức Cơ"),
    ("Thị trấn Chư Ty", "thị trấn Chư Ty"),
    ("Xã Đại áng", "xã Đại Áng"),  # the package's lower-case slip
    ("tinh lam dong", "tỉnh Lâm Đồng"),
])
def test_canonical_place(raw, shown):
    assert canonical_place(raw) == shown


def test_canonical_place_unknown():
    assert canonical_place("tỉnh Atlantis") is None
    assert canonical_place("Sở Nội vụ") is None
