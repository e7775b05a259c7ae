"""No extractor raises on arbitrary text (property tests)."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.text.clean import normalize_text
from pipeline.extract.header import read_header
from pipeline.models import DocumentRecord, Page
from pipeline.document import extract
from pipeline.extract.references import find_citations
from pipeline.extract.signature import read_recipients, read_signature

# text biased towards the document grammar: fragments of real forms mixed with noise
FRAGMENTS = ["Số: ", "/", "-", "QĐ", "UBND", "KH", "ngày ", " tháng ", " năm 2024", "Căn cứ ", "Luật ", "số ",
             "TM. ", "KT. CHỦ TỊCH", "\n", "Nơi nhận:", "- Lưu: VT", "Quyết định ", "12", "05/7/2017", "(", ")",
             "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Kính gửi:", "Điều 1.", "bãi bỏ ", "kèm theo ", "Nguyễn Văn A",
             "ỦY BAN NHÂN DÂN", "TỈNH ", "V/v ", "|", "\t", "   ", "của ", "Bộ Y tế", "2025/NĐ-CP"]
texty = st.one_of(st.text(max_size=400),
                  st.lists(st.sampled_from(FRAGMENTS), max_size=80).map("".join))


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
