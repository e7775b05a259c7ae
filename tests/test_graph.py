"""The linked graph: each merge and split case of identity, with phrasings as clerks write them.

Every document here is a short text written for the test (fictional numbers, real grammar), ingested
through the whole pipeline, then linked by DuckDB; the assertions read the graph tables."""
from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import main
from pipeline.errors import ExitCode
from pipeline.graph.query import AmbiguousKey, Graph
from pipeline.ingest import ingest


def doc(issuer_lines: str, number: str, place_date: str, title: str, body: str, signer: str = "Nguyễn Văn An") -> str:
    return (f"{issuer_lines}\nSố: {number}\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
            f"{place_date}\n\n{title}\n\n{body}\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\nTM. ỦY BAN NHÂN DÂN\n"
            f"CHỦ TỊCH\n\n{signer}\n")


PROVINCE = "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI"
SO_LD = "UBND TỈNH QUẢNG NGÃI\nSỞ LAO ĐỘNG - THƯƠNG BINH\nVÀ XÃ HỘI"

DOCS = {
    # the letter two reports cite in two spellings; ingested here so that both must reach it
    "a_cv_1234.txt": doc(SO_LD, "1234/SLĐTBXH-TE", "Quảng Ngãi, ngày 04 tháng 6 năm 2024",
                         "V/v rà soát trẻ em có hoàn cảnh đặc biệt", "Kính gửi: UBND các huyện, thị xã.\n\n"
                         "Sở Lao động - Thương binh và Xã hội đề nghị các đơn vị rà soát, báo cáo trước ngày 30/6/2024."),
    "b_bc_thixa.txt": doc("ỦY BAN NHÂN DÂN\nTHỊ XÃ ĐỨC PHỔ", "77/BC-UBND", "Đức Phổ, ngày 20 tháng 6 năm 2024",
                          "BÁO CÁO\nKết quả rà soát trẻ em có hoàn cảnh đặc biệt",
                          "Thực hiện Công văn số 1234/SLĐT BXH-TE ngày 4/6/2024 của Sở Lao động – TB&XH tỉnh Quảng Ngãi "
                          "về việc rà soát trẻ em, UBND thị xã báo cáo như sau: đã rà soát 120 trẻ em."),
    "c_bc_huyen.txt": doc("ỦY BAN NHÂN DÂN\nHUYỆN BA TƠ", "45/BC-UBND", "Ba Tơ, ngày 25 tháng 6 năm 2024",
                          "BÁO CÁO\nKết quả rà soát trẻ em",
                          "Thực hiện Công văn số 1234/SLĐTĐBXH-TE ngày 4/6/2024, UBND huyện báo cáo kết quả rà soát."),
    # same number, other year; same number, other issuer
    "d_kh_2023.txt": doc(PROVINCE, "92/KH-UBND", "Quảng Ngãi, ngày 20 tháng 4 năm 2023",
                         "KẾ HOẠCH\nPhòng, chống dịch bệnh năm 2023", "Triển khai công tác phòng, chống dịch bệnh."),
    "e_kh_2024.txt": doc(PROVINCE, "92/KH-UBND", "Quảng Ngãi, ngày 15 tháng 4 năm 2024",
                         "KẾ HOẠCH\nPhòng, chống dịch bệnh năm 2024",
                         "Căn cứ kết quả thực hiện Kế hoạch số 92/KH-UBND ngày 20/4/2023 của UBND tỉnh về phòng, "
                         "chống dịch bệnh năm 2023; UBND tỉnh ban hành Kế hoạch năm 2024."),
    "f_kh_huyen.txt": doc("ỦY BAN NHÂN DÂN\nHUYỆN BÌNH SƠN", "92/KH-UBND", "Bình Sơn, ngày 02 tháng 5 năm 2024",
                          "KẾ HOẠCH\nPhòng, chống dịch bệnh trên địa bàn huyện năm 2024",
                          "Thực hiện Kế hoạch số 92/KH-UBND ngày 15/4/2024 của UBND tỉnh; căn cứ Kế hoạch số "
                          "60/KH-UBND ngày 10/3/2024 của UBND huyện, UBND huyện ban hành Kế hoạch."),
    # the district's own earlier plan, cited by the district itself above (self-issued)
    "g_kh_60.txt": doc("ỦY BAN NHÂN DÂN\nHUYỆN BÌNH SƠN", "60/KH-UBND", "Bình Sơn, ngày 10 tháng 3 năm 2024",
                       "KẾ HOẠCH\nTiêm chủng mở rộng năm 2024", "UBND huyện ban hành Kế hoạch tiêm chủng."),
    # missing date: one candidate (only the province's 1234/QĐ-UBND of 2024 is a QĐ of the province) ...
    "h_qd_1234.txt": doc(PROVINCE, "1234/QĐ-UBND", "Quảng Ngãi, ngày 08 tháng 3 năm 2024",
                         "QUYẾT ĐỊNH\nPhê duyệt Đề án y tế cơ sở", "Điều 1. Phê duyệt Đề án.\nĐiều 2. Quyết định này "
                         "có hiệu lực từ ngày ký."),
    "i_qd_1234_mo_duc.txt": doc("ỦY BAN NHÂN DÂN\nHUYỆN MỘ ĐỨC", "1234/QĐ-UBND", "Mộ Đức, ngày 14 tháng 9 năm 2023",
                                "QUYẾT ĐỊNH\nThành lập Tổ công tác", "Điều 1. Thành lập Tổ công tác.\nĐiều 2. Hiệu lực."),
    "j_cv_cites.txt": doc(PROVINCE, "500/UBND-KGVX", "Quảng Ngãi, ngày 01 tháng 10 năm 2024",
                          "V/v triển khai Đề án y tế cơ sở",
                          "Kính gửi: Sở Y tế.\n\nThực hiện Quyết định số 1234/QĐ-UBND của UBND tỉnh, UBND tỉnh đề "
                          "nghị Sở Y tế triển khai."),
    # ... two candidates: neither date nor issuer, the symbol does not say which level
    "l_cv_amb.txt": doc("UBND TỈNH QUẢNG NGÃI\nSỞ Y TẾ", "77/SYT-NVY", "Quảng Ngãi, ngày 05 tháng 10 năm 2024",
                        "V/v báo cáo tổ công tác", "Kính gửi: Các đơn vị trực thuộc.\n\nCăn cứ Quyết định số "
                        "1234/QĐ-UBND, Sở Y tế đề nghị các đơn vị báo cáo."),
    # a later decision that replaces the 2024 one: status
    "k_qd_replace.txt": doc(PROVINCE, "88/QĐ-UBND", "Quảng Ngãi, ngày 20 tháng 1 năm 2025",
                            "QUYẾT ĐỊNH\nPhê duyệt Đề án y tế cơ sở (sửa đổi)",
                            "Điều 1. Phê duyệt Đề án sửa đổi.\nĐiều 2. Quyết định này có hiệu lực từ ngày ký và thay "
                            "thế Quyết định số 1234/QĐ-UBND ngày 08/3/2024 của Chủ tịch UBND tỉnh."),
}


