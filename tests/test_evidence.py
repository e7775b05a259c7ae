"""Word boxes placed on the final page text (`text.evidence.place_words`)."""
from pipeline.text.evidence import place_words


def box(t):
    return (t, 0.1, 0.1, 0.2, 0.2, 90.0)


def test_words_found_in_order_with_the_page_offset():
    text = "Số: 76/KH-UBND\nQuảng Ngãi, ngày 26 tháng 3"
    out = place_words(text, [box("Số:"), box("76/KH-UBND"), box("ngày")], base=100)
    assert [(w[6], w[7]) for w in out] == [(100, 103), (104, 114), (127, 131)]
    assert all(text[w[6] - 100:w[7] - 100] == w[0] for w in out)


def test_a_word_changed_by_normalisation_is_found_normalised():
    # decomposed "Hòa" (o + combining grave) in the OCR word, NFC in the page text; "hoà" → "hòa"
    out = place_words("CỘNG HÒA xã hội", [box("CỘNG"), box("HO\u0300A")])
    assert out[1][6:] == (5, 8)


def test_a_rewritten_word_gets_no_offsets_and_does_not_shift_the_rest():
    text = "Số: 76/KH-UBND ngày 5"
    out = place_words(text, [box("Số:"), box("76/KH-UBNĐ"), box("ngày"), box("5")])
    assert out[1][6] is None and out[2][6:] == (15, 19) and out[3][6:] == (20, 21)


def test_repeated_words_take_the_next_occurrence():
    out = place_words("của UBND tỉnh, của UBND huyện", [box("của"), box("UBND"), box("của"), box("UBND")])
    assert [w[6] for w in out] == [0, 4, 15, 19]
