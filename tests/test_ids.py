"""`IdSet` (the stored document ids, packed) answers as the plain set of the same ids would."""
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.graph import ids as ids_mod
from pipeline.graph.ids import IdSet

_HEX = st.text(alphabet="0123456789abcdef", min_size=20, max_size=20)
# ids that end in zero bytes (numpy's bytes type drops trailing NULs), and ids that do not pack
_IDS = st.one_of(_HEX, _HEX.map(lambda h: h[:16] + "0000"), st.just("0" * 20),
                 st.text(min_size=1, max_size=24), st.just("ABCDEF0123456789abcd"), st.just("0x" + "1" * 18))


@settings(max_examples=300, deadline=None)
@given(st.lists(_IDS, max_size=60), st.lists(_IDS, max_size=30), st.integers(min_value=1, max_value=8))
def test_idset_is_the_set(stored, probes, merge_at):
    old = ids_mod.MERGE_AT
    ids_mod.MERGE_AT = merge_at  # merges within the example, as a long run does by the thousand
    try:
        s = IdSet(stored[: len(stored) // 2])
        s.update(stored[len(stored) // 2:])
        plain = set(stored)
        assert s == plain and len(s) == len(plain)
        assert sorted(s) == sorted(plain)
        for x in probes + stored:
            assert (x in s) == (x in plain)
    finally:
        ids_mod.MERGE_AT = old


def test_ids_are_packed_to_their_bytes():
    s = IdSet(f"{i:020x}" for i in range(10_000))
    assert s._packed.nbytes == 10 * 10_000 and not s._recent and len(s) == 10_000  # read in bulk: all packed
    assert f"{9_999:020x}" in s and f"{10_000:020x}" not in s
