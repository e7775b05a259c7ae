"""Entities (ORG, PER, LOC, TITLE): examples from the team samples and the real local documents,
and robustness (empty text, a huge line)."""
from __future__ import annotations

import time

import pytest

from pipeline.document import process
from pipeline.extract.entities import find_entities, spacy_pipeline

from conftest import SAMPLES


def _ents(path):
    rec = process(path, ocr=False)
    text = rec.text
    return text, find_entities(text, rec.header, rec.signature)


def _find(ents, text, label, raw):
    return [e for e in ents if e.label == label and text[e.start:e.end] == raw]


def test_abbreviated_agency_expanded_and_completed_with_jurisdiction():
    # a thị xã's letter: "Sở Lao động – TB&XH tỉnh" and "Phòng LĐTBXH" written short
    text, ents = _ents(SAMPLES / "20_cv_1642-ubnd-ldtbxh.txt")
    so = _find(ents, text, "ORG", "Sở Lao động - TB&XH tỉnh")
    assert so and so[0].normalized == "Sở Lao động - Thương binh và Xã hội tỉnh Quảng Ngãi"
    phong = _find(ents, text, "ORG", "Phòng LĐTBXH")
    assert phong and phong[0].normalized == "Phòng Lao động - Thương binh và Xã hội thị xã Đức Phổ"
    # "UBND tỉnh" in a district's text is the province's
    assert {e.normalized for e in _find(ents, text, "ORG", "UBND tỉnh")} == {"Ủy ban nhân dân tỉnh Quảng Ngãi"}


def test_department_and_commune_bodies_of_a_commune_document():
    text, ents = _ents(SAMPLES / "18_kh_05-kh-ubnd.txt")
    assert {e.normalized for e in _find(ents, text, "ORG", "Công an xã")} == {"Công an xã Bình Thạnh"}
    assert {e.normalized for e in _find(ents, text, "ORG", "UBND xã")} == {"Ủy ban nhân dân xã Bình Thạnh"}
    # the header: the issuer as printed, with its canonical name
    head = [e for e in ents if e.start == 0]
    assert head and head[0].label == "ORG" and head[0].normalized == "Ủy ban nhân dân xã Bình Thạnh"


def test_signer_with_title_and_authority():
    text, ents = _ents(SAMPLES / "04_kh_76-kh-ubnd.txt")
    per = [e for e in ents if e.label == "PER"]
    assert per[-1].normalized == "Võ Thị Thanh Hà"
    titles = {text[e.start:e.end]: e.normalized for e in ents if e.label == "TITLE" and e.start > per[-1].start - 80}
    assert titles["PHÓ CHỦ TỊCH"] == "Phó Chủ tịch Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert titles["CHỦ TỊCH"] == "Chủ tịch Ủy ban nhân dân tỉnh Quảng Ngãi"
    # "TM. ỦY BAN NHÂN DÂN" is the issuing body
    tm = _find(ents, text, "ORG", "ỦY BAN NHÂN DÂN")
    assert tm and tm[-1].normalized == "Ủy ban nhân dân tỉnh Quảng Ngãi"


def test_title_holds_the_body_it_heads():
    text, ents = _ents(SAMPLES / "05_cv_2468-ubnd-kgvx.txt")
    t = [e for e in ents if e.label == "TITLE" and text[e.start:e.end] == "Phó Chủ tịch UBND tỉnh"]
    assert t and t[0].normalized == "Phó Chủ tịch Ủy ban nhân dân tỉnh Quảng Ngãi"
    inner = [e for e in ents if e.label == "ORG" and t[0].start < e.start < t[0].end]
    assert inner and text[inner[0].start:inner[0].end] == "UBND tỉnh"
    # "CT, PCT UBND tỉnh" (Nơi nhận): the first title shares the body of the second
    ct = _find(ents, text, "TITLE", "CT")
    assert ct and ct[0].normalized == "Chủ tịch Ủy ban nhân dân tỉnh Quảng Ngãi"


def test_dong_chi_name_linked_to_the_full_name():
    text = ("Ngày 22/01/2026, đồng chí Nguyễn Ngọc Phúc - Tỉnh ủy viên, Phó Chủ tịch UBND tỉnh chủ trì hội nghị.\n"
            "Nơi nhận:\n- Chủ tịch, PCT UBND tỉnh (Đ/c Phúc);\n- Chánh, PCVP UBND tỉnh (Đ/c Duệ);\n")
    ents = find_entities(text)
    per = {text[e.start:e.end]: e.normalized for e in ents if e.label == "PER"}
    assert per["Nguyễn Ngọc Phúc"] == "Nguyễn Ngọc Phúc"
    phuc = [e for e in ents if e.label == "PER" and text[e.start:e.end] == "Phúc"][0]
    assert phuc.normalized == "Phúc" and phuc.link == "Nguyễn Ngọc Phúc"  # linked to the one full name
    assert per["Duệ"] == "Duệ"                      # no full name: kept as written
    assert "Đ/c Phúc" not in per                     # the cue is not part of the name


