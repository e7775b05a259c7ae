"""The language check's letter counts (`document._letter_counts`) against the plain `findall` counts
they replace, over any text, and the refusals they decide."""
import regex
from hypothesis import given, settings, strategies as st

from pipeline import document
from pipeline.errors import InputError

_PLAIN_VIET = regex.compile(f"[{document._VIET}{document._VIET.upper()}]")
_PLAIN_LETTER = regex.compile(r"\p{L}")


def _plain(sample: str) -> tuple[int, int]:
    return len(_PLAIN_LETTER.findall(sample)), len(_PLAIN_VIET.findall(sample))


_VIETNAMESE = st.text(alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
                                                   "ĐÀẢÃÁẠƯƠÔÊÂĂ0123456789 .,:/-\n\t")), max_size=300)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), _VIETNAMESE,
                 st.text(alphabet=st.characters(min_codepoint=0x2E80, max_codepoint=0x3134F), max_size=50)))
def test_counts_equal_the_plain_findall_counts(s):
    assert document._letter_counts(s) == _plain(s)


def test_every_code_point_is_judged_a_letter_as_regex_judges_it():
    # str.isalpha follows Python's Unicode tables, regex its own (newer) ones: the counts must
    # follow regex, so a letter new to Unicode counts as it did with findall
    sample = "".join(chr(c) for c in range(0x20, 0x110000) if not 0xD800 <= c < 0xE000)
    assert document._letter_counts(sample) == _plain(sample)


def test_the_refusals_it_decides():
    try:
        document._check_language("12345 ... 678 // --")
    except InputError as e:
        assert "no letters" in str(e)
    else:
        raise AssertionError("a text without letters was accepted")
    try:
        document._check_language("The quick brown fox jumps over the lazy dog. " * 20)
    except InputError as e:
        assert "no Vietnamese text found (0 Vietnamese letters out of" in str(e)
    else:
        raise AssertionError("an English text was accepted")
    document._check_language("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015")
