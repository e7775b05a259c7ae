"""No extractor raises on arbitrary text (property tests), and what they return points into the text.

Texts come three ways: any Unicode text; fragments of the document grammar (numbers, dates, type
words, signature blocks, list bullets, table bars) mixed with noise; and those fragments with the
separators the extractors cut on (newlines, form feeds, ";", ". ", wide gaps) stressed. Each
extractor is called on the text as it comes and on its normalised form, with its options drawn too.
"""
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.document import extract
from pipeline.extract.agencies import jurisdiction_of
from pipeline.extract.header import read_header
from pipeline.extract.references import find_citations
from pipeline.extract.signature import read_recipients, read_signature
from pipeline.models import PAGE_SEPARATOR, DocumentRecord, Page
from pipeline.text.clean import normalize_text

# text biased towards the document grammar: fragments of real forms mixed with noise
FRAGMENTS = ["Số: ", "/", "-", "QĐ", "UBND", "KH", "ngày ", " tháng ", " năm 2024", "Căn cứ ", "Luật ", "số ",
             "TM. ", "KT. CHỦ TỊCH", "\n", "Nơi nhận:", "- Lưu: VT", "Quyết định ", "12", "05/7/2017", "(", ")",
             "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Kính gửi:", "Điều 1.", "bãi bỏ ", "kèm theo ", "Nguyễn Văn A",
             "ỦY BAN NHÂN DÂN", "TỈNH ", "V/v ", "|", "\t", "   ", "của ", "Bộ Y tế", "2025/NĐ-CP"]
# more of the grammar: amending titles, named laws, acronyms, sections, parts, blank draft fields
MORE = ["Luật sửa đổi, bổ sung một số điều của ", "Bộ luật Lao động", "Hiến pháp", "Luật Bảo hiểm y tế (BHYT)",
        "Luật BHYT", "* Căn cứ pháp lý: ", "khoản 2 Điều 5 ", "điểm a, b và c ", "mục 18 phần VI ", "các ",
        "và ", ", ", "; ", ". ", ":\n", "khóa XII", "(cũ)", "Xét đề nghị của Sở Nội vụ tại Tờ trình số ",
        "Chính phủ ban hành Nghị định sửa đổi ", "thay thế ", "hết hiệu lực", "Quyết định này ", "…", "_____",
        "ngày    tháng 12 năm 2025", "Số:     /BC-UBND", "43/2025/TT-BYTngày", "3812/SLĐT BXH-VP", "\f",
        "TL. BỘ TRƯỞNG\nVỤ TRƯỞNG\n(Đã ký)\nTrần Văn B", "PHÓ CHỦ TỊCH", "Đinh Văn Tuấn", "1.", "a)", "- ", "+ ",
        "“", "”", "\"", "Theo ", "Thực hiện ", "Kế hoạch số 92/KH-UBND", "Nghị quyết số 57-NQ/TW", "Chỉ thị 28-CT/TW"]
texty = st.one_of(st.text(max_size=400),
                  st.lists(st.sampled_from(FRAGMENTS), max_size=80).map("".join),
                  st.lists(st.sampled_from(FRAGMENTS + MORE), max_size=120).map("".join),
                  st.lists(st.one_of(st.sampled_from(FRAGMENTS + MORE), st.text(max_size=6)), max_size=60).map("".join))

PLACES = [None, ("Ủy ban nhân dân thị xã Đức Phổ", "Ủy ban nhân dân tỉnh Quảng Ngãi"), ("Bộ Y tế", None),
          ("Sở Nội vụ", "Ủy ban nhân dân tỉnh Lâm Đồng")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texty)
def test_extractors_never_raise(raw):
    text, _ = normalize_text(raw)
    read_header(text)
    read_signature(text)
    read_recipients(text)
    for c in find_citations(text):
        assert 0 <= c.start <= c.end <= len(text)
        assert text[c.start:c.end] == c.mention
    rec = DocumentRecord(doc_id="x", source_path="x", source_sha256="x", kind="txt", pages=[Page(1, text)])
    extract(rec, text)


def _within(span, text):
    return span is None or 0 <= span.start <= span.end <= len(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texty, st.booleans(), st.data())
def test_citations_point_into_the_text_whatever_the_options(raw, normalise, data):
    text = normalize_text(raw)[0] if normalise else raw
    place = data.draw(st.sampled_from(PLACES))
    where = jurisdiction_of(*place) if place else None
    own_number = data.draw(st.sampled_from([None, "92/KH-UBND", "56/2017/NĐ-CP", "05-CT/TU", "12"]))
    own_date = data.draw(st.sampled_from([None, dt.date(2024, 5, 12), dt.date(2017, 7, 5)]))
    spans = st.tuples(st.integers(-3, len(text) + 3), st.integers(-3, len(text) + 3))
    exclude = data.draw(st.lists(spans, max_size=3))
    title = data.draw(st.one_of(st.none(), spans))
    doc_type = data.draw(st.sampled_from([None, "Quyết định", "Báo cáo", "Tờ trình", "Công văn", "Luật"]))
    cits = find_citations(text, own_number=own_number, where=where, own_date=own_date, exclude=exclude,
                          title_span=title, doc_type=doc_type)
    assert [c.start for c in cits] == sorted(c.start for c in cits)
    for c in cits:
        assert 0 <= c.start <= c.end <= len(text)
        assert text[c.start:c.end] == c.mention
        assert c.cited_number or c.cited_name
        assert c.relation in {"basis", "implements", "proposal", "report", "amends", "replaces", "repeals",
                              "attached", "mentions"}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texty, st.booleans(), st.integers(-10, 5000), st.sampled_from([None, "Văn bản"]))
def test_header_signature_and_recipients_on_any_text(raw, normalise, header_end, untyped):
    text = normalize_text(raw)[0] if normalise else raw
    read_header(text, untyped=untyped)  # (its issuer span may end one past a text that ends with the issuer)
    sig = read_signature(text)
    assert _within(sig.span, text)
    assert (sig.signer is None) == (sig.span is None)
    recipients, filing = read_recipients(text, header_end)
    assert all(isinstance(r, str) and r for r in recipients + filing)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texty, min_size=1, max_size=4), st.booleans())
def test_document_extract_never_raises_on_pages(raws, ocr):
    pages = []
    offset = 0
    for n, raw in enumerate(raws, start=1):
        text, _ = normalize_text(raw)
        pages.append(Page(n, text, start=offset, ocr=ocr))
        offset += len(text) + len(PAGE_SEPARATOR)
    rec = DocumentRecord(doc_id="x", source_path="x", source_sha256="x", kind="pdf" if ocr else "txt", pages=pages)
    text = rec.text
    extract(rec, text)
    for c in rec.citations:
        assert text[c.start:c.end] == c.mention
        assert 1 <= c.page <= len(pages)