def test_commune_loc_resolved_through_the_unit_data():
    text, ents = _ents(SAMPLES / "24_kh_27-kh-ubnd.txt")
    old = [e for e in ents if e.label == "LOC" and text[e.start:e.end] == "xã Bình Thạnh"]
    assert old, "xã Bình Thạnh (cũ) is a place"
    assert old[0].link and "huyện Bình Sơn" in old[0].link and "tỉnh Quảng Ngãi" in old[0].link
    # "(cũ)" stays outside the span and inside the normalised form
    org = [e for e in ents if e.label == "ORG" and text[e.start:e.end] == "UBND huyện Bình Sơn"]
    assert org and org[0].normalized == "Ủy ban nhân dân huyện Bình Sơn (cũ)"
    # the place of the date line is the commune itself
    place = [e for e in ents if e.label == "LOC" and e.start < 200 and text[e.start:e.end] == "Bình Sơn"]
    assert place and place[0].normalized == "xã Bình Sơn"


def test_numbers_and_dates_are_not_entities():
    text = ("Kế hoạch số 76/KH-UBND ngày 26/3/2024 của UBND tỉnh Quảng Ngãi; Công văn số 3812/SLĐTBXH-VP; "
            "Tờ trình số 409/TTr-CAT(PC04) ngày 26/11/2025.")
    ents = find_entities(text)
    for e in ents:
        span = text[e.start:e.end]
        assert "/" not in span and not any(ch.isdigit() for ch in span), span
    orgs = [text[e.start:e.end] for e in ents if e.label == "ORG"]
    assert orgs == ["UBND tỉnh Quảng Ngãi"]


def test_spacy_tokenizer_keeps_numbers_and_dates_whole():
    pytest.importorskip("spacy")
    nlp = spacy_pipeline()
    doc = nlp("Thực hiện Kế hoạch số 76/KH-UBND ngày 26/3/2024 của UBND tỉnh, Tờ trình số 409/TTr-CAT(PC04).")
    toks = [t.text for t in doc]
    assert "76/KH-UBND" in toks and "26/3/2024" in toks and "409/TTr-CAT(PC04)" in toks
    assert [(e.text, e.label_) for e in doc.ents] == [("UBND tỉnh", "ORG")]


@pytest.mark.parametrize("text", ["", "   \n\n ", "\f", "1234 5678 / - ."])
def test_empty_and_entity_free_texts(text):
    assert find_entities(text) == []


def test_none_is_no_entities():
    assert find_entities(None) == []  # type: ignore[arg-type]


def test_huge_line_is_linear():
    line = ("Sở Y tế chủ trì, phối hợp với UBND các huyện, thị xã và ông Nguyễn Văn An tại tỉnh Quảng Ngãi; "
            "số 76/KH-UBND ngày 26/3/2024 ") * 8000  # about 1 MB on one line
    t0 = time.perf_counter()
    ents = find_entities(line)
    secs = time.perf_counter() - t0
    assert len([e for e in ents if e.label == "ORG"]) >= 16000
    assert secs < 30, f"{secs:.1f} s for a 1 MB line"


def test_unmatched_capitals_and_symbols_do_not_break():
    text = "ỦY BAN\n" + "Sở " * 5000 + "Phòng, chống; Ban hành; Bộ luật Hình sự; xã hội; Văn phòng"
    ents = find_entities(text)
    assert all(e.end > e.start for e in ents)
    assert not [e for e in ents if text[e.start:e.end] in ("Phòng", "Ban hành", "Bộ luật", "xã hội")]


@pytest.mark.corpus
def test_real_local_document_people_and_titles(shared):
    path = shared / "local" / "local_lamdong_tb_tb-ubnd_180da8b9.txt"
    if not path.exists():
        pytest.skip("document not in this corpus copy")
    text, ents = _ents(path)
    per = {e.normalized for e in ents if e.label == "PER"}
    assert "Nguyễn Hồng Hải" in per
    titles = {e.normalized for e in ents if e.label == "TITLE"}
    assert "Phó Chủ tịch Ủy ban nhân dân tỉnh Lâm Đồng" in titles
    assert "Ủy viên Ban Thường vụ Tỉnh ủy Lâm Đồng" in titles


def test_state_groups_named_by_their_short_names(tmp_path):
    # an enterprise group written by its short name alone is an organisation, named in full
    src = tmp_path / "cv.txt"
    src.write_text((SAMPLES / "05_cv_2468-ubnd-kgvx.txt").read_text(encoding="utf-8").replace(
        "Kính gửi:", "Đề nghị EVN và PV GAS phối hợp cung cấp số liệu trước ngày 15/12/2024.\n\nKính gửi:", 1),
        encoding="utf-8")
    text, ents = _ents(src)
    assert [e.normalized for e in _find(ents, text, "ORG", "EVN")] == ["Tập đoàn Điện lực Việt Nam"]
    assert _find(ents, text, "ORG", "PV GAS")
