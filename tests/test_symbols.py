import pytest

from pipeline.extract.symbols import issuer_from_symbol, parse_number_text, type_from_symbol


@pytest.mark.parametrize("raw,number,grammar", [
    ("76/KH-UBND", "76/KH-UBND", "admin"),
    ("56/2017/NĐ-CP", "56/2017/NĐ-CP", "normative"),
    ("28-CT/TW", "28-CT/TW", "party"),
    ("409/TTr-CAT(PC04)", "409/TTr-CAT(PC04)", "admin"),
    ("416/QĐ- TTg", "416/QĐ-TTg", "admin"),
    ("56 / 2017 / NĐ-CP", "56/2017/NĐ-CP", "normative"),
    ("13/2020/TT BTC", "13/2020/TT-BTC", "normative"),
    ("10/2018/TTLT/BTP-BCA", "10/2018/TTLT-BTP-BCA", "normative"),
    ("3812/SLĐT BXH-VP", "3812/SLĐTBXH-VP", "admin"),
    ("66.12/2026/NQ-CP", "66.12/2026/NQ-CP", "normative"),
])
def test_number_grammars(raw, number, grammar):
    n = parse_number_text(raw)
    assert n is not None and n.number == number and n.grammar == grammar


@pytest.mark.parametrize("raw", ["05/7/2017", "81/100", "V/v", "2024"])
def test_not_numbers(raw):
    assert parse_number_text(raw) is None


@pytest.mark.parametrize("raw,kind", [
    ("2750/QĐ-UBND", "Quyết định"), ("253/TTr-SNV", "Tờ trình"), ("76/KH-UBND", "Kế hoạch"),
    ("56/2017/NĐ-CP", "Nghị định"), ("58/2010/QH12", "Luật"), ("28-CT/TW", "Chỉ thị"),
    ("12-KL/TU", "Kết luận"), ("123/UBND-NC", "Công văn"), ("627/BYT-BH", "Công văn"),
    ("5/CTr-UBND", "Chương trình"), ("5/CT-UBND", "Chỉ thị"), ("5/HĐ-UBND", "Hợp đồng"), ("5/HD-UBND", "Hướng dẫn"),
    ("5/QyĐ-UBND", "Quy định"),
])
def test_type_from_symbol(raw, kind):
    assert type_from_symbol(parse_number_text(raw)) == kind


def test_issuer_from_symbol():
    assert issuer_from_symbol(parse_number_text("56/2017/NĐ-CP")) == "Chính phủ"
    assert issuer_from_symbol(parse_number_text("12/2020/TT-BTC")) == "Bộ Tài chính"
    assert issuer_from_symbol(parse_number_text("58/2010/QH12")) == "Quốc hội"
    assert issuer_from_symbol(parse_number_text("76/KH-UBND")) is None  # which province? not in the symbol
