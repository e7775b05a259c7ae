from pipeline.text.clean import canonical_tone, fold, normalize_text, strip_accents


def test_nfc_and_dash_variants():
    nfd = "Quyê\u0301t đi\u0323nh số 56/2017/NĐ\u2013CP"
    text, _ = normalize_text(nfd)
    assert text == "Quyết định số 56/2017/NĐ-CP"


def test_cyrillic_lookalike_only_inside_symbols():
    text, _ = normalize_text("Thông tư số 12/2020/TT-BT\u0421 và từ Москва")
    assert "TT-BTC" in text
    assert "Москва" in text  # real Cyrillic prose is left alone


def test_spaces_and_quotes():
    text, _ = normalize_text("Số:\u00a076/KH-UBND \u201cvề việc\u201d")
    assert text == 'Số: 76/KH-UBND "về việc"'


def test_tone_variants_compare_equal():
    assert fold("Uỷ ban nhân dân tỉnh Khánh Hoà") == fold("ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA")
    assert canonical_tone("hoàn thành") == "hoàn thành"  # tone on the main vowel: untouched


def test_portal_title_prefix_removed():
    raw = ("Quyết định 435/QĐ-UBND năm 2020. ỦY BAN NHÂN DÂN TỈNH KON TUM -------\n"
           "Số: 435/QĐ-UBND Kon Tum, ngày 04 tháng 5 năm 2020")
    text, removed = normalize_text(raw)
    assert text.startswith("ỦY BAN NHÂN DÂN")
    assert removed > 0


def test_portal_footer_line_removed():
    raw = "Nội dung văn bản.\nCổng thông tin điện tử tỉnh Quảng Ngãi | Bản quyền thuộc về UBND tỉnh\nHết."
    text, removed = normalize_text(raw)
    assert "Cổng thông tin" not in text and removed > 0


def test_portal_button_footer_removed_but_document_notes_kept():
    raw = "Nơi nhận:\n- Lưu: VT.\nTải về\nIn\nFacebook\nEmail\n"
    text, removed = normalize_text(raw)
    assert "Facebook" not in text and "Lưu: VT" in text and removed > 0
    # notes that end a real document are its text: they cite documents and must stay
    for tail in ("Ghi chú:\n(1) Thực hiện theo quy định tại Điều 28 Nghị định số 118/2025/NĐ-CP.\n",
                 "Ý kiến của Sở Xây dựng: Tại Công văn số 2873/SXD-QLN ngày 15/4/2026.\n"):
        text, _ = normalize_text("Điều 5. Hiệu lực thi hành.\n" + tail)
        assert tail.strip() in text


def test_strip_accents():
    assert strip_accents("Lâm Đồng") == "lam dong"