@pytest.fixture(scope="module")
def graph_data(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("graph")
    src = base / "in"
    src.mkdir()
    for name, text in DOCS.items():
        (src / name).write_text(text, encoding="utf-8")
    out = base / "out"
    s = ingest([str(src)], str(out))
    assert s.failed == 0 and s.written == len(DOCS)
    return out


def q(data: Path, sql: str):
    con = duckdb.connect()
    for t in ("documents", "citations", "nodes", "edges", "resolutions", "ambiguous", "status"):
        con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{data / t}/*.parquet', union_by_name=true)")
    return con.execute(sql).fetchall()


def node_of(data: Path, file: str) -> str:
    return q(data, f"SELECT node_id FROM documents WHERE source_path LIKE '%{file}'")[0][0]


def targets(data: Path, file: str, number_like: str) -> list[tuple]:
    return q(data, f"""SELECT c.target_id, c.resolution FROM citations c JOIN documents d USING (doc_id)
                       WHERE d.source_path LIKE '%{file}' AND c.cited_number LIKE '{number_like}' ORDER BY c.start""")


def test_typo_and_spacing_in_the_symbol_and_abbreviated_or_implicit_issuer_meet(graph_data):
    letter = node_of(graph_data, "a_cv_1234.txt")
    assert letter.endswith("sở lao động - thương binh và xã hội tỉnh quảng ngãi")
    a = targets(graph_data, "b_bc_thixa.txt", "1234/%")
    b = targets(graph_data, "c_bc_huyen.txt", "1234/%")
    assert a and b
    assert a[0][0] == letter and b[0][0] == letter
    assert {a[0][1], b[0][1]} <= {"exact", "variant", "compatible", "unique_candidate"}


def test_the_cited_issuer_is_canonical_with_its_jurisdiction(graph_data):
    row = q(graph_data, """SELECT c.cited_issuer_canonical FROM citations c JOIN documents d USING (doc_id)
                           WHERE d.source_path LIKE '%b_bc_thixa.txt' AND c.cited_number LIKE '1234/%'""")
    assert row[0][0] == "Sở Lao động - Thương binh và Xã hội tỉnh Quảng Ngãi"
    iss = q(graph_data, "SELECT issuer, issuer_canonical FROM documents WHERE source_path LIKE '%a_cv_1234.txt'")[0]
    assert iss == ("Sở Lao động - Thương binh và Xã hội", "Sở Lao động - Thương binh và Xã hội tỉnh Quảng Ngãi")


def test_same_number_other_year_and_other_issuer_stay_apart(graph_data):
    n2023, n2024, huyen = (node_of(graph_data, f) for f in ("d_kh_2023.txt", "e_kh_2024.txt", "f_kh_huyen.txt"))
    assert len({n2023, n2024, huyen}) == 3
    assert targets(graph_data, "e_kh_2024.txt", "92/%")[0][0] == n2023
    assert targets(graph_data, "f_kh_huyen.txt", "92/%")[0][0] == n2024


def test_self_issued_earlier_plan(graph_data):
    # "Kế hoạch số 60/KH-UBND … của UBND huyện" in huyện Bình Sơn's own plan is its own earlier plan
    assert targets(graph_data, "f_kh_huyen.txt", "60/%")[0][0] == node_of(graph_data, "g_kh_60.txt")


def test_missing_date_one_candidate_resolves_two_candidates_are_listed(graph_data):
    rows = targets(graph_data, "j_cv_cites.txt", "1234/%")
    # "của UBND tỉnh" without a date: only the province's decision fits
    assert rows == [(node_of(graph_data, "h_qd_1234.txt"), "unique_candidate")]
    # neither date nor issuer: the province's and Mộ Đức's decisions both fit, none is merged
    rows = targets(graph_data, "l_cv_amb.txt", "1234/%")
    assert len(rows) == 1 and rows[0][1] == "ambiguous" and rows[0][0].startswith("vb:1234/QĐ-UBND|")
    amb = q(graph_data, "SELECT candidates FROM ambiguous")
    assert len(amb) == 1 and set(amb[0][0]) == {node_of(graph_data, "h_qd_1234.txt"),
                                               node_of(graph_data, "i_qd_1234_mo_duc.txt")}


def test_citation_target_is_the_edge_target_and_one_edge_per_pair(graph_data):
    assert q(graph_data, """SELECT count(*) FROM citations c JOIN documents d USING (doc_id)
                            LEFT JOIN edges e ON e.source = d.node_id AND e.target = c.target_id
                            WHERE c.target_id IS NOT NULL AND c.target_id <> d.node_id AND e.source IS NULL""")[0][0] == 0
    assert q(graph_data, "SELECT count(*) - count(DISTINCT (source, target)) FROM edges")[0][0] == 0
    assert q(graph_data, "SELECT count(*) FROM nodes n JOIN documents d USING (node_id) WHERE n.kind <> 'ingested'")[0][0] == 0


def test_status_replaced_with_evidence(graph_data):
    with Graph(graph_data) as g:
        st = g.status("QĐ 1234/2024 Quảng Ngãi")
    assert st["status"] == "replaced"
    act = st["acts"][0]
    assert act["by_number"] == "88/QĐ-UBND" and act["relation"] == "replaces" and str(act["date"]) == "2025-01-20"
    assert "thay thế" not in act["mention"] and "1234/QĐ-UBND" in act["mention"]


def test_loose_keys_and_ambiguous_key(graph_data, capsys):
    with Graph(graph_data) as g:
        assert g.node("KH 92/2023 Quảng Ngãi")["node_id"] == node_of(graph_data, "d_kh_2023.txt")
        assert g.node("Kế hoạch 92 năm 2024 Bình Sơn")["node_id"] == node_of(graph_data, "f_kh_huyen.txt")
        with pytest.raises(AmbiguousKey) as e:
            g.node("92/KH-UBND")
        assert len(e.value.candidates) == 3
        chain = g.trace("92/KH-UBND Bình Sơn", depth=3)
        assert [r["depth"] for r in chain][:1] == [1] and max(r["depth"] for r in chain) == 2
        assert len(g.path("KH 92/2024 Bình Sơn", "KH 92/2023 Quảng Ngãi")) == 2
    assert main(["cited-by", "92/KH-UBND", "--data", str(graph_data)]) == ExitCode.key_ambiguous
    assert main(["cited-by", "KH 92/2023", "--data", str(graph_data), "--json"]) == ExitCode.ok
    out = capsys.readouterr().out
    assert "Kế hoạch số 92/KH-UBND ngày 20/4/2023" in out


def test_external_node_becomes_ingested_when_its_document_arrives(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "b.txt").write_text(DOCS["b_bc_thixa.txt"], encoding="utf-8")
    out = tmp_path / "out"
    ingest([str(src)], str(out))
    ext = q(out, "SELECT node_id, kind FROM nodes WHERE number LIKE '1234/%'")
    assert len(ext) == 1 and ext[0][1] == "external"
    (src / "a.txt").write_text(DOCS["a_cv_1234.txt"], encoding="utf-8")
    s = ingest([str(src)], str(out))
    assert s.written == 1
    now = q(out, "SELECT node_id, kind FROM nodes WHERE number LIKE '1234/%'")
    assert len(now) == 1 and now[0][1] == "ingested"
    assert targets(out, "b.txt", "1234/%")[0][0] == now[0][0]


def test_two_files_of_one_document_stay_linked_to_one_node(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "draft.txt").write_text(DOCS["h_qd_1234.txt"], encoding="utf-8")
    (src / "signed.txt").write_text(DOCS["h_qd_1234.txt"].replace("Điều 1.", "Điều 1 .") + "\n(đã ký)\n", encoding="utf-8")
    out = tmp_path / "out"
    assert ingest([str(src)], str(out)).written == 2
    rows = q(out, "SELECT node_id, len(doc_ids) FROM nodes WHERE kind = 'ingested'")
    assert rows == [(rows[0][0], 2)]


def _snapshot(root: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file() and p.name != "_lock"}


def test_unchanged_rerun_writes_nothing_and_failures_are_idempotent(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("d_kh_2023.txt", "e_kh_2024.txt"):
        (src / name).write_text(DOCS[name], encoding="utf-8")
    (src / "broken.txt").write_bytes(b"\x00\x01\x02 not a document")
    out = tmp_path / "out"
    first = ingest([str(src)], str(out))
    assert first.failed == 1 and first.written == 2
    before = _snapshot(out)
    again = ingest([str(src)], str(out))
    assert again.written == 0 and again.failed == 0 and again.unchanged_failed == 1
    assert _snapshot(out) == before  # not one file rewritten, failures included
    # the bad file is fixed: it is processed and its failure row goes
    (src / "broken.txt").write_text(DOCS["g_kh_60.txt"], encoding="utf-8")
    fixed = ingest([str(src)], str(out))
    assert fixed.written == 1 and fixed.failures_cleared == 1
    assert q(out, "SELECT count(*) FROM read_parquet('" + str(out / "failures") + "/*.parquet')")[0][0] == 0


def test_from_pipeline_import_process_is_the_function():
    import pipeline.document  # noqa: F401  (the module being loaded must not shadow the function)
    from pipeline import process

    assert callable(process) and process.__name__ == "process"


def test_a_draft_joins_its_signed_copy_and_two_drafts_share_a_node(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    signed = DOCS["d_kh_2023.txt"]
    draft = signed.replace("Số: 92/KH-UBND", "Số:      /KH-UBND").replace("ngày 20 tháng 4", "ngày    tháng 4")
    (src / "signed.txt").write_text(signed, encoding="utf-8")
    (src / "draft1.txt").write_text(draft, encoding="utf-8")
    (src / "draft2.txt").write_text(draft.replace("Triển khai", "Tổ chức triển khai"), encoding="utf-8")
    other = draft.replace("Phòng, chống dịch bệnh năm 2023", "Tiêm chủng mở rộng năm 2023")
    (src / "other_draft.txt").write_text(other, encoding="utf-8")
    out = tmp_path / "out"
    assert ingest([str(src)], str(out)).written == 4
    rows = dict(q(out, "SELECT regexp_extract(source_path, '[a-z_0-9]+\\.txt$'), node_id FROM documents"))
    assert rows["draft1.txt"] == rows["draft2.txt"] == rows["signed.txt"] == node_of(out, "signed.txt")
    assert rows["other_draft.txt"].startswith("draft:")  # no signed copy of that subject: its own node
    assert q(out, "SELECT node_method FROM documents WHERE source_path LIKE '%draft1.txt'")[0][0] == "draft_of"
    assert q(out, f"SELECT len(doc_ids) FROM nodes WHERE node_id = '{rows['signed.txt']}'")[0][0] == 3


def test_the_graph_is_known_current_without_duckdb(tmp_path):
    """An unchanged re-run learns that the graph is current from the file names and the link
    state alone (`link.current_counts`); a new batch makes it stale."""
    import shutil
    from pathlib import Path

    from pipeline.graph.link import current_counts, link
    from pipeline.ingest import ingest

    samples = Path(__file__).resolve().parent.parent / "corpus" / "samples"
    src = tmp_path / "in"
    src.mkdir()
    for f in sorted(samples.glob("*.txt"))[:4]:
        shutil.copy(f, src / f.name)
    out = tmp_path / "out"
    s = ingest([str(src)], str(out))
    assert current_counts(out) == (s.nodes, s.edges) and s.nodes > 0
    full = link(out, full=True)
    assert current_counts(out) == (full.nodes, full.edges)
    shutil.copy(sorted(samples.glob("*.txt"))[5], src / "new.txt")
    from pipeline.graph.store import Dataset

    with Dataset(out) as ds:  # a batch written but not yet linked
        from pipeline.document import process

        ds.write_batch([process(src / "new.txt")], [])
    assert current_counts(out) is None


def test_a_central_department_takes_no_place_from_its_date_line():
    """"Văn phòng Chính phủ, Hà Nội, ngày …": the office of the Government, not of Hà Nội; a Sở's
    letter from Lâm Đồng is the Sở of that province (Form 3 of identity)."""
    from pipeline.extract.identity import canonical_issuer

    assert canonical_issuer("Văn phòng Chính phủ", place="Hà Nội") == "Văn phòng Chính phủ"
    assert canonical_issuer("Thanh tra Bộ Tài chính", place="Hà Nội") == "Thanh tra Bộ Tài chính"
    assert canonical_issuer("Ban Tổ chức Trung ương", place="Hà Nội") == "Ban Tổ chức Trung ương"
    assert canonical_issuer("Sở Y tế", place="Lâm Đồng") == "Sở Y tế tỉnh Lâm Đồng"
